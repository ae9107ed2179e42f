"""The pure parts of ``/health``: lag per partition and the partitions not being fetched."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from faust.types import TP

from agents.health import Progress, lag_by_partition, not_fetching


def _app(assigned: set[TP], active: set[TP] | None) -> Any:
    consumer = SimpleNamespace(assignment=lambda: assigned, _active_partitions=active)
    tables = SimpleNamespace(changelog_topics={"app-events-changelog"})
    return SimpleNamespace(consumer=consumer, tables=tables)


def test_lag_is_end_minus_committed_never_negative() -> None:
    a, b = TP("news.raw", 0), TP("news.raw", 1)
    assert lag_by_partition({a: 10, b: 3}, {a: 4, b: 5}) == {"news.raw:0": 6, "news.raw:1": 0}


def test_not_fetching_lists_paused_input_partitions_only() -> None:
    raw0, raw1 = TP("news.raw", 0), TP("news.raw", 1)
    changelog = TP("app-events-changelog", 0)
    app = _app({raw0, raw1, changelog}, active={raw0})
    assert not_fetching(app) == ["news.raw:1"]
    assert not_fetching(_app({raw0}, active=None)) == []


def test_a_partition_is_stalled_when_lag_waits_on_an_unmoving_offset() -> None:
    progress = Progress(stall_seconds=60)
    progress.update({"news.prepared:0": 10}, {"news.prepared:0": 9, "news.raw:1": 0}, now=0.0)
    assert progress.stalled(now=59.0) == []
    progress.update({"news.prepared:0": 10}, {"news.prepared:0": 9, "news.raw:1": 0}, now=59.0)
    assert progress.stalled(now=60.0) == ["news.prepared:0"]


def test_a_moving_offset_or_no_lag_is_not_stalled() -> None:
    progress = Progress(stall_seconds=60)
    progress.update({"news.raw:0": 10, "news.raw:1": 5}, {"news.raw:0": 3, "news.raw:1": 2}, 0.0)
    progress.update({"news.raw:0": 11, "news.raw:1": 5}, {"news.raw:0": 3, "news.raw:1": 0}, 50.0)
    assert progress.stalled(now=100.0) == []  # 0 moved at 50 s; 1 has nothing waiting
    assert progress.stalled(now=110.0) == ["news.raw:0"]


def test_the_lag_gauge_drops_the_series_of_revoked_partitions() -> None:
    from prometheus_client import CollectorRegistry, Gauge

    from agents.health import publish_lag

    gauge = Gauge("lag", "lag", ["topic", "partition"], registry=CollectorRegistry())

    def series() -> dict[tuple[str, str], float]:
        [metric] = gauge.collect()
        return {(s.labels["topic"], s.labels["partition"]): s.value for s in metric.samples}

    published = publish_lag(gauge, set(), {"news.raw:0": 3, "news.raw:1": 0, "news.prepared:0": 7})
    assert series() == {("news.raw", "0"): 3, ("news.raw", "1"): 0, ("news.prepared", "0"): 7}
    published = publish_lag(gauge, published, {"news.raw:1": 2})  # a rebalance took two
    assert series() == {("news.raw", "1"): 2}
    assert published == {("news.raw", "1")}
