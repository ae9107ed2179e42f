"""The pipeline, defined once: ``news.raw`` bytes -> :class:`Prepared` | :class:`Rejected`, and
a ``news.prepared`` record -> its event (:class:`Assignment`) | :class:`Rejected`.

validation -> boilerplate (patterns, then the chrome learned for the source) -> language ->
boilerplate by meaning (plain text: the body's edges, in the embedding's languages) -> evidence,
article by article, then the embedding of a batch at once; then grouping. The
worker's agents (:mod:`agents.prepare_agent`, :mod:`agents.grouping_agent`), ``newsstream
process``, the evaluations and the bench all run a :class:`Pipeline`: none of them composes the
stages itself, so what an evaluation measures is what the worker runs.

Every stage runs inside ``timer(stage)``; the default times nothing, the bench passes a
:class:`StageClock`. An exception in a stage rejects that message alone (``internal error``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from typing import Any

from agents import boilerplate, boilerplate_learn, crawler_text, evidence, language, validation
from agents.boilerplate_meaning import ChromeByMeaning
from agents.embedding import LANGUAGES, Embedder
from agents.grouping import Assignment, Grouper, GroupingOptions, paragraph_prints
from agents.prepare import EVIDENCE_CHARS, PrepareOptions, content_hash, event_time, word_count
from agents.topic_words import topic_words
from streams.records import (
    Prepared,
    RawArticle,
    RecordError,
    Rejected,
    class_name,
    from_json,
)
from streams.settings import Settings

log = logging.getLogger(__name__)

#: The stages, in the order an article meets them (the names a :data:`StageTimer` receives).
STAGES = (
    "validation",
    "boilerplate",
    "learning",
    "language",
    "evidence",
    "embedding",
    "grouping",
)

#: ``timer(stage)`` is entered around each stage's work.
StageTimer = Callable[[str], AbstractContextManager[object]]


def no_timer(stage: str) -> AbstractContextManager[object]:
    """The default :data:`StageTimer`: times nothing."""
    return nullcontext()


@dataclass
class StageClock:
    """A :data:`StageTimer` that adds up the CPU seconds (this thread's) spent in each stage."""

    spent: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        began = time.thread_time()
        try:
            yield
        finally:
            self.spent[stage] = self.spent.get(stage, 0.0) + time.thread_time() - began


@dataclass
class Pipeline:
    """The stages with their options and models (loaded once per process)."""

    options: PrepareOptions
    grouping: GroupingOptions
    model: language.Predictor
    embedder: Embedder | None
    timer: StageTimer = no_timer
    #: The edge chrome test by meaning (:mod:`agents.boilerplate_meaning`), on the embedder.
    meaning: ChromeByMeaning | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.meaning is None and self.embedder is not None:
            self.meaning = ChromeByMeaning(self.embedder.embed_texts, LANGUAGES)

    @classmethod
    def from_settings(cls, settings: Settings, timer: StageTimer = no_timer) -> Pipeline:
        """The pipeline ``settings`` ask for, its models loaded (shared within the process)."""
        return cls.create(
            PrepareOptions.from_settings(settings), GroupingOptions.from_settings(settings), timer
        )

    @classmethod
    def create(
        cls,
        options: PrepareOptions,
        grouping: GroupingOptions | None = None,
        timer: StageTimer = no_timer,
    ) -> Pipeline:
        """The pipeline of ``options`` (and ``grouping``, else the defaults), its models
        loaded (shared within the process)."""
        return cls(
            options,
            grouping or GroupingOptions.from_settings(Settings()),
            options.language_model(),
            options.embedder(),
            timer,
        )

    def warm_up(self) -> float:
        """Load what the stages load lazily (the gazetteer, the second detector's first
        models, the embedding model, the language names of hints), so that the first article
        does not pay for it; returns the seconds it took."""
        started = time.perf_counter()
        evidence.extract_evidence("Warm-up", "Short text to load the evidence's rules.", "en")
        language.detect(self.model, "Warm-up", "Short text to load the detectors.", 0.5)
        validation.language_hint("English")  # the language names a hint may be given as
        if self.embedder is not None:
            self.embedder.embed("Warm-up", "Short text to load the model.", "en")
        return time.perf_counter() - started

    # -- news.raw -> news.prepared ---------------------------------------------------------

    def prepare(
        self,
        messages: Sequence[tuple[bytes | None, bytes | None]],
        now: float,
        sources: boilerplate_learn.ChromeMemory | None = None,
    ) -> list[Prepared | Rejected]:
        """``news.raw`` messages (value, key) through the stages one after the other, then
        the embeddings of all of them in one call of the model (cheaper per article than one
        by one).

        ``sources`` (the chrome learned per source; over a Faust table in the worker, a dict
        in ``process``) is read before each article, to strip the chrome learned for its
        source, and updated after it, so an article sees what the ones before it taught."""
        return self.embed([self.prepare_unembedded(v, k, now, sources) for v, k in messages])

    def prepare_unembedded(
        self,
        value: bytes | None,
        key: bytes | None,
        now: float,
        sources: boilerplate_learn.ChromeMemory | None = None,
    ) -> Prepared | Rejected:
        """One message through the stages before the embedding (see :meth:`embed`); an
        exception is this message's ``Rejected("prepare", "internal error: ...")``."""
        try:
            return self._prepare_unembedded(value, key, now, sources)
        except Exception as exc:  # a bug must not stop the worker nor lose the article
            log.exception("prepare failed for key=%r", key)
            return internal_error("prepare", exc)

    def embed(self, outcomes: Sequence[Prepared | Rejected]) -> list[Prepared | Rejected]:
        """``outcomes`` with the embedding of every :class:`Prepared` among them, made in one
        call of the model. If that call fails, each article is embedded alone, and one whose
        embedding still fails is rejected alone (``internal error``)."""
        out = list(outcomes)
        embedder = self.embedder
        if embedder is None:
            return out
        todo = [(i, o) for i, o in enumerate(out) if isinstance(o, Prepared)]
        with self.timer("embedding"):
            try:
                vectors: list[str | Rejected | None] = [
                    *embedder.embed_many([(o.title, o.text, o.lang) for _, o in todo])
                ]
            except Exception:
                log.exception("embedding %d articles at once failed; one by one", len(todo))
                vectors = [_embed_alone(embedder, o) for _, o in todo]
        for (i, article), vector in zip(todo, vectors, strict=True):
            if isinstance(vector, Rejected):
                out[i] = vector
            elif vector is not None:
                out[i] = replace(article, embedding=vector)
        return out

    def _prepare_unembedded(
        self,
        value: bytes | None,
        key: bytes | None,
        now: float,
        sources: boilerplate_learn.ChromeMemory | None,
    ) -> Prepared | Rejected:
        timer, options = self.timer, self.options
        with timer("validation"):
            article = validation.validate(value, key, options.max_message_bytes, options.limits)
        if isinstance(article, Rejected):
            return article
        learned = None
        if sources is not None and article.source:
            with timer("learning"):
                learned = sources.get(article.source)
        result = self._stages(article, now, learned)
        if sources is not None and learned is not None and not isinstance(result, Rejected):
            with timer("learning"):
                lines = [
                    *result.text.split("\n\n"),
                    *result.boilerplate_removed,
                    *crawler_text.title_ends(result.title),
                ]
                sources.put(article.source or "", boilerplate_learn.learn(learned, lines))
        return result

    def clean(
        self, article: RawArticle, learned: boilerplate_learn.SourceChrome | None = None
    ) -> tuple[boilerplate.Cleaned, str | None, language.Language] | Rejected:
        """An article's text without its chrome, its title and its language: boilerplate
        (the page's main content, else the plain text's patterns), the chrome ``learned`` for
        its source, language, then (plain text only) the edges' chrome by meaning. The one
        place this chain is composed: the worker, ``eval extraction``'s plain-text row and
        the quality floors all call it."""
        timer = self.timer
        with timer("boilerplate"):
            cleaned, title, plain = _clean(article)
        if cleaned is None:
            what = (
                "HTML main-content extraction"
                if article.html and not article.text
                else "boilerplate removal"
            )
            return Rejected("boilerplate", f"no article text left after {what}")
        if learned is not None and learned.seq:
            with timer("learning"):
                kept, dropped = boilerplate_learn.strip(learned, cleaned.text.split("\n\n"))
            if dropped and kept:
                cleaned = boilerplate.Cleaned(
                    text="\n\n".join(kept),
                    removed=(*cleaned.removed, *dropped),
                    title=cleaned.title,
                )
        if title:
            title, gone = _without_site_name(title, article, learned)
            if gone:
                cleaned = replace(cleaned, removed=(*cleaned.removed, *gone))
        with timer("language"):
            lang = language.detect(
                self.model, title, cleaned.text, self.options.lang_min_confidence,
                article.lang_hint,
            )  # fmt: skip
        if self.meaning is not None and plain:
            # plain text only: on a page, trafilatura's reading of its structure decides (on
            # the 990 evaluation pages this test took one body line out of its output)
            with timer("boilerplate"):
                text, chrome = self.meaning.strip(cleaned.text, lang.lang, title)
            if chrome:
                cleaned = boilerplate.Cleaned(text, (*cleaned.removed, *chrome), cleaned.title)
        return cleaned, title, lang

    def clean_plain(
        self, text: str, title: str | None = None
    ) -> tuple[boilerplate.Cleaned, str | None, language.Language] | Rejected:
        """:meth:`clean` of a crawler's plain text (no page, no source, no hint)."""
        return self.clean(RawArticle("plain", None, None, title, text, None, None, None, None))

    def _stages(
        self, article: RawArticle, now: float, learned: boilerplate_learn.SourceChrome | None
    ) -> Prepared | Rejected:
        """:meth:`clean`, then evidence (no embedding yet)."""
        outcome = self.clean(article, learned)
        if isinstance(outcome, Rejected):
            return outcome
        cleaned, title, lang = outcome
        timer = self.timer
        with timer("evidence"):
            # an event's names and numbers are in its first pages: a megabyte costs no more
            found = evidence.extract_evidence(title or "", cleaned.text[:EVIDENCE_CHARS], lang.lang)
            size = evidence.text_size(cleaned.text)
            # what else grouping reads of the text, taken here where work scales out
            paras = paragraph_prints(cleaned.text)
            words = topic_words(cleaned.text) if self.grouping.words_min_cosine else None
        return Prepared(
            id=article.id,
            url=article.url,
            source=article.source,
            title=title,
            text=cleaned.text,
            lang=lang.lang,
            lang_confidence=lang.confidence,
            languages=[{"lang": s.lang, "share": s.share} for s in lang.languages],
            title_disagrees=lang.title_disagrees,
            published_at=article.published_at,
            word_count=word_count(cleaned.text),
            content_hash=content_hash(cleaned.text),
            boilerplate_removed=list(cleaned.removed),
            evidence=found.to_list(),
            event_time=event_time(article, now),
            size=size,
            paras=paras,
            words=words,
        )

    # -- news.prepared -> news.enriched + news.events --------------------------------------

    def new_grouper(self, store: MutableMapping[str, Any] | None = None) -> Grouper:
        """An empty grouper with this pipeline's options (the worker fills it from its table);
        ``store``: where the events' full states live (:class:`agents.grouping.Grouper`)."""
        return Grouper(self.grouping, store)

    def assign(self, grouper: Grouper, article: Prepared) -> Assignment:
        """``article`` into its event in ``grouper``."""
        with self.timer("grouping"):
            return grouper.assign_article(article)

    def group_record(
        self, grouper: Grouper, value: bytes | None
    ) -> tuple[Prepared, Assignment] | Rejected:
        """One ``news.prepared`` record into its event, or why it cannot be: a record that is
        not a valid :class:`Prepared` (another writer, a format this version does not read),
        or an unexpected failure of the decision itself. Either is a dead letter of stage
        ``grouping``; the caller goes on."""
        try:
            article = from_json(Prepared, value)
        except RecordError as exc:
            return Rejected(
                "grouping", f"malformed news.prepared record: {exc}", class_name(RecordError)
            )
        try:
            return article, self.assign(grouper, article)
        except Exception as exc:
            log.exception("grouping failed for article %r", article.id)
            return internal_error("grouping", exc)


def internal_error(stage: str, exc: Exception) -> Rejected:
    """The rejection of a message whose stage ``stage`` raised ``exc``."""
    return Rejected(stage, f"internal error: {type(exc).__name__}: {exc}", class_name(type(exc)))


def _clean(article: RawArticle) -> tuple[boilerplate.Cleaned | None, str | None, bool]:
    """The article's text without boilerplate (its HTML's main content, else its plain text
    cleaned; None when nothing is left), its title (given, else the page's) and whether the
    text came from plain text (no page structure told the chrome apart)."""
    title = crawler_text.plain_title(article.title) if article.title else None
    cleaned: boilerplate.Cleaned | None = None
    plain = False
    page, text = article.html, article.text
    if page and not crawler_text.has_tags(page):
        page, text = None, text or page  # ``html`` without a tag is plain text
    if not page and text and crawler_text.is_page(text):
        page = text  # a whole page in ``text``: read as the page it is
    if page:
        cleaned = boilerplate.clean_html(page, article.url)
        # a page's mojibake is repaired in what it gives, not in all its markup (~30 ns a char):
        # its bytes read in the wrong code page (the title's as the body's), or UTF-8 misread
        misread = crawler_text.misread_encoding(cleaned.text)
        cleaned = replace(
            cleaned,
            text=crawler_text.redecoded(cleaned.text, misread)
            if misread
            else crawler_text.repaired(cleaned.text),
        )
        if title:
            title = crawler_text.repaired_as(title, misread)
        elif cleaned.title:
            title = crawler_text.nfc(crawler_text.repaired_as(cleaned.title, misread))
    if (cleaned is None or not cleaned.text.strip()) and text:
        cleaned = boilerplate.clean_text(crawler_text.plain_text(text), article.lang_hint)
        plain = True
    if cleaned is None or not cleaned.text.strip():
        return None, title, plain
    return cleaned, title, plain


def _without_site_name(
    title: str, article: RawArticle, learned: boilerplate_learn.SourceChrome | None
) -> tuple[str, tuple[str, ...]]:
    """``title`` without the parts at its ends that name the article's site: by its URL's host
    or its source (:func:`agents.crawler_text.site_name_test`), or learned as its source's
    chrome (a part that ends most of the source's titles: "新华网" on xinhuanet.com, which the
    host does not spell); and the parts taken off (they join the removed chrome, where the
    learning keeps counting them)."""
    by_host = crawler_text.site_name_test(article.url, article.source)
    by_source = learned if learned is not None and learned.seq else None
    if by_host is None and by_source is None:
        return title, ()

    def is_site(part: str) -> bool:
        if by_host is not None and by_host(part):
            return True
        return by_source is not None and boilerplate_learn.is_chrome(by_source, part)

    return crawler_text.without_ends(title, is_site)


def _embed_alone(embedder: Embedder, article: Prepared) -> str | Rejected | None:
    try:
        return embedder.embed(article.title, article.text, article.lang)
    except Exception as exc:  # this article alone is dead-lettered
        log.exception("embedding failed for id=%r", article.id)
        return internal_error("prepare", exc)
