"""Sharded grouping's pure half (agents/grouping_shard.py): the coordinator and the shards,
driven in one process through the messages the worker sends (each one through orjson)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest

from agents.grouping import Grouper, GroupingOptions
from agents.grouping_shard import (
    Bid,
    Coordinator,
    MessageError,
    Probe,
    Routing,
    ShardState,
    bid_message,
    close_message,
    counts_message,
    merge_message,
    poor_keys,
    spans_of,
)
from streams.records import Prepared
from streams.settings import Settings
from tests.unit.agents.articles import prepared_article
from tools.bench_grouping import Feed

OPTIONS = GroupingOptions.from_settings(Settings())
DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "translated_news"


def wire(message: dict[str, Any] | None) -> Any:
    """A message as the other side reads it."""
    return orjson.loads(orjson.dumps(message))


class InProcess:
    """The coordinator and S shards, exchanging the worker's messages in the worker's order:
    probes, bids, decisions, then applies and merge notices, then the changed counts."""

    def __init__(self, shards: int, session: str = "t", options: GroupingOptions = OPTIONS) -> None:
        routing = Routing(shards, poor_keys=poor_keys(options))
        self.coordinator = Coordinator(options, routing, session=session)
        self.shards = [ShardState(options, shards=shards) for _ in range(shards)]

    def send(self, shard: int, message: dict[str, Any]) -> dict[str, Any] | None:
        return self.shards[shard].handle(wire(message))

    def round(self, articles: Sequence[Prepared]) -> dict[str, str]:
        coordinator = self.coordinator
        rnd = coordinator.begin(articles)
        for shard, probe in rnd.probe_messages():
            assert rnd.receive(wire(self.send(shard, probe)))
        assert not rnd.missing()
        decisions = [coordinator.decide(rnd, seq) for seq in range(len(articles))]
        coordinator.end(rnd)
        counts: dict[str, int] = {}
        for decision in decisions:
            counts.update(decision.counts)
            for shard, message in decision.shard_messages(len(self.shards)):
                self.send(shard, message)
        spans = spans_of(decisions)
        for shard in range(len(self.shards)):
            self.send(shard, counts_message(counts, spans))
        return {d.article.id: d.key for d in decisions}

    def feed(self, articles: Sequence[Prepared], size: int) -> dict[str, str]:
        issued: dict[str, str] = {}
        for start in range(0, len(articles), size):
            issued.update(self.round(articles[start : start + size]))
        return issued


def single(articles: Sequence[Prepared]) -> tuple[Grouper, dict[str, str]]:
    grouper = Grouper(OPTIONS)
    return grouper, {a.id: grouper.assign_article(a).event_key for a in articles}


def groups(keys: dict[str, str], resolve: Any) -> set[frozenset[str]]:
    by_event: dict[str, set[str]] = {}
    for ident, key in keys.items():
        by_event.setdefault(resolve(key), set()).add(ident)
    return {frozenset(g) for g in by_event.values()}


@pytest.fixture(scope="module")
def wmt() -> list[Prepared]:
    """wmttest2024 (306 articles) through the prepare stages, in ``eval grouping``'s order."""
    from agents.pipeline import Pipeline
    from tools.eval_grouping import load, prepare_docs, shuffled

    path = DATA / "wmttest2024.jsonl"
    assert path.exists(), f"no {path} (tests read ../shared/data/translated_news)"
    return prepare_docs(Pipeline.from_settings(Settings()), shuffled(load([str(path)], None), 13))


@pytest.fixture(scope="module")
def summaries() -> list[Prepared]:
    """wmttest2024's articles as RSS items (title and first line: ``eval grouping --summary
    1``), prepared: many poor in evidence, grouped by their embedding alone."""
    from agents.pipeline import Pipeline
    from tools.eval_grouping import load, prepare_docs, shuffled, summary

    docs = [summary(d, 1) for d in shuffled(load([str(DATA / "wmttest2024.jsonl")], None), 13)]
    return prepare_docs(Pipeline.from_settings(Settings()), docs)


@pytest.fixture(scope="module")
def feed() -> list[Prepared]:
    return list(Feed(1500, OPTIONS.window_seconds * 0.95))


