"""Simulate event grouping sharded over S workers (docs/sharding.md) against one grouper.

``python -m tools.sim_sharding --shards 2,4,8,16 FILE.jsonl ...`` (also ``newsstream eval
sharding``). Each file's documents are prepared once through the pipeline, in the order
``eval grouping`` streams them (:func:`tools.eval_grouping.prepare_docs`), then grouped:

* by one :class:`agents.grouping.Grouper`, as the single grouping task does (the reference);
* by the sharded scheme for each S (:class:`Sharded`), run by the sharded worker's own classes
  (:mod:`agents.grouping_shard`) in one process, the messages handed over in the worker's
  order: S real groupers (:class:`ShardGrouper`), each holding the members routed to it by
  their blocking keys (the ``--blocking`` keys of smallest hash, a min-hash), and a
  coordinator (:class:`Coordinator`) that sends each article to its shards, takes their bids,
  keeps the best, tells the shards (join, mint, merges) and keeps every key's count of open
  events (``--df global``; ``local``: each shard its own). Articles go in rounds
  (``--round``): the shards bid on a round's articles with what they held when it began, and
  the coordinator scores each article against the round's earlier ones itself (an in-flight
  buffer, a grouper of the round's members).

Printed per file and S: pairwise P/R/F1 against the gold groups, F1 against the single
grouper's events (agreement) and the share of articles with the single grouper's key, the
cross-shard messages and bytes per article (produced; fetched, with every shard reading the
key counts), and the load: articles probed, members held and candidate events scored per shard
(max / mean), members held per article (replication). ``--feed N``: the same on N articles of
the grouping bench's synthetic feed (:class:`tools.bench_grouping.Feed`, Zipf-like keys; gold:
its events). ``--pairs``: the SemEval pairs, scored as ``eval events`` scores them, with the
first article of a pair on its shards and the second asking its own.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from agents.grouping import Grouper, GroupingOptions, mint_key
from agents.grouping_shard import (
    ROUTE_MAX_DF,
    Coordinator,
    DocumentFrequency,
    Probe,
    Routing,
    ShardGrouper,
    poor_keys,
    spans_of,
)
from streams.settings import Settings, load_settings

if TYPE_CHECKING:
    from streams.records import Prepared

__all__ = ["DEFAULT", "ROUTE_MAX_DF", "Design", "DocumentFrequency", "Routing", "Sharded", "single"]

_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "events"


def probe_record(article: Prepared, member: bool = True) -> dict[str, Any]:
    """What a shard needs of an article to score it and, if it will hold it (``member``), to
    list it in its event (the worker's probe, :meth:`Probe.to_dict`)."""
    return Probe.of(article).to_dict(member)


def _size(record: dict[str, Any]) -> int:
    return len(orjson.dumps(record))


@dataclass(frozen=True, slots=True)
class Design:
    """The knobs of the sharded scheme (docs/sharding.md gives the chosen values)."""

    #: Blocking keys per article (0: all its keys), and their order (see :class:`Routing`).
    blocking: int = 3
    kinds_first: bool = True
    probe_all: bool = True
    #: Whether keys more common than ROUTE_MAX_DF are left out of the blocking keys.
    cap_blocking: bool = True
    #: Key counts over all shards (the coordinator's), or each shard its own postings'.
    global_df: bool = True
    #: Articles per round: the shards bid on a round with what they held when it began.
    round_size: int = 64

    def describe(self) -> str:
        order = "places and numbers first" if self.kinds_first else "by hash"
        cap = f", none in more than {ROUTE_MAX_DF} open events" if self.cap_blocking else ""
        return (
            f"an article is held by the owners of its {self.blocking or 'all'} blocking keys "
            f"({order}{cap}) and asks "
            f"{'the owners of all its keys' if self.probe_all else 'those'} for bids; "
            f"key counts {'over all shards' if self.global_df else 'per shard'}; "
            f"rounds of {self.round_size}"
        )

    def build(self, options: GroupingOptions, shards: int) -> Sharded:
        if self.round_size > 1 and not self.global_df:
            raise ValueError("rounds need the global key counts (the buffer has no others)")
        routing = Routing(
            shards, self.blocking, self.kinds_first, self.probe_all, poor_keys(options)
        )
        return Sharded(options, routing, self)


#: The design docs/sharding.md chooses.
DEFAULT = Design()


@dataclass
class Sharded:
    """The sharded scheme in one process: the worker's :class:`Coordinator` and one
    :class:`ShardGrouper` per shard, the messages handed over in order and counted."""

    options: GroupingOptions
    routing: Routing
    design: Design
    #: Messages and bytes produced, by kind (probe, bid, apply, merge, df).
    messages: Counter[str] = field(default_factory=Counter)
    produced: Counter[str] = field(default_factory=Counter)
    #: Bytes fetched by consumers (the key counts are read by every shard).
    fetched: int = 0
    coordinator_seconds: float = 0.0
    coordinator: Coordinator = field(init=False)
    groupers: list[ShardGrouper] = field(init=False)

    def __post_init__(self) -> None:
        self.coordinator = Coordinator(
            self.options, self.routing, session="sim", cap_blocking=self.design.cap_blocking
        )
        df = self.coordinator.df if self.design.global_df else None
        shards = self.routing.shards
        self.groupers = [ShardGrouper(self.options, df, shards=shards) for _ in range(shards)]

    @property
    def shards(self) -> int:
        return self.routing.shards

    @property
    def df(self) -> DocumentFrequency:
        return self.coordinator.df

    @property
    def merged_into(self) -> dict[str, str]:
        return self.coordinator.merged_into

    @property
    def coordinator_candidates(self) -> int:
        return self.coordinator.candidates_scored

    def resolve(self, event_key: str) -> str:
        return self.coordinator.resolve(event_key)

    def feed(self, articles: Iterable[Prepared]) -> dict[str, str]:
        """Each article's issued event key (as :meth:`Grouper.assign_article` returns it)."""
        issued: dict[str, str] = {}
        batch: list[Prepared] = []
        for article in articles:
            batch.append(article)
            if len(batch) == self.design.round_size:
                issued.update(self._round(batch))
                batch = []
        if batch:
            issued.update(self._round(batch))
        return issued

    def _send(self, kind: str, record: dict[str, Any], readers: int = 1) -> None:
        size = _size(record)
        self.messages[kind] += 1
        self.produced[kind] += size
        self.fetched += size * readers

    def _round(self, articles: Sequence[Prepared]) -> dict[str, str]:
        """One round, as the worker runs it: probes and bids, decisions in order, then the
        applies and merge notices (the key counts every shard reads are the coordinator's)."""
        coordinator = self.coordinator
        rnd = coordinator.begin(articles)
        for seq, (probe, where) in enumerate(zip(rnd.probes, rnd.routes, strict=True)):
            if seq in rnd.known:
                continue
            held, asked = probe.to_dict(), probe.to_dict(member=False)
            for s in where.probe:
                self._send("probe", held if s in where.store else asked)
                bid = self.groupers[s].bid(probe)
                rnd.bids[(seq, s)] = bid
                self._send(
                    "bid",
                    {
                        "id": probe.id,
                        "shard": s,
                        "best": bid.best,
                        "score": round(bid.score, 4),
                        "merge": bid.others,
                    },
                )
        decisions = []
        for seq in range(len(articles)):
            began = time.process_time()  # the coordinator's own work: decide, count, buffer
            decision = coordinator.decide(rnd, seq)
            self.coordinator_seconds += time.process_time() - began
            if self.design.global_df:  # every shard reads the changed counts
                for k, count in decision.counts.items():
                    self._send("df", {"key": k, "df": count}, readers=self.shards)
            decisions.append(decision)
        coordinator.end(rnd)
        for decision in decisions:
            key, merged = decision.key, list(decision.assignment.merged)
            for s, message in decision.shard_messages(self.shards):
                if message["kind"] == "apply":
                    self._send(
                        "apply", {"id": decision.article.id, "event_key": key, "merged": merged}
                    )
                    self.groupers[s].apply(decision.probe, decision.joined, merged)
                else:  # to every other shard: the parts of the merged event they hold
                    self._send("merge", {"event_key": message["event_key"], "merged_into": key})
                    self.groupers[s].absorb(key, message["event_key"])
        spans = spans_of(decisions)  # every shard reads the events' times over all shards
        if spans:
            self._send("spans", {"spans": {k: list(v) for k, v in spans.items()}}, self.shards)
            for grouper in self.groupers:
                for event_key, (first, last) in spans.items():
                    grouper.span(event_key, first, last)
        return {d.article.id: d.key for d in decisions}

    def load(self) -> dict[str, Any]:
        """Articles probed, members held, candidates scored and CPU seconds per shard."""
        out: dict[str, Any] = {}
        for name, values in (
            ("probes", [g.probes for g in self.groupers]),
            ("members", [g.members for g in self.groupers]),
            ("candidates", [g.candidates_scored for g in self.groupers]),
            ("seconds", [g.seconds for g in self.groupers]),
        ):
            mean = sum(values) / len(values)
            out[name] = {"max": max(values), "mean": mean, "sum": sum(values)}
        return out


# -- runs ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reference:
    """The single grouper's events (resolved), candidates scored and CPU seconds."""

    pred: dict[str, str]
    issued: dict[str, str]
    candidates: int
    seconds: float
    events: int


def single(options: GroupingOptions, articles: Sequence[Prepared]) -> Reference:
    """The articles through one grouper, as the worker groups them today."""
    grouper = Grouper(options)
    began = time.process_time()
    issued = {a.id: grouper.assign_article(a).event_key for a in articles}
    seconds = time.process_time() - began
    pred = {doc: grouper.resolve(key) for doc, key in issued.items()}
    return Reference(pred, issued, grouper.candidates_scored, seconds, len(set(pred.values())))


def compare(
    options: GroupingOptions,
    articles: Sequence[Prepared],
    gold: dict[str, str],
    shard_counts: Sequence[int],
    design: Design,
) -> dict[str, Any]:
    """The single grouper and the sharded scheme for each S on ``articles``: quality against
    ``gold`` and against the single grouper, traffic and load."""
    from tools.eval_grouping import score

    lang = {a.id: a.lang for a in articles}
    reference = single(options, articles)
    result: dict[str, Any] = {
        "articles": len(articles),
        "single": {
            **score(gold, reference.pred, lang)["pairwise"],
            "events": reference.events,
            "candidates": reference.candidates,
            "seconds": reference.seconds,
        },
        "sharded": [],
    }
    for shards in shard_counts:
        sharded = design.build(options, shards)
        issued = sharded.feed(articles)
        pred = {doc: sharded.resolve(key) for doc, key in issued.items()}
        n = len(articles)
        result["sharded"].append(
            {
                "shards": shards,
                **score(gold, pred, lang)["pairwise"],
                "events": len(set(pred.values())),
                "agreement_f1": score(reference.pred, pred, lang)["pairwise"]["f1"],
                "same_key": sum(pred[d] == reference.pred[d] for d in pred) / n,
                "messages_per_article": {k: v / n for k, v in sorted(sharded.messages.items())},
                "bytes_per_article": sum(sharded.produced.values()) / n,
                "bytes_per_article_by_kind": {
                    k: v / n for k, v in sorted(sharded.produced.items())
                },
                "fetched_bytes_per_article": sharded.fetched / n,
                "load": sharded.load(),
                "coordinator_candidates": sharded.coordinator_candidates,
                "coordinator_seconds": sharded.coordinator_seconds,
            }
        )
    return result


def sharded_pairs(
    settings: Settings, path: str, shard_counts: Sequence[int], design: Design
) -> dict[str, Any]:
    """``eval events``' pair evaluation, one grouper and sharded: every article an open event
    of its own on its shards (a pool of ~2,800), then would the second article of a pair,
    asking its own shards, join the first's event?"""
    from tools.eval_events import pair_articles, pair_counts

    options = GroupingOptions.from_settings(settings)
    rows, prepared = pair_articles(settings, path)
    grouper = Grouper(options)
    keys = {doc: grouper.assign_article(a, match=False).event_key for doc, a in prepared.items()}
    out: dict[str, Any] = {
        "articles": len(prepared),
        "single": pair_counts(rows, prepared, lambda a, b: grouper.pair_score(keys[a.id], b) > 0.0),
    }
    for shards in shard_counts:
        scheme = design.build(options, shards)
        coordinator = scheme.coordinator
        for article in prepared.values():  # each mints its own event on its shards
            key = mint_key(article.id)
            scheme.df.update(key, article.evidence, ())
            probe = coordinator.weigh(Probe.of(article))
            coordinator.add_words(probe)
            for s in scheme.routing.route(article, scheme.df).store:
                scheme.groupers[s].apply(probe, None, ())
        # the second article of a pair weighed over all the others, as one grouper weighs it
        asked = {doc: coordinator.weigh(Probe.of(a)) for doc, a in prepared.items()}

        def joined(
            a: Prepared, b: Prepared, scheme: Sharded = scheme, asked: dict[str, Probe] = asked
        ) -> bool:
            for s in scheme.routing.route(b, scheme.df).probe:
                shard = scheme.groupers[s]
                if keys[a.id] not in shard.events:
                    continue
                with shard.weighing(asked[b.id]):
                    if shard.pair_score(keys[a.id], b) > 0.0:
                        return True
            return False

        out[str(shards)] = pair_counts(rows, prepared, joined)
    return out


# -- command line --------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE.jsonl",
        help="documents {doc_id, lang, title, text, group}, each file a set",
    )
    parser.add_argument(
        "--shards", default="2,4,8,16", help="shard counts, comma-separated (default 2,4,8,16)"
    )
    parser.add_argument(
        "--blocking",
        type=int,
        default=DEFAULT.blocking,
        help=f"blocking keys per article: the shards that hold it (0: all; {DEFAULT.blocking})",
    )
    parser.add_argument(
        "--order",
        choices=("kinds", "hash"),
        default="kinds",
        help="blocking keys: places and numbers first (default), or by hash alone",
    )
    parser.add_argument(
        "--probe",
        choices=("all", "own"),
        default="all",
        help="bids from the owners of all the article's keys (default) or its own shards only",
    )
    parser.add_argument(
        "--no-cap", action="store_true", help=f"let keys in > {ROUTE_MAX_DF} open events block"
    )
    parser.add_argument(
        "--round",
        type=int,
        default=DEFAULT.round_size,
        help=f"articles per round (1: one at a time; default {DEFAULT.round_size})",
    )
    parser.add_argument(
        "--df",
        choices=("global", "local"),
        default="global",
        help="key counts over all shards (default) or each shard's own (needs --round 1)",
    )
    parser.add_argument("--seed", type=int, default=13, help="shuffle seed (default 13)")
    parser.add_argument("--together", action="store_true", help="also all the files as one stream")
    parser.add_argument(
        "--feed", type=int, default=0, metavar="N", help="also N articles of the bench's feed"
    )
    parser.add_argument(
        "--pairs",
        nargs="?",
        const=str(_SHARED / "semeval2022_task8_train_pairs.jsonl"),
        default=None,
        help="also the SemEval pairs as eval events scores them (default: ../shared's)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON last")


