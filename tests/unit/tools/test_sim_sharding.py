"""The sharding simulation's core (tools/sim_sharding.py): routing, key counts, the scheme."""

from __future__ import annotations

import pytest

from agents.grouping import Grouper, GroupingOptions
from streams.settings import Settings
from tools.bench_grouping import Feed
from tools.eval_grouping import score
from tools.sim_sharding import ROUTE_MAX_DF, Design, DocumentFrequency, Routing, single

OPTIONS = GroupingOptions.from_settings(Settings())


@pytest.fixture(scope="module")
def feed() -> list:
    return list(Feed(1500, OPTIONS.window_seconds * 0.95))


def test_one_shard_issues_exactly_the_single_groupers_keys(feed: list) -> None:
    reference = single(OPTIONS, feed)
    scheme = Design(round_size=1).build(OPTIONS, 1)
    assert scheme.feed(feed) == reference.issued
    assert {a.id: scheme.resolve(reference.issued[a.id]) for a in feed} == reference.pred
    assert scheme.groupers[0].members == len(feed)
    # and its key counts are the single grouper's posting lengths
    one = Grouper(OPTIONS)
    for article in feed:
        one.assign_article(article)
    keys = {k for a in feed for k in a.evidence}
    assert {k: scheme.df(k) for k in keys} == {k: one._df(k) for k in keys}


def test_routing_is_deterministic_and_an_article_asks_where_it_is_held(feed: list) -> None:
    routing = Routing(8)
    for article in feed[:300]:
        where = routing.route(article)
        assert where == Routing(8).route(article)
        assert set(where.store) <= set(where.probe) and 1 <= len(where.store) <= 3
        assert set(where.probe) == {routing.shard_of(k) for k in article.evidence} | set(
            where.store
        )
        blocking = routing.blocking_keys(article.evidence)
        language_free = [k for k in article.evidence if k[:2] in ("p:", "#:")]
        # places and numbers block first: names only when there are fewer than three of them
        assert len([k for k in blocking if k.startswith("n:")]) == max(0, 3 - len(language_free))


def test_keys_in_too_many_open_events_neither_block_nor_ask() -> None:
    routing = Routing(16, blocking=2)
    keys = ["p:g1", "p:g2", "#:3", "n:someone"]
    common = set(routing.blocking_keys(keys)[:1])
    df = {k: ROUTE_MAX_DF + 1 for k in common}.get
    chosen = routing.blocking_keys(keys, lambda k: df(k) or 0)
    assert not common & set(chosen) and len(chosen) == 2


def test_key_counts_count_open_events_and_merges_close_them() -> None:
    df = DocumentFrequency()
    assert sorted(df.update("e1", ["n:a", "p:b"], ())) == ["n:a", "p:b"]
    assert df.update("e1", ["n:a"], ()) == []  # a second member with a known key: no change
    df.update("e2", ["n:a", "#:1"], ())
    assert (df("n:a"), df("p:b"), df("#:1")) == (2, 1, 1)
    changed = df.update("e1", ["#:2"], ["e2"])  # e2 merged into e1: n:a in one event now
    assert sorted(changed) == ["#:2", "n:a"]  # #:1 moved from e2 to e1: still one
    assert (df("n:a"), df("#:1"), df("#:2")) == (1, 1, 1)
    assert set(df.keys_of) == {"e1"}


def test_sharded_keeps_the_single_groupers_events(feed: list) -> None:
    reference = single(OPTIONS, feed)
    scheme = Design().build(OPTIONS, 4)
    issued = scheme.feed(feed)
    pred = {doc: scheme.resolve(key) for doc, key in issued.items()}
    lang = {a.id: a.lang for a in feed}
    assert score(reference.pred, pred, lang)["pairwise"]["f1"] >= 0.99
    # every shard did part of the work, and holds an article at most three times over
    load = scheme.load()
    assert load["probes"]["max"] < len(feed) and min(g.probes for g in scheme.groupers) > 0
    assert len(feed) <= load["members"]["sum"] <= 3 * len(feed)
    # the merges reached every shard: none holds a part of an event merged away
    assert scheme.merged_into
    for grouper in scheme.groupers:
        assert not set(grouper.events) & set(scheme.merged_into)
    # the coordinator's key counts are the open events over all shards' parts of them
    holding: dict[str, set[str]] = {}
    for grouper in scheme.groupers:
        for event_key, state in grouper.events.items():
            for key in state.evidence:
                holding.setdefault(key, set()).add(event_key)
    assert scheme.df.counts == {key: len(events) for key, events in holding.items()}