@pytest.mark.parametrize("shards", [2, 4, 8])
def test_one_at_a_time_the_shards_issue_the_single_groupers_keys(
    wmt: list[Prepared], shards: int
) -> None:
    """docs/sharding.md: with R = 1 every article gets the single grouper's key at S = 2..8."""
    _, reference = single(wmt)
    assert InProcess(shards).feed(wmt, 1) == reference


def test_articles_poor_in_evidence_ask_every_shard_and_get_the_single_groupers_keys(
    summaries: list[Prepared],
) -> None:
    _, reference = single(summaries)
    alone = [a for a in summaries if a.embedding and len(a.evidence) < OPTIONS.alone_max_keys]
    assert len(alone) > 100  # the case at hand: most articles
    assert len(set(reference.values())) < len(summaries) - 50  # many joined
    assert InProcess(4).feed(summaries, 1) == reference


def test_an_article_poor_in_evidence_with_an_embedding_asks_every_shard() -> None:
    from types import SimpleNamespace

    poor = SimpleNamespace(id="a", evidence=("p:g281184",), embedding="AAAA")
    rich = SimpleNamespace(id="b", evidence=tuple(f"n:name{i}" for i in range(12)), embedding="A")
    bare = SimpleNamespace(id="c", evidence=("p:g281184",), embedding=None)
    routing = Routing(8, poor_keys=12)
    assert routing.route(poor).probe == tuple(range(8))
    assert routing.route(rich).probe == Routing(8).route(rich).probe
    assert routing.route(bare).probe == Routing(8).route(bare).probe == Routing(8).route(poor).probe
    assert len(Routing(8).route(poor).probe) == 1


def test_rounds_of_64_keep_the_single_groupers_events(wmt: list[Prepared]) -> None:
    grouper, reference = single(wmt)
    scheme = InProcess(4)
    issued = scheme.feed(wmt, 64)
    assert groups(issued, scheme.coordinator.resolve) == groups(reference, grouper.resolve)
    # the coordinator's states are the single grouper's events, members listed once each
    coordinator = scheme.coordinator
    members = [m.id for key in coordinator.last_seen for m in coordinator.state(key).members]
    assert sorted(members) == sorted(a.id for a in wmt)
    # and each shard holds a part: every article held by 1 to 3 shards
    held = sum(s.grouper.open_articles for s in scheme.shards)
    assert len(wmt) <= held <= 3 * len(wmt)


def test_merges_reach_every_shard_and_counts_are_over_all_of_them(feed: list[Prepared]) -> None:
    scheme = InProcess(4)
    scheme.feed(feed, 64)
    coordinator = scheme.coordinator
    assert coordinator.merged_into, "the feed's articles merge events"
    holding: dict[str, set[str]] = {}
    for shard in scheme.shards:
        assert not set(shard.grouper.events) & set(coordinator.merged_into)
        assert set(shard.grouper.events) <= set(coordinator.last_seen)
        assert shard.counts == coordinator.df.counts  # every shard's copy of the counts
        for event_key, part in shard.grouper.events.items():
            holding.setdefault(event_key, set()).update(part.evidence)
    for event_key, keys in holding.items():  # the parts' keys are their event's
        assert keys <= set(coordinator.state(event_key).evidence)


def test_a_replayed_probe_is_answered_held_and_gets_the_same_key(wmt: list[Prepared]) -> None:
    """The coordinator crashed after the shards applied a round but before its own state was
    written: its successor, from the state before the round, is told "held" and issues the
    same keys; the articles are in their events once."""
    first, second = wmt[:40], wmt[40:80]
    scheme = InProcess(4, session="a")
    scheme.feed(first, 20)
    before = [scheme.coordinator.state(k).to_dict() for k in scheme.coordinator.last_seen]
    issued = scheme.round(second)

    successor = Coordinator(OPTIONS, Routing(4), session="b")
    successor.load(before)
    scheme.coordinator = successor
    rnd = successor.begin(second)
    answers = [wire(scheme.send(shard, probe)) for shard, probe in rnd.probe_messages()]
    held = {answer["seq"] for answer in answers if answer["held"]}
    assert held == set(range(len(second)))  # by the shards that hold each (others bid)
    for answer in answers:
        assert rnd.receive(answer)
    again = {a.id: successor.decide(rnd, seq).key for seq, a in enumerate(second)}
    assert again == issued
    members = [m.id for key in successor.last_seen for m in successor.state(key).members]
    assert sorted(members) == sorted(a.id for a in [*first, *second])


