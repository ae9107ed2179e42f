"""Grouping quality across a worker restart (issue #3): the state comes back from the changelog.

Real translated news (WMT newstest, ../shared/data/translated_news) go through the real worker
in two halves, with a restart in between that wipes the worker's local RocksDB, so the second
half is grouped against events recovered from the ``events`` changelog alone. The groups that
come out must be exactly those of an uninterrupted :class:`~agents.grouping.Grouper` fed the
same ``news.prepared`` records in the same order, and so score the same against the gold
groups.
"""

from __future__ import annotations

import random
import shutil
import uuid
from itertools import combinations
from pathlib import Path
from typing import Any

import orjson
import pytest

from agents.grouping import Grouper, GroupingOptions
from cli import tail
from cli.supervise import WorkerProcess
from streams.records import Prepared, from_dict
from streams.settings import load_settings
from streams.topics import ENRICHED, PREPARED
from tests.integration.harness import collect, feed

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "translated_news"
GOLD_GROUPS = 30  # about 180 documents


def _documents(run: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The documents of the first gold groups, shuffled (seeded), and id -> gold group."""
    files = sorted(DATA.glob("*.jsonl"))
    assert files, f"no data in {DATA} (tests read ../shared/data/translated_news)"
    docs: list[dict[str, Any]] = []
    groups: list[str] = []
    for line in files[0].read_bytes().splitlines():
        d = orjson.loads(line)
        group = str(d["group"])
        if group not in groups:
            if len(groups) == GOLD_GROUPS:
                continue
            groups.append(group)
        docs.append(d)
    random.Random(3).shuffle(docs)
    feedable = [
        {"id": f"{run}-{d['doc_id']}", "title": d.get("title") or "", "text": d["text"]}
        for d in docs
    ]
    gold = {f"{run}-{d['doc_id']}": str(d["group"]) for d in docs}
    return feedable, gold


def _pairs(groups: dict[str, str]) -> set[frozenset[str]]:
    by_group: dict[str, list[str]] = {}
    for ident, group in groups.items():
        by_group.setdefault(group, []).append(ident)
    return {frozenset(p) for members in by_group.values() for p in combinations(members, 2)}


def _f1(predicted: dict[str, str], gold: dict[str, str]) -> float:
    p, g = _pairs(predicted), _pairs(gold)
    hits = len(p & g)
    return 2 * hits / (len(p) + len(g)) if p or g else 1.0


@pytest.mark.timeout(400)
def test_grouping_after_a_restart_equals_an_uninterrupted_run(
    kafka: str, worker: WorkerProcess
) -> None:
    run = f"gr{uuid.uuid4().hex[:6]}"
    docs, gold = _documents(run)
    half = len(docs) // 2
    feed(kafka, docs[:half])
    collect(kafka, ENRICHED, {d["id"] for d in docs[:half]}, timeout=180.0)

    worker.stop()  # and forget everything local: the changelog must carry the state
    data_dir = Path(worker.env_overrides["NEWSSTREAM_DATA_DIR"])
    shutil.rmtree(data_dir)
    data_dir.mkdir()
    worker.start()

    feed(kafka, docs[half:])
    enriched = collect(kafka, ENRICHED, set(gold), timeout=180.0)
    streamed = {ident: record["event_key"] for ident, record in enriched.items()}
    bulk = [
        line
        for line in worker.log_path.read_text(errors="replace").splitlines()
        if "restore: " in line and "-events-changelog[0]: " in line
    ]
    assert bulk, "the lost events table was not restored in bulk (streams.restore)"

    # The uninterrupted reference: every news.prepared record so far, in order, one Grouper.
    grouper = Grouper(GroupingOptions.from_settings(load_settings({})))
    reference: dict[str, str] = {}
    for rec in tail.records(kafka, PREPARED, idle_timeout=3.0):
        article = from_dict(Prepared, rec["value"])
        key = grouper.assign_article(article).event_key
        if article.id in gold:
            reference[article.id] = key
    assert reference.keys() == gold.keys()

    def partition(keys: dict[str, str]) -> set[frozenset[str]]:
        groups: dict[str, set[str]] = {}
        for ident, key in keys.items():
            groups.setdefault(key, set()).add(ident)
        return {frozenset(g) for g in groups.values()}

    assert partition(streamed) == partition(reference)
    f1 = _f1(streamed, gold)
    assert f1 == _f1(reference, gold)
    assert f1 > 0.8, f"pairwise F1 {f1:.3f} on {len(gold)} documents"
