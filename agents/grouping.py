"""Stage "grouping", pure half: articles' evidence -> event keys, over a window of open events.

Input: :class:`~streams.records.Prepared` articles (``news.prepared``) with their
language-independent evidence (:mod:`agents.evidence`). Output: an event key per article and
the updated :class:`EventState` of its event, which the wiring stores in the ``events`` table
(RocksDB + changelog) and publishes (:mod:`agents.publish`).

How an article finds its event: candidate events are those sharing evidence keys (an inverted
index over the open events) and those with a member whose title-and-lead embedding
(:mod:`agents.embedding`, 16 languages) is close (nearest neighbours over the members'
vectors). Each is scored by its closest member: the weighted evidence they share, rarer keys
weighing more, and the cosine of their embeddings, both lowered by a difference in shape.
The best candidate is joined when the shared weight reaches ``min_shared`` and covers
``min_overlap`` of the article's (or, if smaller, the member's) evidence, when less evidence
covers most of both, or when the embeddings agree and some evidence does (see
:meth:`Grouper._member_scores`); otherwise the article mints a new key. Articles without an
embedding (other languages) are decided on the evidence alone. A key, once issued, never
changes: an article that was seen before keeps its event and is not counted twice.

The :class:`Grouper` is a cache of the table's open events, rebuilt from the table with
:meth:`Grouper.load` after every recovery; the table stays the source of truth.
"""

from __future__ import annotations

import base64
import difflib
import functools
import hashlib
import logging
import math
import re
import struct
import sys
from array import array
from bisect import bisect_left
from collections.abc import (
    Callable,
    Collection,
    Iterable,
    Iterator,
    Mapping,
    MutableMapping,
    Sequence,
)
from dataclasses import dataclass, field, replace
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np

from agents.embedding import DIM, decode_codes, one_blas_thread, unit_vector
from agents.evidence import NAME_PREFIX, SKELETON_PREFIX, is_name_script, skeleton
from agents.publish import member_of
from agents.topic_words import ArticleWords, WordIndex, topic_words
from streams.records import Prepared
from streams.settings import Settings

# Weight of one shared key by kind (its prefix in Evidence.keys()).
_KIND_WEIGHT = {"n": 1.0, "p": 1.0, "#": 0.5}
# A key carried by more open events than this is too common to retrieve candidates by.
_MAX_POSTINGS = 200
# A same-language member this alike (overlap after shape) is the same story republished.
_DUPLICATE_OVERLAP = 0.9
#: Paragraphs fingerprinted per article (:func:`paragraph_prints`), and the letters a paragraph
#: needs to count: shorter ones (datelines, "Photo: AFP") recur across different articles.
_MAX_PRINTS = 64
_PRINT_MIN_LETTERS = 20
#: Keys two articles of one language must have in common for a little evidence covering most of
#: both sides to join them (the "tight" rule, meant for translations poor in names): between
#: summaries of one day, one shared key (a city, a ministry) is a topic as often as an event.
_TIGHT_SAME_LANGUAGE_KEYS = 2
#: A same-language member whose paragraphs hold this share of the shorter article's (and at
#: least two of them) is the one the article repeats: a republished copy, cut or added to.
_COPIED_SHARE = 0.8
_NOT_ALNUM = re.compile(r"[\W_]+")
# Two names this alike (difflib ratio, after folding) are one name in two spellings.
_SAME_NAME_RATIO = 0.6
# Articles of this many paragraphs or more, and as many, may be parallel (translations).
PARALLEL_MIN_PARAGRAPHS = 4
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GroupingOptions:
    """The knobs of the grouping decision (from settings)."""

    window_seconds: float
    min_shared: float
    min_overlap: float
    #: The overlap that suffices for articles of the same paragraph count (None: min_overlap).
    parallel_min_overlap: float | None = None
    #: How much a difference in shape (paragraphs, length) lowers a match: 0 ignores shape.
    shape_weight: float = 1.0
    #: Less weighted evidence suffices when it is nearly all of both articles' evidence.
    tight_min_shared: float = 0.6
    tight_min_overlap: float = 0.5
    #: Cosine of two articles' embeddings (after shape) at which less evidence suffices.
    min_cosine: float = 0.5
    #: The evidence two articles that close must still share (weight), and its overlap.
    cosine_min_shared: float = 0.3
    cosine_min_overlap: float = 0.2
    #: An article that joins an event and would join other open events too merges them into
    #: it, when each of those matches it at least this well (None: no merges).
    merge_min_score: float | None = 0.65
    #: A name key that another name key extends by at most ``inflection_max_suffix`` letters
    #: counts as the same name when the shorter has ``inflection_min_stem`` letters or more
    #: (0: off): case endings in any language that adds them (putin, putinin, putinia).
    inflection_min_stem: int = 4
    inflection_max_suffix: int = 3
    #: Weight of a consonant skeleton shared across scripts (:func:`agents.evidence.skeletons`:
    #: a name key's against a word of a script without case, or words of two such scripts),
    #: before the discount for common keys (0: off); a word of a script without case counts
    #: only while at most ``skeleton_max_df`` open events carry it (a name, not a word).
    skeleton_weight: float = 1.0
    skeleton_max_df: int = 3
    #: Whether words of two different scripts without case match too (else only against
    #: name keys): off, as syllabic transliterations of two such scripts (kana, hanzi,
    #: Devanagari) agree by chance far more often than on a name (see docs/measurements.md).
    skeleton_uncased: bool = False
    #: Whether two names of one cased alphabet (Latin, Cyrillic…) match by their skeletons too
    #: when the two articles are in different languages (a language's spelling of a name:
    #: Kabyle "Stanfurd", Latvian "Ovečkins"); never within one language, where two spellings
    #: of one skeleton are more often two names.
    skeleton_same_alphabet: bool = True
    #: The consonants such a skeleton needs (:attr:`skeleton_full_length` weighs the short).
    skeleton_same_min_length: int = 3
    #: A skeleton of this many consonants or more counts in full, a shorter one in part (3 of
    #: 5: 1/3): short skeletons are common by chance (0: all in full).
    skeleton_full_length: int = 5
    #: The cosine of the words (:mod:`agents.topic_words`) at which a member in the article's
    #: language that shares ``words_min_shared`` of evidence weight (at least the floor of the
    #: other rules) matches (0: off), once the open members in that language number
    #: ``words_min_pool``.
    words_min_cosine: float = 0.25
    words_min_shared: float = 1.5
    words_min_pool: int = 200
    #: The cosine (after shape) at which a member in another language matches on its
    #: embedding alone (0: off), when both it and the article have fewer than
    #: ``alone_max_keys`` evidence keys: a translation delivered as a title and a few
    #: sentences (an RSS item) shares too little evidence with its original for any other
    #: rule, while their embeddings agree. Such members are retrieved by their vectors alone
    #: (:meth:`MemberVectors.near_poor`: the latest open members poor in evidence). Within one
    #: language, never:
    #: templated reports of different events (markets, results, weather) are as close.
    alone_min_cosine: float = 0.5
    alone_max_keys: int = 12

    @classmethod
    def from_settings(cls, settings: Settings) -> GroupingOptions:
        return cls(
            window_seconds=settings.event_window_hours * 3600.0,
            min_shared=settings.event_min_shared,
            min_overlap=settings.event_min_overlap,
            parallel_min_overlap=settings.event_parallel_min_overlap,
            shape_weight=settings.event_shape_weight,
            tight_min_shared=settings.event_tight_min_shared,
            tight_min_overlap=settings.event_tight_min_overlap,
            min_cosine=settings.event_min_cosine,
            cosine_min_shared=settings.event_cosine_min_shared,
            cosine_min_overlap=settings.event_cosine_min_overlap,
            merge_min_score=settings.event_merge_min_score,
            inflection_min_stem=settings.event_inflection_min_stem,
            inflection_max_suffix=settings.event_inflection_max_suffix,
            skeleton_weight=settings.event_skeleton_weight,
            skeleton_max_df=settings.event_skeleton_max_df,
            skeleton_full_length=settings.event_skeleton_full_length,
            skeleton_same_alphabet=settings.event_skeleton_same_alphabet,
            skeleton_same_min_length=settings.event_skeleton_same_min_length,
            words_min_cosine=settings.event_words_min_cosine,
            words_min_pool=settings.event_words_min_pool,
            words_min_shared=settings.event_words_min_shared,
            alone_min_cosine=settings.event_alone_min_cosine,
            alone_max_keys=settings.event_alone_max_keys,
        )


#: The shape of the ``events`` table's values this version writes. Version 0 (written before
#: it was declared) had the same fields, all but ``id`` and ``lang`` optional, and no ``v``.
#: Version 2: members' and events' evidence may hold skeleton keys ("s:hebr:ptn",
#: :func:`agents.evidence.skeletons`), which count only across scripts (or, between languages,
#: names of one alphabet): a version that reads
#: up to 1 would count them as shared keys between any two articles. Versions 0 and 1 are
#: read as they are (their members have no skeletons: they match by their other evidence).
#: Members of version 2 may carry ``paras`` (:func:`paragraph_prints`), optional: a reader
#: without it ignores it and judges copies by text hash and evidence, as before it; and
#: ``words`` (:func:`agents.topic_words.topic_words`), optional too: a reader without it
#: ignores it, and a member without it matches by its evidence and embedding alone.
STATE_VERSION = 2


class StateVersionError(ValueError):
    """A stored event written by a newer version than this one reads."""


@dataclass(frozen=True, slots=True)
class Member:
    """One article of an open event, as the ``events`` table keeps it."""

    id: str
    lang: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    #: The clean text's ``content_hash`` (a republished copy has the same).
    hash: str | None = None
    #: Its paragraphs' fingerprints (:func:`paragraph_prints`): a copy cut or added to keeps
    #: most of them. None in members stored before they were taken.
    paras: str | None = None
    #: Title-and-lead embedding, int8 base64 (:mod:`agents.embedding`).
    vec: str | None = None
    #: Its words (:func:`agents.topic_words.topic_words`); None in members stored before they
    #: were taken, or with the words' test off: such a member matches by its evidence alone.
    words: str | None = None
    #: The article's evidence keys, sorted.
    evidence: tuple[str, ...] = ()
    #: :func:`shape_of`: paragraphs, characters and, from articles that carry it, size.
    shape: tuple[int, ...] | None = None
    #: The closest member in another language when it joined: ``{"id", "score"}``.
    translation_of: dict[str, Any] | None = None
    #: A same-language member it repeats.
    duplicate_of: str | None = None
    #: The event key issued to the article (it keeps it when its event is merged into another).
    event_key: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in _MEMBER_FIELDS}
        out["evidence"] = list(self.evidence)
        out["shape"] = list(self.shape) if self.shape else None
        for optional in ("vec", "paras", "words"):
            if out[optional] is None:
                del out[optional]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Member:
        """A stored member (version 0 or 1); fields this version does not know are ignored."""
        values = {k: data[k] for k in _MEMBER_FIELDS if k in data}
        values["evidence"] = tuple(data.get("evidence") or ())
        shape = data.get("shape")
        values["shape"] = tuple(int(x) for x in shape) if shape else None
        return cls(**values)


