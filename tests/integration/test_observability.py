"""The worker's /health and /metrics pages, on the real broker."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid

import pytest

from cli.supervise import WorkerProcess
from streams.topics import ENRICHED, RAW
from tests.integration.harness import PARTITIONS, collect, feed
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
    open_articles = [
        float(line.split()[1])
        for line in text.splitlines()
        if line.startswith("newsstream_open_articles ")
    ]
    assert open_articles and open_articles[0] >= 1  # the grouped articles are held open
    assert "newsstream_grouping_recovery_seconds " in text


def _lag_series(metrics_text: str) -> dict[str, float]:
    """``topic:partition`` -> value of every ``newsstream_consumer_lag`` series."""
    series = {}
    for line in metrics_text.splitlines():
        if line.startswith("newsstream_consumer_lag{"):
            labels, value = line[len("newsstream_consumer_lag{") :].split("} ")
            fields = dict(part.split("=", 1) for part in labels.split(","))
            name = f"{fields['topic'].strip(chr(34))}:{fields['partition'].strip(chr(34))}"
            series[name] = float(value)
    return series


def _ready(w: WorkerProcess, timeout: float = 90.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        status, body = _get(w.web_url + "/ready")
        if status == 200 or time.monotonic() > deadline:
            assert status == 200, body
            return dict(json.loads(body))
        time.sleep(1)


def _settled_lag(w: WorkerProcess, timeout: float = 30.0) -> tuple[dict[str, float], list[str]]:
    """The worker's lag series once they name exactly the partitions /health reports."""
    deadline = time.monotonic() + timeout
    while True:
        series = _lag_series(_get(w.web_url + "/metrics")[1].decode())
        health = json.loads(_get(w.web_url + "/health")[1])
        assigned = sorted(health["lag_by_partition"])
        if sorted(series) == assigned or time.monotonic() > deadline:
            return series, assigned
        time.sleep(1)


def test_probes_and_the_lag_metric_across_a_rebalance(
    kafka: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """/live answers while the worker runs; /ready once it is in a group generation. The lag
    gauge names the input partitions assigned to the worker now: no table changelog, and the
    partitions a rebalance gave to a second worker lose their series on the first."""
    group = f"newsstream-rebalance-{uuid.uuid4().hex[:6]}"

    def start(n: int) -> WorkerProcess:
        w = WorkerProcess(
            {
                "NEWSSTREAM_BROKER": kafka,
                "NEWSSTREAM_APP_ID": group,
                "NEWSSTREAM_DATA_DIR": str(tmp_path_factory.mktemp(f"data-{n}")),
                "NEWSSTREAM_PARTITIONS": str(PARTITIONS),
            },
            tmp_path_factory.mktemp(f"logs-{n}"),
        )
        w.start()
        return w

    first = start(1)
    second = None
    try:
        status, body = _get(first.web_url + "/live")
        assert status == 200 and json.loads(body)["status"] == "alive", body
        _ready(first)
        before, assigned_before = _settled_lag(first)
        print(f"\nlag series before the rebalance (one worker): {sorted(before)}")
        assert sorted(before) == assigned_before
        assert not any("changelog" in name for name in before), before
        raw_before = {n for n in before if n.startswith(f"{RAW}:")}
        assert len(raw_before) == PARTITIONS

        second = start(2)
        _ready(second)
        _ready(first)
        after, assigned_after = _settled_lag(first)
        other, _ = _settled_lag(second)
        print(f"lag series after (first worker): {sorted(after)}")
        print(f"lag series after (second worker): {sorted(other)}")
        assert sorted(after) == assigned_after
        raw_after = {n for n in after if n.startswith(f"{RAW}:")}
        assert raw_after < raw_before, (raw_before, raw_after)
        assert raw_after | {n for n in other if n.startswith(f"{RAW}:")} == raw_before
        assert not set(after) & set(other)
        status, body = _get(first.web_url + "/live")
        assert status == 200, body
    finally:
        if second is not None:
            second.stop()
        first.stop()


def test_build_info_and_end_to_end_latency_are_exposed(kafka: str, worker: WorkerProcess) -> None:
    feed(kafka, [{"id": "metrics-e2e", **FOOTBALL, "title": "End to end"}])
    collect(kafka, ENRICHED, {"metrics-e2e"})
    text = _get(worker.web_url + "/metrics")[1].decode()
    assert 'newsstream_build_info{aiokafka="' in text and 'faust="0.15.3"' in text
    count = next(
        float(line.split()[-1])
        for line in text.splitlines()
        if line.startswith("newsstream_end_to_end_seconds_count")
    )
    assert count >= 1
