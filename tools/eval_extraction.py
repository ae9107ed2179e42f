"""Evaluate the boilerplate stage on trafilatura's benchmark, HTML and plain text.

``newsstream eval extraction [DIR] [--limit N] [--folds N] [--json]``. DIR holds trafilatura's
evaluation set (``evaldata.json``, ``html/``, ``docs_evaluation.rst``; default
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
  hint, then, as the pipeline does, its language and the test of its edges by meaning
  (:mod:`agents.boilerplate_meaning`): the stage's plain-text path when the crawler sends text
  with its chrome in it.

Time is wall time per page of each row's own work (decoding included for the HTML rows, which
take turns at running first on a page; the plain-text rows time the conversion and the cleaning
respectively).

``--folds N`` splits the pages by site into N folds, no site in two of them, so that a rule
written for a few sites shows up as helping one fold only: each fold's rows are scored on their
own, then the mean and the minimum over folds are printed, with the sites where ours (HTML) is
furthest below trafilatura. A page's site is its URL's host without "www." (the archived page's
host for a web.archive.org URL, the file name's host for the benchmark's "hard::" entries); its
fold is a hash of the site's domain (the last two labels, three under "co.uk"-like second
levels; blog platforms' hosts stay apart), so the split is the same on every run and machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from streams.settings import Settings

_DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared/data/extraction/trafilatura-eval"
_SPACE = re.compile(r"\s+")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``[DIR] [--limit N] [--folds N] [--json]``."""
    parser.add_argument(
        "data",
        nargs="?",
        type=Path,
        default=_DEFAULT_DIR,
        metavar="DIR",
        help="trafilatura's evaluation set (default: ../shared/data/extraction/trafilatura-eval)",
    )
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="first N pages only")
    parser.add_argument(
        "--folds",
        type=int,
        default=None,
        metavar="N",
        help="also score N folds of the pages split by site, with their mean and minimum",
    )
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

    def merge(self, other: Score) -> None:
        """Add ``other``'s counts and time to this one's."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.tn += other.tn
        self.seconds += other.seconds
        self.pages += other.pages
        self.errors += other.errors

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

    def merge(self, other: Rows) -> None:
        """Add ``other``'s rows to these."""
        for (_, mine), (_, theirs) in zip(self.named(), other.named(), strict=True):
            mine.merge(theirs)


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


def evaluate(pages: Iterable[Page], per_site: dict[str, Rows] | None = None) -> Rows:
    """Every row on every page, interleaved per page so all rows share the machine's state;
    each page's rows are also added to ``per_site[site_of(page.url)]`` when given."""
    import html_text
    import trafilatura
    from trafilatura.utils import decode_file

    from agents.boilerplate import clean_html
    from agents.pipeline import Pipeline
    from agents.prepare import PrepareOptions
    from streams.records import Rejected

    # the worker's own chain for plain text (Pipeline.clean: patterns, language, the edges'
    # chrome by meaning), with its default settings
    pipeline = Pipeline.create(PrepareOptions.from_settings(Settings()))

    def ours_html(raw: bytes, url: str) -> str:
        return clean_html(decode_file(raw), url).text

    def visible_text(raw: bytes) -> str:
        return str(html_text.extract_text(decode_file(raw)))

    def ours_text(visible: str) -> str:
        outcome = pipeline.clean_plain(visible)
        return "" if isinstance(outcome, Rejected) else outcome[0].text

    rows = Rows()
    for number, page in enumerate(pages):
        page_rows = Rows()
        # Which HTML row runs first alternates: the second one on a page runs faster (caches,
        # and the first one's garbage collected on its time).
        for first in (number % 2 == 0, number % 2 == 1):
            if first:
                reference, seconds = _timed(trafilatura.extract, page.raw)
                page_rows.html_trafilatura.add(page, reference, seconds)
            else:
                ours, seconds = _timed(ours_html, page.raw, page.url)
                page_rows.html_ours.add(page, ours, seconds)
        visible, seconds = _timed(visible_text, page.raw)
        page_rows.text_baseline.add(page, visible, seconds)
        cleaned, seconds = _timed(ours_text, visible or "")
        page_rows.text_ours.add(page, cleaned, seconds)
        rows.merge(page_rows)
        if per_site is not None:
            per_site.setdefault(site_of(page.url), Rows()).merge(page_rows)
    return rows