_MEMBER_FIELDS = tuple(Member.__dataclass_fields__)


@dataclass(slots=True)
class EventState:
    """An open event as stored in the ``events`` table (with ``"v": STATE_VERSION``)."""

    event_key: str
    first_seen: float
    last_seen: float
    members: list[Member] = field(default_factory=list)
    evidence: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "v": STATE_VERSION,
            "event_key": self.event_key,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "members": [m.to_dict() for m in self.members],
            "evidence": self.evidence,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EventState:
        """A stored event of version 0 (no ``v``), 1 or 2; :class:`StateVersionError` for a
        newer one (a rolled-back worker must not misread what its successor wrote)."""
        _check_version(data)
        return cls(
            event_key=data["event_key"],
            first_seen=float(data["first_seen"]),
            last_seen=float(data["last_seen"]),
            members=[Member.from_dict(m) for m in data["members"]],
            evidence=dict(data["evidence"]),
        )

    @property
    def member_ids(self) -> Iterator[str]:
        return (m.id for m in self.members)


def _check_version(data: dict[str, Any]) -> None:
    version = int(data.get("v", 0))
    if version > STATE_VERSION:
        raise StateVersionError(
            f"event {data.get('event_key')!r} has state version {version}; "
            f"this version reads up to {STATE_VERSION}"
        )


@dataclass(frozen=True, slots=True)
class Assignment:
    """The outcome for one article: its key, its event's new state, and whether it changed."""

    event_key: str
    state: EventState
    changed: bool
    score: float
    #: The closest member in another language: ``{"id", "score"}``, or None.
    translation_of: dict[str, Any] | None = None
    #: A same-language member this article repeats, or None.
    duplicate_of: str | None = None
    #: Open events this article showed to be the same event as ``event_key``: merged into it
    #: (their members' keys do not change; the consumer is told by a ``merged_into`` record).
    merged: tuple[str, ...] = ()


class OpenMember:
    """What the decision reads of a member (the rest of it stays in the ``events`` table)."""

    __slots__ = ("_keys", "_shape", "hash", "id", "lang", "lead", "row")

    def __init__(
        self,
        id: str,
        lang: str,
        hash: str | None,
        keys: bytes | tuple[str, ...],
        shape: Sequence[int] | None,
        row: int = -1,
        lead: int = 0,
    ) -> None:
        self.id = id
        self.lang = lang
        self.hash = hash
        #: Its first paragraph's print (:func:`lead_print`; 0: none).
        self.lead = lead
        # its evidence keys, sorted, as their positions in its event's keys (uint16: 2 bytes a
        # key, where a tuple of the strings takes 8), or the keys themselves when its event
        # does not list them all (see :func:`_positions`)
        self._keys = keys
        self._shape = _pack(shape) if shape else None
        #: Its vector's row in :class:`MemberVectors` (-1: none).
        self.row = row

    @property
    def shape(self) -> tuple[int, ...] | None:
        """:func:`shape_of`, as the member's article had it."""
        packed = self._shape
        return None if packed is None else _unpack(packed)

    @property
    def paragraphs(self) -> int:
        """Its shape's paragraph count (0: no shape), read without unpacking the rest."""
        packed = self._shape
        if packed is None:
            return 0
        return int.from_bytes(packed[1 : 1 + packed[0]], "little", signed=True)

    def evidence_in(self, event: OpenEvent) -> Sequence[str]:
        """Its evidence keys, sorted (``event``: the open event it is a member of)."""
        keys = self._keys
        if isinstance(keys, tuple):
            return keys
        positions = memoryview(keys).cast("H")
        if len(positions) < 2:  # itemgetter of one gives the key, not a tuple
            return [event.evidence[i] for i in positions]
        return itemgetter(*positions)(event.evidence)  # the fastest way, by half

    @property
    def listed(self) -> bool:
        """Whether its keys are among its event's (:func:`_positions`) and it has some."""
        return not isinstance(self._keys, tuple) and bool(self._keys)

    @classmethod
    def of(cls, member: Member, positions: dict[str, int]) -> OpenMember:
        """``positions``: its event's keys -> their positions in :attr:`OpenEvent.evidence`."""
        keys = _positions(member.evidence, positions)
        return cls(
            member.id, member.lang, member.hash, keys, member.shape, lead=lead_print(member.paras)
        )


def _pack(numbers: Sequence[int]) -> bytes:
    """Integers in a bytes object (a shape: 46 bytes in all, a tuple of them ~130): int32
    when they fit, int64 otherwise, the width first."""
    try:
        return struct.pack(f"<B{len(numbers)}i", 4, *numbers)
    except struct.error:  # a number outside int32
        return struct.pack(f"<B{len(numbers)}q", 8, *numbers)


def _unpack(packed: bytes) -> tuple[int, ...]:
    width = packed[0]
    return struct.unpack_from(
        f"<{(len(packed) - 1) // width}{'i' if width == 4 else 'q'}", packed, 1
    )


def _positions(keys: Sequence[str], positions: dict[str, int]) -> bytes | tuple[str, ...]:
    """A member's keys as their positions in its event's keys, or the keys (interned) if the
    event does not list one of them or has more than 65,536 keys."""
    try:
        return array("H", [positions[k] for k in keys]).tobytes()
    except (KeyError, OverflowError):
        return _interned(keys)


@dataclass(slots=True)
class OpenEvent:
    """An open event as the :class:`Grouper` keeps it in memory: what the decision reads."""

    event_key: str
    last_seen: float
    members: list[OpenMember]
    #: Its distinct evidence keys, in the order of the stored state's ``evidence`` counts.
    evidence: tuple[str, ...]
    #: Its number in the grouper's index while it is open (postings list numbers).
    number: int = -1
    #: Its first member's event time (-inf: not known, no article is too early for it).
    first_seen: float = -math.inf

    @classmethod
    def of(cls, state: EventState) -> OpenEvent:
        keys = _interned(state.evidence)
        positions = {k: i for i, k in enumerate(keys)}
        members = [OpenMember.of(m, positions) for m in state.members]
        return cls(state.event_key, state.last_seen, members, keys, first_seen=state.first_seen)


def _opened(
    raw: dict[str, Any] | EventState,
) -> tuple[OpenEvent, list[str | None], list[str | None]]:
    """A table value's open event and its members' encoded vectors and words: what
    ``OpenEvent.of(EventState.from_dict(raw))`` keeps, without making the full state (the
    recovery of a million members goes twice as fast)."""
    if isinstance(raw, EventState):
        return OpenEvent.of(raw), [m.vec for m in raw.members], [m.words for m in raw.members]
    _check_version(raw)
    keys = _interned(raw["evidence"])
    positions = {k: i for i, k in enumerate(keys)}
    members, vectors, words = [], [], []
    for m in raw["members"]:
        shape = m.get("shape")
        evidence = _positions(m.get("evidence") or (), positions)
        shape = [int(x) for x in shape] if shape else None
        members.append(
            OpenMember(
                m["id"],
                m["lang"],
                m.get("hash"),
                evidence,
                shape,
                lead=lead_print(m.get("paras")),
            )
        )
        vectors.append(m.get("vec"))
        words.append(m.get("words"))
    first_seen = float(raw["first_seen"])
    return (
        OpenEvent(raw["event_key"], float(raw["last_seen"]), members, keys, first_seen=first_seen),
        vectors,
        words,
    )


#: What a free event number stands for.
_FREE = OpenEvent("", 0.0, [], ())


