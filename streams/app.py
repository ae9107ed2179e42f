"""The Faust app, built from :class:`~streams.settings.Settings`, and its topics.

orjson is registered as the ``orjson`` codec and used for every value on the wire. Input
(``news.raw``) is read as raw bytes: the validation stage decodes it, so that malformed input
becomes a dead letter instead of an exception inside the framework.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import Any

import faust
import orjson
from faust.serializers import codecs
from faust.transport.consumer import TransactionManager
from faust.transport.drivers import aiokafka as aiokafka_driver
from faust.types import TP, HeadersArg, RecordMetadata

from streams import security, topics
from streams.settings import Settings

#: Accepted values of ``NEWSSTREAM_PROCESSING_GUARANTEE``.
GUARANTEES = ("at_least_once", "exactly_once")


class OrjsonCodec(codecs.Codec):
    """JSON on the wire, encoded and decoded with orjson."""

    def _dumps(self, obj: Any) -> bytes:
        return orjson.dumps(obj)

    def _loads(self, s: bytes) -> Any:
        return orjson.loads(s)


codecs.register("orjson", OrjsonCodec())


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

    Known gap (see ``python -m cli.chaos``): after a SIGKILL a few records still reach
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


class _TransactionalTransport(aiokafka_driver.Transport):
    """The aiokafka transport with :class:`SourcePartitionTransactions`."""

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
        store="rocksdb://",
        datadir=str(settings.data_dir),
        autodiscover=False,
        key_serializer="raw",
        value_serializer="orjson",
        topic_replication_factor=settings.replication_factor,
        topic_partitions=1,
        topic_allow_declare=True,
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=10.0,
        broker_heartbeat_interval=1.0,
        broker_commit_every=100,
        broker_commit_interval=1.0,
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        producer_linger_ms=5,
        producer_max_request_size=topics.TOPIC_MAX_MESSAGE_BYTES + 64 * 1024,
        processing_guarantee=guarantee,
        **security.faust_kwargs(settings),
    )
    if guarantee == "exactly_once":
        app.transport = _TransactionalTransport(app.conf.broker_consumer, app)
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
        prepared=topic(topics.PREPARED),
        enriched=topic(topics.ENRICHED),
        events=topic(topics.EVENTS),
        deadletter=topic(topics.DEADLETTER),
    )
