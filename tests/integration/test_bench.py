"""``newsstream bench`` end to end on a small run: every field is there, with sane values.

No speed thresholds here: the targets are checked by the bench command itself, on a quiet
machine. The bench starts (and stops) its own broker, so that no other worker reads its input.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import orjson
import pytest

from tools.bench import STAGES

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "NEWSSTREAM_BROKER"}
    small = ("--articles", "200", "--workers", "1", "--rate", "50", "--latency-articles", "100")
    done = subprocess.run(
        [sys.executable, "-m", "streams", "bench", *small, "--timeout", "240", "--json"],
        env=env,
        capture_output=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-4000:]
    lines = done.stdout.decode().strip().splitlines()
    assert len(lines) > 10, "a readable table comes before the JSON"
    assert lines[0].startswith("newsstream bench")
    parsed: dict[str, Any] = orjson.loads(lines[-1])
    return parsed


def test_run_is_described(result: dict[str, Any]) -> None:
    assert result["articles"] == 200
    assert result["workers"] == 1
    assert result["input"] == "text"
    assert result["complete"] is True
    assert result["dead_lettered"] == 0
    assert result["latency_articles"] == 100


def test_rates_are_positive(result: dict[str, Any]) -> None:
    for name in ("pipeline_per_s", "passthrough_per_s", "inprocess_per_s"):
        assert isinstance(result[name], float) and result[name] > 0, name
    assert result["pipeline_seconds"] > 0
    assert result["offered_per_s"] > 0


def test_latency_percentiles_are_ordered(result: dict[str, Any]) -> None:
    latency = result["latency_ms"]
    assert set(latency) == {"p50", "p95", "p99"}
    assert 0 < latency["p50"] <= latency["p95"] <= latency["p99"] <= result["latency_max_ms"]


def test_each_worker_reports_its_peak_memory(result: dict[str, Any]) -> None:
    assert list(result["peak_rss_mb"]) == ["worker-1"]
    assert 20 < result["peak_rss_mb"]["worker-1"] < 16_000
    assert list(result["peak_pss_mb"]) == ["worker-1"]
    # PSS counts the pages the worker shares with other processes in part: at most its RSS
    assert 20 < result["peak_pss_mb"]["worker-1"] <= result["peak_rss_mb"]["worker-1"] + 1
    assert len(result["pipeline_worker_cpu_s"]) == 1
    assert all(v > 0 for v in result["passthrough_peak_rss_mb"])
    over_feed = result["rss_mb_over_feed"]
    assert list(over_feed) == ["25%", "50%", "75%", "100%"]
    assert all(
        len(mbs) == 1 and 20 < mbs[0] <= result["peak_rss_mb"]["worker-1"] + 1
        for mbs in over_feed.values()
    )
    assert list(result["pss_mb_over_feed"]) == ["25%", "50%", "75%", "100%"]


def test_cpu_shares_cover_every_stage(result: dict[str, Any]) -> None:
    shares = result["cpu_share"]
    assert list(shares) == list(STAGES)
    assert all(0 <= v <= 1 for v in shares.values())
    assert sum(shares.values()) == pytest.approx(1.0, abs=0.01)
    for stage in ("validation", "boilerplate", "language", "evidence", "grouping"):
        assert shares[stage] > 0, stage
    assert result["cpu_ms_per_article"] > 0


def test_the_machine_cpu_of_the_pipeline_is_accounted_for(result: dict[str, Any]) -> None:
    machine = result["pipeline_machine_cpu_s"]
    assert 0 < machine["workers"] <= machine["busy"] <= machine["capacity"]
    assert machine["rest"] == pytest.approx(machine["busy"] - machine["workers"], abs=0.11)
    # the machine's cores over the phase, give or take the sampling of its ends
    cores = os.cpu_count() or 1
    assert machine["capacity"] == pytest.approx(cores * result["pipeline_seconds"], rel=0.5)
    # of the rest: the broker this run started (at work) and the bench's own watcher (200
    # records can round to 0.0 s)
    assert machine["broker"] > 0 and machine["bench"] >= 0
    assert machine["broker"] + machine["bench"] <= machine["rest"] + 0.2
