"""SASL_SSL (SCRAM-SHA-512) and SSL end to end, on a broker of this module's own.

The broker gets a throwaway CA and server certificate (``deploy.tls``), a SASL_SSL listener with
one SCRAM user and a TLS-only listener. The worker, ``feed`` and ``tail`` all connect through the
same ``NEWSSTREAM_*`` variables. Nothing here skips: a missing ``openssl`` or JDK fails.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from cli import tail
from cli.feed import produce
from cli.supervise import WorkerProcess, free_port
from deploy import broker, tls
from deploy.topics import ensure_topics
from streams.security import BrokerRefusedError
from streams.settings import Settings, load_settings
from streams.topics import DEADLETTER, ENRICHED, topic_specs
from tests.integration.harness import PARTITIONS, collect, feed, passed_through
from tests.texts import read_seed

pytestmark = pytest.mark.integration

USER = "newsstream-worker"
#: kafka-python gives up bootstrapping after 30 s; a refusal must come well before a hang.
REFUSAL_BOUND_S = 60.0


@dataclass(frozen=True)
class SecureKafka:
    """The secured broker: its config, the clients' environment and the password."""

    cfg: broker.BrokerConfig
    env: dict[str, str]
    password: str

    @property
    def settings(self) -> Settings:
        """Client settings read from the very variables the worker gets."""
        return load_settings(self.env)

    @property
    def sasl_ssl(self) -> str:
        return broker.sasl_ssl_bootstrap(self.cfg)


@pytest.fixture(scope="module")
def secure_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureKafka]:
    files = tls.make_server_tls(tmp_path_factory.mktemp("tls"))
    password = f"pw-{uuid.uuid4().hex}"
    cfg = broker.BrokerConfig(
        version=broker.resolve_version(None),
        port=free_port(),
        controller_port=free_port(),
        data_dir=tmp_path_factory.mktemp("kafka-secure"),
        secure=broker.SecureListeners(
            keystore=files.server_keystore,
            sasl_ssl_port=free_port(),
            scram_users={USER: password},
            mechanism="SCRAM-SHA-512",
            ssl_port=free_port(),
        ),
    )
    env = {
        "NEWSSTREAM_BROKER": broker.sasl_ssl_bootstrap(cfg),
        "NEWSSTREAM_SECURITY_PROTOCOL": "SASL_SSL",
        "NEWSSTREAM_SASL_MECHANISM": "SCRAM-SHA-512",
        "NEWSSTREAM_SASL_USERNAME": USER,
        "NEWSSTREAM_SASL_PASSWORD": password,
        "NEWSSTREAM_SSL_CAFILE": str(files.ca_cert),
    }
    broker.start(cfg)
    try:
        secure = SecureKafka(cfg, env, password)
        ensure_topics(secure.sasl_ssl, topic_specs(PARTITIONS), settings=secure.settings)
        yield secure
    finally:
        broker.stop(cfg)


@pytest.fixture(scope="module")
def secure_worker(
    secure_kafka: SecureKafka, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerProcess]:
    """A worker that reaches the broker only through SASL_SSL, logging at debug level."""
    w = WorkerProcess(
        {
            **secure_kafka.env,
            "NEWSSTREAM_APP_ID": f"newsstream-secure-{uuid.uuid4().hex[:8]}",
            "NEWSSTREAM_DATA_DIR": str(tmp_path_factory.mktemp("worker-secure")),
            "NEWSSTREAM_PARTITIONS": str(PARTITIONS),
            "NEWSSTREAM_LOG_LEVEL": "debug",
            **passed_through(),
        },
        tmp_path_factory.mktemp("logs-secure"),
    )
    w.start()
    try:
        yield w
    finally:
        w.stop()


def _listening_hosts(port: int) -> set[str]:
    """The local addresses of the sockets listening on TCP ``port`` (from /proc/net)."""
    hosts: set[str] = set()
    for name in ("tcp", "tcp6"):
        table = Path("/proc/net") / name
        if not table.is_file():
            continue
        for line in table.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, port_hex = local.partition(":")
            if state == "0A" and int(port_hex, 16) == port:
                hosts.add(_ip(address))
    return hosts


