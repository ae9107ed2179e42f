"""``python -m tools.chaos``: crash the worker and the broker while articles flow, then count.

Starts its own broker (free loopback ports, a temporary directory), feeds synthetic articles
that form known event groups (``stories`` of ``per_story`` articles sharing names and numbers,
unrelated across stories), and meanwhile:

* ``kill``:   SIGKILLs the worker at random points and restarts it, ``kills`` times;
* ``broker``: stops the broker mid-feed and starts it again (the worker must recover alone);
* ``pair``:   starts a second worker mid-feed (1 -> 2 workers: partitions move to it, with
  their table state), then SIGKILLs the worker that runs the grouping stage (the single
  ``news.prepared`` partition and its ``events`` table): the survivor takes its partitions,
  grouping state included. The group check below is the test of issue #5 ("the grouping state
  must stay correct when partitions move").

Then it reads ``news.enriched`` and ``news.events`` (``read_committed``) and checks: every
input id appears exactly once on ``news.enriched``; every event group lists each member once;
the groups are those of an uninterrupted run (the stories; ``--reference`` also computes them
in-process with the worker's own functions). It prints what it did and what it counted, and
exits 1 when a check fails. The integration test ``tests/integration/test_faults.py`` runs a
short version of the same scenarios.
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from cli import tail
from cli.feed import produce
from cli.supervise import WorkerProcess, free_port
from deploy import broker
from deploy.topics import ensure_topics
from streams.topics import ENRICHED, EVENTS, PREPARED, RAW, topic_specs

PARTITIONS = 8
_SYLLABLES = tuple(
    "ka lo mir ven dra tos bel qui zan mor fel rud sha pim gor tev lan cro vik dun".split()  # noqa: SIM905
)


# -- the articles --------------------------------------------------------------------------------
def _names(rng: random.Random) -> Iterator[str]:
    """Made-up words of four syllables, no two alike, even once folded as names are."""
    from agents.evidence import normalise_name

    n = len(_SYLLABLES)
    seen: set[str] = set()
    for code in rng.sample(range(n**4), n**4):
        syllables = []
        for _ in range(4):
            code, i = divmod(code, n)
            syllables.append(_SYLLABLES[i])
        word = "".join(syllables).capitalize()
        if (key := normalise_name(word, "en")) not in seen:
            seen.add(key)
            yield word


def synthetic_articles(
    stories: int, per_story: int, run: str, seed: int = 7
) -> list[dict[str, Any]]:
    """``stories`` × ``per_story`` English articles, shuffled; ids ``<run>-s<story>-v<n>``.

    The articles of one story share three made-up full names and a number, in the same shape;
    stories share only the template: no word of a name and no number is used by two stories
    (by chance, they would be: 2,500 stories of random names share surnames, and two reports
    in one template naming one person are fairly one event).
    """
    rng = random.Random(seed)
    words = _names(rng)
    numbers = rng.sample(range(1000, 100_000), stories)
    docs = []
    for s in range(stories):
        a, b, c = (f"{next(words)} {next(words)}" for _ in range(3))
        num = numbers[s]
        for v in range(per_story):
            text = (
                f"On Tuesday the minister {a} met {b} to discuss a budget of {num} million. "
                f"Officials said {c} would lead the talks next week.\n\n"
                f"Critics of {a} warned that the plan, worth {num} million, was rushed. "
                f"{b} rejected that view in a statement, report number {v}."
            )
            docs.append(
                {
                    "id": f"{run}-s{s}-v{v}",
                    "title": f"{a} and {b} agree on {num} plan",
                    "text": text,
                    "published_at": "2024-05-01T10:00:00Z",
                }
            )
    rng.shuffle(docs)
    return docs


def story_of(article_id: str) -> str:
    return article_id.rsplit("-v", 1)[0]


def reference_groups(docs: list[dict[str, Any]]) -> set[frozenset[str]]:
    """The groups of an uninterrupted run: the worker's functions, in-process, in feed order."""
    from agents.pipeline import Pipeline
    from streams.records import Rejected
    from streams.settings import load_settings

    pipeline = Pipeline.from_settings(load_settings({}))
    grouper = pipeline.new_grouper()
    groups: dict[str, set[str]] = {}
    for doc in docs:
        [prepared] = pipeline.prepare([(orjson.dumps(doc), doc["id"].encode())], time.time())
        assert not isinstance(prepared, Rejected), prepared
        groups.setdefault(pipeline.assign(grouper, prepared).event_key, set()).add(doc["id"])
    return {frozenset(g) for g in groups.values()}


