"""Validation: every kind of bad input becomes a Rejected with a clear reason."""

from __future__ import annotations

import orjson
import pytest

from agents.validation import language_hint, normalise_date, validate
from streams.records import RawArticle, Rejected

LIMIT = 10_000


def ok(doc: dict[str, object], key: bytes | None = None) -> RawArticle:
    result = validate(orjson.dumps(doc), key, LIMIT)
    assert isinstance(result, RawArticle), result
    return result


def rejected(value: bytes, limit: int = LIMIT) -> str:
    result = validate(value, None, limit)
    assert isinstance(result, Rejected), result
    assert result.stage == "validation"
    return result.reason


def test_id_and_source_are_filled_in_from_the_url() -> None:
    a = ok({"url": "https://www.example.org/a/1", "text": "Body."})
    b = ok({"url": "https://www.example.org/a/1", "text": "Other body."})
    assert a.id == b.id and a.id.startswith("u-")
    assert a.source == "example.org"


def test_id_from_the_message_key_then_the_content() -> None:
    assert ok({"text": "Body."}, key=b"crawler-17").id == "crawler-17"
    c1, c2 = ok({"title": "T", "text": "Body."}), ok({"title": "T", "text": "Body."})
    assert c1.id == c2.id and c1.id.startswith("c-")
    assert ok({"title": "T", "text": "Other."}).id != c1.id


def test_given_fields_are_kept_and_dates_normalised() -> None:
    a = ok(
        {
            "id": 42,
            "source": "Wire",
            "title": " Title ",
            "html": "<p>x</p>",
            "published_at": "2022-01-02T03:04:05+01:00",
            "fetched_at": 1641092645,
            "lang_hint": "DE",
        }
    )
    assert (a.id, a.source, a.title, a.lang_hint) == ("42", "Wire", "Title", "de")
    assert a.published_at == "2022-01-02T02:04:05Z"
    assert a.fetched_at == "2022-01-02T03:04:05Z"
    assert normalise_date("2022-01-02") == "2022-01-02T00:00:00Z"
    # RSS's pubDate and HTTP's dates (RFC 5322), which feeds write
    assert normalise_date("Sun, 02 Jan 2022 03:04:05 +0100") == "2022-01-02T02:04:05Z"
    assert normalise_date("2 Jan 2022 03:04 GMT") == "2022-01-02T03:04:00Z"
    assert normalise_date("Sun, 02 Jan 2022 03:04:05 EST") == "2022-01-02T08:04:05Z"


def test_epoch_milliseconds_and_digit_strings() -> None:
    # JavaScript's Date.now() and Kafka's timestamps are milliseconds: as seconds, the year 56,000
    assert normalise_date(1641092645000) == "2022-01-02T03:04:05Z"
    assert normalise_date(1641092645123.0) == "2022-01-02T03:04:05Z"
    assert normalise_date("1641092645") == "2022-01-02T03:04:05Z"
    assert normalise_date(" 1641092645000 ") == "2022-01-02T03:04:05Z"
    # eight digits are an ISO 8601 basic date, not epoch seconds of 1970
    assert normalise_date("20220102") == "2022-01-02T00:00:00Z"
    # the first epoch time read as milliseconds, and the last one read as seconds
    assert normalise_date(100_000_000_000) == "1973-03-03T09:46:40Z"
    assert normalise_date(99_999_999_999).startswith("5138-")
    assert ok({"text": "x", "published_at": 1641092645000}).published_at == "2022-01-02T03:04:05Z"


@pytest.mark.parametrize(
    ("hint", "code"),
    [
        ("DE", "de"),
        (" en-US ", "en"),  # HTML's lang attribute, BCP 47
        ("zh-Hant-TW", "zh"),
        ("pt_BR", "pt"),
        ("en_US.UTF-8", "en"),  # a POSIX locale
        ("sr_RS@latin", "sr"),
        ("ger", "de"),  # ISO 639-2
        ("eng", "en"),
        ("iw", "he"),  # a withdrawn code
        ("German", "de"),  # English names and each language's own
        ("Deutsch", "de"),
        ("français", "fr"),
        ("日本語", "ja"),
        ("Norwegian Bokmål", "nb"),
        ("not a language", "not a language"),  # kept, and ignored by language detection
        ("  ", None),
    ],
)
def test_language_hint_forms(hint: str, code: str | None) -> None:
    assert language_hint(hint) == code
    assert ok({"text": "x", "lang_hint": hint}).lang_hint == code


