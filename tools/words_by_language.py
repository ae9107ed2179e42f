"""The words' test's words in every FLORES-200 language.

``python -m tools.words_by_language [--under N]`` takes FLORES-200 dev's articles of ten
sentences (30 a language, :mod:`tools.flores`), reads each one's words as grouping does
(:func:`agents.topic_words.topic_words`: the first distinct words of four letters or more)
and prints, per language, how many an article has on average, fewest first. A language with
few words is one where the words' test (reports of one event in other words) cannot count:
since 2026-12-07 none has under 20 (23 had before, Indic scripts and Tibetan among them,
whose vowel signs broke every word).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from agents.topic_words import topic_words, unpack
from tools.eval_translations import ENGLISH, articles
from tools.flores import DEFAULT, parallel


def words_by_language(path: str) -> dict[str, float]:
    """language -> the mean number of words an article of ten sentences has."""
    lines = parallel(path)
    ids = sorted(lines[ENGLISH])
    out: dict[str, float] = {}
    for lang in sorted(lines):
        texts = list(articles(lines[lang], ids, 10).values())
        counts = [0 if (v := unpack(topic_words(t))) is None else len(v) for t in texts]
        out[lang] = sum(counts) / len(counts) if counts else 0.0
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DEFAULT), help="FLORES-200 dev (jsonl)")
    parser.add_argument("--under", type=float, default=20.0, help="count languages under N")
    parser.add_argument("--show", type=int, default=15, help="languages to list (fewest first)")
    args = parser.parse_args(argv)
    found = words_by_language(args.data)
    ranked = sorted(found.items(), key=lambda item: item[1])
    print(f"words an article (of ten sentences) for the words' test, {len(found)} languages")
    for lang, mean in ranked[: args.show]:
        print(f"  {lang:10s} {mean:6.1f}")
    under = [lang for lang, mean in ranked if mean < args.under]
    print(f"languages under {args.under:g} words an article: {len(under)} {' '.join(under)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
