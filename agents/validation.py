"""Stage "validation": raw ``news.raw`` bytes -> :class:`RawArticle` or :class:`Rejected`.

Input: ``news.raw`` message value and key, as received. Output: a validated article (id and
source always filled in, dates normalised to UTC ISO 8601) or a rejection with a clear reason
that the wiring sends to ``news.deadletter``. Pure: no I/O, no settings (limits are arguments).
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import orjson

from agents.crawler_text import line_breaks, misread_encoding, redecoded, repaired, repaired_as
from streams.records import RawArticle, Rejected

STAGE = "validation"
_STRING_FIELDS = (
    "url",
    "source",
    "title",
    "text",
    "html",
    "published_at",
    "fetched_at",
    "lang_hint",
)
#: Every field of a ``news.raw`` object the stage reads.
FIELDS = ("id", *_STRING_FIELDS)
#: Crawler output read as it is: for each of our fields, the fields that trafilatura's JSON
#: output (``trafilatura --json``, ``extract(output_format="json")``: ``source`` is the page's
#: URL, ``source-hostname`` its site name, ``date`` the publication date, ``filedate`` the
#: download date) and news-please's article JSON (``maintext``, ``date_publish``,
#: ``date_download``, ``source_domain``) carry it under, tried in order when ours is absent.
#: (trafilatura's ``source``, a URL, becomes ``url``: see :func:`_crawler_fields`.)
CRAWLER_FIELDS: dict[str, tuple[str, ...]] = {
    "source": ("source_domain", "hostname", "source-hostname"),
    "title": ("title_page", "title_rss"),
    "text": ("maintext", "raw_text"),
    "published_at": ("date_publish", "date"),
    "fetched_at": ("date_download", "filedate"),
    "lang_hint": ("language",),
}
_URL_LIKE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# C0/C1 control characters other than tab and newlines, and Unicode noncharacters.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class FieldLimits:
    """Longest accepted value of each short field, in characters; longer ones are dead-lettered.

    The body (``text``/``html``) is bounded by the message size alone. These bound what every
    output record repeats (the title and URL are also copied into each event group's member
    list) and what the date parser and the language hint see. ``title``, ``url`` and
    ``source`` are settings (``NEWSSTREAM_MAX_TITLE_CHARS``, ``NEWSSTREAM_MAX_URL_CHARS``,
    ``NEWSSTREAM_MAX_SOURCE_CHARS``); the hint and dates have fixed formats.
    """

    title: int = 2_000
    url: int = 8_192
    source: int = 512
    lang_hint: int = 35  # the longest BCP 47 tag in practical use
    date: int = 64


DEFAULT_LIMITS = FieldLimits()


def _digest(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=10)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.")


#: An RFC 5322 date-time, as RSS's ``pubDate``, HTTP's ``Last-Modified`` and e-mail write it
#: ("Mon, 07 Dec 2026 14:33:00 GMT"); the same pattern as news.raw's schema.
RFC_5322_DATE = re.compile(
    r"^((Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(0?[1-9]|[12][0-9]|3[01]) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} "
    r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])? "
    r"([+-]([01][0-9]|2[0-3])[0-5][0-9]|UT|UTC|GMT|Z|[ECMP][SD]T)$"
)


#: Epoch time written as digits (9 or more: eight are an ISO 8601 basic date, "20261207").
EPOCH_DIGITS = re.compile(r"[0-9]{9,15}(?:\.[0-9]+)?")
#: An epoch time this large or larger is in milliseconds (Kafka's, Java's and JavaScript's
#: unit): as seconds it would be the year 5138, as milliseconds it is 1973-03-03.
EPOCH_MILLIS_FROM = 100_000_000_000


def epoch_seconds(value: float) -> float:
    """Epoch seconds or milliseconds (:data:`EPOCH_MILLIS_FROM`) -> epoch seconds."""
    return value / 1000.0 if value >= EPOCH_MILLIS_FROM else value


def normalise_date(value: str | int | float) -> str:
    """An ISO 8601 or RFC 5322 string, or epoch seconds or milliseconds (a number, or its
    digits in a string) -> ``YYYY-MM-DDTHH:MM:SSZ`` (UTC); ValueError if not."""
    if isinstance(value, int | float):
        stamp = datetime.fromtimestamp(epoch_seconds(float(value)), tz=UTC)
    else:
        text = value.strip()
        if not text:
            raise ValueError("empty date")
        if EPOCH_DIGITS.fullmatch(text):
            stamp = datetime.fromtimestamp(epoch_seconds(float(text)), tz=UTC)
        elif RFC_5322_DATE.match(text):
            stamp = parsedate_to_datetime(text)
        else:
            stamp = datetime.fromisoformat(text.replace("z", "Z"))
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
    # Not strftime("%Y"): glibc writes year 999 as "999", which is not ISO 8601 (nor parseable).
    return stamp.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def _decode(value: bytes) -> dict[str, Any] | Rejected:
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejected(
            STAGE,
            f"payload is not valid UTF-8: byte 0x{value[exc.start]:02x} at offset {exc.start}",
        )
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return Rejected(STAGE, f"payload is not valid JSON: {exc}")
    if not isinstance(doc, dict):
        return Rejected(STAGE, f"payload is JSON but not an object (got {type(doc).__name__})")
    return doc


def validate(
    value: bytes | None, key: bytes | None, max_bytes: int, limits: FieldLimits = DEFAULT_LIMITS
) -> RawArticle | Rejected:
    """Check one ``news.raw`` message and fill in ``id`` and ``source``."""
    if value is None or len(value) == 0:
        return Rejected(STAGE, "empty message (no value)")
    if len(value) > max_bytes:
        return Rejected(
            STAGE,
            f"message of {len(value)} bytes exceeds the limit of "
            f"{max_bytes} bytes (NEWSSTREAM_MAX_MESSAGE_BYTES)",
        )
    doc = _decode(value)
    if isinstance(doc, Rejected):
        return doc
    return validate_object(doc, key, limits)


def _too_long(fields: dict[str, str | None], limits: FieldLimits) -> Rejected | None:
    for name, limit in (
        ("title", limits.title),
        ("url", limits.url),
        ("source", limits.source),
        ("lang_hint", limits.lang_hint),
        ("published_at", limits.date),
        ("fetched_at", limits.date),
    ):
        raw = fields[name]
        if isinstance(raw, str) and len(raw) > limit:
            return Rejected(STAGE, f"field {name!r} is {len(raw)} characters long (limit {limit})")
    return None


def _crawler_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with our fields filled in from a crawler's own names (:data:`CRAWLER_FIELDS`)
    where ours are absent. A ``source`` that is a URL (trafilatura's) is the article's URL."""
    source = doc.get("source")
    if isinstance(source, str) and _URL_LIKE.match(source.strip()):
        doc = {k: v for k, v in doc.items() if k != "source"}
        if doc.get("url") in (None, ""):
            doc["url"] = source
    if not any(name in doc for names in CRAWLER_FIELDS.values() for name in names):
        return doc
    filled = dict(doc)
    for ours, theirs in CRAWLER_FIELDS.items():
        if filled.get(ours) not in (None, ""):
            continue
        for name in theirs:
            if doc.get(name) not in (None, ""):
                filled[ours] = doc[name]
                break
    return filled


