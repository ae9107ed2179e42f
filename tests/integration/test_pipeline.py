"""The pipeline end to end on the real broker: news.raw -> news.enriched + news.events."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import orjson
import pytest

from cli.feed import produce
from cli.supervise import WorkerProcess
from streams.topics import DEADLETTER, ENRICHED, EVENTS
from streams.topics import RAW as NEWS_RAW
from tests.integration.harness import collect, feed
from tests.texts import (
    CENTRAL_BANK,
    FOOTBALL,
    LIBRARY_DE,
    LIBRARY_EN,
    SEED_CHROME,
    body_paragraphs,
    read_seed,
)

pytestmark = pytest.mark.integration


def _run_id() -> str:
    return uuid.uuid4().hex[:8]


def test_seed_translations_share_one_event(kafka: str, worker: WorkerProcess) -> None:
    run = _run_id()
    en, de = read_seed("en"), read_seed("de")
    docs = [
        {"id": f"{run}-en", "url": f"https://news.example.com/{run}/putin", **en},
        {"id": f"{run}-de", "url": f"https://zeitung.example.de/{run}/putin", **de},
    ]
    feed(kafka, docs)
    out = collect(kafka, ENRICHED, {f"{run}-en", f"{run}-de"})
    rec_en, rec_de = out[f"{run}-en"], out[f"{run}-de"]

    assert (rec_en["lang"], rec_de["lang"]) == ("en", "de")
    for rec, seed in ((rec_en, en), (rec_de, de)):
        for chrome in SEED_CHROME[rec["lang"]]:
            assert chrome not in rec["text"]
            assert any(chrome in removed for removed in rec["boilerplate_removed"])
        for paragraph in body_paragraphs(seed["text"], rec["lang"]):
            assert paragraph in rec["text"]
        assert rec["word_count"] > 300
        assert rec["lang_confidence"] > 0.9
    assert rec_en["event_key"] == rec_de["event_key"]
    first, second = sorted((rec_en, rec_de), key=lambda r: r["translation_of"] is not None)
    assert first["translation_of"] is None
    assert second["translation_of"]["id"] == first["id"] and second["duplicate_of"] is None

    key = rec_en["event_key"]
    group = collect(kafka, EVENTS, {key}, by="key")[key]
    assert sorted(m["id"] for m in group["members"]) == [f"{run}-de", f"{run}-en"]
    assert group["languages"] == ["de", "en"]


def test_unrelated_articles_get_keys_of_their_own(kafka: str, worker: WorkerProcess) -> None:
    run = _run_id()
    en = read_seed("en")
    docs = [
        {"id": f"{run}-seed", **en},
        {"id": f"{run}-football", **FOOTBALL},
        {"id": f"{run}-bank", **CENTRAL_BANK},
    ]
    feed(kafka, docs)
    out = collect(kafka, ENRICHED, {d["id"] for d in docs})
    keys = {ident: rec["event_key"] for ident, rec in out.items()}
    assert len(set(keys.values())) == 3, keys
    assert out[f"{run}-bank"]["lang"] == "de"


BAD_INPUTS: list[tuple[str, bytes, str]] = [
    ("malformed-json", b'{"title": "x", "text": ', "not valid JSON"),
    ("not-an-object", b'["a", "list"]', "not an object"),
    ("wrong-type", b'{"title": "x", "text": 42}', "field 'text' must be a string"),
    ("missing-text", b'{"title": "only a title"}', "no article body"),
    ("empty-text", b'{"title": "x", "text": "   \\n  "}', "no article body"),
    ("undecodable", b'{"text": "caf\xe9 \xff"}', "not valid UTF-8"),
    ("too-large", b'{"text": "' + b"a" * 2_100_000 + b'"}', "exceeds the limit"),
]


def test_bad_input_is_dead_lettered_and_the_worker_keeps_going(
    kafka: str, worker: WorkerProcess
) -> None:
    run = _run_id()
    produce(
        kafka, [(f"{run}-{name}".encode(), value) for name, value, _ in BAD_INPUTS], progress=False
    )
    letters = collect(kafka, DEADLETTER, {f"{run}-{name}" for name, _, _ in BAD_INPUTS}, by="key")
    for name, value, reason in BAD_INPUTS:
        letter = letters[f"{run}-{name}"]
        assert reason in letter["reason"], (name, letter["reason"])
        assert letter["stage"] == "validation"
        if letter["payload_encoding"] == "utf-8":
            assert letter["payload"].encode() == value
    assert letters[f"{run}-undecodable"]["payload_encoding"] == "base64"

    feed(kafka, [{"id": f"{run}-after", **FOOTBALL}])
    assert collect(kafka, ENRICHED, {f"{run}-after"})[f"{run}-after"]["lang"] == "en"
    assert worker.alive()


def test_state_survives_a_restart_from_the_changelog(kafka: str, worker: WorkerProcess) -> None:
    """The German translation, fed after a restart that wiped the local RocksDB state,
    joins the event its English original created before the restart."""
    run = _run_id()
    feed(kafka, [{"id": f"{run}-en", **LIBRARY_EN}])
    first = collect(kafka, ENRICHED, {f"{run}-en"})[f"{run}-en"]

    worker.stop()
    data_dir = Path(worker.env_overrides["NEWSSTREAM_DATA_DIR"])
    shutil.rmtree(data_dir)
    data_dir.mkdir()
    worker.start()

    feed(kafka, [{"id": f"{run}-de", **LIBRARY_DE}])
    second = collect(kafka, ENRICHED, {f"{run}-de"})[f"{run}-de"]
    assert second["lang"] == "de"
    assert second["event_key"] == first["event_key"]
    group = collect(kafka, EVENTS, {first["event_key"]}, by="key")[first["event_key"]]
    assert sorted(m["id"] for m in group["members"]) == [f"{run}-de", f"{run}-en"]


@pytest.mark.parametrize("codec", ["lz4", "gzip"])
def test_compressed_batches_from_a_crawler_are_read(
    kafka: str, worker: WorkerProcess, codec: str
) -> None:
    """Crawlers may compress what they produce; the worker decompresses any codec."""
    from kafka import KafkaProducer

    run = _run_id()
    docs = [{"id": f"{run}-{codec}-{lang}", **read_seed(lang)} for lang in ("en", "de")]
    producer = KafkaProducer(bootstrap_servers=kafka, acks="all", compression_type=codec)
    try:
        for doc in docs:
            producer.send(NEWS_RAW, key=doc["id"].encode(), value=orjson.dumps(doc))
        producer.flush()
    finally:
        producer.close()
    out = collect(kafka, ENRICHED, {d["id"] for d in docs})
    assert {rec["lang"] for rec in out.values()} == {"en", "de"}
    assert len({rec["event_key"] for rec in out.values()}) == 1


def test_a_worker_set_for_other_partitions_than_news_raw_has_says_so(kafka: str) -> None:
    """news.raw was created with 8 partitions (the default): a worker told 4 (the default of
    earlier versions) stops with the reason instead of running co-partitioned state wrong."""
    from deploy.topics import TopicLayoutError, ensure_topics
    from streams.topics import changelog_specs, topic_specs

    with pytest.raises(TopicLayoutError, match=r"news\.raw has 8 partitions, not 4"):
        ensure_topics(kafka, (*topic_specs(4), *changelog_specs("newsstream-test", 4)))
