"""Stage "prepare", Faust wiring: ``news.raw`` -> ``news.prepared`` | ``news.deadletter``.

The agent prepares batches of messages with :meth:`agents.pipeline.Pipeline.prepare_unembedded`
and :meth:`~agents.pipeline.Pipeline.embed` (the pure half), learning each source's chrome in
the ``source_chrome`` table, co-partitioned with ``news.raw``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import cast

import faust
from faust.types import EventT

from agents import boilerplate_learn, language
from agents.pipeline import Pipeline
from agents.wiring import reject
from streams import metrics, schemas, topics
from streams.app import Channels, handling
from streams.memory import TRIM_EVERY, passed_multiple, release_free_memory
from streams.records import Prepared, Rejected, dumps
from streams.tables import ROCKSDB_OPTIONS, ChangelogReceipts

log = logging.getLogger(__name__)


def wire(
    app: faust.App,
    channels: Channels,
    pipeline: Pipeline,
    partitions: int,
    batch: int = 16,
    batch_seconds: float = 0.005,
) -> faust.types.AgentT:
    """Register the agent that prepares the ``news.raw`` messages, up to ``batch`` at a time
    (waiting at most ``batch_seconds`` for them); ``partitions``: those of ``news.raw``, which
    the per-source chrome table is co-partitioned with."""
    log.info("prepare: models loaded in %.1f s", pipeline.warm_up())
    second = getattr(pipeline.model, "second", None)
    if isinstance(second, language.LinguaScorer) and not second.preloaded:
        # No stalls mid-stream on a new language; then what loading freed goes back.
        second.preload_in_background(then=release_free_memory)
    log.info("prepare: batches of up to %d messages, %.0f ms wait", batch, batch_seconds * 1e3)
    # Chrome learned per source; each partition of news.raw learns from the articles it sees.
    table = app.Table(
        topics.SOURCES_TABLE, default=None, partitions=partitions, options=ROCKSDB_OPTIONS
    )
    sources = boilerplate_learn.ChromeMemory(table, pipeline.options.learn_checkpoint_every)
    receipts = ChangelogReceipts(table)

    @table.on_recover
    async def reload() -> None:  # partitions moved: what this worker learned may be stale
        sources.forget()

    @app.agent(channels.raw, name="newsstream.prepare")
    async def prepare_agent(stream: faust.StreamT[bytes]) -> None:
        # take_events acks a batch's events once this body is done with them (after the sends):
        # only then can their offsets be committed. (StreamT does not declare it; Stream does.)
        batches = cast(faust.Stream[bytes], stream).take_events(
            max(1, batch), max(batch_seconds, 0.001)
        )
        seen = 0
        async for events in batches:
            await _prepare_batch(events, channels, pipeline, sources)
            await receipts.delivered()  # what it learned, in the changelog before the acks
            before, seen = seen, seen + len(events)
            if passed_multiple(before, seen, TRIM_EVERY):
                release_free_memory()  # articles, their records and buffers freed: pages back

    return prepare_agent


async def _prepare_batch(
    events: Sequence[EventT],
    channels: Channels,
    pipeline: Pipeline,
    sources: boilerplate_learn.ChromeMemory,
) -> None:
    """Prepare the messages of ``events`` one after the other, embed them in one call, then
    send each outcome on, in order. Each event is Faust's current event while its article is
    prepared and sent (the chrome table and Kafka transactions go by its partition)."""
    now = time.time()
    started = time.perf_counter()
    found = []
    for event in events:
        with handling(event):
            message = event.message
            found.append(pipeline.prepare_unembedded(message.value, message.key, now, sources))
        await asyncio.sleep(0)  # heartbeats and fetches run between articles, as they did
    outcomes = pipeline.embed(found)
    each = (time.perf_counter() - started) / len(events)  # the batch's time, shared out
    for event, outcome in zip(events, outcomes, strict=True):
        metrics.STAGE_SECONDS.labels("prepare").observe(each)
        with handling(event):
            await _send(channels, event, outcome, now)


async def _send(
    channels: Channels, event: EventT, outcome: Prepared | Rejected, now: float
) -> None:
    """``outcome`` to ``news.prepared``, or its dead letter to ``news.deadletter``."""
    if isinstance(outcome, Rejected):
        metrics.ARTICLES.labels("prepare", "dead_letter").inc()
        await reject(channels, event, outcome, now, log, logging.INFO)
    else:
        metrics.ARTICLES.labels("prepare", "ok").inc()
        metrics.LANGUAGES.labels(outcome.lang).inc()
        stamp = event.message.timestamp  # seconds; carried on for the end-to-end latency
        headers = list(schemas.headers(topics.PREPARED))
        if stamp:
            headers.append((metrics.RAW_TIMESTAMP_HEADER, str(int(stamp * 1000)).encode()))
        await channels.prepared.send(key=outcome.id.encode(), value=dumps(outcome), headers=headers)
