"""The grouping agent's Faust wiring without a broker, driven through ``agent.test_context()``
and its batch function; output topics are recorders (:mod:`tests.unit.agents.fakes`)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, cast

import orjson
import pytest

from agents import grouping, grouping_agent, prepare
from agents.pipeline import Pipeline
from agents.publish import PublishOptions
from streams import schemas, topics
from streams.records import Rejected
from tests.texts import read_seed
from tests.unit.agents import fakes

DAY = 86_400.0
NAMES = ["n:putin", "n:xi", "n:yinping", "p:g1816670", "#:2022", "n:ukraine", "n:nato"]
SPORT = ["n:rovers", "n:athletic", "n:amankvah", "#:2-1", "#:1987", "p:g2643743"]
BANK = ["n:lagarde", "n:ecb", "#:1.75", "p:g2925533", "n:frankfurt", "#:2026"]


def prepared(ident: str, evidence: list[str], event_time: float = 1.6e9) -> dict[str, Any]:
    """A news.prepared value with the given evidence (no embedding)."""
    return {
        **{f: None for f in ("url", "source", "title", "published_at")},
        "id": ident,
        "text": f"Text {ident}",
        "lang": "en",
        "lang_confidence": 0.99,
        "languages": [],
        "title_disagrees": False,
        "word_count": 2,
        "content_hash": ident,
        "boilerplate_removed": [],
        "evidence": evidence,
        "event_time": event_time,
    }


def _stages() -> Pipeline:
    return Pipeline.create(
        prepare.PrepareOptions(max_message_bytes=100_000, lang_min_confidence=0.5),
        grouping.GroupingOptions(window_seconds=3 * DAY, min_shared=3.0, min_overlap=0.25),
    )


def test_grouping_agent_publishes_one_event_for_a_translation_pair(tmp_path: Path) -> None:
    app, channels, rec = fakes.setup(tmp_path)
    options = grouping.GroupingOptions(window_seconds=3 * 86400, min_shared=3.0, min_overlap=0.25)
    prepare_options = prepare.PrepareOptions(max_message_bytes=100_000, lang_min_confidence=0.5)
    stages = Pipeline.create(prepare_options, options)
    agent = grouping_agent.wire(app, channels, stages)
    prepared = []
    for lang in ("en", "de"):
        value = orjson.dumps({"id": f"seed-{lang}", **read_seed(lang)})
        [article] = stages.prepare([(value, None)], 1.6e9)
        assert not isinstance(article, Rejected)
        prepared.append(orjson.loads(orjson.dumps(article)))

    async def drive() -> None:
        async with agent.test_context() as ctx:
            for value in prepared:
                await ctx.put(orjson.dumps(value), key=value["id"].encode())

    asyncio.run(drive())
    keys = {value["id"]: value["event_key"] for _, value in rec["enriched"].sent}
    assert keys["seed-en"] == keys["seed-de"]
    last_key, last_group = rec["events"].sent[-1]
    assert last_key == keys["seed-en"].encode()
    assert [m["id"] for m in last_group["members"]] == ["seed-en", "seed-de"]
    assert last_group["languages"] == ["de", "en"]


def test_a_grouping_batch_writes_and_publishes_each_event_it_touched_once(tmp_path: Path) -> None:
    _, channels, rec = fakes.setup(tmp_path)
    options = grouping.GroupingOptions(window_seconds=3 * 86400, min_shared=3.0, min_overlap=0.25)
    prepare_options = prepare.PrepareOptions(max_message_bytes=100_000, lang_min_confidence=0.5)
    stages = Pipeline.create(prepare_options, options)
    grouper = stages.new_grouper()
    docs = [{"id": f"seed-{lang}", **read_seed(lang)} for lang in ("en", "de")]
    docs.insert(1, {"id": "bus", **fakes.BUS_DE})
    values = []
    for doc in docs:
        [article] = stages.prepare([(orjson.dumps(doc), None)], 1.6e9)
        assert not isinstance(article, Rejected)
        values.append(orjson.loads(orjson.dumps(article)))
    table: dict[str, Any] = {}

    events = [fakes.FakeEvent(value, offset) for offset, value in enumerate(values)]
    asyncio.run(grouping_agent._group_batch(cast(Any, events), stages, grouper, table, channels))

    keys = {value["id"]: value["event_key"] for _, value in rec["enriched"].sent}
    assert [value["id"] for _, value in rec["enriched"].sent] == ["seed-en", "bus", "seed-de"]
    assert keys["seed-en"] == keys["seed-de"] != keys["bus"]
    # one record per event, in the order of each event's last article, in its final state
    published = [key for key, _ in rec["events"].sent]
    assert published == [keys["bus"].encode(), keys["seed-en"].encode()]
    members = {key: [m["id"] for m in group["members"]] for key, group in rec["events"].sent}
    assert members[keys["seed-en"].encode()] == ["seed-en", "seed-de"]
    assert sorted(table) == sorted({keys["bus"], keys["seed-en"]})
    assert [m["id"] for m in table[keys["seed-en"]]["members"]] == ["seed-en", "seed-de"]


def test_grouping_agent_dead_letters_malformed_records_and_goes_on(tmp_path: Path) -> None:
    """Records on news.prepared that are not JSON, lack a field or carry a field of the wrong
    type become dead letters of stage "grouping", with where they were read; the articles
    after them are grouped as usual."""
    app, channels, rec = fakes.setup(tmp_path)
    options = grouping.GroupingOptions(window_seconds=3 * 86400, min_shared=3.0, min_overlap=0.25)
    prepare_options = prepare.PrepareOptions(max_message_bytes=100_000, lang_min_confidence=0.5)
    stages = Pipeline.create(prepare_options, options)
    agent = grouping_agent.wire(app, channels, stages)
    good = {}
    for lang in ("en", "de"):
        value = orjson.dumps({"id": f"seed-{lang}", **read_seed(lang)})
        [article] = stages.prepare([(value, None)], 1.6e9)
        assert not isinstance(article, Rejected)
        good[lang] = orjson.dumps(article)
    wrong_type = {**orjson.loads(good["en"]), "id": "typed", "evidence": 7}
    missing = {k: v for k, v in orjson.loads(good["de"]).items() if k != "text"}
    newer = {**orjson.loads(good["de"]), "a_field_of_a_later_version": [1, 2]}
    poison = [
        (b"not-json", b"{not json"),
        (b"typed", orjson.dumps(wrong_type)),
        (b"missing", orjson.dumps(missing)),
        (b"list", b"[1, 2]"),
    ]

    async def drive() -> None:
        async with agent.test_context() as ctx:
            await ctx.put(good["en"], key=b"seed-en")
            for key, value in poison:
                await ctx.put(value, key=key)
            await ctx.put(orjson.dumps(newer), key=b"seed-de")

    asyncio.run(drive())
    reasons = {key: letter["reason"] for key, letter in rec["deadletter"].sent}
    assert set(reasons) == {b"not-json", b"typed", b"missing", b"list"}
    assert reasons[b"not-json"].startswith("malformed news.prepared record: not JSON")
    assert reasons[b"typed"].endswith("field 'evidence' must be a list of strings, got integer")
    assert reasons[b"missing"].endswith("field 'text' is missing")
    assert reasons[b"list"].endswith("not a JSON object: list")
    assert all(letter["stage"] == "grouping" for _, letter in rec["deadletter"].sent)
    assert {letter["payload"] for _, letter in rec["deadletter"].sent} >= {"{not json", "[1, 2]"}
    assert all(h["__connect.errors.stage"] == b"grouping" for h in rec["deadletter"].headers)
    keys = {value["id"]: value["event_key"] for _, value in rec["enriched"].sent}
    assert set(keys) == {"seed-en", "seed-de"} and keys["seed-en"] == keys["seed-de"]


def test_a_merge_is_published_and_the_merged_event_leaves_the_table(tmp_path: Path) -> None:
    """The grouping batch publishes ``merged_into`` for an event merged into another, writes
    the surviving event with every member, and deletes the merged one from the table."""
    _, channels, rec = fakes.setup(tmp_path)
    stages = Pipeline.create(
        prepare.PrepareOptions(max_message_bytes=100_000, lang_min_confidence=0.5),
        grouping.GroupingOptions(window_seconds=3 * 86400, min_shared=3.0, min_overlap=0.25),
    )
    grouper = stages.new_grouper()
    values = [prepared("a", NAMES), prepared("b", SPORT), prepared("c", [*NAMES, *SPORT])]
    table: dict[str, Any] = {}
    events = [fakes.FakeEvent(value, offset) for offset, value in enumerate(values)]
    asyncio.run(grouping_agent._group_batch(cast(Any, events), stages, grouper, table, channels))
    keys = {value["id"]: value["event_key"] for _, value in rec["enriched"].sent}
    survivor = keys["c"]
    assert keys["a"] != keys["b"] and survivor in (keys["a"], keys["b"])
    [merged] = {keys["a"], keys["b"]} - {survivor}
    published = {key.decode(): group for key, group in rec["events"].sent}
    assert published[merged]["merged_into"] == survivor and published[merged]["members"] == []
    assert published[merged]["closed"] is True and published[survivor]["closed"] is False
    assert sorted(m["id"] for m in published[survivor]["members"]) == ["a", "b", "c"]
    assert list(table) == [survivor]


def test_every_record_the_agent_sends_carries_content_type_and_schema_headers(
    tmp_path: Path,
) -> None:
    _, channels, rec = fakes.setup(tmp_path)
    stages = _stages()
    values = [prepared("a", NAMES), prepared("b", SPORT), prepared("c", [*NAMES, *SPORT])]
    events = [fakes.FakeEvent(value, offset) for offset, value in enumerate(values)]
    grouper = stages.new_grouper()
    asyncio.run(grouping_agent._group_batch(cast(Any, events), stages, grouper, {}, channels))
    for topic, name in ((topics.ENRICHED, "enriched"), (topics.EVENTS, "events")):
        assert rec[name].headers, name
        for headers in rec[name].headers:
            assert headers == dict(schemas.headers(topic))
            assert headers["schema-id"] == f"urn:newsstream:schema:{topic}:1".encode()
    assert {value["schema_version"] for _, value in rec["enriched"].sent} == {1}
    assert {value["schema_version"] for _, value in rec["events"].sent} == {1}


def _run(
    stages: Pipeline,
    grouper: grouping.Grouper,
    closed: grouping.ClosedEvents,
    tables: tuple[dict[str, Any], dict[str, Any]],
    channels: Any,
    values: list[dict[str, Any]],
    publishing: PublishOptions,
) -> None:
    """One batch of ``values``, then a closing pass (as the agent runs them)."""
    events = [fakes.FakeEvent(value, offset) for offset, value in enumerate(values)]
    table, closed_table = tables
    batch = grouping_agent._group_batch(
        cast(Any, events), stages, grouper, table, channels, publishing
    )
    closing = grouping_agent._close_events(
        grouper, closed, table, closed_table, channels, publishing
    )

    async def both() -> None:
        await batch
        await closing

    asyncio.run(both())


@pytest.mark.parametrize("in_table", [False, True], ids=["own-store", "table-store"])
def test_a_closed_event_gets_a_closed_record_then_a_tombstone_after_the_delay(
    tmp_path: Path, in_table: bool
) -> None:
    """The event's last record says ``closed: true`` once the stream passes its window; its
    key (and the key merged into it) gets a tombstone a day of stream time later, also after a
    restart that rebuilds the pending tombstones from the ``closed_events`` table. The same
    whether the grouper keeps the full states itself or reads them from the table (the
    worker's way: only what the decision reads is in memory)."""
    _, channels, rec = fakes.setup(tmp_path)
    stages = _stages()
    publishing = PublishOptions(max_members=2, tombstone_seconds=DAY)
    table: dict[str, Any] = {}
    grouper = stages.new_grouper(store=table if in_table else None)
    closed = grouping.ClosedEvents(publishing.tombstone_seconds)
    closed_table: dict[str, Any] = {}
    tables = (table, closed_table)
    start = [
        prepared("a", NAMES, 0.0),
        prepared("b", SPORT, 0.0),
        prepared("c", [*NAMES, *SPORT], DAY),  # merges a's and b's events
        prepared("d", NAMES[:6], DAY),
    ]
    _run(stages, grouper, closed, tables, channels, start, publishing)
    keys = {value["id"]: value["event_key"] for _, value in rec["enriched"].sent}
    survivor = keys["c"]
    [merged] = {keys["a"], keys["b"]} - {survivor}
    assert rec["events"].sent[-1][1]["closed"] is False

    # 4.5 days: past the window (3 days after its last member, at 1 day): closed, no tombstone
    rec["events"].sent.clear()
    _run(stages, grouper, closed, tables, channels, [prepared("e", BANK, 4.5 * DAY)], publishing)
    last = {key.decode(): value for key, value in rec["events"].sent}
    assert last[survivor]["closed"] is True
    assert last[survivor]["member_count"] == 4
    listed = [m["id"] for m in last[survivor]["members"]]  # the first two to join
    assert len(listed) == 2 and set(listed) < {"a", "b", "c", "d"}
    assert last[survivor]["languages"] == ["en"]
    assert survivor not in table and rec["enriched"].sent[-1][1]["event_key"] in table
    assert set(closed_table) == {survivor, merged}
    assert all(value is not None for _, value in rec["events"].sent)

    # a restart: the pending tombstones come back from the table
    closed = grouping.ClosedEvents(publishing.tombstone_seconds)
    closed.load(closed_table.items())
    grouper = stages.new_grouper(store=table if in_table else None)
    grouper.load(table.values())

    # 5 days: a day after it closed (4 days): the tombstones, the survivor's first
    rec["events"].sent.clear()
    _run(stages, grouper, closed, tables, channels, [prepared("f", SPORT, 5 * DAY)], publishing)
    tombstones = [key.decode() for key, value in rec["events"].sent if value is None]
    assert tombstones == [survivor, merged]
    assert closed_table == {}
    assert rec["events"].headers[-1] == dict(schemas.headers(topics.EVENTS))


def test_a_key_open_again_gets_no_tombstone(tmp_path: Path) -> None:
    """An old article redelivered after its event closed mints the same key again: the
    tombstone due for the closed event must not delete the open one."""
    _, channels, rec = fakes.setup(tmp_path)
    stages = _stages()
    publishing = PublishOptions(tombstone_seconds=DAY)
    grouper = stages.new_grouper()
    closed = grouping.ClosedEvents(publishing.tombstone_seconds)
    tables: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
    _run(stages, grouper, closed, tables, channels, [prepared("a", NAMES, 0.0)], publishing)
    _run(stages, grouper, closed, tables, channels, [prepared("x", SPORT, 3.5 * DAY)], publishing)
    key = rec["enriched"].sent[0][1]["event_key"]
    assert key in tables[1]
    again = [prepared("a", NAMES, 4.5 * DAY), prepared("y", BANK, 5 * DAY)]
    _run(stages, grouper, closed, tables, channels, again, publishing)
    assert key in grouper.events
    assert (key.encode(), None) not in rec["events"].sent
    assert key not in tables[1]


def test_stored_values_are_read_as_the_store_holds_them() -> None:
    class RawStore:  # Faust's RocksDB store: raw JSON bytes, the offset key left out
        def _itervalues(self) -> Any:
            return iter([b'{"event_key": "a"}', b"null", b""])

    class Table:
        def __init__(self, data: Any) -> None:
            self.data = data

        def values(self) -> Any:
            return self.data.values()

    assert list(grouping_agent.stored_values(Table(RawStore()))) == [{"event_key": "a"}]
    plain = Table({"a": {"event_key": "a"}, "gone": None})  # a dict-backed table in tests
    assert list(grouping_agent.stored_values(plain)) == [{"event_key": "a"}]
