"""Choose grouping thresholds leave one set out, on documents with gold groups.

``python -m tools.choose_grouping [--set NAME=V1,V2,...]... [--forms full,1,2] [--json OUT]
FILE.jsonl ...`` prepares every file's documents once, as ``newsstream eval grouping`` does
(same seeded order; ``--forms``: also as summaries, each article its title and first N lines,
``eval grouping --summary N``), then groups each file at every point of the grid the
``--set`` options span (each ``NAME`` a :class:`streams.settings.Settings` field of grouping,
e.g. ``event_tight_min_shared``; unnamed fields as the settings say) and scores pairwise F1
(:func:`tools.eval_grouping.score`). Leave one set out: for each file in turn, the point with
the best mean F1 over the *other* files is chosen and the held-out file's F1 at it reported,
beside its F1 with the settings as they are. A threshold chosen on data it is then scored on
flatters itself; held out, it shows what a feed never seen would get. With several forms, a
file is held out with all its forms, and the means are over every file and form. The point
best over all files is printed last. Without ``--set``, the grid is the declared defaults of
the thresholds chosen so far (:data:`DEFAULT_GRID`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from streams.settings import Settings, load_settings
from tools.eval_grouping import grouped_f1, load, prepare_docs, shuffled, summary

#: The thresholds earlier sessions chose leave one set out, each with its neighbours.
DEFAULT_GRID: dict[str, tuple[float, ...]] = {
    "event_tight_min_shared": (0.4, 0.6, 0.8),
    "event_cosine_min_shared": (0.15, 0.3, 0.5),
    "event_merge_min_score": (0.6, 0.65, 0.7),
}


def parse_grid(items: list[str] | None) -> dict[str, tuple[float, ...]]:
    """``["name=v1,v2", ...]`` -> ``{name: (v1, v2)}``; a name that is not a grouping setting
    is an error (ValueError)."""
    if not items:
        return dict(DEFAULT_GRID)
    known = {f.name for f in fields(Settings) if f.name.startswith("event_")}
    grid: dict[str, tuple[float, ...]] = {}
    for item in items:
        name, _, values = item.partition("=")
        if name not in known:
            raise ValueError(f"not a grouping setting: {name!r} (one of {sorted(known)})")
        grid[name] = tuple(float(v) for v in values.split(",") if v)
        if not grid[name]:
            raise ValueError(f"no values for {name}")
    return grid


def points(grid: dict[str, tuple[float, ...]]) -> list[dict[str, float]]:
    """Every combination of the grid's values."""
    names = list(grid)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*grid.values())]


def with_point(base: Settings, point: dict[str, float]) -> Settings:
    """``base`` with the point's values (as ints where the setting is one)."""
    changes: dict[str, Any] = {
        name: int(value) if isinstance(getattr(base, name), int) else value
        for name, value in point.items()
    }
    return replace(base, **changes)


def label(point: dict[str, float]) -> str:
    return " ".join(f"{name.removeprefix('event_')}={value:g}" for name, value in point.items())


def file_of(name: str) -> str:
    """A row's file: ``newstest2013@2`` (its summaries of two lines) is ``newstest2013``'s."""
    return name.partition("@")[0]


def leave_one_out(table: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """For each file (each row: a file, or a file in one form), the point best on the other
    files' rows, and the row's F1 at it; the point best over all rows, and the means."""
    names = list(table)
    keys = list(next(iter(table.values()))["grid"])

    def mean(key: str, files: list[str]) -> float:
        return sum(table[f]["grid"][key] for f in files) / len(files)

    held: dict[str, dict[str, Any]] = {}
    for name in names:
        others = [n for n in names if file_of(n) != file_of(name)] or names
        chosen = max(keys, key=lambda k: (mean(k, others), k == table[name]["default_key"]))
        held[name] = {
            "default": table[name]["default"],
            "chosen": chosen,
            "held_out": table[name]["grid"][chosen],
        }
    best = max(keys, key=lambda k: mean(k, names))
    return {
        "held_out": held,
        "mean_default": sum(table[n]["default"] for n in names) / len(names),
        "mean_held_out": sum(h["held_out"] for h in held.values()) / len(held),
        "best": best,
        "mean_best": mean(best, names),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="documents with gold groups (eval grouping's)")
    parser.add_argument(
        "--set",
        action="append",
        metavar="NAME=V1,V2",
        help="a grouping setting and the values to try (repeat; default: DEFAULT_GRID)",
    )
    parser.add_argument("--seed", type=int, default=13, help="document order (default 13)")
    parser.add_argument("--json", help="write every file's F1 at every point here")
    parser.add_argument(
        "--forms",
        default="full",
        help="the forms of each file: full and/or N (its summaries: title + N lines), "
        "comma-separated (default: full)",
    )
    args = parser.parse_args(argv)
    try:
        grid = parse_grid(args.set)
        forms = [0 if f == "full" else int(f) for f in args.forms.split(",") if f]
    except ValueError as error:
        parser.error(str(error))
    base = load_settings()
    from agents.pipeline import Pipeline

    pipeline = Pipeline.from_settings(base)
    table: dict[str, dict[str, Any]] = {}
    for path, form in itertools.product(args.files, forms):
        docs = shuffled(load([path], None), args.seed)
        if form:
            docs = [summary(d, form) for d in docs]
        gold = {d.doc_id: d.group for d in docs}
        prepared = prepare_docs(pipeline, docs)
        default = {name: float(getattr(base, name)) for name in grid}
        row: dict[str, Any] = {
            "default": grouped_f1(base, prepared, gold),
            "default_key": label(default),
            "grid": {},
        }
        for point in points(grid):
            row["grid"][label(point)] = grouped_f1(with_point(base, point), prepared, gold)
        name = Path(path).stem + (f"@{form}" if form else "")
        table[name] = row
        print(f"{name}: F1 {row['default']:.4f} as set", file=sys.stderr, flush=True)
    result = leave_one_out(table)
    print(f"grid: {len(points(grid))} points of {', '.join(grid)}")
    print(f"{'held out':<18} {'as set':>7}  {'held-out F1':>11}  chosen on the others")
    for name, row in result["held_out"].items():
        print(f"{name:<18} {row['default']:>7.4f}  {row['held_out']:>11.4f}  {row['chosen']}")
    print(
        f"{'mean':<18} {result['mean_default']:>7.4f}  {result['mean_held_out']:>11.4f}\n"
        f"best over all files: {result['best']} (mean F1 {result['mean_best']:.4f})"
    )
    if args.json:
        Path(args.json).write_text(json.dumps({"table": table, **result}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
