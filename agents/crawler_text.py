"""A crawler's ``text`` and ``title`` fields as plain text, however the crawler wrote them.

Input: the string a crawler put in ``text`` (or ``title``). Output: the same words as plain
text, paragraphs separated by a blank line, for :func:`agents.boilerplate.clean_text`.

Crawlers deliver "plain text" in several forms, and the stages after this one read lines and
paragraphs: an RSS item's or a CMS export's body is an HTML fragment (``<p>…</p>``, entities
such as ``&#8217;``), a word processor's text separates paragraphs with U+2029 or lines with
U+2028, a feed's title is escaped (``Q&amp;A``). Read as they are, such texts came out with
their tags and entities in the enriched body, and as one paragraph with the site's chrome kept
(``python -m tools.delivered_text`` measures each form). So:

* UTF-8 that was read as Windows-1252 or Latin-1 ("VerÃ¶ffentlichung", "ÐŸÑƒÑ‚Ð¸Ð½", C1
  controls for quotation marks: a crawler that took a page's charset wrong) is decoded again
  by ftfy, the reference repairer of such text (:func:`repaired`: ``text`` and ``title``
  before validation removes control characters; a page's extracted body and title); a text
  in another code page so read ("Ïðåçèäåíò" for "Президент": Windows-1251, Shift_JIS, GBK),
  most of its letters bytes from 0x80 on, is read again in the code page charset-normalizer
  finds, its title in its body's (:func:`misread_encoding`, :func:`repaired_as`);
* a line or paragraph separator of any kind (CR LF, CR, NEL, VT, FF, U+2028) is a newline and
  U+2029 a paragraph break;
* a text that is Markdown (a link to a URL, and two links, pictures, headings or strong
  emphases or more: what Firecrawl, crawl4ai or trafilatura's Markdown output deliver) is read
  by markdown-it-py, the CommonMark parser: its blocks' text, links' text without the URL, no
  pictures, no marks;
* a text that is markup (two tags of HTML's elements or more, one at least every four lines)
  is read as HTML: each block's visible text a paragraph, inline elements' text as written,
  scripts and styles left out; where the markup is only inline (``<a>``, ``<b>``…), the
  text's own newlines still make its lines;
* a character reference ending in ``;`` (``&amp;``, ``&#8217;``, ``&#x2019;``) is its
  character; one without the semicolon is left as written (``AT&T``, ``&notice``);
* plain text hard-wrapped at a fixed width (mail, plain-text feeds, wire services: no line
  wider than :data:`WRAP_MAX_WIDTH`, paragraphs apart by blank lines, their lines filled to
  the width) has each paragraph's lines joined (:func:`unwrapped`): read line by line, a
  paragraph was as many paragraphs as it had lines, and a translation never matched its
  original's count.

A whole page in ``text`` (``<html>``, ``<body>`` or a doctype) is a page, not plain text:
:func:`is_page` tells the pipeline to read it as one; an ``html`` without a tag is plain text
(:func:`has_tags`).

Why not html-text (already a dev dependency) or inscriptis for the fragments: both were tried.
html-text puts a space between any two elements' text ("中国<a>北京</a>市" is "中国 北京 市",
"<i>Ver</i>handlung" two words; with ``guess_punct_space`` it also drops the space before a
quotation mark after a link); inscriptis writes list bullets and indentation into the text and
joins a table's first cell to the text before it. The walk here (lxml, which trafilatura
brings) writes each text node as it is.
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from collections.abc import Callable
from html.entities import html5
from typing import Final
from urllib.parse import urlsplit

from anyascii import anyascii

#: Line breaks other than LF: CR LF, CR, NEL, VT, FF and LINE SEPARATOR (U+2028).
_LINE_BREAK: Final = re.compile("\r\n|[\r\x85\x0b\x0c\u2028]")
#: Unicode's paragraph separator.
_PARAGRAPH_BREAK: Final = "\u2029"
_SEPARATORS: Final = ("\r", "\x85", "\x0b", "\x0c", "\u2028", _PARAGRAPH_BREAK)
#: Tags of HTML elements that body text holds (not any "<word>": "x <y> z" is not markup).
_TAG: Final = re.compile(
    r"</?(?:a|abbr|article|aside|b|blockquote|br|caption|cite|code|dd|del|div|dl|dt|em"
    r"|figcaption|figure|font|footer|h[1-6]|header|hr|i|iframe|img|ins|li|mark|nav|noscript"
    r"|ol|p|picture|pre|q|s|script|section|small|source|span|strong|style|sub|sup|table"
    r"|tbody|td|th|thead|time|tr|u|ul|video)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
#: Tags after which HTML, not the text's newlines, says where lines end.
_BLOCK_TAG: Final = re.compile(
    r"<(?:article|blockquote|br|div|dl|dt|dd|figcaption|figure|h[1-6]|hr|li|ol|p|pre"
    r"|section|table|tr|ul)\b",
    re.IGNORECASE,
)
#: The start of a whole page.
_PAGE: Final = re.compile(r"^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I)
#: A character reference with its semicolon: named, decimal or hexadecimal.
_REFERENCE: Final = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_BLANK_LINES: Final = re.compile(r"\n[^\S\n]*\n\s*")
#: Tags needed before a text is markup: one stray "<b>" in a sentence is not.
MIN_TAGS: Final = 2
#: Lines of text a tag stands for at most in markup (a fragment has a tag in every block).
LINES_PER_TAG: Final = 4


def _cp1252(byte: int) -> str:
    """A byte as Windows-1252 reads it (its five undefined bytes as the C1 controls)."""
    return bytes([byte]).decode("cp1252", errors="ignore") or chr(byte)


_CONTINUATION = re.escape("".join(_cp1252(b) for b in range(0x80, 0xC0)))
#: Signs of UTF-8 read as Windows-1252 or Latin-1: a C1 control (never text), or a lead byte's
#: character followed by its continuation bytes' ("Ã¶" for ö, "â€™" for ’, "Ð¿" for п).
_MOJIBAKE: Final = re.compile(
    f"[\x80-\x9f]"
    f"|[{re.escape(''.join(_cp1252(b) for b in range(0xC2, 0xE0)))}][{_CONTINUATION}]"
    f"|[{re.escape(''.join(_cp1252(b) for b in range(0xE0, 0xF0)))}][{_CONTINUATION}]{{2}}"
)


def repaired(text: str) -> str:
    """``text`` with UTF-8 that was read as Windows-1252 or Latin-1 decoded again
    ("VerÃ¶ffentlichung" is "Veröffentlichung", a C1 "\x84" the "„" it stood for), by ftfy,
    which changes nothing it is not sure of; called only where :data:`_MOJIBAKE` sees a sign."""
    if text.isascii() or not _MOJIBAKE.search(text):
        return text
    import ftfy

    return str(ftfy.fix_encoding(text))


#: Each character a byte from 0x80 on becomes when read as Windows-1252 or as Latin-1 -> the
#: byte (0x80 is "€" to one, U+0080 to the other).
_BYTE_OF: Final = {
    **{chr(b): b for b in range(0x80, 0x100)},
    **{_cp1252(b): b for b in range(0x80, 0x100)},
}
_HIGH: Final = re.compile(f"[{re.escape(''.join(_BYTE_OF))}]")
_HIGH_LETTER: Final = re.compile(f"[{re.escape(''.join(c for c in _BYTE_OF if c.isalpha()))}]")
_ASCII_LETTER: Final = re.compile("[A-Za-z]")
_BEYOND_BYTES: Final = re.compile(f"[^\\x00-\\x7f{re.escape(''.join(_BYTE_OF))}]")
#: A text is read as a code page's bytes misread (:func:`misread_encoding`) when most of its
#: letters are bytes from 0x80 on as Windows-1252 reads them ("Ïðåçèäåíò" is "Президент" in
#: Windows-1251; Icelandic, of the languages written in Latin-1 the one with the most letters
#: from 0x80 on, has ~15%), at least this many.
MISREAD_MIN_LETTERS: Final = 8
#: The "mess" charset-normalizer may find in a decoding it offers (its own default 0.2 refused
#: every code page for 6 of 52 Japanese articles in Shift_JIS, written with full-width letters).
MISREAD_MAX_CHAOS: Final = 0.5
#: The coherence (charset-normalizer's language detection) that prefers a decoding.
MISREAD_MIN_COHERENCE: Final = 0.5


def misread_encoding(text: str) -> str | None:
    """The code page ``text``'s bytes were written in when a crawler read them as Windows-1252
    or Latin-1 (a Russian page in Windows-1251, a Japanese one in Shift_JIS, a Chinese one in
    GBK: Python's ``requests`` reads a page whose HTTP header names no charset as Latin-1):
    every character is one such byte (:data:`_BYTE_OF`), most of its letters from 0x80 on
    (:data:`MISREAD_MIN_LETTERS`), and charset-normalizer, given the bytes, reads them in a code
    page whose text is not Latin-1's letters any more; None otherwise. Such text is no
    language: its words, names and language were all wrong. (ftfy repairs UTF-8 so misread,
    :func:`repaired`, and cannot know other code pages: it changed a misread Shift_JIS text
    into other mojibake.)"""
    if text.isascii() or _BEYOND_BYTES.search(text):
        return None
    letters = len(_HIGH_LETTER.findall(text))
    if letters < MISREAD_MIN_LETTERS or letters <= len(_ASCII_LETTER.findall(text)):
        return None
    high = len(_HIGH.findall(text))
    from charset_normalizer import from_bytes

    found = list(from_bytes(_bytes_of(text), threshold=MISREAD_MAX_CHAOS))
    if not found:
        return None
    # its least "mess" first, but a decoding in which its language detector recognises a
    # language (coherence) before one in which it does not: Hebrew in Windows-1255 reads with
    # as little mess as Greek or Bulgarian letters, but only it as a language (0.81 against 0.26)
    best = max(found, key=lambda match: match.coherence >= MISREAD_MIN_COHERENCE)
    if len(_HIGH.findall(str(best))) * 10 > high:
        return None  # Latin-1 after all
    return str(best.encoding)


def redecoded(text: str, encoding: str) -> str:
    """``text``'s bytes (as Windows-1252 or Latin-1 read them) read in ``encoding``; ``text``
    when they are not text in it."""
    try:
        return _bytes_of(text).decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return text


def _bytes_of(text: str) -> bytes:
    """The bytes that read as Windows-1252 or Latin-1 gave ``text`` (every character one)."""
    return bytes(ord(c) if c < "\x80" else _BYTE_OF[c] for c in text)


def repaired_as(text: str, encoding: str | None) -> str:
    """``text`` repaired: read again in ``encoding`` (:func:`misread_encoding` of the article's
    body, whose bytes were so misread) when it too is only such bytes, some from 0x80 on (a
    title: too short to tell its code page by itself), else :func:`repaired`."""
    if encoding is not None and not text.isascii() and not _BEYOND_BYTES.search(text):
        return redecoded(text, encoding)
    if encoding is None and (found := misread_encoding(text)) is not None:
        return redecoded(text, found)
    return repaired(text)


def line_breaks(text: str) -> str:
    """``text`` with every line separator a newline and U+2029 a blank line."""
    if not any(separator in text for separator in _SEPARATORS):
        return text
    return _LINE_BREAK.sub("\n", text).replace(_PARAGRAPH_BREAK, "\n\n")


def is_markup(text: str) -> bool:
    """Whether ``text`` is written in HTML: :data:`MIN_TAGS` tags of its elements or more, and
    one for every :data:`LINES_PER_TAG` lines at least (a page's visible text that shows a
    few tags, a blog's code or a comment form's "allowed tags", is still plain text)."""
    if "<" not in text:
        return False
    tags = sum(1 for _ in _TAG.finditer(text))
    return tags >= MIN_TAGS and tags * LINES_PER_TAG >= text.count("\n") + 1


_ANY_TAG: Final = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--|<!doctype", re.I)


def has_tags(text: str) -> bool:
    """Whether ``text`` holds a tag, a comment or a doctype at all (an ``html`` field without
    one is plain text put there)."""
    return _ANY_TAG.search(text) is not None


def is_page(text: str) -> bool:
    """Whether ``text`` is a whole HTML page (a doctype, ``<html>``, ``<head>`` or ``<body>``
    first)."""
    return bool(_PAGE.match(text))


#: A character reference escaped once more ("&amp;#8217;", "&amp;quot;"): a feed that escapes
#: its already escaped text (WordPress's feeds often do).
_ESCAPED_REFERENCE: Final = re.compile(
    r"&amp;((?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});)"
)
#: A tag escaped ("&lt;p&gt;"): an HTML fragment given as its escaped source.
_ESCAPED_TAG: Final = re.compile(r"&lt;/?[A-Za-z][A-Za-z0-9]*(?:\s(?:(?!&gt;)[^<>])*)?/?&gt;")
#: The most times a text is read again for references escaped more than once.
_MAX_ESCAPES: Final = 3


def deescaped(text: str) -> str:
    """``text`` without the escaping a feed added once or twice too often: a reference escaped
    again ("&amp;#8217;") as the reference it was ("&#8217;", read later as "’"); a text
    without tags whose tags are escaped (:data:`MIN_TAGS` "&lt;p&gt;" or more) unescaped, so
    that it is read as the markup it is. A text that shows code in markup keeps its escaped
    tags ("&lt;p&gt;" inside ``<code>`` is a tag shown, not one to read)."""
    if "&amp;" not in text and "&lt;" not in text:
        return text
    for _ in range(_MAX_ESCAPES):
        again = _ESCAPED_REFERENCE.sub(r"&\1", text)
        if again == text:
            break
        text = again
    if not has_tags(text) and len(_ESCAPED_TAG.findall(text, 0, 100_000)) >= MIN_TAGS:
        text = unescaped(text)
    return text


def unescaped(text: str) -> str:
    """``text`` with each character reference that ends in ``;`` replaced by its character."""
    if "&" not in text:
        return text
    return _REFERENCE.sub(_character, text)


def _character(match: re.Match[str]) -> str:
    """A reference's character: numeric, or named exactly (HTML5's names: "&notice;" is not
    the legacy "&not" followed by "ice;", as ``html.unescape`` reads it)."""
    reference = match.group()
    if reference[1] == "#":
        return html.unescape(reference)
    return html5.get(reference[1:], reference)


#: HTML's block elements, and the elements whose text is not shown (the HTML stage reads a
#: page's blocks by them too).
BLOCK_TAGS: Final = frozenset(
    (
        *("address", "article", "aside", "blockquote", "body", "caption", "dd", "details"),
        *("dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p"),
        *("pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr"),
        "ul",
    )
)
INVISIBLE_TAGS: Final = frozenset(
    (
        *("head", "script", "style", "noscript", "template", "svg", "math", "iframe"),
        *("object", "embed", "select", "textarea"),
    )
)
#: Blocks that stand on a line of their own, and table cells, which share their row's line.
_LINE_TAGS: Final = frozenset(("li", "tr", "dt", "dd"))
_CELL_TAGS: Final = frozenset(("td", "th"))
_PARAGRAPH_TAGS: Final = BLOCK_TAGS - _LINE_TAGS - _CELL_TAGS
#: What an element's start and end put in the text.
_BEFORE: Final = {
    **dict.fromkeys(_PARAGRAPH_TAGS, "\n\n"),
    **dict.fromkeys(_LINE_TAGS, "\n"),
    **dict.fromkeys(_CELL_TAGS, " "),
}
_AFTER: Final = {**dict.fromkeys(_PARAGRAPH_TAGS, "\n\n"), "br": "\n"}
_SPACES: Final = re.compile(r"[^\S\n]+")
_BREAKS: Final = re.compile(r" *\n *")
_PARAGRAPH_GAPS: Final = re.compile(r"\n{3,}")


def _visible(markup: str) -> str:
    """The visible text of an HTML fragment: inline elements' text as written (no space added
    between them: "中国<a>北京</a>市" is 中国北京市), a blank line after each block, a newline
    after each ``<br>``, list item and table row; scripts and styles left out."""
    from lxml import etree
    from lxml.html import fragment_fromstring

    if not _BLOCK_TAG.search(markup):
        # inline tags only: the text's own newlines are its lines and paragraphs
        markup = _BLANK_LINES.sub("<p>", markup.strip()).replace("\n", "<br>")
    root = fragment_fromstring(markup, create_parent="div")
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    parts: list[str] = []
    hidden = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else None  # None: a comment
        if event == "start":
            if hidden or tag in INVISIBLE_TAGS:
                hidden += 1
            elif tag is not None:
                parts.append(_BEFORE.get(tag, ""))
                parts.append(element.text or "")
            continue
        if hidden:
            hidden -= tag is not None
            if hidden:
                continue
        elif tag is not None:
            parts.append(_AFTER.get(tag, ""))
        if element is not root:
            parts.append(element.tail or "")
    text = _BREAKS.sub("\n", _SPACES.sub(" ", "".join(parts)))
    return _PARAGRAPH_GAPS.sub("\n\n", text).strip()


#: What only Markdown writes: a link or picture to a URL, an ATX heading, strong emphasis.
_MARKDOWN: Final = re.compile(
    r"!?\[[^\]\n]{1,500}\]\((?:https?://|/)[^)\s]*\)|^#{1,6} \S|\*\*[^*\n]+\*\*",
    re.MULTILINE,
)
_INNER_ASTERISK: Final = re.compile(r"(?<=\w)\*(?=\w)")
#: Markdown constructs needed before a text is Markdown (a lone "**" or "#" is not).
MIN_MARKDOWN: Final = 2


def is_markdown(text: str) -> bool:
    """Whether ``text`` is Markdown: a link or picture to a URL, and :data:`MIN_MARKDOWN`
    links, pictures, headings or strong emphases in all (a "# Tags" line or a censored
    "f**k" in a page's plain text are not enough)."""
    if "](" not in text:
        return False
    found = [m.group() for m in itertools.islice(_MARKDOWN.finditer(text), 64)]
    return len(found) >= MIN_MARKDOWN and any(f.endswith(")") for f in found)


#: Markdown's block tokens whose end ends a paragraph (a tight list's items end lines).
_MARKDOWN_BLOCKS: Final = frozenset(
    (
        *("paragraph_close", "heading_close", "blockquote_close", "bullet_list_close"),
        *("ordered_list_close", "code_block", "fence", "hr"),
    )
)


def _markdown_text(markdown: str) -> str:
    """The text of a Markdown document (CommonMark, by markdown-it-py): a paragraph per block,
    a line per item of a tight list; links' text without their URL, pictures and inline HTML
    tags left out, emphasis marks gone, references read; an HTML block's visible text."""
    from markdown_it import MarkdownIt

    # an asterisk between two letters or digits is one ("55*20*40 cm"), not emphasis
    markdown = _INNER_ASTERISK.sub(r"\\*", markdown)
    parts: list[str] = []
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type == "inline":
            for child in token.children or ():
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append("\n")
        elif token.type in ("code_block", "fence"):
            parts.append(token.content)
        elif token.type == "html_block":
            parts.append(_visible(token.content))
        if token.type in _MARKDOWN_BLOCKS or token.type == "html_block":
            parts.append("\n" if token.hidden else "\n\n")
    text = _BREAKS.sub("\n", _SPACES.sub(" ", "".join(parts)))
    return _PARAGRAPH_GAPS.sub("\n\n", text).strip()


def plain_text(text: str) -> str:
    """A crawler's ``text`` as plain text (see the module's docstring)."""
    text = deescaped(line_breaks(text).removeprefix("\ufeff"))  # a BOM is no character
    if is_markdown(text):
        return _markdown_text(text)
    if is_markup(text):
        return _visible(text)
    return unwrapped(unescaped(text))


#: The widest a hard-wrapped text is written (72-80 columns in mail and plain-text feeds).
WRAP_MAX_WIDTH: Final = 100
#: The narrowest: narrower lines are a list or a poem, not a paragraph wrapped.
WRAP_MIN_WIDTH: Final = 30
#: A text is hard-wrapped with at least this many paragraphs so filled.
WRAP_MIN_PARAGRAPHS: Final = 2
#: Characters of the scripts written without spaces between words that wrap anywhere: Chinese
#: and Japanese (Korean wraps between its spaced words).
_WIDE_CHAR: Final = re.compile("[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60]")


def unwrapped(text: str) -> str:
    """``text`` with the lines of each paragraph joined when it is hard-wrapped: paragraphs
    apart by blank lines, no line wider than :data:`WRAP_MAX_WIDTH` characters, and at least
    :data:`WRAP_MIN_PARAGRAPHS` paragraphs of two lines or more wrapped at the widest line's
    width (:func:`_filled`). Only such paragraphs are joined (a menu of
    short lines, a poem or an address keeps its lines); lines are joined by a space, without
    one after a hyphen between letters or in Chinese and Japanese (:func:`_joined`)."""
    if "\n" not in text or _BLANK_LINES.search(text) is None:
        return text
    width = max(len(line.rstrip()) for line in text.split("\n"))
    if not WRAP_MIN_WIDTH <= width <= WRAP_MAX_WIDTH:
        return text
    blocks = _BLANK_LINES.split(text.strip("\n"))
    filled = [_filled(block, width) for block in blocks]
    if sum(filled) < WRAP_MIN_PARAGRAPHS:
        return text
    return "\n\n".join(
        _joined(block) if full else block for block, full in zip(blocks, filled, strict=True)
    )


def _filled(block: str, width: int) -> bool:
    """Whether a block is a paragraph wrapped at ``width``: two lines or more, each but the
    last so full that the next line's first word would not have fitted on it (how a text is
    wrapped: a word goes to the next line when it does not fit)."""
    lines = [line.strip() for line in block.split("\n")]
    if len(lines) < 2 or not all(lines):
        return False
    return all(
        len(line) + 1 + len(after.split(" ", 1)[0]) > width
        for line, after in itertools.pairwise(lines)
    )


def _joined(block: str) -> str:
    """A wrapped paragraph's lines as one line (see :func:`unwrapped`): in a paragraph mostly
    of Chinese or Japanese characters, whose lines break anywhere, with nothing between them."""
    lines = [line.strip() for line in block.split("\n") if line.strip()]
    if len(_WIDE_CHAR.findall(block)) * 2 > len(block) - block.count(" ") - block.count("\n"):
        return "".join(lines)
    out = lines[0] if lines else ""
    for line in lines[1:]:
        hyphen = out.endswith("-") and out[-2:-1].isalpha() and line[0].isalpha()
        out += line if hyphen else " " + line
    return out


#: What separates a site's name from the headline in a page's <title> ("… | BBC News", "…_新华网",
#: "…｜毎日新聞", "…：朝日新聞デジタル"): a dash, bar or "·", "»", "::" between spaces; a bar,
#: full-width bar, full-width colon or underscore with or without them.
_SEPARATOR: Final = r"(?:\s+(?:[|–—·»]|::|-{1,2})\s+|\s*[|｜_：]\s*)"
_TITLE_PARTS: Final = re.compile(_SEPARATOR)
_NOT_WORD: Final = re.compile(r"[\W_]+")
_EDGE_SEPARATORS: Final = re.compile(rf"^{_SEPARATOR}+|{_SEPARATOR}+$")
#: Most parts taken off one end of a title ("Headline - Section - Site").
_MAX_TITLE_ENDS: Final = 2


def title_ends(title: str | None) -> tuple[str, ...]:
    """The parts at the ends of a title that separators split (:data:`_TITLE_PARTS`): its
    first and last (the site's name, a section is one of them when a page's <title> adds it);
    none when it is one part. What a source's learning counts (:mod:`agents.boilerplate_learn`:
    a part that ends most of a source's titles is its chrome)."""
    if not title:
        return ()
    parts = [part.strip() for part in _TITLE_PARTS.split(title)]
    parts = [part for part in parts if part]
    return (parts[0], parts[-1]) if len(parts) >= 2 else ()


def without_ends(title: str, is_chrome: Callable[[str], bool]) -> tuple[str, tuple[str, ...]]:
    """``title`` without the parts at its ends (:func:`title_ends`) that ``is_chrome`` names,
    the last end first, at most :data:`_MAX_TITLE_ENDS`, while a headline is left (two words,
    or four characters of a script written without spaces); and the parts taken off."""
    removed: list[str] = []
    while len(removed) < _MAX_TITLE_ENDS:
        ends = title_ends(title)
        if not ends:
            break
        first, last = ends
        if is_chrome(last):
            rest, part = title[: title.rfind(last)], last
        elif is_chrome(first):
            rest, part = title[title.find(first) + len(first) :], first
        else:
            break
        rest = _EDGE_SEPARATORS.sub("", rest).strip()
        if not _headline_left(rest):
            break
        title = rest
        removed.append(part)
    return title, tuple(removed)


def _headline_left(rest: str) -> bool:
    """Whether ``rest`` is still a headline: two words, or four characters of a script written
    without spaces (a Chinese or Japanese headline is one "word")."""
    return len(rest.split()) >= 2 or len(_WIDE_CHAR.findall(rest)) >= 4


def site_name_test(url: str | None, source: str | None) -> Callable[[str], bool] | None:
    """Whether a part of a title names the site of ``url`` / ``source``: it holds a name of
    the site (:func:`_site_names`: "bbc" in "BBC News", "spiegel" in "Spiegel Online", "ria" in
    "РИА Новости", letters and digits in any script through its transliteration) or its words'
    initials are its domain's name ("hs.fi": "Helsingin Sanomat"); None when neither is
    known."""
    names, domain = _site_names(url, source)
    if not names and not domain:
        return None

    def is_site(part: str) -> bool:
        latin = anyascii(part).casefold()
        key = _NOT_WORD.sub("", latin)
        words = [word for word in _NOT_WORD.split(latin) if word]
        if domain and len(words) >= 2 and "".join(word[0] for word in words) == domain:
            return True
        return any(name in key or (len(key) >= 3 and key in name) for name in names)

    return is_site


def without_site_name(title: str, url: str | None, source: str | None) -> str:
    """``title`` without the site's name a page's <title> adds before or after the headline
    ("Big quake hits Japan | BBC News", "Spiegel Online - …"): an end part (:func:`title_ends`)
    that names the site (:func:`site_name_test`), while a headline is left. Every article of a
    site would otherwise carry its name into the evidence (a name they all share) and to the
    consumers of its title. A name the host does not spell ("新华网" on xinhuanet.com) is
    learned per source instead (:mod:`agents.boilerplate_learn`, in the pipeline)."""
    is_site = site_name_test(url, source)
    return title if is_site is None else without_ends(title, is_site)[0]


#: Host labels that are no site's name.
_NO_SITE: Final = frozenset(
    {"www", "www2", "com", "org", "net", "edu", "gov", "co", "ac", "or", "ne", "go", "m",
     "amp", "mobile", "news", "edition", "online", "web", "blog", "blogs", "home"}
)  # fmt: skip


def _site_names(url: str | None, source: str | None) -> tuple[set[str], str | None]:
    """The names a site goes by (its host's labels of three letters or more, but the top
    level and :data:`_NO_SITE`; its source's name), letters and digits only, transliterated;
    and its domain's name (the label before the public suffix, "hs" of "www.hs.fi"), for
    initials."""
    names: set[str] = set()
    domain: str | None = None
    for value in (url, source):
        if not value:
            continue
        text = value.strip().casefold()
        host = (urlsplit(text).hostname or "") if "://" in text else text
        if host and "." in host and " " not in host:
            labels = [_NOT_WORD.sub("", label) for label in host.split(".")[:-1]]
            kept = [label for label in labels if label and label not in _NO_SITE]
            names.update(label for label in kept if len(label) >= 3)
            if kept and domain is None:
                domain = kept[-1]
        else:
            name = _NOT_WORD.sub("", anyascii(text).casefold())
            if len(name) >= 3:
                names.add(name)
    return names, domain


#: A Markdown heading's marks ("# Putin meets Xi": a Markdown file's first line).
_HEADING_MARKS: Final = re.compile(r"^\s{0,3}#{1,6}\s+")


def plain_title(title: str) -> str:
    """A crawler's ``title`` as one line of plain text: tags out, references read, a Markdown
    heading's marks gone, in Unicode's composed form (:func:`nfc`)."""
    title = deescaped(line_breaks(title))
    title = _visible(title) if _TAG.search(title) else unescaped(title)
    return nfc(" ".join(_HEADING_MARKS.sub("", title).split()))


def nfc(text: str) -> str:
    """``text`` in Unicode's composed normal form (NFC), as trafilatura returns its text: the
    same word in two encodings ("য়" as one code point or as "য" and a nukta) is then one; a
    title as macOS and some editors write it, decomposed ("Ero\u0308ffnung"), was published so,
    and its "Ero" read as a name."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
