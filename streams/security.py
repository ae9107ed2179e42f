"""Kafka security settings, translated for the two clients newsstream uses.

:func:`faust_kwargs` gives the Faust app's ``broker_credentials`` (aiokafka underneath);
:func:`kafka_python_kwargs` the keyword arguments of kafka-python's producer, consumer and
admin client (``feed``, ``tail``, topic set-up). Both come from the same
:class:`~streams.settings.Settings` fields, so every client of one deployment connects alike.
The password is only ever handed to the client libraries: it is not logged, and
:func:`describe` (for log lines) leaves it out.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from streams.settings import Settings, env_names

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
#: The :class:`~streams.settings.Settings` fields that say how to connect securely.
FIELDS = (
    "security_protocol",
    "sasl_mechanism",
    "sasl_username",
    "sasl_password",
    "ssl_cafile",
    "ssl_certfile",
    "ssl_keyfile",
)
MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")


class SecurityConfigError(ValueError):
    """The security settings are inconsistent (the message names the variable)."""


class BrokerRefusedError(RuntimeError):
    """The broker refused the connection: SASL authentication or the TLS handshake failed."""


def _check(settings: Settings) -> str:
    protocol = settings.security_protocol.strip().upper()
    if protocol not in PROTOCOLS:
        raise SecurityConfigError(
            f"NEWSSTREAM_SECURITY_PROTOCOL must be one of {', '.join(PROTOCOLS)}; "
            f"got {settings.security_protocol!r}"
        )
    if protocol.startswith("SASL_"):
        if settings.sasl_mechanism.upper() not in MECHANISMS:
            raise SecurityConfigError(
                f"NEWSSTREAM_SASL_MECHANISM must be one of {', '.join(MECHANISMS)}; "
                f"got {settings.sasl_mechanism!r}"
            )
        if not settings.sasl_username:
            raise SecurityConfigError(f"{protocol} needs NEWSSTREAM_SASL_USERNAME")
    if bool(settings.ssl_certfile) != bool(settings.ssl_keyfile):
        raise SecurityConfigError(
            "NEWSSTREAM_SSL_CERTFILE and NEWSSTREAM_SSL_KEYFILE go together (mutual TLS)"
        )
    return protocol


def uses_ssl(settings: Settings) -> bool:
    """Whether the connection to the broker is TLS."""
    return _check(settings).endswith("SSL")


def ssl_context(settings: Settings) -> ssl.SSLContext:
    """A client TLS context: the CA bundle (else the system's), the client cert if any."""
    context = ssl.create_default_context(
        ssl.Purpose.SERVER_AUTH, cafile=settings.ssl_cafile or None
    )
    if settings.ssl_certfile:
        context.load_cert_chain(settings.ssl_certfile, settings.ssl_keyfile or None)
    return context


def faust_kwargs(settings: Settings) -> dict[str, Any]:
    """``faust.App`` keyword arguments for the configured security (empty for PLAINTEXT)."""
    import faust

    protocol = _check(settings)
    if protocol == "PLAINTEXT":
        return {}
    context = ssl_context(settings) if protocol.endswith("SSL") else None
    if protocol == "SSL":
        return {"broker_credentials": faust.SSLCredentials(context)}
    credentials = faust.SASLCredentials(
        username=settings.sasl_username,
        password=settings.sasl_password,
        ssl_context=context,
        mechanism=settings.sasl_mechanism.upper(),
    )
    return {"broker_credentials": credentials}


def kafka_python_kwargs(settings: Settings) -> dict[str, Any]:
    """kafka-python client keyword arguments for the configured security."""
    protocol = _check(settings)
    kwargs: dict[str, Any] = {"security_protocol": protocol}
    if protocol.endswith("SSL"):
        kwargs["ssl_context"] = ssl_context(settings)
    if protocol.startswith("SASL_"):
        kwargs["sasl_mechanism"] = settings.sasl_mechanism.upper()
        kwargs["sasl_plain_username"] = settings.sasl_username
        kwargs["sasl_plain_password"] = settings.sasl_password
    return kwargs


def describe(settings: Settings) -> str:
    """The security settings for a log line, without the password."""
    protocol = _check(settings)
    parts = [protocol]
    if protocol.startswith("SASL_"):
        parts.append(f"{settings.sasl_mechanism.upper()} as {settings.sasl_username!r}")
    if protocol.endswith("SSL"):
        parts.append(f"CA {settings.ssl_cafile or 'system'}")
    return ", ".join(parts)


#: What kafka-python logs when a connection fails for want of the right credentials or CA.
_REFUSALS = ("SaslAuthenticationFailedError", "Handshake failed", "CERTIFICATE_VERIFY_FAILED")


class _RefusalRecorder(logging.Handler):
    """Keeps the first authentication or TLS failure kafka-python logs."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.refusal: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.refusal is None:
            message = record.getMessage()
            if any(sign in message for sign in _REFUSALS):
                self.refusal = message


@contextmanager
def refusals_explained(settings: Settings | None, bootstrap: str) -> Iterator[None]:
    """Turn kafka-python's "Unable to bootstrap" timeout into :class:`BrokerRefusedError`
    when what failed was authentication or TLS (kafka-python retries those until its bootstrap
    timeout and then reports only the timeout). Other errors pass through unchanged."""
    from kafka.errors import KafkaTimeoutError

    recorder = _RefusalRecorder()
    logger = logging.getLogger("kafka")
    logger.addHandler(recorder)
    try:
        yield
    except KafkaTimeoutError as exc:
        refusal = recorder.refusal
        if refusal is None and settings is not None and _check(settings) != "PLAINTEXT":
            refusal = probe(bootstrap, settings)
        if refusal is None:
            raise
        how = describe(settings) if settings is not None else "PLAINTEXT"
        raise BrokerRefusedError(f"{bootstrap} refused the connection ({how}): {refusal}") from exc
    finally:
        logger.removeHandler(recorder)


def probe(bootstrap: str, settings: Settings, timeout: float = 15.0) -> str | None:
    """Connect once to each bootstrap address with aiokafka; the first authentication or TLS
    refusal as text, else None (reachable, or unreachable for another reason).

    kafka-python 3.0 drops a response that arrives together with the broker closing the
    socket, which is how a SASL failure arrives: it then sees only "socket disconnected" and
    retries until its timeout. aiokafka reads the failure reliably, so it tells why.
    """
    import asyncio

    from aiokafka.conn import create_conn
    from aiokafka.errors import (
        AuthenticationFailedError,
        SaslAuthenticationFailed,
        UnsupportedSaslMechanismError,
    )

    refused = (
        AuthenticationFailedError,
        SaslAuthenticationFailed,
        UnsupportedSaslMechanismError,
        ssl.SSLError,
    )
    kwargs = kafka_python_kwargs(settings)

    async def attempt(host: str, port: int) -> None:
        timeout_ms = int(timeout * 1000)
        connect = create_conn(host, port, request_timeout_ms=timeout_ms, **kwargs)
        conn = await asyncio.wait_for(connect, timeout)
        conn.close()

    for address in bootstrap.split(","):
        host, _, port = address.strip().rpartition(":")
        try:
            asyncio.run(attempt(host.strip("[]"), int(port)))
        except refused as exc:
            return f"{type(exc).__name__}: {exc}"
        except Exception:  # unreachable, timed out, ...: not a refusal
            continue
    return None


def client_kwargs(settings: Settings | None) -> dict[str, Any]:
    """:func:`kafka_python_kwargs`, or nothing (PLAINTEXT) without settings."""
    return {} if settings is None else kafka_python_kwargs(settings)


def security_variables() -> tuple[str, ...]:
    """The names of the ``NEWSSTREAM_*`` variables that set :data:`FIELDS`."""
    return tuple(var for var, name in env_names().items() if name in FIELDS)


def security_env(settings: Settings | None) -> dict[str, str]:
    """The ``NEWSSTREAM_*`` variables that give a child process (a worker) the same security;
    empty without settings. They hold the password: pass them to a child's environment only."""
    if settings is None:
        return {}
    names = env_names()
    values = {var: str(getattr(settings, names[var])) for var in security_variables()}
    return {var: value for var, value in values.items() if value}
