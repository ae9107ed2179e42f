"""What the agents' Faust wiring shares: a dead letter for the event being handled, and the
headers of the records they send."""

from __future__ import annotations

import logging

from faust.types import EventT

from agents.deadletters import Origin, context_headers, dead_letter
from streams import metrics, schemas
from streams.app import Channels
from streams.records import Rejected


async def send_dead_letter(
    channels: Channels, event: EventT, rejected: Rejected, now: float
) -> None:
    """``event``'s message to ``news.deadletter`` with ``rejected``'s stage and reason."""
    message = event.message
    origin = Origin(message.topic, message.partition, message.offset)
    letter = dead_letter(rejected, message.value, message.key, now, origin=origin)
    await channels.deadletter.send(key=message.key, value=letter, headers=context_headers(letter))


async def reject(
    channels: Channels,
    event: EventT,
    rejected: Rejected,
    now: float,
    logger: logging.Logger,
    level: int = logging.WARNING,
) -> None:
    """A dead letter counted (``newsstream_dead_letters_total``), logged by the agent's
    ``logger`` at ``level``, and sent (:func:`send_dead_letter`)."""
    metrics.DEAD_LETTERS.labels(rejected.stage, metrics.reason_label(rejected.reason)).inc()
    logger.log(
        level,
        "dead letter",
        extra={"stage": rejected.stage, "key": event.message.key, "reason": rejected.reason},
    )
    await send_dead_letter(channels, event, rejected, now)


def headers_of(topic: str) -> list[tuple[str, bytes]]:
    """A fresh list of ``topic``'s headers (Faust may add to the list it is given)."""
    return list(schemas.headers(topic))
