"""Evaluate cross-script name matching: are an English sentence's names found in its translation?

``newsstream eval names [FILE] [--json]``. FILE holds parallel sentences (default: FLORES-200
dev in ``../shared/data/langid``, the same 300 lines in 204 languages; ``{text, lang, source}``
with the line number at the end of ``source``). Grouping matches a name across scripts by its
consonant skeleton (:func:`agents.evidence.skeletons`): ``s:name:ptn`` of "Putin" against
``s:hebr:ptn`` of a Hebrew word. Here each English sentence's name words (the evidence stage's
name keys) are looked for among the skeletons of the same line in every language whose script
has no case (Hebrew, Arabic, Devanagari, Thai, CJK…: 62 in FLORES), as the grouper looks:

- **found**: the share of English name words one of whose skeletons
  (:func:`agents.evidence.name_skeletons`) is among the translation's skeletons;
- **chance**: the same share against the *next* line's translation, a sentence about
  something else: how often a name matches a word by chance.

Not every name can be found (a translation may translate "University" or leave a name out),
so "found" is a relative measure: a change to skeletons should raise it in most languages
without raising "chance" more, in proportion. Languages are listed worst first; the two halves
of the languages (alternate ones, sorted by code) are also printed, to choose a rule on one and
report it on the other.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson

from streams.settings import Settings
from tools.flores import DEFAULT, halves, parallel, shares

#: A language is listed when its sentences hold at least this many English name words.
_MIN_NAMES = 50


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", nargs="?", default=str(DEFAULT), metavar="FILE.jsonl", help="parallel sentences"
    )
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")


def english_names(sentence: str) -> list[tuple[str, ...]]:
    """The skeletons of each name word of an English sentence (words without one left out)."""
    from agents import evidence

    found = evidence.extract_evidence("", sentence, "en")
    words = {w for key in found.to_list() if key.startswith("n:") for w in key[2:].split(" ")}
    return [s for word in sorted(words) if (s := evidence.name_skeletons(word))]


def uncased_skeletons(sentence: str, lang: str) -> set[str]:
    """The skeletons of the words of a sentence in a script without case (without the script)."""
    from agents import evidence

    keys = evidence.extract_evidence("", sentence, lang.split("-")[0]).to_list()
    return {
        bones
        for k in keys
        if k.startswith("s:")
        for script, _, bones in [k[2:].partition(":")]
        if not evidence.is_name_script(script)
    }


def _share(names: Iterable[tuple[str, ...]], skeletons: set[str]) -> tuple[int, int]:
    """(name words, of them found among ``skeletons``)."""
    n = found = 0
    for options in names:
        n += 1
        found += any(s in skeletons for s in options)
    return n, found


def measure(lines: dict[str, dict[int, str]]) -> dict[str, dict[str, int]]:
    """language -> {names, found, chance} over its lines, for the languages with uncased
    skeletons and at least :data:`_MIN_NAMES` English name words."""
    english = {i: english_names(text) for i, text in lines["en"].items()}
    out: dict[str, dict[str, int]] = {}
    for lang in sorted(lines):
        if lang == "en":
            continue
        ids = sorted(i for i in lines[lang] if i in english)
        own = {i: uncased_skeletons(lines[lang][i], lang) for i in ids}
        names = found = chance = 0
        for k, i in enumerate(ids):
            if not own[i]:
                continue
            n, f = _share(english[i], own[i])
            names, found = names + n, found + f
            chance += _share(english[ids[(k + 1) % len(ids)]], own[i])[1]
        if names >= _MIN_NAMES:
            out[lang] = {"names": names, "found": found, "chance": chance}
    return out


def total(rows: Sequence[Mapping[str, int]]) -> dict[str, float]:
    """Name words, and the shares found and matched by chance, over several languages."""
    return shares(rows, "names", ("found", "chance"))


def run(settings: Settings, args: argparse.Namespace) -> int:
    by_lang = measure(parallel(args.file))
    langs = sorted(by_lang)
    overall, by_half = halves(by_lang, total)
    print(
        f"newsstream eval names: {args.file} ({len(langs)} languages with uncased scripts, "
        f"{overall['names']:,} English name words on their lines)"
    )
    print("found: share of English name words matched by a skeleton of the translation;")
    print("chance: the same against the next line's translation (another sentence)")

    def line(label: str, row: dict[str, Any]) -> str:
        ratio = row["found"] / row["chance"] if row["chance"] else float("inf")
        return (
            f"  {label:<10}{int(row['names']):>7}  found {row['found']:.4f}  "
            f"chance {row['chance']:.4f}  found/chance {ratio:.1f}"
        )

    print(line("all", overall))
    for label, row in by_half.items():
        print(line(label, row))
    print("languages, worst found first:")
    ordered = sorted(langs, key=lambda lang: by_lang[lang]["found"] / by_lang[lang]["names"])
    for lang in ordered:
        counts = by_lang[lang]
        print(
            line(lang, {**counts, **{k: counts[k] / counts["names"] for k in ("found", "chance")}})
        )
    if args.json:
        print(orjson.dumps({"total": overall, "halves": by_half, "languages": by_lang}).decode())
    return 0
