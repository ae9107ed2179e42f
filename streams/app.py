"""The Faust app, built from :class:`~streams.settings.Settings`, and its topics.

orjson is registered as the ``orjson`` codec and used for every value on the wire. Input
(``news.raw``) is read as raw bytes: the validation stage decodes it, so that malformed input
becomes a dead letter instead of an exception inside the framework.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import faust
import orjson
from faust import streams as faust_streams
from faust.serializers import codecs
from faust.transport.consumer import TransactionManager
from faust.transport.drivers import aiokafka as aiokafka_driver
from faust.types import TP, EventT, HeadersArg, RecordMetadata

from streams import security, topics
from streams.assignor import assignor_for
from streams.restore import BULK_STORE
from streams.settings import Settings

log = logging.getLogger(__name__)

#: Accepted values of ``NEWSSTREAM_PROCESSING_GUARANTEE``.
GUARANTEES = ("at_least_once", "exactly_once")
#: Bytes the producer puts in one batch per partition (aiokafka's default is 16 KiB). aiokafka
#: keeps one batch per partition in flight and ``send`` waits while the next one is full:
#: with records of 5-20 KB (an enriched article, an event group) a 16 KiB batch holds about one
#: record, so every send waited for the broker's acknowledgement of the one before. Below the
#: broker's default ``message.max.bytes`` (1 MB), which the changelog topics keep.
PRODUCER_BATCH_BYTES = 512 * 1024
#: Bytes fetched per partition per request (Faust's default is 1 MiB). With 1 MiB, the worker
#: holding ``news.prepared`` read about 70 prepared articles per fetch and then idled until the
#: next one arrived: grouping ran at ~40% of a core behind a backlog, and two workers carried
#: 125-130 articles/s (6,000-article bench runs); with 8 MiB, 176/s (32 MiB: the same).
CONSUMER_FETCH_BYTES = 8 * 1024 * 1024


class OrjsonCodec(codecs.Codec):
    """JSON on the wire, encoded and decoded with orjson."""

    def _dumps(self, obj: Any) -> bytes:
        return orjson.dumps(obj)

    def _loads(self, s: bytes) -> Any:
        return orjson.loads(s)


codecs.register("orjson", OrjsonCodec())


@contextmanager
def handling(event: EventT) -> Iterator[None]:
    """Make ``event`` ``faust.current_event()`` in this task while the block runs.

    Tables read and write the partition of the current event, and
    :class:`SourcePartitionTransactions` sends in its transaction. Faust sets it for the body
    of ``async for event in stream.events()``; ``stream.take_events`` reads the events in
    another task (faust-streaming 0.15.3), so a body that handles a batch of them sets each in
    turn. There is no public setter: this sets faust's context variable, as its stream does.
    """
    token = faust_streams._current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        faust_streams._current_event.reset(token)


class SourcePartitionTransactions(TransactionManager):
    """Kafka transactions keyed by the partition being consumed, as exactly-once needs.

    faust-streaming 0.15.3 picks the transaction of a send by the *destination* partition
    (``<app>-<group of the output topic>-<output partition>``) but commits the consumed offsets
    in the transaction of the *source* partition: output and input offsets land in different
    transactions, and output to a topic no task of ours consumes is never committed
    (``news.raw`` -> ``news.prepared`` stayed invisible to ``read_committed`` readers until the
    transaction timed out and was aborted: nothing reached ``news.enriched``). Here a send made
    while an event is processed joins that event's source-partition transaction, whose commit
    carries the offsets. Sends outside an event (table changelog writes, flushed from the
    producer buffer) keep faust's rule: our tables are co-partitioned with the topic their agent
    reads, so that is the same transaction; the buffer is flushed before each commit so that a
    changelog write does not slip into the next transaction.

    Known gap (see ``python -m tools.chaos``): after a SIGKILL a few records still reach
    ``news.enriched`` twice (same id, same event key).
    """

    def _source_transaction(self) -> str | None:
        event = faust.current_event()
        if event is None:
            return None
        tp = event.message.tp
        try:
            group = self.app.assignor.group_for_topic(tp.topic)
        except KeyError:
            return None
        return f"{self.app.conf.id}-{group}-{tp.partition}"

    async def send(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        partition: int | None,
        timestamp: float | None,
        headers: HeadersArg | None,
        *,
        transactional_id: str | None = None,
    ) -> Awaitable[RecordMetadata]:
        tid = self._source_transaction()
        if tid is None:
            return await super().send(topic, key, value, partition, timestamp, headers)
        p = self.consumer.key_partition(topic, key, partition)
        return await self.producer.send(
            topic, key, value, p, timestamp, headers, transactional_id=tid
        )

    async def commit(self, offsets: Mapping[TP, int], start_new_transaction: bool = True) -> bool:
        await self.app.producer.flush()
        return await super().commit(offsets, start_new_transaction)


class GapLoggingConsumer(aiokafka_driver.Consumer):
    """Faust's aiokafka consumer, saying when it takes offsets as a gap.

    Faust takes offsets it did not receive between two records of a partition as a gap
    (compaction, transaction markers) and commits past them as if processed.
    """

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        log.warning(
            "offsets %d..%d of %s:%d taken as a gap (not received, committed past)",
            offset_from,
            offset_to,
            tp.topic,
            tp.partition,
        )
        await super()._add_gap(tp, offset_from, offset_to)


class RewindingConsumer(GapLoggingConsumer):
    """At-least-once: a partition is read from where it was sought, never from further on.

    During a rebalance faust-streaming 0.15.3 discards records it fetched for a partition it
    has paused at that moment, while the fetch position moves on past them; it may also hand
    over a record fetched before the partition was sought to its committed offset (faust-
    streaming #216). Two losses follow when a worker takes over partitions: with a committed
    offset, the skipped offsets look like a gap, which Faust commits past as processed (#606);
    without one (the previous owner died before its first commit), Faust does not seek at all
    and starts wherever the fetcher was. The ``pair`` scenario of ``python -m tools.chaos`` lost
    300-700 of 2,000 articles that way in 5 of 17 runs.

    Here, after every seek to the committed offsets, a partition without a committed offset is
    sought to its first offset, and the first record of each partition must be the one sought
    to: a record further on is dropped and the partition sought again. Later, a jump from
    offset ``r`` to ``o`` is re-read from ``r`` once (``r`` is processed twice); if the same
    jump comes again the offsets are really absent (compaction, transaction markers) and
    Faust's gap handling takes over.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Partition -> the offset its next record must have (after a seek).
        self._expected: dict[TP, int] = {}
        #: Partition -> (expected offset, offset received) of the last re-seek.
        self._resought: dict[TP, tuple[int, int]] = {}

    async def perform_seek(self) -> None:
        await super().perform_seek()
        inputs = [tp for tp in self.assignment() if self.app.topics.acks_enabled_for(tp.topic)]
        fresh = [tp for tp in inputs if not self._committed_offset.get(tp)]
        starts = dict(await self.earliest_offsets(*fresh)) if fresh else {}
        if starts:
            await self._thread.seek_wait(starts)
        self._expected = {tp: self._committed_offset.get(tp) or starts.get(tp, 0) for tp in inputs}

    async def _seek_again(self, tp: TP, expected: int, received: int, why: str) -> None:
        self._resought[tp] = (expected, received)
        log.warning(
            "%s:%d: got offset %d, expected %d (%s): reading from %d again",
            tp.topic,
            tp.partition,
            received,
            expected,
            why,
            expected,
        )
        await self._thread.seek_wait({tp: expected})

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, Any]]:
        resought: set[TP] = set()
        async for tp, message in super().getmany(timeout):
            if tp in resought:
                continue
            offset = message.offset
            expected = self._expected.get(tp)
            if expected is not None:
                if offset > expected and self._resought.get(tp) != (expected, offset):
                    resought.add(tp)
                    await self._seek_again(tp, expected, offset, "after a seek")
                    continue
                if offset >= expected:
                    del self._expected[tp]
            else:
                read = self._read_offset[tp]
                if (
                    read is not None
                    and read > 0
                    and offset - read > 1
                    and self._resought.get(tp) != (read, offset)
                    and self.app.topics.acks_enabled_for(message.topic)
                ):
                    resought.add(tp)
                    await self._seek_again(tp, read, offset, "a jump")
                    continue
            yield tp, message


