"""Stage "grouping", pure half: articles' evidence -> event keys, over a window of open events.

Input: :class:`~streams.records.Prepared` articles (``news.prepared``) with their
language-independent evidence (:mod:`agents.evidence`). Output: an event key per article and
the updated :class:`EventState` of its event, which the wiring stores in the ``events`` table
(RocksDB + changelog) and publishes (:mod:`agents.publish`).

How an article finds its event: candidate events are those sharing at least one evidence key
(an inverted index over the open events); each is scored by the weighted evidence it shares
with the article, rarer keys weighing more. The best candidate is joined when the shared weight
reaches ``min_shared`` and covers ``min_overlap`` of the article's (or, if smaller, the
event's) evidence; otherwise the article mints a new key. A key, once issued, never changes:
an article that was seen before keeps its event and is not counted twice.

The :class:`Grouper` is a cache of the table's open events, rebuilt from the table with
:meth:`Grouper.load` after every recovery; the table stays the source of truth.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import faust

from agents.publish import enriched_record, event_group, member_of
from streams import metrics, topics
from streams.app import Channels
from streams.records import Prepared, from_dict
from streams.settings import Settings
from streams.tables import ROCKSDB_OPTIONS
from streams.topics import TOPIC_MAX_MESSAGE_BYTES

# Weight of one shared key by kind (its prefix in Evidence.keys()).
_KIND_WEIGHT = {"n": 1.0, "p": 1.0, "#": 0.5}
# A key carried by more open events than this is too common to retrieve candidates by.
_MAX_POSTINGS = 200
# A same-language member this alike (overlap after shape) is the same story republished.
_DUPLICATE_OVERLAP = 0.9
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GroupingOptions:
    """The knobs of the grouping decision (from settings)."""

    window_seconds: float
    min_shared: float
    min_overlap: float
    #: How much a difference in shape (paragraphs, length) lowers a match: 0 ignores shape.
    shape_weight: float = 1.0

    @classmethod
    def from_settings(cls, settings: Settings) -> GroupingOptions:
        return cls(
            settings.event_window_hours * 3600.0,
            settings.event_min_shared,
            settings.event_min_overlap,
            settings.event_shape_weight,
        )


@dataclass(slots=True)
class EventState:
    """An open event as stored in the ``events`` table."""

    event_key: str
    first_seen: float
    last_seen: float
    members: list[dict[str, Any]] = field(default_factory=list)
    evidence: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_key": self.event_key,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "members": self.members,
            "evidence": self.evidence,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EventState:
        return cls(
            event_key=data["event_key"],
            first_seen=float(data["first_seen"]),
            last_seen=float(data["last_seen"]),
            members=list(data["members"]),
            evidence=dict(data["evidence"]),
        )

    @property
    def member_ids(self) -> Iterator[str]:
        return (m["id"] for m in self.members)


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


def _ratio(a: float, b: float) -> float:
    return min(a, b) / max(a, b) if max(a, b) > 0 else 1.0


def shape_of(text: str) -> tuple[int, int]:
    """An article's shape: (paragraphs, characters)."""
    return text.count("\n\n") + 1, len(text)


