"""The wire contract: typed records for every topic, encoded with orjson.

Plain frozen dataclasses (no framework metadata lands in the JSON); the JSON Schema files in
:mod:`streams.schemas` describe the same shapes for consumers, and every output record carries
its topic's schema version (``schema_version``). Inbound ``news.raw`` payloads are not
trusted: :mod:`agents.validation` turns them into :class:`RawArticle` or a dead letter.
"""

from __future__ import annotations

import types
import typing
from dataclasses import MISSING, asdict, dataclass, fields
from typing import Any, TypeVar

import orjson

from streams import topics
from streams.schemas import SCHEMA_VERSIONS

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RawArticle:
    """A validated ``news.raw`` record; ``id`` and ``source`` are always filled in."""

    id: str
    url: str | None
    source: str | None
    title: str | None
    text: str | None
    html: str | None
    published_at: str | None
    fetched_at: str | None
    lang_hint: str | None


@dataclass(frozen=True, slots=True)
class Prepared:
    """``news.prepared``: an article ready to be grouped (internal topic)."""

    id: str
    url: str | None
    source: str | None
    title: str | None
    text: str
    lang: str
    lang_confidence: float
    #: The article's languages with their shares of its letters, main first.
    languages: list[dict[str, Any]]
    #: The title is clearly in another language than the body.
    title_disagrees: bool
    published_at: str | None
    word_count: int
    content_hash: str
    boilerplate_removed: list[str]
    evidence: list[str]
    event_time: float
    #: Title-and-lead embedding, int8 base64 (:mod:`agents.embedding`); None outside its
    #: languages or when embeddings are off.
    embedding: str | None = None
    #: The text's size in any script (:func:`agents.evidence.text_size`); None from a writer
    #: that did not measure it.
    size: int | None = None
    #: Its paragraphs' fingerprints (:func:`agents.grouping.paragraph_prints`), taken here so
    #: that the one grouping task does not; None: not taken (grouping takes them itself).
    paras: str | None = None
    #: Its words (:func:`agents.topic_words.topic_words`), likewise; None: not taken (the
    #: words' test off, or a writer without them).
    words: str | None = None


@dataclass(frozen=True, slots=True)
class Enriched:
    """``news.enriched``: the published article (key: ``id``)."""

    id: str
    url: str | None
    source: str | None
    title: str | None
    text: str
    lang: str
    lang_confidence: float
    #: The article's languages with their shares of its letters, main first.
    languages: list[dict[str, Any]]
    #: The title is clearly in another language than the body.
    title_disagrees: bool
    event_key: str
    #: The closest member of the event in another language, ``{"id", "score"}``, or None.
    translation_of: dict[str, Any] | None
    #: A same-language member of the event this article repeats (wire copy), or None.
    duplicate_of: str | None
    published_at: str | None
    word_count: int
    content_hash: str
    boilerplate_removed: list[str]
    processed_at: str
    pipeline_version: str
    schema_version: int = SCHEMA_VERSIONS[topics.ENRICHED]


@dataclass(frozen=True, slots=True)
class EventMember:
    """One article of an event group."""

    id: str
    lang: str
    title: str | None
    url: str | None
    source: str | None


@dataclass(frozen=True, slots=True)
class EventGroup:
    """``news.events`` (compacted; key: ``event_key``): the latest state of one event.

    ``members`` lists the first ``NEWSSTREAM_EVENT_MAX_MEMBERS`` members (in the order they
    joined) and ``member_count`` all of them, so that one huge event stays a bounded record.
    """

    event_key: str
    languages: list[str]
    #: How many articles the event has (``members`` may list fewer).
    member_count: int
    members: list[EventMember]
    first_seen: str
    last_seen: str
    #: Set when the event turned out to be one with another (an article joined both): the
    #: event key it was merged into, whose record lists its members from then on.
    merged_into: str | None = None
    #: No article will join the event under this key any more: its window passed (the last
    #: record before its tombstone), or it was merged into another (``merged_into``).
    closed: bool = False
    schema_version: int = SCHEMA_VERSIONS[topics.EVENTS]


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """``news.deadletter``: input a stage rejected, with the reason and the payload as received.

    ``payload`` is the message value decoded as UTF-8 when it is valid UTF-8; otherwise it is
    base64 and ``payload_encoding`` says so. ``line`` is set by ``newsstream process``.
    """

    stage: str
    reason: str
    payload: str
    payload_encoding: str
    received_at: str
    key: str | None = None
    line: int | None = None
    #: Where the message was read: topic, partition and offset (None from ``process``).
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    #: What kind of error (:attr:`Rejected.error_class`).
    error_class: str = "streams.records.Rejected"
    schema_version: int = SCHEMA_VERSIONS[topics.DEADLETTER]


