"""streams.security and the secured local broker's configuration (no broker needed)."""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
from pathlib import Path

import faust
import pytest
from kafka.errors import KafkaTimeoutError

from deploy import broker, tls
from streams import security
from streams.security import BrokerRefusedError, SecurityConfigError
from streams.settings import Settings, load_settings

PASSWORD = "pw-0123456789abcdef"
SASL = Settings(
    security_protocol="sasl_ssl",
    sasl_mechanism="scram-sha-512",
    sasl_username="alice",
    sasl_password=PASSWORD,
)


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tls.TlsFiles:
    return tls.make_server_tls(tmp_path_factory.mktemp("tls"))


def test_plaintext_needs_nothing() -> None:
    assert security.faust_kwargs(Settings()) == {}
    assert security.kafka_python_kwargs(Settings()) == {"security_protocol": "PLAINTEXT"}
    assert security.client_kwargs(None) == {}
    assert security.describe(Settings()) == "PLAINTEXT"


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ({"security_protocol": "TLS"}, "NEWSSTREAM_SECURITY_PROTOCOL"),
        ({"security_protocol": "SASL_SSL", "sasl_username": "a", "sasl_mechanism": "GSSAPI"},
         "NEWSSTREAM_SASL_MECHANISM"),
        ({"security_protocol": "SASL_PLAINTEXT"}, "NEWSSTREAM_SASL_USERNAME"),
        ({"security_protocol": "SSL", "ssl_certfile": "/c.pem"}, "NEWSSTREAM_SSL_KEYFILE"),
    ],
)  # fmt: skip
def test_inconsistent_settings_name_the_variable(changes: dict[str, str], names: str) -> None:
    with pytest.raises(SecurityConfigError, match=names):
        security.kafka_python_kwargs(Settings(**changes))


def test_sasl_ssl_for_kafka_python(tls_files: tls.TlsFiles) -> None:
    kwargs = security.kafka_python_kwargs(SASL.with_overrides(ssl_cafile=str(tls_files.ca_cert)))
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (kwargs["sasl_plain_username"], kwargs["sasl_plain_password"]) == ("alice", PASSWORD)
    context = kwargs["ssl_context"]
    assert isinstance(context, ssl.SSLContext) and context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


def test_sasl_ssl_for_faust_keeps_the_password_out_of_reprs(tls_files: tls.TlsFiles) -> None:
    settings = SASL.with_overrides(ssl_cafile=str(tls_files.ca_cert))
    credentials = security.faust_kwargs(settings)["broker_credentials"]
    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.mechanism.value == "SCRAM-SHA-512"
    assert credentials.password == PASSWORD and credentials.ssl_context is not None
    for text in (repr(credentials), repr(settings), security.describe(settings)):
        assert PASSWORD not in text
    assert security.describe(settings) == (
        f"SASL_SSL, SCRAM-SHA-512 as 'alice', CA {tls_files.ca_cert}"
    )


def test_ssl_only_for_faust(tls_files: tls.TlsFiles) -> None:
    settings = Settings(security_protocol="SSL", ssl_cafile=str(tls_files.ca_cert))
    assert isinstance(security.faust_kwargs(settings)["broker_credentials"], faust.SSLCredentials)
    assert "sasl_mechanism" not in security.kafka_python_kwargs(settings)


def test_security_env_gives_a_child_the_same_settings(tls_files: tls.TlsFiles) -> None:
    settings = SASL.with_overrides(ssl_cafile=str(tls_files.ca_cert))
    env = security.security_env(settings)
    assert set(env) <= set(security.security_variables())
    child = load_settings(env)
    for name in security.FIELDS:  # the choices come back in their canonical spelling
        mine, theirs = getattr(settings, name), getattr(child, name)
        same_choice = name in ("security_protocol", "sasl_mechanism") and mine.upper() == theirs
        assert theirs == mine or same_choice, name
    with_context = security.kafka_python_kwargs(child), security.kafka_python_kwargs(settings)
    assert [{k: v for k, v in kw.items() if k != "ssl_context"} for kw in with_context] == [
        {k: v for k, v in with_context[1].items() if k != "ssl_context"}
    ] * 2
    assert security.security_env(None) == {}


def _handshake(server: tls.TlsFiles, cafile: Path) -> bytes:
    """Connect to a one-shot TLS server on loopback presenting ``server``'s certificate."""
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(server.server_keystore)
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with contextlib.suppress(OSError), server_context.wrap_socket(conn, server_side=True) as s:
            s.sendall(b"ok")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    client = security.ssl_context(Settings(ssl_cafile=str(cafile)))
    try:
        raw = socket.create_connection(listener.getsockname()[:2], timeout=10)
        with raw, client.wrap_socket(raw, server_hostname="127.0.0.1") as conn:
            return conn.recv(2)
    finally:
        thread.join(10)
        listener.close()


