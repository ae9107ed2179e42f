"""Sharded grouping's Faust wiring without a broker: the coordinator's rounds (``_round``) with
the shard topic and the bids topic as loopbacks into the shard and bids handlers, dict tables,
and recorders for the output topics; compared with the grouping agent's batches."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import orjson
import pytest

from agents import grouping_agent, grouping_shard_agent
from agents.grouping import ClosedEvents, GroupingOptions
from agents.grouping_shard import Coordinator, Routing, ShardState
from agents.grouping_shard_agent import Sharding, _bid, _round, _shard_message
from agents.pipeline import Pipeline
from agents.prepare import PrepareOptions
from agents.publish import PublishOptions
from streams import metrics, topics
from streams.app import create_app
from streams.records import Prepared
from streams.settings import Settings
from tests.unit.agents import fakes
from tools.bench_grouping import Feed
from tools.eval_grouping import score
from tools.sim_sharding import Design

OPTIONS = GroupingOptions.from_settings(Settings())


class Event:
    """What the handlers read of a Faust event."""

    def __init__(self, topic: str, partition: int, value: bytes, key: bytes | None = None):
        self.message = SimpleNamespace(
            topic=topic, partition=partition, offset=0, key=key, value=value, headers=[]
        )


class Loopback:
    """The shard topic (``shard=True``: each message handled by its partition's shard at once)
    or the bids topic (each bid handed to the waiting round at once)."""

    def __init__(self, run: Worker, shard: bool) -> None:
        self.run, self.shard = run, shard
        self.sent: list[tuple[int, dict[str, Any]]] = []

    async def send(self, key: bytes | None, value: bytes, partition: int = 0) -> None:
        self.sent.append((partition, orjson.loads(value) if value.startswith(b'{"') else value))
        run = self.run
        if self.shard:
            event = Event("shard", partition, value, key)
            await _shard_message(
                cast(Any, event),
                run.sharding,
                run.pipeline,
                run.members,
                run.shard_counts,
                run.channels,
            )
        else:
            await _bid(cast(Any, Event("bids", 0, value, key)), run.sharding, run.channels)


class Worker:
    """The sharded wiring's state in one process, over dict tables."""

    def __init__(self, tmp_path: Path, shards: int) -> None:
        _, self.channels, self.rec = fakes.setup(tmp_path)
        self.pipeline = Pipeline.create(
            PrepareOptions(max_message_bytes=100_000, lang_min_confidence=0.5), OPTIONS
        )
        self.events: dict[str, Any] = {}
        self.counts: dict[str, Any] = {}
        self.members: dict[str, Any] = {}
        self.shard_counts: dict[str, Any] = {}
        self.shard_topic = Loopback(self, shard=True)
        self.bids_topic = Loopback(self, shard=False)
        self.sharding = Sharding(
            Coordinator(OPTIONS, Routing(shards), store=self.events, session="u"),
            self.shard_topic,
            self.bids_topic,
            shards,
        )

    def round(self, values: Sequence[bytes]) -> None:
        events = [Event(topics.PREPARED, 0, v) for v in values]
        asyncio.run(
            _round(
                cast(Any, events),
                self.sharding,
                self.events,
                self.counts,
                self.channels,
                PublishOptions(),
                bid_timeout=1.0,
            )
        )


def stamped(rec: dict[str, fakes.Recorder]) -> list[tuple[bytes | None, Any]]:
    """``news.events`` records, a ``merged_into`` record's times (the clock's) left out."""
    return [
        (key, {**value, "first_seen": None, "last_seen": None} if value["merged_into"] else value)
        for key, value in rec["events"].sent
    ]


def values(articles: Sequence[Prepared]) -> list[bytes]:
    return [orjson.dumps(a) for a in articles]


def one_task(tmp_path: Path, batches: Sequence[Sequence[bytes]]) -> dict[str, fakes.Recorder]:
    """The grouping agent's batches on the same records (the reference)."""
    _, channels, rec = fakes.setup(tmp_path / "one")
    pipeline = Pipeline.create(
        PrepareOptions(max_message_bytes=100_000, lang_min_confidence=0.5), OPTIONS
    )
    grouper = pipeline.new_grouper()
    table: dict[str, Any] = {}
    for batch in batches:
        events = [Event(topics.PREPARED, 0, v) for v in batch]
        asyncio.run(
            grouping_agent._group_batch(cast(Any, events), pipeline, grouper, table, channels)
        )
    return rec


@pytest.fixture(scope="module")
def feed() -> list[Prepared]:
    return list(Feed(300, OPTIONS.window_seconds * 0.95))


def test_one_article_a_round_publishes_what_the_grouping_agent_publishes(
    tmp_path: Path, feed: list[Prepared]
) -> None:
    run = Worker(tmp_path, shards=3)
    batches = [[v] for v in values(feed)]
    for batch in batches:
        run.round(batch)
    reference = one_task(tmp_path, batches)

    def keys(rec: dict[str, fakes.Recorder]) -> list[tuple[Any, str]]:
        return [(key, value["event_key"]) for key, value in rec["enriched"].sent]

    assert keys(run.rec) == keys(reference)
    assert stamped(run.rec) == stamped(reference)  # every news.events record
    assert not run.rec["deadletter"].sent
    # the coordinator's table holds the events without vectors, its counts table the counts
    coordinator = run.sharding.coordinator
    assert set(run.events) == set(coordinator.last_seen)
    assert not any("vec" in m for state in run.events.values() for m in state["members"])
    assert run.counts == coordinator.df.counts
    # each shard's tables: its parts (with vectors) and its copy of the counts
    for shard, state in run.sharding.states.items():
        prefix = f"{shard}/"
        parts = {k[len(prefix) :]: v for k, v in run.members.items() if k.startswith(prefix)}
        assert set(parts) == set(state.grouper.events)
        assert any("vec" in m for part in parts.values() for m in part["members"])
        counts = {k[len(prefix) :]: v for k, v in run.shard_counts.items() if k.startswith(prefix)}
        assert counts == state.counts == coordinator.df.counts
    assert {p for p, _ in run.shard_topic.sent} == {0, 1, 2}


def test_rounds_of_sixteen_decide_as_the_simulation_and_near_the_grouping_agent(
    tmp_path: Path, feed: list[Prepared]
) -> None:
    """In rounds, the shards bid on the state as the round began: the wiring issues exactly
    the keys of the same code run in one process (tools.sim_sharding), and its events are
    the grouping agent's but for a few articles (0.9% of the feed's measured at R = 64)."""
    run = Worker(tmp_path, shards=2)
    records = values(feed)
    batches = [records[i : i + 16] for i in range(0, len(records), 16)]
    for batch in batches:
        run.round(batch)
    issued = {value["id"]: value["event_key"] for _, value in run.rec["enriched"].sent}
    assert issued == Design(round_size=16).build(OPTIONS, 2).feed(feed)

    reference = one_task(tmp_path, batches)
    merged = {v["event_key"]: v["merged_into"] for _, v in reference["events"].sent if v}
    into = {k: v for k, v in merged.items() if v}

    def resolve(key: str) -> str:
        while key in into:
            key = into[key]
        return key

    one = {value["id"]: resolve(value["event_key"]) for _, value in reference["enriched"].sent}
    lang = {a.id: a.lang for a in feed}
    resolved = {ident: run.sharding.coordinator.resolve(key) for ident, key in issued.items()}
    assert score(one, resolved, lang)["pairwise"]["f1"] >= 0.99


def test_a_shard_rebuilt_from_its_table_bids_as_before(
    tmp_path: Path, feed: list[Prepared]
) -> None:
    run = Worker(tmp_path, shards=2)
    for batch in (values(feed[:100])[i : i + 10] for i in range(0, 100, 10)):
        run.round(batch)
    probes = [m for _, m in run.shard_topic.sent if m["kind"] == "probe"][-40:]
    for shard, live in run.sharding.states.items():
        prefix = f"{shard}/"
        rebuilt = ShardState(OPTIONS, cast(Any, grouping_shard_agent._Prefixed(run.members, shard)))
        rebuilt.load(
            [v for k, v in run.members.items() if k.startswith(prefix)],
            [(k[len(prefix) :], v) for k, v in run.shard_counts.items() if k.startswith(prefix)],
        )
        assert rebuilt.counts == live.counts
        for probe in probes:
            assert rebuilt.handle({**probe, "shard": shard}) == live.handle(
                {**probe, "shard": shard}
            )


def test_bad_records_are_dead_letters_and_the_agents_go_on(
    tmp_path: Path, feed: list[Prepared]
) -> None:
    run = Worker(tmp_path, shards=2)
    good = values(feed[:4])
    run.round([good[0], b"{not json", good[1], orjson.dumps({"id": "no-text"})])
    letters = [v for _, v in run.rec["deadletter"].sent]
    assert [letter["stage"] for letter in letters] == ["grouping", "grouping"]
    assert all("malformed news.prepared record" in letter["reason"] for letter in letters)
    assert [v["id"] for _, v in run.rec["enriched"].sent] == [feed[0].id, feed[1].id]

    async def bad_messages() -> None:
        await run.shard_topic.send(b"x", b"[1, 2]", partition=1)
        await run.shard_topic.send(b"x", orjson.dumps({"kind": "gossip"}), partition=0)
        await run.bids_topic.send(b"x", b"{oops")
        await run.bids_topic.send(b"x", orjson.dumps({"round": "u-0", "seq": 0}))  # stale

    stale = metrics.GROUPING_BIDS.labels("stale")._value.get()
    asyncio.run(bad_messages())
    assert metrics.GROUPING_BIDS.labels("stale")._value.get() == stale + 1
    reasons = [v["reason"] for _, v in run.rec["deadletter"].sent[2:]]
    assert len(reasons) == 3
    assert "malformed shard message: not an object" in reasons[0]
    assert "unknown kind 'gossip'" in reasons[1]
    assert "malformed bid" in reasons[2]
    assert run.sharding.stale_bids == 1
    run.round(good[2:])  # and the next round goes as usual
    assert [v["id"] for _, v in run.rec["enriched"].sent][-2:] == [feed[2].id, feed[3].id]


def test_the_coordinator_closes_events_and_every_shard_drops_its_part(
    tmp_path: Path, feed: list[Prepared]
) -> None:
    run = Worker(tmp_path, shards=2)
    records = values(feed[:50])
    for i in range(0, 50, 10):
        run.round(records[i : i + 10])
    coordinator = run.sharding.coordinator
    opened = set(coordinator.last_seen)
    later = replace(feed[50], event_time=feed[50].event_time + 2 * OPTIONS.window_seconds)
    run.round(values([later]))
    closed_table: dict[str, Any] = {}
    closed = ClosedEvents(delay=0.0)
    sent = len(run.rec["events"].sent)
    asyncio.run(
        grouping_shard_agent._close_events(
            run.sharding, closed, run.events, run.counts, closed_table, run.channels,
            PublishOptions(tombstone_seconds=0.0),
        )
    )  # fmt: skip
    out = run.rec["events"].sent[sent:]
    closing = {key.decode() for key, value in out if value is not None and value["closed"]}
    assert closing == opened  # each closed with its last record ...
    tombstones = {key.decode() for key, value in out if value is None}
    assert opened <= tombstones  # ... and its tombstone (no delay here)
    assert set(coordinator.last_seen) == {coordinator.member_of[later.id]}
    assert set(run.events) == set(coordinator.last_seen)
    notices = [m for _, m in run.shard_topic.sent if m["kind"] == "close"]
    assert len(notices) == 2 * len(opened)  # to every shard
    for shard, state in run.sharding.states.items():
        assert not set(state.grouper.events) & opened
        assert not any(
            k.split("/", 1)[1] in opened for k in run.members if k.startswith(f"{shard}/")
        )
        assert state.counts == coordinator.df.counts
    assert run.counts == coordinator.df.counts


def test_the_wiring_refuses_one_shard_and_exactly_once(tmp_path: Path) -> None:
    pipeline = Pipeline.create(PrepareOptions(max_message_bytes=100_000, lang_min_confidence=0.5))
    app, channels, _ = fakes.setup(tmp_path)
    with pytest.raises(ValueError, match="2 shards or more"):
        grouping_shard_agent.wire(app, channels, pipeline, 1)
    app = create_app(Settings(data_dir=tmp_path / "eos", processing_guarantee="exactly_once"))
    with pytest.raises(ValueError, match="at-least-once only"):
        grouping_shard_agent.wire(app, channels, pipeline, 2)
