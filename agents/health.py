"""Observability wiring: ``/metrics`` (Prometheus, Faust's sensors plus ours), the probes
``/live`` and ``/ready``, and ``/health`` (the detail).

All are pages of the worker's web server, bound to ``NEWSSTREAM_WEB_HOST`` (127.0.0.1 by
default).

- ``/live`` (liveness): the event loop answers, and how late its one-second tick ran. It is
  200 during a rebalance and while partitions wait: restarting the pod would not help there.
  It is 503 only when the loop was blocked for ``NEWSSTREAM_STALL_SECONDS``.
- ``/ready`` (readiness): the consumer is in a group generation (not rebalancing), and no
  assigned partition is stalled; 503 otherwise.
- ``/health``: consuming or not, lag per assigned input partition (the end offset minus the
  committed offset; table changelogs left out), and the stalled partitions: lag waiting while
  the committed offset has not moved for ``NEWSSTREAM_STALL_SECONDS``. A stalled worker answers
  503 with ``"status": "stalled"``, never "ok", and ``newsstream_stalled_partitions`` counts
  them.

``newsstream_consumer_lag`` has one series per input partition assigned to this worker now:
a partition revoked by a rebalance loses its series (:func:`publish_lag`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import faust
from faust.sensors.prometheus import setup_prometheus_sensors
from faust.web import Request, Response, View

from streams import metrics

_LAG_INTERVAL = 5.0
_TICK = 1.0


def lag_by_partition(
    end: Mapping[Any, int | None], committed: Mapping[Any, int | None]
) -> dict[str, int]:
    """``topic:partition`` -> messages not yet committed (pure)."""
    lags: dict[str, int] = {}
    for tp, high in end.items():
        if high is None:
            continue
        done = committed.get(tp) or 0
        lags[f"{tp.topic}:{tp.partition}"] = max(high - done, 0)
    return lags


class Progress:
    """Per partition, the committed offset and since when it has not moved while lag waited;
    a partition is stalled once that lasts ``stall_seconds`` (pure: times are passed in)."""

    def __init__(self, stall_seconds: float) -> None:
        self.stall_seconds = stall_seconds
        self._since: dict[str, tuple[int, float]] = {}  # partition -> (committed, waiting since)

    def update(self, committed: Mapping[str, int], lag: Mapping[str, int], now: float) -> None:
        """Note the committed offsets and lag of the assigned partitions at ``now``."""
        since = {}
        for name, waiting in lag.items():
            if waiting <= 0:
                continue
            offset = committed.get(name, 0)
            previous = self._since.get(name)
            since[name] = previous if previous and previous[0] == offset else (offset, now)
        self._since = since

    def stalled(self, now: float) -> list[str]:
        """The partitions with lag whose committed offset has not moved for ``stall_seconds``."""
        return sorted(n for n, (_, t) in self._since.items() if now - t >= self.stall_seconds)


def _committed(app: faust.App) -> dict[str, int]:
    known: Mapping[Any, int | None] = getattr(app.consumer, "_committed_offset", {})
    return {f"{tp.topic}:{tp.partition}": known.get(tp) or 0 for tp in input_partitions(app)}


def publish_lag(
    gauge: Any, previous: set[tuple[str, str]], lag: Mapping[str, int]
) -> set[tuple[str, str]]:
    """Set ``gauge`` (labels topic, partition) to ``lag`` and remove the series of partitions
    in ``previous`` that are no longer in it (revoked); returns the series now published."""
    now = set()
    for name, value in lag.items():
        topic, partition = name.rsplit(":", 1)
        gauge.labels(topic, partition).set(value)
        now.add((topic, partition))
    for gone in previous - now:
        gauge.remove(*gone)
    return now


def input_partitions(app: faust.App) -> list[Any]:
    """The assigned partitions this worker consumes as input: not the tables' changelogs
    (their lag is recovery, not work waiting), not Faust's internal topics."""
    changelogs = set(app.tables.changelog_topics)
    return [
        tp
        for tp in app.consumer.assignment()
        if tp.topic not in changelogs and "__assignor" not in tp.topic
    ]


