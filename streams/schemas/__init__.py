"""The JSON Schemas of the topics, shipped in the wheel, and their versions.

Input: a topic name (:mod:`streams.topics`). Output: its schema as a dict (:func:`load`), its
``$id`` (:func:`schema_id`) and the Kafka headers every record of that topic carries
(:func:`headers`). The ``*.schema.json`` files beside this module are the one copy of the
schemas; a consumer reads them from an installed newsstream with :mod:`importlib.resources`
(``files("streams.schemas") / "news.enriched.schema.json"``).

Each topic's schema has a major version: in its ``$id``
(``urn:newsstream:schema:<topic>:<version>``), in every output record (``schema_version``) and
in the ``schema-version`` header. What may change without a new version is the compatibility
policy in ``docs/consuming.md``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from streams import topics

#: Each topic's schema version (a major version: see the compatibility policy).
SCHEMA_VERSIONS: Mapping[str, int] = {
    topics.RAW: 1,
    topics.PREPARED: 1,
    topics.ENRICHED: 1,
    topics.EVENTS: 1,
    topics.DEADLETTER: 1,
}
#: The topics newsstream writes, and so the records that carry the headers.
OUTPUT_TOPICS = (topics.ENRICHED, topics.EVENTS, topics.DEADLETTER)
CONTENT_TYPE = "application/json"
#: Header names, as a consumer reads them.
CONTENT_TYPE_HEADER = "content-type"
SCHEMA_ID_HEADER = "schema-id"
SCHEMA_VERSION_HEADER = "schema-version"


def schema_id(topic: str) -> str:
    """The ``$id`` of ``topic``'s schema, its version included."""
    return f"urn:newsstream:schema:{topic}:{SCHEMA_VERSIONS[topic]}"


def file_name(topic: str) -> str:
    return f"{topic}.schema.json"


@functools.cache
def _text(topic: str) -> str:
    if topic not in SCHEMA_VERSIONS:
        raise KeyError(f"no schema for topic {topic!r}")
    return (resources.files(__package__) / file_name(topic)).read_text(encoding="utf-8")


def load(topic: str) -> dict[str, Any]:
    """``topic``'s JSON Schema (a fresh copy; :class:`KeyError` for a topic without one)."""
    schema: dict[str, Any] = json.loads(_text(topic))
    return schema


@functools.cache
def headers(topic: str) -> tuple[tuple[str, bytes], ...]:
    """The Kafka headers of every record newsstream writes to ``topic``: content type, schema
    id and version."""
    return (
        (CONTENT_TYPE_HEADER, CONTENT_TYPE.encode()),
        (SCHEMA_ID_HEADER, schema_id(topic).encode()),
        (SCHEMA_VERSION_HEADER, str(SCHEMA_VERSIONS[topic]).encode()),
    )
