"""Evaluate the boilerplate stage on trafilatura's benchmark, HTML and plain text.

``newsstream eval extraction [DIR] [--limit N] [--json]``. DIR holds trafilatura's evaluation
set (``evaldata.json``, ``html/``, ``docs_evaluation.rst``; default
``../shared/data/extraction/trafilatura-eval`` next to the repository). Each page has segments
its main text must contain ("with") and segments it must not ("without"). Scoring follows
trafilatura's benchmark: a segment counts when it occurs, whitespace-normalised, as a substring
of the output; counts are summed over all pages; precision = TP / (TP + FP), recall =
TP / (TP + FN), F = 2 TP / (2 TP + FP + FN). A crash counts as empty output.

Rows, all measured in one run on the same pages:

- HTML trafilatura: ``trafilatura.extract`` with its defaults, the reference;
- HTML ours: :func:`agents.boilerplate.clean_html` (the stage's HTML path);
- plain text baseline: each page's visible text (``html_text``: navigation, footers and all),
  scored as is;
- plain text ours: that visible text through :func:`agents.boilerplate.clean_text`, no language
  hint (the stage's plain-text path when the crawler sends text with its chrome in it).

Time is wall time per page of each row's own work (decoding included for the HTML rows, which
take turns at running first on a page; the plain-text rows time the conversion and the cleaning
respectively).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streams.settings import Settings

_DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared/data/extraction/trafilatura-eval"
_SPACE = re.compile(r"\s+")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``[DIR] [--limit N] [--json]``."""
    parser.add_argument(
        "data",
        nargs="?",
        type=Path,
        default=_DEFAULT_DIR,
        metavar="DIR",
        help="trafilatura's evaluation set (default: ../shared/data/extraction/trafilatura-eval)",
    )
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="first N pages only")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


@dataclass(frozen=True, slots=True)
class Page:
    """One benchmark page: its raw bytes and the segments its main text must / must not hold."""

    url: str
    raw: bytes
    must: tuple[str, ...]
    must_not: tuple[str, ...]


@dataclass(slots=True)
class Score:
    """Summed segment counts of one row and the time its work took."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    seconds: float = 0.0
    pages: int = 0
    errors: int = 0

    def add(self, page: Page, output: str | None, seconds: float) -> None:
        """Count ``page``'s segments found in ``output`` (None: the row failed on it)."""
        text = _norm(output or "")
        found = sum(1 for segment in page.must if segment in text)
        leaked = sum(1 for segment in page.must_not if segment in text)
        self.tp += found
        self.fn += len(page.must) - found
        self.fp += leaked
        self.tn += len(page.must_not) - leaked
        self.seconds += seconds
        self.pages += 1
        self.errors += output is None

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f(self) -> float:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else 0.0

    @property
    def ms_per_page(self) -> float:
        return 1000 * self.seconds / self.pages if self.pages else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f": round(self.f, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "errors": self.errors,
            "ms_per_page": round(self.ms_per_page, 2),
            "pages_per_second": round(1000 / self.ms_per_page, 1) if self.ms_per_page else None,
        }


@dataclass(slots=True)
class Rows:
    """The four rows of the table, in print order."""

    html_trafilatura: Score = field(default_factory=Score)
    html_ours: Score = field(default_factory=Score)
    text_baseline: Score = field(default_factory=Score)
    text_ours: Score = field(default_factory=Score)

    def named(self) -> list[tuple[str, Score]]:
        return [
            ("HTML trafilatura", self.html_trafilatura),
            ("HTML ours", self.html_ours),
            ("plain text baseline", self.text_baseline),
            ("plain text ours", self.text_ours),
        ]


def _norm(text: str) -> str:
    """Whitespace collapsed to single spaces, ends stripped."""
    return _SPACE.sub(" ", text).strip()


