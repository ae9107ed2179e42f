"""Stage "grouping", sharded (docs/sharding.md), Faust wiring: ``news.prepared`` ->
``news.enriched`` + ``news.events`` through a coordinator and S shards.

Opt-in: ``NEWSSTREAM_GROUPING_SHARDS`` = S >= 2 wires this instead of
:mod:`agents.grouping_agent`. Three agents, over the pure half :mod:`agents.grouping_shard`:

* the **coordinator** (``news.prepared``, one partition) takes rounds of up to ``batch``
  articles, sends each article's probes to partition s of the shard topic, waits for every bid
  of the round, decides the articles in order, sends the applies, merge notices and changed
  key counts to the shards, then publishes each article on ``news.enriched`` and each event the
  round touched on ``news.events``, exactly as the grouping agent does. Its tables: the open
  events without vectors, the key counts and ``closed_events`` (RocksDB + changelog). It
  closes events (window passed: a close notice to every shard) and sends their tombstones.
* the **bids** agent (the bids topic, one partition: co-partitioned with ``news.prepared``, so
  in the coordinator's process) hands each bid to the round waiting for it; a bid of another
  round (before a restart, a resent probe) is dropped.
* the **shard** agent (one task per partition of the shard topic) keeps its part of the open
  events (``shard_members``) and its copy of the key counts (``shard_key_counts``), both
  RocksDB + changelog, rebuilding its grouper from them after recovery; it answers probes on
  the bids topic.

A record that cannot be read goes to ``news.deadletter`` with its reason; every agent goes
on. At-least-once: a replayed round gets the keys it got before (the coordinator's state, or
the shards' "held" answers); a round waits for its bids as long as a shard is away, resending
the missing probes every ``bid_timeout`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import faust
import orjson
from faust.types import EventT
from faust.types.enums import ProcessingGuarantee

from agents.grouping import ClosedEvents
from agents.grouping_agent import (
    ARTICLES_OK,
    EVICT_EVERY,
    GROUPING_SECONDS,
    publish_enriched,
    publish_events,
    send_tombstones,
)
from agents.grouping_shard import (
    Coordinator,
    Decision,
    MessageError,
    Round,
    Routing,
    ShardState,
    close_message,
    counts_message,
    poor_keys,
    spans_of,
)
from agents.pipeline import Pipeline, internal_error
from agents.publish import (
    PublishOptions,
    closing_keys,
    event_group,
)
from agents.wiring import headers_of, reject
from streams import metrics, topics
from streams.app import Channels, handling
from streams.records import Prepared, RecordError, Rejected, from_json
from streams.tables import ROCKSDB_OPTIONS, ChangelogReceipts
from streams.topics import TOPIC_MAX_MESSAGE_BYTES

log = logging.getLogger(__name__)

_LARGE = {"max.message.bytes": str(TOPIC_MAX_MESSAGE_BYTES)}
_ROUND_SECONDS = metrics.GROUPING_ROUND_SECONDS
_PROBES_RESENT = metrics.GROUPING_PROBES_RESENT
_BIDS_USED = metrics.GROUPING_BIDS.labels("used")
_BIDS_STALE = metrics.GROUPING_BIDS.labels("stale")
_BIDS_REPEATED = metrics.GROUPING_BIDS.labels("repeated")


@dataclass
class _Waiting:
    """A round waiting for its bids."""

    round: Round
    done: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Sharding:
    """What the three agents share in one process."""

    coordinator: Coordinator
    shard_topic: Any
    bids_topic: Any
    shards: int
    #: Round id -> the round waiting for its bids (the coordinator's, at most one).
    waiting: dict[str, _Waiting] = field(default_factory=dict)
    #: Partition -> its shard (those of this process's partitions seen so far).
    states: dict[int, ShardState] = field(default_factory=dict)
    #: Bids dropped because their round was over (or of another coordinator's run).
    stale_bids: int = 0

    async def to_shard(self, shard: int, key: str, message: dict[str, Any]) -> None:
        await self.shard_topic.send(key=key.encode(), value=orjson.dumps(message), partition=shard)

    async def to_all(self, key: str, message: dict[str, Any]) -> None:
        for shard in range(self.shards):
            await self.to_shard(shard, key, message)


def wire(
    app: faust.App,
    channels: Channels,
    pipeline: Pipeline,
    shards: int,
    batch: int = 64,
    batch_seconds: float = 0.005,
    publishing: PublishOptions | None = None,
    bid_timeout: float = 10.0,
) -> tuple[faust.types.AgentT, faust.types.AgentT, faust.types.AgentT]:
    """Register the coordinator, bids and shard agents and their tables (RocksDB +
    changelog) for ``shards`` shards; rounds of up to ``batch`` articles (waiting at most
    ``batch_seconds`` for a round to fill)."""
    if shards < 2:
        raise ValueError(f"sharded grouping needs 2 shards or more, not {shards}")
    if app.conf.processing_guarantee != ProcessingGuarantee.AT_LEAST_ONCE:  # streams.settings
        raise ValueError("sharded grouping runs at-least-once only")
    publishing = publishing or PublishOptions()
    app_id = app.conf.id
    # A round in flight holds its news.prepared records unacked until its bids are in: a
    # rebalance (or a stop) must not wait for them, as the shards it waits for are paused
    # then; the records are not committed, so they are read again (a replayed round).
    app.conf.stream_wait_empty = False

    def internal(name: str, partitions: int) -> Any:
        return app.topic(name, key_serializer="raw", value_serializer="raw", partitions=partitions)

    events_table = app.Table(
        topics.SHARDED_EVENTS_TABLE,
        default=None,
        partitions=1,
        options=ROCKSDB_OPTIONS,
        extra_topic_configs=_LARGE,
    )
    counts_table = app.Table(
        topics.KEY_COUNTS_TABLE, default=None, partitions=1, options=ROCKSDB_OPTIONS
    )
    closed_table = app.Table(
        topics.CLOSED_TABLE, default=None, partitions=1, options=ROCKSDB_OPTIONS
    )
    members_table = app.Table(
        topics.SHARD_MEMBERS_TABLE,
        default=None,
        partitions=shards,
        options=ROCKSDB_OPTIONS,
        extra_topic_configs=_LARGE,
    )
    shard_counts_table = app.Table(
        topics.SHARD_COUNTS_TABLE, default=None, partitions=shards, options=ROCKSDB_OPTIONS
    )
    sharding = Sharding(
        Coordinator(
            pipeline.grouping,
            Routing(shards, poor_keys=poor_keys(pipeline.grouping)),
            store=events_table,
            session=uuid.uuid4().hex[:12],
        ),
        internal(topics.shard_topic(app_id), shards),
        internal(topics.bids_topic(app_id), 1),
        shards,
    )
    closed = ClosedEvents(publishing.tombstone_seconds)
    # each agent's table writes in the changelog before its events are acknowledged
    coordinator_receipts = ChangelogReceipts(events_table, counts_table, closed_table)
    shard_receipts = ChangelogReceipts(members_table, shard_counts_table)

    @events_table.on_recover
    async def reload_events() -> None:
        started = time.perf_counter()
        coordinator = sharding.coordinator
        coordinator.load(value for value in events_table.values() if value)
        stored = {_text(k): int(v) for k, v in counts_table.items() if v}
        if stored != coordinator.df.counts:  # the events are the truth (written together)
            log.warning(
                "grouping coordinator: %d stored key counts differ from the open events'; "
                "the open events' are used",
                sum(stored.get(k) != n for k, n in coordinator.df.counts.items()),
            )
        metrics.RECOVERY_SECONDS.set(time.perf_counter() - started)
        metrics.OPEN_EVENTS.set(len(coordinator.last_seen))
        metrics.OPEN_ARTICLES.set(len(coordinator.member_of))
        log.info(
            "grouping coordinator: %d open events (%d articles) restored in %.1f s",
            len(coordinator.last_seen),
            len(coordinator.member_of),
            time.perf_counter() - started,
        )

    @closed_table.on_recover
    async def reload_closed() -> None:
        closed.load((_text(k), v) for k, v in closed_table.items())

    @members_table.on_recover
    async def reload_shards() -> None:
        parts: dict[int, list[dict[str, Any]]] = {}
        counts: dict[int, list[tuple[str, int]]] = {}
        for key, value in members_table.items():
            if value:
                shard, _, _ = _text(key).partition("/")
                parts.setdefault(int(shard), []).append(value)
        for key, value in shard_counts_table.items():
            if value:
                shard, _, name = _text(key).partition("/")
                counts.setdefault(int(shard), []).append((name, int(value)))
        sharding.states.clear()
        for number in sorted(set(parts) | set(counts)):
            state = _shard_state(sharding, pipeline, members_table, number)
            state.load(parts.get(number, []), counts.get(number, []))
            log.info(
                "grouping shard %d: %d parts of open events (%d articles) restored",
                number,
                len(state.grouper.events),
                state.grouper.open_articles,
            )

    @app.agent(channels.prepared, name="newsstream.grouping-coordinator")
    async def coordinate(stream: faust.StreamT[bytes]) -> None:
        batches = cast(faust.Stream[bytes], stream).take_events(
            max(1, batch), max(batch_seconds, 0.001)
        )
        seen = 0
        async for events in batches:
            await _round(
                events, sharding, events_table, counts_table, channels, publishing, bid_timeout
            )
            before, seen = seen, seen + len(events)
            if seen // EVICT_EVERY > before // EVICT_EVERY:
                with handling(events[-1]):
                    await _close_events(
                        sharding, closed, events_table, counts_table, closed_table, channels,
                        publishing,
                    )  # fmt: skip
            await coordinator_receipts.delivered()
            metrics.OPEN_EVENTS.set(len(sharding.coordinator.last_seen))
            metrics.OPEN_ARTICLES.set(len(sharding.coordinator.member_of))

    @app.agent(sharding.bids_topic, name="newsstream.grouping-bids")
    async def collect_bids(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            await _bid(event, sharding, channels)

    @app.agent(sharding.shard_topic, name="newsstream.grouping-shard")
    async def shard(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            await _shard_message(
                event, sharding, pipeline, members_table, shard_counts_table, channels
            )
            await shard_receipts.delivered()

    return coordinate, collect_bids, shard


class _Prefixed:
    """A shard's view of a table shared by the shards: its keys are ``<shard>/<key>``."""

    def __init__(self, table: Any, shard: int) -> None:
        self.table = table
        self.prefix = f"{shard}/"

    def __getitem__(self, key: str) -> Any:
        value = self.table[self.prefix + key]
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        self.table[self.prefix + key] = value

    def __delitem__(self, key: str) -> None:
        del self.table[self.prefix + key]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (self.prefix + key) in self.table

    def __iter__(self) -> Any:
        raise NotImplementedError("a shard's part is not listed through its table view")

    def __len__(self) -> int:
        raise NotImplementedError("a shard's part is not counted through its table view")


