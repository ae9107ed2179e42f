"""docker-compose.yml runs the broker version `make test` uses and the worker from deploy/."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from deploy import broker

ROOT = Path(__file__).resolve().parents[3]


def _compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return probe.returncode == 0


def test_compose_file_matches_the_local_broker() -> None:
    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    kafka, worker = doc["services"]["kafka"], doc["services"]["worker"]
    assert kafka["image"] == f"apache/kafka:{broker.DEFAULT_VERSION}"
    assert (ROOT / worker["build"]["dockerfile"]).is_file()
    assert worker["environment"]["NEWSSTREAM_BROKER"] == "kafka:9092"
    if _compose_available():  # where a docker client with compose exists, it must agree
        subprocess.run(
            ["docker", "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
            check=True,
        )
