"""Run ``newsstream worker`` as a child process (used by ``demo``, the benchmark and tests)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from streams.settings import Settings, child_environment, is_set

#: What the Faust worker logs once every agent runs.
READY_LINE = "[^Worker]: Ready"
#: What the worker logs when its web port was taken before it could bind it.
PORT_TAKEN = "address already in use"


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_broker(
    workdir: Path,
    version: str,
    say: Callable[[str], None] = print,
    extra: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """A one-node KRaft broker on free loopback ports in ``workdir``, stopped on exit; yields
    its bootstrap address (``demo`` and ``bench`` run on one of these). ``extra``:
    server.properties entries over the single-node defaults."""
    from deploy import broker

    cfg = broker.BrokerConfig(
        version=broker.resolve_version(version),
        port=free_port(),
        controller_port=free_port(),
        data_dir=workdir / "kafka",
        extra=dict(extra or {}),
    )
    say(f"starting Apache Kafka {cfg.version} (KRaft, one node) on {broker.bootstrap(cfg)} ...")
    began = time.monotonic()
    broker.start(cfg)
    say(f"  ready in {time.monotonic() - began:.1f}s")
    try:
        yield broker.bootstrap(cfg)
    finally:
        broker.stop(cfg)
        say("broker stopped")


@contextmanager
def broker_for(
    settings: Settings,
    workdir: Path,
    say: Callable[[str], None] = print,
    extra: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """The broker ``NEWSSTREAM_BROKER`` names, or else a local one in ``workdir`` (with
    ``extra`` server.properties) for as long as the context lasts; yields the bootstrap
    address."""
    if is_set("NEWSSTREAM_BROKER"):
        say(f"using the configured broker {settings.broker}")
        yield settings.broker
        return
    with local_broker(workdir, settings.kafka_version, say, extra) as bootstrap:
        yield bootstrap


def broker_security(settings: Settings, bootstrap: str) -> Settings | None:
    """The settings to connect to ``bootstrap`` with: ``settings`` (and so their security) for
    the configured broker, None (PLAINTEXT) for a local one that :func:`broker_for` started
    (those listen on free ephemeral ports, never on the configured address)."""
    return settings if bootstrap == settings.broker else None


@dataclass
class WorkerProcess:
    """A worker subprocess with its own settings (``NEWSSTREAM_*``), restartable."""

    env_overrides: dict[str, str]
    log_dir: Path
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    _log: IO[bytes] | None = field(default=None, repr=False)
    #: What the worker runs: ``python ARGS...``.
    args: tuple[str, ...] = ("-m", "streams", "worker")
    #: How many ready lines it logs once it is ready (``newsstream worker --processes N``: N).
    ready_lines: int = 1

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"worker-{self.starts}.log"

    def __post_init__(self) -> None:
        self.env_overrides.setdefault("NEWSSTREAM_WEB_PORT", str(free_port()))

    @property
    def web_url(self) -> str:
        """The worker's web server (``/health``, ``/metrics``)."""
        return f"http://127.0.0.1:{self.env_overrides['NEWSSTREAM_WEB_PORT']}"

    def env(self) -> dict[str, str]:
        return child_environment(self.env_overrides)

    def start(self, timeout: float = 120.0) -> None:
        """Start the worker and return once it logs that it is ready.

        The web port was free when it was picked, but any socket (a client's connection to
        the broker) may take it before the worker binds it: a worker that exits for that
        reason is started again on another port (three times at most).
        """
        for attempt in range(3):
            self.starts += 1
            self.log_dir.mkdir(parents=True, exist_ok=True)
            self._log = self.log_path.open("wb")
            self.proc = subprocess.Popen(
                [sys.executable, *self.args],
                env=self.env(),
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    log = self.log_path.read_text(errors="replace")
                    if PORT_TAKEN in log and attempt < 2:
                        self.stop()
                        self.env_overrides["NEWSSTREAM_WEB_PORT"] = str(free_port())
                        break
                    raise RuntimeError(f"worker exited with {self.proc.returncode}:\n{self.tail()}")
                ready = self.log_path.read_text(errors="replace").count(READY_LINE)
                if ready:
                    self.on_ready_line(ready)
                if ready >= self.ready_lines:
                    self.on_ready()
                    return
                time.sleep(0.1)
            else:
                self.stop()
                raise TimeoutError(f"worker not ready after {timeout:.0f}s:\n{self.tail()}")

    def on_ready_line(self, count: int) -> None:
        """Called while it starts, once its log holds ``count`` (>= 1) ready lines."""

    def on_ready(self) -> None:
        """Called once the worker logged that it is ready (all its processes)."""

    def stop(self, timeout: float = 60.0) -> None:
        """SIGTERM, wait (SIGKILL after ``timeout``)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def tail(self, lines: int = 60) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
