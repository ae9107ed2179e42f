"""Observability wiring: ``/metrics`` (Prometheus, Faust's sensors plus ours) and ``/health``.

Both are pages of the worker's web server, bound to ``NEWSSTREAM_WEB_HOST`` (127.0.0.1 by
default). ``/health`` says whether the worker consumes (it has partitions assigned) and its
lag: per assigned partition, the end offset minus the committed offset.
"""

from __future__ import annotations

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


def wire(app: faust.App) -> None:
    """Register ``/metrics``, ``/health`` and the timer that refreshes the lag gauge."""
    setup_prometheus_sensors(app, name_prefix="faust")

    @app.page("/health")
    async def health(self: View, request: Request) -> Response:
        try:
            assigned = len(app.consumer.assignment())
            lag = _current_lag(app)
        except Exception as exc:  # not started yet: report it, never fail the probe itself
            return self.json(
                {"status": "starting", "consuming": False, "detail": str(exc)}, status=503
            )
        body = {
            "status": "ok" if assigned else "starting",
            "consuming": assigned > 0,
            "assigned_partitions": assigned,
            "lag": sum(lag.values()),
            "lag_by_partition": lag,
            "not_fetching": not_fetching(app),
        }
        return self.json(body, status=200 if assigned else 503)

    @app.timer(interval=_LAG_INTERVAL)
    async def refresh_lag() -> None:
        for name, value in _current_lag(app).items():
            topic, partition = name.rsplit(":", 1)
            metrics.CONSUMER_LAG.labels(topic, partition).set(value)
