"""The grouping agent's Faust wiring without a broker, driven through ``agent.test_context()``
and its batch function; output topics are recorders (:mod:`tests.unit.agents.fakes`)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, cast

import orjson

from agents import grouping, grouping_agent, prepare
from agents.pipeline import Pipeline
from streams.records import Rejected
from tests.texts import read_seed
from tests.unit.agents import fakes


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
    names = ["n:putin", "n:xi", "n:yinping", "p:g1816670", "#:2022", "n:ukraine", "n:nato"]
    sport = ["n:rovers", "n:athletic", "n:amankvah", "#:2-1", "#:1987", "p:g2643743"]

    def prepared(ident: str, evidence: list[str]) -> dict[str, Any]:
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
            "event_time": 1.6e9,
        }

    values = [prepared("a", names), prepared("b", sport), prepared("c", [*names, *sport])]
    table: dict[str, Any] = {}
    events = [fakes.FakeEvent(value, offset) for offset, value in enumerate(values)]
    asyncio.run(grouping_agent._group_batch(cast(Any, events), stages, grouper, table, channels))
    keys = {value["id"]: value["event_key"] for _, value in rec["enriched"].sent}
    survivor = keys["c"]
    assert keys["a"] != keys["b"] and survivor in (keys["a"], keys["b"])
    [merged] = {keys["a"], keys["b"]} - {survivor}
    published = {key.decode(): group for key, group in rec["events"].sent}
    assert published[merged]["merged_into"] == survivor and published[merged]["members"] == []
    assert sorted(m["id"] for m in published[survivor]["members"]) == ["a", "b", "c"]
    assert list(table) == [survivor]
