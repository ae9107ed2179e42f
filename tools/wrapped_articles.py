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

``--html`` (with ``--flores`` or files) puts each article in an HTML page instead (a menu of
links in a header, the title as ``<h1>`` and the paragraphs in an ``<article>`` or in nested
``<div>``s, the menu again in an aside, the footer's links) and compares
:func:`agents.boilerplate.clean_html` with ``trafilatura.extract`` on the same pages:
paragraphs missing (compared with whitespace collapsed) and chrome lines left, per language,
the languages where ours loses most against trafilatura first.
"""

from __future__ import annotations

import html
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


def html_page(
    title: str, paragraphs: list[str], menu: list[str], footer: list[str], nested: bool
) -> str:
    """An article's page: a header menu, the title and paragraphs in an ``<article>`` (or, with
    ``nested``, in ``<div>``s), an aside with the menu again, a footer of links."""
    escape = html.escape
    links = "".join(f'<li><a href="/{i}">{escape(m)}</a></li>' for i, m in enumerate(menu))
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    head = f"<h1>{escape(title)}</h1>"
    main = (
        f'<div class="content">{head}<div class="text">{body}</div></div>'
        if nested
        else f"<article>{head}{body}</article>"
    )
    foot = "".join(f'<p><a href="/f{i}">{escape(f)}</a></p>' for i, f in enumerate(footer))
    return (
        f"<html><head><title>{escape(title)} | Site</title></head><body>"
        f"<header><ul>{links}</ul></header><main>{main}</main>"
        f"<aside><h3>{escape(menu[1])}</h3><ul>{links}</ul></aside><footer>{foot}</footer>"
        "</body></html>"
    )


def _flat(text: str) -> str:
    """``text`` as the comparison reads it: entities read, NFC, whitespace collapsed."""
    return unicodedata.normalize("NFC", " ".join(html.unescape(text).split()))


def measure_html(
    articles: dict[str, list[tuple[str, list[str]]]],
    chromes: tuple[tuple[list[str], list[str]], ...] = CHROME,
    layouts: tuple[bool, ...] = (False, True),
) -> dict[str, list[int]]:
    """language -> [paragraphs, missing ours, missing trafilatura, chrome lines, left ours,
    left trafilatura], every article in each of :func:`html_page`'s ``layouts`` (nested or
    not), with each of the ``chromes``."""
    import trafilatura

    from agents.boilerplate import clean_html

    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for lang, pages in articles.items():
        cell = counts[lang]
        for title, paragraphs in pages:
            wanted = [_flat(p) for p in paragraphs]
            for menu, footer in chromes:
                chrome = [_flat(c) for c in menu + footer]
                for nested in layouts:
                    page = html_page(title, paragraphs, menu, footer, nested)
                    ours = _flat(clean_html(page, "https://example.com/a").text)
                    theirs = _flat(trafilatura.extract(page) or "")
                    cell[0] += len(wanted)
                    cell[1] += sum(p not in ours for p in wanted)
                    cell[2] += sum(p not in theirs for p in wanted)
                    cell[3] += len(chrome)
                    cell[4] += sum(c in ours for c in chrome)
                    cell[5] += sum(c in theirs for c in chrome)
    return counts


def _articles_of(paths: list[Path]) -> dict[str, list[tuple[str, list[str]]]]:
    """language -> (title, paragraphs) of the files' articles of three or more paragraphs."""
    out: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for path in paths:
        for line in path.read_bytes().splitlines():
            doc = orjson.loads(line)
            paragraphs = [p.strip() for p in doc["text"].split("\n") if p.strip()]
            if len(paragraphs) >= 3:
                out[doc["lang"]].append((doc["title"], paragraphs))
    return out


def main_html(argv: list[str]) -> int:
    if argv == ["--flores"]:
        articles = flores_pages()
    else:
        articles = _articles_of([Path(a) for a in argv] or [_DATA / f"{n}.jsonl" for n in _SETS])
    found = measure_html(articles)
    rows = sorted(found.items(), key=lambda kv: (-(kv[1][1] - kv[1][2]), -kv[1][1], kv[0]))
    print("HTML pages: paragraphs missing and chrome lines left, ours (clean_html) / trafilatura")
    print("lang     paragraphs  missing ours  trafilatura  chrome lines  left ours  trafilatura")
    for lang, (n, ours, theirs, chrome, left, left_theirs) in rows:
        print(
            f"{lang:<8} {n:>10}  {ours / n:>12.2%}  {theirs / n:>11.2%}  {chrome:>12}"
            f"  {left / chrome:>9.2%}  {left_theirs / chrome:>11.2%}"
        )
    total = [sum(c[i] for c in found.values()) for i in range(6)]
    print(
        f"all      {total[0]:>10}  {total[1] / total[0]:>12.2%}  {total[2] / total[0]:>11.2%}"
        f"  {total[3]:>12}  {total[4] / total[3]:>9.2%}  {total[5] / total[3]:>11.2%}"
    )
    below = [lang for lang, c in found.items() if c[1] > c[2] or c[4] > c[5]]
    print(f"languages where ours loses more or leaves more chrome than trafilatura: {len(below)}")
    return 0


def main(argv: list[str]) -> int:
    if "--html" in argv:
        return main_html([a for a in argv if a != "--html"])
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
