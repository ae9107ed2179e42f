"""``newsstream bench --stage recovery --open N``: a worker restored from the changelog alone.

Issue #18 asks that a worker holding 1 M open articles restarts in a bounded, measured time
after losing its disk. This bench measures exactly that path, on a real broker:

1. The grouping bench's news-like feed (:class:`tools.bench_grouping.Feed`, N articles in one
   event window) goes through a :class:`~agents.grouping.Grouper` whose store is a RocksDB
   ``events`` table, as in the grouping bench.
2. Each open event's state is produced to ``<app_id>-events-changelog`` as the worker's table
   writes it (key: the event key, value: the state's JSON), on a local broker.
3. A real ``newsstream worker`` starts with an empty data directory: Faust replays the
   changelog into a new RocksDB, then the grouping agent rebuilds its index from the table's
   values (:meth:`~agents.grouping.Grouper.load`) and logs ``… restored from the table in S
   s``. The bench times the start, "ready", the end of Faust's replay and that line from the
   worker's log, and reads the worker's RSS once restored.
"""

from __future__ import annotations

import re
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

import orjson

from agents.grouping import Grouper, GroupingOptions
from cli.supervise import READY_LINE, WorkerProcess, local_broker
from deploy.topics import ensure_topics
from streams.settings import Settings
from streams.topics import EVENTS_TABLE, worker_specs
from tools.bench import process_rss_mb
from tools.bench_grouping import Feed, TableStore
from tools.procfs import field_mb

#: The grouping agent's line once its index is rebuilt (agents.grouping_agent.reload).
RESTORED: re.Pattern[str] = re.compile(
    r"grouping: (\d+) open events \((\d+) articles\) restored from the table in ([\d.]+) s"
)
#: The steps of a start, by the first worker log line that marks each (Faust's, then ours).
STEPS: dict[str, str] = {
    "assigned_s": "Setting newly assigned partitions",
    "replay_began_s": "Highwater for active changelog partitions",
    "replayed_s": "Done reading from changelog topics",
    "restored_s": "restored from the table in",
    "ready_s": READY_LINE,
}
#: The bulk restore's line (streams.restore).
BULK: re.Pattern[str] = re.compile(r"restore: .*: (\d+) changelog records .* written in ([\d.]+) s")
#: The time stamp that begins a worker log line.
STAMP: re.Pattern[str] = re.compile(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})\]")


def fill_table(settings: Settings, open_articles: int, store: TableStore) -> int:
    """Group ``open_articles`` feed articles into ``store``; return the open events."""
    options = GroupingOptions.from_settings(settings)
    grouper = Grouper(options, store)
    for article in Feed(open_articles, options.window_seconds * 0.95):
        result = grouper.assign_article(article)
        for gone in result.merged:
            del store[gone]
        store[result.state.event_key] = result.state
        grouper.saved()
    return len(grouper.events)


def produce_changelog(bootstrap: str, topic: str, store: TableStore) -> tuple[int, int]:
    """Every (key, value) of ``store`` onto ``topic`` as the worker's table writes it (Faust's
    ``json`` codec for a table without types: the key a JSON string, the value the state's
    JSON); returns (records, bytes)."""
    from kafka import KafkaProducer

    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        linger_ms=20,
        batch_size=1 << 20,
        max_request_size=8 << 20,
        acks=1,
    )
    records = size = 0
    try:
        for key, value in store.db.items():
            key = orjson.dumps(key.decode())
            producer.send(topic, key=key, value=value, partition=0)
            records += 1
            size += len(key) + len(value)
        producer.flush(timeout=600)
    finally:
        producer.close()
    return records, size


def _stamp(log: str, marker: str) -> float | None:
    """The wall-clock time of the first log line holding ``marker``."""
    for line in log.splitlines():
        if marker in line:
            found = STAMP.match(line)
            if found:
                when = datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S,%f")
                return when.timestamp()  # the worker logs local time
    return None


