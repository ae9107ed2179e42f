"""The Consuming guide on the real broker: its examples read what the session's worker wrote.

A pair of articles (en/de) published long ago goes through the worker; a hundred articles of
today move the stream time on, so the grouping stage's next closing pass closes their event
(``closed: true``) and, its tombstone delay long past too, tombstones its key. The Python
example (``docs/examples/consume.py``, a consumer group) and the Java one
(``docs/examples/ConsumeEvents.java``, run from source with the broker's jars) read it: open,
closed, tombstone, in that order, with the contract's headers; a second group applying the
same records again changes nothing (idempotent by id). Dead letters and the internal topic
carry their headers too.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from cli import tail
from cli.feed import produce
from cli.supervise import WorkerProcess
from deploy import broker
from streams import schemas
from streams.topics import DEADLETTER, ENRICHED, EVENTS, PREPARED
from tests.integration.harness import collect, feed

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
#: The bundled English and German reports of one event (no other test feeds them).
SAMPLES = ROOT / "cli" / "samples" / "articles.jsonl"
#: Long before the stream time (today): the event is past its window and its tombstone delay.
LONG_AGO = "2020-01-06T09:00:00Z"
#: Articles of today that follow, enough for a closing pass (every 100 articles).
CLOCK_ARTICLES = 101


def _with_headers(kafka: str, topic: str, keys: set[str]) -> list[dict[str, Any]]:
    """Every record of ``topic`` whose key is in ``keys``, with its headers."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=kafka, enable_auto_commit=False)
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        found = []
        idle_since = time.monotonic()
        while time.monotonic() - idle_since < 3.0:
            batch = consumer.poll(timeout_ms=300)
            if batch:
                idle_since = time.monotonic()
            for records in batch.values():
                for rec in records:
                    if rec.key is not None and rec.key.decode() in keys:
                        headers = {name: value.decode() for name, value in rec.headers}
                        found.append({"key": rec.key.decode(), "headers": headers})
        return found
    finally:
        consumer.close()


def _until_tombstoned(kafka: str, keys: set[str], timeout: float = 120.0) -> None:
    """Wait until each of ``keys`` has a tombstone on news.events."""
    deadline = time.monotonic() + timeout
    while True:
        gone = {
            rec["key"]
            for rec in tail.records(kafka, EVENTS, idle_timeout=2.0)
            if rec["key"] in keys and rec["value"] is None
        }
        if gone >= keys:
            return
        assert time.monotonic() < deadline, f"no tombstone for {sorted(keys - gone)}"
        time.sleep(2.0)


