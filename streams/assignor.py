"""Partition assignment: the worker that groups takes fewer ``news.raw`` partitions.

``news.prepared`` has one partition (one grouping task sees every article), so one worker of a
group does all the grouping on top of its share of the preparing. Faust's assignor splits the
``news.raw`` partitions evenly and leaves that worker the slowest: with two workers, 6,000
articles, it used 21.9 CPU seconds against its peer's 14.9 (``newsstream bench``), and the
pipeline lasted as long as it did. :class:`GroupingAwareAssignor` runs Faust's assignment and
then moves ``news.raw`` partitions (with everything co-partitioned with them: the
``source_chrome`` table's changelog) from that worker to the least loaded others, as far as
that lowers the heaviest load. A partition's load is 1; grouping weighs
``grouping_weight x`` the ``news.raw`` partitions (``NEWSSTREAM_GROUPING_WEIGHT``).

With 4 partitions, two workers and the default weight (0.5) one moves (1+2 vs 3); with the
default 8, the grouping worker keeps 2 of them (2+4 vs 6). At 0.25 it kept 3 of 8 and, in
``newsstream bench --articles 20000 --workers 2``, used 147.7 and 143.6 CPU seconds against its
peer's 106.6 and 113.7; at 0.5, 133.0 / 142.4 and 125.9 / 124.0, and the pipeline went from
127.2 to 130.9 and from 131.2 to 147.7 articles/s (runs alternated, CHANGELOG).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, MutableMapping
from typing import Any, ClassVar

from faust.assignor import PartitionAssignor
from faust.assignor.client_assignment import ClientAssignment

from streams import topics

log = logging.getLogger(__name__)


def _heaviest(kept: int, moved_to: list[int], partitions: int, weight: float) -> float:
    """The heaviest load when the grouping member keeps ``kept`` partitions and the others
    hold ``moved_to`` (a load of 1 per partition, ``weight x partitions`` for grouping)."""
    return max([kept + weight * partitions, *moved_to])


def lighten_grouping_member(
    assignments: MutableMapping[str, ClientAssignment],
    weight: float,
    raw_topic: str = topics.RAW,
    grouping_topic: str = topics.PREPARED,
) -> list[tuple[int, str, str]]:
    """Move ``raw_topic`` partitions off the member that consumes ``grouping_topic`` while
    that lowers the heaviest member's load; returns ``(partition, from, to)`` per move.

    Topics co-partitioned with ``raw_topic`` (every member holds the same partitions of them)
    move with it; a standby the receiver had of a moved partition goes to the giver.
    """
    holders = [m for m, a in assignments.items() if a.actives.get(grouping_topic)]
    if len(assignments) < 2 or len(holders) != 1 or weight <= 0:
        return []
    giver = holders[0]

    def same_as_raw(topic: str) -> bool:
        return all(
            set(a.actives.get(topic, ())) == set(a.actives.get(raw_topic, ()))
            and set(a.standbys.get(topic, ())) == set(a.standbys.get(raw_topic, ()))
            for a in assignments.values()
        )

    every_topic = {t for a in assignments.values() for t in (*a.actives, *a.standbys)}
    if raw_topic not in every_topic:
        return []
    group = sorted(t for t in every_topic if same_as_raw(t))
    partitions = sum(len(a.actives.get(raw_topic, ())) for a in assignments.values())
    others = {m: len(a.actives.get(raw_topic, ())) for m, a in assignments.items() if m != giver}
    moves: list[tuple[int, str, str]] = []
    while True:
        kept = assignments[giver].actives.get(raw_topic, [])
        if not kept:
            break
        receiver = min(others, key=lambda m: (others[m], m))
        now = _heaviest(len(kept), list(others.values()), partitions, weight)
        after = _heaviest(
            len(kept) - 1,
            [n + (m == receiver) for m, n in others.items()],
            partitions,
            weight,
        )
        if not after < now - 1e-9:
            break
        standing = set(assignments[receiver].standbys.get(raw_topic, ()))
        # a partition the receiver keeps a standby of is warm there: move that one first
        partition = max(kept, key=lambda p: (p in standing, p))
        for topic in group:
            give, take = assignments[giver], assignments[receiver]
            give.actives[topic] = [p for p in give.actives.get(topic, []) if p != partition]
            take.actives[topic] = sorted({*take.actives.get(topic, []), partition})
            if partition in take.standbys.get(topic, ()):
                take.standbys[topic] = [p for p in take.standbys[topic] if p != partition]
                give.standbys[topic] = sorted({*give.standbys.get(topic, []), partition})
        others[receiver] += 1
        moves.append((partition, giver, receiver))
    return moves


class GroupingAwareAssignor(PartitionAssignor):
    """Faust's assignor, then :func:`lighten_grouping_member` (``grouping_weight`` is set on a
    subclass by :func:`assignor_for`).

    Uses a private hook of faust-streaming 0.15.3's assignor: the step after the co-partitioned
    assignment, before it is encoded for the members.
    """

    grouping_weight: ClassVar[float] = 0.0

    def _global_table_standby_assignments(
        self, assignments: Any, partitions_by_topic: Mapping[str, int]
    ) -> Any:
        assignments = super()._global_table_standby_assignments(assignments, partitions_by_topic)
        moves = lighten_grouping_member(assignments, self.grouping_weight)
        if moves:
            log.info(
                "assignment: %d %s partition(s) moved off the grouping worker (%s)",
                len(moves),
                topics.RAW,
                ", ".join(f"{p}: {giver} -> {taker}" for p, giver, taker in moves),
            )
        return assignments


def assignor_for(grouping_weight: float) -> type[GroupingAwareAssignor]:
    """A :class:`GroupingAwareAssignor` with ``grouping_weight`` (Faust takes a class)."""
    if not math.isfinite(grouping_weight) or grouping_weight < 0:
        raise ValueError(f"NEWSSTREAM_GROUPING_WEIGHT must be >= 0; got {grouping_weight!r}")
    return type(
        "NewsstreamAssignor", (GroupingAwareAssignor,), {"grouping_weight": grouping_weight}
    )