def design_of(args: argparse.Namespace) -> Design:
    return Design(
        blocking=args.blocking,
        kinds_first=args.order == "kinds",
        probe_all=args.probe == "all",
        cap_blocking=not args.no_cap,
        global_df=args.df == "global",
        round_size=max(1, args.round),
    )


def run(settings: Settings, args: argparse.Namespace) -> int:
    from agents.pipeline import Pipeline
    from tools.eval_grouping import load, prepare_docs, shuffled

    if not (args.files or args.feed or args.pairs):
        print("give FILE.jsonl, --feed N or --pairs", file=sys.stderr)
        return 2
    shard_counts = [int(s) for s in str(args.shards).split(",") if s]
    options = GroupingOptions.from_settings(settings)
    design = design_of(args)
    print(
        f"newsstream sharding simulation: S = {', '.join(map(str, shard_counts))}; "
        + design.describe()
    )
    results: dict[str, Any] = {"design": asdict(design), "shards": shard_counts, "sets": {}}
    prepared_by_id: dict[str, Prepared] = {}
    gold_all: dict[str, str] = {}
    if args.files:
        pipeline = Pipeline.from_settings(settings)
        for path in args.files:
            docs = shuffled(load([path], None), args.seed)
            articles = prepare_docs(pipeline, docs)
            gold = {d.doc_id: d.group for d in docs}
            gold_all.update({d.doc_id: f"{Path(path).name}:{d.group}" for d in docs})
            prepared_by_id.update((a.id, a) for a in articles)
            found = compare(options, articles, gold, shard_counts, design)
            results["sets"][Path(path).name] = found
            _print(Path(path).name, found)
    if args.together and len(args.files) > 1:
        docs = shuffled(load(args.files, None), args.seed)
        articles = [prepared_by_id[d.doc_id] for d in docs if d.doc_id in prepared_by_id]
        gold = {a.id: gold_all[a.id] for a in articles}
        found = compare(options, articles, gold, shard_counts, design)
        results["sets"]["all files"] = found
        _print("all files, one stream", found)
    if args.feed:
        from tools.bench_grouping import Feed

        articles = list(Feed(args.feed, options.window_seconds * 0.95))
        gold = {a.id: a.id.rsplit("-", 1)[0] for a in articles}
        found = compare(options, articles, gold, shard_counts, design)
        results["sets"][f"feed {args.feed}"] = found
        _print(f"bench feed, {args.feed} articles", found)
    if args.pairs:
        found = sharded_pairs(settings, args.pairs, shard_counts, design)
        results["pairs"] = found
        _print_pairs(args.pairs, found, shard_counts)
    if args.json:
        print(orjson.dumps(results).decode())
    return 0


