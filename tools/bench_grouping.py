"""``newsstream bench --stage grouping --open N``: the grouping stage alone, at scale.

Prepared records go straight to :meth:`agents.grouping.Grouper.assign_article` (no prepare
cost, no broker), drawn to behave like news rather than like distinct synthetic stories:

- evidence from Zipf-like vocabularies (a few very common names, places and numbers, a long
  tail): ``n:`` names (200,000), ``p:`` places (50,000), ``#:`` numbers (100,000);
- events of one to a dozen articles (geometric): translations (the event's evidence, a key
  dropped now and then, the same shape) and independent reports (part of the event's
  evidence plus their own), in 12 languages, with an int8 embedding for the 16-language
  model's languages (a random direction per event, noise per article);
- publication times spread evenly over the event window, so that every article stays open.

The events' full states live where the worker keeps them: an ``events`` table in RocksDB
(Faust's options, :data:`streams.tables.ROCKSDB_OPTIONS`; JSON values), read by the grouper
when an event changes and written after every article (the worker writes once per batch; no
changelog here). Every 10% of the feed it prints articles/s (wall clock, and per second of
the process's CPU: the machine may be shared), ms per article (p50/p99 over that tenth), the
process's RSS, the table's size on disk, RAM per open article, and the candidate events
scored per article. One core (one process). At the end, the recovery path: a new grouper
rebuilt from the table's values (:meth:`~agents.grouping.Grouper.load`), timed.
"""

from __future__ import annotations

import gc
import os
import random
import resource
import tempfile
import time
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from agents.embedding import encode_vector
from agents.grouping import EventState
from streams.memory import TRIM_EVERY, release_free_memory
from streams.records import Prepared
from streams.settings import Settings
from streams.tables import ROCKSDB_OPTIONS
from tools.bench import process_rss_mb

LANGUAGES = ("en", "de", "fr", "es", "ru", "zh", "ja", "ar", "hi", "fi", "he", "pt")
#: Languages the embedding model covers (agents.embedding): these articles carry a vector.
EMBEDDED = frozenset({"en", "de", "fr", "es", "ru", "zh", "ja", "ar", "pt"})
VOCABULARY = {"n": 200_000, "p": 50_000, "#": 100_000}
ZIPF = 1.1
DIM = 512


class Zipf:
    """Draws ranks 0..n-1 with probability proportional to 1 / (rank + 1) ** s."""

    def __init__(self, n: int, s: float, rng: np.random.Generator) -> None:
        weights = 1.0 / np.arange(1, n + 1) ** s
        self.cdf = np.cumsum(weights / weights.sum())
        self.rng = rng

    def draw(self, k: int) -> list[int]:
        return [int(i) for i in np.searchsorted(self.cdf, self.rng.random(k))]


@dataclass
class Feed:
    """A reproducible stream of prepared articles over ``window`` seconds."""

    count: int
    window: float
    seed: int = 7

    def __iter__(self) -> Iterator[Prepared]:
        rng = np.random.default_rng(self.seed)
        pick = random.Random(self.seed)
        draws = {kind: Zipf(n, ZIPF, rng) for kind, n in VOCABULARY.items()}
        start, step = 1_700_000_000.0, self.window / max(self.count, 1)
        made = 0
        event = 0
        while made < self.count:
            event += 1
            core = [
                *(f"n:w{r}" for r in draws["n"].draw(pick.randint(3, 6))),
                *(f"p:g{r}" for r in draws["p"].draw(pick.randint(1, 3))),
                *(f"#:{r}" for r in draws["#"].draw(pick.randint(2, 5))),
            ]
            direction = rng.standard_normal(DIM)
            paragraphs = pick.randint(3, 12)
            size = pick.randint(1500, 8000)
            articles = min(1 + int(rng.geometric(0.35)) - 1, 12)
            for i in range(max(1, articles)):
                if made >= self.count:
                    break
                lang = pick.choice(LANGUAGES)
                if i == 0 or pick.random() < 0.6:  # a translation
                    evidence = [k for k in core if pick.random() > 0.1] or core[:1]
                    shape = (paragraphs, size)
                else:  # an independent report of the same event
                    own = draws["n"].draw(2) + draws["#"].draw(2)
                    evidence = [k for k in core if pick.random() > 0.4] + [
                        f"n:w{r}" if j < 2 else f"#:{r}" for j, r in enumerate(own)
                    ]
                    shape = (pick.randint(3, 12), pick.randint(1500, 8000))
                vector = None
                if lang in EMBEDDED:  # the event's direction, and this article's own noise
                    vector = encode_vector(direction + 0.5 * rng.standard_normal(DIM))
                made += 1
                when = start + made * step
                yield _article(f"e{event}-{i}", lang, sorted(set(evidence)), when, shape, vector)