def _wait_for(worker: WorkerProcess, started: float, timeout: float) -> dict[str, float]:
    """Wait for the grouping agent's restore line; then the seconds, by the worker's log, from
    its start (``started``, wall clock) to each step, and the line's own figures."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not worker.alive():
            raise RuntimeError(f"worker exited:\n{worker.tail()}")
        log = worker.log_path.read_text(errors="replace")
        found = RESTORED.search(log)
        if found:
            seen = {
                "events": float(found.group(1)),
                "articles": float(found.group(2)),
                "index_s": float(found.group(3)),
            }
            for line in log.splitlines():
                if "restore: " in line:
                    print("worker:", line.split("] ", 3)[-1].strip(), flush=True)
                bulk = BULK.search(line)
                if bulk and f"-{EVENTS_TABLE}-changelog" in line:
                    seen["bulk_records"], seen["bulk_s"] = float(bulk[1]), float(bulk[2])
            for name, marker in STEPS.items():
                when = _stamp(log, marker)
                if when is not None:
                    seen[name] = when - started
            return seen
        time.sleep(0.05)
    raise TimeoutError(f"not restored after {timeout:.0f} s:\n{worker.tail()}")


def run(settings: Settings, open_articles: int, timeout: float = 900.0) -> int:
    """Fill, produce, restart from nothing; print each step's time."""
    with tempfile.TemporaryDirectory(prefix="newsstream-recovery-") as tmp:
        work = Path(tmp)
        store = TableStore(work / "events")
        began = time.monotonic()
        events = fill_table(settings, open_articles, store)
        print(
            f"{open_articles} feed articles grouped into {events} open events in "
            f"{time.monotonic() - began:.1f} s ({store.disk_bytes() / 1e6:.0f} MB on disk)",
            flush=True,
        )
        with local_broker(work, settings.kafka_version) as bootstrap:
            app_id = f"newsstream-recovery-{uuid.uuid4().hex[:6]}"
            ensure_topics(bootstrap, worker_specs(app_id, settings.partitions))
            changelog = f"{app_id}-{EVENTS_TABLE}-changelog"
            began = time.monotonic()
            records, size = produce_changelog(bootstrap, changelog, store)
            store.close()
            print(
                f"produced {records} records ({size / 1e6:.0f} MB) to {changelog} in "
                f"{time.monotonic() - began:.1f} s",
                flush=True,
            )
            worker = WorkerProcess(
                {
                    "NEWSSTREAM_BROKER": bootstrap,
                    "NEWSSTREAM_APP_ID": app_id,
                    "NEWSSTREAM_PARTITIONS": str(settings.partitions),
                    "NEWSSTREAM_DATA_DIR": str(work / "worker-data"),
                },
                work / "logs",
            )
            started = time.time()
            worker.start(timeout=timeout)
            try:
                seen = _wait_for(worker, started, timeout)
                pid = worker.proc.pid if worker.proc else None
                rss = process_rss_mb(pid)
                anon, files = (field_mb(pid, "status", f) for f in ("RssAnon", "RssFile"))
            finally:
                worker.stop()
        if int(seen["articles"]) != open_articles:
            print(f"restored {seen['articles']:.0f} articles, expected {open_articles}")
            return 1
        nan = float("nan")
        replay = seen.get("replayed_s", nan) - seen.get("replay_began_s", nan)
        print(
            f"worker started with an empty data dir; seconds after its start: partitions "
            f"assigned {seen.get('assigned_s', nan):.1f}, Faust's replay began "
            f"{seen.get('replay_began_s', nan):.1f} (ended {seen.get('replayed_s', nan):.1f}), "
            f"index rebuilt {seen.get('restored_s', nan):.1f}, ready {seen.get('ready_s', nan):.1f}"
            f"\nrecovery of {seen['articles']:.0f} open articles ({seen['events']:.0f} events, "
            f"{records} changelog records) from the changelog alone: "
            f"{seen['restored_s'] - seen['assigned_s']:.1f} s from the partitions' assignment "
            f"to the rebuilt index (bulk restore {seen.get('bulk_s', 0.0):.1f} s of "
            f"{seen.get('bulk_records', 0):.0f} records, Faust's replay "
            f"{0.0 if replay != replay else replay:.1f} s, index rebuild {seen['index_s']:.1f} s); "
            f"worker RSS then {rss:.0f} MiB ({anon:.0f} anonymous, {files:.0f} file-backed)",
            flush=True,
        )
    return 0
