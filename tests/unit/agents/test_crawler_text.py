"""A crawler's text and title as plain text: line separators, HTML fragments, references."""

from __future__ import annotations

import pytest

from agents.crawler_text import (
    has_tags,
    is_markdown,
    is_markup,
    is_page,
    line_breaks,
    plain_text,
    plain_title,
    repaired,
)
from streams.records import Rejected


@pytest.mark.parametrize(
    ("given", "wanted"),
    [
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\u2028b", "a\nb"),
        ("a\u2029b", "a\n\nb"),
        ("a\x0cb\x0bc\x85d", "a\nb\nc\nd"),
        ("plain\nascii", "plain\nascii"),
    ],
)
def test_every_line_separator_is_a_newline_and_u2029_a_paragraph_break(
    given: str, wanted: str
) -> None:
    assert line_breaks(given) == wanted


def test_a_paragraph_fragment_is_its_paragraphs_with_its_references_read() -> None:
    fragment = "<p>Putin &amp; Xi met.</p><p>They talked&#8230; for &#x32; hours.</p>"
    assert plain_text(fragment) == "Putin & Xi met.\n\nThey talked… for 2 hours."


def test_inline_elements_add_no_space_in_any_script() -> None:
    fragment = (
        "<p>中国<a href='/x'>北京</a>市发布了<b>新</b>规定。</p><p>Die <i>Ver</i>handlung</p>"
    )
    assert plain_text(fragment) == "中国北京市发布了新规定。\n\nDie Verhandlung"


def test_breaks_lists_and_tables_make_lines_and_invisible_elements_go() -> None:
    fragment = (
        "one<br>two<br><br>three<script>var x = '<p>no</p>';</script> four<!-- c -->"
        "<ul><li>a</li><li>b</li></ul><table><tr><td>c1</td><td>c2</td></tr></table>"
        "<style>p {}</style>"
    )
    assert plain_text(fragment) == "one\ntwo\n\nthree four\n\na\nb\n\nc1 c2"


def test_with_inline_tags_only_the_texts_own_newlines_are_its_lines() -> None:
    text = "First <b>para</b>graph.\nIts second line.\n\nSecond <a href='/x'>paragraph</a>."
    assert plain_text(text) == "First paragraph.\nIts second line.\n\nSecond paragraph."


def test_plain_text_keeps_what_only_looks_like_markup_or_a_reference() -> None:
    text = "AT&T and R&D &notice; x < y and a <b> alone; 3 &lt; 4 &bogus; &#8217;"
    assert not is_markup(text)
    assert plain_text(text) == "AT&T and R&D &notice; x < y and a <b> alone; 3 < 4 &bogus; ’"


def test_a_byte_order_mark_is_dropped() -> None:
    assert plain_text("\ufeffText.") == "Text."


def test_a_title_is_one_line_without_tags_and_with_its_references_read() -> None:
    assert plain_title("Q&amp;A: <b>Putin</b>\u2028meets  Xi &#8211; report") == (
        "Q&A: Putin meets Xi – report"
    )
    assert plain_title("AT&T buys <i>Time Warner</i>") == "AT&T buys Time Warner"
    assert plain_title("## Putin meets Xi") == "Putin meets Xi"  # a Markdown file's first line
    assert plain_title("#MeToo turns five") == "#MeToo turns five"


def test_a_whole_page_is_told_from_a_fragment() -> None:
    assert is_page("  <!DOCTYPE html><html><body><p>x</p></body></html>")
    assert is_page("<html lang='de'><p>x</p></html>")
    assert not is_page("<p>x</p><p>y</p>")
    assert not is_page("Text about <html> tags")


def test_markdown_is_its_text_without_urls_pictures_or_marks() -> None:
    markdown = (
        "# Putin to attend the Olympics\n\n"
        "**Vladimir Putin** has [confirmed](https://example.com/a) he will attend, the "
        "[Kremlin](/kremlin) said.\nA second line.\n\n"
        "![The stadium](https://example.com/i.jpg)\n\n"
        "* one\n* two\n\n"
        "Bags of 55*20*40 cm and \\[brackets\\] stay."
    )
    assert plain_text(markdown) == (
        "Putin to attend the Olympics\n\n"
        "Vladimir Putin has confirmed he will attend, the Kremlin said.\nA second line.\n\n"
        "one\ntwo\n\n"
        "Bags of 55*20*40 cm and [brackets] stay."
    )


