"""``newsstream worker`` before Faust starts: it creates the topics, or with
``NEWSSTREAM_CREATE_TOPICS=false`` only checks them and stops with the reason."""

from __future__ import annotations

from typing import Any

import pytest

from agents.pipeline import Pipeline
from agents.prepare import PrepareOptions
from cli import worker
from deploy.topics import TopicsMissingError
from streams.settings import Settings
from streams.topics import worker_specs


def test_without_create_a_missing_topic_stops_the_worker_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, Any]] = []

    def ensure(bootstrap: str, specs: Any, replication: int, **kwargs: Any) -> list[str]:
        calls.append({"specs": tuple(specs), **kwargs})
        raise TopicsMissingError(bootstrap, ["news.raw"])

    monkeypatch.setattr(worker, "ensure_topics", ensure)
    monkeypatch.setattr(worker, "build", lambda _: pytest.fail("Faust must not start"))
    settings = Settings(broker="k:9092", create_topics=False)
    with pytest.raises(SystemExit, match=r"newsstream worker: 1 topic\(s\) missing on k:9092"):
        worker.run(settings)
    assert calls[0]["create"] is False
    assert calls[0]["specs"] == worker_specs(settings.app_id, settings.partitions)


def test_sharded_grouping_adds_its_topics_and_replaces_the_grouping_agent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    calls: list[tuple[Any, ...]] = []

    def ensure(bootstrap: str, specs: Any, replication: int, **kwargs: Any) -> list[str]:
        calls.append(tuple(specs))
        return []

    monkeypatch.setattr(worker, "ensure_topics", ensure)
    monkeypatch.setattr(worker, "execute", lambda settings: None)
    settings = Settings(app_id="ns", grouping_shards=3, data_dir=tmp_path)
    worker.run(settings)
    layout = {spec.name: spec.partitions for spec in calls[0]}
    assert layout["ns-grouping-shard"] == 3 and layout["ns-grouping-bids"] == 1
    assert layout["ns-shard_members-changelog"] == 3 and layout["ns-grouping_events-changelog"] == 1
    assert set(worker_specs("ns", 8)) < set(calls[0])  # everything of one task's, and more

    light = Pipeline.create(PrepareOptions(max_message_bytes=100_000, lang_min_confidence=0.5))
    monkeypatch.setattr(worker.Pipeline, "from_settings", lambda settings: light)
    monkeypatch.setattr(worker.prepare_agent, "wire", lambda *args, **kwargs: None)  # models
    sharded = {agent.name for agent in worker.build(settings).agents.values()}
    assert {
        "newsstream.grouping-coordinator",
        "newsstream.grouping-bids",
        "newsstream.grouping-shard",
    } <= sharded
    assert "newsstream.grouping" not in sharded  # the one task's agent is not wired
