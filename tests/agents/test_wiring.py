"""The Faust wiring without a broker: agents driven through ``agent.test_context()``.

Output topics are replaced by recorders that keep what each agent sends.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import faust
import orjson
import pytest

from agents import grouping, grouping_agent, pipeline, prepare, prepare_agent
from agents.embedding import Embedder
from agents.pipeline import Pipeline
from streams import topics
from streams.app import Channels, create_app
from streams.records import Rejected
from streams.settings import Settings
from tests.texts import CHROME, read_seed, source_article

BUS_DE = {
    "text": "Auf der A7 bei Göttingen ist am Montagmorgen ein Reisebus mit 41 Fahrgästen von "
    "der Fahrbahn abgekommen. Zwölf Menschen wurden leicht verletzt, teilte die Polizei mit."
}


class Recorder:
    """Stands in for an output topic: ``send`` records (key, value), the value as the topic's
    orjson codec puts it on the wire and a consumer decodes it (records are sent as
    dataclasses: orjson encodes them without ``asdict``'s deep copy)."""

    def __init__(self) -> None:
        self.sent: list[tuple[bytes | None, Any]] = []
        self.headers: list[dict[str, bytes]] = []

    async def send(
        self, *, key: bytes | None = None, value: Any = None, headers: Any = None
    ) -> None:
        wire = value if isinstance(value, bytes) else orjson.dumps(value)
        self.sent.append((key, orjson.loads(wire)))
        self.headers.append(dict(headers or []))


def _setup(tmp_path: Path) -> tuple[faust.App, Channels, dict[str, Recorder]]:
    app = create_app(Settings(data_dir=tmp_path, app_id="wiring-test"))
    app.conf.store = "memory://"
    rec = {name: Recorder() for name in ("prepared", "enriched", "events", "deadletter")}
    channels = Channels(
        raw=app.channel(),
        prepared=app.channel(),
        enriched=cast(Any, rec["enriched"]),
        events=cast(Any, rec["events"]),
        deadletter=cast(Any, rec["deadletter"]),
    )
    return app, channels, rec


def test_prepare_agent_sends_articles_on_and_rejects_to_the_dead_letters(tmp_path: Path) -> None:
    app, channels, rec = _setup(tmp_path)
    channels = Channels(
        raw=channels.raw,
        prepared=cast(Any, rec["prepared"]),
        enriched=channels.enriched,
        events=channels.events,
        deadletter=channels.deadletter,
    )
    options = prepare.PrepareOptions(max_message_bytes=100_000, lang_min_confidence=0.5)
    agent = prepare_agent.wire(app, channels, Pipeline.create(options), partitions=1)

    async def drive() -> None:
        async with agent.test_context() as ctx:
            await ctx.put(orjson.dumps({"id": "seed-de", **read_seed("de")}), key=b"seed-de")
            await ctx.put(b"{not json", key=b"bad")
            await ctx.put(b'{"id": "x", "text": "' + b"a" * 100_001 + b'"}', key=b"big")
            await _until_sent(rec, 3)

    asyncio.run(drive())
    [(key, article)] = rec["prepared"].sent
    assert key == b"seed-de" and article["lang"] == "de"
    assert article["boilerplate_removed"] == ["source site-30"]
    assert "p:" in " ".join(article["evidence"]) and "n:putin" in article["evidence"]
    reasons = {k: v["reason"] for k, v in rec["deadletter"].sent}
    assert "not valid JSON" in reasons[b"bad"] and "exceeds the limit" in reasons[b"big"]
    assert {v["payload"][:9] for v in dict(rec["deadletter"].sent).values()} >= {"{not json"}


def _prepare_channels(channels: Channels, rec: dict[str, Recorder]) -> Channels:
    return Channels(
        raw=channels.raw,
        prepared=cast(Any, rec["prepared"]),
        enriched=channels.enriched,
        events=channels.events,
        deadletter=channels.deadletter,
    )


async def _until_sent(rec: dict[str, Recorder], count: int, timeout: float = 30.0) -> None:
    """Wait until ``count`` records are out (the agent sends a batch after its wait)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(rec["prepared"].sent) + len(rec["deadletter"].sent) < count:
        assert loop.time() < deadline, "the prepare agent sent too little"
        await asyncio.sleep(0.01)


def test_prepare_agent_embeds_a_batch_at_once_and_learns_article_by_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One source's articles in a batch: each strips the chrome the ones before it taught,
    written to the table in the article's partition (checkpointed after every article)."""
    app, channels, rec = _setup(tmp_path)
    options = prepare.PrepareOptions(
        max_message_bytes=100_000, lang_min_confidence=0.5, learn_checkpoint_every=1
    )
    agent = prepare_agent.wire(
        app,
        _prepare_channels(channels, rec),
        Pipeline.create(options),
        partitions=1,
        batch=16,
        batch_seconds=0.5,
    )
    batches: list[int] = []
    embed_many = Embedder.embed_many

    def recording(self: Embedder, articles: Any) -> list[str | None]:
        batches.append(len(articles))
        return embed_many(self, articles)

    monkeypatch.setattr(Embedder, "embed_many", recording)

    async def drive() -> None:
        async with agent.test_context() as ctx:
            for i in range(11):
                await ctx.put(source_article(i), key=f"kb-{i}".encode())
            await _until_sent(rec, 11)

    asyncio.run(drive())
    assert not rec["deadletter"].sent
    assert [key for key, _ in rec["prepared"].sent] == [f"kb-{i}".encode() for i in range(11)]
    assert sum(batches) == 11 and max(batches) > 1
    first, last = rec["prepared"].sent[0][1], rec["prepared"].sent[-1][1]
    assert all(chrome in first["text"] for chrome in CHROME)
    assert set(CHROME) <= set(last["boilerplate_removed"]) and last["embedding"]
    assert app.tables[topics.SOURCES_TABLE]["kronberger-bote.example"]


def test_prepare_agent_dead_letters_a_failing_article_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, channels, rec = _setup(tmp_path)
    options = prepare.PrepareOptions(max_message_bytes=100_000, lang_min_confidence=0.5)
    agent = prepare_agent.wire(
        app, _prepare_channels(channels, rec), Pipeline.create(options), partitions=1
    )
    extract = pipeline.evidence.extract_evidence

    def failing(title: str, text: str, lang: str) -> Any:
        if "Reisebus" in title:
            raise RuntimeError("boom")
        return extract(title, text, lang)

    monkeypatch.setattr(pipeline.evidence, "extract_evidence", failing)
    docs = [
        {"id": "one", **read_seed("en")},
        {"id": "two", "title": "Reisebus verunglückt auf der A7", **BUS_DE},
        {"id": "three", **read_seed("de")},
    ]

    async def drive() -> None:
        async with agent.test_context() as ctx:
            for doc in docs:
                await ctx.put(orjson.dumps(doc), key=doc["id"].encode())
            await _until_sent(rec, 3)

    asyncio.run(drive())
    assert [key for key, _ in rec["prepared"].sent] == [b"one", b"three"]
    assert all(article["embedding"] for _, article in rec["prepared"].sent)
    [(key, letter)] = rec["deadletter"].sent
    assert key == b"two" and letter["stage"] == "prepare"
    assert letter["reason"] == "internal error: RuntimeError: boom"
    assert orjson.loads(letter["payload"])["id"] == "two"


def test_grouping_agent_publishes_one_event_for_a_translation_pair(tmp_path: Path) -> None:
    app, channels, rec = _setup(tmp_path)
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


class _Event:
    """Stands in for a Faust event: what the grouping batch reads of one."""

    def __init__(self, value: dict[str, Any], offset: int) -> None:
        self.value = value
        self.message = SimpleNamespace(
            value=orjson.dumps(value), key=None, topic=topics.PREPARED, partition=0, offset=offset
        )


def test_a_grouping_batch_writes_and_publishes_each_event_it_touched_once(tmp_path: Path) -> None:
    _, channels, rec = _setup(tmp_path)
    options = grouping.GroupingOptions(window_seconds=3 * 86400, min_shared=3.0, min_overlap=0.25)
    prepare_options = prepare.PrepareOptions(max_message_bytes=100_000, lang_min_confidence=0.5)
    stages = Pipeline.create(prepare_options, options)
    grouper = stages.new_grouper()
    docs = [{"id": f"seed-{lang}", **read_seed(lang)} for lang in ("en", "de")]
    docs.insert(1, {"id": "bus", **BUS_DE})
    values = []
    for doc in docs:
        [article] = stages.prepare([(orjson.dumps(doc), None)], 1.6e9)
        assert not isinstance(article, Rejected)
        values.append(orjson.loads(orjson.dumps(article)))
    table: dict[str, Any] = {}

    events = [_Event(value, offset) for offset, value in enumerate(values)]
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
    app, channels, rec = _setup(tmp_path)
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
    _, channels, rec = _setup(tmp_path)
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
    events = [_Event(value, offset) for offset, value in enumerate(values)]
    asyncio.run(grouping_agent._group_batch(cast(Any, events), stages, grouper, table, channels))
    keys = {value["id"]: value["event_key"] for _, value in rec["enriched"].sent}
    survivor = keys["c"]
    assert keys["a"] != keys["b"] and survivor in (keys["a"], keys["b"])
    [merged] = {keys["a"], keys["b"]} - {survivor}
    published = {key.decode(): group for key, group in rec["events"].sent}
    assert published[merged]["merged_into"] == survivor and published[merged]["members"] == []
    assert sorted(m["id"] for m in published[survivor]["members"]) == ["a", "b", "c"]
    assert list(table) == [survivor]