def _article(
    ident: str,
    lang: str,
    evidence: list[str],
    when: float,
    shape: tuple[int, int],
    vector: str | None,
) -> Prepared:
    paragraphs, size = shape
    # paragraphs of their own (what paragraph prints and a lead print are taken of)
    text = "\n\n".join(f"paragraph {k} of article {ident}, in a feed" for k in range(paragraphs))
    return Prepared(
        id=ident,
        url=f"https://example.org/{ident}",
        source="example.org",
        title=f"Title of {ident}",
        text=text,
        lang=lang,
        lang_confidence=0.99,
        languages=[{"lang": lang, "share": 1.0}],
        title_disagrees=False,
        published_at=None,
        word_count=size // 6,
        content_hash=ident,
        boilerplate_removed=[],
        evidence=evidence,
        event_time=when,
        embedding=vector,
        size=size,
    )


class TableStore(MutableMapping[str, Any]):
    """The ``events`` table as the worker's RocksDB keeps it: event key -> JSON of the
    state (:meth:`EventState.to_dict`), opened with Faust's RocksDB options and ours."""

    def __init__(self, path: Path) -> None:
        from faust.stores.rocksdb import RocksDBOptions

        self.path = path
        self.db = RocksDBOptions(**ROCKSDB_OPTIONS).open(path)

    def __getitem__(self, key: str) -> Any:
        value = self.db.get(key.encode())
        if value is None:
            raise KeyError(key)
        return orjson.loads(value)

    def __setitem__(self, key: str, value: EventState | dict[str, Any]) -> None:
        state = value.to_dict() if isinstance(value, EventState) else value
        self.db[key.encode()] = orjson.dumps(state)

    def __delitem__(self, key: str) -> None:
        self.db.delete(key.encode())

    def __iter__(self) -> Iterator[str]:
        return (key.decode() for key in self.db.keys())  # noqa: SIM118 (Rdict: no __iter__)

    def __len__(self) -> int:
        return sum(1 for _ in self.db.keys())  # noqa: SIM118

    def stored(self) -> Iterator[dict[str, Any]]:
        """Every value, as the worker's recovery reads them."""
        return (orjson.loads(value) for value in self.db.values())

    def disk_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())

    def close(self) -> None:
        self.db.close()


def run(
    settings: Settings, open_articles: int, as_json: bool = False, with_models: bool = False
) -> int:
    """Feed ``open_articles`` prepared articles to one grouping stage; print every 10%.
    ``with_models``: first load every model a worker loads (``cli.worker.load_models``), so
    that the RSS printed is a worker's with its models, all included."""
    models_mb = 0.0
    if with_models:
        from cli.worker import load_models

        before = process_rss_mb(os.getpid())
        seconds = load_models(settings)
        models_mb = process_rss_mb(os.getpid()) - before
        print(f"models loaded as a worker loads them: +{models_mb:.0f} MiB RSS in {seconds:.1f} s")
    with tempfile.TemporaryDirectory(prefix="newsstream-bench-") as tmp:
        store = TableStore(Path(tmp) / "events")
        try:
            return _run(settings, open_articles, as_json, store, models_mb)
        finally:
            store.close()