def _python_example(kafka: str, group: str, db: Path) -> list[dict[str, Any]]:
    """Run docs/examples/consume.py until it has been idle 5 s; its JSON lines."""
    args = ["--bootstrap", kafka, "--group", group, "--db", str(db), "--idle-seconds", "5"]
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "consume.py"), *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def _java_example(kafka: str, group: str) -> list[str]:
    """Run docs/examples/ConsumeEvents.java from source with the broker's jars; its lines."""
    version = broker.resolve_version(os.environ.get("KAFKA_VERSION", broker.DEFAULT_VERSION))
    lib = broker.BrokerConfig(version=version).lib_dir
    done = subprocess.run(
        ["java", "-cp", f"{lib}/*", str(EXAMPLES / "ConsumeEvents.java"), kafka, group, "5"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


@pytest.mark.timeout(500)
def test_a_closed_event_as_the_guide_s_consumers_see_it(
    kafka: str, worker: WorkerProcess, tmp_path: Path
) -> None:
    run = uuid.uuid4().hex[:8]
    samples = {d["id"]: d for d in map(json.loads, SAMPLES.read_text().splitlines())}
    pair = [
        {**samples[ident], "id": f"{run}-{ident}", "url": None, "published_at": LONG_AGO}
        for ident in ("sample-01", "sample-02")
    ]
    feed(kafka, pair)
    enriched = collect(kafka, ENRICHED, {d["id"] for d in pair})
    # One event when both were grouped before a closing pass; two if a pass fell between them.
    closing = {record["event_key"] for record in enriched.values()}
    clock = [
        {"id": f"{run}-clock-{i}", "title": f"Clock {i}", "text": f"Run {run}, article {i}."}
        for i in range(CLOCK_ARTICLES)
    ]
    feed(kafka, clock)
    collect(kafka, ENRICHED, {d["id"] for d in clock}, timeout=180)
    _until_tombstoned(kafka, closing)

    # The Python example, a consumer group of its own, into SQLite.
    db = tmp_path / "news.db"
    lines = _python_example(kafka, f"{run}-py", db)
    print(f"\n== {EXAMPLES / 'consume.py'}: the closed event's records ==")
    for key in sorted(closing):
        mine = [line for line in lines if line.get("key") == key and line["topic"] == EVENTS]
        for line in mine:
            print(json.dumps(line, ensure_ascii=False))
        did = [line["did"] for line in mine]
        assert did[-2:] == ["event closed", "deleted (tombstone)"], did
        assert set(did[:-2]) == {"event open"}, did
        closed = mine[-2]["value"]
        assert closed["closed"] is True and closed["merged_into"] is None
        assert closed["member_count"] == len(closed["members"]) >= 1
        assert {m["id"] for m in closed["members"]} <= {d["id"] for d in pair}
        for line in mine:
            assert line["headers"] == {
                "content-type": "application/json",
                "schema-id": "urn:newsstream:schema:news.events:1",
                "schema-version": "1",
            }
    ids = {d["id"] for d in pair + clock}
    articles = [line for line in lines if line.get("topic") == ENRICHED and line["key"] in ids]
    assert {line["key"] for line in articles} == ids
    firsts = {line["key"]: line["did"] for line in reversed(articles)}  # each id's first line
    assert set(firsts.values()) == {"stored"}  # later copies (at-least-once) change nothing:
    assert {line["did"] for line in articles} <= {"stored", "duplicate id: unchanged"}
    assert all(line["headers"]["schema-id"] == schemas.schema_id(ENRICHED) for line in articles)

    def view() -> tuple[dict[str, str], set[str]]:
        """The example's database: my articles' event keys, and the events it holds."""
        with sqlite3.connect(db) as conn:
            stored = dict(conn.execute("SELECT id, event_key FROM articles").fetchall())
            live = {row[0] for row in conn.execute("SELECT event_key FROM events")}
        return {i: k for i, k in stored.items() if i in ids}, live

    stored, live = view()
    assert stored.keys() == ids
    assert {stored[d["id"]] for d in pair} == closing and not closing & live

    # A second group over the same database: every record again, nothing changes.
    again = _python_example(kafka, f"{run}-py-again", db)
    repeated = [line for line in again if line.get("topic") == ENRICHED and line["key"] in ids]
    assert {line["did"] for line in repeated} == {"duplicate id: unchanged"}
    assert view()[0] == stored and not closing & view()[1]
    # The first group again: its offsets were committed, none of these records comes again.
    third = _python_example(kafka, f"{run}-py", db)
    assert not [line for line in third if line.get("key") in ids | closing]

    # The Java example, another group.
    java = _java_example(kafka, f"{run}-java")
    print(f"== {EXAMPLES / 'ConsumeEvents.java'} ==")
    for key in sorted(closing):
        mine = [line for line in java if line.split(" ")[1:2] == [key]]
        print("\n".join(mine))
        assert mine[-1] == f"tombstone {key}"
        assert mine[-2].startswith(f"closed {key} ")
        assert {line.split(" ")[0] for line in mine[:-2]} == {"open"}

    # Dead letters and the internal topic carry their headers as well.
    produce(kafka, [(f"{run}-bad".encode(), b"{oops")], progress=False)
    collect(kafka, DEADLETTER, {f"{run}-bad"}, by="key")
    [letter] = _with_headers(kafka, DEADLETTER, {f"{run}-bad"})
    assert letter["headers"]["schema-id"] == "urn:newsstream:schema:news.deadletter:1"
    assert letter["headers"]["__connect.errors.exception.class.name"] == (
        "streams.records.Rejected"
    )
    assert letter["headers"]["__connect.errors.topic"] == "news.raw"
    print(f"dead letter headers: {letter['headers']}")
    internal = _with_headers(kafka, PREPARED, {d["id"] for d in pair})
    expected = {k: v.decode() for k, v in schemas.headers(PREPARED)}
    assert internal and all(r["headers"].items() >= expected.items() for r in internal)
    # ... and the news.raw timestamp, for the end-to-end latency (streams.metrics)
    assert all(r["headers"]["newsstream-raw-timestamp-ms"].isdigit() for r in internal)