def _ip(address_hex: str) -> str:
    if len(address_hex) == 8:  # IPv4, little-endian
        return ".".join(str(b) for b in reversed(bytes.fromhex(address_hex)))
    return address_hex


def test_pipeline_runs_over_sasl_ssl(
    secure_kafka: SecureKafka, secure_worker: WorkerProcess
) -> None:
    run = uuid.uuid4().hex[:8]
    docs = [
        {"id": f"{run}-en", "url": f"https://news.example.com/{run}/putin", **read_seed("en")},
        {"id": f"{run}-de", "url": f"https://zeitung.example.de/{run}/putin", **read_seed("de")},
    ]
    settings = secure_kafka.settings
    feed(secure_kafka.sasl_ssl, docs, settings=settings)
    out = collect(secure_kafka.sasl_ssl, ENRICHED, {f"{run}-en", f"{run}-de"}, settings=settings)
    en, de = out[f"{run}-en"], out[f"{run}-de"]
    assert (en["lang"], de["lang"]) == ("en", "de")
    assert en["event_key"] == de["event_key"]
    assert f"Authenticated as {USER} via SCRAM-SHA-512" in secure_worker.log_path.read_text()

    ssl_only = Settings(security_protocol="SSL", ssl_cafile=settings.ssl_cafile)
    through_ssl = collect(
        broker.ssl_bootstrap(secure_kafka.cfg), ENRICHED, {f"{run}-en"}, settings=ssl_only
    )
    assert through_ssl[f"{run}-en"]["event_key"] == en["event_key"]


def test_the_password_is_in_no_log_nor_dead_letter(
    secure_kafka: SecureKafka, secure_worker: WorkerProcess
) -> None:
    run = uuid.uuid4().hex[:8]
    settings = secure_kafka.settings
    produce(
        secure_kafka.sasl_ssl,
        [(f"{run}-bad".encode(), b"{oops")],
        progress=False,
        settings=settings,
    )
    letter = collect(secure_kafka.sasl_ssl, DEADLETTER, {f"{run}-bad"}, by="key", settings=settings)
    assert "not valid JSON" in letter[f"{run}-bad"]["reason"]

    everything = list(
        tail.records(secure_kafka.sasl_ssl, DEADLETTER, idle_timeout=2.0, settings=settings)
    )
    assert everything and secure_kafka.password not in orjson.dumps(everything).decode()
    logs = sorted(secure_worker.log_dir.glob("*.log"))
    assert logs and sum(path.stat().st_size for path in logs) > 0
    for path in [*logs, secure_kafka.cfg.log_file, secure_kafka.cfg.properties_file]:
        assert secure_kafka.password not in path.read_text(errors="replace"), path
    assert secure_worker.alive()


def test_a_wrong_password_is_refused_with_a_clear_error(secure_kafka: SecureKafka) -> None:
    wrong = secure_kafka.settings.with_overrides(sasl_password=f"wrong-{uuid.uuid4().hex}")
    began = time.monotonic()
    with pytest.raises(BrokerRefusedError, match="invalid credentials") as refused:
        produce(secure_kafka.sasl_ssl, [(b"k", b"{}")], progress=False, settings=wrong)
    assert time.monotonic() - began < REFUSAL_BOUND_S
    message = str(refused.value)
    assert USER in message and "SCRAM-SHA-512" in message
    assert wrong.sasl_password not in message and secure_kafka.password not in message


def test_a_plaintext_client_cannot_read_the_sasl_ssl_port(
    secure_kafka: SecureKafka, secure_worker: WorkerProcess
) -> None:
    from kafka.errors import KafkaError

    began = time.monotonic()
    got: list[dict[str, object]] = []
    with pytest.raises((KafkaError, BrokerRefusedError)):
        got.extend(tail.records(secure_kafka.sasl_ssl, ENRICHED, idle_timeout=2.0))
    assert got == [] and time.monotonic() - began < REFUSAL_BOUND_S


def test_the_web_port_listens_on_loopback_only(secure_worker: WorkerProcess) -> None:
    port = int(secure_worker.env_overrides["NEWSSTREAM_WEB_PORT"])
    assert _listening_hosts(port) == {"127.0.0.1"}
