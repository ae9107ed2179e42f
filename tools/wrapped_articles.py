"""Plain-text extraction on real articles wrapped in a site's menu and footer, per language.

``python -m tools.wrapped_articles [FILE.jsonl ...]`` (default: the WMT 2016-2024 sets in
../shared/data/translated_news) takes every article of three or more paragraphs, puts a title,
a menu and the title again before it and a footer after it (once with English chrome, once with
Chinese), runs :func:`agents.boilerplate.clean_text` and prints, per language, the share of the
article's paragraphs missing from the result and the share of chrome lines left in it. It
checks that the stage finds an article's region in any script, not only on the benchmark's
(mostly German) pages; the chrome is fixed, so it measures the region, not the phrase lists.

``python -m tools.wrapped_articles --flores`` does the same in FLORES-200 dev's 204
languages: articles of ten sentences as four paragraphs (3, 3, 2, 2 sentences) under a title
of the first sentence's first eight words; paragraphs compared in Unicode's NFC, as the
stage returns its text. The languages where most is lost are printed first.
"""

from __future__ import annotations

import sys
import unicodedata
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


def flores_pages() -> dict[str, list[tuple[str, list[str]]]]:
    """language -> (title, paragraphs) of FLORES-200 dev's articles of ten sentences."""
    from tools.eval_translations import ENGLISH
    from tools.flores import DEFAULT, parallel

    lines = parallel(str(DEFAULT))
    ids = sorted(lines[ENGLISH])
    out: dict[str, list[tuple[str, list[str]]]] = {}
    for lang, by_id in sorted(lines.items()):
        pages = []
        for start in range(0, len(ids) - 9, 10):
            run = [by_id[i] for i in ids[start : start + 10] if i in by_id]
            if len(run) < 10:
                continue
            cuts = ((0, 3), (3, 6), (6, 8), (8, 10))
            words = run[0].split()
            title = " ".join(words[:8]) if len(words) > 3 else run[0][:40]
            pages.append((title, [" ".join(run[a:b]) for a, b in cuts]))
        out[lang] = pages
    return out


def measure_flores() -> dict[str, list[int]]:
    """:func:`measure` over :func:`flores_pages` (paragraphs compared in NFC)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for lang, pages in flores_pages().items():
        cell = counts[lang]
        for title, paragraphs in pages:
            wanted = [unicodedata.normalize("NFC", p) for p in paragraphs]
            for menu, footer in CHROME:
                page = "\n".join([title, *menu, title, *paragraphs, *footer])
                out = clean_text(page).text
                lines = set(out.split("\n"))
                cell[0] += len(paragraphs)
                cell[1] += sum(p not in out for p in wanted)
                cell[2] += len(menu) + len(footer)
                cell[3] += sum(c in lines for c in menu + footer)
    return counts


def main(argv: list[str]) -> int:
    if argv == ["--flores"]:
        found = measure_flores()
        rows = sorted(found.items(), key=lambda kv: -(kv[1][1] / kv[1][0] + kv[1][3] / kv[1][2]))
    else:
        paths = [Path(a) for a in argv] or [_DATA / f"{name}.jsonl" for name in _SETS]
        found = measure(paths)
        rows = sorted(found.items())
    print("lang     paragraphs  missing  chrome lines  left")
    for lang, (n, missing, chrome, left) in rows:
        print(f"{lang:<8} {n:>10}  {missing / n:>6.1%}  {chrome:>12}  {left / chrome:>5.1%}")
    paragraphs = sum(c[0] for c in found.values())
    chrome = sum(c[2] for c in found.values())
    print(
        f"all      {paragraphs:>10}  {sum(c[1] for c in found.values()) / paragraphs:>6.2%}"
        f"  {chrome:>12}  {sum(c[3] for c in found.values()) / chrome:>5.2%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