def test_what_only_looks_like_markdown_or_markup_stays_plain_text() -> None:
    censored = "# Tags\n\nShe said 'go f**k' and **left**.\n\n# More"
    assert not is_markdown(censored) and plain_text(censored) == censored
    page = "\n".join([f"Line {i} of a page." for i in range(40)])
    page += "\nYou may use these tags: <a href=''> <b> <i> <code> <em>"
    assert not is_markup(page) and plain_text(page) == page


def test_utf8_read_as_windows_1252_is_decoded_again() -> None:
    assert repaired("VerÃ¶ffentlichung und \x84Zitat\x93: ÐŸÑƒÑ‚Ð¸Ð½") == (
        "Veröffentlichung und „Zitat“: Путин"
    )
    for right in ("Fuß“ und Prä\xadvention", "Ã la carte", "plain ASCII"):
        assert repaired(right) == right


def test_a_text_without_any_tag_is_told_from_one_with_tags() -> None:
    assert not has_tags("Plain text: 3 < 4, a -> b, <3 and << quoted >>.")
    assert has_tags("x <b>y</b>") and has_tags("<!-- c -->") and has_tags("a</p>")


def test_hard_wrapped_paragraphs_are_joined() -> None:
    import textwrap

    from agents.crawler_text import unwrapped

    paragraphs = [
        "The government announced on Tuesday that it would raise the minimum wage next "
        "year, after months of talks with unions and employers about the cost of living.",
        "Unions welcomed the well-known plan but said it came too late for many families "
        "who had already fallen behind on their rent and their energy bills this winter.",
    ]
    for width in (40, 72):
        wrapped = "\n\n".join(textwrap.fill(p, width) for p in paragraphs)
        assert unwrapped(wrapped).split("\n\n") == paragraphs
        assert plain_text(wrapped).split("\n\n") == paragraphs
    # Chinese and Japanese break anywhere: joined without a space
    ja = (
        "日本の首相は月曜日に新しい経済対策を発表した。対策には中小企業への支援\n策が含まれている。"
    )
    assert unwrapped(f"{ja}\n\n{ja}") == "\n\n".join([ja.replace("\n", "")] * 2)
    # a menu, an address or lines of any width that are not filled keep their lines
    menu = "Home\nNews\nSport\n\nWorld\nBusiness\n\nA short line\nanother"
    assert unwrapped(menu) == menu
    long_lines = "\n\n".join(p.replace("after", "\nafter") for p in paragraphs * 2)
    assert unwrapped(long_lines) == long_lines  # wider than 100: not wrapped at a width


@pytest.mark.parametrize(
    ("title", "url", "source", "expected"),
    [
        (
            "Big quake hits Japan | BBC News",
            "https://www.bbc.co.uk/news/1",
            None,
            "Big quake hits Japan",
        ),
        (
            "SPIEGEL ONLINE - Merkel trifft Macron",
            "https://www.spiegel.de/a",
            None,
            "Merkel trifft Macron",
        ),
        (
            "Poika löytyi Tampereelta | Helsingin Sanomat",
            "https://www.hs.fi/a",
            None,
            "Poika löytyi Tampereelta",
        ),
        ("Путин встретился с Си | РИА Новости", "https://ria.ru/1", None, "Путин встретился с Си"),
        ("Big quake hits Japan | Example News", None, "Example News", "Big quake hits Japan"),
        # not the site's name, or nothing would be left of the headline
        (
            "Brexit - what happens next",
            "https://www.bbc.co.uk/news/1",
            None,
            "Brexit - what happens next",
        ),
        ("New rules - Apple News", "https://news.example.com/a", None, "New rules - Apple News"),
        ("BBC | News", "https://www.bbc.com/a", None, "BBC | News"),
        ("Big quake hits Japan | BBC News", None, None, "Big quake hits Japan | BBC News"),
    ],
)
def test_a_title_loses_its_sites_name(
    title: str, url: str | None, source: str | None, expected: str
) -> None:
    from agents.crawler_text import without_site_name

    assert without_site_name(title, url, source) == expected


def test_a_title_in_a_script_without_spaces_loses_its_sites_name() -> None:
    from agents.crawler_text import without_site_name

    # a Japanese headline is one "word": four characters of it are a headline left
    assert without_site_name(
        "東京で震度5弱の地震 | NHK", "https://www3.nhk.or.jp/news/1", None
    ) == ("東京で震度5弱の地震")
    assert without_site_name("地震 | NHK", "https://www3.nhk.or.jp/news/1", None) == "地震 | NHK"


