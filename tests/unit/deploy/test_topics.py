"""deploy.topics against a stand-in admin client: topics are created when missing, or, with
``create=False`` (``NEWSSTREAM_CREATE_TOPICS=false``), only checked, the missing ones named;
the partition layout is checked either way."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from deploy import topics as deploy_topics
from deploy.topics import TopicLayoutError, TopicsMissingError, ensure_topics
from streams.topics import RAW, worker_specs


class FakeAdmin:
    """kafka-python's KafkaAdminClient, as far as deploy.topics uses it."""

    topics: ClassVar[dict[str, int]] = {}
    created: ClassVar[list[str]] = []

    def __init__(self, **_: Any) -> None:
        pass

    def list_topics(self) -> list[str]:
        return list(self.topics)

    def describe_topics(self, names: list[str]) -> list[dict[str, Any]]:
        return [{"name": n, "partitions": [{}] * self.topics[n]} for n in names]

    def create_topics(self, new: list[Any], timeout_ms: int) -> None:
        for topic in new:
            FakeAdmin.topics[topic.name] = topic.num_partitions
            FakeAdmin.created.append(topic.name)

    def wait_for_topics(self, names: list[str], timeout_ms: int) -> None:
        assert set(names) <= set(self.topics)

    def close(self) -> None:
        pass


@pytest.fixture
def admin(monkeypatch: pytest.MonkeyPatch) -> type[FakeAdmin]:
    monkeypatch.setattr(deploy_topics, "KafkaAdminClient", FakeAdmin)
    FakeAdmin.topics, FakeAdmin.created = {}, []
    return FakeAdmin


SPECS = worker_specs("newsstream", 8)


def test_missing_topics_are_created_by_default(admin: type[FakeAdmin]) -> None:
    admin.topics = {RAW: 8}
    created = ensure_topics("b:9092", SPECS)
    assert created == [s.name for s in SPECS if s.name != RAW] == admin.created
    assert "newsstream-__assignor-__leader" in created  # Faust's own, provisioned like the rest


def test_without_create_the_missing_topics_are_named_and_none_is_created(
    admin: type[FakeAdmin],
) -> None:
    admin.topics = {s.name: s.partitions for s in SPECS if s.name not in (RAW, "news.events")}
    with pytest.raises(TopicsMissingError) as refused:
        ensure_topics("b:9092", SPECS, create=False)
    assert refused.value.missing == [RAW, "news.events"]
    message = str(refused.value)
    assert "2 topic(s) missing on b:9092: news.raw, news.events" in message
    assert "NEWSSTREAM_CREATE_TOPICS" in message and "python -m deploy.k8s topics" in message
    assert admin.created == []


def test_without_create_present_topics_pass_and_their_layout_is_checked(
    admin: type[FakeAdmin],
) -> None:
    admin.topics = {s.name: s.partitions for s in SPECS}
    assert ensure_topics("b:9092", SPECS, create=False) == []
    admin.topics[RAW] = 4
    with pytest.raises(TopicLayoutError, match=r"news\.raw has 4 partitions, not 8"):
        ensure_topics("b:9092", SPECS, create=False)
