"""``newsstream feed``: input files as messages, streamed, at a bounded rate."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path
from typing import Any, ClassVar

import orjson
import pytest

from cli import feed


def test_a_large_jsonl_file_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "backfill.jsonl"
    line = orjson.dumps({"id": "x", "text": "word " * 2000}) + b"\n"  # ~10 kB
    with path.open("wb") as out:
        for _ in range(3000):  # ~30 MB
            out.write(line)
    tracemalloc.start()
    try:
        count = sum(1 for _ in feed.read_path(str(path)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 3000
    assert peak < 2_000_000, f"peak {peak} bytes: the file was not streamed"


class _Producer:
    """Stands in for kafka-python's producer: records when each message was sent."""

    sent: ClassVar[list[float]] = []

    def __init__(self, **_: Any) -> None:
        _Producer.sent = []

    def send(self, topic: str, key: bytes | None, value: bytes) -> None:
        _Producer.sent.append(time.monotonic())

    def flush(self) -> None: ...

    def close(self) -> None: ...


def test_the_rate_bounds_the_messages_sent_per_second(monkeypatch: pytest.MonkeyPatch) -> None:
    import kafka

    monkeypatch.setattr(kafka, "KafkaProducer", _Producer)
    messages = [(None, b'{"text": "t"}')] * 21
    began = time.monotonic()
    assert feed.produce("127.0.0.1:1", messages, progress=False, rate=50.0) == 21
    assert time.monotonic() - began >= 0.39  # 20 intervals of 20 ms
    assert _Producer.sent[-1] - _Producer.sent[0] >= 0.39


def test_a_saved_page_in_its_own_charset_is_read_in_it(tmp_path: Path) -> None:
    page = (
        '<html><head><meta charset="windows-1251"></head><body><p>Путин прибыл в Пекин.</p>'
        "</body></html>"
    )
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("windows-1251"))
    ((_, value),) = list(feed.read_path(str(path)))
    assert "Путин прибыл в Пекин." in orjson.loads(value)["html"]
