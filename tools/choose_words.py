"""How the grouping's words test is set: its two thresholds chosen on SemEval pairs, held out
by language pair.

``python -m tools.choose_words [PAIRS.jsonl]`` (default: ../shared SemEval training pairs).
Every article is prepared and indexed as :mod:`tools.eval_events` does; then, for each cell of
a grid of ``words_min_shared`` (the evidence weight the pair must share) and
``words_min_cosine`` (the cosine of their weighted words, :mod:`agents.topic_words`; 0: the
test off), the share of same-story pairs (overall <= 1.5) that would join and of clearly
different ones (>= 3.5) that would. The choice, leaving one language pair out: on the other
pairs, the cell that joins the most same-story pairs while joining at most half a point more
of the clearly different ones than the test off does there (ties: the higher cosine), then
scored on the pair held out. Printed: the grid over all pairs, each fold's choice and result,
and the held-out totals.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import itertools
import sys
from typing import Any

from agents.grouping import Grouper, GroupingOptions
from streams.records import Prepared
from streams.settings import Settings
from tools.eval_events import _SHARED, pair_articles, pair_counts

SHARED_GRID = (0.6, 1.5, 3.0)
COSINE_GRID = (0.2, 0.25, 0.3, 0.35, 0.4)
#: The clearly different pairs a choice may join over what the test off joins (a share).
SLACK = 0.005

Cell = tuple[float, float]


def grid(path: str) -> dict[Cell, dict[str, Any]]:
    """(words_min_shared, words_min_cosine) -> :func:`tools.eval_events.pair_counts`."""
    settings = Settings()
    rows, prepared = pair_articles(settings, path)
    base = GroupingOptions.from_settings(settings)
    out: dict[Cell, dict[str, Any]] = {}
    for cell in [(base.words_min_shared, 0.0), *itertools.product(SHARED_GRID, COSINE_GRID)]:
        options = dataclasses.replace(base, words_min_shared=cell[0], words_min_cosine=cell[1])
        grouper = Grouper(options)
        keys = {d: grouper.assign_article(a, match=False).event_key for d, a in prepared.items()}
        out[cell] = pair_counts(rows, prepared, functools.partial(_joins, grouper, keys))
    return out


def _joins(grouper: Grouper, keys: dict[str, str], first: Prepared, second: Prepared) -> bool:
    return grouper.pair_score(keys[first.id], second) > 0.0


def _shares(counts: dict[str, Any], pairs: list[str]) -> tuple[float, float, int, int]:
    """(same joined, different joined, same n, different n) over the language pairs."""
    sums = []
    for band in ("same_story", "different"):
        rows = [counts[band][p] for p in pairs if p in counts[band]]
        n = sum(r["n"] for r in rows)
        sums.append((sum(r["n"] * r["joined"] for r in rows), n))
    (same, same_n), (diff, diff_n) = sums
    return same / max(same_n, 1), diff / max(diff_n, 1), same_n, diff_n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "pairs", nargs="?", default=str(_SHARED / "semeval2022_task8_train_pairs.jsonl")
    )
    args = parser.parse_args(argv)
    cells = grid(args.pairs)
    off = next(iter(cells))
    languages = sorted(p for p in cells[off]["same_story"] if p not in ("all", "cross-lingual"))
    print(f"{'min shared':>10} {'min cosine':>10} {'same joined':>12} {'diff joined':>12}")
    for cell, counts in cells.items():
        same, diff, _, _ = _shares(counts, languages)
        print(f"{cell[0]:>10} {cell[1]:>10} {same:>12.3f} {diff:>12.4f}")
    print(f"\nleave one language pair out (cap: the test off's share + {SLACK:.1%})")
    held_same = held_diff = same_n = diff_n = 0.0
    for held in languages:
        rest = [p for p in languages if p != held]
        cap = _shares(cells[off], rest)[1] + SLACK
        eligible = [(c, _shares(n, rest)) for c, n in cells.items()]
        chosen = max(
            (c for c, (_, diff, _, _) in eligible if diff <= cap),
            key=lambda c: (_shares(cells[c], rest)[0], c[1]),
        )
        same, diff, s_n, d_n = _shares(cells[chosen], [held])
        was_same, was_diff, _, _ = _shares(cells[off], [held])
        held_same += same * s_n
        held_diff += diff * d_n
        same_n += s_n
        diff_n += d_n
        print(
            f"  {held:<6} chose {chosen[0]}, {chosen[1]}: same {same * s_n:.0f}/{s_n} "
            f"(off {was_same * s_n:.0f}), different {diff * d_n:.0f}/{d_n} "
            f"(off {was_diff * d_n:.0f})"
        )
    print(
        f"held out: same-story joined {held_same / same_n:.3f}, clearly different joined "
        f"{held_diff / diff_n:.4f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
