"""``newsstream worker`` before Faust starts: it creates the topics, or with
``NEWSSTREAM_CREATE_TOPICS=false`` only checks them and stops with the reason."""

from __future__ import annotations

from typing import Any

import pytest

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
