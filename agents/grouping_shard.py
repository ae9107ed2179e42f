"""Stage "grouping", sharded (docs/sharding.md), pure half: a coordinator and S shard groupers.

Opt-in (``NEWSSTREAM_GROUPING_SHARDS`` >= 2); the wiring is :mod:`agents.grouping_shard_agent`,
the simulation of the same code in one process :mod:`tools.sim_sharding`.

* :class:`Routing`: an article -> the shards that hold it (the owners of its blocking keys)
  and the shards asked to bid on it (the owners of all its keys).
* :class:`ShardGrouper`: a :class:`~agents.grouping.Grouper` over the members one shard holds.
  Input: probes, applies, merge notices, key counts, close notices (the messages of one
  partition of the shard topic, in order). Output: a :class:`Bid` per probe.
* :class:`Coordinator`: ``news.prepared`` articles in rounds -> probes (:meth:`Coordinator.begin`),
  then, with every bid of the round, a :class:`Decision` per article, in order
  (:meth:`Coordinator.decide`): its event key and its event's state (without vectors), as
  :meth:`Grouper.assign_article` returns them, and the messages each shard gets. It keeps the
  key counts over all shards (:class:`DocumentFrequency`) and closes events
  (:meth:`Coordinator.evict`).

The messages are plain dicts (orjson on the wire): :meth:`Probe.to_dict`, :meth:`Bid.to_dict`,
:func:`apply_message`, :func:`merge_message`, :func:`counts_message`, :func:`close_message`.
Nothing here imports Kafka or Faust.
"""

from __future__ import annotations

import functools
import hashlib
import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np

from agents.evidence import SKELETON_PREFIX
from agents.grouping import (
    Assignment,
    EventState,
    EventStates,
    Grouper,
    GroupingOptions,
    Member,
    OpenEvent,
    OpenMember,
    _Scored,
    article_lead,
    member_vector,
    mint_key,
    paragraph_prints,
    shape_of,
)
from agents.topic_words import UNWEIGHED, ArticleWords, Unweighed, WordIndex, given_words
from streams.records import Prepared

_ORDER = b"shard-order"  # blake2b personalisation: which keys block an article
_SHARD = b"shard-owner"  # ... and which shard owns a key


@functools.lru_cache(maxsize=1 << 20)
def _hash(text: str, person: bytes) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8, person=person)
    return int.from_bytes(digest.digest(), "big")


#: Keys carried by more open events than this do not block (the grouper retrieves no
#: candidates by them either, ``agents.grouping._MAX_POSTINGS``): one shard would get them all.
ROUTE_MAX_DF = 200
#: The kinds of key that block first: places (gazetteer ids) and numbers read the same in
#: every language and script, names do not (Chinese, Japanese, Hebrew, Hindi articles carry
#: almost none; Finnish and Czech inflect them).
LANGUAGE_FREE = ("p:", "#:")
#: Keys that neither block nor ask for bids: a skeleton counts only against the same skeleton
#: in another script, a key of its own (``agents.grouping.Grouper._across``), so a shard that
#: holds a member under one, or is asked by one, is never the shard a match needs; routed,
#: the words of an article in a script without case would ask nearly every shard.
UNROUTED = (SKELETON_PREFIX,)


class Routed(Protocol):
    """What routing reads of an article (a :class:`Prepared` or a :class:`Probe`)."""

    @property
    def id(self) -> str: ...

    @property
    def evidence(self) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class Route:
    """Where an article goes: the shards that bid on it and the shards that hold it."""

    probe: tuple[int, ...]
    store: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Routing:
    """How articles are routed to ``shards`` shards.

    An article is held by the owners of its ``blocking`` blocking keys (all its keys when 0;
    its id's owner when it has none): its keys of smallest hash, a min-hash, the
    language-free kinds first (``kinds_first``), leaving out keys more common than
    :data:`ROUTE_MAX_DF` when the counts are known. It asks for bids the owners of all its
    keys (``probe_all``: a member that shares any of its keys may be held under that key),
    else only the shards that will hold it. Skeleton keys (:data:`UNROUTED`) do neither: a
    skeleton match across scripts counts only where the two articles meet by other keys. An
    article with an embedding and fewer than ``poor_keys`` keys (0: none) asks every shard: its
    embedding alone may match a member poor in evidence held on any of them
    (:attr:`agents.grouping.GroupingOptions.alone_max_keys`, :func:`poor_keys`).
    """

    shards: int
    blocking: int = 3
    kinds_first: bool = True
    probe_all: bool = True
    poor_keys: int = 0

    def blocking_keys(
        self, evidence: Iterable[str], df: Callable[[str], int] | None = None
    ) -> list[str]:
        first = LANGUAGE_FREE if self.kinds_first else ()
        routed = {k for k in evidence if not k.startswith(UNROUTED)}
        keys = sorted(routed, key=lambda k: (not k.startswith(first), _hash(k, _ORDER), k))
        if df is not None:
            keys = [k for k in keys if df(k) <= ROUTE_MAX_DF] or keys
        return keys if self.blocking <= 0 else keys[: self.blocking]

    def shard_of(self, key: str) -> int:
        """The shard that owns an evidence key."""
        return _hash(key, _SHARD) % self.shards

    def route(self, article: Routed, df: Callable[[str], int] | None = None) -> Route:
        """With ``df``, keys in more than :data:`ROUTE_MAX_DF` open events neither block nor
        ask for bids (no member is held under them)."""
        keys = self.blocking_keys(article.evidence, df) or ["id:" + article.id]
        store = {self.shard_of(key) for key in keys}
        probe = store
        if self.probe_all:
            asked = (
                k
                for k in article.evidence
                if not k.startswith(UNROUTED) and (df is None or df(k) <= ROUTE_MAX_DF)
            )
            probe = store.union(map(self.shard_of, asked))
        if (
            self.poor_keys
            and getattr(article, "embedding", None)
            and sum(1 for k in article.evidence if not k.startswith(UNROUTED)) < self.poor_keys
        ):
            probe = set(range(self.shards))
        return Route(tuple(sorted(probe)), tuple(sorted(store)))


