"""``newsstream reset`` on the real broker: the plan alone changes nothing; with ``--yes`` the
group's offsets, the changelogs and the local state are gone; a group with a running member
is refused."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from kafka import KafkaConsumer
from kafka.admin import KafkaAdminClient

from cli import reset
from deploy.topics import ensure_topics
from streams.settings import Settings
from streams.topics import RAW, changelog_specs
from tests.integration.harness import PARTITIONS, feed

pytestmark = pytest.mark.integration


def _groups_and_topics(kafka: str) -> tuple[set[str], set[str]]:
    admin = KafkaAdminClient(bootstrap_servers=kafka, client_id="reset-test")
    try:
        groups = {_group_id(g) for g in admin.list_groups()}
        return groups, set(admin.list_topics())
    finally:
        admin.close()


def _group_id(group: object) -> str:
    """A listed group's id (kafka-python 3 lists dicts; older versions tuples)."""
    if isinstance(group, dict):
        return str(group.get("group_id") or group.get("groupId"))
    return str(group[0] if isinstance(group, tuple) else group)


def _consumer(kafka: str, group: str) -> KafkaConsumer:
    consumer = KafkaConsumer(
        RAW,
        bootstrap_servers=kafka,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    while not consumer.assignment():
        consumer.poll(timeout_ms=500)
    consumer.commit()
    return consumer


def test_reset_deletes_offsets_changelogs_and_local_state(kafka: str, tmp_path: Path) -> None:
    app = f"newsstream-reset-{uuid.uuid4().hex[:6]}"
    settings = Settings(broker=kafka, app_id=app, partitions=PARTITIONS, data_dir=tmp_path / "d")
    (tmp_path / "d" / "tables").mkdir(parents=True)
    (tmp_path / "d" / "tables" / "LOCK").write_text("")
    changelogs = {s.name for s in changelog_specs(app, PARTITIONS)}
    ensure_topics(kafka, changelog_specs(app, PARTITIONS))
    feed(kafka, [{"id": f"{app}-1", "text": "A body."}])

    member = _consumer(kafka, app)
    try:
        with pytest.raises(SystemExit, match="has running members: stop every worker"):
            reset.apply(settings, reset.plan(settings, offsets=True, changelogs=False))
    finally:
        member.close()

    assert reset.run(settings, offsets=True, changelogs=True, yes=False) == 0  # the plan only
    groups, topics = _groups_and_topics(kafka)
    assert app in groups and changelogs <= topics and (tmp_path / "d").exists()

    done = reset.apply(settings, reset.plan(settings, offsets=True, changelogs=True))
    print("\n" + "\n".join(done))
    groups, topics = _groups_and_topics(kafka)
    assert app not in groups
    assert not changelogs & topics
    assert not (tmp_path / "d").exists()
    again = reset.apply(settings, reset.plan(settings, offsets=True, changelogs=True))
    assert f"consumer group {app!r} did not exist" in again