def _shard_state(sharding: Sharding, pipeline: Pipeline, table: Any, shard: int) -> ShardState:
    state = sharding.states.get(shard)
    if state is None:
        state = sharding.states[shard] = ShardState(
            pipeline.grouping, cast(Any, _Prefixed(table, shard)), sharding.shards
        )
    return state


def _text(key: Any) -> str:
    return key.decode() if isinstance(key, bytes) else str(key)


async def _dead_letter(channels: Channels, event: EventT, rejected: Rejected) -> None:
    with handling(event):
        await reject(channels, event, rejected, time.time(), log)


async def _round(
    events: Sequence[EventT],
    sharding: Sharding,
    events_table: Any,
    counts_table: Any,
    channels: Channels,
    publishing: PublishOptions,
    bid_timeout: float,
) -> None:
    """One round. Input: a batch of ``news.prepared`` events. Output: the probes, the
    decisions' messages to the shards, then the enriched records, the events' records and the
    table writes (a record that cannot be read, or whose decision fails, is a dead letter)."""
    coordinator = sharding.coordinator
    articles: list[Prepared] = []
    sources: list[EventT] = []
    for event in events:
        try:
            articles.append(from_json(Prepared, event.message.value))
            sources.append(event)
        except RecordError as exc:
            metrics.ARTICLES.labels("grouping", "dead_letter").inc()
            await _dead_letter(
                channels,
                event,
                Rejected("grouping", f"malformed news.prepared record: {exc}", "RecordError"),
            )
    if not articles:
        return
    started = time.perf_counter()
    with handling(sources[-1]):  # the coordinator's table is read by the current event
        rnd = coordinator.begin(articles)
    await _collect(rnd, sharding, bid_timeout)
    decisions: list[tuple[Decision, EventT]] = []
    for seq, event in enumerate(sources):
        with handling(event):
            try:
                decisions.append((coordinator.decide(rnd, seq), event))
            except Exception as exc:
                log.exception("grouping failed for article %r", articles[seq].id)
                metrics.ARTICLES.labels("grouping", "dead_letter").inc()
                await _dead_letter(channels, event, internal_error("grouping", exc))
    coordinator.end(rnd)
    counts: dict[str, int] = {}
    for decision, _ in decisions:  # the shards first: the next round's bids need them
        counts.update(decision.counts)
        for shard, message in decision.shard_messages(sharding.shards):
            await sharding.to_shard(shard, decision.article.id, message)
    spans = spans_of(d for d, _ in decisions)
    if counts or spans:  # with the events' times over all shards, which the parts lack
        await sharding.to_all("counts", counts_message(counts, spans))
    seconds = (time.perf_counter() - started) / len(decisions) if decisions else 0.0
    await _publish(decisions, coordinator, events_table, counts_table, counts, channels, publishing)
    for _ in decisions:
        ARTICLES_OK.inc()
        GROUPING_SECONDS.observe(seconds)


