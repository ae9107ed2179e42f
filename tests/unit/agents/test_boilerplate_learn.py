"""Chrome learned per source, through the same ``prepare`` the worker runs (``process``)."""

from __future__ import annotations

import io

import orjson

from agents.boilerplate_learn import ChromeMemory, SourceChrome, learn
from cli.process import process_lines
from streams.settings import Settings
from tests.texts import CHROME, TOPICS, source_article


def test_after_enough_articles_a_sources_chrome_is_gone_and_the_body_stays() -> None:
    quote = "Kronberger Bote: unabhängig seit 1886"  # a learned line, quoted once below
    lines = [source_article(i) for i in range(10)]
    lines.append(source_article(10, quote=f"Der Verleger erinnerte an das Motto »{quote}«."))
    out = io.BytesIO()
    process_lines(io.BytesIO(b"\n".join(lines) + b"\n"), Settings(), out, None)
    records = [orjson.loads(line) for line in out.getvalue().splitlines()]

    assert all(chrome in records[0]["text"] for chrome in CHROME)  # nothing learned yet
    for rec in records[6:]:
        assert not any(chrome == p for chrome in CHROME for p in rec["text"].split("\n\n"))
        assert set(CHROME) <= set(rec["boilerplate_removed"])
        assert "neue Vorschläge beraten" in rec["text"] and "vor dem Sommer" in rec["text"]
    assert "Der Verleger erinnerte an das Motto" in records[-1]["text"]


def test_chrome_memory_checkpoints_every_n_articles_and_rereads_after_forget() -> None:
    """The worker's cache over the table: written every N articles of a source (and when a
    source leaves the cache); after a rebalance (forget) the table's state is read again."""
    backend: dict[str, object] = {}
    memory = ChromeMemory(backend, checkpoint_every=3, max_cached=2)
    state = SourceChrome()
    for i in range(5):
        state = learn(state, [f"Body line about the {TOPICS[i]}, unique to it.", *CHROME])
        memory.put("a.example", state)
        assert memory.get("a.example") is state
        assert ("a.example" in backend) == (i >= 2)  # the first checkpoint after 3 articles
    assert SourceChrome.from_dict(backend["a.example"]).seq == 3  # 2 articles not yet written
    memory.forget()
    assert memory.get("a.example").seq == 3  # what a crash or a rebalance keeps
    # A source pushed out of the cache is written first, whatever its count.
    memory.put("b.example", learn(SourceChrome(), ["Only line of b."]))
    memory.put("c.example", learn(SourceChrome(), ["Only line of c."]))
    memory.put("d.example", learn(SourceChrome(), ["Only line of d."]))
    assert SourceChrome.from_dict(backend["b.example"]).seq == 1
    assert "d.example" not in backend and memory.get("d.example").seq == 1