def test_a_replayed_round_at_the_coordinator_changes_nothing(wmt: list[Prepared]) -> None:
    scheme = InProcess(2)
    issued = scheme.feed(wmt[:30], 10)
    counts = dict(scheme.coordinator.df.counts)
    rnd = scheme.coordinator.begin(wmt[:10])  # known to the coordinator: nothing to ask
    assert not rnd.expected
    decisions = [scheme.coordinator.decide(rnd, seq) for seq in range(10)]
    assert all(d.known and not d.counts for d in decisions)
    assert {d.article.id: d.key for d in decisions} == {a.id: issued[a.id] for a in wmt[:10]}
    assert scheme.coordinator.df.counts == counts


def test_a_replayed_apply_is_a_no_op(wmt: list[Prepared]) -> None:
    scheme = InProcess(2)
    scheme.feed(wmt[:20], 5)
    rnd = scheme.coordinator.begin(wmt[20:21])
    for shard, probe in rnd.probe_messages():
        rnd.receive(wire(scheme.send(shard, probe)))
    decision = scheme.coordinator.decide(rnd, 0)
    shard, apply = next(iter(decision.shard_messages(2)))
    assert apply["kind"] == "apply"
    state = scheme.shards[shard]
    state.handle(wire(apply))
    written, _ = state.grouper.changes()
    assert written, "the first apply changed the shard's part"
    before = {k: state.grouper.state(k).to_dict() for k in state.grouper.events}
    state.handle(wire(apply))
    assert state.grouper.changes() == ({}, [])
    assert {k: state.grouper.state(k).to_dict() for k in state.grouper.events} == before


def test_round_ids_drop_stale_and_repeated_bids(feed: list[Prepared]) -> None:
    scheme = InProcess(2, session="s1")
    rnd = scheme.coordinator.begin(feed[:3])
    shard, probe = next(iter(rnd.probe_messages()))
    bid = wire(scheme.send(shard, probe))
    stale = {**bid, "round": "s0-1"}  # a round of the coordinator before a restart
    assert not rnd.receive(stale)
    assert (bid["seq"], shard) in rnd.missing()
    assert rnd.receive(bid)
    assert not rnd.receive(bid)  # the same bid again (a resent probe)
    assert (bid["seq"], shard) not in rnd.missing()
    with pytest.raises(MessageError):
        rnd.receive({**bid, "seq": bid["seq"], "shard": shard + 1 if shard == 0 else 0, "id": 7})
    with pytest.raises(MessageError):
        rnd.receive({"round": rnd.id})


def test_bad_messages_are_refused_with_a_reason() -> None:
    state = ShardState(OPTIONS)
    for message, reason in (
        (["not", "an", "object"], "not an object"),
        ({"kind": "gossip"}, "unknown kind 'gossip'"),
        ({"kind": "probe", "round": "r-1", "seq": 0, "shard": 0, "article": {"id": 1}}, "probe"),
        ({"kind": "counts", "counts": {"n:a": "many"}}, "malformed counts"),
        ({"kind": "merge", "event_key": "ev-1"}, "malformed merge"),
    ):
        with pytest.raises(MessageError, match=reason):
            state.handle(message)


def test_a_merge_notice_moves_a_shards_part_into_the_surviving_event() -> None:
    state = ShardState(OPTIONS)
    keys = ["n:alpha", "n:beta", "p:g1", "#:7"]
    for ident, event_key in (("a", "ev-x"), ("b", "ev-y")):
        probe = Probe.of(prepared_article(ident, keys, 1.0e9))
        state.handle(wire({"kind": "apply", "article": probe.to_dict(), "event_key": None,
                           "key": event_key, "merged": []}))  # fmt: skip
    minted = sorted(state.grouper.events)
    assert len(minted) == 2
    into, gone = minted
    state.handle(wire(merge_message(gone, into)))
    assert list(state.grouper.events) == [into]
    assert sorted(m.id for m in state.grouper.state(into).members) == ["a", "b"]
    written, deleted = state.grouper.changes()
    assert list(written) == [into] and gone in deleted
    state.handle(wire(merge_message(gone, into)))  # replayed: nothing left to move
    assert state.grouper.changes() == ({}, [])