class _Transport(aiokafka_driver.Transport):
    """The aiokafka transport with :class:`RewindingConsumer` (at-least-once)."""

    Consumer = RewindingConsumer


class _TransactionalTransport(aiokafka_driver.Transport):
    """The aiokafka transport with :class:`SourcePartitionTransactions`; transaction markers
    leave one-offset gaps on every partition, so gaps are only logged."""

    Consumer = GapLoggingConsumer
    TransactionManager = SourcePartitionTransactions


def create_app(settings: Settings) -> faust.App:
    """A Faust app configured from ``settings`` (no agents yet: :mod:`agents` adds them).

    ``exactly_once`` runs every task's consumption, table (changelog) writes and output in one
    Kafka transaction per partition; the transaction log's replication factor is the broker's
    (1 on the local single-node broker). Security settings go to ``broker_credentials``.
    """
    guarantee = settings.processing_guarantee.strip().lower()
    if guarantee not in GUARANTEES:
        raise ValueError(
            f"NEWSSTREAM_PROCESSING_GUARANTEE must be one of {', '.join(GUARANTEES)}; "
            f"got {settings.processing_guarantee!r}"
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        settings.app_id,
        broker=[f"kafka://{host.strip()}" for host in settings.broker.split(",")],
        store=BULK_STORE,  # RocksDB; a lost disk is restored from the changelog in bulk
        datadir=str(settings.data_dir),
        autodiscover=False,
        key_serializer="raw",
        value_serializer="orjson",
        topic_replication_factor=settings.replication_factor,
        topic_partitions=1,
        # off where a platform provisions the topics: Faust then declares none of its own
        topic_allow_declare=settings.create_topics,
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=10.0,
        broker_heartbeat_interval=1.0,
        broker_commit_every=100,
        broker_commit_interval=1.0,
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        producer_linger=settings.producer_linger_ms / 1000.0,
        producer_max_batch_size=PRODUCER_BATCH_BYTES,
        producer_compression_type=None if settings.compression == "none" else settings.compression,
        consumer_max_fetch_size=CONSUMER_FETCH_BYTES,
        producer_max_request_size=topics.TOPIC_MAX_MESSAGE_BYTES + 64 * 1024,
        processing_guarantee=guarantee,
        PartitionAssignor=assignor_for(settings.grouping_weight),
        **security.faust_kwargs(settings),
    )
    transport = _TransactionalTransport if guarantee == "exactly_once" else _Transport
    app.transport = transport(app.conf.broker_consumer, app)
    return app


@dataclass(frozen=True, slots=True)
class Channels:
    """The Faust topics the agents read and write."""

    raw: faust.types.TopicT
    prepared: faust.types.TopicT
    enriched: faust.types.TopicT
    events: faust.types.TopicT
    deadletter: faust.types.TopicT


def create_channels(app: faust.App) -> Channels:
    """Faust topic objects for every topic in :mod:`streams.topics`."""

    def topic(name: str, value_serializer: str = "orjson") -> faust.types.TopicT:
        return app.topic(name, key_serializer="raw", value_serializer=value_serializer)

    return Channels(
        raw=topic(topics.RAW, value_serializer="raw"),
        # read as bytes: the grouping agent decodes each record, so a malformed one becomes a
        # dead letter instead of an exception inside the framework
        prepared=topic(topics.PREPARED, value_serializer="raw"),
        enriched=topic(topics.ENRICHED),
        events=topic(topics.EVENTS),
        deadletter=topic(topics.DEADLETTER),
    )