def _print(name: str, found: dict[str, Any]) -> None:
    one = found["single"]
    print(
        f"\n{name}: {found['articles']} articles; one grouper: P {one['precision']:.4f} "
        f"R {one['recall']:.4f} F1 {one['f1']:.4f}, {one['events']} events, "
        f"{one['candidates'] / found['articles']:.1f} candidates/article, "
        f"{one['seconds']:.1f} s"
    )
    print(
        f"{'S':>3} {'P':>7} {'R':>7} {'F1':>7} {'dF1':>8} {'agreeF1':>8} {'same':>6} "
        f"{'msg/art':>8} {'B/art':>7} {'fetchB/art':>10} {'probes max/mean':>16} "
        f"{'members max/mean':>17} {'repl':>5} {'cand max/one':>12} {'s max/one':>9} "
        f"{'coord s/one':>11}"
    )
    for row in found["sharded"]:
        load = row["load"]
        n = found["articles"]
        msgs = sum(row["messages_per_article"].values())
        print(
            f"{row['shards']:>3} {row['precision']:>7.4f} {row['recall']:>7.4f} "
            f"{row['f1']:>7.4f} {row['f1'] - one['f1']:>+8.4f} {row['agreement_f1']:>8.4f} "
            f"{row['same_key']:>6.1%} {msgs:>8.2f} {row['bytes_per_article']:>7.0f} "
            f"{row['fetched_bytes_per_article']:>10.0f} "
            f"{load['probes']['max']:>7}/{load['probes']['mean']:<8.0f} "
            f"{load['members']['max']:>8}/{load['members']['mean']:<8.0f} "
            f"{load['members']['sum'] / n:>5.2f} "
            f"{load['candidates']['max'] / max(one['candidates'], 1):>12.2f} "
            f"{load['seconds']['max'] / max(one['seconds'], 1e-9):>9.2f} "
            f"{row['coordinator_seconds'] / max(one['seconds'], 1e-9):>11.2f}"
        )
    kinds = Counter[str]()
    for row in found["sharded"]:
        kinds.update(row["messages_per_article"].keys())
    for row in found["sharded"]:
        per, size = row["messages_per_article"], row["bytes_per_article_by_kind"]
        print(
            f"    S={row['shards']}: per article "
            + ", ".join(
                f"{k} {per.get(k, 0.0):.2f} ({size.get(k, 0.0):.0f} B)" for k in sorted(kinds)
            )
        )


def _print_pairs(path: str, found: dict[str, Any], shard_counts: Sequence[int]) -> None:
    print(f"\nSemEval pairs ({path}, {found['articles']} articles): joined, one grouper -> S")
    names = ("all", "cross-lingual", "de-en")
    for band, label in (("same_story", "same story"), ("different", "clearly different")):
        for name in names:
            one = found["single"][band].get(name)
            if one is None:
                continue
            cells = " ".join(
                f"S={s} {found[str(s)][band][name]['joined']:.1%}" for s in shard_counts
            )
            print(f"  {label:<18}{name:<14} n {one['n']:>4}  one {one['joined']:.1%}  {cells}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.sim_sharding",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(load_settings(), args)


if __name__ == "__main__":
    sys.exit(main())
