"""``newsstream reset``: forget what the app has done, to reprocess or to change partitions.

Three things hold an app's progress and state, and each may be reset:

- the worker's local state (``NEWSSTREAM_DATA_DIR``: the RocksDB copies of its tables), always;
- ``--offsets``: the consumer group's committed offsets (the group is ``NEWSSTREAM_APP_ID``;
  deleting it makes the next worker start at the earliest record still retained);
- ``--changelogs``: the tables' changelog topics (``<app_id>-events-changelog``,
  ``<app_id>-source_chrome-changelog``): the open events and the chrome learned per source.
  Needed when ``NEWSSTREAM_PARTITIONS`` changes (the source table is co-partitioned with
  ``news.raw``); the next worker creates them again, empty. With sharded grouping
  (``NEWSSTREAM_GROUPING_SHARDS``), its tables' changelogs and its two internal topics too
  (needed when the shard count changes).

Without ``--yes`` it prints what it would do and changes nothing. Every worker of the app must
be stopped first: Kafka refuses to delete a group with members, and the reset says so.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass

from streams.settings import Settings
from streams.topics import changelog_specs, sharding_specs


@dataclass(frozen=True, slots=True)
class ResetPlan:
    """What a reset removes."""

    data_dir: str
    group: str | None
    topics: tuple[str, ...]

    def lines(self) -> list[str]:
        out = [f"local state: delete {self.data_dir}"]
        if self.group:
            out.append(f"consumer group: delete {self.group!r} (its committed offsets)")
        out += [
            f"{'changelog' if t.endswith('-changelog') else 'internal'} topic: delete {t}"
            for t in self.topics
        ]
        return out


def plan(settings: Settings, offsets: bool, changelogs: bool) -> ResetPlan:
    """The reset of ``settings``' app: local state, and the group and changelogs if asked."""
    specs = (
        *changelog_specs(settings.app_id, settings.partitions),
        *sharding_specs(settings.app_id, settings.grouping_shards),
    )
    topics = tuple(s.name for s in specs) if changelogs else ()
    return ResetPlan(str(settings.data_dir), settings.app_id if offsets else None, topics)


def apply(settings: Settings, reset: ResetPlan) -> list[str]:
    """Carry out ``reset``; returns what was done (a group or topic already absent is fine)."""
    from kafka.admin import KafkaAdminClient
    from kafka.errors import UnknownTopicOrPartitionError

    from streams.security import client_kwargs, refusals_explained

    done = []
    if reset.group or reset.topics:
        with refusals_explained(settings, settings.broker):
            admin = KafkaAdminClient(
                bootstrap_servers=settings.broker,
                client_id="newsstream-reset",
                **client_kwargs(settings),
            )
        try:
            if reset.group:
                # kafka-python answers per group: "OK" or the error's class name
                outcome = admin.delete_groups([reset.group]).get(reset.group, "OK")
                if outcome == "NonEmptyGroupError":
                    raise SystemExit(
                        f"newsstream reset: the group {reset.group!r} has running members: "
                        "stop every worker of the app first"
                    )
                if outcome == "GroupIdNotFoundError":
                    done.append(f"consumer group {reset.group!r} did not exist")
                elif outcome == "OK":
                    done.append(f"deleted consumer group {reset.group!r}")
                else:
                    raise SystemExit(f"newsstream reset: deleting {reset.group!r}: {outcome}")
            existing = set(admin.list_topics())
            for topic in reset.topics:
                if topic not in existing:
                    done.append(f"topic {topic} did not exist")
                    continue
                try:
                    admin.delete_topics([topic], timeout_ms=30_000)
                    done.append(f"deleted topic {topic}")
                except UnknownTopicOrPartitionError:
                    done.append(f"topic {topic} did not exist")
        finally:
            admin.close()
    shutil.rmtree(reset.data_dir, ignore_errors=True)
    done.append(f"deleted {reset.data_dir}")
    return done


def run(settings: Settings, offsets: bool, changelogs: bool, yes: bool) -> int:
    reset = plan(settings, offsets, changelogs)
    if not yes:
        for line in reset.lines():
            print(f"would {line}")
        print("nothing changed: run again with --yes to do it", file=sys.stderr)
        return 0
    for line in apply(settings, reset):
        print(line)
    return 0