def test_a_titles_ends_and_what_goes_of_them() -> None:
    from agents.crawler_text import title_ends, without_ends

    assert title_ends("Big quake hits Japan | World | BBC News") == (
        "Big quake hits Japan",
        "BBC News",
    )
    assert title_ends("习近平会见美国总统_新华网") == ("习近平会见美国总统", "新华网")
    assert title_ends("Brexit: what happens next") == ()
    chrome = {"BBC News", "World"}.__contains__
    assert without_ends("Big quake hits Japan | World | BBC News", chrome) == (
        "Big quake hits Japan",
        ("BBC News", "World"),
    )
    assert without_ends("World | Big quake hits Japan", chrome) == (
        "Big quake hits Japan",
        ("World",),
    )
    assert without_ends("World | BBC News", chrome) == ("World | BBC News", ())


def test_a_decomposed_title_is_composed() -> None:
    from agents.crawler_text import plain_title

    # NFD, as macOS writes: "o" and a combining diaeresis; published and read as "ö"
    assert plain_title("Ero\u0308ffnung der Winterspiele") == "Eröffnung der Winterspiele"


def _misread(text: str, encoding: str) -> str:
    """``text``'s bytes in ``encoding`` read as Windows-1252 (undefined bytes as C1 controls)."""
    return "".join(
        bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in text.encode(encoding)
    )


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Президент России заявил во вторник, что Москва готова к переговорам.", "cp1251"),
        ("ראש הממשלה אמר ביום שלישי כי ישראל מוכנה למשא ומתן עם שכנותיה של המדינה.", "cp1255"),
        ("岸田首相は火曜日、政府は近隣諸国との交渉に応じる用意があると述べた。", "shift_jis"),
        ("总理周二表示，政府准备与邻国进行谈判，并将于下周公布具体方案。", "gbk"),
    ],
)
def test_a_text_in_a_code_page_read_as_windows_1252_is_read_again(text: str, encoding: str) -> None:
    from agents.crawler_text import misread_encoding, repaired_as

    misread = _misread(text, encoding)
    found = misread_encoding(misread)
    assert found is not None
    assert repaired_as(misread, found) == text
    assert repaired_as(misread, None) == text  # found again when alone


@pytest.mark.parametrize(
    "text",
    [
        "Leitum lausna með því að aðlaga hið gamla og gera pláss fyrir hið nýja",
        "Leitum\xa0lausna\xa0með\xa0því\xa0að\xa0aðlaga\xa0hið\xa0gamla\xa0og\xa0gera\xa0pláss",
        "Über die Änderungen äußerte sich der Präsident am Dienstag nicht.",
        "¿Qué pasó? El niño dijo «sí» a las 10:00, señor.",
    ],
)
def test_text_written_in_latin_1s_letters_is_no_misread_code_page(text: str) -> None:
    from agents.crawler_text import misread_encoding, repaired_as

    assert misread_encoding(text) is None
    assert repaired_as(text, None) == text


def test_a_title_is_read_again_in_its_bodys_code_page() -> None:
    from agents import validation

    title, text = "Путин в Москве", "Президент России заявил во вторник, что Москва готова."
    article = validation.validate_object(
        {"id": "a", "title": _misread(title, "cp1251"), "text": _misread(text, "cp1251")}
    )
    assert not isinstance(article, Rejected)
    assert (article.title, article.text) == (title, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a feed that escapes its escaped text: WordPress's "&amp;#8217;"
        (
            "It&amp;#8217;s &amp;quot;done&amp;quot;.\n\nPutin &amp;amp; Xi met.",
            'It’s "done".\n\nPutin & Xi met.',
        ),
        ("It&amp;amp;#8217;s over.", "It’s over."),  # three times
        # a fragment given as its escaped source
        (
            "&lt;p&gt;First paragraph.&lt;/p&gt;&lt;p&gt;Second one.&lt;/p&gt;",
            "First paragraph.\n\nSecond one.",
        ),
        # as written: one escaped tag is a sentence about HTML, a single "&amp;" an ampersand
        ("Use the &lt;p&gt; element for paragraphs.", "Use the <p> element for paragraphs."),
        ("AT&amp;T and Q&amp;A", "AT&T and Q&A"),
    ],
)
def test_text_escaped_more_than_once_is_read_as_written(text: str, expected: str) -> None:
    from agents.crawler_text import plain_text

    assert plain_text(text) == expected


def test_a_title_escaped_twice_is_read_as_written() -> None:
    from agents.crawler_text import plain_title

    assert plain_title("Q&amp;amp;A: Putin&amp;#8217;s &amp;quot;deal&amp;quot;") == (
        'Q&A: Putin’s "deal"'
    )


def test_markup_showing_escaped_code_keeps_it() -> None:
    from agents.crawler_text import deescaped

    code = "<p>Write <code>&lt;p&gt;</code> and <code>&lt;/p&gt;</code>.</p><p>Done.</p>"
    assert deescaped(code) == code