# -- what was counted ----------------------------------------------------------------------------
@dataclass
class Report:
    """What a chaos run did and counted."""

    scenario: str
    fed: int = 0
    actions: list[str] = field(default_factory=list)
    enriched_records: int = 0
    distinct_ids: int = 0
    missing: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    #: Ids published more than once with different event keys (duplicates that would harm).
    inconsistent: list[str] = field(default_factory=list)
    groups: int = 0
    groups_with_repeated_members: list[str] = field(default_factory=list)
    groups_differing: int = 0
    #: The published groups an uninterrupted run does not have: their members' titles.
    wrong_groups: list[list[str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Nothing lost, groups right, and duplicates (if any) harmless."""
        return not (
            self.missing
            or self.inconsistent
            or self.groups_with_repeated_members
            or self.groups_differing
        )

    @property
    def exactly_once(self) -> bool:
        return self.ok and not self.duplicated

    def lines(self) -> Iterator[str]:
        verdict = (
            "exactly once" if self.exactly_once else "OK, with duplicates" if self.ok else "FAILED"
        )
        yield f"scenario {self.scenario}: {verdict} in {self.seconds:.0f} s"
        for action in self.actions:
            yield f"  did: {action}"
        yield f"  fed {self.fed} articles"
        yield (
            f"  news.enriched: {self.enriched_records} records, {self.distinct_ids} distinct ids,"
            f" {len(self.missing)} missing, {len(self.duplicated)} duplicated"
            f" ({len(self.inconsistent)} with differing event keys)"
        )
        yield (
            f"  news.events: {self.groups} groups, {len(self.groups_with_repeated_members)}"
            f" listing a member twice, {self.groups_differing} differing from an uninterrupted run"
        )
        for name in ("missing", "duplicated", "inconsistent", "groups_with_repeated_members"):
            if getattr(self, name):
                yield f"  {name}: {getattr(self, name)[:10]}"
        for titles in self.wrong_groups[:5]:
            yield f"  a group no uninterrupted run has: {titles}"


def count(
    bootstrap: str,
    docs: list[dict[str, Any]],
    reference: set[frozenset[str]],
    report: Report,
    timeout: float,
) -> None:
    """Read the outputs until every id is there (or ``timeout``), then count into ``report``."""
    want = {d["id"] for d in docs}
    run = docs[0]["id"].split("-", 1)[0] + "-"
    seen: Counter[str] = Counter()
    keys: dict[str, str] = {}
    all_keys: dict[str, set[str]] = {}
    deadline = time.monotonic() + timeout
    while True:
        seen.clear()
        all_keys.clear()
        for rec in tail.records(bootstrap, ENRICHED, idle_timeout=3.0):
            value = rec["value"]
            if isinstance(value, dict) and str(value.get("id", "")).startswith(run):
                seen[value["id"]] += 1
                keys[value["id"]] = value["event_key"]
                all_keys.setdefault(value["id"], set()).add(value["event_key"])
        if want <= seen.keys() or time.monotonic() > deadline:
            break
        time.sleep(2.0)
    groups: dict[str, list[str]] = {}
    for rec in tail.records(bootstrap, EVENTS, idle_timeout=3.0):
        value = rec["value"]
        members = [m["id"] for m in value["members"]] if isinstance(value, dict) else []
        if members and members[0].startswith(run):
            groups[rec["key"]] = members  # the latest record per key is the group
    report.enriched_records = sum(seen.values())
    report.distinct_ids = len(seen)
    report.missing = sorted(want - seen.keys())
    report.duplicated = sorted(i for i, n in seen.items() if n > 1)
    report.inconsistent = sorted(i for i, k in all_keys.items() if len(k) > 1)
    report.groups = len(groups)
    report.groups_with_repeated_members = sorted(
        k for k, members in groups.items() if len(members) != len(set(members))
    )
    by_key: dict[str, set[str]] = {}
    for ident, key in keys.items():
        by_key.setdefault(key, set()).add(ident)
    from_records = {frozenset(g) for g in by_key.values()}
    from_events = {frozenset(m) for m in groups.values()}
    report.groups_differing = len(reference ^ from_records) + len(reference ^ from_events)
    title = {d["id"]: f"{d['id']}: {d['title']}" for d in docs}
    report.wrong_groups = [
        sorted(title.get(i, i) for i in g) for g in sorted(from_events - reference, key=sorted)
    ]


# -- the machinery -------------------------------------------------------------------------------
@contextmanager
def local_broker(root: Path) -> Iterator[broker.BrokerConfig]:
    """A broker of its own for the run, stopped on the way out whatever happens."""
    cfg = broker.BrokerConfig(
        version=broker.resolve_version(None),
        port=free_port(),
        controller_port=free_port(),
        data_dir=root / "kafka",
    )
    broker.start(cfg)
    try:
        ensure_topics(broker.bootstrap(cfg), topic_specs(PARTITIONS))
        yield cfg
    finally:
        broker.stop(cfg)


def new_worker(bootstrap: str, root: Path, app_id: str, name: str, guarantee: str) -> WorkerProcess:
    data = root / f"data-{name}"
    data.mkdir(parents=True, exist_ok=True)
    return WorkerProcess(
        {
            "NEWSSTREAM_BROKER": bootstrap,
            "NEWSSTREAM_APP_ID": app_id,
            "NEWSSTREAM_DATA_DIR": str(data),
            "NEWSSTREAM_PARTITIONS": str(PARTITIONS),
            "NEWSSTREAM_PROCESSING_GUARANTEE": guarantee,
        },
        root / f"logs-{name}",
    )


def sigkill(worker: WorkerProcess) -> None:
    """SIGKILL the worker (no clean shutdown, no commit) and reap it."""
    if worker.proc is not None and worker.proc.poll() is None:
        worker.proc.send_signal(signal.SIGKILL)
        worker.proc.wait(30)
    worker.stop()  # closes the log file


def _assigned(worker: WorkerProcess) -> set[str]:
    """The ``topic:partition`` names the worker consumes (its ``/health``); empty if unknown."""
    try:
        with urllib.request.urlopen(worker.web_url + "/health", timeout=5) as response:
            body = orjson.loads(response.read())
    except urllib.error.HTTPError as exc:  # 503 while (re)joining the group
        body = orjson.loads(exc.read() or b"{}")
    except OSError:
        return set()
    return set(body.get("lag_by_partition") or {})


def grouping_owner(workers: list[WorkerProcess], timeout: float = 60.0) -> int:
    """The index of the worker that consumes ``news.prepared`` (the grouping stage)."""
    deadline = time.monotonic() + timeout
    while True:
        owners = [i for i, w in enumerate(workers) if f"{PREPARED}:0" in _assigned(w)]
        if len(owners) == 1:
            return owners[0]
        if time.monotonic() > deadline:
            raise TimeoutError(f"no single worker consumes {PREPARED}:0 (got {owners})")
        time.sleep(0.5)


def raw_split(workers: list[WorkerProcess], owner: int, timeout: float = 60.0) -> tuple[int, int]:
    """(``news.raw`` partitions of the grouping worker, of the other) once they add up."""
    deadline = time.monotonic() + timeout
    while True:
        held = [sum(tp.startswith(f"{RAW}:") for tp in _assigned(w)) for w in workers]
        if sum(held) == PARTITIONS and all(held):
            return held[owner], held[1 - owner]
        if time.monotonic() > deadline:
            raise TimeoutError(f"{RAW} partitions held: {held} (of {PARTITIONS})")
        time.sleep(0.5)


def _feed_slowly(
    bootstrap: str, docs: list[dict[str, Any]], seconds: float, errors: list[BaseException]
) -> None:
    chunks = 20
    size = max(1, -(-len(docs) // chunks))
    try:
        for i in range(0, len(docs), size):
            part = docs[i : i + size]
            messages = [(d["id"].encode(), orjson.dumps(d)) for d in part]
            # Patient, as an upstream producer is: the broker may be restarting (``broker``).
            produce(bootstrap, messages, progress=False, wait_for_broker=120.0)
            time.sleep(seconds / chunks)
    except BaseException as exc:  # reported by the main thread
        errors.append(exc)


def run_scenario(
    scenario: str,
    articles: int = 2_000,
    kills: int = 3,
    feed_seconds: float = 30.0,
    seed: int | None = None,
    guarantee: str = "at_least_once",
    reference: bool = False,
    timeout: float = 240.0,
    log: Callable[[str], None] = lambda line: None,
    root: Path | None = None,
) -> Report:
    """One scenario (``kill``, ``broker`` or ``pair``) on a broker of its own; its report."""
    rng = random.Random(seed)
    run = uuid.uuid4().hex[:8]
    per_story = 4
    docs = synthetic_articles(
        max(1, articles // per_story), per_story, run, seed=rng.randrange(1 << 30)
    )
    report = Report(scenario, fed=len(docs))
    groups = (
        reference_groups(docs)
        if reference
        else {
            frozenset(d["id"] for d in docs if story_of(d["id"]) == s)
            for s in {story_of(d["id"]) for d in docs}
        }
    )
    began = time.monotonic()
    own_root = root is None
    base = Path(tempfile.mkdtemp(prefix="newsstream-chaos-")) if root is None else root
    workers: list[WorkerProcess] = []
    try:
        with local_broker(base) as cfg:
            bootstrap = broker.bootstrap(cfg)
            app_id = f"newsstream-chaos-{run}"
            names = ("a", "b") if scenario == "pair" else ("a",)
            workers = [new_worker(bootstrap, base, app_id, n, guarantee) for n in names]
            workers[0].start()  # the pair's second worker joins mid-feed (``_disturb``)
            log(f"broker {cfg.version} on {bootstrap}; a worker ready ({guarantee})")
            errors: list[BaseException] = []
            feeder = threading.Thread(
                target=_feed_slowly, args=(bootstrap, docs, feed_seconds, errors), daemon=True
            )
            feeder.start()
            _disturb(scenario, cfg, workers, kills, feed_seconds, rng, report, log)
            feeder.join(feed_seconds + 120)
            if errors:
                raise errors[0]
            if feeder.is_alive():
                raise TimeoutError("feeding did not finish")
            count(bootstrap, docs, groups, report, timeout)
            for w in workers:
                w.stop()
    finally:
        for w in workers:
            w.stop()
        if own_root:
            shutil.rmtree(base, ignore_errors=True)
    report.seconds = time.monotonic() - began
    return report


def _disturb(
    scenario: str,
    cfg: broker.BrokerConfig,
    workers: list[WorkerProcess],
    kills: int,
    feed_seconds: float,
    rng: random.Random,
    report: Report,
    log: Callable[[str], None],
) -> None:
    def act(what: str) -> None:
        report.actions.append(what)
        log(what)

    if scenario == "kill":
        for n in range(kills):
            time.sleep(rng.uniform(0.2, 1.0) * feed_seconds / kills)
            sigkill(workers[0])
            act(f"SIGKILL worker ({n + 1}/{kills})")
            workers[0].start()
            act("worker restarted")
    elif scenario == "broker":
        time.sleep(rng.uniform(0.2, 0.5) * feed_seconds)
        broker.stop(cfg)
        act("broker stopped")
        time.sleep(5.0)
        broker.start(cfg)
        act("broker started again (the worker was left alone)")
    elif scenario == "pair":
        time.sleep(rng.uniform(0.1, 0.25) * feed_seconds)
        began = time.monotonic()
        workers[1].start()
        act(
            f"second worker started mid-feed, ready in {time.monotonic() - began:.0f} s"
            " (1 -> 2 workers: partitions move to it)"
        )
        time.sleep(rng.uniform(0.1, 0.25) * feed_seconds)
        owner = grouping_owner(workers)
        mine, theirs = raw_split(workers, owner)
        act(f"{RAW} partitions: {mine} on the grouping worker, {theirs} on the other")
        sigkill(workers[owner])
        act(
            f"SIGKILL worker {'ab'[owner]}, the one running the grouping stage ({PREPARED}:0);"
            " the other must take its partitions and its grouping state"
        )
    else:
        raise ValueError(f"unknown scenario {scenario!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.chaos", description=__doc__.split("\n")[0]
    )
    parser.add_argument("scenarios", nargs="*", default=["kill", "broker", "pair"])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=8)
    parser.add_argument("--feed-seconds", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--guarantee",
        default="at_least_once",
        choices=("at_least_once", "exactly_once"),
        help="the worker's processing guarantee; exactly_once is experimental (see README)",
    )
    parser.add_argument("--reference", action="store_true", help="compute the groups in-process")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="for the outputs to be complete"
    )
    args = parser.parse_args(argv)
    failed = 0
    for scenario in args.scenarios:
        report = run_scenario(
            scenario,
            articles=args.articles,
            kills=args.kills,
            feed_seconds=args.feed_seconds,
            seed=args.seed,
            guarantee=args.guarantee,
            reference=args.reference,
            timeout=args.timeout,
            log=lambda line: print(f"[{time.strftime('%H:%M:%S')}] {line}", flush=True),
        )
        for line in report.lines():
            print(line, flush=True)
        failed += not report.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