def test_only_the_coordinator_closes_and_a_close_notice_drops_the_part() -> None:
    window = OPTIONS.window_seconds
    scheme = InProcess(2)
    keys = ["n:alpha", "n:beta", "n:gamma", "p:g1", "#:7"]
    old = prepared_article("old", keys, 1.0e9)
    scheme.round([old])
    event_key = scheme.coordinator.member_of["old"]
    # the event's times over all shards came with the counts: a shard passes over it as one
    # grouper would, when it is older than the window; but it does not close it
    later = Probe.of(prepared_article("later", keys, 1.0e9 + 2 * window))
    holders = [s for s in scheme.shards if event_key in s.grouper.events]
    assert holders and holders[0].grouper.spans[event_key] == (1.0e9, 1.0e9)
    assert holders[0].grouper.bid(later).best is None
    # without them (a shard rebuilt from its table): never passed over by its part's times
    holders[0].grouper.spans.clear()
    assert holders[0].grouper.bid(later).best == event_key
    # the coordinator closes it once its stream time has passed the window
    scheme.round([prepared_article("new", ["n:other", "p:g2"], 1.0e9 + 2 * window)])
    closed, counts = scheme.coordinator.evict()
    assert [s.event_key for s in closed] == [event_key]
    assert counts == {k: 0 for k in sorted(keys)}
    assert "old" not in scheme.coordinator.member_of
    for shard in range(2):
        scheme.send(shard, close_message(event_key))
        scheme.send(shard, counts_message(counts))
    assert not any(event_key in s.grouper.events for s in scheme.shards)
    assert all(s.counts == scheme.coordinator.df.counts for s in scheme.shards)


def test_the_coordinator_passes_over_an_event_that_began_after_the_articles_window() -> None:
    window = OPTIONS.window_seconds
    scheme = InProcess(2)
    keys = ["n:alpha", "n:beta", "n:gamma", "p:g1", "#:7"]
    scheme.round([prepared_article("recent", keys, 1.0e9)])
    event_key = scheme.coordinator.member_of["recent"]
    # the shards bid on it (no local horizon); the coordinator, over all of the event, does not
    scheme.round([prepared_article("early", keys, 1.0e9 - 2 * window)])
    assert scheme.coordinator.member_of["early"] != event_key
    scheme.round([prepared_article("inside", keys, 1.0e9 - window / 2)])
    assert scheme.coordinator.member_of["inside"] == event_key
    assert scheme.coordinator.first_seen[event_key] == 1.0e9 - window / 2


def test_a_shard_bids_the_best_event_within_the_window_not_the_best_outside_it() -> None:
    """A late article matches an old event best and a recent one less: one grouper passes
    over the old one (outside the window) and joins the recent one. A shard that bid the old
    one (its part's times are not the event's) left the coordinator nothing to join: the
    article got a key of its own."""
    window = OPTIONS.window_seconds
    keys = ["n:alpha", "n:beta", "n:gamma", "n:delta", "p:g1"]
    articles = [
        prepared_article("old", keys, 1.0e9),
        prepared_article(
            "recent", ["n:alpha", "n:beta", "n:gamma", "p:g1", "n:zeta"], 1.0e9 + 3 * window
        ),
        prepared_article("late", keys, 1.0e9 + 2.5 * window),
    ]
    _, one = single(articles)
    assert one["late"] == one["recent"] != one["old"]
    for shards in (1, 2):
        scheme = InProcess(shards)
        issued = {a.id: scheme.round([a])[a.id] for a in articles}
        assert issued == one


def test_probes_and_bids_survive_the_wire() -> None:
    article = prepared_article("x", ["n:a", "p:g1"], 5.0)
    probe = Probe.of(article)
    assert Probe.from_dict(wire(probe.to_dict())) == probe
    asked = Probe.from_dict(wire(probe.to_dict(member=False)))
    assert asked.title is None and asked.evidence == probe.evidence
    bid = Bid("ev-1", 0.75, others=("ev-2",), held=None)
    assert Bid.from_dict(wire(bid_message("r-1", 0, 1, "x", bid))) == bid


