"""A local single-node Apache Kafka broker (KRaft, no ZooKeeper, no Docker).

The broker's jars come from Maven Central through ``deploy/pom.xml`` and are cached outside
the repository, in ``${NEWSSTREAM_CACHE:-~/.cache/newsstream}/kafka/<version>/lib``. Its
state (``server.properties``, the KRaft log dirs, ``server.log``, the pid file) lives in
``${NEWSSTREAM_STATE:-~/.local/state/newsstream}/kafka-<version>-<port>`` unless a
``data_dir`` is given. Standard library only, so it runs before anything else is installed.

Manual use::

    python -m deploy.broker start  [--version 4.1.x] [--port 9092]
    python -m deploy.broker status [--version 4.1.x] [--port 9092]
    python -m deploy.broker stop   [--version 4.1.x] [--port 9092]

The version comes from ``--version``, else ``$KAFKA_VERSION``, else :data:`DEFAULT_VERSION`;
``4.1.x`` and ``3.9.x`` stand for the newest patch release known to work (:data:`VERSIONS`).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from streams.settings import load_settings

#: Shorthands accepted wherever a version is, mapped to the newest patch release checked.
VERSIONS: Mapping[str, str] = MappingProxyType(
    {
        "4.1.x": "4.1.2",
        "4.1": "4.1.2",
        "3.9.x": "3.9.2",
        "3.9": "3.9.2",
    }
)
DEFAULT_VERSION = VERSIONS["4.1.x"]

#: SCRAM mechanisms a :class:`SecureListeners` may enable.
SCRAM_MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256")
#: What a SCRAM user name or password may hold here (the format tool's syntax has no quoting).
_SCRAM_VALUE = re.compile(r"[^\s,\[\]\"'=]+")
#: What KafkaRaftServer logs once the broker serves clients.
READY_LINE = "Kafka Server started"
#: Modest JVM heap for a development broker (the role of KAFKA_HEAP_OPTS).
HEAP_OPTS: tuple[str, ...] = ("-Xmx512m", "-Xms256m")
#: ``TieredStopAtLevel=1``: the client compiler only. A fresh broker's C2 compiler threads took
#: 44% of its CPU through the first minutes (per-thread ``/proc`` ticks: 1.36 of
#: 3.11 s in 15 s of a bench), CPU that a local broker takes from the workers on the same
#: cores. Measured, ``newsstream bench --articles 6000 --workers 2``: broker 6.4-7.0 -> 3.8
#: CPU seconds over the pipeline phase, pipeline 236-250 -> 257/s, pass-through 2,065 -> 4,826/s.
JVM_OPTS: tuple[str, ...] = (
    "-XX:+UseG1GC",
    "-XX:TieredStopAtLevel=1",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-Djava.awt.headless=true",
)
#: server.log is moved aside to server.log.1 at start when larger than this.
LOG_ROTATE_BYTES = 20 * 1024 * 1024

DEPLOY_DIR = Path(__file__).resolve().parent
POM = DEPLOY_DIR / "pom.xml"
LOG4J2_CONFIG = DEPLOY_DIR / "log4j2.properties"  # Kafka 4.x
LOG4J_CONFIG = DEPLOY_DIR / "log4j.properties"  # Kafka 3.x

# Brokers this process started: kept so they can be reaped (no zombies, no ResourceWarning).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


class BrokerError(RuntimeError):
    """The broker could not be fetched, started or stopped; the message says why."""


def _normalise_version(version: str) -> str:
    v = VERSIONS.get(version.strip(), version.strip())
    parts = v.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        known = ", ".join(sorted(VERSIONS))
        raise ValueError(f"Kafka version must be X.Y.Z or one of {known}; got {version!r}")
    return v


def resolve_version(version: str | None = None) -> str:
    """``version``, else the setting (``$KAFKA_VERSION``), else :data:`DEFAULT_VERSION`;
    shorthands mapped."""
    return _normalise_version(version or load_settings().kafka_version or DEFAULT_VERSION)


def major_version(version: str) -> int:
    return int(_normalise_version(version).split(".", 1)[0])


def state_home() -> Path:
    """The setting ``state_dir`` (``$NEWSSTREAM_STATE``, else the XDG state home)."""
    return load_settings().state_dir


def cache_home() -> Path:
    """The setting ``cache_dir`` (``$NEWSSTREAM_CACHE``, else the XDG cache home)."""
    return load_settings().cache_dir


@dataclass(frozen=True)
class SecureListeners:
    """TLS listeners beside the broker's PLAINTEXT one: SASL_SSL with SCRAM users (created when
    the storage is formatted) and, if ``ssl_port`` is set, a TLS-only one without SASL.

    ``keystore`` is a PEM file with the server's unencrypted PKCS#8 key and its certificate
    chain (:func:`deploy.tls.make_server_tls` writes one). The passwords are never logged.
    """

    keystore: Path
    sasl_ssl_port: int
    #: SCRAM user name -> password.
    scram_users: Mapping[str, str] = field(default_factory=dict, repr=False)
    mechanism: str = "SCRAM-SHA-512"
    ssl_port: int | None = None

    def __post_init__(self) -> None:
        if self.mechanism not in SCRAM_MECHANISMS:
            raise ValueError(f"mechanism must be one of {', '.join(SCRAM_MECHANISMS)}")
        for name, password in self.scram_users.items():
            for what, value in (("user name", name), ("password", password)):
                if not _SCRAM_VALUE.fullmatch(value):
                    raise ValueError(
                        f"SCRAM {what} of {name!r} must be non-empty, without spaces, "
                        "commas, quotes, brackets or '='"
                    )
        object.__setattr__(self, "keystore", Path(self.keystore).expanduser().absolute())
        object.__setattr__(self, "scram_users", MappingProxyType(dict(self.scram_users)))

    @property
    def ports(self) -> tuple[int, ...]:
        return (
            (self.sasl_ssl_port,) if self.ssl_port is None else (self.sasl_ssl_port, self.ssl_port)
        )


@dataclass(frozen=True)
class BrokerConfig:
    """Where and how the local broker runs. ``data_dir``/``cache_dir`` default from the rest."""

    version: str = DEFAULT_VERSION
    host: str = "127.0.0.1"
    port: int = 9092
    controller_port: int = 9093
    #: Default: ``state_home()/kafka-<version>-<port>``. Always a Path once constructed.
    data_dir: Path = None  # type: ignore[assignment]
    #: Default: ``cache_home()/kafka/<version>``. Always a Path once constructed.
    cache_dir: Path = None  # type: ignore[assignment]
    #: Extra server.properties entries; they win over the single-node defaults.
    extra: Mapping[str, str] = field(default_factory=dict)
    #: TLS (SASL_SSL, SSL) listeners in addition to PLAINTEXT; None: PLAINTEXT only.
    secure: SecureListeners | None = None

    def __post_init__(self) -> None:
        version = _normalise_version(self.version)
        object.__setattr__(self, "version", version)
        ports = self.all_ports
        if len(set(ports)) != len(ports):
            raise ValueError(f"the broker's ports must differ; got {ports}")
        data_dir = self.data_dir or state_home() / f"kafka-{version}-{self.port}"
        cache_dir = self.cache_dir or cache_home() / "kafka" / version
        object.__setattr__(self, "data_dir", Path(data_dir).expanduser().absolute())
        object.__setattr__(self, "cache_dir", Path(cache_dir).expanduser().absolute())
        extra = {str(k): str(v) for k, v in dict(self.extra).items()}
        object.__setattr__(self, "extra", MappingProxyType(extra))

    @classmethod
    def from_env(cls, **overrides: Any) -> BrokerConfig:
        """A config whose version is ``$KAFKA_VERSION`` (or the default) unless overridden."""
        overrides.setdefault("version", resolve_version(None))
        return cls(**overrides)

    @property
    def all_ports(self) -> tuple[int, ...]:
        """Every port the broker listens on (clients, controller, TLS listeners)."""
        return (self.port, self.controller_port, *(self.secure.ports if self.secure else ()))

    @property
    def lib_dir(self) -> Path:
        return self.cache_dir / "lib"

    @property
    def properties_file(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def log_dirs(self) -> Path:
        return self.data_dir / "kraft-data"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "server.log"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "kafka.pid"

    @property
    def advertised_host(self) -> str:
        return "127.0.0.1" if self.host in ("", "0.0.0.0", "::") else self.host


def bootstrap(cfg: BrokerConfig) -> str:
    """The ``host:port`` PLAINTEXT clients connect to."""
    return f"{cfg.advertised_host}:{cfg.port}"


def sasl_ssl_bootstrap(cfg: BrokerConfig) -> str:
    """The ``host:port`` of the SASL_SSL listener (``cfg.secure`` must be set)."""
    if cfg.secure is None:
        raise ValueError("this broker has no SASL_SSL listener (BrokerConfig.secure is None)")
    return f"{cfg.advertised_host}:{cfg.secure.sasl_ssl_port}"


def ssl_bootstrap(cfg: BrokerConfig) -> str:
    """The ``host:port`` of the TLS-only listener (``cfg.secure.ssl_port`` must be set)."""
    if cfg.secure is None or cfg.secure.ssl_port is None:
        raise ValueError("this broker has no SSL listener (BrokerConfig.secure.ssl_port)")
    return f"{cfg.advertised_host}:{cfg.secure.ssl_port}"


# --------------------------------------------------------------------------- jars


def _which(tool: str, hint: str) -> str:
    found = shutil.which(tool)
    java_home = load_settings().java_home if tool == "java" and found is None else ""
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        found = str(candidate) if candidate.is_file() else None
    if found is None:
        raise BrokerError(f"{tool!r} is not on PATH: {hint}")
    return found


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(_ANSI.sub("", text).rstrip().splitlines()[-lines:])


def fetch_jars(cfg: BrokerConfig) -> Path:
    """Download the broker's jars into ``cfg.lib_dir`` once (Maven); return that directory."""
    lib = cfg.lib_dir
    if (lib / ".complete").is_file():
        return lib
    mvn = _which("mvn", "install Maven 3.8+ (Debian: apt-get install maven)")
    profile = "log4j2" if major_version(cfg.version) >= 4 else "reload4j"
    cfg.cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cfg.cache_dir / f"lib.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    cmd = [
        mvn,
        "-q",
        "-B",
        "-Dstyle.color=never",
        "-f",
        str(POM),
        "dependency:copy-dependencies",
        f"-Dkafka.version={cfg.version}",
        f"-P{profile}",
        f"-DoutputDirectory={tmp}",
    ]
    proc = subprocess.run(
        cmd, cwd=cfg.cache_dir, stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    main_jar = tmp / f"kafka_2.13-{cfg.version}.jar"
    if proc.returncode != 0 or not main_jar.is_file():
        shutil.rmtree(tmp, ignore_errors=True)
        raise BrokerError(
            f"could not fetch the jars of Kafka {cfg.version} from Maven Central "
            f"(mvn exit {proc.returncode}; does that version exist?)\n"
            f"command: {' '.join(cmd)}\n{_tail(proc.stdout + proc.stderr)}"
        )
    (tmp / ".complete").write_text(f"kafka {cfg.version} via {POM.name} -P{profile}\n")
    if lib.exists():  # an earlier, interrupted fetch
        shutil.rmtree(lib, ignore_errors=True)
    try:
        tmp.rename(lib)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (lib / ".complete").is_file():
            raise
    return lib


# --------------------------------------------------------------------------- configuration


def server_properties(cfg: BrokerConfig) -> dict[str, str]:
    """The server.properties of a single-node broker+controller, with ``cfg.extra`` applied."""
    props = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{cfg.advertised_host}:{cfg.controller_port}",
        "listeners": f"PLAINTEXT://{cfg.host}:{cfg.port},CONTROLLER://{cfg.host}:{cfg.controller_port}",
        "advertised.listeners": f"PLAINTEXT://{cfg.advertised_host}:{cfg.port}",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "log.dirs": str(cfg.log_dirs),
        "num.partitions": "1",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "auto.create.topics.enable": "false",
    }
    if major_version(cfg.version) >= 4:
        props["share.coordinator.state.topic.replication.factor"] = "1"
        props["share.coordinator.state.topic.min.isr"] = "1"
    if cfg.secure is not None:
        props.update(_secure_properties(cfg, cfg.secure))
    props.update(cfg.extra)
    return props


