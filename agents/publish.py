"""Stage "publishing", pure half: grouped articles -> ``news.enriched`` and ``news.events`` records.

Input: a :class:`~streams.records.Prepared` article with its event key, and its event's
:class:`~agents.grouping.EventState`. Output: the :class:`~streams.records.Enriched` record
(key: article id) and the :class:`~streams.records.EventGroup` (key: event key) that the
grouping agent sends: while the event is open, closed (``closed: true``) once its window has
passed, and, :attr:`PublishOptions.tombstone_seconds` later, a tombstone (a null value) for
its key and the keys merged into it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from streams import PIPELINE_VERSION
from streams.records import Enriched, EventGroup, EventMember, Prepared
from streams.settings import Settings

if TYPE_CHECKING:
    from agents.grouping import Assignment, EventState


@dataclass(frozen=True, slots=True)
class PublishOptions:
    """How ``news.events`` records are made (from settings)."""

    #: Members listed per record (the first to join); ``member_count`` counts them all.
    max_members: int = 100
    #: Stream time (event time) from an event's close to its tombstone.
    tombstone_seconds: float = 24 * 3600.0

    @classmethod
    def from_settings(cls, settings: Settings) -> PublishOptions:
        return cls(
            max_members=settings.event_max_members,
            tombstone_seconds=settings.event_tombstone_hours * 3600.0,
        )


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
    """The record that closes an event merged into another: no members, ``merged_into``,
    ``closed`` (no article joins it under this key any more)."""
    stamp = iso(now)
    return EventGroup(
        event_key=event_key,
        languages=[],
        member_count=0,
        members=[],
        first_seen=stamp,
        last_seen=stamp,
        merged_into=into,
        closed=True,
    )


def event_group(
    state: EventState, max_members: int | None = None, closed: bool = False
) -> EventGroup:
    """The published form of an event: its languages, its member count and its first
    ``max_members`` members (all when None), each listed once; ``closed``: its window passed."""
    seen: set[str] = set()
    members: list[EventMember] = []
    languages: set[str] = set()
    for m in state.members:
        if m.id in seen:
            continue
        seen.add(m.id)
        languages.add(m.lang)
        if max_members is None or len(members) < max_members:
            members.append(
                EventMember(id=m.id, lang=m.lang, title=m.title, url=m.url, source=m.source)
            )
    return EventGroup(
        event_key=state.event_key,
        languages=sorted(languages),
        member_count=len(seen),
        members=members,
        first_seen=iso(state.first_seen),
        last_seen=iso(state.last_seen),
        closed=closed,
    )


def closing_keys(state: EventState) -> list[str]:
    """The keys a closed event's tombstone goes to: its own and those of the events merged
    into it (the keys its members were issued), its own first."""
    keys = [state.event_key]
    for m in state.members:
        if m.event_key and m.event_key not in keys:
            keys.append(m.event_key)
    return keys
