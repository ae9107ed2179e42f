"""``newsstream reset``'s plan (the broker side: tests/integration/test_reset.py)."""

from __future__ import annotations

from pathlib import Path

from cli import reset
from streams.settings import Settings


def test_changelogs_of_sharded_grouping_are_reset_with_its_topics(tmp_path: Path) -> None:
    one_task = reset.plan(Settings(app_id="ns", data_dir=tmp_path), True, changelogs=True)
    assert "ns-events-changelog" in one_task.topics
    assert not any("shard" in t or "grouping" in t for t in one_task.topics)
    sharded = reset.plan(
        Settings(app_id="ns", data_dir=tmp_path, grouping_shards=4), True, changelogs=True
    )
    added = set(sharded.topics) - set(one_task.topics)
    assert added == {
        "ns-grouping-shard",
        "ns-grouping-bids",
        "ns-grouping_events-changelog",
        "ns-key_counts-changelog",
        "ns-shard_members-changelog",
        "ns-shard_key_counts-changelog",
    }
    lines = sharded.lines()
    assert "internal topic: delete ns-grouping-shard" in lines
    assert "changelog topic: delete ns-shard_members-changelog" in lines
    assert reset.plan(Settings(grouping_shards=4, data_dir=tmp_path), False, False).topics == ()
