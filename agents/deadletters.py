"""Dead letters: a stage's :class:`Rejected` plus the payload as received -> ``news.deadletter``.

Input: a stage's :class:`Rejected` and the message as received. Output: the
:class:`DeadLetter` (key: the message's key) and its Kafka headers. Each dead letter names
where its message was read (topic, partition, offset) and what kind of error it was
(``error_class``), in its value and, for tools that read Kafka Connect's dead-letter queues, in
the same context headers Connect writes (``__connect.errors.topic`` ...), beside the content
type and schema headers of every output record (:func:`streams.schemas.headers`).
"""

from __future__ import annotations

import base64
from typing import NamedTuple

from agents.publish import iso
from streams import schemas, topics
from streams.records import DeadLetter, Rejected


class Origin(NamedTuple):
    """Where a message was read."""

    topic: str
    partition: int
    offset: int


def _text_or_base64(data: bytes | None) -> tuple[str, str]:
    if data is None:
        return "", "utf-8"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(data).decode("ascii"), "base64"


def dead_letter(
    rejected: Rejected,
    value: bytes | None,
    key: bytes | None,
    now: float,
    line: int | None = None,
    origin: Origin | None = None,
) -> DeadLetter:
    """The dead letter for a rejected message; nothing of the payload is dropped."""
    payload, encoding = _text_or_base64(value)
    key_text = _text_or_base64(key)[0] if key else None
    return DeadLetter(
        stage=rejected.stage,
        reason=rejected.reason,
        payload=payload,
        payload_encoding=encoding,
        received_at=iso(now),
        key=key_text,
        line=line,
        topic=origin.topic if origin else None,
        partition=origin.partition if origin else None,
        offset=origin.offset if origin else None,
        error_class=rejected.error_class,
    )


def context_headers(letter: DeadLetter) -> list[tuple[str, bytes]]:
    """Kafka headers for a dead letter: content type, schema id and version, and Kafka
    Connect's error context (stage, error class and message, and where it was read)."""
    headers = [
        *schemas.headers(topics.DEADLETTER),
        ("__connect.errors.stage", letter.stage.encode()),
        ("__connect.errors.exception.class.name", letter.error_class.encode()),
        ("__connect.errors.exception.message", letter.reason.encode("utf-8", "replace")),
    ]
    if letter.topic is not None:
        headers += [
            ("__connect.errors.topic", letter.topic.encode()),
            ("__connect.errors.partition", str(letter.partition).encode()),
            ("__connect.errors.offset", str(letter.offset).encode()),
        ]
    return headers
