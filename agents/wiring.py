"""What the agents' Faust wiring shares: sending a dead letter for the event being handled."""

from __future__ import annotations

from faust.types import EventT

from agents.deadletters import Origin, context_headers, dead_letter
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
