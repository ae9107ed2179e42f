"""franc's language profiles scored in NumPy: the language of a text by its character trigrams.

Input: a text (a body lid.176 could not name, :class:`agents.language.TrigramOpinion`).
Output: its languages, best first, each with franc's score (1.0 for the best).

The profiles are the ``pyfranc`` package's data (MIT; the franc project's, built from the
Universal Declaration of Human Rights): for each of ~400 languages, grouped by script, its 300
most frequent trigrams in rank order. A text's distance to a language is franc's: over the
text's distinct trigrams (lower case, ASCII punctuation and digits as spaces), the absolute
difference between the trigram's count in the text and its rank in the profile, or 300 when
the profile lacks it; the nearest language scores 1.0 and the others 1 - (distance - least) /
(300 x the text's length - least). A script that one language writes alone (Tifinagh, Ol
Chiki…) names it outright. ``pyfranc`` itself computes this in pure Python, 21 ms a body of
3,000 characters here; the same sums over an inverted index of the profiles (trigram -> the
languages that rank it) cost ~1 ms, with identical rankings (tests compare the two).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from typing import Final

import numpy as np

#: franc's limits: a shorter text has no language, a longer one is read this far.
MIN_LENGTH: Final = 10
MAX_LENGTH: Final = 2048
#: What a trigram the profile lacks adds to the distance (franc's MAX_DIFFERENCE).
MAX_DIFFERENCE: Final = 300
UNDETERMINED: Final = "und"
_PUNCTUATION: Final = re.compile(r"[\u0021-\u0040]+")
_EDGES: Final = re.compile(r"^\s+|\s+$")
_SPACES: Final = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class _Script:
    """One script's profiles as an inverted index: trigram -> (language, rank) postings."""

    languages: tuple[str, ...]
    vocabulary: dict[str, int]
    offsets: np.ndarray  # postings of trigram i: offsets[i]:offsets[i + 1]
    language: np.ndarray
    rank: np.ndarray


@functools.cache
def _profiles() -> tuple[dict[str, re.Pattern[str]], dict[str, _Script]]:
    """The scripts' patterns (in franc's order) and the indexed profiles of each script that
    more than one language writes."""
    from pyfranc.data import data
    from pyfranc.expressions import expressions

    patterns = {name: re.compile(expression) for name, expression in expressions.items()}
    scripts: dict[str, _Script] = {}
    for script, profiles in data.items():
        languages = tuple(profiles)
        postings: dict[str, list[tuple[int, int]]] = {}
        for index, name in enumerate(languages):
            ranks: dict[str, int] = {}
            for rank, trigram in enumerate(profiles[name].split("|")):
                ranks.setdefault(trigram, rank)  # a repeated trigram keeps its first rank
            for trigram, rank in ranks.items():
                postings.setdefault(trigram, []).append((index, rank))
        vocabulary = {trigram: i for i, trigram in enumerate(postings)}
        sizes = np.array([len(p) for p in postings.values()], dtype=np.int64)
        flat = [pair for pairs in postings.values() for pair in pairs]
        scripts[script] = _Script(
            languages,
            vocabulary,
            np.concatenate(([0], np.cumsum(sizes))),
            np.array([language for language, _ in flat], dtype=np.int64),
            np.array([rank for _, rank in flat], dtype=np.int64),
        )
    return patterns, scripts


def load() -> None:
    """Build the index now (~0.3 s), not on the first text."""
    _profiles()


def _top_script(text: str, patterns: dict[str, re.Pattern[str]]) -> tuple[str, float]:
    """The script with the largest share of ``text``'s characters (the first of equals)."""
    best, share = "", -1.0
    for name, pattern in patterns.items():
        found = len(pattern.findall(text)) / len(text)
        if found > share:
            best, share = name, found
    return best, share


def _trigram_counts(text: str) -> Counter[str]:
    """The trigrams of ``text`` as franc cleans it, padded with a space at each end."""
    clean = _SPACES.sub(" ", _EDGES.sub("", _PUNCTUATION.sub(" ", text)).lower())
    padded = f" {clean} "
    return Counter(padded[i : i + 3] for i in range(len(padded) - 2))


def ranked(text: str, k: int = 2) -> list[tuple[str, float]]:
    """``text``'s ``k`` best languages (franc's ISO 639-3 codes) with franc's scores, best
    first; ``[("und", 1.0)]`` when the text is too short or in no script franc knows."""
    if not text or len(text) < MIN_LENGTH:
        return [(UNDETERMINED, 1.0)]
    text = text[:MAX_LENGTH]
    patterns, scripts = _profiles()
    script, share = _top_script(text, patterns)
    profiles = scripts.get(script)
    if profiles is None:
        return [(script, 1.0)] if script and share > 0 else [(UNDETERMINED, 1.0)]
    counts = _trigram_counts(text)
    known = [(profiles.vocabulary[t], c) for t, c in counts.items() if t in profiles.vocabulary]
    distance = np.full(len(profiles.languages), float(MAX_DIFFERENCE * len(counts)))
    if known:
        index = np.fromiter((i for i, _ in known), dtype=np.int64, count=len(known))
        count = np.fromiter((c for _, c in known), dtype=np.int64, count=len(known))
        starts, ends = profiles.offsets[index], profiles.offsets[index + 1]
        sizes = ends - starts
        flat = np.repeat(ends - np.cumsum(sizes), sizes) + np.arange(int(sizes.sum()))
        difference = np.abs(np.repeat(count, sizes) - profiles.rank[flat] - 1) - MAX_DIFFERENCE
        distance += np.bincount(
            profiles.language[flat], weights=difference, minlength=len(profiles.languages)
        )
    order = np.argsort(distance, kind="stable")[:k]
    least = distance[order[0]]
    spread = len(text) * MAX_DIFFERENCE - least
    return [
        (profiles.languages[i], 1.0 - (distance[i] - least) / spread if spread else 0.0)
        for i in order
    ]
