"""``newsstream worker --processes 2`` on the real broker: two Faust workers forked from one
process that loaded the models, sharing them, each with its own web port and data dir.

The module runs its own broker: on the session's, the session's worker (another consumer
group, another grouping state) enriches the same ``news.raw`` records too, and the latest
record of each of a pair could come from either app, each with its own event key (CI,
2026-12-06: the seed pair under two keys, 'ev-db4dc41118cab381' and 'ev-d2e9799ac5047339').
"""

from __future__ import annotations

import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from streams.topics import ENRICHED
from tests.integration.harness import PARTITIONS, collect, feed, passed_through, running_broker
from tests.texts import read_seed
from tools import procfs
from tools.bench import BenchProcess, process_pss_mb, process_rss_mb

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def own_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A broker of this module's own (see the module's docstring)."""
    with running_broker(tmp_path_factory.mktemp("kafka-forked")) as bootstrap:
        yield bootstrap


@pytest.fixture(scope="module")
def forked(own_kafka: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BenchProcess]:
    data_dir = tmp_path_factory.mktemp("forked-data")
    group = BenchProcess(
        {
            "NEWSSTREAM_BROKER": own_kafka,
            "NEWSSTREAM_APP_ID": f"newsstream-forked-{uuid.uuid4().hex[:8]}",
            "NEWSSTREAM_DATA_DIR": str(data_dir),
            "NEWSSTREAM_PARTITIONS": str(PARTITIONS),
            **passed_through(),
        },
        tmp_path_factory.mktemp("forked-logs"),
        args=("-m", "streams", "worker", "--processes", "2"),
        ready_lines=2,
    )
    group.start(timeout=300)
    try:
        yield group
    finally:
        group.stop()


def test_two_workers_enrich_the_feed(own_kafka: str, forked: BenchProcess) -> None:
    run = uuid.uuid4().hex[:8]
    en, de = read_seed("en"), read_seed("de")
    docs = [
        {"id": f"{run}-en", "url": f"https://news.example.com/{run}/a", **en},
        {"id": f"{run}-de", "url": f"https://zeitung.example.de/{run}/a", **de},
    ]
    feed(own_kafka, docs)
    out = collect(own_kafka, ENRICHED, {f"{run}-en", f"{run}-de"})
    assert (out[f"{run}-en"]["lang"], out[f"{run}-de"]["lang"]) == ("en", "de")
    assert out[f"{run}-en"]["event_key"] == out[f"{run}-de"]["event_key"]


def test_each_worker_has_its_web_port_and_data_dir(forked: BenchProcess) -> None:
    workers = forked.worker_pids()
    assert len(workers) == 2 and forked.proc is not None and forked.proc.pid not in workers
    port = int(forked.env_overrides["NEWSSTREAM_WEB_PORT"])
    for number in (1, 2):
        url = f"http://127.0.0.1:{port + number - 1}/health"
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert answer.status == 200
        data_dir = Path(forked.env_overrides["NEWSSTREAM_DATA_DIR"]) / f"process-{number}"
        assert data_dir.is_dir()


def test_the_workers_share_the_models(forked: BenchProcess) -> None:
    # The parent loads the models before it forks, into its heap: fastText's, the embedding's,
    # the gazetteer, and on Python 3.11 Lingua's (~1 GB; Lingua 2.2.0 on 3.12+ reads them from
    # its library file). Each worker maps that heap shared with the parent, not copied: pages
    # the parent wrote and both map ("Shared_Dirty"). Measured on 3.13 at this point: the
    # parent's heap 187 MiB, each worker sharing 160 MiB of it, PSS 0.44 of RSS.
    assert forked.proc is not None
    loaded = procfs.field_mb(forked.proc.pid, "status", "RssAnon")
    assert loaded > 150
    for pid in forked.worker_pids():
        assert procfs.field_mb(pid, "smaps_rollup", "Shared_Dirty") > 0.75 * loaded
        assert process_pss_mb(pid) < 0.6 * process_rss_mb(pid)


def test_sigterm_stops_every_worker(forked: BenchProcess) -> None:
    workers = forked.worker_pids()
    forked.stop()
    assert forked.proc is not None and forked.proc.returncode == 0
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "Z" in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"