def _interned(keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(map(sys.intern, keys))


@dataclass(frozen=True, slots=True)
class _Scored:
    """A member that matched an article: the match's score and its evidence overlap, and
    whether one skeleton alone made it (:meth:`Grouper._member_scores`: no merge on that)."""

    score: float
    overlap: float
    member: OpenMember
    lone_skeleton: bool = False


#: Characters from which a text in one paragraph is taken to have lost its paragraphs (a
#: crawler that joins lines gives a whole article as one): the paragraphs of the translated_news
#: files are under 660 characters in 99.9% (PAC's under 500). Chosen on those files with each
#: file's translations delivered in one line, leave one file out, among 0, 500, 1000 and 2000:
#: the most recall with none of the files as given grouped worse (0 and 500 put a 531-character
#: Japanese brief with another article of wmttest2024; docs/measurements.md).
FLAT_CHARS = 1000


def _unparagraphed(shape: Sequence[int]) -> bool:
    """Whether an article's shape is one paragraph of :data:`FLAT_CHARS` characters or more."""
    return shape[0] == 1 and shape[1] >= FLAT_CHARS


def _ratio(a: float, b: float) -> float:
    return min(a, b) / max(a, b) if max(a, b) > 0 else 1.0


Shape = tuple[int, ...]


def shape_of(text: str, size: int | None = None) -> Shape:
    """An article's shape: (paragraphs, characters) and, when known, its size in any script
    (:func:`agents.evidence.text_size`, carried on ``news.prepared``)."""
    paragraphs = text.count("\n\n") + 1
    return (paragraphs, len(text)) if size is None else (paragraphs, len(text), size)


def paragraph_prints(text: str) -> str | None:
    """Fingerprints of a text's first :data:`_MAX_PRINTS` paragraphs (lines) of
    :data:`_PRINT_MIN_LETTERS` letters or more: 4 bytes of a hash of each one's letters and
    digits in lower case (so that spacing, punctuation and case do not matter), packed and
    base64-encoded; None when there is none."""
    prints = bytearray()
    count = 0
    for line in text.split("\n"):
        letters = _NOT_ALNUM.sub("", line.casefold())
        if len(letters) < _PRINT_MIN_LETTERS:
            continue
        prints += hashlib.blake2b(letters.encode("utf-8", "surrogatepass"), digest_size=4).digest()
        count += 1
        if count == _MAX_PRINTS:
            break
    return base64.b64encode(bytes(prints)).decode("ascii") if prints else None


def _prints(encoded: str | None) -> frozenset[bytes]:
    """The fingerprints :func:`paragraph_prints` packed (none for a malformed value)."""
    if not encoded:
        return frozenset()
    try:
        raw = base64.b64decode(encoded, validate=True)
    except ValueError:
        return frozenset()
    return frozenset(raw[i : i + 4] for i in range(0, len(raw) - 3, 4))


def copied(a: str | None, b: str | None) -> bool:
    """Whether two articles' paragraph prints show one to repeat the other: at least two
    paragraphs in common, and :data:`_COPIED_SHARE` of the shorter one's."""
    return _repeats(_prints(a), _prints(b))


def _repeats(mine: frozenset[bytes], theirs: frozenset[bytes]) -> bool:
    """:func:`copied`, over decoded prints."""
    common = len(mine & theirs)
    return common >= 2 and common >= _COPIED_SHARE * min(len(mine), len(theirs))


def lead_print(paras: str | None) -> int:
    """The print of an article's first paragraph (:func:`paragraph_prints`) as a number, 0 when
    it has none: what the grouper keeps in memory to join a copy to its original's event."""
    if not paras:
        return 0
    try:
        first = base64.b64decode(paras[:8], validate=True)[:4]
    except ValueError:
        return 0
    return int.from_bytes(first, "big") if len(first) == 4 else 0


def article_lead(lang: str, paras: str | None) -> tuple[str, int] | None:
    """What :meth:`Grouper._match` looks for an article's original by: its language and first
    paragraph's print, or None when it has no print."""
    lead = lead_print(paras)
    return (lang, lead) if lead else None


def mint_key(article_id: str) -> str:
    """A new event key, derived from the founding article's id (deterministic on replay)."""
    return (
        "ev-"
        + hashlib.blake2b(article_id.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    )


def _name_runs(keys: Iterable[str]) -> dict[str, set[str]]:
    """Single name key -> the full name keys it is part of ("n:obama" -> {"n:barak obama"})."""
    runs: dict[str, set[str]] = {}
    for key in keys:
        if key.startswith(NAME_PREFIX) and " " in key:
            for word in key[len(NAME_PREFIX) :].split(" "):
                runs.setdefault(NAME_PREFIX + word, set()).add(key)
    return runs


def _different_people(
    common: set[str], runs: dict[str, set[str]], member_keys: Iterable[str]
) -> set[str]:
    """The shared single names that stand for different people: both articles write the word
    only inside full names, and the rest of those names differ beyond spelling ("Hillary
    Clinton" and "Bill Clinton" do not make "Clinton" common evidence; "Aristotle Onassis" and
    "Aristoteles Onassis" do)."""
    suspects = [k for k in common if k in runs and not (runs[k] & common)]
    if not suspects:
        return set()
    theirs = _name_runs(k for k in member_keys if k.startswith(NAME_PREFIX))
    return {
        k
        for k in suspects
        if k in theirs
        and not any(
            _spelling_variants(_rest(mine, k), _rest(other, k))
            for mine in runs[k]
            for other in theirs[k]
        )
    }


def _rest(run: str, word_key: str) -> str:
    """A full name without one of its words ("n:bill clinton", "n:clinton" -> "bill")."""
    word = word_key[len(NAME_PREFIX) :]
    return " ".join(w for w in run[len(NAME_PREFIX) :].split(" ") if w != word)


@functools.lru_cache(maxsize=1 << 14)
def _spelling_variants(a: str, b: str) -> bool:
    """Whether two (folded) names are one name spelled differently ("sabi", "sabih")."""
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= _SAME_NAME_RATIO


def _name_start(key: str, stem: int) -> str | None:
    """A single name key's first ``stem`` letters (with the prefix); None for another key, or
    a name of fewer letters or of several words."""
    if not key.startswith(NAME_PREFIX) or " " in key or len(key) - len(NAME_PREFIX) < stem:
        return None
    return key[: len(NAME_PREFIX) + stem]


def _stems(keys: Iterable[str], stem: int) -> dict[str, list[str]]:
    """Name keys of at least ``stem`` letters by their first ``stem`` letters."""
    by_start: dict[str, list[str]] = {}
    for key in keys:
        start = _name_start(key, stem)
        if start is not None:
            by_start.setdefault(start, []).append(key)
    return by_start


def _inflected(
    mine: dict[str, list[str]],
    theirs: Iterable[str],
    stem: int,
    max_suffix: int,
    skip: Collection[str] = (),
) -> list[tuple[str, str]]:
    """Pairs (my key, their key) of distinct single names, one the other plus a short ending
    (``mine``: :func:`_stems`, by the same ``stem``; their keys in ``skip`` left out)."""
    pairs = []
    start = len(NAME_PREFIX) + stem
    for other in theirs:
        # a key whose first letters begin one of mine is a name key of `stem` letters or more
        candidates = mine.get(other[:start])
        if candidates is None or " " in other or other in skip:
            continue
        for key in candidates:
            short, long = (key, other) if len(key) <= len(other) else (other, key)
            if short != long and long.startswith(short) and len(long) - len(short) <= max_suffix:
                pairs.append((key, other))
                break
    return pairs


#: A bound's margin for the rounding of sums taken in another order (a few ulps).
_ROUNDING = 1.0 + 1e-9


def _holds(keys: Sequence[str], key: str) -> bool:
    """Whether sorted ``keys`` hold ``key``."""
    i = bisect_left(keys, key)
    return i < len(keys) and keys[i] == key


def _parallel(a: Sequence[int] | None, b: Sequence[int] | None) -> bool:
    """Whether two articles have the same number of paragraphs, a few or more: a translation
    keeps its original's (``shape_of``: paragraphs, characters)."""
    return bool(a and b and a[0] == b[0] and a[0] >= PARALLEL_MIN_PARAGRAPHS)


def _any_parallel(shape: Sequence[int] | None, members: Sequence[OpenMember]) -> bool:
    """Whether one of ``members`` is :func:`_parallel` to an article of ``shape``."""
    if not shape or shape[0] < PARALLEL_MIN_PARAGRAPHS:
        return False
    paragraphs = shape[0]
    return any(m.paragraphs == paragraphs for m in members)


def _only_by_weight(
    members: Sequence[OpenMember], near: dict[str, float], lead: tuple[str, int] | None
) -> bool:
    """Whether none of ``members`` can match but on the evidence weight it shares: none is
    ``near`` (on its embedding), none begins as the article (``lead``: a copy), every one's
    keys are among its event's (:attr:`OpenMember.listed`). One pass over them."""
    lead_print = None if lead is None else lead[1]
    return not any(m.lead == lead_print or not m.listed or (near and m.id in near) for m in members)


def _kind_weight(key: str) -> float:
    return _KIND_WEIGHT.get(key[: key.find(":")], 1.0)


def _discount(df: int) -> float:
    """The discount of a key that ``df`` open events carry (an IDF over the window)."""
    return 1.0 / (1.0 + math.log1p(df / 4.0))


@dataclass(frozen=True, slots=True)
class Skeletons:
    """An article's skeletons that may count (:meth:`Grouper._skeletons`)."""

    #: skeleton -> (script, the article side's discount) for each script the article writes it in
    bones: dict[str, list[tuple[str, float]]]
    #: an open event's skeleton key the article matches -> the weight of the match (the best
    #: over the article's scripts, the first of equals) and whether that script of the
    #: article's is a name script (:func:`~agents.evidence.is_name_script`)
    matches: dict[str, tuple[float, bool]]
    #: an open event's skeleton key in the alphabet of one of the article's names, the same
    #: skeleton -> the weight of a match: counted only against a member of another language
    #: (:attr:`GroupingOptions.skeleton_same_alphabet`)
    same: dict[str, float] = field(default_factory=dict)
    #: open event number -> the summed weight of the :attr:`same` keys it carries, when known
    #: (an upper bound of what they add there; None: not known)
    carried: Mapping[int, float] | None = None

    def __bool__(self) -> bool:
        return bool(self.bones)


_NO_SKELETONS = Skeletons({}, {})
_NO_MATCH = (0.0, False)


def _one_left_out(short: str, long: str) -> bool:
    """Whether ``short`` is ``long`` with one letter left out (a skeleton's variant)."""
    return len(long) == len(short) + 1 and any(
        long[:i] + long[i + 1 :] == short for i in range(len(long))
    )


def _one_per_name(
    matched: Sequence[tuple[str, float]], counted: Iterable[str]
) -> list[tuple[str, float]]:
    """Skeletons two names of one alphabet share, one per name: both sides write a long name
    with its variants (:func:`agents.evidence.name_skeletons`: a consonant left out), which
    meet each other as often as the full skeletons do; the longest stands for them, and none
    is kept for a name counted already (``counted``: the skeletons of shared names)."""
    longer = list(counted)
    kept: list[tuple[str, float]] = []
    for bones, weight in sorted(matched, key=lambda m: (-len(m[0]), m[0])):
        if not any(_one_left_out(bones, other) for other in longer):
            kept.append((bones, weight))
            longer.append(bones)
    return kept


def _carried(same: Mapping[str, float], evidence: Iterable[str]) -> float:
    """At most what an article's skeletons of names in their own alphabet (``same``) add
    against any member of an event (``evidence``): the weights of those the event carries."""
    return math.fsum(same[key] for key in sorted(same.keys() & frozenset(evidence)))


def _named_skeletons(common: Iterable[str]) -> set[str]:
    """The skeletons of the words of the name keys two articles share: a skeleton match on one
    of them would count a name twice."""
    return {
        skeleton(word)
        for key in common
        if key.startswith(NAME_PREFIX)
        for word in key[len(NAME_PREFIX) :].split(" ")
    }


class MemberVectors:
    """Embedding vectors of the open events' members, one row each: the nearest neighbours of
    an article are one matrix-vector product away.

    A row keeps the vector as stored, int8 components (512 bytes) and their norm; rows are
    made unit float32 vectors exactly as :func:`agents.embedding.decode_vector` makes them
    when they are compared, so cosines are those of the decoded vectors to the last bit.
    """

    #: Rows made float32 at a time by :meth:`near` (64 MiB). Up to this many rows, one
    #: product, as before; past it, a row's cosine may differ in its last bit (BLAS blocks the
    #: rows differently), as it already may between :meth:`near` and :meth:`near_among`.
    CHUNK = 1 << 15
    #: Members poor in evidence (``Grouper._poor``) that :meth:`near_poor` searches: the
    #: latest this many (after a recovery, the latest in the table's order), as unit float32
    #: vectors (8 MiB; one product ~0.13 ms). Bounded: a feed of summaries holds hundreds of
    #: thousands of open members, and comparing each article with all of them cost 0.4-0.9 ms
    #: a thousand (docs/measurements.md).
    POOR_ROWS = 4096

    def __init__(self, poor_rows: int = POOR_ROWS) -> None:
        self._codes = np.zeros((64, DIM), dtype=np.int8)
        self._norms = np.ones(64, dtype=np.float32)
        self._ids: list[str | None] = []  # row -> member id (None: a free row)
        self._free: list[int] = []
        # the latest poor members, a ring of slots: unit vectors, ids (None: free), and
        # row -> slot and slot -> row
        self._poor_cap = poor_rows
        self._poor_unit = np.zeros((min(64, poor_rows), DIM), dtype=np.float32)
        self._poor_ids: list[str | None] = []
        self._poor_slot: dict[int, int] = {}
        self._poor_row: list[int] = []
        self._poor_next = 0

    def __len__(self) -> int:
        return len(self._ids) - len(self._free)

    def clear(self) -> None:
        self.__init__(self._poor_cap)  # type: ignore[misc]

    def add(self, member_id: str, codes: np.ndarray, poor: bool = False) -> int:
        """Keep ``codes`` (an embedding's int8 components, :func:`decode_codes`) as a row of
        ``member_id``'s: its number (the member keeps it); ``poor``: a member poor in evidence,
        found by :meth:`near_poor` too."""
        if self._free:
            row = self._free.pop()
            self._ids[row] = member_id
        else:
            row = len(self._ids)
            if row == len(self._codes):  # grown by doubling; untouched rows take no RAM
                codes_grown = np.zeros((2 * row, DIM), dtype=np.int8)
                codes_grown[:row] = self._codes
                norms_grown = np.ones(2 * row, dtype=np.float32)
                norms_grown[:row] = self._norms
                self._codes, self._norms = codes_grown, norms_grown
            self._ids.append(member_id)
        self._codes[row] = codes
        vector = self._codes[row].astype(np.float32)
        self._norms[row] = np.sqrt(vector.dot(vector))  # np.linalg.norm's arithmetic, faster
        if poor and self._poor_cap > 0:
            self._add_poor(row, member_id, vector / self._norms[row])
        return row

    def _add_poor(self, row: int, member_id: str, unit: np.ndarray) -> None:
        slot = self._poor_next
        self._poor_next = (slot + 1) % self._poor_cap
        if slot < len(self._poor_ids):  # the oldest goes
            old = self._poor_row[slot]
            if self._poor_slot.get(old) == slot:
                del self._poor_slot[old]
            self._poor_ids[slot] = member_id
            self._poor_row[slot] = row
        else:
            if slot == len(self._poor_unit):  # grown by doubling, up to the cap
                grown = np.zeros((min(2 * slot, self._poor_cap), DIM), dtype=np.float32)
                grown[:slot] = self._poor_unit
                self._poor_unit = grown
            self._poor_ids.append(member_id)
            self._poor_row.append(row)
        self._poor_unit[slot] = unit
        self._poor_slot[row] = slot

    def is_poor(self, row: int) -> bool:
        """Whether the row is one :meth:`near_poor` searches."""
        return row in self._poor_slot

    def remove(self, row: int) -> None:
        if 0 <= row < len(self._ids) and self._ids[row] is not None:
            self._codes[row] = 0
            self._norms[row] = 1.0
            self._ids[row] = None
            self._free.append(row)
            slot = self._poor_slot.pop(row, None)
            if slot is not None:
                self._poor_unit[slot] = 0.0
                self._poor_ids[slot] = None

    def _unit(self, rows: slice | list[int]) -> np.ndarray:
        """Rows as unit float32 vectors (a free row is zeros)."""
        if isinstance(rows, slice):
            block, norms = self._codes[rows].astype(np.float32), self._norms[rows]
        else:
            index = np.asarray(rows, dtype=np.intp)
            block, norms = (
                np.take(self._codes, index, axis=0).astype(np.float32),
                self._norms[index],
            )
        block /= norms[:, None]  # in place: a new array here costs ten times as much
        return block

    def near_among(
        self, vector: np.ndarray, rows: list[int], min_cosine: float
    ) -> dict[str, float]:
        """:meth:`near`, over the given rows only."""
        if not rows:
            return {}
        cosines = self._unit(rows) @ vector
        ids = self._ids
        return {
            ids[rows[i]]: float(cosines[i])  # type: ignore[misc]
            for i in np.flatnonzero(cosines >= min_cosine).tolist()
        }

    def near_poor(self, vector: np.ndarray, min_cosine: float) -> dict[str, float]:
        """:meth:`near`, over the latest :attr:`POOR_ROWS` members poor in evidence only."""
        ids = self._poor_ids
        if not ids:
            return {}
        cosines = self._poor_unit[: len(ids)] @ vector
        return {
            member_id: float(cosines[i])
            for i in np.flatnonzero(cosines >= min_cosine).tolist()
            if (member_id := ids[i]) is not None
        }

    def near(self, vector: np.ndarray, min_cosine: float) -> dict[str, float]:
        """Member id -> cosine, for the members at least ``min_cosine`` from ``vector``."""
        if not len(self):
            return {}
        ids = self._ids
        found: dict[str, float] = {}
        for start in range(0, len(ids), self.CHUNK):
            cosines = self._unit(slice(start, min(len(ids), start + self.CHUNK))) @ vector
            for row in np.flatnonzero(cosines >= min_cosine).tolist():
                if (member_id := ids[start + row]) is not None:
                    found[member_id] = float(cosines[row])
        return found


#: The shape of the ``closed_events`` table's values this version writes.
CLOSED_VERSION = 1


class ClosedEvents:
    """The keys of closed events awaiting their tombstone on ``news.events``, with when each
    event closed (stream time: its last member's event time plus the window), as the
    ``closed_events`` table keeps them; a key's tombstone is due ``delay`` seconds of stream
    time after that. A cache of the table, rebuilt with :meth:`load` after every recovery."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.pending: dict[str, float] = {}

    def load(self, items: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Rebuild from the table's (key, value) items."""
        self.pending = {key: float(value["closed_at"]) for key, value in items if value}

    def close(self, keys: Iterable[str], closed_at: float) -> dict[str, dict[str, Any]]:
        """Keys whose event closed at ``closed_at``: the table values to store for them."""
        values = {}
        for key in keys:
            self.pending[key] = closed_at
            values[key] = {"v": CLOSED_VERSION, "closed_at": closed_at}
        return values

    def due(self, stream_time: float) -> list[str]:
        """The keys whose tombstone is due at ``stream_time``, the earliest closed first (keys
        that closed together in the order they were given); they are no longer pending."""
        due = sorted(
            (
                key
                for key, closed_at in self.pending.items()
                if closed_at + self.delay <= stream_time
            ),
            key=self.pending.__getitem__,
        )
        for key in due:
            del self.pending[key]
        return due


class _Many:
    """A long posting: event numbers in a growing int32 array (4 bytes each)."""

    __slots__ = ("numbers", "size")

    def __init__(self, numbers: Iterable[int]) -> None:
        listed = list(numbers)
        self.numbers = np.array(listed + listed, dtype=np.int32)
        self.size = len(listed)

    def __iter__(self) -> Iterator[int]:
        return iter(self.numbers[: self.size].tolist())

    def add(self, number: int) -> None:
        if self.size == len(self.numbers):
            self.numbers = np.concatenate([self.numbers, self.numbers])
        self.numbers[self.size] = number
        self.size += 1

    def discard(self, number: int) -> None:
        found = np.flatnonzero(self.numbers[: self.size] == number)
        if len(found):  # the last one takes its place
            self.size -= 1
            self.numbers[found[0]] = self.numbers[self.size]


class Postings:
    """The inverted index: evidence key -> the numbers of the open events that carry it
    (:attr:`OpenEvent.number`).

    Most keys of a window are carried by one event or a few: such a posting is the number
    itself or a tuple of them; past :attr:`SMALL` events, an int32 array (4 bytes an event; a
    set of them costs ~60), a tuple again at half that (a key on the edge does not go back and
    forth). An event is added to a key once (the grouper adds only the keys new to an event).
    """

    SMALL = 8

    def __init__(self) -> None:
        self._lists: dict[str, int | tuple[int, ...] | _Many] = {}

    def __len__(self) -> int:
        return len(self._lists)

    def clear(self) -> None:
        self._lists.clear()

    def count(self, key: str) -> int:
        """How many open events carry ``key``."""
        posting = self._lists.get(key)
        if posting is None:
            return 0
        if isinstance(posting, int):
            return 1
        return len(posting) if isinstance(posting, tuple) else posting.size

    def events(self, key: str) -> Iterable[int]:
        posting = self._lists.get(key)
        if posting is None:
            return ()
        return (posting,) if isinstance(posting, int) else posting

    def weigh(
        self, weights: dict[str, float], most: int, count: Callable[[str], int] | None = None
    ) -> dict[int, float]:
        """Event number -> the summed weights of the keys it carries, of ``weights``' keys
        carried by at most ``most`` events (summed in ``weights``' order). ``count``: how many
        events carry a key, when the postings hold only some of them (a shard's grouper,
        :mod:`agents.grouping_shard`); by default its posting's length."""
        shared: dict[int, float] = {}
        get, lists = shared.get, self._lists
        for key, weight in weights.items():
            posting = lists.get(key)
            if posting is None or (count is not None and count(key) > most):
                continue
            if isinstance(posting, int):
                shared[posting] = get(posting, 0.0) + weight
            elif isinstance(posting, tuple) or count is not None or posting.size <= most:
                for number in posting:
                    shared[number] = get(number, 0.0) + weight
        return shared

    def add(self, key: str, number: int) -> None:
        posting = self._lists.get(key)
        if posting is None:
            self._lists[key] = number
        elif isinstance(posting, int):
            self._lists[key] = (posting, number)
        elif isinstance(posting, tuple):
            grown = (*posting, number)
            self._lists[key] = grown if len(grown) <= self.SMALL else _Many(grown)
        else:
            posting.add(number)

    def discard(self, key: str, number: int) -> None:
        posting = self._lists.get(key)
        if posting is None:
            return
        if isinstance(posting, _Many):
            posting.discard(number)
            if posting.size > self.SMALL // 2:
                return
            rest = tuple(posting)
        elif isinstance(posting, tuple):
            rest = tuple(e for e in posting if e != number)
        else:
            rest = () if posting == number else (posting,)
        if not rest:
            del self._lists[key]
        else:
            self._lists[key] = rest[0] if len(rest) == 1 else rest


class NameStems:
    """The single-name keys of the open events by their first letters (``stem`` of them, after
    the prefix), to find an article's inflected names among them without reading every event's
    keys: a key is listed while some open event carries it (:class:`Postings`). Most first
    letters begin one key: the value is then the key itself, else a tuple of them."""

    def __init__(self, stem: int) -> None:
        self._stem = stem
        self._keys: dict[str, str | tuple[str, ...]] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def clear(self) -> None:
        self._keys.clear()

    def _start_of(self, key: str) -> str | None:
        return _name_start(key, self._stem) if self._stem else None

    def add(self, key: str) -> None:
        """``key``, now carried by an open event (and by no other before)."""
        start = self._start_of(key)
        if start is None:
            return
        listed = self._keys.get(start)
        if listed is None:
            self._keys[start] = key
        else:
            self._keys[start] = (listed, key) if isinstance(listed, str) else (*listed, key)

    def discard(self, key: str) -> None:
        """``key``, now carried by no open event."""
        start = self._start_of(key)
        if start is None or (listed := self._keys.get(start)) is None:
            return
        if isinstance(listed, str):
            rest: tuple[str, ...] = () if listed == key else (listed,)
        else:
            rest = tuple(k for k in listed if k != key)
        if not rest:
            del self._keys[start]
        else:
            self._keys[start] = rest[0] if len(rest) == 1 else rest

    def starting(self, start: str) -> tuple[str, ...]:
        """The listed keys whose first letters are ``start``."""
        listed = self._keys.get(start)
        if listed is None:
            return ()
        return (listed,) if isinstance(listed, str) else listed


def member_vector(encoded: str | None) -> np.ndarray | None:
    """An embedding as stored (a member's ``vec``), or None if none or a malformed one."""
    codes = member_codes(encoded)
    return None if codes is None else unit_vector(codes)


def member_codes(encoded: str | None) -> np.ndarray | None:
    """An embedding's int8 components (:func:`agents.embedding.decode_codes`), or None if none
    or a malformed one."""
    if not encoded:
        return None
    try:
        return decode_codes(encoded)
    except ValueError:
        return None


class EventStates:
    """The open events' full states (:class:`EventState`), by event key: in an outside store
    (the worker's ``events`` table), with the states handed out but not yet written there
    until :meth:`saved`; without one, in a dict of its own, written at once."""

    def __init__(self, store: MutableMapping[str, Any] | None = None) -> None:
        self.store: MutableMapping[str, Any] = {} if store is None else store
        self.own = store is None
        self._unsaved: dict[str, EventState] = {}

    def get(self, event_key: str) -> EventState:
        """The event's state (KeyError if there is none)."""
        state = self._unsaved.get(event_key)
        if state is not None:
            return state
        value = self.store[event_key]
        return value if isinstance(value, EventState) else EventState.from_dict(value)

    def keep(self, state: EventState) -> None:
        if self.own:
            self.store[state.event_key] = state
        else:
            self._unsaved[state.event_key] = state

    def drop(self, event_key: str) -> None:
        self._unsaved.pop(event_key, None)
        if self.own:
            self.store.pop(event_key, None)

    def loaded(self, event_key: str, value: dict[str, Any] | EventState) -> None:
        """A value read back from the store (recovery): kept when the store is our own."""
        if self.own:
            self.store[event_key] = value

    def saved(self) -> None:
        """The caller has written what was handed out to the outside store."""
        self._unsaved.clear()

    def clear(self) -> None:
        self._unsaved.clear()
        if self.own:
            self.store.clear()


class Grouper:
    """Open events, indexed by evidence key and by their members' embeddings, with the
    join-or-mint decision.

    In memory it keeps what the decision reads (:class:`OpenEvent`: members' ids, languages,
    content hashes, evidence, shapes; their vectors as int8 rows); an event's full
    :class:`EventState` (titles, urls, sources, encoded vectors, relations, evidence counts)
    lives in ``store``, the ``events`` table in the worker, read when the event changes or
    closes. ``store=None`` keeps the full states in a dict of the grouper's own, which it
    writes itself (evaluations, ``process``, tests). With a store given, the caller writes
    what the grouper returns (:attr:`Assignment.state` under its key, the keys merged away
    and the evicted events deleted) and then calls :meth:`saved`; until then the grouper
    keeps the states it returned, so that the next articles see them.
    """

    def __init__(self, options: GroupingOptions, store: MutableMapping[str, Any] | None = None):
        self.options = options
        self.events: dict[str, OpenEvent] = {}
        #: Event key -> its full state (an :class:`EventState` or a table value).
        self._states = EventStates(store)
        self.store = self._states.store
        self._postings = Postings()
        self._name_stems = NameStems(options.inflection_min_stem)
        self._numbered: list[OpenEvent] = []  # number -> open event (or _FREE)
        self._free_numbers: list[int] = []
        self._member_of: dict[str, str] = {}
        self.vectors = MemberVectors()
        #: The open members' words (:mod:`agents.topic_words`), when the words' test is on.
        self.words = WordIndex()
        #: Open members of a language the words' test waits for (a shard: its share).
        self.words_pool = options.words_min_pool
        #: Open events merged into another: key -> the key it was merged into.
        self.merged_into: dict[str, str] = {}
        self.stream_time = 0.0
        #: Key -> how many open events carry it, when this grouper holds only part of each
        #: event (a shard's, :mod:`agents.grouping_shard`); None: its postings' counts.
        self.key_counts: Callable[[str], int] | None = None
        #: Candidate events scored so far (the grouping bench reports it per article).
        self.candidates_scored = 0
        #: The scripts of the skeleton keys indexed so far (a few dozen at most: Unicode's).
        self._scripts: set[str] = set()
        one_blas_thread()

    # -- state ---------------------------------------------------------------------------------
    def load(self, states: Iterable[dict[str, Any] | EventState]) -> None:
        """Rebuild the cache from the table's values (after recovery or a rebalance); a grouper
        without an outside store keeps them as its store."""
        self.events.clear()
        self._postings.clear()
        self._name_stems.clear()
        self._numbered.clear()
        self._free_numbers.clear()
        self.merged_into.clear()
        self._member_of.clear()
        self._states.clear()
        self.vectors.clear()
        self.words.clear()
        self._scripts.clear()
        self.stream_time = 0.0
        rowed: set[str] = set()
        with_words = bool(self.options.words_min_cosine)
        for raw in states:
            held, vectors, words = _opened(raw)
            for member, encoded, said in zip(held.members, vectors, words, strict=True):
                codes = member_codes(encoded)
                if codes is not None and member.id not in rowed:  # the first vector of an id
                    member.row = self.vectors.add(
                        member.id, codes, self._poor(member.evidence_in(held))
                    )
                    rowed.add(member.id)
                if with_words:
                    self.words.add(member.id, said, member.lang)
            self._index(held)
            self.stream_time = max(self.stream_time, held.last_seen)
            self._states.loaded(held.event_key, raw)

    @property
    def open_articles(self) -> int:
        """The articles in open events."""
        return len(self._member_of)

    def state(self, event_key: str) -> EventState:
        """An open event's full state (KeyError if it is not open)."""
        if event_key not in self.events:
            raise KeyError(event_key)
        return self._full(event_key)

    def states(self) -> Iterator[EventState]:
        """The open events' full states."""
        return (self._full(key) for key in list(self.events))

    def saved(self) -> None:
        """The caller has written what the grouper returned to the outside store."""
        self._states.saved()

    def _full(self, event_key: str) -> EventState:
        return self._states.get(event_key)

    def _keep(self, state: EventState) -> None:
        self._states.keep(state)

    def _drop(self, event_key: str) -> None:
        self._states.drop(event_key)

    def _index(self, state: OpenEvent) -> None:
        """An event into the index, under a number of its own."""
        if self._free_numbers:
            state.number = self._free_numbers.pop()
            self._numbered[state.number] = state
        else:
            state.number = len(self._numbered)
            self._numbered.append(state)
        self.events[state.event_key] = state
        self._index_keys(state, state.evidence)
        for member in state.members:
            self._member_of[member.id] = state.event_key

    def _index_keys(self, state: OpenEvent, keys: Iterable[str]) -> None:
        postings = self._postings
        for key in keys:
            postings.add(key, state.number)
            if key.startswith(SKELETON_PREFIX):
                self._scripts.add(key[2 : key.find(":", 2)])
            elif key.startswith(NAME_PREFIX) and postings.count(key) == 1:
                self._name_stems.add(key)

    def _unindex(self, state: OpenEvent) -> None:
        self.events.pop(state.event_key, None)
        postings = self._postings
        for key in state.evidence:
            postings.discard(key, state.number)
            if key.startswith(NAME_PREFIX) and not postings.count(key):
                self._name_stems.discard(key)
        for member in state.members:
            if self._member_of.get(member.id) == state.event_key:
                del self._member_of[member.id]
        self._numbered[state.number] = _FREE
        self._free_numbers.append(state.number)
        state.number = -1

    def evict(self) -> list[EventState]:
        """Close the events whose last member is older than the window (in stream time): they
        leave the cache and are returned, in their final state (read from the store)."""
        horizon = self.stream_time - self.options.window_seconds
        closed = [s for s in self.events.values() if s.last_seen < horizon]
        gone = {s.event_key for s in closed}
        self.merged_into = {k: v for k, v in self.merged_into.items() if v not in gone}
        states = []
        for state in closed:
            states.append(self._full(state.event_key))
            self._drop(state.event_key)
            self._unindex(state)
            for member in state.members:
                self.vectors.remove(member.row)
                self.words.remove(member.id)
        return states

    # -- decision ------------------------------------------------------------------------------
    def _df(self, key: str) -> int:
        """How many open events carry ``key``: what weighs a key and keeps a common one from
        retrieving candidates (:attr:`key_counts`, else its posting's length)."""
        counts = self.key_counts
        return self._postings.count(key) if counts is None else counts(key)

    def _weight(self, key: str) -> float:
        """Kind weight, discounted for keys many open events share (an IDF over the window)."""
        return _kind_weight(key) * _discount(self._df(key))

    def _skeleton_discount(self, key: str, script: str, own: int = 0) -> float:
        """A skeleton key's discount, 0 for a word of a script without case that more than
        ``skeleton_max_df`` open events carry (``own``: the article's own event, not yet
        open): a common word of its language, not a name."""
        df = self._df(key)
        if not is_name_script(script) and df + own > self.options.skeleton_max_df:
            return 0.0
        return _discount(df)

    def _length_factor(self, bones: str) -> float:
        """How much of its weight a skeleton of ``len(bones)`` consonants carries."""
        full = self.options.skeleton_full_length
        return 1.0 if full <= 3 else min(1.0, (len(bones) - 2) / (full - 2))

    def _skeletons(self, keys: set[str]) -> tuple[set[str], Skeletons, dict[str, float]]:
        """An article's keys other than skeletons; its skeletons that may count, with their
        discounts (:class:`Skeletons`); and the open events' skeleton keys it may match (the
        same skeleton in another script) with the weight of a match, to retrieve them by."""
        plain = {k for k in keys if not k.startswith(SKELETON_PREFIX)}
        lookup: dict[str, float] = {}
        weight = self.options.skeleton_weight
        if len(plain) == len(keys) or not weight:
            return plain, _NO_SKELETONS, lookup
        uncased = self.options.skeleton_uncased
        mine = {key[2 : key.find(":", 2)] for key in keys.difference(plain)}
        alphabet = self.options.skeleton_same_alphabet and any(map(is_name_script, mine))
        # the scripts an open event's skeleton could match one of the article's in
        others = [
            other
            for other in self._scripts
            if any(
                other != script and (uncased or is_name_script(script) or is_name_script(other))
                for script in mine
            )
        ]
        if not others and not alphabet:
            return plain, _NO_SKELETONS, lookup
        found: dict[str, list[tuple[str, float]]] = {}
        matches: dict[str, tuple[float, bool]] = {}
        same: dict[str, float] = {}
        for key in sorted(keys.difference(plain)):  # sorted: the same lists in every process
            script, _, bones = key[2:].partition(":")
            discount = self._skeleton_discount(key, script, own=1)
            if not discount:
                continue
            discount *= self._length_factor(bones)
            found.setdefault(bones, []).append((script, discount))
            for other in others:
                theirs = f"{SKELETON_PREFIX}{other}:{bones}"
                if (
                    other != script
                    and (uncased or is_name_script(script) or is_name_script(other))
                    and self._df(theirs)
                ):
                    match = weight * min(discount, self._skeleton_discount(theirs, other))
                    if match > matches.get(theirs, _NO_MATCH)[0]:
                        matches[theirs] = (match, is_name_script(script))
            if (
                alphabet
                and is_name_script(script)
                and len(bones) >= self.options.skeleton_same_min_length
                and self._df(key)
            ):
                same[key] = weight * min(discount, self._skeleton_discount(key, script))
        lookup = {key: match for key, (match, _) in matches.items()}
        return plain, Skeletons(found, matches, same), lookup

    def best_match(
        self,
        evidence: Iterable[str],
        event_time: float,
        shape: Shape | None = None,
        vector: np.ndarray | None = None,
    ) -> tuple[str | None, float]:
        """The open event this evidence (and embedding) belongs to, if any, and how well."""
        event_key, score, _, _ = self._match(set(evidence), event_time, shape, vector)
        return event_key, score

    def _match(
        self,
        keys: set[str],
        event_time: float,
        shape: Shape | None,
        vector: np.ndarray | None = None,
        lead: tuple[str, int] | None = None,
        lang: str | None = None,
        words: str | None = None,
    ) -> tuple[str | None, float, list[_Scored], list[str]]:
        """The best open event, its score, the scores of its members that passed, and the
        other events that match well enough to be merged into it. ``lead``: the article's
        language and first paragraph's print (:func:`lead_print`), to find its original if it
        is a copy; ``lang``: its language (:meth:`_member_scores`); ``words``: its words
        (:func:`agents.topic_words.topic_words`).

        Candidates: the events sharing evidence keys (inverted index) and those with a member
        whose embedding is within ``min_cosine`` (nearest neighbours). An event is judged by
        its closest member, not by the union of its members' evidence: a large event must not
        become a magnet for every article on the same subject.
        """
        if not keys and (vector is None or not self.options.alone_min_cosine or lang is None):
            return None, 0.0, [], []
        poor = self._poor(keys)
        # the events that may hold it: their members within the window of its time, on both
        # sides (an article that arrives late must not join an event of months after it)
        horizon = event_time - self.options.window_seconds
        ahead = event_time + self.options.window_seconds
        keys, skeletons, across = self._skeletons(keys)
        # sorted, and sums taken with fsum: a score must not depend on the hash seed
        weights = {k: self._weight(k) for k in sorted(keys)}
        # event number -> weight in common, over the keys in at most _MAX_POSTINGS open events
        # (and the same skeletons in other scripts)
        shared = self._postings.weigh(
            {**weights, **across} if across else weights, _MAX_POSTINGS, self.key_counts
        )
        # the events with a skeleton the article may match: the others' members need no look
        skeletal = (
            self._postings.weigh(across, sys.maxsize, self.key_counts).keys() if across else ()
        )
        # names of one alphabet: not retrieved by, counted where they meet by other keys
        alike = (
            Skeletons(
                skeletons.bones,
                {},
                skeletons.same,
                self._postings.weigh(skeletons.same, sys.maxsize, self.key_counts),
            )
            if skeletons.same
            else None
        )
        stem = self.options.inflection_min_stem
        stems = _stems(weights, stem) if stem else {}
        # the open events' single names that start as the article's, and those that inflect
        # them: read once, for the retrieval and for the candidates' members
        listed = [self._name_stems.starting(start) for start in stems]
        pairs = (
            _inflected(
                stems,
                chain.from_iterable(listed),
                stem,
                self.options.inflection_max_suffix,
                skip=keys,
            )
            if stems
            else []
        )
        if pairs:
            # an event whose names are the article's inflected (Kotka, Kotkasta) shares them
            for number, weight in self._inflected_weights(pairs, weights).items():
                shared[number] = shared.get(number, 0.0) + weight
        near = self._near(vector, shared) if vector is not None else {}
        floor = min(self.options.min_shared, self.options.tight_min_shared)
        numbered = self._numbered
        candidates = {numbered[n].event_key for n, weight in shared.items() if weight >= floor}
        # A member joins on its embedding only with some evidence in common, so the close
        # members count only in events that share a key: bounded like the evidence path, even
        # when templated reports put every open member within ``min_cosine``.
        candidates.update(
            owner
            for m in near
            if (owner := self._member_of.get(m)) is not None and self.events[owner].number in shared
        )
        if poor and vector is not None and lang is not None:
            for member_id, (owner, cosine) in self._near_alone(vector, lang).items():
                candidates.add(owner)
                near.setdefault(member_id, cosine)
        article_weight = math.fsum(weights.values())
        known = dict(weights)  # the article's keys' weights, and members' keys as they come
        runs = _name_runs(keys)
        inflected = self._inflected_in(candidates, listed, pairs)
        weighed = self._weighed_words(words, lang) if candidates else None
        best: tuple[str | None, float, list[_Scored]] = (None, 0.0, [])
        matched: list[tuple[float, str]] = []
        self.candidates_scored += len(candidates)
        for event_key in sorted(candidates):  # ties go the same way in every run
            state = self.events[event_key]
            if self._outside(state, horizon, ahead):
                continue
            scores = self._member_scores(
                state,
                keys,
                runs,
                known,
                article_weight,
                shape,
                near,
                stems,
                skeletons if state.number in skeletal else alike,
                lead,
                None if inflected is None else sorted(inflected.get(state.number, ())),
                lang,
                weighed,
                poor,
            )
            overlap = max((scored.score for scored in scores), default=0.0)
            if overlap > 0.0 and not all(scored.lone_skeleton for scored in scores):
                # merged into the best only on more than one skeleton's coincidence
                matched.append((overlap, event_key))
            if overlap > best[1]:
                best = (event_key, overlap, scores)
        bar = self.options.merge_min_score
        others = (
            sorted(k for score, k in matched if score >= bar and k != best[0])
            if bar is not None and best[0] is not None
            else []
        )
        return (*best, others)

    def _outside(self, state: OpenEvent, horizon: float, ahead: float) -> bool:
        """Whether the event's members' times miss the window (``horizon``, ``ahead``)."""
        return state.last_seen < horizon or state.first_seen > ahead

    def _near(self, vector: np.ndarray, shared: dict[int, float]) -> dict[str, float]:
        """Member id -> cosine, for the close members of the events that could match.

        A member joins on its embedding only with ``cosine_min_shared`` of evidence in common,
        so only events sharing that much are compared (one matrix-vector product over all open
        members when they hold most of them; it reads every vector, ~6 MB for 3,000 members).
        """
        options = self.options
        reach = min(options.min_shared, options.tight_min_shared, options.cosine_min_shared)
        events = [self._numbered[n] for n, weight in shared.items() if weight >= reach]
        if not events or not len(self.vectors):
            return {}
        if 2 * sum(len(state.members) for state in events) >= len(self.vectors):
            return self.vectors.near(vector, options.min_cosine)  # most of them: one product
        rows = [m.row for state in events for m in state.members if m.row >= 0]
        return self.vectors.near_among(vector, rows, self.options.min_cosine)

    def _poor(self, keys: Collection[str]) -> bool:
        """Whether an article or member with these evidence keys is poor enough in evidence
        for the embedding alone to match it (``alone_max_keys``; skeletons not counted)."""
        if not self.options.alone_min_cosine:
            return False
        limit = self.options.alone_max_keys
        return sum(1 for k in keys if not k.startswith(SKELETON_PREFIX)) < limit

    def _near_alone(self, vector: np.ndarray, lang: str) -> dict[str, tuple[str, float]]:
        """Member id -> (its event, cosine), for the open evidence-poor members
        (:meth:`_poor`) in another language than ``lang`` within ``alone_min_cosine`` of
        ``vector``, whatever evidence they share."""
        found: dict[str, tuple[str, float]] = {}
        near = self.vectors.near_poor(vector, self.options.alone_min_cosine)
        for member_id, cosine in near.items():
            owner = self._member_of.get(member_id)
            if owner is None:
                continue
            member = next((m for m in self.events[owner].members if m.id == member_id), None)
            if member is not None and member.lang not in (lang, None, "und"):
                found[member_id] = (owner, cosine)
        return found

    def _member_scores(
        self,
        state: OpenEvent,
        keys: set[str],
        runs: dict[str, set[str]],
        weights: dict[str, float],
        article_weight: float,
        shape: Shape | None,
        near: dict[str, float],
        stems: dict[str, list[str]] | None = None,
        skeletons: Skeletons | None = None,
        lead: tuple[str, int] | None = None,
        inflections: list[tuple[str, str]] | None = None,
        lang: str | None = None,
        words: ArticleWords | None = None,
        poor: bool = False,
    ) -> list[_Scored]:
        """The members that match the article, with their scores.

        A member matches on evidence: shared weight ``min_shared`` covering ``min_overlap`` of
        the smaller side's evidence (after shape), or only ``tight_min_shared`` if it covers
        ``tight_min_overlap`` of both sides' (evidence-poor translations) or, for a member of
        the same paragraph count in another language than ``lang`` (the article's, when known),
        ``parallel_min_overlap`` of the smaller side's: a translation keeps its original's
        paragraphs, while two reports in one language with as many paragraphs are two stories
        as often as one (templated reports, wire formats). Or on its
        embedding: a cosine (after shape) of ``min_cosine`` with some evidence in common
        (``cosine_min_shared`` and ``cosine_min_overlap``); never on the embedding alone, which
        is as close for templated reports of different events (markets, results, weather).
        ``runs``: the article's full names by their words (``_name_runs``);
        ``weights``: of the article's keys, and of members' keys as they are computed;
        ``near``: member id -> cosine, for the members close enough; ``stems``: the article's
        single names by their first letters (:func:`_stems`), to count inflected forms;
        ``skeletons``: the article's skeletons that may count (:meth:`_skeletons`), matched to
        the member's in other scripts (:meth:`_across`); ``lead``: the article's language and
        first paragraph's print: a member of that language that begins with the same paragraph
        and holds :data:`_COPIED_SHARE` of the keys of the one with fewer is the article's
        original (score 1), whatever their shapes (a copy cut short has another);
        ``inflections``: the event's :meth:`_inflections`, when known (from :class:`NameStems`).
        Or, with ``words`` (the article's, :meth:`_weighed_words`), on the evidence floor and
        a cosine of their words of ``words_min_cosine``: the same event told in other words.
        Or, ``poor`` (the article poor in evidence, :meth:`_poor`), a member poor in evidence
        too, in another language, on its embedding alone (``alone_min_cosine``).
        """
        options = self.options
        floor = min(options.min_shared, options.tight_min_shared)
        words_floor = max(floor, options.words_min_shared)
        scores: list[_Scored] = []
        # whether a member can match only by its words (the event shares too little for the
        # other rules): then its words are compared first, and the rest read only if they match
        words_only = False
        if (not skeletons or not skeletons.matches) and _only_by_weight(state.members, near, lead):
            # No member can match on its embedding, copy its lead or skeletons in another
            # script: a member matches only on the weight it shares, at most what the event
            # shares (its keys are the event's), its inflected names and its skeletons of names
            # in the article's alphabet. Below what any member needs, none is read.
            if stems and inflections is None:
                inflections = self._inflections(state, keys, stems)
            bound = math.fsum(weights[k] for k in keys.intersection(state.evidence))
            bound = (bound + math.fsum(weights[mine] for _, mine in inflections or ())) * _ROUNDING

            any_parallel: list[bool] = []  # _any_parallel, once asked

            def short(bound: float) -> bool:
                if bound < floor:
                    return True
                if (
                    bound >= options.min_shared
                    or bound >= options.tight_min_overlap * article_weight
                ):
                    return False
                if not any_parallel:
                    any_parallel.append(_any_parallel(shape, state.members))
                return not any_parallel[0]

            if skeletons and short(bound):  # read only when the rest falls short
                carried = skeletons.carried
                most = (
                    _carried(skeletons.same, state.evidence)
                    if carried is None
                    else carried.get(state.number, 0.0)
                )
                bound += most * _ROUNDING
            if short(bound):
                if words is None or bound < words_floor:
                    return scores
                words_only = True
        for member in state.members:
            by_words = -1.0  # the cosine of the words, once computed
            if words_only:
                assert words is not None
                by_words = self.words.cosine(words, member.id)
                if by_words < options.words_min_cosine:
                    continue
            cosine = near.get(member.id)
            own = member.evidence_in(state)
            if own:  # sorted: its skeleton keys ("s:") come last
                cut = bisect_left(own, SKELETON_PREFIX)
                member_keys, bones = own[:cut], own[cut:]
            else:
                member_keys = [k for k in state.evidence if not k.startswith(SKELETON_PREFIX)]
                bones = ()
            common = keys.intersection(member_keys)
            if (
                lead is not None
                and member.lead == lead[1]
                and member.lang == lead[0]
                and len(common) >= _COPIED_SHARE * min(len(keys), len(member_keys))
            ):
                scores.append(_Scored(1.0, 1.0, member))
                continue
            shared = math.fsum(weights[k] for k in common)
            mine_more = theirs_more = 0.0
            hits = 0
            lone = False  # the only evidence in common one skeleton: a name, or a coincidence
            other_language = lang is not None and member.lang not in (lang, None, "und")
            # the embedding alone may match: both sides poor in evidence, two languages
            alone = other_language and poor and self.vectors.is_poor(member.row)
            if skeletons and bones and (skeletons.matches or other_language):
                across, mine_more, theirs_more, hits = self._across(
                    skeletons, bones, common, other_language
                )
                shared += across
                lone = hits == 1 and not common
            article_total = article_weight + mine_more
            if stems:
                if member.listed:
                    # its keys are among its event's: the event's inflected pairs, found once
                    # for all its members (sorted by their key, as the member's keys are)
                    if inflections is None:
                        inflections = self._inflections(state, keys, stems)
                    for other, mine in inflections:
                        if mine not in common and _holds(own, other):
                            shared += weights[mine]
                else:
                    for mine, _ in _inflected(
                        stems,
                        own or member_keys,
                        options.inflection_min_stem,
                        options.inflection_max_suffix,
                        skip=common,
                    ):
                        if mine not in common:
                            shared += weights[mine]
            member_shape = member.shape
            parallel = _parallel(shape, member_shape)
            if cosine is None and (
                shared < floor
                or (
                    shared < options.min_shared
                    and shared < options.tight_min_overlap * article_total
                    and not parallel
                )
            ):  # cannot match, whatever the member's weight (the shape factor is <= 1) ...
                if words is None or shared < words_floor:
                    continue
                if by_words < 0.0:
                    by_words = self.words.cosine(words, member.id)
                if by_words < options.words_min_cosine:
                    continue  # ... nor by its words
            member_weight = theirs_more  # its skeletons count when they match (_across)
            for k in member_keys:
                w = weights.get(k)
                if w is None:  # remembered for the other members of this call
                    w = weights[k] = self._weight(k)
                member_weight += w
            factor = self._shape_factor(shape, member_shape)
            translated = lang is None or member.lang != lang
            # a little evidence covering most of both sides: a translation poor in names, or,
            # in one language, several keys in common (one is a topic of the day as often)
            tight = translated or len(common) + hits >= _TIGHT_SAME_LANGUAGE_KEYS
            judge = functools.partial(
                self._score,
                article_weight=article_total,
                member_weight=member_weight,
                factor=factor,
                cosine=cosine,
                parallel=parallel,
                translated=translated,
                tight=tight,
                alone=alone,
            )
            scored = judge(shared)
            if words is not None and shared >= words_floor:
                scored, by_words = self._or_by_words(scored, words, member.id, by_words)
            if scored[0] > 0.0:  # a match: unless a shared name stands for different people
                others = _different_people(common, runs, member_keys) if runs else ()
                if others:
                    shared -= math.fsum(weights[k] for k in others)
                    scored = judge(shared)
                    if words is not None and shared >= words_floor:
                        scored, by_words = self._or_by_words(scored, words, member.id, by_words)
            if scored[0] > 0.0:
                scores.append(_Scored(scored[0], scored[1], member, lone))
        return scores

    def _inflected_weights(
        self, pairs: list[tuple[str, str]], weights: dict[str, float]
    ) -> dict[int, float]:
        """Event number -> the weight of the article's single names that the event carries
        inflected (``pairs``: (the article's key, an open event's), :func:`_inflected`), each
        once, over the names carried by at most :data:`_MAX_POSTINGS` events: the retrieval of
        :meth:`_match` counts them as the names they are."""
        counts = self.key_counts
        found: dict[int, set[str]] = {}
        for mine, other in pairs:
            carried = counts(other) if counts is not None else self._postings.count(other)
            if carried > _MAX_POSTINGS:
                continue
            for number in self._postings.events(other):
                found.setdefault(number, set()).add(mine)
        return {n: math.fsum(weights[k] for k in sorted(mine)) for n, mine in found.items()}

    def _inflected_in(
        self,
        candidates: Collection[str],
        listed: list[tuple[str, ...]],
        pairs: list[tuple[str, str]],
    ) -> dict[int, list[tuple[str, str]]] | None:
        """Event number -> (its key, the article's) for the candidate events' single names that
        inflect the article's (``listed``: the open events' names that start as the article's
        do, :class:`NameStems`; ``pairs``: those that inflect them, :func:`_inflected`); None
        when that would read more keys than the candidates have (common stems, or names many
        events carry: :meth:`_inflections` reads each candidate's keys, for the same pairs)."""
        if not listed or not candidates:
            return {}
        events = self.events
        reads = sum(len(events[k].evidence) for k in candidates)
        if sum(map(len, listed)) > reads:
            return None
        if not pairs:
            return {}
        if sum(self._postings.count(other) for _, other in pairs) > reads:
            return None
        numbers = {events[k].number for k in candidates}
        found: dict[int, list[tuple[str, str]]] = {}
        for mine, other in pairs:
            for number in self._postings.events(other):
                if number in numbers:
                    found.setdefault(number, []).append((other, mine))
        return found

    def _inflections(
        self, state: OpenEvent, keys: set[str], stems: dict[str, list[str]]
    ) -> list[tuple[str, str]]:
        """The event's single names (not the article's ``keys``) that inflect one of the
        article's (``stems``: :func:`_stems`), with it: (their key, the article's), sorted."""
        return sorted(
            (other, mine)
            for mine, other in _inflected(
                stems,
                state.evidence,
                self.options.inflection_min_stem,
                self.options.inflection_max_suffix,
                skip=keys,
            )
        )

    def _across(
        self,
        skeletons: Skeletons,
        member_keys: Sequence[str],
        common: set[str],
        other_language: bool = False,
    ) -> tuple[float, float, float, int]:
        """The weight of the skeletons an article shares with a member in another script
        (``member_keys``: its skeleton keys), and how much of it each side adds to its own
        evidence: a skeleton of a name key stands for a name that side counts already, a word
        of a script without case for a name that side had no other way to show. A skeleton of
        a name both share (``common``) does not count again. Each match was weighed once for
        all members, with the article's skeletons (:attr:`Skeletons.matches`). Last: how many
        skeletons matched. A member in another language (``other_language``) also matches the
        article's skeletons of names in their own alphabet (:attr:`Skeletons.same`)."""
        shared = mine_more = theirs_more = 0.0
        hits = 0
        named: set[str] | None = None
        matches = skeletons.matches
        same = skeletons.same if other_language else None
        alike: list[tuple[str, float]] = []
        for key in member_keys:
            hit = matches.get(key)
            if hit is None and (not same or key not in same):
                continue
            script, _, bones = key[2:].partition(":")
            if named is None:
                named = _named_skeletons(common)
            if bones in named:
                continue
            if hit is None:
                assert same is not None
                alike.append((bones, same[key]))
                continue
            best, mine_is_name = hit
            shared += best
            hits += 1
            mine_more += 0.0 if mine_is_name else best
            theirs_more += 0.0 if is_name_script(script) else best
        for _, weight in _one_per_name(alike, named or ()):
            shared += weight
            hits += 1
        return shared, mine_more, theirs_more, hits

    def _or_by_words(
        self, scored: tuple[float, float], words: ArticleWords, member_id: str, known: float
    ) -> tuple[tuple[float, float], float]:
        """``scored``, or, when it is no match, the cosine of the words if it reaches
        ``words_min_cosine`` (the overlap kept); with the cosine (``known``: computed already,
        or negative), so that a member's words are compared once."""
        if scored[0] > 0.0:
            return scored, known
        cosine = known if known >= 0.0 else self.words.cosine(words, member_id)
        return ((cosine, scored[1]) if cosine >= self.options.words_min_cosine else scored), cosine

    def _words_of(self, article: Prepared) -> str | None:
        """An article's words as prepare took them, else taken here; None with the test off."""
        if not self.options.words_min_cosine:
            return None
        return article.words or topic_words(article.text)

    def _add_words(self, article_id: str, words: str, lang: str) -> None:
        """A new member's words into the words' index (weighed there, before it is in)."""
        self.words.add(article_id, words, lang)

    def _weighed_words(self, words: str | None, lang: str | None) -> ArticleWords | None:
        """An article's words weighed against the open members' in its language (None: the
        words' test is off, the open members in its language are too few for a word's rarity
        to mean much, or it has none)."""
        options = self.options
        if not options.words_min_cosine or words is None or lang is None:
            return None
        if self.words.size(lang) < self.words_pool:
            return None
        return self.words.weigh(words, lang)

    def _score(
        self,
        shared: float,
        article_weight: float,
        member_weight: float,
        factor: float,
        cosine: float | None,
        parallel: bool,
        translated: bool = True,
        tight: bool = True,
        alone: bool = False,
    ) -> tuple[float, float]:
        """A member's score (0: no match) and evidence overlap, from the weight it shares
        (``translated``: whether the member may be a translation, in another language: only
        then does the same paragraph count lower the bar, see :meth:`_member_scores`; ``tight``:
        whether a little evidence covering most of both sides suffices; ``alone``: whether the
        embedding alone may suffice, ``alone_min_cosine``: a member in another language, both
        poor in evidence)."""
        options = self.options
        min_shared, min_overlap = (
            (options.tight_min_shared, options.parallel_min_overlap)
            if translated and parallel and options.parallel_min_overlap is not None
            else (options.min_shared, options.min_overlap)
        )
        overlap = factor * shared / max(min(article_weight, member_weight), 1e-9)
        both = factor * shared / max(article_weight, member_weight, 1e-9)
        by_evidence = (
            overlap
            if (shared >= min_shared and overlap >= min_overlap)
            or (tight and shared >= options.tight_min_shared and both >= options.tight_min_overlap)
            else 0.0
        )
        by_embedding = 0.0
        if cosine is not None:
            cosine *= factor
            with_evidence = (
                cosine >= options.min_cosine
                and shared >= options.cosine_min_shared
                and overlap >= options.cosine_min_overlap
            )
            if with_evidence or (alone and cosine >= options.alone_min_cosine):
                by_embedding = cosine
        return max(by_evidence, by_embedding), overlap

    @staticmethod
    def _relations(
        state: OpenEvent,
        member: Member,
        scores: list[_Scored],
        full: Sequence[Member] = (),
    ) -> dict[str, Any]:
        """Within its event, what the article is to the members already there: the closest
        member in another language (``translation_of``, with its score) and a same-language
        member it repeats (``duplicate_of``: the same clean text, most of its paragraphs
        (:func:`copied`, over ``full``: the event's stored members), or near-identical
        evidence and shape, as when a wire story is republished). ``scores``: the members that
        matched."""
        other = [s for s in scores if s.member.lang != member.lang]
        same_text = [m.id for m in state.members if member.hash and m.hash == member.hash]
        prints = _prints(member.paras)  # decoded once, compared with each member's
        copies = (
            [m.id for m in full if m.lang == member.lang and _repeats(prints, _prints(m.paras))]
            if prints
            else []
        )
        near = [
            s.member.id
            for s in scores
            if s.member.lang == member.lang and s.overlap >= _DUPLICATE_OVERLAP
        ]
        translation = max(other, key=lambda s: s.score, default=None)
        repeats = same_text or copies or near
        return {
            "translation_of": {"id": translation.member.id, "score": round(translation.score, 3)}
            if translation
            else None,
            "duplicate_of": repeats[0] if repeats else None,
        }

    def _shape_factor(self, a: Sequence[int] | None, b: Sequence[int] | None) -> float:
        """1 for articles of the same shape (paragraph count, length); lower the more they
        differ. Translations keep their original's paragraphs and roughly its length."""
        if not a or not b or not self.options.shape_weight:
            return 1.0
        # the script-independent size where both have one (members stored before it was
        # measured have characters only: Chinese takes a third of the characters of English)
        length = _ratio(a[2], b[2]) if len(a) > 2 and len(b) > 2 else _ratio(a[1], b[1])
        # a long text in one paragraph lost its paragraphs on the way (a crawler that joins
        # lines): its count says nothing, its length still does
        flat = _unparagraphed(a) or _unparagraphed(b)
        similarity = length if flat else min(_ratio(a[0], b[0]), length)
        return 1.0 - self.options.shape_weight * (1.0 - similarity)

    def resolve(self, event_key: str) -> str:
        """The open event an event key stands for now (itself, or the event it was merged
        into, through every merge since)."""
        while event_key in self.merged_into:
            event_key = self.merged_into[event_key]
        return event_key

    def pair_score(self, event_key: str, article: Prepared) -> float:
        """How well ``article`` matches the open event ``event_key`` alone (0: it would not join
        it), scored as :meth:`assign_article` scores its candidates; changes nothing."""
        state = self.events[event_key]
        keys, skeletons, _ = self._skeletons(set(article.evidence))
        weights = {k: self._weight(k) for k in sorted(keys)}
        vector = member_vector(article.embedding)
        near = (
            self.vectors.near_among(
                vector, [m.row for m in state.members if m.row >= 0], self.options.min_cosine
            )
            if vector is not None
            else {}
        )
        scores = self._member_scores(
            state,
            keys,
            _name_runs(keys),
            weights,
            math.fsum(weights.values()),
            shape_of(article.text, article.size),
            near,
            skeletons=skeletons,
            lang=article.lang,
            words=self._weighed_words(self._words_of(article), article.lang),
            poor=self._poor(keys),
        )
        return max((scored.score for scored in scores), default=0.0)

    def _absorb(
        self,
        state: EventState,
        held: OpenEvent,
        others: Iterable[str],
        evidence: Iterable[str] = (),
    ) -> dict[str, int]:
        """Merge the open events ``others`` into ``held`` (``state``: its full state, which the
        caller keeps): their members, times and evidence counts; they leave the index and
        resolve to it. ``evidence``: keys the event gains too (the joining article's: its
        counts are the caller's). In memory, only the keys new to the event go into the index.
        Returns the event's keys -> their positions in ``held.evidence``."""
        moved: list[tuple[OpenMember, OpenEvent]] = []
        keys: list[Iterable[str]] = []
        for other in others:
            merged, gone = self._full(other), self.events[other]
            self._unindex(gone)
            self._drop(other)
            moved.extend((m, gone) for m in gone.members)
            keys.append(gone.evidence)
            state.members.extend(merged.members)
            state.first_seen = min(state.first_seen, merged.first_seen)
            state.last_seen = max(state.last_seen, merged.last_seen)
            for key, count in merged.evidence.items():
                state.evidence[key] = state.evidence.get(key, 0) + count
            self.merged_into[other] = state.event_key
        keys.append(evidence)
        had = set(held.evidence)
        new = _interned(k for k in dict.fromkeys(chain(*keys)) if k not in had)
        held.evidence += new
        positions = {k: i for i, k in enumerate(held.evidence)}
        for m, gone in moved:  # their keys' positions were in the event they come from
            m._keys = _positions(m.evidence_in(gone), positions)
            held.members.append(m)
            self._member_of[m.id] = held.event_key
        held.first_seen, held.last_seen = state.first_seen, state.last_seen
        self._index_keys(held, new)
        return positions

    def assign_article(self, article: Prepared, match: bool = True) -> Assignment:
        """Put a prepared article into an event (what the agent and ``process`` call);
        ``match=False`` opens an event of its own without looking (evaluation pools)."""
        member = {
            **member_of(article),
            "hash": article.content_hash,
            # taken in prepare (news.prepared), else here from the text
            "paras": article.paras or paragraph_prints(article.text),
            "words": self._words_of(article),
        }
        return self.assign(
            member,
            article.evidence,
            article.event_time,
            shape_of(article.text, article.size),
            article.embedding,
            match,
        )

    def assign(
        self,
        member: dict[str, Any],
        evidence: list[str],
        event_time: float,
        shape: Shape | None = None,
        embedding: str | None = None,
        match: bool = True,
    ) -> Assignment:
        """Put one article (``member``: id, lang, title, url, source) into an event;
        ``embedding``: its encoded title-and-lead vector (:mod:`agents.embedding`), if any."""
        article_id = member["id"]
        known = self._member_of.get(article_id)
        if known is not None and known in self.events:
            state = self._full(known)
            seen = next(m for m in state.members if m.id == article_id)
            return Assignment(
                seen.event_key or known,
                state,
                changed=False,
                score=0.0,
                translation_of=seen.translation_of,
                duplicate_of=seen.duplicate_of,
            )
        self.stream_time = max(self.stream_time, event_time)
        codes = member_codes(embedding)
        vector = unit_vector(codes) if codes is not None else None
        stored = Member.from_dict(
            {
                **member,
                "vec": embedding if codes is not None else None,
                "evidence": sorted(set(evidence)),
                "shape": list(shape) if shape else None,
                # kept only while the words' test is on (a shard is given them either way)
                "words": member.get("words") if self.options.words_min_cosine else None,
            }
        )
        lead = article_lead(stored.lang, stored.paras)
        event_key, score, scores, others = (
            self._match(set(evidence), event_time, shape, vector, lead, stored.lang, stored.words)
            if match
            else (None, 0.0, [], [])
        )
        relations: dict[str, Any] = {"translation_of": None, "duplicate_of": None}
        if event_key is None:
            state = EventState(mint_key(article_id), first_seen=event_time, last_seen=event_time)
            held = OpenEvent(state.event_key, event_time, [], (), first_seen=event_time)
            self._index(held)
        else:
            held = self.events[event_key]
            state = self._full(event_key)
            relations = self._relations(held, stored, scores, state.members)
        # the article shows them to be one event: merged into it
        positions = self._absorb(state, held, others, evidence)
        state.members.append(replace(stored, event_key=state.event_key, **relations))
        state.first_seen = min(state.first_seen, event_time)
        state.last_seen = max(state.last_seen, event_time)
        for key in evidence:
            state.evidence[key] = state.evidence.get(key, 0) + 1
        newcomer = OpenMember.of(stored, positions)
        if codes is not None:
            newcomer.row = self.vectors.add(article_id, codes, self._poor(evidence))
        if stored.words is not None:
            self._add_words(article_id, stored.words, stored.lang)
        held.members.append(newcomer)
        held.first_seen, held.last_seen = state.first_seen, state.last_seen
        self._member_of[article_id] = held.event_key
        del self.events[held.event_key]  # the latest changed last, as the table's writes go
        self.events[held.event_key] = held
        self._keep(state)
        return Assignment(
            state.event_key, state, changed=True, score=score, merged=tuple(others), **relations
        )