def _current_lag(app: faust.App) -> dict[str, int]:
    consumer = app.consumer
    assigned = input_partitions(app)
    end = {tp: consumer.highwater(tp) for tp in assigned}
    # Faust keeps the committed offsets on the consumer; it has no public accessor for them.
    known: Mapping[Any, int | None] = getattr(consumer, "_committed_offset", {})
    committed = {tp: known.get(tp) for tp in assigned}
    return lag_by_partition(end, committed)


def not_fetching(app: faust.App) -> list[str]:
    """Assigned input partitions the consumer does not fetch from now (paused during a
    rebalance, or throttled while a stream's buffer is full); changelogs are left out."""
    consumer = app.consumer
    active: set[Any] | None = getattr(consumer, "_active_partitions", None)
    if active is None:
        return []
    changelogs = set(app.tables.changelog_topics)
    return sorted(
        f"{tp.topic}:{tp.partition}"
        for tp in consumer.assignment()
        if tp.topic not in changelogs and tp not in active and "__assignor" not in tp.topic
    )


def wire(app: faust.App, stall_seconds: float = 120.0) -> None:
    """Register ``/metrics``, ``/health`` and the timer that refreshes the lag and stall
    gauges (``stall_seconds``: how long lag may wait on an unmoving offset)."""
    setup_prometheus_sensors(app, name_prefix="faust")
    metrics.build_info()
    progress = Progress(stall_seconds)
    published: set[tuple[str, str]] = set()
    ticks = {"last": time.monotonic(), "late": 0.0}

    @app.page("/live")
    async def live(self: View, request: Request) -> Response:
        late = max(ticks["late"], time.monotonic() - ticks["last"] - _TICK)
        alive = late < stall_seconds
        body = {"status": "alive" if alive else "blocked", "loop_late_seconds": round(late, 3)}
        return self.json(body, status=200 if alive else 503)

    @app.page("/ready")
    async def ready(self: View, request: Request) -> Response:
        try:
            assigned = len(input_partitions(app))
        except Exception as exc:  # not started yet
            return self.json({"status": "starting", "detail": str(exc)}, status=503)
        stalled = progress.stalled(time.monotonic())
        rebalancing = bool(getattr(app, "rebalancing", False))
        started = app.consumer.started if hasattr(app.consumer, "started") else True
        status = (
            "starting" if not started
            else "rebalancing" if rebalancing
            else "stalled" if stalled
            else "ready"
        )  # fmt: skip
        body = {"status": status, "assigned_partitions": assigned, "stalled": stalled}
        return self.json(body, status=200 if status == "ready" else 503)

    @app.timer(interval=_TICK)
    async def tick() -> None:  # how late the loop runs a one-second timer: /live
        now = time.monotonic()
        ticks["late"], ticks["last"] = max(0.0, now - ticks["last"] - _TICK), now

    @app.page("/health")
    async def health(self: View, request: Request) -> Response:
        try:
            assigned = len(input_partitions(app))
            lag = _current_lag(app)
        except Exception as exc:  # not started yet: report it, never fail the probe itself
            return self.json(
                {"status": "starting", "consuming": False, "detail": str(exc)}, status=503
            )
        stalled = progress.stalled(time.monotonic())
        status = "stalled" if stalled else "ok" if assigned else "starting"
        body = {
            "status": status,
            "consuming": assigned > 0,
            "assigned_partitions": assigned,
            "lag": sum(lag.values()),
            "lag_by_partition": lag,
            "not_fetching": not_fetching(app),
            "stalled": stalled,
        }
        return self.json(body, status=200 if status == "ok" else 503)

    @app.timer(interval=_LAG_INTERVAL)
    async def refresh_lag() -> None:
        nonlocal published
        lag = _current_lag(app)
        published = publish_lag(metrics.CONSUMER_LAG, published, lag)
        now = time.monotonic()
        progress.update(_committed(app), lag, now)
        metrics.STALLED_PARTITIONS.set(len(progress.stalled(now)))
