"""Helpers for integration tests: feeding ``news.raw`` and waiting for records."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from cli import tail
from cli.feed import produce
from cli.supervise import local_broker
from deploy import broker
from deploy.topics import ensure_topics
from streams.settings import Settings
from streams.topics import topic_specs

PARTITIONS = 8


def feed(bootstrap: str, docs: list[dict[str, Any]], *, settings: Settings | None = None) -> None:
    """Produce documents to ``news.raw``, keyed by their id (``settings``: the security)."""
    messages = [(str(d["id"]).encode(), orjson.dumps(d)) for d in docs]
    produce(bootstrap, messages, progress=False, settings=settings)


def collect(
    bootstrap: str,
    topic: str,
    want: set[str],
    by: str = "id",
    timeout: float = 90.0,
    *,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The latest record for each wanted id (or key); fails if any is missing at ``timeout``."""
    found = tail.collect(bootstrap, topic, want, by, timeout, settings=settings)
    missing = want - found.keys()
    assert not missing, f"no record on {topic} for {sorted(missing)} within {timeout}s"
    return found


#: Settings a test run may pass on to its workers (``NEWSSTREAM_PROCESSING_GUARANTEE=exactly_once
#: make integration`` runs the whole suite with Kafka transactions).
PASS_THROUGH = ("NEWSSTREAM_PROCESSING_GUARANTEE",)


def passed_through() -> dict[str, str]:
    """The :data:`PASS_THROUGH` variables set in this process's environment."""
    return {name: os.environ[name] for name in PASS_THROUGH if os.environ.get(name)}


@contextmanager
def running_broker(workdir: Path) -> Iterator[str]:
    """A real Kafka broker (version from ``KAFKA_VERSION``) in ``workdir``, with the topics
    created for :data:`PARTITIONS`; its bootstrap address. Stopped on exit."""
    version = os.environ.get("KAFKA_VERSION", broker.DEFAULT_VERSION)
    with local_broker(workdir, version, say=lambda _: None) as bootstrap:
        ensure_topics(bootstrap, topic_specs(PARTITIONS))
        yield bootstrap
