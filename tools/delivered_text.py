"""Plain text as crawlers deliver it: each article in several forms, through the worker's chain.

``python -m tools.delivered_text [--per-language N] [FILE.jsonl ...]`` (default: the WMT
2016-2024 sets in ../shared/data/translated_news) takes every article of three or more
paragraphs (at most N a language) and delivers it in ``text`` as a crawler might: paragraphs
separated by blank lines (the reference), by CR LF, by U+2029 or U+2028; as an HTML fragment
(``<p>`` blocks, text escaped; also with every non-ASCII character as a numeric reference, as
older feeds write it); with inline tags only (``<b>``, ``<a>``) between blank lines; escaped
without tags; as Markdown (bold, links, a picture); its UTF-8 read as Windows-1252; plain
text in ``html``; hard-wrapped at 72 columns (mail, plain-text feeds), paragraphs apart by
blank lines; in Unicode's decomposed form (NFD, as macOS writes); with a no-break space for
every space (pages that write ``&nbsp;`` between words); escaped twice ("&amp;#8217;", as
feeds that escape their escaped text write it); as a ``<p>`` fragment's escaped source
("&lt;p&gt;…"); in its script's old code page read as Windows-1252. Each form,
with its title written the same way, goes through :func:`agents.validation.validate_object`
and :meth:`agents.pipeline.Pipeline.clean` (what the worker runs before evidence), and is
compared with the reference's output: the share of the reference's paragraphs not found whole,
of outputs that still hold a tag or a character reference, of titles that differ, of languages
that differ, and of outputs with another number of paragraphs (grouping reads the count: a
translation keeps its original's).
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import textwrap
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import orjson

from tools.wrapped_articles import _DATA, _SETS

_TAG_OR_REFERENCE = re.compile(r"</?[a-zA-Z][^<>]*>|&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9a-f]+);")


def _escaped(text: str) -> str:
    return html.escape(text, quote=False)


def _ascii_references(text: str) -> str:
    return _escaped(text).encode("ascii", "xmlcharrefreplace").decode("ascii")


def _inline(paragraph: str) -> str:
    words = _escaped(paragraph).split(" ")
    words[0] = f"<b>{words[0]}</b>"
    if len(words) > 4:
        words[3] = f'<a href="/topic/{len(words)}">{words[3]}</a>'
    return " ".join(words)


_MARKDOWN_SPECIAL = re.compile(r"[\\\[\]*_`]")


def _markdown(paragraphs: list[str]) -> str:
    """The paragraphs as Markdown crawlers write (Firecrawl, crawl4ai, trafilatura's
    ``output_format="markdown"``): the first word bold, the fourth a link, a picture after the
    first paragraph; the text's own brackets, asterisks and backslashes escaped, as those
    converters do."""
    out = []
    for number, paragraph in enumerate(paragraphs):
        words = _MARKDOWN_SPECIAL.sub(r"\\\g<0>", paragraph).split(" ")
        words[0] = f"**{words[0]}**"
        if len(words) > 4:
            words[3] = f"[{words[3]}](https://example.com/topic/{len(words)})"
        out.append(" ".join(words))
        if number == 0:
            out.append("![A picture of the scene](https://example.com/img/1.jpg)")
    return "\n\n".join(out)


def _misread(text: str, encoding: str = "utf-8") -> str:
    """``text``'s bytes in ``encoding`` read as Windows-1252 (its undefined bytes as C1
    controls), as a crawler that takes a page's charset wrong reads them."""
    return "".join(
        bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in text.encode(encoding)
    )


def _decomposed(text: str) -> str:
    """``text`` in Unicode's decomposed form (NFD: "o" and a combining diaeresis for "ö"), as
    macOS and some editors write it."""
    return unicodedata.normalize("NFD", text)


def _no_break(text: str) -> str:
    """``text`` with a no-break space (U+00A0) for every space, as pages that write ``&nbsp;``
    between all their words give it."""
    return text.replace(" ", "\u00a0")


#: The code pages sites wrote a script in before UTF-8 (Windows' and the East Asian ones), by a
#: letter of the script: the first that can write the text is its page's.
CODE_PAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("\u3040-\u30ff", ("cp932", "euc_jp")),  # kana: Japanese
    ("\uac00-\ud7af", ("cp949",)),  # Hangul
    ("\u4e00-\u9fff", ("gb18030",)),  # Han without kana: Chinese
    ("\u0400-\u04ff", ("cp1251",)),  # Cyrillic
    ("\u0370-\u03ff", ("cp1253",)),  # Greek
    ("\u0590-\u05ff", ("cp1255",)),  # Hebrew
    ("\u0600-\u06ff", ("cp1256",)),  # Arabic
    ("\u0e00-\u0e7f", ("cp874",)),  # Thai
)


def _code_page_misread(text: str) -> str:
    """``text`` written in its script's old code page (:data:`CODE_PAGES`) and read as
    Windows-1252, as a crawler that reads a page without a charset in its HTTP header as
    Latin-1 gets it (Python's ``requests`` does); a text in another script as it is."""
    for letters, encodings in CODE_PAGES:
        if re.search(f"[{letters}]", text):
            for encoding in encodings:
                try:
                    return _misread(text, encoding)
                except UnicodeEncodeError:
                    continue
            return text
    return text


