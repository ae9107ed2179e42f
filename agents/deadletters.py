"""Dead letters: a stage's :class:`Rejected` plus the payload as received -> ``news.deadletter``."""

from __future__ import annotations

import base64

from agents.publish import iso
from streams.records import DeadLetter, Rejected


def _text_or_base64(data: bytes | None) -> tuple[str, str]:
    if data is None:
        return "", "utf-8"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(data).decode("ascii"), "base64"


def dead_letter(
    rejected: Rejected, value: bytes | None, key: bytes | None, now: float, line: int | None = None
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
    )
