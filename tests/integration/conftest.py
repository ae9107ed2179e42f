"""The real broker and worker for integration tests: started by the test session, or it fails.

One KRaft broker (``deploy.broker``, version from ``KAFKA_VERSION``) on free loopback ports in a
temporary directory, and ``newsstream worker`` as a subprocess against it. Nothing here skips.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from cli.supervise import WorkerProcess
from tests.integration.harness import PARTITIONS, passed_through, running_broker


@pytest.fixture(scope="session")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Apache Kafka broker for the whole session; its bootstrap address."""
    with running_broker(tmp_path_factory.mktemp("kafka")) as bootstrap:
        yield bootstrap


@pytest.fixture(scope="session")
def worker(kafka: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerProcess]:
    """The session's worker (a subprocess) against :func:`kafka`; tests may restart it."""
    data_dir = tmp_path_factory.mktemp("worker-data")
    w = WorkerProcess(
        {
            "NEWSSTREAM_BROKER": kafka,
            "NEWSSTREAM_APP_ID": f"newsstream-test-{uuid.uuid4().hex[:8]}",
            "NEWSSTREAM_DATA_DIR": str(data_dir),
            "NEWSSTREAM_PARTITIONS": str(PARTITIONS),
            **passed_through(),
        },
        tmp_path_factory.mktemp("logs"),
    )
    w.start()
    try:
        yield w
    finally:
        w.stop()