# -- folds by site ------------------------------------------------------------------------------

_ARCHIVE = re.compile(r"^https?://web\.archive\.org/web/[^/]*/(.+)$", re.IGNORECASE)
_ENTRY = re.compile(r"^\w+::(.+?)(?:\.html?)?$")  # the benchmark's "hard::site.com-x.html"
# the labels of a host ending in a top-level domain: "jamaica.gleaner.com", "laestrella.com.pa"
_FILE_HOST = re.compile(
    r"^((?:[a-z0-9-]+\.)+?(?:com|net|org|gov|edu|info|[a-z]{2})(?:\.[a-z]{2}(?![a-z0-9]))?)"
    r"(?=[.-]|$)"
)
_SECOND_LEVELS = frozenset(("co", "com", "org", "net", "gov", "ac", "edu", "gob", "or", "ne"))
# hosts whose subdomains are different sites (one blog each)
_PLATFORMS = frozenset(
    ("wordpress.com", "blogspot.com", "blogspot.de", "tumblr.com", "ucoz.de", "wix.com")
)


def site_of(url: str) -> str:
    """The site a benchmark page comes from: its URL's host, lower case, without "www."."""
    archived = _ARCHIVE.match(url)
    if archived:
        url = archived.group(1)
        if "://" not in url:
            url = "http://" + url
    entry = _ENTRY.match(url)
    if entry:
        on_file = _FILE_HOST.match(entry.group(1).lower())
        return on_file.group(1).removeprefix("www.") if on_file else entry.group(1).lower()
    host = urlsplit(url).hostname or url.lower()
    return host.removeprefix("www.")


def domain_of(site: str) -> str:
    """The domain that decides a site's fold: its last two labels ("blog.zeit.de" -> "zeit.de"),
    three under a generic second level ("bbc.co.uk"); a blog platform's host as it is."""
    labels = site.split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVELS and len(labels[-1]) == 2 else 2
    domain = ".".join(labels[-keep:])
    return site if domain in _PLATFORMS else domain


def fold_of(site: str, folds: int) -> int:
    """The fold (0 .. folds-1) of ``site``: a hash of its domain, the same on every run."""
    digest = hashlib.sha256(domain_of(site).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % folds


@dataclass(slots=True)
class Fold:
    """One fold's sites and rows."""

    number: int
    sites: list[str] = field(default_factory=list)
    rows: Rows = field(default_factory=Rows)


def split_folds(per_site: dict[str, Rows], folds: int) -> list[Fold]:
    """The sites' rows gathered into ``folds`` folds by :func:`fold_of`."""
    result = [Fold(number) for number in range(folds)]
    for site in sorted(per_site):
        fold = result[fold_of(site, folds)]
        fold.sites.append(site)
        fold.rows.merge(per_site[site])
    return result


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
        " Pipeline.clean (clean_text, its language, the test of its edges by meaning);"
        " its time is theirs alone.",
    ]
    return "\n".join(lines)


_FOLD_ROWS = (
    ("HTML ours", "html_ours"),
    ("HTML trafilatura", "html_trafilatura"),
    ("plain text ours", "text_ours"),
    ("plain text baseline", "text_baseline"),
)
_WORST_SITES = 10


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def sites_below_trafilatura(per_site: dict[str, Rows]) -> list[str]:
    """The sites where ours (HTML) scores a lower F than ``trafilatura.extract``, sorted."""
    return sorted(s for s, rows in per_site.items() if rows.html_ours.f < rows.html_trafilatura.f)