def validate_object(
    doc: dict[str, Any], key: bytes | None = None, limits: FieldLimits = DEFAULT_LIMITS
) -> RawArticle | Rejected:
    """Validate an already decoded ``news.raw`` object (ours, or a crawler's own JSON:
    :data:`CRAWLER_FIELDS`)."""
    doc = _crawler_fields(doc)
    fields: dict[str, str | None] = {}
    # a body whose bytes were read in the wrong code page: its title was too
    body = doc.get("text")
    misread = misread_encoding(body) if isinstance(body, str) else None
    for name in _STRING_FIELDS:
        raw = doc.get(name)
        if raw is None:
            fields[name] = None
        elif (
            name in ("published_at", "fetched_at")
            and isinstance(raw, int | float)
            and not isinstance(raw, bool)
        ):
            fields[name] = raw  # type: ignore[assignment]  # epoch seconds, normalised below
        elif not isinstance(raw, str):
            return Rejected(STAGE, f"field {name!r} must be a string, got {type(raw).__name__}")
        elif name in ("text", "title"):
            # a form feed or U+2028 ends a line: kept as a newline, not deleted with the
            # controls; C1 controls of mojibake are the characters they stand for
            if name == "text":  # its code page looked for once, above
                raw = redecoded(raw, misread) if misread else repaired(raw)
            else:
                raw = repaired_as(raw, misread)
            fields[name] = _CONTROL.sub("", line_breaks(raw))
        else:
            fields[name] = _CONTROL.sub("", raw)
    too_long = _too_long(fields, limits)
    if too_long is not None:
        return too_long
    for name in ("published_at", "fetched_at"):
        raw_date = fields[name]
        if raw_date is None:
            continue
        try:
            fields[name] = normalise_date(raw_date)
        except (ValueError, OverflowError, OSError):
            return Rejected(
                STAGE,
                f"field {name!r} is not an ISO 8601 or RFC 5322 date nor epoch seconds or "
                f"milliseconds: {raw_date!r:.80}",
            )

    text, html = fields["text"], fields["html"]
    if not (text and text.strip()) and not (html and html.strip()):
        return Rejected(STAGE, "no article body: 'text' or 'html' must be a non-empty string")

    article_id = _article_id(doc.get("id"), fields, key)
    if isinstance(article_id, Rejected):
        return article_id
    url = fields["url"].strip() if fields["url"] else None
    source = (fields["source"] or "").strip() or _host(url) or _host(_key_text(key))
    return RawArticle(
        id=article_id,
        url=url,
        source=source,
        title=fields["title"].strip() if fields["title"] else None,
        text=text if text and text.strip() else None,
        html=html if html and html.strip() else None,
        published_at=fields["published_at"],
        fetched_at=fields["fetched_at"],
        lang_hint=language_hint(fields["lang_hint"]),
    )