def _run(
    settings: Settings,
    open_articles: int,
    as_json: bool,
    store: TableStore,
    models_mb: float = 0.0,
) -> int:
    from agents.grouping import Grouper, GroupingOptions

    options = GroupingOptions.from_settings(settings)
    grouper = Grouper(options, store)
    feed = iter(Feed(open_articles, options.window_seconds * 0.95))
    first = next(feed)  # the feed's vocabularies drawn: the baseline leaves the bench's input out
    baseline = process_rss_mb(os.getpid())
    tenth = max(1, open_articles // 10)
    rows: list[dict[str, Any]] = []
    times: list[float] = []
    began = chunk_began = time.perf_counter()
    cpu_began = time.process_time()
    scored_before = 0
    trimmed = 0.0  # seconds spent giving freed heap back (streams.memory)
    print(
        f"newsstream bench --stage grouping: {open_articles} articles, one event window, "
        f"one core, the events table in RocksDB (RSS before the feed {baseline:.0f} MiB)",
        flush=True,
    )
    print(
        f"{'open':>9} {'art/s':>8} {'cpu a/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'RSS MiB':>8} "
        f"{'disk MB':>8} {'B/open':>7} {'cand/art':>8} {'events':>8}",
        flush=True,
    )
    for n, article in enumerate(chain([first], feed), start=1):
        t = time.perf_counter()
        result = grouper.assign_article(article)
        for gone in result.merged:
            del store[gone]
        store[result.state.event_key] = result.state
        grouper.saved()
        if n % TRIM_EVERY == 0:  # as the grouping agent does
            trimmed += release_free_memory()
        times.append(time.perf_counter() - t)
        if n % tenth == 0 or n == open_articles:
            now, cpu = time.perf_counter(), time.process_time()
            rss = process_rss_mb(os.getpid())
            scored = grouper.candidates_scored
            ms = sorted(times)
            row = {
                "open": n,
                "articles_per_s": round(len(times) / (now - chunk_began), 1),
                "articles_per_cpu_s": round(len(times) / max(cpu - cpu_began, 1e-9), 1),
                "p50_ms": round(1000 * ms[len(ms) // 2], 3),
                "p99_ms": round(1000 * ms[min(len(ms) - 1, int(len(ms) * 0.99))], 3),
                "rss_mb": round(rss, 1),
                "disk_mb": round(store.disk_bytes() / 1e6, 1),
                "ram_bytes_per_open": round((rss - baseline) * 1024 * 1024 / n),
                "candidates_per_article": round((scored - scored_before) / len(times), 1),
                "events": len(grouper.events),
            }
            rows.append(row)
            print(
                f"{n:>9} {row['articles_per_s']:>8} {row['articles_per_cpu_s']:>8} "
                f"{row['p50_ms']:>7} {row['p99_ms']:>7} {row['rss_mb']:>8} {row['disk_mb']:>8} "
                f"{row['ram_bytes_per_open']:>7} {row['candidates_per_article']:>8} "
                f"{row['events']:>8}",
                flush=True,
            )
            times, scored_before = [], scored
            chunk_began, cpu_began = time.perf_counter(), time.process_time()
    total = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{open_articles} articles in {total:.1f} s; peak RSS {peak:.0f} MiB; freed heap given "
        f"back every {TRIM_EVERY} articles as the worker does, {1000 * trimmed:.0f} ms in all",
        flush=True,
    )
    events = len(grouper.events)
    del grouper, result
    gc.collect()
    restored = Grouper(options, store)
    t = time.perf_counter()
    restored.load(store.stored())
    release_free_memory()  # as the grouping agent does after its recovery
    recovery = time.perf_counter() - t
    assert len(restored.events) == events
    print(
        f"recovery: {events} open events ({open_articles} articles) rebuilt from the table "
        f"in {recovery:.1f} s ({open_articles / recovery:.0f} articles/s); "
        f"RSS then {process_rss_mb(os.getpid()):.0f} MiB",
        flush=True,
    )
    if as_json:
        report = {
            "stage": "grouping",
            "open": open_articles,
            "rows": rows,
            "recovery_s": round(recovery, 2),
            "models_mb": round(models_mb, 1),
            "peak_rss_mb": round(peak, 1),
        }
        print(orjson.dumps(report).decode())
    return 0
