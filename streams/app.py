"""The Faust app, built from :class:`~streams.settings.Settings`, and its topics.

orjson is registered as the ``orjson`` codec and used for every value on the wire. Input
(``news.raw``) is read as raw bytes: the validation stage decodes it, so that malformed input
becomes a dead letter instead of an exception inside the framework.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import faust
import orjson
from faust.serializers import codecs

from streams import topics
from streams.settings import Settings


class OrjsonCodec(codecs.Codec):
    """JSON on the wire, encoded and decoded with orjson."""

    def _dumps(self, obj: Any) -> bytes:
        return orjson.dumps(obj)

    def _loads(self, s: bytes) -> Any:
        return orjson.loads(s)


codecs.register("orjson", OrjsonCodec())


def create_app(settings: Settings) -> faust.App:
    """A Faust app configured from ``settings`` (no agents yet: :mod:`agents` adds them)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return faust.App(
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
        consumer_max_fetch_size=topics.TOPIC_MAX_MESSAGE_BYTES + 64 * 1024,
    )


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