def _secure_properties(cfg: BrokerConfig, secure: SecureListeners) -> dict[str, str]:
    """The TLS listeners' entries. Brokers still talk to each other (and the controller) over
    PLAINTEXT on loopback, so the broker itself needs no SCRAM credentials of its own."""
    names = [("SASL_SSL", secure.sasl_ssl_port)]
    if secure.ssl_port is not None:
        names.append(("SSL", secure.ssl_port))
    listeners = ",".join(f"{name}://{cfg.host}:{port}" for name, port in names)
    advertised = ",".join(f"{name}://{cfg.advertised_host}:{port}" for name, port in names)
    protocols = ",".join(f"{name}:{name}" for name, _ in names)
    mechanism = secure.mechanism
    return {
        "listeners": f"PLAINTEXT://{cfg.host}:{cfg.port},{listeners},"
        f"CONTROLLER://{cfg.host}:{cfg.controller_port}",
        "advertised.listeners": f"PLAINTEXT://{cfg.advertised_host}:{cfg.port},{advertised}",
        "listener.security.protocol.map": f"PLAINTEXT:PLAINTEXT,{protocols},CONTROLLER:PLAINTEXT",
        "sasl.enabled.mechanisms": mechanism,
        "listener.name.sasl_ssl.sasl.enabled.mechanisms": mechanism,
        f"listener.name.sasl_ssl.{mechanism.lower()}.sasl.jaas.config": (
            "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        ),
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": str(secure.keystore),
        "ssl.client.auth": "none",
    }


def _escape(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    return "\\" + escaped if escaped[:1].isspace() else escaped


def _write_properties(path: Path, props: Mapping[str, str]) -> None:
    lines = ["# Written by deploy/broker.py at every start; edit BrokerConfig.extra instead."]
    lines += [f"{key}={_escape(value)}" for key, value in props.items()]
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)


def _logging_opts(cfg: BrokerConfig) -> list[str]:
    if major_version(cfg.version) >= 4:
        return [f"-Dlog4j2.configurationFile={LOG4J2_CONFIG}"]
    return [f"-Dlog4j.configuration={LOG4J_CONFIG.as_uri()}"]


def _java_cmd(cfg: BrokerConfig, main_class: str, *args: str) -> list[str]:
    java = _which("java", "install a JDK 17+ (Debian: apt-get install openjdk-17-jre-headless)")
    return [
        java,
        *HEAP_OPTS,
        *JVM_OPTS,
        *_logging_opts(cfg),
        f"-Dkafka.logs.dir={cfg.data_dir}",
        "-cp",
        f"{cfg.lib_dir}/*",
        main_class,
        *args,
    ]


def new_cluster_id() -> str:
    """A random 22-character base64url id (16 bytes), the form Kafka expects."""
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")
        if not cid.startswith("-"):  # such ids read as options on a command line
            return cid


def _scram_args(cfg: BrokerConfig) -> list[str]:
    if cfg.secure is None:
        return []
    mechanism = cfg.secure.mechanism
    args: list[str] = []
    for name, password in cfg.secure.scram_users.items():
        args += ["--add-scram", f"{mechanism}=[name={name},password={password}]"]
    return args


def _redact(text: str, cfg: BrokerConfig) -> str:
    """``text`` with the SCRAM passwords replaced by ``***``."""
    for password in cfg.secure.scram_users.values() if cfg.secure else ():
        text = text.replace(password, "***")
    return text


def _format_storage(cfg: BrokerConfig) -> None:
    """Format the KRaft log dirs once, creating ``cfg.secure``'s SCRAM users (a data dir
    formatted earlier keeps the users it was formatted with)."""
    if (cfg.log_dirs / "meta.properties").is_file():
        return
    cmd = _java_cmd(
        cfg,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        new_cluster_id(),
        "-c",
        str(cfg.properties_file),
        "--ignore-formatted",
        *_scram_args(cfg),
    )
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BrokerError(
            f"formatting the KRaft storage in {cfg.log_dirs} failed (exit {proc.returncode})\n"
            f"{_redact(_tail(proc.stdout + proc.stderr), cfg)}"
        )


# --------------------------------------------------------------------------- processes


def _port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _read_pid(cfg: BrokerConfig) -> int | None:
    try:
        return int(cfg.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:  # our own child, now reaped
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


def _is_our_broker(pid: int, cfg: BrokerConfig) -> bool:
    """``pid`` is alive and (where /proc tells) is kafka.Kafka on this data dir."""
    if not _alive(pid):
        return False
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True
    return b"kafka.Kafka" in argv and str(cfg.properties_file).encode() in argv


def _read_log_from(path: Path, offset: int) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _kill(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        child.wait()
    return True


def start(cfg: BrokerConfig, timeout: float = 120) -> int:
    """Start the broker (fetching jars and formatting storage if needed); return its pid.

    Returns the running broker's pid when it is already up. Raises :class:`BrokerError` with
    the tail of ``server.log`` when the broker exits or is not ready within ``timeout`` s of
    being spawned (a first download of the jars does not count against it).
    """
    deadline = time.monotonic() + timeout
    pid = _read_pid(cfg)
    if pid is not None and _is_our_broker(pid, cfg):
        while not _port_open(cfg.advertised_host, cfg.port):
            if not _alive(pid):
                break
            if time.monotonic() >= deadline:
                raise BrokerError(f"broker pid {pid} is running but {bootstrap(cfg)} is closed")
            time.sleep(0.2)
        else:
            return pid
    cfg.pid_file.unlink(missing_ok=True)
    for port in cfg.all_ports:
        if _port_open(cfg.advertised_host, port):
            raise BrokerError(
                f"port {port} on {cfg.advertised_host} is already taken by another process "
                f"(another broker? `python -m deploy.broker status --port {cfg.port}`)"
            )

    fetch_jars(cfg)
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    _write_properties(cfg.properties_file, server_properties(cfg))
    _format_storage(cfg)

    log_file = cfg.log_file
    if log_file.is_file() and log_file.stat().st_size > LOG_ROTATE_BYTES:
        log_file.replace(log_file.with_name(log_file.name + ".1"))
    cmd = _java_cmd(cfg, "kafka.Kafka", str(cfg.properties_file))
    with log_file.open("ab") as log:
        log.write(
            f"\n===== {time.strftime('%Y-%m-%dT%H:%M:%S')} start Kafka {cfg.version}\n".encode()
        )
        log.flush()
        offset = log.tell()
        child = subprocess.Popen(
            cmd,
            cwd=cfg.data_dir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _CHILDREN[child.pid] = child
    cfg.pid_file.write_text(f"{child.pid}\n")
    deadline = time.monotonic() + timeout

    while True:
        code = child.poll()
        if code is not None:
            _CHILDREN.pop(child.pid, None)
            cfg.pid_file.unlink(missing_ok=True)
            raise BrokerError(
                f"Kafka {cfg.version} exited with code {code} while starting; "
                f"tail of {log_file}:\n{_tail(_read_log_from(log_file, offset))}"
            )
        if READY_LINE in _read_log_from(log_file, offset) and _port_open(
            cfg.advertised_host, cfg.port
        ):
            return child.pid
        if time.monotonic() >= deadline:
            _kill(child.pid, signal.SIGKILL)
            _wait_gone(child.pid, 10)
            cfg.pid_file.unlink(missing_ok=True)
            raise BrokerError(
                f"Kafka {cfg.version} was not ready on {bootstrap(cfg)} within {timeout:.0f} s "
                f"and was killed; tail of {log_file}:\n{_tail(_read_log_from(log_file, offset))}"
            )
        time.sleep(0.2)


def stop(cfg: BrokerConfig, timeout: float = 60) -> bool:
    """Stop the broker (SIGTERM, then SIGKILL after ``timeout`` s); True if it was running."""
    pid = _read_pid(cfg)
    if pid is None or not _is_our_broker(pid, cfg):
        cfg.pid_file.unlink(missing_ok=True)
        return False
    _kill(pid, signal.SIGTERM)
    if not _wait_gone(pid, timeout):
        _kill(pid, signal.SIGKILL)
        if not _wait_gone(pid, 15):
            raise BrokerError(f"broker pid {pid} survived SIGKILL")
    cfg.pid_file.unlink(missing_ok=True)
    return True


def status(cfg: BrokerConfig) -> dict[str, Any]:
    """``running`` (process up and port open), ``pid``, ``bootstrap``, ``version``, paths."""
    pid = _read_pid(cfg)
    alive = pid is not None and _is_our_broker(pid, cfg)
    return {
        "running": alive and _port_open(cfg.advertised_host, cfg.port),
        "pid": pid if alive else None,
        "bootstrap": bootstrap(cfg),
        "version": cfg.version,
        "data_dir": str(cfg.data_dir),
        "log_file": str(cfg.log_file),
    }


# --------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.broker", description="A local single-node Kafka broker (KRaft)."
    )
    parser.add_argument("action", choices=["fetch", "start", "stop", "status"])
    parser.add_argument("--version", help=f"X.Y.Z or {'/'.join(VERSIONS)} (env KAFKA_VERSION)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9092)
    parser.add_argument("--controller-port", type=int, help="default: --port + 1")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    try:
        cfg = BrokerConfig(
            version=resolve_version(args.version),
            host=args.host,
            port=args.port,
            controller_port=args.controller_port or args.port + 1,
            data_dir=args.data_dir,
        )
    except ValueError as exc:
        parser.error(str(exc))
    try:
        if args.action == "fetch":
            print(f"Kafka {cfg.version} jars in {fetch_jars(cfg)}")
            return 0
        if args.action == "start":
            began = time.monotonic()
            pid = start(cfg, timeout=args.timeout)
            print(
                f"Kafka {cfg.version} ready on {bootstrap(cfg)} (pid {pid}, "
                f"{time.monotonic() - began:.1f} s; log {cfg.log_file})"
            )
            return 0
        if args.action == "stop":
            print("stopped" if stop(cfg, timeout=args.timeout) else "was not running")
            return 0
        info = status(cfg)
        print(json.dumps(info, indent=2))
        return 0 if info["running"] else 3
    except BrokerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
