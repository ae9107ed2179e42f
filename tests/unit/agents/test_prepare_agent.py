"""The prepare agent's Faust wiring without a broker, driven through ``agent.test_context()``;
output topics are recorders (:mod:`tests.unit.agents.fakes`)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, cast

import orjson
import pytest

from agents import pipeline, prepare, prepare_agent
from agents.embedding import Embedder
from agents.pipeline import Pipeline
from streams import topics
from streams.app import Channels
from tests.texts import CHROME, read_seed, source_article
from tests.unit.agents import fakes


def test_prepare_agent_sends_articles_on_and_rejects_to_the_dead_letters(tmp_path: Path) -> None:
    app, channels, rec = fakes.setup(tmp_path)
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
            await fakes.until_sent(rec, 3)

    asyncio.run(drive())
    [(key, article)] = rec["prepared"].sent
    assert key == b"seed-de" and article["lang"] == "de"
    assert article["boilerplate_removed"] == ["source site-30"]
    assert "p:" in " ".join(article["evidence"]) and "n:putin" in article["evidence"]
    reasons = {k: v["reason"] for k, v in rec["deadletter"].sent}
    assert "not valid JSON" in reasons[b"bad"] and "exceeds the limit" in reasons[b"big"]
    assert {v["payload"][:9] for v in dict(rec["deadletter"].sent).values()} >= {"{not json"}


def test_prepare_agent_embeds_a_batch_at_once_and_learns_article_by_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One source's articles in a batch: each strips the chrome the ones before it taught,
    written to the table in the article's partition (checkpointed after every article)."""
    app, channels, rec = fakes.setup(tmp_path)
    options = prepare.PrepareOptions(
        max_message_bytes=100_000, lang_min_confidence=0.5, learn_checkpoint_every=1
    )
    agent = prepare_agent.wire(
        app,
        fakes.prepare_channels(channels, rec),
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
            await fakes.until_sent(rec, 11)

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
    app, channels, rec = fakes.setup(tmp_path)
    options = prepare.PrepareOptions(max_message_bytes=100_000, lang_min_confidence=0.5)
    agent = prepare_agent.wire(
        app, fakes.prepare_channels(channels, rec), Pipeline.create(options), partitions=1
    )
    extract = pipeline.evidence.extract_evidence

    def failing(title: str, text: str, lang: str) -> Any:
        if "Reisebus" in title:
            raise RuntimeError("boom")
        return extract(title, text, lang)

    monkeypatch.setattr(pipeline.evidence, "extract_evidence", failing)
    docs = [
        {"id": "one", **read_seed("en")},
        {"id": "two", "title": "Reisebus verunglückt auf der A7", **fakes.BUS_DE},
        {"id": "three", **read_seed("de")},
    ]

    async def drive() -> None:
        async with agent.test_context() as ctx:
            for doc in docs:
                await ctx.put(orjson.dumps(doc), key=doc["id"].encode())
            await fakes.until_sent(rec, 3)

    asyncio.run(drive())
    assert [key for key, _ in rec["prepared"].sent] == [b"one", b"three"]
    assert all(article["embedding"] for _, article in rec["prepared"].sent)
    [(key, letter)] = rec["deadletter"].sent
    assert key == b"two" and letter["stage"] == "prepare"
    assert letter["reason"] == "internal error: RuntimeError: boom"
    assert orjson.loads(letter["payload"])["id"] == "two"