def load_pages(directory: Path, limit: int | None = None) -> Iterator[Page]:
    """The benchmark's pages in ``evaldata.json`` order (the first ``limit`` only)."""
    with (directory / "evaldata.json").open(encoding="utf-8") as handle:
        items: dict[str, dict[str, Any]] = json.load(handle)
    for count, (url, item) in enumerate(items.items()):
        if limit is not None and count >= limit:
            return
        raw = (directory / "html" / item["file"]).read_bytes()
        must = tuple(_norm(segment) for segment in item["with"])
        must_not = tuple(_norm(segment) for segment in item["without"])
        yield Page(url, raw, must, must_not)


def _timed(function: Callable[..., str | None], *args: Any) -> tuple[str | None, float]:
    """``function(*args)``'s result (None if it raised) and the seconds it took."""
    start = time.perf_counter()
    try:
        result = function(*args)
    except Exception:  # a crash on one page counts as empty output, as in trafilatura's benchmark
        result = None
    return result, time.perf_counter() - start


def evaluate(pages: Iterator[Page]) -> Rows:
    """Every row on every page, interleaved per page so all rows share the machine's state."""
    import html_text
    import trafilatura
    from trafilatura.utils import decode_file

    from agents.boilerplate import clean_html, clean_text

    def ours_html(raw: bytes, url: str) -> str:
        return clean_html(decode_file(raw), url).text

    def visible_text(raw: bytes) -> str:
        return str(html_text.extract_text(decode_file(raw)))

    def ours_text(visible: str) -> str:
        return clean_text(visible).text

    rows = Rows()
    for number, page in enumerate(pages):
        # Which HTML row runs first alternates: the second one on a page runs faster (caches,
        # and the first one's garbage collected on its time).
        for first in (number % 2 == 0, number % 2 == 1):
            if first:
                reference, seconds = _timed(trafilatura.extract, page.raw)
                rows.html_trafilatura.add(page, reference, seconds)
            else:
                ours, seconds = _timed(ours_html, page.raw, page.url)
                rows.html_ours.add(page, ours, seconds)
        visible, seconds = _timed(visible_text, page.raw)
        rows.text_baseline.add(page, visible, seconds)
        cleaned, seconds = _timed(ours_text, visible or "")
        rows.text_ours.add(page, cleaned, seconds)
    return rows


def render(rows: Rows, directory: Path) -> str:
    """The results as a readable table."""
    pages = rows.html_ours.pages
    must = rows.html_ours.tp + rows.html_ours.fn
    must_not = rows.html_ours.fp + rows.html_ours.tn
    lines = [
        f"extraction: {directory} — {pages} pages, {must} must / {must_not} must-not segments",
        "",
        f"{'':<22}{'P':>7}{'R':>7}{'F':>7}{'ms/page':>10}{'pages/s':>9}{'errors':>8}",
    ]
    for name, score in rows.named():
        per_second = 1000 / score.ms_per_page if score.ms_per_page else 0.0
        lines.append(
            f"{name:<22}{score.precision:>7.3f}{score.recall:>7.3f}{score.f:>7.3f}"
            f"{score.ms_per_page:>10.1f}{per_second:>9.1f}{score.errors:>8}"
        )
    lines += [
        "",
        "HTML trafilatura: trafilatura.extract, defaults. HTML ours: clean_html.",
        "plain text baseline: html_text visible text, as is. plain text ours: that text through"
        " clean_text (no language hint); its time is clean_text's alone.",
    ]
    return "\n".join(lines)


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Score every row and print the table (or JSON); 2 when the data set is missing."""
    directory: Path = args.data
    if not (directory / "evaldata.json").is_file():
        print(f"newsstream eval extraction: no evaldata.json in {directory}", file=sys.stderr)
        return 2
    rows = evaluate(load_pages(directory, args.limit))
    if args.json:
        result = {"data": str(directory), "pages": rows.html_ours.pages}
        result["rows"] = {name: score.as_dict() for name, score in rows.named()}
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(render(rows, directory))
    return 0