def mint_key(article_id: str) -> str:
    """A new event key, derived from the founding article's id (deterministic on replay)."""
    return (
        "ev-"
        + hashlib.blake2b(article_id.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    )


def _kind_weight(key: str) -> float:
    return _KIND_WEIGHT.get(key.split(":", 1)[0], 1.0)


class Grouper:
    """Open events, indexed by evidence key, with the join-or-mint decision."""

    def __init__(self, options: GroupingOptions) -> None:
        self.options = options
        self.events: dict[str, EventState] = {}
        self._postings: dict[str, set[str]] = defaultdict(set)
        self._member_of: dict[str, str] = {}
        self.stream_time = 0.0

    # -- state ---------------------------------------------------------------------------------
    def load(self, states: Iterable[dict[str, Any] | EventState]) -> None:
        """Rebuild the cache from the table's values (after recovery or a rebalance)."""
        self.events.clear()
        self._postings.clear()
        self._member_of.clear()
        self.stream_time = 0.0
        for raw in states:
            state = raw if isinstance(raw, EventState) else EventState.from_dict(raw)
            self._index(state)
            self.stream_time = max(self.stream_time, state.last_seen)

    def _index(self, state: EventState) -> None:
        self.events[state.event_key] = state
        for key in state.evidence:
            self._postings[key].add(state.event_key)
        for member in state.member_ids:
            self._member_of[member] = state.event_key

    def _unindex(self, state: EventState) -> None:
        self.events.pop(state.event_key, None)
        for key in state.evidence:
            posting = self._postings.get(key)
            if posting is not None:
                posting.discard(state.event_key)
                if not posting:
                    del self._postings[key]
        for member in state.member_ids:
            if self._member_of.get(member) == state.event_key:
                del self._member_of[member]

    def evict(self) -> list[str]:
        """Close events whose last member is older than the window; their keys are returned."""
        horizon = self.stream_time - self.options.window_seconds
        closed = [s for s in self.events.values() if s.last_seen < horizon]
        for state in closed:
            self._unindex(state)
        return [s.event_key for s in closed]

    # -- decision ------------------------------------------------------------------------------
    def _weight(self, key: str) -> float:
        """Kind weight, discounted for keys many open events share (an IDF over the window)."""
        df = len(self._postings.get(key, ()))
        return _kind_weight(key) / (1.0 + math.log1p(df / 4.0))

    def best_match(
        self, evidence: Iterable[str], event_time: float, shape: tuple[int, int] | None = None
    ) -> tuple[str | None, float]:
        """The open event this evidence belongs to, if any, and how well it matched."""
        event_key, score, _ = self._match(set(evidence), event_time, shape)
        return event_key, score

    def _match(
        self, keys: set[str], event_time: float, shape: tuple[int, int] | None
    ) -> tuple[str | None, float, list[tuple[float, dict[str, Any]]]]:
        """The best open event, its score, and the scores of its members that passed.

        An event is judged by its closest member, not by the union of its members' evidence:
        a large event must not become a magnet for every article on the same subject.
        """
        if not keys:
            return None, 0.0, []
        horizon = event_time - self.options.window_seconds
        weights = {k: self._weight(k) for k in keys}
        shared: dict[str, float] = defaultdict(float)
        for key in keys:
            posting = self._postings.get(key)
            if not posting or len(posting) > _MAX_POSTINGS:
                continue
            for event_key in posting:
                shared[event_key] += weights[key]
        article_weight = sum(weights.values())
        best: tuple[str | None, float, list[tuple[float, dict[str, Any]]]] = (None, 0.0, [])
        for event_key, weight in shared.items():
            state = self.events[event_key]
            if state.last_seen < horizon or weight < self.options.min_shared:
                continue
            scores = self._member_scores(state, keys, weights, article_weight, shape)
            overlap = max((score for score, _ in scores), default=0.0)
            if overlap > best[1]:
                best = (event_key, overlap, scores)
        return best

    def _member_scores(
        self,
        state: EventState,
        keys: set[str],
        weights: dict[str, float],
        article_weight: float,
        shape: tuple[int, int] | None,
    ) -> list[tuple[float, dict[str, Any]]]:
        """(overlap, member) for each member that shares enough evidence with the article."""
        scores = []
        for member in state.members:
            member_keys = member.get("evidence") or state.evidence
            common = keys.intersection(member_keys)
            shared = sum(weights[k] for k in common)
            if shared < self.options.min_shared:
                continue
            member_weight = sum(
                weights[k] if k in weights else self._weight(k) for k in member_keys
            )
            overlap = shared / max(min(article_weight, member_weight), 1e-9)
            overlap *= self._shape_factor(shape, member.get("shape"))
            if overlap >= self.options.min_overlap:
                scores.append((overlap, member))
        return scores

    @staticmethod
    def _relations(
        state: EventState, member: dict[str, Any], scores: list[tuple[float, dict[str, Any]]]
    ) -> dict[str, Any]:
        """Within its event, what the article is to the members already there: the closest
        member in another language (``translation_of``, with its score) and a same-language
        member it repeats (``duplicate_of``: the same clean text, or near-identical evidence and
        shape, as when a wire story is republished). ``scores``: the members that matched."""
        other = [(score, m) for score, m in scores if m["lang"] != member["lang"]]
        same_text = [
            m for m in state.members if member.get("hash") and m.get("hash") == member["hash"]
        ]
        near = [
            m for score, m in scores if m["lang"] == member["lang"] and score >= _DUPLICATE_OVERLAP
        ]
        translation = max(other, key=lambda pair: pair[0], default=None)
        repeats = same_text or near
        duplicate = repeats[0] if repeats else None
        return {
            "translation_of": {"id": translation[1]["id"], "score": round(translation[0], 3)}
            if translation
            else None,
            "duplicate_of": duplicate["id"] if duplicate else None,
        }

    def _shape_factor(
        self, a: list[int] | tuple[int, int] | None, b: list[int] | tuple[int, int] | None
    ) -> float:
        """1 for articles of the same shape (paragraph count, length); lower the more they
        differ. Translations keep their original's paragraphs and roughly its length."""
        if not a or not b or not self.options.shape_weight:
            return 1.0
        similarity = min(_ratio(a[0], b[0]), _ratio(a[1], b[1]))
        return 1.0 - self.options.shape_weight * (1.0 - similarity)

    def assign_article(self, article: Prepared) -> Assignment:
        """Put a prepared article into an event (what the agent and ``process`` call)."""
        member = {**member_of(article), "hash": article.content_hash}
        return self.assign(member, article.evidence, article.event_time, shape_of(article.text))

    def assign(
        self,
        member: dict[str, Any],
        evidence: list[str],
        event_time: float,
        shape: tuple[int, int] | None = None,
    ) -> Assignment:
        """Put one article (``member``: id, lang, title, url, source) into an event."""
        article_id = member["id"]
        known = self._member_of.get(article_id)
        if known is not None and known in self.events:
            state = self.events[known]
            seen = next(m for m in state.members if m["id"] == article_id)
            return Assignment(
                known,
                state,
                changed=False,
                score=0.0,
                translation_of=seen.get("translation_of"),
                duplicate_of=seen.get("duplicate_of"),
            )
        self.stream_time = max(self.stream_time, event_time)
        event_key, score, scores = self._match(set(evidence), event_time, shape)
        relations: dict[str, Any] = {"translation_of": None, "duplicate_of": None}
        if event_key is None:
            state = EventState(mint_key(article_id), first_seen=event_time, last_seen=event_time)
        else:
            state = self.events[event_key]
            relations = self._relations(state, member, scores)
            self._unindex(state)
        state.members.append(
            {
                **member,
                **relations,
                "evidence": sorted(set(evidence)),
                "shape": list(shape) if shape else None,
            }
        )
        state.first_seen = min(state.first_seen, event_time)
        state.last_seen = max(state.last_seen, event_time)
        for key in evidence:
            state.evidence[key] = state.evidence.get(key, 0) + 1
        self._index(state)
        return Assignment(state.event_key, state, changed=True, score=score, **relations)


# -- Faust wiring: news.prepared -> news.enriched + news.events --------------------------------
# Evict closed events every this many articles (table writes need an event in flight).
_EVICT_EVERY = 100


def wire(app: faust.App, channels: Channels, options: GroupingOptions) -> faust.types.AgentT:
    """Register the grouping agent and its ``events`` table (RocksDB + changelog)."""
    table = app.Table(
        topics.EVENTS_TABLE,
        default=None,
        partitions=1,
        options=ROCKSDB_OPTIONS,
        extra_topic_configs={"max.message.bytes": str(TOPIC_MAX_MESSAGE_BYTES)},
    )
    grouper = Grouper(options)

    @table.on_recover
    async def reload() -> None:
        grouper.load(value for value in table.values() if value)
        log.info("grouping: %d open events restored from the table", len(grouper.events))

    @app.agent(channels.prepared, name="newsstream.grouping")
    async def group(stream: faust.StreamT[dict[str, Any]]) -> None:
        seen = 0
        async for value in stream:
            started = time.perf_counter()
            article = from_dict(Prepared, value)
            result = grouper.assign_article(article)
            # Written and published even when the article is a replay (``changed`` false): after
            # a crash the local RocksDB may hold a write whose changelog record and events record
            # never reached the broker; re-emitting the same state makes the replay whole.
            table[result.event_key] = result.state.to_dict()
            record = enriched_record(article, result, time.time())
            await channels.enriched.send(key=article.id.encode(), value=asdict(record))
            await channels.events.send(
                key=result.event_key.encode(), value=asdict(event_group(result.state))
            )
            seen += 1
            if seen % _EVICT_EVERY == 0:
                for key in grouper.evict():
                    del table[key]
            metrics.OPEN_EVENTS.set(len(grouper.events))
            metrics.ARTICLES.labels("grouping", "ok").inc()
            metrics.STAGE_SECONDS.labels("grouping").observe(time.perf_counter() - started)

    return group
