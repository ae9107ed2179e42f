"""The hostile corpus through the real worker: every payload ends enriched or dead-lettered,
the worker keeps running, and its memory stays bounded."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from agents.validation import validate
from cli import tail
from cli.feed import produce
from cli.supervise import WorkerProcess
from streams.records import RawArticle
from streams.topics import DEADLETTER, ENRICHED
from tests.hostile_payloads import PAYLOADS
from tests.integration.harness import collect, feed
from tests.texts import FOOTBALL

pytestmark = pytest.mark.integration

#: The worker's resident memory after the corpus (fastText, the gazetteer and the JVM-free
#: Python stack take about 1 GB at rest).
MAX_RSS_BYTES = 2_500 * 1024 * 1024


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for pid {pid}")


def test_hostile_corpus_through_the_worker(kafka: str, worker: WorkerProcess) -> None:
    run = uuid.uuid4().hex[:8]
    keys = {p.name: f"{run}-{p.name}".encode() for p in PAYLOADS}
    # Where an accepted payload's record will be: its article id, as validation derives it.
    ids: dict[str, str] = {}
    for p in PAYLOADS:
        checked = validate(p.value, keys[p.name], 2_000_000)
        if isinstance(checked, RawArticle):
            ids[p.name] = checked.id
    produce(kafka, [(keys[p.name], p.value) for p in PAYLOADS], progress=False)

    enriched: dict[str, dict[str, object]] = {}
    letters: dict[str, dict[str, object]] = {}
    pending = {p.name for p in PAYLOADS}
    deadline = time.monotonic() + 180
    while pending and time.monotonic() < deadline:
        for topic in (DEADLETTER, ENRICHED):
            for rec in tail.records(kafka, topic, idle_timeout=2.0):
                value = rec["value"]
                if topic == DEADLETTER and rec["key"] and rec["key"].startswith(run):
                    letters[rec["key"]] = value
                elif topic == ENRICHED and isinstance(value, dict):
                    enriched[str(value.get("id"))] = value
        pending = {
            name
            for name in pending
            if keys[name].decode() not in letters and ids.get(name) not in enriched
        }
    assert not pending, f"payloads neither enriched nor dead-lettered: {sorted(pending)}"
    assert worker.alive()

    for p in PAYLOADS:
        letter = letters.get(keys[p.name].decode())
        record = enriched.get(ids.get(p.name, ""))
        assert letter is None or record is None, f"{p.name} both enriched and dead-lettered"
        if p.outcome == "dead":
            assert letter is not None, (p.name, record)
            assert p.reason in str(letter["reason"]), (p.name, letter["reason"])
        elif p.outcome == "enriched":
            assert record is not None, (p.name, letter)

    assert worker.proc is not None
    assert _rss(worker.proc.pid) < MAX_RSS_BYTES
    feed(kafka, [{"id": f"{run}-after", **FOOTBALL}])
    assert collect(kafka, ENRICHED, {f"{run}-after"})[f"{run}-after"]["lang"] == "en"
    assert worker.alive()