def render_folds(folds: list[Fold], per_site: dict[str, Rows]) -> str:
    """Per fold: P, R, F of each row and ours (HTML) minus trafilatura in F; the mean and the
    minimum over folds; the sites where ours (HTML) is furthest below trafilatura in F."""
    head = "".join(f"{name:^21}" for name, _ in _FOLD_ROWS)
    sub = "".join(f"{'P':>7}{'R':>7}{'F':>7}" for _ in _FOLD_ROWS)
    lines = [
        f"{len(folds)} folds by site ({len(per_site)} sites; fold = hash of the site's domain)",
        "",
        f"{'':<19}{head}{'ours-traf':>10}",
        f"{'fold':<5}{'sites':>6}{'pages':>7}{'':>1}{sub}{'F':>10}",
    ]
    columns: list[list[float]] = [[] for _ in range(3 * len(_FOLD_ROWS) + 1)]
    for fold in folds:
        values: list[float] = []
        for _, attribute in _FOLD_ROWS:
            score: Score = getattr(fold.rows, attribute)
            values += [score.precision, score.recall, score.f]
        values.append(fold.rows.html_ours.f - fold.rows.html_trafilatura.f)
        for column, value in zip(columns, values, strict=True):
            column.append(value)
        cells = "".join(f"{value:>7.3f}" for value in values[:-1])
        lines.append(
            f"{fold.number:<5}{len(fold.sites):>6}{fold.rows.html_ours.pages:>7} {cells}"
            f"{values[-1]:>+10.3f}"
        )
    for label, pick in (("mean", _mean), ("min", min)):
        cells = "".join(f"{pick(column):>7.3f}" for column in columns[:-1])
        lines.append(f"{label:<19}{cells}{pick(columns[-1]):>+10.3f}")
    lines += ["", f"the {_WORST_SITES} sites where ours (HTML) is furthest below trafilatura in F:"]
    lines.append(f"{'site':<40}{'fold':>5}{'pages':>6}{'ours':>7}{'traf':>7}{'diff':>8}{'text':>7}")
    number_of = {site: fold.number for fold in folds for site in fold.sites}
    gaps = sorted(
        per_site.items(), key=lambda item: item[1].html_ours.f - item[1].html_trafilatura.f
    )
    for site, rows in gaps[:_WORST_SITES]:
        ours, reference = rows.html_ours.f, rows.html_trafilatura.f
        if ours >= reference:
            break
        lines.append(
            f"{site[:39]:<40}{number_of[site]:>5}{rows.html_ours.pages:>6}{ours:>7.3f}"
            f"{reference:>7.3f}{ours - reference:>+8.3f}{rows.text_ours.f:>7.3f}"
        )
    below = len(sites_below_trafilatura(per_site))
    above = sum(rows.html_ours.f > rows.html_trafilatura.f for rows in per_site.values())
    lines.append(f"sites where ours (HTML) is below trafilatura: {below}; above: {above}")
    return "\n".join(lines)


def _folds_json(folds: list[Fold]) -> list[dict[str, Any]]:
    return [
        {
            "fold": fold.number,
            "sites": len(fold.sites),
            "pages": fold.rows.html_ours.pages,
            "rows": {name: score.as_dict() for name, score in fold.rows.named()},
        }
        for fold in folds
    ]


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Score every row and print the table (or JSON); 2 when the data set is missing or
    ``--folds`` is below 2."""
    directory: Path = args.data
    if not (directory / "evaldata.json").is_file():
        print(f"newsstream eval extraction: no evaldata.json in {directory}", file=sys.stderr)
        return 2
    folds_wanted: int | None = getattr(args, "folds", None)
    if folds_wanted is not None and folds_wanted < 2:
        print("newsstream eval extraction: --folds needs at least 2", file=sys.stderr)
        return 2
    per_site: dict[str, Rows] = {}
    rows = evaluate(load_pages(directory, args.limit), per_site)
    folds = split_folds(per_site, folds_wanted) if folds_wanted else None
    if args.json:
        result: dict[str, Any] = {"data": str(directory), "pages": rows.html_ours.pages}
        result["rows"] = {name: score.as_dict() for name, score in rows.named()}
        if folds is not None:
            result["folds"] = _folds_json(folds)
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(render(rows, directory))
        if folds is not None:
            print()
            print(render_folds(folds, per_site))
    return 0
