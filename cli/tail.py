"""``newsstream tail TOPIC``: a topic's records as JSON lines (kafka-python, no consumer group)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import Any

import orjson

from streams.security import client_kwargs, refusals_explained
from streams.settings import Settings


def records(
    bootstrap: str,
    topic: str,
    from_beginning: bool = True,
    limit: int | None = None,
    idle_timeout: float | None = None,
    *,
    settings: Settings | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield ``{topic, partition, offset, key, value}`` for each record of ``topic`` (connecting
    with the security of ``settings``; PLAINTEXT without)."""
    from kafka import KafkaConsumer, TopicPartition

    with refusals_explained(settings, bootstrap):
        consumer = KafkaConsumer(
            bootstrap_servers=bootstrap,
            enable_auto_commit=False,
            client_id="newsstream-tail",
            isolation_level="read_committed",
            **client_kwargs(settings),
        )
    try:
        partitions = None
        deadline = time.monotonic() + 30
        while not partitions:
            partitions = consumer.partitions_for_topic(topic)
            if not partitions:
                if time.monotonic() > deadline:
                    raise SystemExit(f"topic {topic!r} does not exist at {bootstrap}")
                time.sleep(0.5)
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        if from_beginning:
            consumer.seek_to_beginning(*tps)
        else:
            consumer.seek_to_end(*tps)
        count = 0
        last = time.monotonic()
        while limit is None or count < limit:
            batch = consumer.poll(timeout_ms=200)
            if not batch:
                if idle_timeout is not None and time.monotonic() - last > idle_timeout:
                    return
                continue
            last = time.monotonic()
            for tp_records in batch.values():
                for rec in tp_records:
                    yield {
                        "topic": rec.topic,
                        "partition": rec.partition,
                        "offset": rec.offset,
                        "key": rec.key.decode("utf-8", "replace") if rec.key else None,
                        "value": _decode(rec.value),
                    }
                    count += 1
                    if limit is not None and count >= limit:
                        return
    finally:
        consumer.close()


def _decode(value: bytes | None) -> Any:
    if value is None:
        return None
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value.decode("utf-8", "replace")


def run(
    settings: Settings,
    topic: str,
    from_beginning: bool,
    limit: int | None,
    idle_timeout: float | None,
    keys: bool,
) -> None:
    out = sys.stdout.buffer
    for rec in records(
        settings.broker, topic, from_beginning, limit, idle_timeout, settings=settings
    ):
        out.write(orjson.dumps(rec if keys else rec["value"]) + b"\n")
        out.flush()


def collect(
    bootstrap: str,
    topic: str,
    want: set[str],
    by: str = "id",
    timeout: float = 90.0,
    *,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Read ``topic`` until a record for every wanted value of ``by`` (a value field, or
    ``"key"``) has been seen; the latest record for each. Missing ones are simply absent."""
    found: dict[str, Any] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not want <= found.keys():
        for rec in records(
            bootstrap, topic, from_beginning=True, idle_timeout=2.0, settings=settings
        ):
            value = rec["value"]
            ident = (
                rec["key"] if by == "key" else (value.get(by) if isinstance(value, dict) else None)
            )
            if ident in want:
                found[ident] = value
    return found