def dumps(record: Any) -> bytes:
    """Encode a record (or any JSON-able value) with orjson."""
    return orjson.dumps(record)


def to_dict(record: Any) -> dict[str, Any]:
    """A record as a plain dict."""
    return asdict(record)


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Build a record from a decoded dict, ignoring unknown fields."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in names})


class RecordError(ValueError):
    """A message that is not a valid record of its topic; the text says what is wrong."""


def from_json(cls: type[T], data: bytes | None) -> T:
    """Decode and type-check a record of ``cls`` from JSON bytes (unknown fields ignored, so a
    newer writer's extra fields pass); :class:`RecordError` names what is wrong."""
    if not data:
        raise RecordError("empty message")
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise RecordError(f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise RecordError(f"not a JSON object: {type(value).__name__}")
    return checked(cls, value)


def checked(cls: type[T], data: dict[str, Any]) -> T:
    """``cls`` from a decoded dict whose fields are checked against the declared types."""
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name not in data:
            if f.default is MISSING and f.default_factory is MISSING:
                raise RecordError(f"field {f.name!r} is missing")
            continue
        value = data[f.name]
        if not _conforms(value, hints[f.name]):
            raise RecordError(
                f"field {f.name!r} must be {_describe(hints[f.name])}, got {_json_type(value)}"
            )
        values[f.name] = value
    return cls(**values)


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """A record class's field types, resolved once."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def _conforms(value: Any, hint: Any) -> bool:
    """Whether a JSON value fits a field's type (str, int, float, bool, None, list[..], dict)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(value, arm) for arm in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is Any:
        return True
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        return isinstance(value, list) and all(_conforms(v, item) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    return isinstance(value, hint)


def _describe(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(arm) for arm in typing.get_args(hint))
    if hint is type(None):
        return "null"
    if origin is list:
        item = typing.get_args(hint)[0]
        plural = {str: "strings", int: "integers", float: "numbers", bool: "booleans"}
        return f"a list of {plural.get(item, 'objects')}"
    if origin is dict:
        return "an object"
    return {str: "a string", int: "an integer", float: "a number", bool: "a boolean"}.get(
        hint, str(hint)
    )


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "list"}.get(
        type(value), "object" if isinstance(value, dict) else type(value).__name__
    )


def enriched_from_dict(data: dict[str, Any]) -> Enriched:
    """Decode an ``news.enriched`` value (used by tests and tools)."""
    return from_dict(Enriched, data)


def event_from_dict(data: dict[str, Any]) -> EventGroup:
    """Decode a ``news.events`` value, members included (``member_count``, absent from records
    written before it existed, is then the members listed)."""
    members = [from_dict(EventMember, m) for m in data.get("members", [])]
    optional = ("merged_into", "closed", "schema_version")
    return EventGroup(
        **{k: data[k] for k in ("event_key", "first_seen", "last_seen")},
        **{k: data[k] for k in optional if k in data},
        languages=list(data.get("languages", [])),
        member_count=int(data.get("member_count", len(members))),
        members=members,
    )


@dataclass(frozen=True, slots=True)
class Rejected:
    """A stage's refusal: errors are data, routed to ``news.deadletter`` by the wiring.

    ``error_class`` says what kind of error, as Kafka Connect's
    ``__connect.errors.exception.class.name`` does: the qualified name of the exception a stage
    raised (``builtins.KeyError``, ``streams.records.RecordError``), or this class's for a
    refusal by rule (the reason says which rule).
    """

    stage: str
    reason: str
    error_class: str = "streams.records.Rejected"


def class_name(kind: type) -> str:
    """A class's qualified name, as ``error_class`` gives it (``builtins.ValueError``)."""
    return f"{kind.__module__}.{kind.__qualname__}"