async def _collect(rnd: Round, sharding: Sharding, bid_timeout: float) -> None:
    """Send the round's probes and wait until every bid is in, sending the missing probes
    again every ``bid_timeout`` seconds (a shard that is away stalls the round)."""
    if not rnd.expected:
        return
    waiting = sharding.waiting[rnd.id] = _Waiting(rnd)
    started = time.perf_counter()
    try:
        for shard, message in rnd.probe_messages():
            await sharding.to_shard(shard, rnd.articles[message["seq"]].id, message)
        while rnd.missing():
            try:
                await asyncio.wait_for(waiting.done.wait(), bid_timeout)
            except TimeoutError:
                missing = rnd.missing()
                log.warning(
                    "grouping round %s: %d bids missing after %.0f s (shards %s); "
                    "sending their probes again",
                    rnd.id,
                    len(missing),
                    bid_timeout,
                    sorted({shard for _, shard in missing}),
                )
                for seq in sorted({seq for seq, _ in missing}):
                    for shard, message in rnd.probe_messages(seq):
                        if (seq, shard) in missing:
                            _PROBES_RESENT.inc()
                            await sharding.to_shard(shard, rnd.articles[seq].id, message)
        _ROUND_SECONDS.observe(time.perf_counter() - started)
    finally:
        sharding.waiting.pop(rnd.id, None)


