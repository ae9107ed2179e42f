"""The worker's /health and /metrics pages, on the real broker."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from cli.supervise import WorkerProcess
from streams.topics import ENRICHED
from tests.integration.harness import collect, feed
from tests.texts import FOOTBALL

pytestmark = pytest.mark.integration


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_health_reports_consumption_and_lag(kafka: str, worker: WorkerProcess) -> None:
    deadline = time.monotonic() + 60
    status, body = _get(worker.web_url + "/health")
    while status != 200 and time.monotonic() < deadline:
        time.sleep(1)
        status, body = _get(worker.web_url + "/health")
    health = json.loads(body)
    assert status == 200 and health["consuming"] is True, health
    assert health["assigned_partitions"] >= 1
    assert isinstance(health["lag"], int) and health["lag"] >= 0


def test_metrics_count_articles_languages_and_dead_letters(
    kafka: str, worker: WorkerProcess
) -> None:
    feed(kafka, [{"id": "metrics-football", **FOOTBALL}])
    collect(kafka, ENRICHED, {"metrics-football"})
    from cli.feed import produce

    produce(kafka, [(b"metrics-bad", b"{oops")], progress=False)
    deadline = time.monotonic() + 30
    text = ""
    while time.monotonic() < deadline:
        text = _get(worker.web_url + "/metrics")[1].decode()
        if 'newsstream_dead_letters_total{reason="payload is not valid JSON"' in text:
            break
        time.sleep(1)
    assert 'newsstream_articles_total{outcome="ok",stage="grouping"}' in text
    assert 'newsstream_language_total{lang="en"}' in text
    assert (
        'newsstream_dead_letters_total{reason="payload is not valid JSON",stage="validation"}'
        in text
    )
    assert "newsstream_open_events" in text and "newsstream_stage_seconds_bucket" in text
