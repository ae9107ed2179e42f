"""Stage "grouping", Faust wiring: ``news.prepared`` -> ``news.enriched`` + ``news.events``.

The agent decodes each record and puts it into its event with
:meth:`agents.pipeline.Pipeline.group_record` and :class:`agents.grouping.Grouper` (the pure
half; a malformed record is a dead letter) and keeps the open events in the ``events`` table
(RocksDB + changelog). Every so many articles it closes the events whose window has passed:
each one's last record (``closed: true``) goes to ``news.events`` and its key (with those
merged into it) to the ``closed_events`` table, until its tombstone is due
(:class:`agents.grouping.ClosedEvents`). Every record it sends carries the content type and
schema headers of its topic (:func:`streams.schemas.headers`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Container, Iterator, Mapping, Sequence
from typing import Any, cast

import faust
import orjson
from faust.types import EventT

from agents.grouping import Assignment, ClosedEvents, EventState, Grouper
from agents.pipeline import Pipeline
from agents.publish import (
    PublishOptions,
    closing_keys,
    enriched_record,
    event_group,
    merged_record,
)
from agents.wiring import headers_of, reject
from streams import metrics, topics
from streams.app import Channels, handling
from streams.memory import TRIM_EVERY, passed_multiple, release_free_memory
from streams.records import Prepared, Rejected
from streams.tables import ROCKSDB_OPTIONS, ChangelogReceipts
from streams.topics import TOPIC_MAX_MESSAGE_BYTES

log = logging.getLogger(__name__)

# Evict closed events every this many articles (table writes need an event in flight).
EVICT_EVERY = 100
# The agent's metrics, bound to their labels once.
ARTICLES_OK = metrics.ARTICLES.labels("grouping", "ok")
GROUPING_SECONDS = metrics.STAGE_SECONDS.labels("grouping")


def wire(
    app: faust.App,
    channels: Channels,
    pipeline: Pipeline,
    batch: int = 64,
    batch_seconds: float = 0.005,
    publishing: PublishOptions | None = None,
) -> faust.types.AgentT:
    """Register the grouping agent and its ``events`` and ``closed_events`` tables (RocksDB +
    changelog).

    The agent takes up to ``batch`` prepared articles at a time (waiting at most
    ``batch_seconds``): each gets its enriched record at once, and each event the batch
    touched is written to the table and published on ``news.events`` once, in its state after
    the batch (a backlog of translations of one story costs one write, not one per article).
    ``publishing``: members per event record and the tombstone delay (default: the defaults).
    """
    publishing = publishing or PublishOptions()
    table = app.Table(
        topics.EVENTS_TABLE,
        default=None,
        partitions=1,
        options=ROCKSDB_OPTIONS,
        extra_topic_configs={"max.message.bytes": str(TOPIC_MAX_MESSAGE_BYTES)},
    )
    closed_table = app.Table(
        topics.CLOSED_TABLE, default=None, partitions=1, options=ROCKSDB_OPTIONS
    )
    grouper = pipeline.new_grouper(store=table)  # the events' full states stay in the table
    closed = ClosedEvents(publishing.tombstone_seconds)
    receipts = ChangelogReceipts(table, closed_table)

    @table.on_recover
    async def reload() -> None:
        started = time.perf_counter()
        grouper.load(stored_values(table))
        release_free_memory()  # the parsed values are gone
        seconds = time.perf_counter() - started
        metrics.RECOVERY_SECONDS.set(seconds)
        _report_open(grouper)
        log.info(
            "grouping: %d open events (%d articles) restored from the table in %.1f s",
            len(grouper.events),
            grouper.open_articles,
            seconds,
        )

    @closed_table.on_recover
    async def reload_closed() -> None:
        closed.load(closed_table.items())
        log.info("grouping: %d closed events await their tombstone", len(closed.pending))

    @app.agent(channels.prepared, name="newsstream.grouping")
    async def group(stream: faust.StreamT[bytes]) -> None:
        # take_events acks a batch's events once this body is done with them (after the sends).
        batches = cast(faust.Stream[bytes], stream).take_events(
            max(1, batch), max(batch_seconds, 0.001)
        )
        seen = 0
        async for events in batches:
            await _group_batch(events, pipeline, grouper, table, channels, publishing)
            before, seen = seen, seen + len(events)
            if seen // EVICT_EVERY > before // EVICT_EVERY:
                with handling(events[-1]):
                    await _close_events(grouper, closed, table, closed_table, channels, publishing)
            # the batch's state in the changelog before its events are acknowledged
            await receipts.delivered()
            if passed_multiple(before, seen, TRIM_EVERY):
                release_free_memory()  # rows and postings replaced: their pages go back
            _report_open(grouper)

    return group


def stored_values(table: Any) -> Iterator[dict[str, Any]]:
    """The table's values as its store holds them (JSON), each parsed by orjson alone.

    ``table.values()`` decodes each through Faust's serializer registry, which also checks
    whether the dict is a serialized Faust model: a fifth of a recovery's time (py-spy on a
    worker rebuilding 200,000 open articles), for values that are plain JSON objects. Faust's
    RocksDB store yields the raw bytes from ``_itervalues``; other stores (tests' dicts), the
    values themselves.
    """
    store = table.data
    raw = getattr(store, "_itervalues", None)
    if raw is None:
        yield from (value for value in table.values() if value)
        return
    for value in raw():
        if value:
            parsed = orjson.loads(value)
            if parsed:
                yield parsed


def _report_open(grouper: Grouper) -> None:
    """The open events and their articles, as gauges."""
    metrics.OPEN_EVENTS.set(len(grouper.events))
    metrics.OPEN_ARTICLES.set(grouper.open_articles)


async def _group_batch(
    events: Sequence[EventT],
    pipeline: Pipeline,
    grouper: Grouper,
    table: Any,
    channels: Channels,
    publishing: PublishOptions | None = None,
) -> None:
    """Each article of ``events`` into its event and out as an enriched record, then each event
    they touched into the table and onto ``news.events`` once (as the last of its articles).
    A record that cannot be read or grouped goes to ``news.deadletter`` alone. The grouper
    (whose store is ``table`` in the worker) is told once the states are written.

    Written and published even when an article is a replay (``changed`` false): after a crash
    the local RocksDB may hold a write whose changelog record and events record never reached
    the broker; re-emitting the same state makes the replay whole.
    """
    max_members = (publishing or PublishOptions()).max_members
    touched: dict[str, tuple[EventState, EventT]] = {}
    merged: dict[str, tuple[str, EventT]] = {}  # event key -> the key it was merged into
    ok, seconds = ARTICLES_OK, GROUPING_SECONDS
    for event in events:
        started = time.perf_counter()
        with handling(event):
            outcome = pipeline.group_record(grouper, event.message.value)
            if isinstance(outcome, Rejected):
                metrics.ARTICLES.labels("grouping", "dead_letter").inc()
                await reject(channels, event, outcome, time.time(), log)
                continue
            article, result = outcome
            await publish_enriched(channels, event, article, result)
        key = result.state.event_key  # the event it is in now (merges move members)
        touched.pop(key, None)  # in the order of their last article
        touched[key] = (result.state, event)
        for gone in result.merged:
            touched.pop(gone, None)
            merged[gone] = (key, event)
        ok.inc()
        seconds.observe(time.perf_counter() - started)
    await publish_events(channels, table, touched, merged, max_members)
    grouper.saved()


async def publish_enriched(
    channels: Channels, event: EventT, article: Prepared, result: Assignment
) -> None:
    """An article's enriched record on ``news.enriched`` (and its end-to-end latency, from
    the ``news.raw`` timestamp it carries)."""
    record = enriched_record(article, result, time.time())
    await channels.enriched.send(
        key=article.id.encode(), value=record, headers=headers_of(topics.ENRICHED)
    )
    raw_ms = metrics.raw_timestamp_ms(event.message.headers)
    if raw_ms is not None:
        metrics.END_TO_END_SECONDS.observe(max(0.0, time.time() - raw_ms / 1000))


async def publish_events(
    channels: Channels,
    table: Any,
    touched: Mapping[str, tuple[EventState, EventT]],
    merged: Mapping[str, tuple[str, EventT]],
    max_members: int,
) -> None:
    """Each merged event's ``merged_into`` record (and its key out of ``table``), then each
    touched event's state into ``table`` and its record on ``news.events``, each with the
    event it came from in flight."""
    for gone, (into, event) in merged.items():
        with handling(event):
            if gone in table:
                del table[gone]
            closing = merged_record(gone, into, time.time())
            await channels.events.send(
                key=gone.encode(), value=closing, headers=headers_of(topics.EVENTS)
            )
    for key, (state, event) in touched.items():
        with handling(event):
            table[key] = state.to_dict()
            await channels.events.send(
                key=key.encode(),
                value=event_group(state, max_members),
                headers=headers_of(topics.EVENTS),
            )


async def _close_events(
    grouper: Grouper,
    closed: ClosedEvents,
    table: Any,
    closed_table: Any,
    channels: Channels,
    publishing: PublishOptions,
) -> None:
    """Close the events past the window and send the tombstones that are due.

    Each closed event leaves the ``events`` table; its last record, ``closed: true``, goes to
    ``news.events``; its key and the keys merged into it wait in ``closed_events`` until
    ``publishing.tombstone_seconds`` of stream time after it closed (its last member's event
    time plus the window), when each gets a tombstone (a null value: compaction then drops
    the key). A key that is open again by then (an old article redelivered mints the key it
    minted before) gets none: it closes again later. Runs with an event in flight (table
    writes and, with exactly-once, the transaction go by its partition).
    """
    window = grouper.options.window_seconds
    for state in grouper.evict():
        key = state.event_key
        if key in table:
            del table[key]
        record = event_group(state, publishing.max_members, closed=True)
        await channels.events.send(
            key=key.encode(), value=record, headers=headers_of(topics.EVENTS)
        )
        for waiting, value in closed.close(closing_keys(state), state.last_seen + window).items():
            closed_table[waiting] = value
    await send_tombstones(channels, closed, closed_table, grouper.stream_time, grouper.events)


async def send_tombstones(
    channels: Channels,
    closed: ClosedEvents,
    closed_table: Any,
    stream_time: float,
    still_open: Container[str],
) -> None:
    """The tombstones due at ``stream_time`` on ``news.events``, their keys out of
    ``closed_table``; none for a key in ``still_open`` (open again: it closes again later)."""
    for key in closed.due(stream_time):
        if key in closed_table:
            del closed_table[key]
        if key in still_open:
            continue
        await channels.events.send(
            key=key.encode(), value=None, value_serializer="raw", headers=headers_of(topics.EVENTS)
        )