async def _publish(
    decisions: Sequence[tuple[Decision, EventT]],
    coordinator: Coordinator,
    events_table: Any,
    counts_table: Any,
    counts: dict[str, int],
    channels: Channels,
    publishing: PublishOptions,
) -> None:
    """Each decided article on ``news.enriched``; each event the round touched into the
    table and onto ``news.events`` once (merged ones: their ``merged_into`` record), as the
    grouping agent publishes them; the changed key counts into their table."""
    touched: dict[str, tuple[Any, EventT]] = {}
    merged: dict[str, tuple[str, EventT]] = {}
    for decision, event in decisions:
        result = decision.assignment
        with handling(event):
            await publish_enriched(channels, event, decision.article, result)
        key = result.state.event_key
        touched.pop(key, None)
        touched[key] = (result.state, event)
        for gone in result.merged:
            touched.pop(gone, None)
            merged[gone] = (key, event)
    await publish_events(channels, events_table, touched, merged, publishing.max_members)
    if decisions:
        with handling(decisions[-1][1]):
            _write_counts(counts_table, counts)
    coordinator.saved()


def _write_counts(table: Any, counts: dict[str, int]) -> None:
    for key, count in counts.items():
        if count:
            table[key] = count
        elif key in table:
            del table[key]


async def _close_events(
    sharding: Sharding,
    closed: ClosedEvents,
    events_table: Any,
    counts_table: Any,
    closed_table: Any,
    channels: Channels,
    publishing: PublishOptions,
) -> None:
    """Close the events past the window (the coordinator's stream time): each one's last
    record (``closed: true``) on ``news.events``, a close notice to every shard, its keys into
    ``closed_events``; then the tombstones that are due (see
    :func:`agents.grouping_agent._close_events`). Runs with an event in flight."""
    coordinator = sharding.coordinator
    window = coordinator.options.window_seconds
    states, counts = coordinator.evict()
    for state in states:
        key = state.event_key
        if key in events_table:
            del events_table[key]
        await sharding.to_all(key, close_message(key))
        record = event_group(state, publishing.max_members, closed=True)
        await channels.events.send(
            key=key.encode(), value=record, headers=headers_of(topics.EVENTS)
        )
        for waiting, value in closed.close(closing_keys(state), state.last_seen + window).items():
            closed_table[waiting] = value
    if counts:
        await sharding.to_all("counts", counts_message(counts))
        _write_counts(counts_table, counts)
    coordinator.saved()
    await send_tombstones(
        channels, closed, closed_table, coordinator.stream_time, coordinator.last_seen
    )


