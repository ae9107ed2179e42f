"""A fixed corpus of hostile ``news.raw`` payloads, shared by the unit and integration tests.

Each :class:`Payload` is a message value as a crawler (or an attacker) could send it, with
what must become of it: ``"enriched"``, ``"dead"`` (a dead letter whose reason contains
``reason``), or ``"either"`` (what matters is that it ends somewhere, within the time and
memory bounds). Sizes stay under the default ``NEWSSTREAM_MAX_MESSAGE_BYTES`` (2 MB) unless the
payload is about that limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import orjson

Outcome = Literal["enriched", "dead", "either"]

_BODY = (
    "The city council of Lyon approved a new tram line on Tuesday after a two-year debate. "
    "Mayor Grégory Doucet said construction would begin in 2025 and cost 240 million euros.\n\n"
    "Opponents argued that the money should go to buses. The line will link the airport "
    "with the Part-Dieu station and carry 50,000 passengers a day, officials said."
)


@dataclass(frozen=True, slots=True)
class Payload:
    """One hostile message value and its expected fate."""

    name: str
    value: bytes
    outcome: Outcome
    reason: str = ""


def _doc(**fields: object) -> bytes:
    return orjson.dumps(fields)


def _raw_json(text: str) -> bytes:
    """JSON written by hand (for what orjson would refuse to produce, e.g. lone surrogates)."""
    return text.encode("utf-8")


def _nested_html(depth: int) -> str:
    return "<html><body>" + "<div>" * depth + _BODY + "</div>" * depth + "</body></html>"


PAYLOADS: tuple[Payload, ...] = (
    # -- not JSON, not UTF-8 ---------------------------------------------------------------
    Payload("empty", b"", "dead", "empty message"),
    Payload("whitespace-only-message", b"   \n ", "dead", "not valid JSON"),
    Payload("truncated-json", b'{"text": "abc', "dead", "not valid JSON"),
    Payload("invalid-utf8", b'{"text": "caf\xe9"}', "dead", "not valid UTF-8"),
    Payload("overlong-utf8-nul", b'{"text": "a\xc0\x80b"}', "dead", "not valid UTF-8"),
    Payload("utf8-bom", b"\xef\xbb\xbf" + _doc(text=_BODY), "dead", "not valid JSON"),
    Payload("encoded-surrogate-bytes", b'{"text": "\xed\xa0\x80"}', "dead", "not valid UTF-8"),
    Payload("lone-surrogate-escape", _raw_json('{"text": "x \\ud800 y"}'), "dead", "JSON"),
    Payload("nan-literal", b'{"text": "x", "published_at": NaN}', "dead", "not valid JSON"),
    Payload("huge-integer", b'{"id": 1' + b"0" * 400 + b', "text": "x"}', "dead", "JSON"),
    Payload("deeply-nested-json", b"[" * 100_000 + b"]" * 100_000, "dead", "JSON"),
    Payload("binary-garbage", bytes(range(256)) * 8, "dead", "not valid UTF-8"),
    # -- JSON that is not an object ----------------------------------------------------------
    Payload("json-null", b"null", "dead", "not an object"),
    Payload("json-string", b'"just a string"', "dead", "not an object"),
    Payload("json-number", b"3.14", "dead", "not an object"),
    Payload("json-array", _doc(x=1).join((b"[", b"]")), "dead", "not an object"),
    # -- wrong field types -------------------------------------------------------------------
    Payload("text-int", _doc(text=42), "dead", "field 'text' must be a string, got int"),
    Payload("text-list", _doc(text=[_BODY]), "dead", "field 'text' must be a string"),
    Payload("html-object", _doc(html={"p": _BODY}), "dead", "field 'html' must be a string"),
    Payload("title-bool", _doc(title=True, text=_BODY), "dead", "field 'title' must be"),
    Payload("url-int", _doc(url=7, text=_BODY), "dead", "field 'url' must be a string"),
    Payload("id-float", _doc(id=1.5, text=_BODY), "dead", "field 'id' must be a string"),
    Payload("id-bool", _doc(id=False, text=_BODY), "dead", "field 'id' must be a string"),
    Payload("id-null-text-null", _doc(id=None, text=None), "dead", "no article body"),
    Payload("date-bool", _doc(text=_BODY, published_at=True), "dead", "'published_at'"),
    Payload("lang-hint-list", _doc(text=_BODY, lang_hint=["en"]), "dead", "'lang_hint'"),
    Payload("id-too-long", _doc(id="x" * 5000, text=_BODY), "dead", "characters long"),
    # -- empty and whitespace bodies ---------------------------------------------------------
    Payload("no-body", _doc(title="Only a title"), "dead", "no article body"),
    Payload("empty-text", _doc(text=""), "dead", "no article body"),
    Payload("whitespace-text", _doc(text=" \t\n\u00a0\u2003\u3000 "), "either"),
    Payload("zero-width-text", _doc(text="\u200b\u200c\u200d\ufeff" * 50), "either"),
    Payload("control-only-text", _doc(text="\x00\x01\x02\x7f" * 100), "dead", "no article"),
    Payload("punctuation-only", _doc(text="!!! ??? ... --- ***\n\n" * 100), "either"),
    # -- megabytes ---------------------------------------------------------------------------
    Payload("1.9MB-prose", _doc(text=(_BODY + "\n\n") * 4_500), "either"),
    Payload("1.9MB-one-word", _doc(text="a" * 1_900_000), "either"),
    Payload("1.9MB-digits", _doc(text="1," * 950_000), "either"),
    Payload("1.9MB-capitalised", _doc(text="Putin Moscow " * 150_000), "either"),
    Payload("1.9MB-newlines", _doc(text="x" + "\n" * 900_000 + "y"), "either"),
    Payload("1.9MB-html-paragraphs", _doc(html=("<p>" + _BODY + "</p>") * 4_500), "either"),
    Payload("just-over-limit", _doc(text="a" * 2_000_100), "dead", "exceeds the limit"),
    # -- hostile HTML ------------------------------------------------------------------------
    Payload("nested-html-10k", _doc(html=_nested_html(10_000)), "either"),
    Payload("nested-html-150k", _doc(html=_nested_html(150_000)), "either"),
    Payload("unclosed-tags-100k", _doc(html="<b><i>" * 100_000 + _BODY), "either"),
    Payload(
        "script-only",
        _doc(html="<html><head><script>" + "var a=1;" * 20_000 + "</script></head></html>"),
        "dead",
        "no article text left",
    ),
    Payload(
        "style-and-iframe-only",
        _doc(html="<style>p{color:red}</style><iframe src='https://evil.example'></iframe>"),
        "dead",
        "no article text left",
    ),
    Payload(
        "script-with-body-text",
        _doc(html="<script>alert(1)</script><article><p>" + _BODY + "</p></article>"),
        "either",
    ),
    Payload("comment-bomb", _doc(html="<!--" * 100_000 + _BODY), "either"),
    Payload(
        "entity-bomb", _doc(html="<p>" + "&amp;&#x10FFFF;&#0;&#xD800;" * 20_000 + "</p>"), "either"
    ),
    Payload(
        "xml-doctype-entities",
        _doc(
            html='<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            "<html><body><p>&lol2;</p><p>" + _BODY + "</p></body></html>"
        ),
        "either",
    ),
    Payload("huge-attribute", _doc(html='<p class="' + "x" * 1_500_000 + '">' + _BODY), "either"),
    Payload("html-and-empty-text", _doc(html="<script>x</script>", text=" "), "dead", "no article"),
    # -- characters --------------------------------------------------------------------------
    Payload("nul-in-fields", _doc(id="a\x00b", title="T\x00", text=_BODY + "\x00"), "enriched"),
    Payload("rtl-override", _doc(title="\u202eevil.exe\u202c", text="\u202e" + _BODY), "enriched"),
    Payload("bidi-isolates", _doc(text="\u2066\u2067\u2068" * 1000 + _BODY), "enriched"),
    Payload("noncharacters", _doc(text="\ufdd0\ufffe\uffff\U0010ffff" + _BODY), "enriched"),
    Payload("combining-marks", _doc(text="e" + "\u0301" * 100_000 + " " + _BODY), "either"),
    Payload("emoji-flood", _doc(text="\U0001f4a9" * 200_000), "either"),
    Payload("mixed-scripts", _doc(text="Путин 習近平 بوتين " * 5_000), "either"),
    # -- huge titles ---------------------------------------------------------------------------
    Payload("1.9MB-title", _doc(title="Headline " * 210_000, text=_BODY), "dead", "'title' is"),
    Payload("title-newlines", _doc(title="A\n" * 100_000, text=_BODY), "dead", "'title' is"),
    # -- bad URLs ----------------------------------------------------------------------------
    Payload("url-bad-ipv6", _doc(url="http://[::1", text=_BODY), "either"),
    Payload("url-javascript", _doc(url="javascript:alert(1)", text=_BODY), "enriched"),
    Payload(
        "url-huge", _doc(url="https://x.example/" + "a" * 1_000_000, text=_BODY), "dead", "'url' is"
    ),
    Payload("url-bad-port", _doc(url="https://example.com:99999999/a", text=_BODY), "either"),
    Payload("url-credentials", _doc(url="https://user:pw@example.com/a", text=_BODY), "either"),
    Payload("url-whitespace", _doc(url="   ", text=_BODY), "either"),
    Payload("url-unicode-host", _doc(url="https://例え.テスト/\u202e", text=_BODY), "either"),
    # -- bad dates ---------------------------------------------------------------------------
    Payload("date-words", _doc(text=_BODY, published_at="yesterday"), "dead", "ISO 8601"),
    Payload("date-month-13", _doc(text=_BODY, published_at="2024-13-01"), "dead", "ISO 8601"),
    Payload("date-year-0", _doc(text=_BODY, published_at="0000-01-01"), "dead", "ISO 8601"),
    Payload("date-epoch-huge", _doc(text=_BODY, published_at=1e300), "dead", "ISO 8601"),
    Payload("date-epoch-negative", _doc(text=_BODY, published_at=-1e12), "dead", "ISO 8601"),
    Payload(
        "date-min-with-offset",
        _doc(text=_BODY, published_at="0001-01-01T00:00+14:00"),
        "dead",
        "ISO 8601",
    ),
    Payload(
        "date-max-with-offset",
        _doc(text=_BODY, published_at="9999-12-31T23:59-14:00"),
        "dead",
        "ISO 8601",
    ),
    Payload("date-far-future", _doc(text=_BODY, published_at="9999-12-31T00:00:00Z"), "enriched"),
    # strftime("%Y") once wrote year 999 as "999", which later failed to parse (found by hypothesis)
    Payload("date-year-999", _doc(text=_BODY, published_at="0999-01-01T00:00:00"), "enriched"),
    Payload("date-epoch-zero", _doc(text=_BODY, fetched_at=0), "enriched"),
    Payload(
        "date-huge-string",
        _doc(text=_BODY, published_at="2" * 1_000_000),
        "dead",
        "'published_at' is",
    ),
    Payload("date-empty", _doc(text=_BODY, published_at=""), "either"),
    # -- odd but valid -------------------------------------------------------------------------
    Payload("unknown-fields", _doc(text=_BODY, extra={"deep": [1, 2, {"x": None}]}), "enriched"),
    Payload("duplicate-keys", b'{"text": 1, "text": ' + orjson.dumps(_BODY) + b"}", "either"),
    Payload("lang-hint-huge", _doc(text=_BODY, lang_hint="x" * 100_000), "dead", "'lang_hint' is"),
    Payload("source-huge", _doc(text=_BODY, source="s" * 1_000_000), "dead", "'source' is"),
)
