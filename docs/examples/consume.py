"""A newsstream consumer: ``news.enriched`` and ``news.events`` into SQLite, in a consumer group.

    python docs/examples/consume.py --bootstrap 127.0.0.1:9092 --group my-app --db news.db

Input: the two output topics, read as a consumer group (kafka-python, a dependency of
newsstream; any client does the same). Output: a SQLite database with one row per article
(``articles``) and one per live event (``events``: open or closed; a tombstone deletes the
row), and one JSON line per record on stdout saying what was done with it.

What it shows (the Consuming guide, ``docs/consuming.md``):

- offsets are committed after the batch's effect is stored: at-least-once, so after a crash
  or a rebalance some records come again, and
- each record is applied idempotently: an article is an upsert by ``id`` (a second copy with
  the same ``content_hash`` changes nothing), an event an upsert by its key (the latest record
  wins, as on the compacted topic), a tombstone a delete;
- the schema version is checked (header ``schema-version``) before a record is read: a major
  version this code does not know is set aside, not misread.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from typing import Any

from kafka import KafkaConsumer

TOPICS = ("news.enriched", "news.events")
#: The schema version (major) this consumer was written against, per topic.
KNOWN_VERSIONS = {"news.enriched": "1", "news.events": "1"}

TABLES = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, event_key TEXT NOT NULL, lang TEXT, title TEXT, url TEXT,
    content_hash TEXT
);
CREATE TABLE IF NOT EXISTS events (
    event_key TEXT PRIMARY KEY, state TEXT NOT NULL, member_count INTEGER NOT NULL,
    languages TEXT NOT NULL, merged_into TEXT, last_seen TEXT
);
CREATE TABLE IF NOT EXISTS set_aside (
    topic TEXT, partition INTEGER, "offset" INTEGER, reason TEXT,
    PRIMARY KEY (topic, partition, "offset")
);
"""


def header(record: Any, name: str) -> str | None:
    """A header's value as text (the last one of that name), or None."""
    found = [value for key, value in record.headers or () if key == name]
    return found[-1].decode() if found else None


def apply(db: sqlite3.Connection, record: Any) -> dict[str, Any]:
    """Store one record idempotently; return what was done, for the log line."""
    key = record.key.decode() if record.key is not None else None
    seen: dict[str, Any] = {"topic": record.topic, "offset": record.offset, "key": key}
    seen["headers"] = {name: value.decode() for name, value in record.headers or ()}
    if record.topic == "news.events" and record.value is None:  # a tombstone
        db.execute("DELETE FROM events WHERE event_key = ?", (key,))
        return {**seen, "value": None, "did": "deleted (tombstone)"}
    version = header(record, "schema-version")
    if version != KNOWN_VERSIONS[record.topic]:
        db.execute(
            "INSERT OR IGNORE INTO set_aside VALUES (?, ?, ?, ?)",
            (record.topic, record.partition, record.offset, f"schema version {version}"),
        )
        return {**seen, "did": f"set aside (schema version {version})"}
    value = json.loads(record.value)
    if record.topic == "news.enriched":
        stored = db.execute(
            "INSERT INTO articles VALUES (:id, :event_key, :lang, :title, :url, :content_hash)"
            " ON CONFLICT (id) DO UPDATE SET event_key = excluded.event_key,"
            " lang = excluded.lang, title = excluded.title, url = excluded.url,"
            " content_hash = excluded.content_hash"
            " WHERE articles.content_hash IS NOT excluded.content_hash",
            value,
        ).rowcount
        seen["value"] = {k: value[k] for k in ("id", "event_key", "lang")}
        return {**seen, "did": "stored" if stored else "duplicate id: unchanged"}
    state = "merged" if value["merged_into"] else "closed" if value["closed"] else "open"
    db.execute(
        "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_key) DO UPDATE SET"
        " state = excluded.state, member_count = excluded.member_count,"
        " languages = excluded.languages, merged_into = excluded.merged_into,"
        " last_seen = excluded.last_seen",
        (
            key,
            state,
            value["member_count"],
            ",".join(value["languages"]),
            value["merged_into"],
            value["last_seen"],
        ),
    )
    return {**seen, "value": value, "did": f"event {state}"}


def run(bootstrap: str, group: str, db_path: str, idle_seconds: float | None) -> int:
    """Consume until interrupted (or ``idle_seconds`` without a record); exit status 0."""
    db = sqlite3.connect(db_path)
    db.executescript(TABLES)
    consumer = KafkaConsumer(
        *TOPICS,
        bootstrap_servers=bootstrap,
        group_id=group,
        client_id=f"{group}-example",
        enable_auto_commit=False,  # commit after the effect is stored, not before
        auto_offset_reset="earliest",  # a new group reads the topics from their start
        isolation_level="read_committed",  # nothing of an aborted transaction (exactly_once)
    )
    out = sys.stdout
    last = time.monotonic()
    try:
        while idle_seconds is None or time.monotonic() - last < idle_seconds:
            batch = consumer.poll(timeout_ms=500)
            if not batch:
                continue
            last = time.monotonic()
            with db:  # one SQLite transaction per batch ...
                lines = [apply(db, rec) for records in batch.values() for rec in records]
            consumer.commit()  # ... then the offsets: a crash in between replays the batch
            for line in lines:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
            out.flush()
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()
    counts = dict(db.execute("SELECT state, COUNT(*) FROM events GROUP BY state").fetchall())
    (articles,) = db.execute("SELECT COUNT(*) FROM articles").fetchone()
    summary = {"articles": articles, "events": counts}
    out.write(json.dumps({"summary": summary}) + "\n")
    db.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--group", default="newsstream-example")
    parser.add_argument("--db", default="news.db")
    parser.add_argument(
        "--idle-seconds", type=float, default=None, help="stop after this long without records"
    )
    args = parser.parse_args(argv)
    return run(args.bootstrap, args.group, args.db, args.idle_seconds)


if __name__ == "__main__":
    sys.exit(main())
