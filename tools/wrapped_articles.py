"""Plain-text extraction on real articles wrapped in a site's menu and footer, per language.

``python -m tools.wrapped_articles [FILE.jsonl ...]`` (default: the WMT 2016-2024 sets in
../shared/data/translated_news) takes every article of three or more paragraphs, puts a title,
a menu and the title again before it and a footer after it (once with English chrome, once with
Chinese), runs :func:`agents.boilerplate.clean_text` and prints, per language, the share of the
article's paragraphs missing from the result and the share of chrome lines left in it. It
checks that the stage finds an article's region in any script, not only on the benchmark's
(mostly German) pages; the chrome is fixed, so it measures the region, not the phrase lists.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import orjson

from agents.boilerplate import clean_text

_SETS = ("newstest2016", "newstest2019", "wmttest2023", "wmttest2024")
_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "translated_news"
CHROME: tuple[tuple[list[str], list[str]], ...] = (
    (["Home", "News", "Sport", "Login"], ["Share this", "Related", "Copyright 2024", "About us"]),
    (
        ["首页", "新闻", "体育", "财经", "登录"],
        ["分享到微信", "相关新闻", "版权所有 © 2024", "关于我们"],
    ),
)


def measure(paths: list[Path]) -> dict[str, list[int]]:
    """language -> [paragraphs, paragraphs missing, chrome lines, chrome lines left]."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for path in paths:
        for line in path.read_bytes().splitlines():
            doc = orjson.loads(line)
            paragraphs = [p.strip() for p in doc["text"].split("\n") if p.strip()]
            if len(paragraphs) < 3:
                continue
            for menu, footer in CHROME:
                page = "\n".join([doc["title"], *menu, doc["title"], *paragraphs, *footer])
                out = clean_text(page).text
                lines = set(out.split("\n"))
                cell = counts[doc["lang"]]
                cell[0] += len(paragraphs)
                cell[1] += sum(p not in out for p in paragraphs)
                cell[2] += len(menu) + len(footer)
                cell[3] += sum(c in lines for c in menu + footer)
    return counts


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [_DATA / f"{name}.jsonl" for name in _SETS]
    print("lang  paragraphs  missing  chrome lines  left")
    for lang, (n, missing, chrome, left) in sorted(measure(paths).items()):
        print(f"{lang:<5} {n:>10}  {missing / n:>6.1%}  {chrome:>12}  {left / chrome:>5.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
