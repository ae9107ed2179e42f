"""Sharded grouping (``NEWSSTREAM_GROUPING_SHARDS=2``, docs/sharding.md) on the real broker.

Real translated news (wmttest2024, ../shared/data/translated_news) go through a worker that
groups with a coordinator and two shards, one article per round
(``NEWSSTREAM_GROUP_BATCH=1``). The worker is killed (SIGKILL) mid-stream and started again
with its local RocksDB wiped, so the rest is grouped against the coordinator's and the shards'
state recovered from their changelogs, and the rounds in flight are replayed.
Every article must come out on ``news.enriched``, with exactly the key one
:class:`~agents.grouping.Grouper` (the single grouping task's decision) gives it when fed the
same ``news.prepared`` records in the same order, and ``news.events`` must list each event's
members as that grouper's events.

A second test runs the worker as two forked processes with four shards, split between them.

The module runs its own broker: a sharded worker is a consumer group of its own that reads
``news.raw`` from the beginning, and must not publish into the other tests' topics. Its
reference grouper reads all of ``news.prepared``, as the coordinator does (the other test's
articles too).
"""

from __future__ import annotations

import random
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from agents.grouping import Grouper, GroupingOptions
from cli import tail
from cli.supervise import WorkerProcess
from streams.records import Prepared, from_dict
from streams.settings import load_settings
from streams.topics import ENRICHED, EVENTS, PREPARED, shard_topic
from tests.integration.harness import PARTITIONS, collect, feed, running_broker

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "translated_news"
FIRST = 60  # articles grouped before the rest is fed and the worker crashes
SHARDS = 2


@pytest.fixture(scope="module")
def own_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A broker of this module's own (see the module's docstring)."""
    with running_broker(tmp_path_factory.mktemp("kafka-sharded")) as bootstrap:
        yield bootstrap


def _documents(run: str) -> list[dict[str, Any]]:
    """wmttest2024's documents (306, 85 gold groups), shuffled (seeded)."""
    path = DATA / "wmttest2024.jsonl"
    assert path.exists(), f"no {path} (tests read ../shared/data/translated_news)"
    docs = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    random.Random(5).shuffle(docs)
    return [
        {"id": f"{run}-{d['doc_id']}", "title": d.get("title") or "", "text": d["text"]}
        for d in docs
    ]


def _watch(bootstrap: str, topic: str) -> Any:
    """A consumer of what ``topic`` gets from now on (its end offsets taken now)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=20
    )
    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
    consumer.assign(partitions)
    consumer.seek_to_end()
    for tp in partitions:
        consumer.position(tp)  # resolved now, before anything more is produced
    return consumer


def _metrics(web_url: str) -> dict[str, float]:
    """The worker's ``/metrics``: series (with labels) -> value."""
    import urllib.request

    with urllib.request.urlopen(f"{web_url}/metrics", timeout=10) as response:
        text = response.read().decode()
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            series, _, value = line.rpartition(" ")
            found[series] = float(value)
    return found


#: A log record's first line: "[time] [process id] [level] ..." (a table's rows follow it).
_RECORD = re.compile(r"^\[[^]]*\] \[(\d+)\]")


def _numbers(cell: str) -> set[int]:
    """Partitions as Faust's assignment table lists them: ``{0, 2}``, ``{0-3}``."""
    found: set[int] = set()
    for part in cell.strip(" {}").split(","):
        low, _, high = part.strip().partition("-")
        if low:
            found.update(range(int(low), int(high or low) + 1))
    return found