def poor_keys(options: GroupingOptions) -> int:
    """The :attr:`Routing.poor_keys` that grouping ``options`` need: their
    ``alone_max_keys`` when the embedding alone may match (``alone_min_cosine``), else 0."""
    return options.alone_max_keys if options.alone_min_cosine else 0


class DocumentFrequency:
    """How many open events carry each evidence key, over all shards: the coordinator keeps
    each open event's keys and sends every count that changes to all shards."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.keys_of: dict[str, frozenset[str]] = {}

    def __call__(self, key: str) -> int:
        return self.counts.get(key, 0)

    def clear(self) -> None:
        self.counts.clear()
        self.keys_of.clear()

    def update(self, event_key: str, added: Iterable[str], merged: Sequence[str]) -> list[str]:
        """``event_key`` gained ``added`` and the events ``merged`` (which close): the keys
        whose count changed."""
        delta: Counter[str] = Counter()
        keys = set(self.keys_of.get(event_key, ()))
        delta.subtract(keys)
        for gone in merged:
            theirs = self.keys_of.pop(gone, frozenset())
            delta.subtract(theirs)
            keys.update(theirs)
        keys.update(added)
        delta.update(keys)
        self.keys_of[event_key] = frozenset(keys)
        return self._apply(delta)

    def close(self, event_key: str) -> list[str]:
        """``event_key`` closed: the keys whose count changed."""
        delta: Counter[str] = Counter()
        delta.subtract(self.keys_of.pop(event_key, frozenset()))
        return self._apply(delta)

    def _apply(self, delta: Counter[str]) -> list[str]:
        changed = []
        for key, change in delta.items():
            if change:
                count = self.counts.get(key, 0) + change
                if count:
                    self.counts[key] = count
                else:
                    del self.counts[key]
                changed.append(key)
        return changed


class MessageError(ValueError):
    """A shard-topic or bids-topic message this version cannot read."""


@dataclass(frozen=True, slots=True)
class Probe:
    """What a shard gets of an article: what scoring reads and, for a shard that will hold it
    (``member``), what its event lists of it."""

    id: str
    lang: str
    evidence: tuple[str, ...]
    shape: tuple[int, ...] | None
    event_time: float
    embedding: str | None = None
    title: str | None = None
    url: str | None = None
    source: str | None = None
    hash: str | None = None
    #: :func:`agents.grouping.paragraph_prints` of its text.
    paras: str | None = None
    #: Its words (:func:`agents.topic_words.topic_words`), as prepare carried them: every
    #: shard asked compares them with its members' (the words' test), and one that holds the
    #: article keeps them.
    words: str | None = None
    #: The words' weights over the whole stream's open members of its language, as the
    #: coordinator gave them (:meth:`agents.topic_words.ArticleWords.packed`; None: it has
    #: no words that weigh), and whether the words' test applies to it (the coordinator
    #: holds ``words_min_pool`` members of its language). ``words_test`` None: a probe of a
    #: coordinator that did not weigh (before 2026-12-07): the shard weighs by its own members.
    word_weights: str | None = None
    words_test: bool | None = None

    @classmethod
    def of(cls, article: Prepared) -> Probe:
        return cls(
            id=article.id,
            lang=article.lang,
            evidence=tuple(article.evidence),
            shape=shape_of(article.text, article.size),
            event_time=article.event_time,
            embedding=article.embedding,
            title=article.title,
            url=article.url,
            source=article.source,
            hash=article.content_hash,
            paras=article.paras or paragraph_prints(article.text),
            words=article.words,
        )

    def weighed(self, words: ArticleWords | None, test: bool) -> Probe:
        """The probe with its words' weights over the whole stream (the coordinator's)."""
        return replace(
            self, word_weights=words.packed() if words is not None else None, words_test=test
        )

    def given_words(self) -> ArticleWords | Unweighed | None:
        """Its words as the coordinator weighed them (None: none that weigh); UNWEIGHED when
        it did not (an older coordinator's probe)."""
        if self.words_test is None:
            return UNWEIGHED
        return given_words(self.words, self.lang, self.word_weights)

    def to_dict(self, member: bool = True) -> dict[str, Any]:
        """The probe as sent; ``member=False``: without title, url, source, hash and paras."""
        record: dict[str, Any] = {
            "id": self.id,
            "lang": self.lang,
            "evidence": list(self.evidence),
            "shape": list(self.shape) if self.shape is not None else None,
            "event_time": self.event_time,
            "embedding": self.embedding,
            "words": self.words,
        }
        if self.words_test is not None:
            record.update(word_weights=self.word_weights, words_test=self.words_test)
        if member:
            record.update(
                title=self.title, url=self.url, source=self.source, hash=self.hash, paras=self.paras
            )
        return record

    @classmethod
    def from_dict(cls, data: Any) -> Probe:
        """A probe as received; :class:`MessageError` if it is not one."""
        try:
            shape = data.get("shape")
            probe = cls(
                id=_text(data["id"]),
                lang=_text(data["lang"]),
                evidence=tuple(_text(k) for k in data["evidence"]),
                shape=tuple(int(x) for x in shape) if shape is not None else None,
                event_time=float(data["event_time"]),
                embedding=_optional(data.get("embedding")),
                title=_optional(data.get("title")),
                url=_optional(data.get("url")),
                source=_optional(data.get("source")),
                hash=_optional(data.get("hash")),
                paras=_optional(data.get("paras")),
                words=_optional(data.get("words")),
                word_weights=_optional(data.get("word_weights")),
                words_test=_flag(data.get("words_test")),
            )
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise MessageError(f"not a probe: {exc!r}") from None
        return probe

    def member(self) -> dict[str, Any]:
        """How the article is listed in its event (``Grouper.assign``'s ``member``)."""
        return {
            "id": self.id,
            "lang": self.lang,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "hash": self.hash,
            "paras": self.paras,
            "words": self.words,
        }


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a string")
    return value


def _optional(value: Any) -> str | None:
    return None if value is None else _text(value)


def _flag(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise TypeError(f"{value!r} is not a boolean")


@dataclass(frozen=True, slots=True)
class Matched:
    """A member of the best event that matched the probed article, as a bid reports it."""

    id: str
    lang: str
    score: float
    overlap: float


@dataclass(frozen=True, slots=True)
class Bid:
    """A shard's answer for one article: its best open event (None: none matches), the score,
    the best event's members that matched, and its other events scoring ``merge_min_score``.
    ``held``: the shard holds the article already (a replay): the key it was issued."""

    best: str | None
    score: float
    matched: tuple[Matched, ...] = ()
    others: tuple[str, ...] = ()
    held: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "best": self.best,
            "score": self.score,
            "matched": [[m.id, m.lang, m.score, m.overlap] for m in self.matched],
            "others": list(self.others),
            "held": self.held,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Bid:
        """A bid as received; :class:`MessageError` if it is not one."""
        try:
            bid = cls(
                best=_optional(data["best"]),
                score=float(data["score"]),
                matched=tuple(
                    Matched(_text(i), _text(lang), float(s), float(o))
                    for i, lang, s, o in data["matched"]
                ),
                others=tuple(_text(k) for k in data["others"]),
                held=_optional(data.get("held")),
            )
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise MessageError(f"not a bid: {exc!r}") from None
        return bid


#: What :meth:`Grouper._match` returns: the event, its score, its members' scores, the merges.
_Decision = tuple[str | None, float, list[_Scored], list[str]]


class ShardGrouper(Grouper):
    """A :class:`Grouper` over the members one shard holds (each event's members routed here,
    a part of the event), which bids on articles and applies the coordinator's decisions
    through the grouper's own code. ``key_counts``: the open events per key over all shards,
    read by the weights and the retrieval cut (None: this shard's own postings, as a grouper
    alone). Only a close notice closes an event; the window is judged by the event's times
    over all shards (:attr:`spans`, sent with the key counts after each round), never by a
    part's own (a part's times are inside the event's: judged by them, a late article passed
    over an event the coordinator would have let it join, for one that it could not).

    Words: the coordinator weighs each probe's words over all open members of its language
    and says whether the words' test applies (:meth:`Coordinator.weigh`); a shard compares
    those weights with its members' and stores them for a member it holds, so that S shards
    decide as one grouper does. Weighed by a shard's own members (a sample of the stream's),
    the test counted later the more shards there were, or, with a smaller pool, by the rarity
    among too few (docs/sharding.md). A probe without the coordinator's weights (an older
    coordinator's, ``words_test`` None) is still weighed here, once half of
    ``words_min_pool`` members of its language are (``shards``: how many share the stream).
    """

    def __init__(
        self,
        options: GroupingOptions,
        key_counts: Callable[[str], int] | None = None,
        store: MutableMapping[str, Any] | None = None,
        shards: int = 1,
    ) -> None:
        super().__init__(options, store)
        self.words_pool = math.ceil(options.words_min_pool / min(max(1, shards), 2))
        self.key_counts = key_counts
        self.probes = 0
        self.seconds = 0.0
        self._decided: _Decision | None = None
        self._touched: set[str] = set()
        #: Event key -> its first and last member's event time over all shards, as the
        #: coordinator last sent them (``counts_message``): what the window is judged by here.
        self.spans: dict[str, tuple[float, float]] = {}
        #: The probe's words as the coordinator weighed them, while it is bid on or applied.
        self._given: ArticleWords | Unweighed | None = UNWEIGHED
        self._given_test = False

    def _match(
        self,
        keys: set[str],
        event_time: float,
        shape: tuple[int, ...] | None,
        vector: np.ndarray | None = None,
        lead: tuple[str, int] | None = None,
        lang: str | None = None,
        words: str | None = None,
    ) -> _Decision:
        if self._decided is not None:  # applying the coordinator's decision
            return self._decided
        return super()._match(keys, event_time, shape, vector, lead, lang, words)

    def span(self, event_key: str, first: float, last: float) -> None:
        """An event's times over all shards (kept for the parts this shard holds)."""
        if event_key in self.events:
            self.spans[event_key] = (first, last)

    def _outside(self, state: OpenEvent, horizon: float, ahead: float) -> bool:
        # a part's own times are a part of the event's: judged by the event's, when known
        # (never skipped otherwise: the coordinator, which knows them, passes over it)
        span = self.spans.get(state.event_key)
        return span is not None and (span[1] < horizon or span[0] > ahead)

    def _weighed_words(self, words: str | None, lang: str | None) -> ArticleWords | None:
        given = self._given
        if isinstance(given, Unweighed):  # an older coordinator's probe: this shard's members
            return super()._weighed_words(words, lang)
        return given if self._given_test and self.options.words_min_cosine else None

    def _add_words(self, article_id: str, words: str, lang: str) -> None:
        self.words.add(article_id, words, lang, self._given)

    @contextmanager
    def weighing(self, probe: Probe) -> Iterator[None]:
        """Within it, the probe's words count as the coordinator weighed them (its
        ``word_weights`` and ``words_test``), not by this shard's members."""
        self._given, self._given_test = probe.given_words(), bool(probe.words_test)
        try:
            yield
        finally:
            self._given, self._given_test = UNWEIGHED, False

    def _keep(self, state: EventState) -> None:
        super()._keep(state)
        self._touched.add(state.event_key)

    def _drop(self, event_key: str) -> None:
        super()._drop(event_key)
        self.spans.pop(event_key, None)
        self._touched.add(event_key)

    def held(self, article_id: str) -> str | None:
        """The key issued to ``article_id`` if this shard holds it."""
        known = self._member_of.get(article_id)
        if known is None or known not in self.events:
            return None
        seen = next((m for m in self._full(known).members if m.id == article_id), None)
        return (seen.event_key if seen is not None else None) or known

    def bid(self, probe: Probe) -> Bid:
        """Input: a probe. Output: the best event among those this shard holds, as the grouper
        scores it, or "held" for an article this shard holds already."""
        began = time.process_time()
        self.probes += 1
        held = self.held(probe.id)
        if held is not None:
            self.seconds += time.process_time() - began
            return Bid(None, 0.0, held=held)
        with self.weighing(probe):
            best, score, scores, others = super()._match(
                set(probe.evidence),
                probe.event_time,
                probe.shape,
                member_vector(probe.embedding),
                article_lead(probe.lang, probe.paras),
                probe.lang,
                probe.words,
            )
        matched = tuple(Matched(s.member.id, s.member.lang, s.score, s.overlap) for s in scores)
        self.seconds += time.process_time() - began
        return Bid(best, score, matched, tuple(others))

    def apply(self, probe: Probe, event_key: str | None, merged: Sequence[str]) -> None:
        """The coordinator's decision: the article joins ``event_key`` (None: mints its own),
        which absorbs ``merged`` (those this shard holds a part of). A no-op for an article
        this shard holds already (a replayed apply)."""
        began = time.process_time()
        if self.held(probe.id) is None:
            if event_key is not None and event_key not in self.events:  # its first member here
                self._open(event_key, probe.event_time, probe.event_time)
            self._decided = (event_key, 0.0, [], [k for k in merged if k in self.events])
            try:
                with self.weighing(probe):
                    self.assign(
                        probe.member(),
                        list(probe.evidence),
                        probe.event_time,
                        probe.shape,
                        probe.embedding,
                    )
            finally:
                self._decided = None
        self.seconds += time.process_time() - began

    def absorb(self, into: str, gone: str) -> None:
        """A merge decided for an article routed elsewhere: this shard's part of ``gone``
        joins its part of ``into``."""
        if gone not in self.events:
            return
        if into not in self.events:
            merged = self.state(gone)
            self._open(into, merged.first_seen, merged.last_seen)
        held, state = self.events[into], self.state(into)
        self._absorb(state, held, [gone])
        del self.events[into]  # the latest changed last, as in Grouper.assign
        self.events[into] = held
        self._keep(state)

    def close(self, event_key: str) -> None:
        """The coordinator closed ``event_key``: this shard's part of it goes."""
        held = self.events.get(event_key)
        if held is None:
            return
        self._drop(event_key)
        self._unindex(held)
        for member in held.members:
            self.vectors.remove(member.row)
            self.words.remove(member.id)
        self.merged_into = {
            k: v for k, v in self.merged_into.items() if v != event_key and k != event_key
        }

    def _open(self, event_key: str, first_seen: float, last_seen: float) -> None:
        """This shard's part of an open event, empty until a member or a merge fills it."""
        self._index(OpenEvent(event_key, last_seen, [], (), first_seen=first_seen))
        self._keep(EventState(event_key, first_seen, last_seen))

    def changes(self) -> tuple[dict[str, EventState], list[str]]:
        """Output for the shard's table since the last call: the parts to write (key -> state)
        and the keys to delete; the grouper then counts them saved."""
        written = {k: self._full(k) for k in sorted(self._touched) if k in self.events}
        deleted = sorted(k for k in self._touched if k not in self.events)
        self._touched.clear()
        self.saved()
        return written, deleted

    @property
    def members(self) -> int:
        return self.open_articles


def apply_message(probe: Probe, event_key: str | None, key: str, merged: Sequence[str]) -> dict:
    """To a shard that holds the article: it joins ``event_key`` (None: mints ``key``),
    which absorbs ``merged``; the full probe, so that it needs nothing else."""
    return {
        "kind": "apply",
        "article": probe.to_dict(),
        "event_key": event_key,
        "key": key,
        "merged": list(merged),
    }


def merge_message(gone: str, into: str) -> dict[str, Any]:
    """To every shard that does not hold the article: ``gone`` was merged into ``into``."""
    return {"kind": "merge", "event_key": gone, "into": into}


def counts_message(
    counts: Mapping[str, int], spans: Mapping[str, tuple[float, float]] | None = None
) -> dict[str, Any]:
    """To every shard: the open events per key for the keys whose count changed (0: none), and
    the events whose times changed: key -> [first, last] member's event time over all shards
    (:func:`spans_of`), which a shard's parts do not know."""
    message: dict[str, Any] = {"kind": "counts", "counts": dict(counts)}
    if spans:
        message["spans"] = {k: [first, last] for k, (first, last) in spans.items()}
    return message


def spans_of(decisions: Iterable[Decision]) -> dict[str, tuple[float, float]]:
    """The events the decisions changed -> their first and last member's event time (the
    last decision on an event has its latest)."""
    return {
        d.assignment.state.event_key: (d.assignment.state.first_seen, d.assignment.state.last_seen)
        for d in decisions
        if not d.known
    }


def close_message(event_key: str) -> dict[str, Any]:
    """To every shard: ``event_key`` closed."""
    return {"kind": "close", "event_key": event_key}


def probe_message(round_id: str, seq: int, shard: int, probe: Probe, member: bool) -> dict:
    """Round ``round_id``'s article ``seq`` to ``shard``: bid on it."""
    return {
        "kind": "probe",
        "round": round_id,
        "seq": seq,
        "shard": shard,
        "article": probe.to_dict(member),
    }


def bid_message(round_id: str, seq: int, shard: int, article_id: str, bid: Bid) -> dict:
    """A shard's bid on round ``round_id``'s article ``seq``."""
    return {"round": round_id, "seq": seq, "shard": shard, "id": article_id, **bid.to_dict()}


class ShardState:
    """One shard: its grouper and its copy of the key counts. Input: the messages of its
    partition of the shard topic, in order (:meth:`handle`). Output: a bid message for a
    probe (None for the others), and the table changes (:meth:`ShardGrouper.changes`,
    :attr:`changed_counts`)."""

    def __init__(
        self,
        options: GroupingOptions,
        store: MutableMapping[str, Any] | None = None,
        shards: int = 1,
    ) -> None:
        self.counts: dict[str, int] = {}
        self.grouper = ShardGrouper(options, self.count, store, shards)
        #: Counts received since the last call of :meth:`take_counts` (0: deleted).
        self.changed_counts: dict[str, int] = {}

    def count(self, key: str) -> int:
        return self.counts.get(key, 0)

    def load(self, parts: Iterable[dict[str, Any]], counts: Iterable[tuple[str, int]]) -> None:
        """Rebuild from the shard's tables (after recovery)."""
        self.grouper.load(parts)
        self.counts = {k: int(n) for k, n in counts if n}

    def take_counts(self) -> dict[str, int]:
        out, self.changed_counts = self.changed_counts, {}
        return out

    def handle(self, message: Any) -> dict[str, Any] | None:
        """One message of the shard topic; :class:`MessageError` if it cannot be read."""
        if not isinstance(message, dict):
            raise MessageError("not an object")
        kind = message.get("kind")
        try:
            if kind == "probe":
                probe = Probe.from_dict(message["article"])
                bid = self.grouper.bid(probe)
                return bid_message(
                    _text(message["round"]),
                    int(message["seq"]),
                    int(message["shard"]),
                    probe.id,
                    bid,
                )
            if kind == "apply":
                event_key = _optional(message["event_key"])
                merged = [_text(k) for k in message["merged"]]
                self.grouper.apply(Probe.from_dict(message["article"]), event_key, merged)
            elif kind == "merge":
                self.grouper.absorb(_text(message["into"]), _text(message["event_key"]))
            elif kind == "counts":
                for key, count in message["counts"].items():
                    key, count = _text(key), int(count)
                    if count:
                        self.counts[key] = count
                    else:
                        self.counts.pop(key, None)
                    self.changed_counts[key] = count
                for key, (first, last) in (message.get("spans") or {}).items():
                    self.grouper.span(_text(key), float(first), float(last))
            elif kind == "close":
                self.grouper.close(_text(message["event_key"]))
            else:
                raise MessageError(f"unknown kind {kind!r}")
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, MessageError):
                raise
            raise MessageError(f"malformed {kind} message: {exc!r}") from None
        return None


@dataclass
class Round:
    """One round of the coordinator: its articles, their probes, the bids it waits for."""

    id: str
    articles: list[Prepared]
    probes: list[Probe]
    routes: list[Route]
    #: The articles the coordinator holds already (a replay): not probed.
    known: set[int] = field(default_factory=set)
    #: The articles whose words the coordinator's index took in as the round began.
    words_added: list[str] = field(default_factory=list)
    bids: dict[tuple[int, int], Bid] = field(default_factory=dict)

    @property
    def expected(self) -> set[tuple[int, int]]:
        """(article seq, shard) of every bid the round waits for."""
        return {
            (seq, shard)
            for seq, route in enumerate(self.routes)
            if seq not in self.known
            for shard in route.probe
        }

    def missing(self) -> set[tuple[int, int]]:
        return self.expected - self.bids.keys()

    def receive(self, message: Any) -> bool:
        """A bid message for this round (:func:`bid_message`): whether it was one it waited
        for (a repeated one is dropped). :class:`MessageError` if it cannot be read."""
        try:
            key = (int(message["seq"]), int(message["shard"]))
            if message["round"] != self.id or key not in self.expected or key in self.bids:
                return False
            if message["id"] != self.articles[key[0]].id:
                raise MessageError(f"bid for {message['id']!r} as article {key[0]} of the round")
            self.bids[key] = Bid.from_dict(message)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            if isinstance(exc, MessageError):
                raise
            raise MessageError(f"not a bid: {exc!r}") from None
        return True

    def probe_messages(self, seq: int | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
        """(shard, probe message) for every bid expected (of article ``seq`` only)."""
        for i, (probe, route) in enumerate(zip(self.probes, self.routes, strict=True)):
            if i in self.known or (seq is not None and i != seq):
                continue
            for shard in route.probe:
                yield shard, probe_message(self.id, i, shard, probe, shard in route.store)


@dataclass(frozen=True, slots=True)
class Decision:
    """One article decided: its assignment (as :meth:`Grouper.assign_article` returns it), the
    shards that hold it, the event it joined (None: minted), and the changed key counts."""

    article: Prepared
    probe: Probe
    assignment: Assignment
    store: tuple[int, ...]
    joined: str | None
    counts: dict[str, int]
    #: Whether the article was known already (a replay): nothing changed.
    known: bool = False

    @property
    def key(self) -> str:
        return self.assignment.event_key

    def shard_messages(self, shards: int) -> Iterator[tuple[int, dict[str, Any]]]:
        """(shard, message): the apply to each shard that holds the article, then a merge
        notice per merged event to every other shard."""
        merged = self.assignment.merged
        for s in self.store:
            yield s, apply_message(self.probe, self.joined, self.key, merged)
        for gone in merged:
            for s in range(shards):
                if s not in self.store:
                    yield s, merge_message(gone, self.key)


class Coordinator:
    """Routing, rounds and decisions over S shards, the key counts over all of them, and the
    open events' states without vectors (``store``: the coordinator's ``events`` table in the
    worker; None: a dict of its own). With an outside store, the caller writes each decision's
    state (and deletes the merged keys and closed events) and then calls :meth:`saved`."""

    def __init__(
        self,
        options: GroupingOptions,
        routing: Routing,
        store: MutableMapping[str, Any] | None = None,
        *,
        session: str = "r",
        cap_blocking: bool = True,
        buffer: bool = True,
    ) -> None:
        self.options = options
        self.routing = routing
        self._states = EventStates(store)
        self.session = session
        self.cap_blocking = cap_blocking
        #: Whether a round of more than one article is scored against its earlier articles.
        self.use_buffer = buffer
        self.df = DocumentFrequency()
        self.merged_into: dict[str, str] = {}
        self.member_of: dict[str, str] = {}
        self.last_seen: dict[str, float] = {}
        #: The open events' keys -> their first member's event time.
        self.first_seen: dict[str, float] = {}
        #: The open members' words (the words' test): each probe's words are weighed here, over
        #: the whole stream's members of its language, as one grouper weighs them.
        self.words = WordIndex()
        self.stream_time = 0.0
        self.rounds = 0
        #: Candidates the round buffers scored.
        self.candidates_scored = 0
        self._buffer: ShardGrouper | None = None

    @property
    def shards(self) -> int:
        return self.routing.shards

    # -- state ---------------------------------------------------------------------------------
    def load(self, states: Iterable[dict[str, Any] | EventState]) -> None:
        """Rebuild from the ``events`` table's values (after recovery)."""
        self.df.clear()
        self.merged_into.clear()
        self.member_of.clear()
        self.last_seen.clear()
        self.first_seen.clear()
        self.words.clear()
        self._states.clear()
        self.stream_time = 0.0
        with_words = bool(self.options.words_min_cosine)
        for raw in states:
            state = raw if isinstance(raw, EventState) else EventState.from_dict(raw)
            key = state.event_key
            self.df.update(key, state.evidence, ())
            for m in state.members:
                self.member_of[m.id] = key
                if with_words and m.words is not None:
                    self.words.add(m.id, m.words, m.lang)
            self.last_seen[key] = state.last_seen
            self.first_seen[key] = state.first_seen
            self.stream_time = max(self.stream_time, state.last_seen)
            self._states.loaded(key, state)

    @property
    def events(self) -> Mapping[str, float]:
        """The open events' keys -> their last member's event time."""
        return self.last_seen

    def state(self, event_key: str) -> EventState:
        return self._states.get(event_key)

    def saved(self) -> None:
        self._states.saved()

    def resolve(self, event_key: str) -> str:
        while event_key in self.merged_into:
            event_key = self.merged_into[event_key]
        return event_key

    # -- rounds --------------------------------------------------------------------------------
    def begin(self, articles: Sequence[Prepared]) -> Round:
        """Input: a round's articles, in order. Output: the round, whose probes go out
        (:meth:`Round.probe_messages`); routed with the key counts as the round begins."""
        self.rounds += 1
        df = self.df if self.cap_blocking else None
        routes = [self.routing.route(a, df) for a in articles]
        known = {seq for seq, a in enumerate(articles) if a.id in self.member_of}
        # every new article of the round becomes a member: its words count for the next ones
        # of the round as they would in one grouper (end() takes back those that did not)
        probes, added = [], []
        for seq, article in enumerate(articles):
            probe = self.weigh(Probe.of(article))
            if seq not in known and article.id not in added and self.add_words(probe):
                added.append(article.id)
            probes.append(probe)
        self._buffer = (
            ShardGrouper(self.options, self.df) if self.use_buffer and len(articles) > 1 else None
        )
        return Round(f"{self.session}-{self.rounds}", list(articles), probes, routes, known, added)

    def weigh(self, probe: Probe) -> Probe:
        """The probe with its words weighed over the open members of its language (the words'
        test as one grouper makes it: from ``words_min_pool`` of them)."""
        if not self.options.words_min_cosine or probe.words is None:
            return probe
        weighed = self.words.weigh(probe.words, probe.lang)
        return probe.weighed(weighed, self.words.size(probe.lang) >= self.options.words_min_pool)

    def add_words(self, probe: Probe) -> bool:
        """A new member's words into the index, with the weights its probe carried: whether
        it has words to add."""
        if probe.words is None or not self.options.words_min_cosine:
            return False
        self.words.add(probe.id, probe.words, probe.lang, probe.given_words())
        return True

    def decide(self, rnd: Round, seq: int) -> Decision:
        """Input: article ``seq`` of ``rnd``, with every bid on it in (decide them in order).
        Output: its decision; the state is updated (key counts, merges, events, buffer)."""
        article, probe, route = rnd.articles[seq], rnd.probes[seq], rnd.routes[seq]
        if article.id in self.member_of:
            return self._known(article, probe, route)
        offers = [rnd.bids[(seq, s)] for s in route.probe]
        held = next((b.held for b in offers if b.held is not None), None)
        if held is not None:  # a shard holds it already: the key it was issued, again
            return self._rejoin(article, probe, route, held)
        buffer = self._buffer
        if buffer is not None:  # the round's earlier articles, which no shard holds yet
            offers.append(buffer.bid(probe))
        window = self.options.window_seconds
        event_key, merged, matched = self._decide(
            offers, article.event_time - window, article.event_time + window
        )
        key = event_key or mint_key(article.id)
        changed = self.df.update(key, article.evidence, merged)
        for gone in merged:
            self.merged_into[gone] = key
        if buffer is not None:
            buffer.apply(probe, event_key, merged)
        assignment = self._assign(article, probe, event_key, key, merged, matched)
        counts = {k: self.df(k) for k in changed}
        return Decision(article, probe, assignment, route.store, event_key, counts)

    def end(self, rnd: Round) -> None:
        """The round is decided: the words of an article that did not become a member (its
        decision failed) leave the index."""
        for article_id in rnd.words_added:
            if article_id not in self.member_of:
                self.words.remove(article_id)
        if self._buffer is not None:
            self.candidates_scored += self._buffer.candidates_scored
        self._buffer = None

    def _known(self, article: Prepared, probe: Probe, route: Route) -> Decision:
        """An article the coordinator holds already (a replay, a repeated id): its key, no
        change; the apply goes out again (a no-op where it was received)."""
        key = self.member_of[article.id]
        state = self.state(key)
        seen = next(m for m in state.members if m.id == article.id)
        assignment = Assignment(
            seen.event_key or key,
            state,
            changed=False,
            score=0.0,
            translation_of=seen.translation_of,
            duplicate_of=seen.duplicate_of,
        )
        return Decision(article, probe, assignment, route.store, key, {}, known=True)

    def _rejoin(self, article: Prepared, probe: Probe, route: Route, held: str) -> Decision:
        """A shard holds the article, the coordinator does not (its state was not written
        before a crash): the article goes back into the event of the key it was issued."""
        event_key = self.resolve(held)
        joined = event_key if event_key in self.last_seen else None
        changed = self.df.update(held if joined is None else joined, article.evidence, ())
        assignment = self._assign(article, probe, joined, held, (), ())
        if self._buffer is not None:
            self._buffer.apply(probe, joined, ())
        counts = {k: self.df(k) for k in changed}
        return Decision(article, probe, assignment, route.store, joined, counts)

    def _decide(
        self, offers: Sequence[Bid], horizon: float, ahead: float
    ) -> tuple[str | None, list[str], tuple[Matched, ...]]:
        """The best event over the bids (ties: the smaller key, as one grouper breaks them),
        the others to merge into it, and the best event's members that matched. A key no
        longer open (closed while the bid was made), whose last member (over all shards) is
        older than ``horizon`` or whose first is later than ``ahead``, is passed over, as one
        grouper passes over it."""

        def within(key: str) -> bool:
            return (
                self.last_seen.get(key, -math.inf) >= horizon
                and self.first_seen.get(key, -math.inf) <= ahead
            )

        bar = self.options.merge_min_score
        best: str | None = None
        score = 0.0
        matched_members: tuple[Matched, ...] = ()
        matched: set[str] = set()
        for bid in offers:
            if bid.best is None:
                continue
            key = self.resolve(bid.best)
            if not within(key):
                continue
            if bid.score > score or (bid.score == score and best is not None and key < best):
                best, score, matched_members = key, bid.score, bid.matched
            if bar is not None:
                matched.update(k for k in map(self.resolve, bid.others) if within(k))
                if bid.score >= bar:
                    matched.add(key)
        matched.discard(best or "")
        return best, sorted(matched) if best is not None else [], matched_members

    def _assign(
        self,
        article: Prepared,
        probe: Probe,
        event_key: str | None,
        key: str,
        merged: Sequence[str],
        matched: Sequence[Matched],
    ) -> Assignment:
        """The event's new state, as :meth:`Grouper.assign` makes it (without the vector)."""
        t = article.event_time
        stored = Member.from_dict(
            {
                **probe.member(),
                "evidence": sorted(set(article.evidence)),
                "shape": list(probe.shape) if probe.shape else None,
            }
        )
        relations: dict[str, Any] = {"translation_of": None, "duplicate_of": None}
        if event_key is None:
            state = EventState(key, first_seen=t, last_seen=t)
        else:
            state = self.state(event_key)
            relations = _relations(state, stored, matched)
        for gone in merged:
            other = self.state(gone)
            state.members.extend(other.members)
            state.first_seen = min(state.first_seen, other.first_seen)
            state.last_seen = max(state.last_seen, other.last_seen)
            for k, count in other.evidence.items():
                state.evidence[k] = state.evidence.get(k, 0) + count
            for m in other.members:
                self.member_of[m.id] = state.event_key
            self._drop(gone)
        state.members.append(replace(stored, event_key=key, **relations))
        state.first_seen = min(state.first_seen, t)
        state.last_seen = max(state.last_seen, t)
        for k in article.evidence:
            state.evidence[k] = state.evidence.get(k, 0) + 1
        self.stream_time = max(self.stream_time, t)
        self.member_of[article.id] = state.event_key
        self.last_seen[state.event_key] = state.last_seen
        self.first_seen[state.event_key] = state.first_seen
        self._keep(state)
        return Assignment(
            key,
            state,
            changed=True,
            score=0.0,
            merged=tuple(merged),
            **relations,
        )

    def _keep(self, state: EventState) -> None:
        self._states.keep(state)

    def _drop(self, event_key: str) -> None:
        self._states.drop(event_key)
        self.last_seen.pop(event_key, None)
        self.first_seen.pop(event_key, None)

    # -- closing -------------------------------------------------------------------------------
    def evict(self) -> tuple[list[EventState], dict[str, int]]:
        """Close the events whose last member is older than the window (in stream time).
        Output: their final states, and the key counts that changed (a close notice for each
        goes to every shard, :func:`close_message`, with the counts)."""
        horizon = self.stream_time - self.options.window_seconds
        closed = [k for k, last in self.last_seen.items() if last < horizon]
        gone = set(closed)
        self.merged_into = {k: v for k, v in self.merged_into.items() if v not in gone}
        states, changed = [], set()
        for key in closed:
            state = self.state(key)
            states.append(state)
            changed.update(self.df.close(key))
            for m in state.members:
                if self.member_of.get(m.id) == key:
                    del self.member_of[m.id]
                self.words.remove(m.id)
            self._drop(key)
        return states, {k: self.df(k) for k in sorted(changed)}


def _relations(state: EventState, member: Member, matched: Sequence[Matched]) -> dict[str, Any]:
    """:meth:`Grouper._relations` over the event's full state and the winning bid's members."""
    held = OpenEvent(
        state.event_key,
        state.last_seen,
        [OpenMember(m.id, m.lang, m.hash, (), None) for m in state.members],
        (),
    )
    scores = [
        _Scored(m.score, m.overlap, OpenMember(m.id, m.lang, None, (), None)) for m in matched
    ]
    return Grouper._relations(held, member, scores, state.members)
