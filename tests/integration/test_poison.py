"""Poison records on the real broker: malformed messages on ``news.raw`` and on the internal
``news.prepared`` become dead letters naming their stage, reason and origin, both when a worker
is running and when they wait ahead of a worker that starts afterwards; the articles fed after
them are still enriched."""

from __future__ import annotations

import uuid

import orjson
import pytest

from cli.feed import produce
from cli.supervise import WorkerProcess
from streams.topics import DEADLETTER, ENRICHED, PREPARED, RAW
from tests.integration.harness import collect, feed
from tests.texts import FOOTBALL

pytestmark = pytest.mark.integration


def _prepared_like(article_id: str) -> dict[str, object]:
    """A news.prepared record as a worker of this version writes it."""
    return {
        "id": article_id,
        "url": None,
        "source": "poison.example",
        "title": "A title",
        "text": "A title\n\nSome text.",
        "lang": "en",
        "lang_confidence": 0.9,
        "languages": [{"lang": "en", "share": 1.0}],
        "title_disagrees": False,
        "published_at": None,
        "word_count": 5,
        "content_hash": "0" * 32,
        "boilerplate_removed": [],
        "evidence": ["n:somebody"],
        "event_time": 1.7e9,
    }


def _poison(run: str, round_: str) -> tuple[list[tuple[bytes, bytes]], list[tuple[bytes, bytes]]]:
    """(to news.raw, to news.prepared): each a message that cannot be processed."""
    raw = [
        (f"{run}-{round_}-raw-json".encode(), b"{not json"),
        (f"{run}-{round_}-raw-type".encode(), orjson.dumps({"id": "x", "text": 5})),
    ]
    wrong_type = {**_prepared_like(f"{run}-{round_}-p"), "evidence": 7}
    prepared = [
        (f"{run}-{round_}-prep-json".encode(), b"\xff{not json"),
        (f"{run}-{round_}-prep-type".encode(), orjson.dumps(wrong_type)),
    ]
    return raw, prepared


def _assert_dead_letters(kafka: str, raw: list, prepared: list) -> None:
    want = {key.decode() for key, _ in raw + prepared}
    letters = collect(kafka, DEADLETTER, want, by="key", timeout=120)
    for key, _ in raw:
        letter = letters[key.decode()]
        assert letter["topic"] == RAW and letter["offset"] >= 0, letter
        assert letter["stage"] == "validation", letter
    for key, _ in prepared:
        letter = letters[key.decode()]
        assert letter["topic"] == PREPARED and letter["partition"] == 0, letter
        assert letter["stage"] == "grouping" and letter["offset"] >= 0, letter
        assert letter["reason"].startswith("malformed news.prepared record: "), letter
    reasons = {k: letters[k]["reason"] for k in want}
    print("\n".join(f"dead letter {k}: {r}" for k, r in sorted(reasons.items())))
    assert "field 'evidence' must be a list of strings, got integer" in str(reasons)
    assert letters[prepared[0][0].decode()]["payload_encoding"] == "base64"


def test_poison_records_are_dead_lettered_and_later_articles_still_enriched(
    kafka: str, worker: WorkerProcess
) -> None:
    run = uuid.uuid4().hex[:8]
    # to a running worker
    raw, prepared = _poison(run, "live")
    produce(kafka, raw, progress=False)
    produce(kafka, prepared, progress=False, topic=PREPARED)
    feed(kafka, [{"id": f"{run}-live-after", **FOOTBALL}])
    _assert_dead_letters(kafka, raw, prepared)
    assert collect(kafka, ENRICHED, {f"{run}-live-after"})
    assert worker.alive()

    # ahead of a worker that starts afterwards (its committed offsets lie before them)
    worker.stop()
    raw, prepared = _poison(run, "ahead")
    produce(kafka, raw, progress=False)
    produce(kafka, prepared, progress=False, topic=PREPARED)
    worker.start()
    feed(kafka, [{"id": f"{run}-ahead-after", **FOOTBALL}])
    _assert_dead_letters(kafka, raw, prepared)
    assert collect(kafka, ENRICHED, {f"{run}-ahead-after"})
    assert worker.alive()
