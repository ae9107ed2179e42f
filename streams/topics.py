"""Every topic name, exactly once, with how each topic is laid out.

``news.raw``        input from crawlers; key: article id or URL (may be empty)
``news.prepared``   internal: validated, cleaned, language-tagged articles with their evidence;
                    one partition, so that one grouping task sees every article
``news.enriched``   output; key: article id
``news.events``     output, compacted; key: event key; the latest group for each event, then
                    ``closed: true``, then a tombstone
``news.deadletter`` rejected input with the stage and reason

With ``NEWSSTREAM_GROUPING_SHARDS`` = S >= 2 (docs/sharding.md), two internal topics more:
``<app id>-grouping-shard`` (S partitions; partition s: shard s's probes, applies, merge,
count and close notices, in order) and ``<app id>-grouping-bids`` (one partition: the shards'
bids, read by the coordinator's process).
"""

from __future__ import annotations

from dataclasses import dataclass

RAW = "news.raw"
PREPARED = "news.prepared"
ENRICHED = "news.enriched"
EVENTS = "news.events"
DEADLETTER = "news.deadletter"

#: Largest message newsstream's topics (and its producers) accept. It is above the article
#: limit (``NEWSSTREAM_MAX_MESSAGE_BYTES``) so that an oversized article reaches the worker and
#: is dead-lettered with its reason instead of being refused unseen, and so that an article
#: just under the limit still fits on every topic after it (enriched, it is a little larger).
TOPIC_MAX_MESSAGE_BYTES = 16 * 1024 * 1024
#: The topic config that lets a topic take messages up to :data:`TOPIC_MAX_MESSAGE_BYTES`.
LARGE_MESSAGES = (("max.message.bytes", str(TOPIC_MAX_MESSAGE_BYTES)),)


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """How a topic is created: name, partitions and topic-level configs."""

    name: str
    partitions: int
    config: tuple[tuple[str, str], ...] = ()


def topic_specs(raw_partitions: int) -> tuple[TopicSpec, ...]:
    """The topics newsstream creates itself (Faust creates only its own changelogs)."""
    return (
        TopicSpec(RAW, raw_partitions, LARGE_MESSAGES),
        TopicSpec(PREPARED, 1, LARGE_MESSAGES),
        TopicSpec(ENRICHED, raw_partitions, LARGE_MESSAGES),
        TopicSpec(EVENTS, 1, (("cleanup.policy", "compact"), *LARGE_MESSAGES)),
        TopicSpec(DEADLETTER, 1, LARGE_MESSAGES),
    )


#: The worker's Faust tables (their changelog topics are ``<app_id>-<table>-changelog``).
EVENTS_TABLE = "events"
SOURCES_TABLE = "source_chrome"
#: Closed events' keys awaiting their tombstone on ``news.events``.
CLOSED_TABLE = "closed_events"
#: Sharded grouping's tables: the coordinator's open events (without vectors) and its open
#: events per evidence key (one partition each); each shard's part of the open events and its
#: copy of the key counts (S partitions, co-partitioned with the shard topic).
SHARDED_EVENTS_TABLE = "grouping_events"
KEY_COUNTS_TABLE = "key_counts"
SHARD_MEMBERS_TABLE = "shard_members"
SHARD_COUNTS_TABLE = "shard_key_counts"


def shard_topic(app_id: str) -> str:
    """Sharded grouping's coordinator -> shards topic (partition s: shard s)."""
    return f"{app_id}-grouping-shard"


def bids_topic(app_id: str) -> str:
    """Sharded grouping's shards -> coordinator topic (one partition)."""
    return f"{app_id}-grouping-bids"


def sharding_specs(app_id: str, shards: int) -> tuple[TopicSpec, ...]:
    """Sharded grouping's topics and changelogs (none when ``shards`` < 2: one task)."""
    if shards < 2:
        return ()
    compact = (("cleanup.policy", "compact"), *LARGE_MESSAGES)
    return (
        TopicSpec(shard_topic(app_id), shards, LARGE_MESSAGES),
        TopicSpec(bids_topic(app_id), 1, LARGE_MESSAGES),
        TopicSpec(f"{app_id}-{SHARDED_EVENTS_TABLE}-changelog", 1, compact),
        TopicSpec(f"{app_id}-{KEY_COUNTS_TABLE}-changelog", 1, compact),
        TopicSpec(f"{app_id}-{SHARD_MEMBERS_TABLE}-changelog", shards, compact),
        TopicSpec(f"{app_id}-{SHARD_COUNTS_TABLE}-changelog", shards, compact),
    )


def changelog_specs(app_id: str, raw_partitions: int) -> tuple[TopicSpec, ...]:
    """The tables' changelog topics, created with the others before the worker starts: Faust
    would declare them itself, but a just-created topic can still show 0 partitions to its
    first table write (Faust's ``PartitionsMismatch``)."""
    compact = (("cleanup.policy", "compact"), *LARGE_MESSAGES)
    return (
        TopicSpec(f"{app_id}-{EVENTS_TABLE}-changelog", 1, compact),
        TopicSpec(f"{app_id}-{CLOSED_TABLE}-changelog", 1, compact),
        TopicSpec(f"{app_id}-{SOURCES_TABLE}-changelog", raw_partitions, compact),
    )


def leader_spec(app_id: str) -> TopicSpec:
    """Faust's leader-election topic (``<app_id>-__assignor-__leader``, one partition), which
    its assignor declares at start unless topics are provisioned by a platform."""
    return TopicSpec(f"{app_id}-__assignor-__leader", 1)


def worker_specs(
    app_id: str, raw_partitions: int, grouping_shards: int = 0
) -> tuple[TopicSpec, ...]:
    """Every topic the worker uses: newsstream's, the tables' changelogs and Faust's leader
    topic (the list the worker creates or checks, and ``python -m deploy.k8s topics`` emits),
    and sharded grouping's (``grouping_shards`` >= 2)."""
    return (
        *topic_specs(raw_partitions),
        *changelog_specs(app_id, raw_partitions),
        *sharding_specs(app_id, grouping_shards),
        leader_spec(app_id),
    )
