"""Evaluate grouping in every language: does an English article join its translation's event?

``newsstream eval translations [FILE] [--sentences N] [--languages L,L] [--json]``. FILE holds
parallel sentences (default: FLORES-200 dev in ``../shared/data/langid``, the same 300 lines
in 204 languages; ``{text, lang, source}`` with the line number at the end of ``source``).
The translated_news files cover 14 languages; this covers every language FLORES has, scripts
with and without case, the ones nobody tuned on.

Each language's lines, in order, are cut into articles of N consecutive sentences (default
10: 30 articles, one sentence per paragraph); English is cut the same way, so the k-th
article of a language is the translation of the k-th English one. For each language, its
articles and the English ones go through prepare and grouping together (the worker's code,
:func:`tools.eval_grouping.group_docs`'s steps, in a seeded shuffled order), and:

- **joined**: the share of its articles that end in their English original's event;
- **astray**: its articles whose event also holds another English article. FLORES's lines
  come from a few hundred source articles, three to five lines each, so two neighbouring
  articles here may share a source (and its names): some of these are right; compare them
  between two runs rather than read them alone.

Languages are listed worst first; the halves of the languages (alternate ones, sorted by
code) are printed too, to choose a rule on one and report it on the other.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from streams.settings import Settings
from tools.flores import DEFAULT, halves, parallel, shares

if TYPE_CHECKING:
    from agents.pipeline import Pipeline
    from streams.records import Prepared

ENGLISH = "en"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", nargs="?", default=str(DEFAULT), metavar="FILE.jsonl", help="parallel sentences"
    )
    parser.add_argument(
        "--sentences", type=int, default=10, help="sentences per article (default 10)"
    )
    parser.add_argument("--languages", default=None, help="only these languages (comma-separated)")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")


def articles(lines: dict[int, str], ids: Sequence[int], size: int) -> dict[int, str]:
    """Article number -> text: the lines ``ids`` cut into runs of ``size`` (all present)."""
    out: dict[int, str] = {}
    for number, start in enumerate(range(0, len(ids) - size + 1, size)):
        run = ids[start : start + size]
        if all(i in lines for i in run):
            out[number] = "\n\n".join(lines[i] for i in run)
    return out


def _prepare(pipeline: Pipeline, lang: str, texts: dict[int, str]) -> dict[str, Prepared]:
    """Doc id ("lang/number") -> the article prepared as the worker prepares it."""
    from tools.eval_grouping import Doc, prepare_docs

    docs = [Doc(f"{lang}/{k}", lang, "", text, str(k)) for k, text in texts.items()]
    return {a.id: a for a in prepare_docs(pipeline, docs)}


def measure(
    lines: dict[str, dict[int, str]],
    size: int = 10,
    languages: Sequence[str] | None = None,
    settings: Settings | None = None,
) -> dict[str, dict[str, int]]:
    """language -> {articles, joined, astray} (see the module's docstring)."""
    from agents.pipeline import Pipeline

    pipeline = Pipeline.from_settings(settings or Settings())
    ids = sorted(lines[ENGLISH])
    english = _prepare(pipeline, ENGLISH, articles(lines[ENGLISH], ids, size))
    out: dict[str, dict[str, int]] = {}
    for lang in sorted(languages or lines):
        if lang == ENGLISH:
            continue
        mine = _prepare(pipeline, lang, articles(lines[lang], ids, size))
        order = [*english.values(), *mine.values()]
        random.Random(13).shuffle(order)
        grouper = pipeline.new_grouper()
        assigned = {a.id: pipeline.assign(grouper, a) for a in order}
        event = {doc: grouper.resolve(a.event_key) for doc, a in assigned.items()}
        originals: dict[str, set[str]] = {}
        for doc in english:
            originals.setdefault(event[doc], set()).add(doc.split("/", 1)[1])
        joined = astray = 0
        for doc in mine:
            number = doc.split("/", 1)[1]
            found = originals.get(event[doc], set())
            joined += number in found
            astray += bool(found - {number})
        out[lang] = {"articles": len(mine), "joined": joined, "astray": astray}
    return out


def total(rows: Sequence[Mapping[str, int]]) -> dict[str, float]:
    """Articles, and the shares joined and astray, over several languages."""
    return shares(rows, "articles", ("joined", "astray"))


def run(settings: Settings, args: argparse.Namespace) -> int:
    languages = args.languages.split(",") if args.languages else None
    by_lang = measure(parallel(args.file), args.sentences, languages, settings)
    langs = sorted(by_lang)
    overall, by_half = halves(by_lang, total)
    print(
        f"newsstream eval translations: {args.file} ({len(langs)} languages, "
        f"articles of {args.sentences} sentences, each with the English ones)"
    )
    print("joined: share of a language's articles in their English original's event;")
    print("astray: share in an event that also holds another English article")

    def line(label: str, row: dict[str, Any]) -> str:
        return (
            f"  {label:<12}{int(row['articles']):>6}  joined {row['joined']:.4f}  "
            f"astray {row['astray']:.4f}"
        )

    print(line("all", overall))
    for label, row in by_half.items():
        print(line(label, row))
    print("languages, fewest joined first:")
    for lang in sorted(langs, key=lambda lang: (by_lang[lang]["joined"], lang)):
        counts = by_lang[lang]
        n = counts["articles"] or 1
        shares = {"joined": counts["joined"] / n, "astray": counts["astray"] / n}
        print(line(lang, {**counts, **shares}))
    if args.json:
        print(orjson.dumps({"total": overall, "halves": by_half, "languages": by_lang}).decode())
    return 0