async def _bid(event: EventT, sharding: Sharding, channels: Channels) -> None:
    """One record of the bids topic to the round waiting for it (a stale one is dropped)."""
    try:
        message = orjson.loads(event.message.value or b"")
        if not isinstance(message, dict):
            raise MessageError("not an object")
        waiting = sharding.waiting.get(message.get("round"))  # type: ignore[arg-type]
        if waiting is None:
            sharding.stale_bids += 1
            _BIDS_STALE.inc()
            return
        if not waiting.round.receive(message):
            _BIDS_REPEATED.inc()
            return
        _BIDS_USED.inc()
        if not waiting.round.missing():
            waiting.done.set()
    except (orjson.JSONDecodeError, MessageError) as exc:
        await _dead_letter(
            channels, event, Rejected("grouping", f"malformed bid: {exc}", type(exc).__name__)
        )


async def _shard_message(
    event: EventT,
    sharding: Sharding,
    pipeline: Pipeline,
    members_table: Any,
    counts_table: Any,
    channels: Channels,
) -> None:
    """One record of the shard topic into its shard; its table changes written, its bid
    sent. A record that cannot be read is a dead letter."""
    shard = event.message.partition
    state = _shard_state(sharding, pipeline, members_table, shard)
    try:
        reply = state.handle(orjson.loads(event.message.value or b""))
    except (orjson.JSONDecodeError, MessageError) as exc:
        await _dead_letter(
            channels,
            event,
            Rejected("grouping", f"malformed shard message: {exc}", type(exc).__name__),
        )
        reply = None
    except Exception as exc:
        log.exception("grouping shard %d failed on a message", shard)
        await _dead_letter(channels, event, internal_error("grouping", exc))
        reply = None
    written, deleted = state.grouper.changes()
    prefix = f"{shard}/"
    for key, part in written.items():
        members_table[prefix + key] = part.to_dict()
    for key in deleted:
        if prefix + key in members_table:
            del members_table[prefix + key]
    for key, count in state.take_counts().items():
        if count:
            counts_table[prefix + key] = count
        elif prefix + key in counts_table:
            del counts_table[prefix + key]
    if reply is not None:
        await sharding.bids_topic.send(key=event.message.key, value=orjson.dumps(reply))