def _partition(keys: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for ident, key in keys.items():
        groups.setdefault(key, set()).add(ident)
    return {frozenset(g) for g in groups.values()}


@pytest.mark.timeout(400)
def test_sharded_grouping_gives_one_tasks_keys_across_a_restart(
    own_kafka: str, tmp_path: Path
) -> None:
    run = f"sh{uuid.uuid4().hex[:6]}"
    app_id = f"newsstream-sharded-{run}"
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    worker = WorkerProcess(
        {
            "NEWSSTREAM_BROKER": own_kafka,
            "NEWSSTREAM_APP_ID": app_id,
            "NEWSSTREAM_DATA_DIR": str(data_dir),
            "NEWSSTREAM_PARTITIONS": str(PARTITIONS),
            "NEWSSTREAM_GROUPING_SHARDS": str(SHARDS),
            "NEWSSTREAM_GROUP_BATCH": "1",  # one article a round: the single grouper's order
        },
        tmp_path / "logs",
    )
    docs = _documents(run)
    ids = {d["id"] for d in docs}
    first, rest = docs[:FIRST], docs[FIRST:]
    rest_ids = {d["id"] for d in rest}
    worker.start()
    try:
        feed(own_kafka, first)
        collect(own_kafka, ENRICHED, {d["id"] for d in first}, timeout=120.0)
        watch = _watch(own_kafka, ENRICHED)
        feed(own_kafka, rest)
        deadline = time.monotonic() + 120
        while not watch.poll(timeout_ms=50):  # the first of the rest out
            assert time.monotonic() < deadline, f"nothing of the rest out\n{worker.tail()}"
        watch.close()
        assert worker.proc is not None
        worker.proc.kill()  # mid-stream: a crash, then everything local is forgotten too
        worker.proc.wait()
        worker.stop()
        out = len(tail.collect(own_kafka, ENRICHED, rest_ids, "id", 2.0))
        assert 0 < out < len(rest), f"{out} of {len(rest)} out at the crash: not mid-stream"
        shutil.rmtree(data_dir)
        data_dir.mkdir()
        worker.start()
        enriched = collect(own_kafka, ENRICHED, ids, timeout=180.0)  # none lost
        scraped = _metrics(worker.web_url)
        assert scraped["newsstream_grouping_round_seconds_count"] > 0
        assert scraped['newsstream_grouping_bids_total{outcome="used"}'] > 0
    finally:
        worker.stop()
    streamed = {ident: record["event_key"] for ident, record in enriched.items()}

    # One grouper over every news.prepared record, in order (a replayed one: its known key),
    # as the coordinator (a new consumer group) read them.
    grouper = Grouper(GroupingOptions.from_settings(load_settings({})))
    reference: dict[str, str] = {}
    for rec in tail.records(own_kafka, PREPARED, idle_timeout=3.0):
        article = from_dict(Prepared, rec["value"])
        reference[article.id] = grouper.assign_article(article).event_key
    assert ids <= reference.keys()  # (and any other test's articles before them)
    assert streamed == {ident: reference[ident] for ident in ids}
    assert len(_partition(streamed)) < len(docs)  # translations were grouped
    assert len(_partition(streamed)) > 40  # and different stories were not (85 in gold)

    # news.events: each open event's latest record lists the single grouper's members
    events = {
        key: state for key in grouper.events if ids & set((state := grouper.state(key)).member_ids)
    }
    published = collect(own_kafka, EVENTS, set(events), by="key", timeout=60.0)
    for key, state in events.items():
        assert sorted(m["id"] for m in published[key]["members"]) == sorted(state.member_ids)

    # both shards took part: probes and applies on both partitions of the shard topic
    kinds: dict[int, set[str]] = {}
    for rec in tail.records(own_kafka, shard_topic(app_id), idle_timeout=3.0):
        kinds.setdefault(rec["partition"], set()).add(rec["value"]["kind"])
    assert set(kinds) == set(range(SHARDS))
    assert all({"probe", "apply", "counts"} <= found for found in kinds.values()), kinds


@pytest.mark.timeout(300)
def test_shards_in_two_processes_give_one_tasks_keys(own_kafka: str, tmp_path: Path) -> None:
    """``newsstream worker --processes 2`` with 4 shards: one process holds the coordinator
    and some shards, the other the rest; the bids cross between them through Kafka."""
    run = f"sp{uuid.uuid4().hex[:6]}"
    app_id = f"newsstream-sharded-{run}"
    worker = WorkerProcess(
        {
            "NEWSSTREAM_BROKER": own_kafka,
            "NEWSSTREAM_APP_ID": app_id,
            "NEWSSTREAM_DATA_DIR": str(tmp_path / "data"),
            "NEWSSTREAM_PARTITIONS": str(PARTITIONS),
            "NEWSSTREAM_GROUPING_SHARDS": "4",
            "NEWSSTREAM_GROUP_BATCH": "1",
        },
        tmp_path / "logs",
        args=("-m", "streams", "worker", "--processes", "2"),
        ready_lines=2,
    )
    docs = _documents(run)
    ids = {d["id"] for d in docs}
    worker.start()
    try:
        feed(own_kafka, docs)
        enriched = collect(own_kafka, ENRICHED, ids, timeout=180.0)
        # a process that held all four shards before the other joined logs its share after
        # the rebalance, which may come after the last article (CI once read its table of
        # four beside the other's two): wait for both tables before stopping the worker
        deadline = time.monotonic() + 30.0
        while time.monotonic() < deadline and not _split(_held(worker.log_path, app_id)):
            time.sleep(0.5)
    finally:
        worker.stop()
    # its coordinator read all of news.prepared from the start (a new consumer group): the
    # test before's articles too, and this worker's copies of them
    grouper = Grouper(GroupingOptions.from_settings(load_settings({})))
    reference: dict[str, str] = {}
    for rec in tail.records(own_kafka, PREPARED, idle_timeout=3.0):
        article = from_dict(Prepared, rec["value"])
        reference[article.id] = grouper.assign_article(article).event_key
    assert {ident: record["event_key"] for ident, record in enriched.items()} == {
        ident: reference[ident] for ident in ids
    }
    # each process held some of the shard partitions: the assignment table each process logged
    # last (after the last rebalance; by the process id of the record the table belongs to, as
    # one process may log a table again while the other's stays) split them
    held = _held(worker.log_path, app_id)
    assert len(held) == 2, held
    first, second = held.values()
    assert first and second and not first & second and first | second == {0, 1, 2, 3}, held


def _held(log_path: Path, app_id: str) -> dict[str, set[int]]:
    """Each process's shard partitions, by the assignment table it logged last (by the
    process id of the record the table belongs to, as one process may log a table again
    while the other's stays)."""
    held: dict[str, set[int]] = {}
    pid = ""
    for line in log_path.read_text(errors="replace").splitlines():
        record = _RECORD.match(line)
        if record:
            pid = record.group(1)
        elif shard_topic(app_id) in line and line.count("|") >= 3:
            held[pid] = _numbers(line.split("|")[2])
    return held


def _split(held: dict[str, set[int]]) -> bool:
    """Whether two processes' tables split the four shard partitions between them."""
    if len(held) != 2:
        return False
    first, second = held.values()
    return bool(first and second and not first & second and first | second == {0, 1, 2, 3})