def test_the_generated_cert_verifies_for_127_0_0_1_against_its_ca_only(
    tls_files: tls.TlsFiles, tmp_path: Path
) -> None:
    assert _handshake(tls_files, tls_files.ca_cert) == b"ok"
    other = tls.make_server_tls(tmp_path / "other")
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(tls_files, other.ca_cert)


def _refusal(message: str) -> None:
    with security.refusals_explained(SASL, "127.0.0.1:1"):
        logging.getLogger("kafka.net.manager").warning(message)
        raise KafkaTimeoutError("Unable to bootstrap from 127.0.0.1:1")


def test_an_authentication_failure_becomes_a_clear_error() -> None:
    with pytest.raises(BrokerRefusedError, match="invalid credentials") as refused:
        _refusal("Bootstrap failed: SaslAuthenticationFailedError: invalid credentials")
    assert "SCRAM-SHA-512 as 'alice'" in str(refused.value) and PASSWORD not in str(refused.value)
    with pytest.raises(KafkaTimeoutError):
        _refusal("Bootstrap connection failed: socket disconnected")
    assert not any(
        isinstance(h, security._RefusalRecorder) for h in logging.getLogger("kafka").handlers
    )


def test_a_bare_timeout_is_explained_by_a_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """kafka-python may log only "socket disconnected"; the aiokafka probe then tells why."""
    monkeypatch.setattr(security, "probe", lambda bootstrap, settings: "SaslAuthenticationFailed")
    with pytest.raises(BrokerRefusedError, match="SaslAuthenticationFailed"):
        _refusal("Bootstrap connection failed: socket disconnected")


def test_the_probe_does_not_call_an_unreachable_broker_a_refusal() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{sock.getsockname()[1]}"
    assert security.probe(closed, SASL, timeout=5.0) is None


def _secure(tmp_path: Path, **changes: object) -> broker.BrokerConfig:
    listeners = {
        "keystore": tmp_path / "server.pem",
        "sasl_ssl_port": 19094,
        "scram_users": {"alice": PASSWORD},
        "ssl_port": 19095,
        **changes,
    }
    return broker.BrokerConfig(
        port=19092,
        controller_port=19093,
        data_dir=tmp_path,
        secure=broker.SecureListeners(**listeners),  # type: ignore[arg-type]
    )


def test_secure_broker_properties(tmp_path: Path) -> None:
    cfg = _secure(tmp_path)
    props = broker.server_properties(cfg)
    assert props["listeners"] == (
        "PLAINTEXT://127.0.0.1:19092,SASL_SSL://127.0.0.1:19094,SSL://127.0.0.1:19095,"
        "CONTROLLER://127.0.0.1:19093"
    )
    assert props["inter.broker.listener.name"] == "PLAINTEXT"
    assert props["listener.security.protocol.map"] == (
        "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL,CONTROLLER:PLAINTEXT"
    )
    assert props["listener.name.sasl_ssl.sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert props["ssl.keystore.type"] == "PEM"
    assert PASSWORD not in "".join(props.values()) and PASSWORD not in repr(cfg)
    assert broker._scram_args(cfg) == [
        "--add-scram",
        f"SCRAM-SHA-512=[name=alice,password={PASSWORD}]",
    ]
    assert broker._redact(f"bad {PASSWORD}!", cfg) == "bad ***!"
    assert broker.sasl_ssl_bootstrap(cfg) == "127.0.0.1:19094"
    assert broker.ssl_bootstrap(cfg) == "127.0.0.1:19095"
    assert cfg.all_ports == (19092, 19093, 19094, 19095)


def test_plain_broker_properties_are_unchanged(tmp_path: Path) -> None:
    cfg = broker.BrokerConfig(port=19092, controller_port=19093, data_dir=tmp_path)
    props = broker.server_properties(cfg)
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert "sasl.enabled.mechanisms" not in props and broker._scram_args(cfg) == []
    with pytest.raises(ValueError, match="SASL_SSL"):
        broker.sasl_ssl_bootstrap(cfg)


@pytest.mark.parametrize(
    "changes",
    [
        {"scram_users": {"alice": "with,comma"}},
        {"scram_users": {"alice": ""}},
        {"scram_users": {"al ice": "pw"}},
        {"mechanism": "PLAIN"},
        {"ssl_port": 19094},
    ],
)
def test_secure_listeners_refuse_what_the_format_tool_cannot_take(
    tmp_path: Path, changes: dict[str, object]
) -> None:
    with pytest.raises(ValueError):
        _secure(tmp_path, **changes)