def test_skeleton_keys_neither_block_nor_ask_for_bids() -> None:
    """A skeleton counts only against another script's key: routed by its own, a Hebrew
    article's words would ask nearly every shard and hold it where no match is."""
    from types import SimpleNamespace

    routing = Routing(16)
    keys = ["n:kastelnik", "#:2023", "p:g281184"]
    plain = SimpleNamespace(id="a", evidence=keys)
    words = [f"s:hebr:{c}{d}{e}" for c in "bdgklmnprst" for d in "bdgklmnprst" for e in "kmn"]
    skeletal = SimpleNamespace(id="a", evidence=[*keys, "s:name:kstlnk", *words])
    assert routing.route(skeletal) == routing.route(plain)
    only = SimpleNamespace(id="b", evidence=words[:5])
    assert routing.route(only).store == (routing.shard_of("id:b"),)


def test_probes_carry_the_words_prepare_took_and_a_holder_keeps_them_until_close() -> None:
    from agents.topic_words import topic_words

    text = "Rescuers searched collapsed buildings after the earthquake shook Malatya overnight."
    article = replace(prepared_article("w", ["n:malatya", "p:g1"], 5.0), words=topic_words(text))
    probe = Probe.of(article)
    assert probe.words == topic_words(text)
    assert Probe.from_dict(wire(probe.to_dict())) == probe
    assert Probe.from_dict(wire(probe.to_dict(member=False))).words == probe.words  # for bids
    state = ShardState(OPTIONS)
    state.handle(wire({"kind": "apply", "article": probe.to_dict(), "event_key": None,
                       "key": "ev-w", "merged": []}))  # fmt: skip
    [event_key] = state.grouper.events
    assert len(state.grouper.words) == 1 and state.grouper.words.size("en") == 1
    [stored] = state.grouper.state(event_key).members
    assert stored.words == probe.words  # in the shard's table, for its recovery
    state.handle(wire(close_message(event_key)))
    assert len(state.grouper.words) == 0
    off = ShardState(replace(OPTIONS, words_min_cosine=0.0))
    off.handle(wire({"kind": "apply", "article": probe.to_dict(), "event_key": None,
                     "key": "ev-w", "merged": []}))  # fmt: skip
    assert len(off.grouper.words) == 0  # the test off: not kept


def test_a_shard_asks_half_the_words_pool_whatever_the_number_of_shards() -> None:
    """A shard holds its share of the open members: it does not wait for the whole pool of
    its own (the test would count later the more shards there are), only for half of it."""
    pool = OPTIONS.words_min_pool
    assert ShardState(OPTIONS).grouper.words_pool == pool  # one shard: the stream's pool
    assert ShardState(OPTIONS, shards=2).grouper.words_pool == pool // 2
    assert ShardState(OPTIONS, shards=8).grouper.words_pool == pool // 2
    assert Grouper(OPTIONS).words_pool == pool


def test_a_shard_bids_by_the_words_as_one_grouper_does() -> None:
    """A shard holding the members weighs words by its own members' frequencies: with all
    of them here, it bids what one grouper decides."""
    from tests.unit.agents import test_topic_words as tw

    options = replace(OPTIONS, **{f: getattr(tw.OPTIONS, f) for f in (
        "window_seconds", "min_shared", "min_overlap", "words_min_pool")})  # fmt: skip
    state = ShardState(options)
    texts = [(f"f{n}", t, [f"n:filler{n}", f"n:other{n}"]) for n, t in enumerate(tw.FILLERS)]
    quake = ["n:malatya", "n:kandilli", "n:monday", "p:cTR", "#:6.1", "n:eastern", "n:turkish"]
    for ident, text, keys in [*texts, ("a", tw.QUAKE_A, quake)]:
        probe = Probe.of(tw.prepared(ident, text, words=tw.topic_words(text)))
        probe = replace(probe, evidence=tuple(keys), event_time=10.0)
        state.handle(wire({"kind": "apply", "article": probe.to_dict(), "event_key": None,
                           "key": f"ev-{ident}", "merged": []}))  # fmt: skip
    b = tw.prepared("b", tw.QUAKE_B, words=tw.topic_words(tw.QUAKE_B))
    assert state.grouper.bid(Probe.of(b)).best == state.grouper.held("a")
    assert state.grouper.bid(replace(Probe.of(b), words=None)).best is None  # no words
    one = Grouper(options)
    issued = {
        ident: one.assign(tw.member(ident, text), keys, 10.0).event_key
        for ident, text, keys in [*texts, ("a", tw.QUAKE_A, quake)]
    }
    assert one.assign_article(b).event_key == issued["a"]


