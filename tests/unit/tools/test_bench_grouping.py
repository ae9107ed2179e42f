"""The grouping bench's feed and its report (tools/bench_grouping.py)."""

from __future__ import annotations

from collections import Counter

import pytest

from streams.settings import Settings
from tools.bench_grouping import Feed, Zipf, run


def test_the_feed_is_reproducible_news_like_and_inside_one_window() -> None:
    articles = list(Feed(2000, window=72 * 3600.0))
    assert articles == list(Feed(2000, window=72 * 3600.0))
    assert len({a.id for a in articles}) == 2000
    times = [a.event_time for a in articles]
    assert times == sorted(times) and times[-1] - times[0] < 72 * 3600.0
    per_event = Counter(a.id.split("-")[0] for a in articles)
    assert max(per_event.values()) > 2 and min(per_event.values()) == 1
    keys = Counter(k for a in articles for k in a.evidence)
    assert {k[:2] for k in keys} == {"n:", "p:", "#:"}
    # Zipf-like: the most common name is in far more articles than the median one
    names = sorted((c for k, c in keys.items() if k.startswith("n:")), reverse=True)
    assert names[0] >= 20 * names[len(names) // 2]
    assert any(a.embedding for a in articles) and any(a.embedding is None for a in articles)


def test_zipf_draws_favour_the_first_ranks() -> None:
    import numpy as np

    draws = Counter(Zipf(1000, 1.1, np.random.default_rng(1)).draw(20_000))
    assert draws[0] > draws[9] > draws[99]


def test_the_report_has_a_row_per_tenth(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(Settings(), 500, as_json=True) == 0
    out = capsys.readouterr().out.splitlines()
    import orjson

    report = orjson.loads(out[-1])
    assert [row["open"] for row in report["rows"]] == list(range(50, 501, 50))
    assert all(row["articles_per_s"] > 0 and row["rss_mb"] > 0 for row in report["rows"])


def test_with_models_loads_them_first_and_reports_their_rss(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import orjson

    import cli.worker

    held: list[bytearray] = []

    def load_models(settings: Settings) -> float:  # stands in for the worker's ~1.5 GB
        held.append(bytearray(b"x" * (64 * 1024 * 1024)))
        return 0.5

    monkeypatch.setattr(cli.worker, "load_models", load_models)
    assert run(Settings(), 200, as_json=True, with_models=True) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("models loaded as a worker loads them: +")
    report = orjson.loads(out[-1])
    assert report["models_mb"] >= 60 and report["peak_rss_mb"] >= report["models_mb"]
