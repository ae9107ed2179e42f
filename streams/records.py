"""The wire contract: typed records for every topic, encoded with orjson.

Plain frozen dataclasses (no framework metadata lands in the JSON); the JSON Schema files in
``schemas/`` describe the same shapes for consumers. Inbound ``news.raw`` payloads are not
trusted: :mod:`agents.validation` turns them into :class:`RawArticle` or a dead letter.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, TypeVar

import orjson

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
    """``news.events`` (compacted; key: ``event_key``): the latest state of one event."""

    event_key: str
    languages: list[str]
    members: list[EventMember]
    first_seen: str
    last_seen: str


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


def enriched_from_dict(data: dict[str, Any]) -> Enriched:
    """Decode an ``news.enriched`` value (used by tests and tools)."""
    return from_dict(Enriched, data)


def event_from_dict(data: dict[str, Any]) -> EventGroup:
    """Decode a ``news.events`` value, members included."""
    members = [from_dict(EventMember, m) for m in data.get("members", [])]
    return EventGroup(
        **{
            **{k: data[k] for k in ("event_key", "first_seen", "last_seen")},
            "languages": list(data.get("languages", [])),
            "members": members,
        }
    )


@dataclass(frozen=True, slots=True)
class Rejected:
    """A stage's refusal: errors are data, routed to ``news.deadletter`` by the wiring."""

    stage: str
    reason: str
