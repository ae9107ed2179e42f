"""The held-out extraction set: its scoring, its pages read from the module's zip, the ranking."""

import argparse
import zipfile
from pathlib import Path

import pytest

from streams.settings import Settings
from tools.eval_pages import Score, below_reference, load_pages, run, score, summary

_PREFIX = "github.com/go-shiori/go-readability@v0.0.0-1"
_BODY = (
    "The harbour bridge reopened on Monday after eight months of repairs, the city council "
    "said. Ferries will keep their timetable until the end of the month."
)


def test_words_are_scored_as_multisets_case_folded() -> None:
    assert score("Bridge bridge opens", "bridge Opens") == Score(2 / 3, 1.0, 0.8)
    assert score("", "bridge") == Score(0.0, 0.0, 0.0)
    assert score(None, "bridge") == Score(0.0, 0.0, 0.0)
    assert score("menu", "bridge") == Score(0.0, 0.0, 0.0)


def _zip(tmp_path: Path) -> Path:
    path = tmp_path / "module.zip"
    page = (
        "<html><head><title>Bridge</title></head><body><nav>Home | News | Sport</nav>"
        f"<article><h1>Bridge reopens</h1><p>{_BODY}</p></article>"
        "<footer>Imprint Contact</footer></body></html>"
    )
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr(f"{_PREFIX}/LICENSE", "MIT")
        zipped.writestr(f"{_PREFIX}/test-pages/bridge/source.html", page)
        zipped.writestr(f"{_PREFIX}/test-pages/bridge/expected.html", f"<div><p>{_BODY}</p></div>")
        zipped.writestr(f"{_PREFIX}/test-pages/no-gold/source.html", page)
    return path


def test_pages_are_read_from_the_module_zip_and_a_page_without_gold_is_left_out(
    tmp_path: Path,
) -> None:
    pages = list(load_pages(_zip(tmp_path)))
    assert [p.name for p in pages] == ["bridge"]
    assert pages[0].gold.strip() == _BODY
    assert b"<nav>" in pages[0].raw


def test_the_pages_below_the_reference_come_furthest_first() -> None:
    def rows(ours: float, reference: float) -> dict[str, Score]:
        return {
            "HTML trafilatura": Score(1.0, 1.0, reference),
            "HTML ours": Score(1.0, 1.0, ours),
            "plain text baseline": Score(0.5, 1.0, 0.5),
            "plain text ours": Score(1.0, 1.0, ours),
        }

    results = {"a": rows(0.9, 0.95), "b": rows(0.5, 0.9), "c": rows(1.0, 0.9)}
    assert below_reference(results) == [("b", 0.5, 0.9), ("a", 0.9, 0.95)]
    assert summary(results)["HTML ours"]["f"] == pytest.approx(0.8)


def test_run_scores_every_row_on_a_given_zip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(zip=_zip(tmp_path), limit=None, show=5, json=False)
    assert run(Settings(), args) == 0
    out = capsys.readouterr().out
    assert "1 pages" in out
    ours = next(line for line in out.splitlines() if line.startswith("HTML ours"))
    assert float(ours.split()[-1]) > 0.9  # the body is kept, the menu and footer are not