def test_the_coordinator_weighs_words_over_the_whole_stream_for_every_shard() -> None:
    """A shard holds a sample of a language's members: weighed by its own, a report in other
    words was tested later the more shards there were (or by too few members' rarity). The
    coordinator weighs each probe over all open members, as one grouper does, and says whether
    the test applies; a shard compares and stores those weights, so S shards decide as one."""
    from agents.topic_words import given_words
    from tests.unit.agents import test_topic_words as tw

    options = replace(OPTIONS, **{f: getattr(tw.OPTIONS, f) for f in (
        "window_seconds", "min_shared", "min_overlap", "words_min_pool")})  # fmt: skip
    quake = ["n:malatya", "n:kandilli", "n:monday", "p:cTR", "#:6.1", "n:eastern", "n:turkish"]
    texts = [(f"f{n}", t, [f"n:filler{n}", f"n:other{n}"]) for n, t in enumerate(tw.FILLERS)]
    articles = [
        replace(tw.prepared(ident, text, words=tw.topic_words(text)), evidence=keys)
        for ident, text, keys in [*texts, ("a", tw.QUAKE_A, quake)]
    ]
    b = tw.prepared("b", tw.QUAKE_B, words=tw.topic_words(tw.QUAKE_B))
    one = Grouper(options)
    issued = {a.id: one.assign_article(a).event_key for a in articles}
    weighed = one.words.weigh(b.words, "en")  # as one grouper weighs it, before it is in
    assert weighed is not None
    assert one.assign_article(b).event_key == issued["a"]
    for shards in (4, 8):
        scheme = InProcess(shards, "w", options)
        coordinator, states = scheme.coordinator, scheme.shards
        keys = scheme.round(articles)  # one round: each weighed after the round's earlier ones
        assert coordinator.words.size("en") == len(articles)
        [probe_b] = coordinator.begin([b]).probes
        assert probe_b.words_test is True
        given = given_words(b.words, "en", probe_b.word_weights)
        assert given is not None
        assert np.allclose(given.weights, weighed.weights, atol=1e-6)
        # a shard's own members are a sample: its weights would not be one grouper's
        for s in states:
            own = s.grouper.words.weigh(b.words, "en")
            assert own is None or not np.allclose(own.weights, weighed.weights, atol=1e-3)
        coordinator.end(coordinator.begin([]))  # the probe above was not decided
        assert scheme.round([b])["b"] == keys["a"]


def test_a_probe_without_the_coordinators_weights_is_weighed_by_the_shard() -> None:
    """Probes of a coordinator that did not weigh (in flight during an upgrade) carry no
    ``words_test``: the shard weighs them by its own members, as before."""
    from agents.topic_words import topic_words

    text = "Rescuers searched collapsed buildings after the earthquake shook Malatya overnight."
    article = replace(prepared_article("w", ["n:malatya", "p:g1"], 5.0), words=topic_words(text))
    old = Probe.of(article)
    record = wire(old.to_dict())
    assert "words_test" not in record and Probe.from_dict(record).words_test is None
    new = Coordinator(OPTIONS, Routing(2)).weigh(old)
    assert new.words_test is False and new.word_weights is not None  # under the pool
    assert Probe.from_dict(wire(new.to_dict(member=False))) == replace(
        new, title=None, url=None, source=None, hash=None, paras=None
    )
    with pytest.raises(MessageError):
        Probe.from_dict({**wire(new.to_dict()), "words_test": "yes"})
    state = ShardState(OPTIONS)
    for probe in (old, new):
        state.handle(wire({"kind": "apply", "article": probe.to_dict(), "event_key": None,
                           "key": f"ev-{probe.words_test}", "merged": []}))  # fmt: skip
    assert len(state.grouper.words) == 1  # one member id: kept once


def test_the_words_of_an_article_whose_decision_failed_leave_the_coordinators_index() -> None:
    from agents.topic_words import topic_words

    text = "Rescuers searched collapsed buildings after the earthquake shook Malatya overnight."
    coordinator = Coordinator(OPTIONS, Routing(2))
    articles = [
        replace(prepared_article(i, ["n:malatya", "p:g1"], 5.0), words=topic_words(text))
        for i in "xyx"
    ]
    rnd = coordinator.begin(articles)
    assert rnd.words_added == ["x", "y"] and len(coordinator.words) == 2  # "x" once
    coordinator.end(rnd)  # no decision made (they failed): their words go
    assert len(coordinator.words) == 0
