"""Observability wiring: ``/metrics`` (Prometheus, Faust's sensors plus ours) and ``/health``.

Both are pages of the worker's web server, bound to ``NEWSSTREAM_WEB_HOST`` (127.0.0.1 by
default). ``/health`` says whether the worker consumes (it has partitions assigned), its
lag (per assigned partition, the end offset minus the committed offset) and the partitions
that are stalled: lag waiting while the committed offset has not moved for
``NEWSSTREAM_STALL_SECONDS``. A stalled worker answers 503 with ``"status": "stalled"``, never
"ok", and ``newsstream_stalled_partitions`` counts them.
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
    consumer = app.consumer
    known: Mapping[Any, int | None] = getattr(consumer, "_committed_offset", {})
    return {f"{tp.topic}:{tp.partition}": known.get(tp) or 0 for tp in consumer.assignment()}


def _current_lag(app: faust.App) -> dict[str, int]:
    consumer = app.consumer
    assigned = consumer.assignment()
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
    progress = Progress(stall_seconds)

    @app.page("/health")
    async def health(self: View, request: Request) -> Response:
        try:
            assigned = len(app.consumer.assignment())
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
        lag = _current_lag(app)
        for name, value in lag.items():
            topic, partition = name.rsplit(":", 1)
            metrics.CONSUMER_LAG.labels(topic, partition).set(value)
        now = time.monotonic()
        progress.update(_committed(app), lag, now)
        metrics.STALLED_PARTITIONS.set(len(progress.stalled(now)))
