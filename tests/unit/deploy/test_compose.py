"""docker-compose.yml: the broker version `make test` uses, the official image's two-listener
layout (containers on the internal listener, host clients on 127.0.0.1:9092 advertised as
localhost:9092), and a worker service that scales (`--scale worker=2`): no fixed host port,
state per replica, a liveness healthcheck, a restart policy.

There is no Docker engine (nor Compose plugin) on the project's machines, so nothing is run:
the file is read as YAML here, and, once `make deploy-check` has built it, as compose-go (the
loader of `docker compose config`) normalises it, and by `docker compose config` where that
runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from deploy import broker
from streams.settings import load_settings
from tools import deploy_check

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
KAFKA: dict[str, Any] = COMPOSE["services"]["kafka"]
WORKER: dict[str, Any] = COMPOSE["services"]["worker"]


def _listeners(value: str) -> dict[str, tuple[str, int]]:
    """``NAME://host:port,...`` -> {NAME: (host, port)} (an empty host: every interface)."""
    found = {}
    for item in value.split(","):
        name, rest = item.split("://")
        host, port = rest.rsplit(":", 1)
        found[name] = (host, int(port))
    return found


def _short_ports(service: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Short-syntax port mappings as (host ip, host port, container port); '' when absent."""
    out = []
    for entry in service.get("ports", []):
        parts = str(entry).split(":")
        ip, published, target = ([""] * (3 - len(parts)) + parts) if len(parts) < 3 else parts
        out.append((ip, published, target))
    return out


def test_the_broker_is_the_version_make_test_uses() -> None:
    assert KAFKA["image"] == f"apache/kafka:{broker.DEFAULT_VERSION}"
    assert (ROOT / WORKER["build"]["dockerfile"]).is_file()


def test_two_listeners_one_for_containers_one_for_the_host() -> None:
    env = KAFKA["environment"]
    listeners = _listeners(env["KAFKA_LISTENERS"])
    advertised = _listeners(env["KAFKA_ADVERTISED_LISTENERS"])
    protocols = dict(p.split(":") for p in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    assert set(protocols) == set(listeners), "every listener has a security protocol"
    # the controller listens, inside the network only: never advertised, never published
    controller = env["KAFKA_CONTROLLER_LISTENER_NAMES"]
    assert controller in listeners and controller not in advertised
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"1@kafka:{listeners[controller][1]}"
    # the internal listener: advertised under the service's name, used between brokers
    internal = env["KAFKA_INTER_BROKER_LISTENER_NAME"]
    assert advertised[internal] == ("kafka", listeners[internal][1])
    assert KAFKA.get("hostname", "kafka") == "kafka"
    # the external listener: advertised as localhost:9092, published on 127.0.0.1:9092 only
    (external,) = set(advertised) - {internal}
    assert advertised[external] == ("localhost", 9092)
    assert _short_ports(KAFKA) == [("127.0.0.1", "9092", str(listeners[external][1]))]
    published = {int(target) for _, _, target in _short_ports(KAFKA)}
    assert listeners[internal][1] not in published and listeners[controller][1] not in published


def test_the_worker_bootstraps_from_the_internal_listener() -> None:
    advertised = _listeners(KAFKA["environment"]["KAFKA_ADVERTISED_LISTENERS"])
    internal = KAFKA["environment"]["KAFKA_INTER_BROKER_LISTENER_NAME"]
    host, port = advertised[internal]
    assert WORKER["environment"]["NEWSSTREAM_BROKER"] == f"{host}:{port}"
    assert WORKER["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert f"--bootstrap-server {host}:{port}" in " ".join(KAFKA["healthcheck"]["test"])


def test_the_worker_scales_no_fixed_host_port_and_state_per_replica() -> None:
    assert "container_name" not in WORKER, "a fixed container name forbids --scale"
    for ip, published, _ in _short_ports(WORKER):
        assert published == "", "a fixed host port would collide at --scale worker=2"
        assert ip == "127.0.0.1"
    data_dir = WORKER["environment"]["NEWSSTREAM_DATA_DIR"]
    named = set(COMPOSE.get("volumes", {}))
    mounts = [str(v) for v in WORKER.get("volumes", [])]
    assert data_dir in mounts, "the RocksDB directory is an anonymous volume: one per replica"
    assert not any(m.split(":")[0] in named for m in mounts), "no named volume is shared"
    # each worker's environment is accepted as it stands (types, ranges, names)
    settings = load_settings({k: str(v) for k, v in WORKER["environment"].items()})
    assert str(settings.data_dir) == data_dir and settings.web_host == "0.0.0.0"


def test_the_worker_has_a_liveness_healthcheck_and_restarts() -> None:
    test = WORKER["healthcheck"]["test"]
    url = next(word for part in test for word in part.split("'") if word.startswith("http"))
    settings = load_settings({k: str(v) for k, v in WORKER["environment"].items()})
    assert urlsplit(url).port == settings.web_port
    assert urlsplit(url).path == "/live", "/live stays 200 through rebalances; /health does not"
    assert WORKER["restart"] == KAFKA["restart"] == "unless-stopped"
    assert WORKER["healthcheck"]["start_period"]


def test_the_broker_keeps_its_data_in_a_named_volume() -> None:
    log_dirs = KAFKA["environment"]["KAFKA_LOG_DIRS"]
    assert f"kafka-data:{log_dirs}" in KAFKA["volumes"]
    assert "kafka-data" in COMPOSE["volumes"]
    assert "docker compose down -v" in (ROOT / "docker-compose.yml").read_text(encoding="utf-8")


def test_compose_go_agrees_once_built() -> None:
    """The model `docker compose config` would print (compose-go), where `make deploy-check`
    built the loader: valid, and the same layout after normalisation."""
    model = deploy_check.compose_model()
    assert model is not None, "composecheck is not built: `make deploy-check` builds it"
    kafka, worker = model["services"]["kafka"], model["services"]["worker"]
    assert [(p["host_ip"], p.get("published"), p["target"]) for p in kafka["ports"]] == [
        ("127.0.0.1", "9092", 9092)
    ]
    assert [(p["host_ip"], p.get("published"), p["target"]) for p in worker["ports"]] == [
        ("127.0.0.1", None, 6066)
    ]
    assert [(v["type"], v.get("source")) for v in worker["volumes"]] == [("volume", None)]
    assert kafka["volumes"][0]["source"] == "kafka-data"
