"""The local broker of deploy/broker.py: fetch, start, serve a round trip, report, stop.

Runs the version in ``$KAFKA_VERSION`` (default: deploy.broker.DEFAULT_VERSION) on free ports in
a temporary data dir; the jar cache is the shared default one, so only the first run downloads.
Nothing here skips: a missing Java, Maven or network is a failure.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

from deploy import broker
from deploy.broker import BrokerConfig

pytestmark = pytest.mark.integration


def _free_ports(count: int) -> list[int]:
    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def cfg(tmp_path) -> Iterator[BrokerConfig]:
    port, controller_port = _free_ports(2)
    config = BrokerConfig.from_env(
        port=port, controller_port=controller_port, data_dir=tmp_path / "kafka"
    )
    yield config
    broker.stop(config, timeout=30)  # a no-op unless the test failed half-way


def test_broker_round_trip(cfg: BrokerConfig) -> None:
    began = time.monotonic()
    lib = broker.fetch_jars(cfg)
    fetched = time.monotonic()
    assert (lib / f"kafka_2.13-{cfg.version}.jar").is_file()
    assert broker.fetch_jars(cfg) == lib  # idempotent

    pid = broker.start(cfg, timeout=180)
    ready = time.monotonic()
    print(
        f"\nKafka {cfg.version}: jars {fetched - began:.1f} s, "
        f"start to ready {ready - fetched:.1f} s (pid {pid}, {broker.bootstrap(cfg)})"
    )
    assert broker.start(cfg) == pid  # already running: same broker
    assert broker.status(cfg) == {
        "running": True,
        "pid": pid,
        "bootstrap": f"127.0.0.1:{cfg.port}",
        "version": cfg.version,
        "data_dir": str(cfg.data_dir),
        "log_file": str(cfg.log_file),
    }
    assert f"Kafka version: {cfg.version}" in cfg.log_file.read_text()

    topic = f"newsstream.test.{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap(cfg), client_id="test-broker")
    try:
        admin.create_topics(
            [NewTopic(topic, num_partitions=1, replication_factor=1)], wait_for_metadata=True
        )
        assert topic in admin.list_topics()
    finally:
        admin.close()

    producer = KafkaProducer(bootstrap_servers=broker.bootstrap(cfg), acks="all")
    try:
        meta = producer.send(topic, key=b"k1", value=b"hello kafka").get(timeout=30)
        assert meta.offset == 0
    finally:
        producer.close()

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=broker.bootstrap(cfg),
        group_id="test-broker",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=60_000,
    )
    try:
        record = next(iter(consumer))
        consumer.commit()  # exercises the group coordinator and __consumer_offsets (RF 1)
    finally:
        consumer.close()
    assert (record.topic, record.key, record.value) == (topic, b"k1", b"hello kafka")

    assert broker.stop(cfg) is True
    after = broker.status(cfg)
    assert after["running"] is False
    assert after["pid"] is None
    assert not cfg.pid_file.exists()
    assert not _port_open(cfg.port)
    assert not _port_open(cfg.controller_port)
    assert broker.stop(cfg) is False