def test_control_characters_are_removed() -> None:
    assert ok({"text": "a\x00b\x1bc\nd"}).text == "abc\nd"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"", "empty message"),
        (b'{"text": "x"', "not valid JSON"),
        (b"\xff\xfe{}", "not valid UTF-8: byte 0xff at offset 0"),
        (b"42", "not an object (got int)"),
        (b'{"text": ["a"]}', "field 'text' must be a string, got list"),
        (b'{"text": "x", "title": 3}', "field 'title' must be a string, got int"),
        (b'{"text": "x", "id": {"a": 1}}', "field 'id' must be a string, got dict"),
        (b'{"text": "x", "id": " "}', "field 'id' is empty"),
        (b'{"title": "t"}', "no article body"),
        (b'{"text": " \\n\\t "}', "no article body"),
        (b'{"text": "x", "published_at": "yesterday"}', "not an ISO 8601 or RFC 5322 date"),
        (b'{"text": "x", "published_at": 1e20}', "nor epoch seconds or milliseconds: 1e+20"),
    ],
)
def test_bad_input_is_rejected_with_a_reason(value: bytes, reason: str) -> None:
    assert reason in rejected(value)


def test_size_limit() -> None:
    assert "exceeds the limit of 100 bytes" in rejected(b'{"text": "' + b"x" * 200 + b'"}', 100)


def test_trafilatura_json_output_is_read_as_it_is() -> None:
    """``trafilatura --json``: ``source`` is the URL, ``hostname`` the site, ``date`` the
    publication date, ``filedate`` the download date."""
    doc = {
        "title": "Quake hits coast",
        "author": None,
        "hostname": "example.com",
        "date": "2024-01-05",
        "fingerprint": "feb47b946e962eaf",
        "id": None,
        "raw_text": "raw",
        "text": "A strong earthquake struck the coast on Monday.",
        "language": "en",
        "filedate": "2024-01-06",
        "source": "https://example.com/2024/quake",
        "source-hostname": "Example Times",
        "excerpt": "",
    }
    article = validate(orjson.dumps(doc), None, 1_000_000)
    assert isinstance(article, RawArticle)
    assert article.url == "https://example.com/2024/quake" and article.source == "example.com"
    assert article.text == doc["text"] and article.title == "Quake hits coast"
    assert (article.published_at, article.fetched_at) == (
        "2024-01-05T00:00:00Z",
        "2024-01-06T00:00:00Z",
    )
    assert article.lang_hint == "en" and article.id.startswith("u-")


def test_news_please_json_is_read_as_it_is() -> None:
    doc = {
        "authors": ["A. Writer"],
        "date_download": "2024-01-05 10:00:00",
        "date_modify": None,
        "date_publish": "2024-01-05 08:30:00",
        "description": "A quake.",
        "filename": "https%3A%2F%2Fexample.org%2Fq.json",
        "image_url": None,
        "language": "de",
        "localpath": None,
        "maintext": "Ein starkes Erdbeben hat am Montag die Küste erschüttert.",
        "source_domain": "example.org",
        "text": None,
        "title": "Erdbeben",
        "title_page": None,
        "title_rss": None,
        "url": "https://example.org/q",
    }
    article = validate(orjson.dumps(doc), None, 1_000_000)
    assert isinstance(article, RawArticle)
    assert (article.url, article.source, article.title) == (
        "https://example.org/q",
        "example.org",
        "Erdbeben",
    )
    assert article.text == doc["maintext"] and article.lang_hint == "de"
    assert (article.published_at, article.fetched_at) == (
        "2024-01-05T08:30:00Z",
        "2024-01-05T10:00:00Z",
    )


def test_our_fields_win_over_a_crawlers_and_a_site_name_stays_a_source() -> None:
    doc = {"text": "Body.", "maintext": "Other body.", "source": "Example Times", "url": "u"}
    article = validate(orjson.dumps(doc), None, 1_000_000)
    assert isinstance(article, RawArticle)
    assert (article.text, article.source, article.url) == ("Body.", "Example Times", "u")