#: form -> (text from the paragraphs, title from the title)
FORMS: dict[str, tuple[Callable[[list[str]], str], Callable[[str], str]]] = {
    "blank lines (reference)": (lambda ps: "\n\n".join(ps), str),
    "CR LF": (lambda ps: "\r\n\r\n".join(ps), str),
    "U+2029": (lambda ps: "\u2029".join(ps), str),
    "U+2028": (lambda ps: "\u2028".join(ps), str),
    "<p> fragment": (lambda ps: "".join(f"<p>{_escaped(p)}</p>" for p in ps), _escaped),
    "<p>, ASCII refs": (
        lambda ps: "\n".join(f"<p>{_ascii_references(p)}</p>" for p in ps),
        _ascii_references,
    ),
    "inline tags": (lambda ps: "\n\n".join(_inline(p) for p in ps), lambda t: f"<b>{t}</b>"),
    "escaped, no tags": (lambda ps: "\n\n".join(_ascii_references(p) for p in ps), _escaped),
    "Markdown": (_markdown, str),
    "UTF-8 read as cp1252": (lambda ps: _misread("\n\n".join(ps)), _misread),
    "plain text in html": (lambda ps: "\n\n".join(ps), str),
    "wrapped at 72 columns": (lambda ps: "\n\n".join(textwrap.fill(p, 72) for p in ps), str),
    "decomposed (NFD)": (lambda ps: _decomposed("\n\n".join(ps)), _decomposed),
    "no-break spaces": (lambda ps: _no_break("\n\n".join(ps)), _no_break),
    "escaped twice": (
        lambda ps: "\n\n".join(_escaped(_ascii_references(p)) for p in ps),
        lambda t: _escaped(_ascii_references(t)),
    ),
    "escaped <p> fragment": (
        lambda ps: _escaped("".join(f"<p>{_escaped(p)}</p>" for p in ps)),
        lambda t: _escaped(_escaped(t)),
    ),
    "code page read as cp1252": (
        lambda ps: _code_page_misread("\n\n".join(ps)),
        _code_page_misread,
    ),
}
#: Forms delivered in ``html`` instead of ``text`` (a crawler that maps its fields wrong).
IN_HTML = frozenset(("plain text in html",))


def articles(paths: list[Path], per_language: int) -> list[tuple[str, str, list[str]]]:
    """(language, title, paragraphs) of the articles of three or more paragraphs."""
    taken: dict[str, int] = defaultdict(int)
    out = []
    for path in paths:
        for line in path.read_bytes().splitlines():
            doc = orjson.loads(line)
            paragraphs = [p.strip() for p in doc["text"].split("\n") if p.strip()]
            if len(paragraphs) < 3 or not doc.get("title") or taken[doc["lang"]] >= per_language:
                continue
            taken[doc["lang"]] += 1
            out.append((doc["lang"], doc["title"].strip(), paragraphs))
    return out


def measure(docs: list[tuple[str, str, list[str]]]) -> dict[str, list[int]]:
    """form -> [articles, paragraphs, missing, outputs with markup, titles differing,
    languages differing, rejected, paragraph counts differing]."""
    from agents import validation
    from agents.pipeline import Pipeline
    from agents.prepare import PrepareOptions
    from streams.records import Rejected
    from streams.settings import Settings

    pipeline = Pipeline.create(PrepareOptions.from_settings(Settings()))
    counts: dict[str, list[int]] = {form: [0] * 8 for form in FORMS}

    def run(text: str, title: str, field: str = "text") -> tuple[str, str | None, str] | None:
        article = validation.validate_object({"id": "a", "title": title, field: text})
        if isinstance(article, Rejected):
            return None
        outcome = pipeline.clean(article)
        if isinstance(outcome, Rejected):
            return None
        cleaned, out_title, lang = outcome
        return cleaned.text, out_title, lang.lang

    for _lang, title, paragraphs in docs:
        text_of, title_of = FORMS["blank lines (reference)"]
        reference = run(text_of(paragraphs), title_of(title))
        if reference is None:
            continue
        wanted = [p for p in reference[0].split("\n\n") if p.strip()]
        for form, (text_of, title_of) in FORMS.items():
            cell = counts[form]
            got = run(text_of(paragraphs), title_of(title), "html" if form in IN_HTML else "text")
            cell[0] += 1
            cell[1] += len(wanted)
            if got is None:
                cell[2] += len(wanted)
                cell[6] += 1
                continue
            text, out_title, lang = got
            flat = " ".join(text.split())
            cell[2] += sum(" ".join(p.split()) not in flat for p in wanted)
            cell[3] += bool(_TAG_OR_REFERENCE.search(text))
            cell[4] += out_title != reference[1]
            cell[5] += lang != reference[2]
            cell[7] += len([p for p in text.split("\n\n") if p.strip()]) != len(wanted)
    return counts


def render(counts: dict[str, list[int]]) -> str:
    head = (
        "form                        articles  paragraphs missing  markup left  title differs"
        "  language differs  rejected  paragraphs differ"
    )
    rows = [head, "-" * len(head)]
    for form, (n, paras, missing, markup, title, lang, rejected, shape) in counts.items():
        rows.append(
            f"{form:26}  {n:8}  {100 * missing / max(paras, 1):17.2f}%"
            f"  {100 * markup / max(n, 1):10.2f}%"
            f"  {100 * title / max(n, 1):12.2f}%  {100 * lang / max(n, 1):15.2f}%  {rejected:8}"
            f"  {100 * shape / max(n, 1):15.2f}%"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.delivered_text", description=__doc__)
    parser.add_argument("files", nargs="*", type=Path, help="translated_news .jsonl files")
    parser.add_argument("--per-language", type=int, default=100, help="articles a language")
    args = parser.parse_args(argv)
    paths = args.files or [_DATA / f"{name}.jsonl" for name in _SETS]
    docs = articles(paths, args.per_language)
    languages = len({lang for lang, _, _ in docs})
    print(
        f"delivered_text: {len(docs)} articles in {languages} languages"
        f" ({', '.join(p.stem for p in paths)})"
    )
    print(render(measure(docs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
