"""Stage "publishing", pure half: grouped articles -> ``news.enriched`` and ``news.events`` records.

Input: a :class:`~streams.records.Prepared` article with its event key, and its event's
:class:`~agents.grouping.EventState`. Output: the :class:`~streams.records.Enriched` record
(key: article id) and the :class:`~streams.records.EventGroup` (key: event key) that the
grouping agent sends.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from streams import PIPELINE_VERSION
from streams.records import Enriched, EventGroup, EventMember, Prepared

if TYPE_CHECKING:
    from agents.grouping import Assignment, EventState


def iso(seconds: float) -> str:
    """Epoch seconds -> UTC ISO 8601 with a ``Z``."""
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def member_of(article: Prepared) -> dict[str, str | None]:
    """How an article is listed in its event group."""
    return {
        "id": article.id,
        "lang": article.lang,
        "title": article.title,
        "url": article.url,
        "source": article.source,
    }


def enriched_record(article: Prepared, grouped: Assignment, processed_at: float) -> Enriched:
    """The published form of an article, with its event key and relations in the event."""
    return Enriched(
        id=article.id,
        url=article.url,
        source=article.source,
        title=article.title,
        text=article.text,
        lang=article.lang,
        lang_confidence=article.lang_confidence,
        languages=article.languages,
        title_disagrees=article.title_disagrees,
        event_key=grouped.event_key,
        translation_of=grouped.translation_of,
        duplicate_of=grouped.duplicate_of,
        published_at=article.published_at,
        word_count=article.word_count,
        content_hash=article.content_hash,
        boilerplate_removed=article.boilerplate_removed,
        processed_at=iso(processed_at),
        pipeline_version=PIPELINE_VERSION,
    )


def merged_record(event_key: str, into: str, now: float) -> EventGroup:
    """The record that closes an event merged into another: no members, ``merged_into``."""
    stamp = iso(now)
    return EventGroup(
        event_key=event_key,
        languages=[],
        members=[],
        first_seen=stamp,
        last_seen=stamp,
        merged_into=into,
    )


def event_group(state: EventState) -> EventGroup:
    """The published form of an event: its languages and members, each listed once."""
    seen: set[str] = set()
    members: list[EventMember] = []
    for m in state.members:
        if m.id in seen:
            continue
        seen.add(m.id)
        members.append(
            EventMember(
                id=m.id,
                lang=m.lang,
                title=m.title,
                url=m.url,
                source=m.source,
            )
        )
    return EventGroup(
        event_key=state.event_key,
        languages=sorted({m.lang for m in members}),
        members=members,
        first_seen=iso(state.first_seen),
        last_seen=iso(state.last_seen),
    )
