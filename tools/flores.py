"""FLORES-200 dev as parallel lines, and the sums the evaluations on it print
(``newsstream eval names``, ``newsstream eval translations``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import orjson

#: The same 300 lines in 204 languages (``{text, lang, source}``, the line number ending
#: ``source``), next to the repository.
DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "langid" / "flores200_dev.jsonl"


def parallel(path: str) -> dict[str, dict[int, str]]:
    """language -> line number -> sentence."""
    lines: dict[str, dict[int, str]] = defaultdict(dict)
    for raw in Path(path).read_bytes().splitlines():
        if raw.strip():
            row = orjson.loads(raw)
            lines[row["lang"]][int(str(row["source"]).rsplit("/", 1)[1])] = row["text"]
    return lines


def shares(rows: Sequence[Mapping[str, int]], base: str, parts: Sequence[str]) -> dict[str, float]:
    """Over several languages' counts: the sum of ``base``, and each of ``parts`` as a share
    of it."""
    n = sum(r[base] for r in rows)
    return {base: n, **{p: sum(r[p] for r in rows) / n if n else 0.0 for p in parts}}


def halves(
    by_lang: Mapping[str, Mapping[str, int]],
    total: Callable[[Sequence[Mapping[str, int]]], dict[str, float]],
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """``total`` over every language, and over each half (alternate languages by code): a rule
    is chosen on one half and reported on the other."""
    langs = sorted(by_lang)
    return total([by_lang[lang] for lang in langs]), {
        "half A": total([by_lang[lang] for lang in langs[0::2]]),
        "half B": total([by_lang[lang] for lang in langs[1::2]]),
    }