#: A language tag as BCP 47 writes it (HTML's ``lang``: "pt-BR", "zh-Hant-TW") or a POSIX
#: locale ("en_US.UTF-8", "sr_RS@latin"): its first subtag is the language.
_LANGUAGE_TAG = re.compile(r"([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*(?:\.[a-z0-9-]+)?(?:@[a-z0-9]+)?")


def language_hint(value: str | None) -> str | None:
    """A crawler's language hint -> its language code, lower case: the language subtag of a
    BCP 47 tag or POSIX locale (ISO 639-2 codes as their 639-1: "ger" -> "de"), or the code of
    a language's English or own name ("German", "Deutsch": CLDR's, through Babel); anything
    else as given (lower case), which language detection then ignores. None when blank."""
    text = " ".join((value or "").split()).lower()
    if not text:
        return None
    tag = _LANGUAGE_TAG.fullmatch(text)
    if tag is not None:
        return _language_aliases().get(tag.group(1), tag.group(1))
    return _language_names().get(text, text)


@functools.cache
def _language_aliases() -> dict[str, str]:
    """CLDR's language aliases ("eng", "ger" -> "en", "de"; "iw" -> "he"), through Babel."""
    from babel.core import get_global

    aliases = get_global("language_aliases").items()
    return {alias: code for alias, code in aliases if "_" not in code}


@functools.cache
def _language_names() -> dict[str, str]:
    """Language names, lower case (English and each language's own, where CLDR has them) ->
    their ISO 639 codes."""
    from babel import Locale, localedata

    names = {
        name.lower(): code
        for code, name in Locale("en").languages.items()
        if _LANGUAGE_TAG.fullmatch(code) and "_" not in code
    }
    for code in localedata.locale_identifiers():  # ~0.5 s: loaded at a worker's warm-up
        if "_" not in code:
            own = Locale.parse(code).get_language_name(code)
            if own:
                names.setdefault(own.lower(), code)
    return names


def _key_text(key: bytes | None) -> str | None:
    if not key:
        return None
    try:
        return key.decode("utf-8").strip() or None
    except UnicodeDecodeError:
        return None


def _article_id(raw_id: Any, fields: dict[str, str | None], key: bytes | None) -> str | Rejected:
    """The given id, else one derived from the URL, the message key, or the content."""
    if raw_id is not None:
        if isinstance(raw_id, bool) or not isinstance(raw_id, str | int):
            return Rejected(STAGE, f"field 'id' must be a string, got {type(raw_id).__name__}")
        ident = _CONTROL.sub("", str(raw_id)).strip()
        if not ident:
            return Rejected(STAGE, "field 'id' is empty")
        if len(ident) > 512:
            return Rejected(STAGE, f"field 'id' is {len(ident)} characters long (limit 512)")
        return ident
    if fields["url"] and fields["url"].strip():
        return "u-" + _digest(fields["url"].strip())
    key_text = _key_text(key)
    if key_text:
        return key_text if len(key_text) <= 512 else "k-" + _digest(key_text)
    return "c-" + _digest(fields["title"] or "", fields["text"] or "", fields["html"] or "")
