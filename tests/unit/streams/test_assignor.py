"""The grouping worker takes fewer news.raw partitions (streams.assignor), without Kafka."""

from __future__ import annotations

import pytest
from faust.assignor.client_assignment import ClientAssignment

from streams import topics
from streams.assignor import assignor_for, lighten_grouping_member
from streams.settings import load_settings

CHROME = "newsstream-source_chrome-changelog"
EVENTS = "newsstream-events-changelog"


def _member(raw: list[int], standby: list[int], grouping: bool) -> ClientAssignment:
    return ClientAssignment(
        actives={
            topics.RAW: list(raw),
            CHROME: list(raw),
            topics.PREPARED: [0] if grouping else [],
            EVENTS: [0] if grouping else [],
        },
        standbys={
            topics.RAW: list(standby),
            CHROME: list(standby),
            EVENTS: [] if grouping else [0],
        },
    )


def _even(partitions: int, members: int) -> dict[str, ClientAssignment]:
    """Faust's even split, member ``a`` holding news.prepared, each standby on the next."""
    names = [chr(ord("a") + i) for i in range(members)]
    share = {n: [p for p in range(partitions) if p % members == i] for i, n in enumerate(names)}
    return {n: _member(share[n], share[names[i - 1]], grouping=i == 0) for i, n in enumerate(names)}


def test_with_eight_partitions_and_two_workers_the_grouping_worker_keeps_three() -> None:
    members = _even(8, 2)
    moves = lighten_grouping_member(members, weight=0.25)
    assert [(giver, taker) for _, giver, taker in moves] == [("a", "b")]
    moved = moves[0][0]
    a, b = members["a"], members["b"]
    assert len(a.actives[topics.RAW]) == 3 and len(b.actives[topics.RAW]) == 5
    # the changelog of the table co-partitioned with news.raw moves with it ...
    assert a.actives[CHROME] == a.actives[topics.RAW] and b.actives[CHROME] == b.actives[topics.RAW]
    # ... the receiver's standby of it becomes the giver's, and grouping stays where it was
    assert moved in b.actives[CHROME] and moved not in b.standbys[CHROME]
    assert moved in a.standbys[CHROME]
    assert a.actives[topics.PREPARED] == [0] and b.actives[topics.PREPARED] == []
    # every partition is still active on exactly one member
    assert sorted(a.actives[topics.RAW] + b.actives[topics.RAW]) == list(range(8))


@pytest.mark.parametrize(
    ("partitions", "members", "weight", "expected"),
    [
        (4, 2, 0.25, [2, 2]),  # 2+1 vs 2 or 1+1 vs 3: moving does not lower the heaviest
        (8, 2, 0.25, [3, 5]),
        (8, 2, 0.5, [2, 6]),  # the default weight (grouping ~half a worker's preparing)
        (4, 2, 0.5, [1, 3]),
        (8, 3, 0.25, [2, 3, 3]),
        (12, 2, 0.25, [5, 7]),
        (8, 2, 0.0, [4, 4]),  # weight 0: Faust's split
        (8, 1, 0.25, [8]),  # one worker does everything
    ],
)
def test_moves_stop_where_the_heaviest_load_stops_falling(
    partitions: int, members: int, weight: float, expected: list[int]
) -> None:
    assignment = _even(partitions, members)
    lighten_grouping_member(assignment, weight=weight)
    got = [len(assignment[m].actives[topics.RAW]) for m in sorted(assignment)]
    assert got == expected


def test_without_a_grouping_member_nothing_moves() -> None:
    members = _even(8, 2)
    members["a"].actives[topics.PREPARED] = []
    assert lighten_grouping_member(members, weight=0.25) == []
    assert len(members["a"].actives[topics.RAW]) == 4


def test_the_weight_is_a_setting_and_must_not_be_negative() -> None:
    assert load_settings({}).grouping_weight == 0.5
    assert load_settings({"NEWSSTREAM_GROUPING_WEIGHT": "0.4"}).grouping_weight == 0.4
    assert assignor_for(0.4).grouping_weight == 0.4
    with pytest.raises(ValueError, match="NEWSSTREAM_GROUPING_WEIGHT"):
        assignor_for(-1.0)
