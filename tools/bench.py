"""Throughput, latency and memory of the pipeline, measured against a real Kafka broker.

``newsstream bench --articles N [--workers W] [--rate R] [--input text|html] [--separate]
[--json]`` starts a local broker in a temporary directory (unless ``NEWSSTREAM_BROKER`` names
one, which must then run no other newsstream worker), builds N articles (WMT translated news from
``../shared/data/translated_news`` when present, else the bundled samples; for ``--input html``
the trafilatura benchmark's pages) and measures, one phase after the other:

``inprocess``    ``newsstream process``'s :func:`~cli.process.process_lines` on the articles (no
                 broker), with each stage's CPU time (the CPU shares);
``passthrough``  the articles pre-loaded into ``news.raw``, then W Faust workers that only decode
                 and re-publish each message to ``bench.passthrough``: the framework's ceiling;
``pipeline``     the articles pre-loaded into ``news.raw``, then W workers: with W > 1, one
                 ``newsstream worker --processes W`` (W workers forked from a process that
                 loaded the models once), with ``--separate`` or W = 1, W ``newsstream
                 worker`` processes; timed from the first worker's readiness to the last
                 record out (``news.enriched`` or ``news.deadletter``). Each worker's memory:
                 its peak RSS and its PSS (:func:`process_pss_mb`, sampled about once a
                 second), the forking process's, and the largest sum of them all;
``latency``      W fresh workers (started as in ``pipeline``), articles produced at a fixed
                 rate R; for each, the time from its ``news.raw`` message timestamp to the
                 moment its enriched record is received here (one machine, one clock);
``trafilatura``  (``--input html`` only) ``trafilatura.extract`` on the same pages, in-process.

Every broker phase uses a fresh app id (so fresh consumer groups and tables), whose committed
offsets are first set to the end of the topics it reads, and ids unique to the phase; a phase
is done when a kafka-python consumer, positioned at the end of the output topics before the
feed, has seen every id. Each phase is bounded by ``--timeout``; the broker and every worker
are stopped at the end, whatever happens. A readable table goes to stdout, progress to
stderr, and with ``--json`` the last line printed is the result as one JSON object.

``python -m tools.bench passthrough-worker`` is the passthrough worker (settings from the same
``NEWSSTREAM_*`` variables as ``newsstream worker``).
"""

from __future__ import annotations

import argparse
import io
import math
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import orjson

from agents.pipeline import STAGES as PIPELINE_STAGES
from cli.supervise import WorkerProcess, broker_for, broker_security
from streams import topics
from streams.security import client_kwargs, security_env, security_variables
from streams.settings import Settings, child_environment, load_settings
from tools import procfs

#: The passthrough worker's output topic.
PASSTHROUGH = "bench.passthrough"
#: How the pipeline's worker is run: ``python -m streams worker`` (``newsstream worker``).
WORKER_ARGS = ("-m", "streams", "worker")
#: Where the simulated publication times of ``--spacing`` start (2024-01-01T00:00:00Z).
FEED_START = 1_704_067_200.0
#: The stages whose CPU time is reported: the pipeline's (``learning`` is the per-source
#: chrome: reading, applying and updating a source's learned state) and ``other``, the rest of
#: the per-article work (word count, content hash, building the records, JSON encoding).
STAGES = (*PIPELINE_STAGES, "other")
#: The source checkout these tools live in.
CHECKOUT = Path(__file__).resolve().parents[1]
_DATA = CHECKOUT.parent / "shared" / "data"
DEFAULT_TEXT_DATA = _DATA / "translated_news"
DEFAULT_HTML_DATA = _DATA / "extraction" / "trafilatura-eval"
#: Targets from the issue, checked in the table and listed under ``targets`` in the JSON.
TARGET_PIPELINE_2W = 300.0
TARGET_ONE_WORKER_SHARE = 0.70
TARGET_P99_MS = 500.0
TARGET_P99_RATE = 100.0

Message = tuple[bytes, bytes]


def _say(text: str) -> None:
    """Progress, on stderr (stdout holds the table and the JSON)."""
    print(text, file=sys.stderr, flush=True)


# -- the articles --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Corpus:
    """Documents to cycle through (without ids) and where they came from."""

    name: str
    kind: str
    docs: list[dict[str, Any]]

    def messages(self, prefix: str, count: int, spacing: float = 0.0) -> list[Message]:
        """``count`` ``news.raw`` messages keyed by their ids ``prefix000000``, ``prefix000001``…

        With ``spacing``, article n is published ``n * spacing`` seconds after a fixed start,
        as in a live feed: the event window then closes old events (and a document met again
        in the next cycle through the corpus starts a new event rather than growing an old
        one). Without it, no article has a date (all happen "now")."""
        out: list[Message] = []
        for number in range(count):
            ident = f"{prefix}{number:06d}"
            doc = {"id": ident, **self.docs[number % len(self.docs)]}
            if spacing > 0:
                when = datetime.fromtimestamp(FEED_START + number * spacing, UTC)
                doc["published_at"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
            out.append((ident.encode(), orjson.dumps(doc)))
        return out


def text_corpus(directory: Path) -> Corpus:
    """WMT translated news from ``directory`` (``*.jsonl``), else the bundled samples.

    Documents are ordered by event group (translations of one article next to each other, as
    crawlers find them), the groups in a fixed shuffled order.
    """
    paths = sorted(directory.glob("*.jsonl")) if directory.is_dir() else []
    groups: dict[str, list[dict[str, Any]]] = {}
    for path in paths:
        with path.open("rb") as handle:
            for line in handle:
                doc = orjson.loads(line)
                if isinstance(doc.get("text"), str) and doc["text"].strip():
                    groups.setdefault(str(doc.get("group") or doc.get("doc_id")), []).append(
                        {"title": doc.get("title"), "text": doc["text"], "source": _site(doc)}
                    )
    if groups:
        order = sorted(groups)
        random.Random(5).shuffle(order)
        return Corpus("translated_news", "text", [doc for key in order for doc in groups[key]])
    text = files("cli").joinpath("samples/articles.jsonl").read_text(encoding="utf-8")
    docs = [orjson.loads(line) for line in text.splitlines() if line.strip()]
    return Corpus("samples", "text", [{k: v for k, v in d.items() if k != "id"} for d in docs])


def _site(doc: dict[str, Any]) -> str | None:
    """The site a WMT document came from: ``newstest2013/bbc/…/en`` -> ``bbc`` (203 sites)."""
    parts = str(doc.get("doc_id", "")).split("/")
    return parts[1] if len(parts) > 2 else doc.get("source_set")


def html_corpus(directory: Path) -> Corpus:
    """The trafilatura benchmark's pages (``evaldata.json`` + ``html/``), decoded as it does."""
    from trafilatura.utils import decode_file

    index = directory / "evaldata.json"
    if not index.is_file():
        raise SystemExit(f"newsstream bench: no HTML pages: {index} is missing (see --data)")
    items: dict[str, dict[str, Any]] = orjson.loads(index.read_bytes())
    docs = [
        {"url": url, "html": decode_file((directory / "html" / item["file"]).read_bytes())}
        for url, item in items.items()
        if (directory / "html" / item["file"]).is_file()
    ]
    return Corpus("trafilatura-eval", "html", docs)


# -- in-process measurements -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Rate:
    """A phase's count of articles, how many came out enriched, and how long it took."""

    articles: int
    enriched: int
    seconds: float
    complete: bool = True

    @property
    def enriched_per_s(self) -> float:
        return self.enriched / self.seconds if self.seconds > 0 else 0.0

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.seconds if self.seconds > 0 else 0.0


def measure_inprocess(
    settings: Settings, messages: Sequence[Message]
) -> tuple[Rate, dict[str, float]]:
    """``newsstream process`` on the messages (as its input lines, output discarded), and the
    CPU seconds (this thread's) spent in each stage of :data:`STAGES`.

    The process runs a :class:`agents.pipeline.Pipeline` whose stage timer is a
    :class:`~agents.pipeline.StageClock` (the hook the pipeline enters around each stage);
    ``other`` is the rest of the run's CPU time. The models and the gazetteer are loaded
    first: that one-off cost is not a stage's.
    """
    from agents.pipeline import Pipeline, StageClock
    from cli.process import process_lines

    clock = StageClock()
    pipeline = Pipeline.from_settings(settings, timer=clock)
    pipeline.warm_up()
    clock.spent = dict.fromkeys(STAGES, 0.0)  # the warm-up is not a stage's cost
    lines = io.BytesIO(b"".join(value + b"\n" for _, value in messages))
    with open(os.devnull, "wb") as sink:
        began, cpu_began = time.perf_counter(), time.thread_time()
        enriched, _rejected, _ = process_lines(lines, settings, sink, None, pipeline)
        seconds, cpu = time.perf_counter() - began, time.thread_time() - cpu_began
    spent = {stage: clock.spent.get(stage, 0.0) for stage in STAGES}
    spent["other"] = max(0.0, cpu - sum(v for k, v in spent.items() if k != "other"))
    return Rate(len(messages), enriched, seconds), spent


def measure_trafilatura(messages: Sequence[Message], timeout: float) -> Rate:
    """``trafilatura.extract`` on the pages of ``messages`` (stops at ``timeout``)."""
    import trafilatura

    pages = [orjson.loads(value) for _, value in messages]
    began = time.perf_counter()
    done = extracted = 0
    for page in pages:
        if time.perf_counter() - began > timeout:
            break
        if trafilatura.extract(page["html"], url=page.get("url")):
            extracted += 1
        done += 1
    return Rate(done, extracted, time.perf_counter() - began, done == len(pages))


# -- processes and the broker ------------------------------------------------------------------
@dataclass
class BenchProcess(WorkerProcess):
    """A :class:`WorkerProcess` that runs ``python ARGS…`` (a Faust worker: same ready line):
    one worker, or with ``ready_lines`` N, ``newsstream worker --processes N`` whose N forked
    children are the workers (the parent holds the models they share)."""

    #: When it logged its first ready line (epoch seconds), and each process's CPU seconds
    #: once all were ready.
    ready_at: float = 0.0
    cpu_at_ready: dict[int, float] = field(default_factory=dict)

    def start(self, timeout: float = 180.0) -> None:
        """Start the process and return once it logs that it is ready (``ready_at``)."""
        self.ready_at = 0.0
        super().start(timeout)

    def on_ready_line(self, count: int) -> None:
        if not self.ready_at:
            self.ready_at = time.time()

    def on_ready(self) -> None:
        self.cpu_at_ready = {pid: process_cpu_seconds(pid) for pid in self.pids()}

    @property
    def forked(self) -> bool:
        return self.ready_lines > 1

    def pids(self) -> list[int]:
        """The process and its workers, if forked."""
        if self.proc is None:
            return []
        return [self.proc.pid, *self.worker_pids()] if self.forked else [self.proc.pid]

    def worker_pids(self) -> list[int]:
        """The processes that run a Faust worker: this one, or its children in the order
        they were started."""
        if self.proc is None:
            return []
        if not self.forked:
            return [self.proc.pid]
        pid = self.proc.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return sorted((int(child) for child in children), key=procfs.start_ticks)

    def parent_pid(self) -> int | None:
        """The process that forked the workers (None: it is the worker itself)."""
        return self.proc.pid if self.proc is not None and self.forked else None

    def cpu_since_ready(self) -> list[float]:
        """Each worker's CPU seconds since all were ready."""
        return [
            process_cpu_seconds(pid) - self.cpu_at_ready.get(pid, 0.0) for pid in self.worker_pids()
        ]

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process and its workers so far (0 when unknown)."""
        return sum(process_cpu_seconds(pid) for pid in self.pids())


def _status_mb(pid: int | None, field_name: str) -> float:
    """A ``/proc/PID/status`` memory field (``VmRSS``, ``VmHWM``) in MiB (0 when unknown)."""
    return procfs.field_mb(pid, "status", field_name)


def process_rss_mb(pid: int | None) -> float:
    """Process ``pid``'s resident set (``VmRSS``) now, in MiB (0 when unknown)."""
    return _status_mb(pid, "VmRSS")


def process_peak_rss_mb(pid: int | None) -> float:
    """Process ``pid``'s peak resident set (``VmHWM``) so far, in MiB (0 when unknown)."""
    return _status_mb(pid, "VmHWM")


def process_pss_mb(pid: int | None) -> float:
    """Process ``pid``'s proportional set size (``Pss`` of ``/proc/PID/smaps_rollup``) now, in
    MiB (0 when unknown): its resident pages, each shared one divided by the number of
    processes that map it, so that memory shared between worker processes counts once over
    them. The kernel keeps no peak of it: the bench samples it about once a second."""
    return procfs.field_mb(pid, "smaps_rollup", "Pss")


def process_cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of process ``pid`` so far, all its threads (0 when unknown)."""
    return procfs.cpu_seconds(pid)


def _partitions(consumer: Any, topic: str, timeout: float = 30.0) -> list[Any]:
    from kafka import TopicPartition

    deadline = time.monotonic() + timeout
    while True:
        found = consumer.partitions_for_topic(topic)
        if found:
            return [TopicPartition(topic, p) for p in sorted(found)]
        if time.monotonic() > deadline:
            raise RuntimeError(f"topic {topic!r} does not exist")
        time.sleep(0.2)


def start_group_at_end(
    bootstrap: str, group: str, topic_names: Sequence[str], security: Settings | None = None
) -> None:
    """Commit the end of ``topic_names`` as consumer group ``group``'s offsets, so that a new
    app with that id reads only what is produced from now on."""
    from kafka import KafkaConsumer, OffsetAndMetadata

    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        **client_kwargs(security),
    )
    try:
        tps = [tp for name in topic_names for tp in _partitions(consumer, name)]
        consumer.assign(tps)
        consumer.seek_to_end(*tps)
        consumer.commit({tp: OffsetAndMetadata(consumer.position(tp), "", -1) for tp in tps})
    finally:
        consumer.close()


class Watcher:
    """When each key with ``prefix`` first appears on ``topic_names``, read from their current
    end by a kafka-python consumer in a background thread (keys only: values are not decoded).

    ``batched``: the broker holds each fetch until 512 KiB are there or 200 ms passed. For a
    throughput phase, where only the last record's time counts (it is late by at most 200 ms
    of a phase of tens of seconds): fetching each record as it came cost the watcher 0.38 ms of
    CPU per record (7.6 of 139.8 core-seconds of a 20,000-article phase, taken from the
    workers), against 0.04 ms per record read in bulk. The latency phase fetches at once.
    """

    def __init__(
        self,
        bootstrap: str,
        topic_names: Sequence[str],
        prefix: str,
        expected: int,
        security: Settings | None = None,
        batched: bool = False,
    ):
        from kafka import KafkaConsumer

        self.prefix = prefix
        self.expected = expected
        self.seen: dict[str, float] = {}
        self.dead = 0
        self._done = threading.Event()
        self._stop = threading.Event()
        self._consumer = KafkaConsumer(
            bootstrap_servers=bootstrap,
            enable_auto_commit=False,
            client_id="newsstream-bench",
            isolation_level="read_committed",  # what a consumer can see (with transactions too)
            fetch_max_wait_ms=200 if batched else 50,
            fetch_min_bytes=512 * 1024 if batched else 1,
            # The watcher reads keys only; the broker checked the CRCs. (kafka-python checks
            # them in pure Python, ~10 MB/s here, when the ``crc32c`` package is missing.)
            check_crcs=False,
            max_partition_fetch_bytes=topics.TOPIC_MAX_MESSAGE_BYTES + 64 * 1024,
            **client_kwargs(security),
        )
        tps = [tp for name in topic_names for tp in _partitions(self._consumer, name)]
        self._consumer.assign(tps)
        self._consumer.seek_to_end(*tps)
        for tp in tps:  # resolve the end now, before anything is produced
            self._consumer.position(tp)
        self._thread = threading.Thread(target=self._run, name="bench-watcher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        prefix = self.prefix.encode()
        try:
            while not self._stop.is_set() and len(self.seen) < self.expected:
                batch = self._consumer.poll(timeout_ms=100)
                now = time.time()
                for records in batch.values():
                    for rec in records:
                        if rec.key is None or not rec.key.startswith(prefix):
                            continue
                        key = rec.key.decode()
                        if key not in self.seen:
                            self.seen[key] = now
                            self.dead += rec.topic == topics.DEADLETTER
        finally:
            self._consumer.close()
            self._done.set()

    def wait(self, timeout: float) -> bool:
        """Wait until every expected key was seen (True) or ``timeout`` passed (False)."""
        self._done.wait(timeout)
        return len(self.seen) >= self.expected

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10.0)

    @property
    def last(self) -> float:
        return max(self.seen.values(), default=0.0)


# -- broker phases --------------------------------------------------------------------------------
@dataclass
class Phase:
    """One measured run of worker processes, with what they used."""

    name: str
    rate: Rate
    rss_mb: list[float] = field(default_factory=list)
    #: CPU seconds of each process from its readiness to the end of the phase.
    cpu_s: list[float] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    offered_per_s: float = 0.0
    #: (records out so far, current RSS MiB of each process), about once a second.
    rss_series: list[tuple[int, list[float]]] = field(default_factory=list)
    #: The same for the PSS (:func:`process_pss_mb`), and each process's largest sample.
    pss_series: list[tuple[int, list[float]]] = field(default_factory=list)
    pss_mb: list[float] = field(default_factory=list)
    #: The processes that forked the workers and hold the models they share (none when each
    #: worker was started on its own): peak RSS and PSS.
    parents_rss_mb: list[float] = field(default_factory=list)
    parents_pss_mb: list[float] = field(default_factory=list)
    #: The largest sum of the PSS of every process of the phase (workers and parents): the
    #: memory the phase's processes used in all, shared pages counted once.
    pss_total_mb: float = 0.0
    #: The whole machine over the phase, once every process was ready: CPU seconds busy, the
    #: CPU seconds there were (cores x seconds), and the processes' own share of the busy ones.
    machine_busy_s: float = 0.0
    machine_capacity_s: float = 0.0
    machine_workers_s: float = 0.0
    #: ... and of them: the broker's (when this run started it) and this process's (the
    #: watcher that reads the output, and the producer in the latency phase).
    machine_broker_s: float = 0.0
    machine_bench_s: float = 0.0


class Memory:
    """The memory of a phase's processes, sampled: each worker's RSS and PSS, the PSS of the
    processes that forked them, and the sum of them all."""

    def __init__(self, procs: Sequence[BenchProcess]) -> None:
        self.workers = [pid for p in procs for pid in p.worker_pids()]
        self.parents = [pid for p in procs if (pid := p.parent_pid()) is not None]
        self.rss_series: list[tuple[int, list[float]]] = []
        self.pss_series: list[tuple[int, list[float]]] = []
        self.parents_pss_series: list[tuple[int, list[float]]] = []
        self.pss_totals: list[float] = []

    def sample(self, done: int) -> None:
        """One sample, with ``done`` records out so far."""
        pss = [process_pss_mb(pid) for pid in self.workers]
        parents = [process_pss_mb(pid) for pid in self.parents]
        self.rss_series.append((done, [process_rss_mb(pid) for pid in self.workers]))
        self.pss_series.append((done, pss))
        self.parents_pss_series.append((done, parents))
        self.pss_totals.append(sum(pss) + sum(parents))


@dataclass
class Bench:
    """Everything a run needs to start workers against the broker."""

    settings: Settings
    bootstrap: str
    workdir: Path
    workers: int
    timeout: float
    spacing: float = 0.0
    run_id: str = field(default_factory=lambda: f"b{uuid.uuid4().hex[:6]}")
    #: How the kafka-python clients connect: the settings for the configured broker, else None.
    security: Settings | None = None
    #: The broker's process id when this run started the broker (its CPU is reported).
    broker_pid: int | None = None
    #: The pipeline's workers forked from one process that loaded the models
    #: (``newsstream worker --processes W``), rather than W processes started one by one.
    forked: bool = True

    def processes(self, phase: str, args: tuple[str, ...]) -> list[BenchProcess]:
        """``workers`` processes of one phase: one consumer group, each with its own data dir;
        or, for ``newsstream worker`` with :attr:`forked` workers, one process that forks them."""
        inherited = {
            k: v
            for k, v in child_environment({}, keep_settings=True).items()
            if k.startswith("NEWSSTREAM_")
            and k != "NEWSSTREAM_WEB_PORT"
            and k not in security_variables()
        }
        count, ready_lines = self.workers, 1
        if self.forked and self.workers > 1 and args == WORKER_ARGS:
            count, ready_lines = 1, self.workers
            args = (*args, "--processes", str(self.workers))
        return [
            BenchProcess(
                {
                    **inherited,
                    **security_env(self.security),
                    "NEWSSTREAM_BROKER": self.bootstrap,
                    "NEWSSTREAM_APP_ID": self.app_id(phase),
                    "NEWSSTREAM_PARTITIONS": str(self.settings.partitions),
                    "NEWSSTREAM_DATA_DIR": str(self.workdir / phase / f"data-{n}"),
                    # ``-m tools.bench``: the tools are in the checkout, not installed
                    "PYTHONPATH": os.pathsep.join(
                        p for p in (str(CHECKOUT), child_environment({}).get("PYTHONPATH")) if p
                    ),
                },
                self.workdir / phase / f"logs-{n}",
                args=args,
                ready_lines=ready_lines,
            )
            for n in range(1, count + 1)
        ]

    def app_id(self, phase: str) -> str:
        return f"newsstream-bench-{self.run_id}-{phase}"

    def start_all(self, procs: Sequence[BenchProcess]) -> None:
        """Start every process at once; return when all are ready."""
        forked = sum(p.ready_lines for p in procs if p.forked)
        _say(f"  starting {forked or len(procs)} worker(s){' (forked)' if forked else ''} ...")
        with ThreadPoolExecutor(len(procs)) as pool:
            for future in [pool.submit(p.start) for p in procs]:
                future.result()

    def throughput(self, phase: str, corpus: Corpus, count: int) -> Phase:
        """Pre-load ``count`` articles, start the workers, time ready -> last record out."""
        passthrough = phase == "passthrough"
        args = ("-m", "tools.bench", "passthrough-worker") if passthrough else WORKER_ARGS
        reads = [topics.RAW] if passthrough else [topics.RAW, topics.PREPARED]
        outputs = [PASSTHROUGH] if passthrough else [topics.ENRICHED, topics.DEADLETTER]
        prefix = f"{self.run_id}-{phase}-"
        start_group_at_end(self.bootstrap, self.app_id(phase), reads, self.security)
        watcher = Watcher(self.bootstrap, outputs, prefix, count, self.security, batched=True)
        procs = self.processes(phase, args)
        try:
            _preload(self.bootstrap, corpus.messages(prefix, count, self.spacing), self.security)
            self.start_all(procs)
            began = min(p.ready_at for p in procs)
            machine_began, workers_began = machine_cpu(), sum(p.cpu_seconds() for p in procs)
            broker_began, bench_began = process_cpu_seconds(self.broker_pid), _own_cpu()
            _say(f"  ready; waiting for {count} records on {', '.join(outputs)} ...")
            deadline = time.monotonic() + self.timeout
            memory = Memory(procs)
            complete = False
            while not complete and time.monotonic() < deadline:
                complete = watcher.wait(1.0)
                memory.sample(len(watcher.seen))
            ended = watcher.last if complete else time.time()
            if not complete:
                _show_logs(procs)
            memory.sample(len(watcher.seen))
            rss = [process_peak_rss_mb(pid) for pid in memory.workers]
            parents_rss = [process_peak_rss_mb(pid) for pid in memory.parents]
            cpu = [seconds for p in procs for seconds in p.cpu_since_ready()]
            machine_ended, workers_ended = machine_cpu(), sum(p.cpu_seconds() for p in procs)
            broker_ended, bench_ended = process_cpu_seconds(self.broker_pid), _own_cpu()
        finally:
            watcher.close()
            _stop_all(procs)
        seen = len(watcher.seen)
        if not complete:
            _say(f"  TIMEOUT: {seen}/{count} records after {self.timeout:.0f}s")
        rate = Rate(seen, seen - watcher.dead, max(ended - began, 1e-9), complete)
        return Phase(
            phase,
            rate,
            rss,
            cpu,
            rss_series=memory.rss_series,
            pss_series=memory.pss_series,
            pss_mb=peak_samples(memory.pss_series, len(memory.workers)),
            parents_rss_mb=parents_rss,
            parents_pss_mb=peak_samples(memory.parents_pss_series, len(memory.parents)),
            pss_total_mb=max(memory.pss_totals, default=0.0),
            machine_busy_s=machine_ended[0] - machine_began[0],
            machine_capacity_s=machine_ended[1] - machine_began[1],
            machine_workers_s=workers_ended - workers_began,
            machine_broker_s=broker_ended - broker_began,
            machine_bench_s=bench_ended - bench_began,
        )

    def latency(self, corpus: Corpus, count: int, offered: float) -> Phase:
        """Fresh workers, a short warm-up, then ``count`` articles at ``offered`` per second."""
        from kafka import KafkaProducer

        phase = "latency"
        prefix = f"{self.run_id}-{phase}-"
        start_group_at_end(
            self.bootstrap, self.app_id(phase), [topics.RAW, topics.PREPARED], self.security
        )
        procs = self.processes(phase, WORKER_ARGS)
        warm = min(20, count)
        try:
            self.start_all(procs)
            outputs = [topics.ENRICHED, topics.DEADLETTER]
            warmup = Watcher(self.bootstrap, outputs, f"{prefix}w-", warm, self.security)
            warm_messages = corpus.messages(f"{prefix}w-", warm, self.spacing)
            _preload(self.bootstrap, warm_messages, self.security)
            warmed = warmup.wait(min(self.timeout, 120.0))
            warmup.close()
            if not warmed:
                _say("  warm-up incomplete; measuring anyway")
            messages = corpus.messages(f"{prefix}m-", count, self.spacing)
            watcher = Watcher(self.bootstrap, outputs, f"{prefix}m-", count, self.security)
            producer = KafkaProducer(
                bootstrap_servers=self.bootstrap,
                acks="all",
                linger_ms=0,
                max_request_size=topics.TOPIC_MAX_MESSAGE_BYTES + 64 * 1024,
                client_id="newsstream-bench",
                **client_kwargs(self.security),
            )
            sent: dict[str, int] = {}
            _say(f"  producing {count} articles at {offered:g}/s ...")
            try:
                began = time.time()
                for number, (key, value) in enumerate(messages):
                    pause = began + number / offered - time.time()
                    if pause > 0:
                        time.sleep(pause)
                    stamp = int(time.time() * 1000)
                    producer.send(topics.RAW, key=key, value=value, timestamp_ms=stamp)
                    sent[key.decode()] = stamp
                producer.flush()
                spread = time.time() - began
                complete = watcher.wait(self.timeout)
                if not complete:
                    _show_logs(procs)
            finally:
                producer.close()
                watcher.close()
            rss = [process_peak_rss_mb(pid) for p in procs for pid in p.worker_pids()]
            cpu = [seconds for p in procs for seconds in p.cpu_since_ready()]
        finally:
            _stop_all(procs)
        latencies = sorted(1000.0 * watcher.seen[k] - sent[k] for k in watcher.seen if k in sent)
        seen = len(watcher.seen)
        if not complete:
            _say(f"  TIMEOUT: {seen}/{count} records after {self.timeout:.0f}s")
        rate = Rate(seen, seen - watcher.dead, max(watcher.last - began, 1e-9), complete)
        achieved = (count - 1) / spread if count > 1 and spread > 0 else offered
        return Phase(phase, rate, rss, cpu, latencies, achieved)


def _preload(bootstrap: str, messages: list[Message], security: Settings | None = None) -> None:
    from cli.feed import produce

    began = time.monotonic()
    produce(bootstrap, messages, total=len(messages), progress=False, settings=security)
    seconds = time.monotonic() - began
    _say(f"  pre-loaded {len(messages)} articles into {topics.RAW} in {seconds:.1f}s")


def _show_logs(procs: Sequence[BenchProcess], lines: int = 40) -> None:
    """The end of each worker's log, on stderr (the logs go with the temporary directory)."""
    for number, proc in enumerate(procs, 1):
        _say(f"  --- worker-{number} log (last {lines} lines) ---\n{proc.tail(lines)}")


def _stop_all(procs: Sequence[BenchProcess]) -> None:
    with ThreadPoolExecutor(max(1, len(procs))) as pool:
        list(pool.map(lambda p: p.stop(), procs))


def _revision() -> str | None:
    """``git describe --always --dirty`` of the code measured (None outside a git checkout)."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=Path(__file__).resolve().parents[1],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def machine_cpu() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine since boot, from ``/proc/stat`` (all of
    them: every core's seconds; busy: not idle nor waiting for I/O); zeros when unknown."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            ticks = [int(v) for v in handle.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0.0, 0.0
    per_second = os.sysconf("SC_CLK_TCK")
    return (sum(ticks) - ticks[3] - ticks[4]) / per_second, sum(ticks) / per_second


#: The bench's own broker keeps Kafka's default initial rebalance delay (the local broker's
#: single-node set-up has 0, so that tests start fast): the workers of a phase, started
#: together, then join their new group in one rebalance instead of the first starting alone
#: and both stopping for a second rebalance a moment into the measured phase.
BENCH_BROKER_PROPERTIES: Mapping[str, str] = {"group.initial.rebalance.delay.ms": "3000"}


def _local_broker_pid(workdir: Path) -> int | None:
    """The process id of the broker this run started in ``workdir`` (None: a configured one)."""
    try:
        return int((workdir / "kafka" / "kafka.pid").read_text().strip())
    except (OSError, ValueError):
        return None


def _own_cpu() -> float:
    """User + system CPU seconds of this process so far (every thread)."""
    times = os.times()
    return times.user + times.system


def _loadavg() -> float:
    """The machine's 1-minute load average (other work competes with the measurement)."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0


def percentile(ordered: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1) of an ascending sequence (0 when empty)."""
    if not ordered:
        return 0.0
    return float(ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))])


# -- the run ------------------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``newsstream bench`` options."""
    parser.add_argument(
        "--articles", type=int, default=1000, metavar="N", help="articles per phase"
    )
    parser.add_argument(
        "--stage",
        choices=("pipeline", "grouping", "recovery"),
        default="pipeline",
        help="pipeline: the whole path on a broker (default); grouping: the grouping stage "
        "alone on news-like prepared records (tools/bench_grouping.py), see --open; recovery: "
        "a worker restarted with an empty disk restores --open articles from the changelog "
        "(tools/bench_recovery.py)",
    )
    parser.add_argument(
        "--open",
        type=int,
        default=100_000,
        metavar="N",
        help="with --stage grouping or recovery: articles fed within one event window (all "
        "stay open)",
    )
    parser.add_argument(
        "--with-models",
        action="store_true",
        help="with --stage grouping: load every model a worker loads first (RSS all included)",
    )
    parser.add_argument("--workers", type=int, default=1, metavar="W", help="worker processes")
    parser.add_argument(
        "--rate",
        type=float,
        default=100.0,
        metavar="R",
        help="offered articles/s for the latency phase",
    )
    parser.add_argument("--input", choices=("text", "html"), default="text")
    parser.add_argument(
        "--spacing",
        type=float,
        default=90.0,
        metavar="S",
        help="simulated seconds between the articles' publication times (default 90: the "
        "translated_news corpus then spans more than the 72 h event window per cycle, so "
        "old events close as in a live feed); 0: undated articles",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON, last line")
    parser.add_argument(
        "--separate",
        action="store_true",
        help="start W `newsstream worker` processes one by one, each loading its own models "
        "(default with W > 1: one `newsstream worker --processes W`, whose W forked workers "
        "share the models it loaded)",
    )
    parser.add_argument(
        "--latency-articles",
        type=int,
        default=None,
        metavar="L",
        help="articles in the latency phase (default: N, at most 20 s worth at R)",
    )
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds a phase may take (default 600)"
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help=f"translated_news dir (text; default {DEFAULT_TEXT_DATA}) or trafilatura-eval dir "
        f"(html; default {DEFAULT_HTML_DATA})",
    )


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run every phase, print the table (and the JSON); 1 when a phase timed out."""
    if args.stage == "grouping":
        from tools import bench_grouping

        if args.open < 1:
            raise SystemExit("newsstream bench: --open must be positive")
        return bench_grouping.run(settings, args.open, args.json, args.with_models)
    if args.stage == "recovery":
        from tools import bench_recovery

        if args.open < 1:
            raise SystemExit("newsstream bench: --open must be positive")
        return bench_recovery.run(settings, args.open, args.timeout)
    if args.articles < 1 or args.workers < 1 or args.rate <= 0:
        raise SystemExit("newsstream bench: --articles, --workers and --rate must be positive")
    html = args.input == "html"
    corpus = (
        html_corpus(args.data or DEFAULT_HTML_DATA)
        if html
        else text_corpus(args.data or DEFAULT_TEXT_DATA)
    )
    n = args.articles
    latency_n = args.latency_articles or min(n, max(20, int(20 * args.rate)))
    result: dict[str, Any] = {
        "articles": n,
        "workers": args.workers,
        "worker_processes": "forked" if args.workers > 1 and not args.separate else "separate",
        "partitions": settings.partitions,
        "input": args.input,
        "corpus": corpus.name,
        "spacing_s": args.spacing,
        "cpus": os.cpu_count(),
        "loadavg_before": _loadavg(),
        "revision": _revision(),
    }
    _say(
        f"newsstream bench: {n} {args.input} articles from {corpus.name}, {args.workers} worker(s)"
    )

    _say("in-process: newsstream process ...")
    sample = corpus.messages("inprocess-", n, args.spacing)
    inprocess, spent = measure_inprocess(settings, sample)
    _say(f"  {inprocess.enriched_per_s:.1f}/s")
    trafilatura: Rate | None = None
    if html:
        _say("in-process: trafilatura.extract on the same pages ...")
        trafilatura = measure_trafilatura(sample, args.timeout)
    del sample

    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="newsstream-bench-")))
        bootstrap = stack.enter_context(
            broker_for(settings, workdir, say=_say, extra=BENCH_BROKER_PROPERTIES)
        )
        from deploy.topics import ensure_topics
        from streams.topics import TopicSpec, topic_specs

        specs = (
            *topic_specs(settings.partitions),
            TopicSpec(PASSTHROUGH, settings.partitions, topics.LARGE_MESSAGES),
        )
        security = broker_security(settings, bootstrap)
        ensure_topics(bootstrap, specs, settings.replication_factor, settings=security)
        bench = Bench(
            settings,
            bootstrap,
            workdir,
            args.workers,
            args.timeout,
            args.spacing,
            security=security,
            broker_pid=_local_broker_pid(workdir),
            forked=not args.separate,
        )
        _say("passthrough: decode + re-publish only ...")
        passthrough = bench.throughput("passthrough", corpus, n)
        _say(f"  {passthrough.rate.enriched_per_s:.1f}/s")
        _say("pipeline ...")
        pipeline = bench.throughput("pipeline", corpus, n)
        _say(f"  {pipeline.rate.enriched_per_s:.1f}/s")
        _say("latency ...")
        latency = bench.latency(corpus, latency_n, args.rate)

    total_cpu = sum(spent.values()) or 1.0
    lat = latency.latencies_ms
    result.update(
        {
            "pipeline_per_s": round(pipeline.rate.enriched_per_s, 1),
            "passthrough_per_s": round(passthrough.rate.enriched_per_s, 1),
            "inprocess_per_s": round(inprocess.enriched_per_s, 1),
            "latency_ms": {
                "p50": round(percentile(lat, 0.50), 1),
                "p95": round(percentile(lat, 0.95), 1),
                "p99": round(percentile(lat, 0.99), 1),
            },
            "peak_rss_mb": {f"worker-{i}": round(v, 1) for i, v in enumerate(pipeline.rss_mb, 1)},
            "peak_pss_mb": {f"worker-{i}": round(v, 1) for i, v in enumerate(pipeline.pss_mb, 1)},
            "models_process_peak_mb": [
                {"rss": round(rss, 1), "pss": round(pss, 1)}
                for rss, pss in zip(pipeline.parents_rss_mb, pipeline.parents_pss_mb, strict=True)
            ],
            "peak_pss_total_mb": round(pipeline.pss_total_mb, 1),
            "pss_mb_per_worker": round(pipeline.pss_total_mb / args.workers, 1),
            "cpu_share": {stage: round(spent[stage] / total_cpu, 4) for stage in STAGES},
            "cpu_ms_per_article": round(1000.0 * total_cpu / n, 2),
            "pipeline_worker_cpu_s": [round(v, 1) for v in pipeline.cpu_s],
            "pipeline_cpu_ms_per_article": round(1000.0 * sum(pipeline.cpu_s) / n, 2),
            "pipeline_seconds": round(pipeline.rate.seconds, 2),
            "pipeline_machine_cpu_s": {
                "capacity": round(pipeline.machine_capacity_s, 1),
                "busy": round(pipeline.machine_busy_s, 1),
                "workers": round(pipeline.machine_workers_s, 1),
                "rest": round(max(0.0, pipeline.machine_busy_s - pipeline.machine_workers_s), 1),
                "broker": round(pipeline.machine_broker_s, 1),
                "bench": round(pipeline.machine_bench_s, 1),
            },
            "dead_lettered": pipeline.rate.articles - pipeline.rate.enriched,
            "latency_articles": latency.rate.articles,
            "latency_max_ms": round(lat[-1], 1) if lat else 0.0,
            "offered_per_s": round(latency.offered_per_s, 1),
            "passthrough_peak_rss_mb": [round(v, 1) for v in passthrough.rss_mb],
            "rss_mb_over_feed": rss_over_feed(pipeline.rss_series, n),
            "pss_mb_over_feed": rss_over_feed(pipeline.pss_series, n),
            "complete": all(r.complete for r in (pipeline.rate, passthrough.rate, latency.rate)),
        }
    )
    if html:
        assert trafilatura is not None
        result["pages_per_s"] = round(pipeline.rate.articles_per_s, 1)
        result["inprocess_pages_per_s"] = round(inprocess.articles_per_s, 1)
        result["trafilatura_per_s"] = round(trafilatura.articles_per_s, 1)
    result["loadavg_after"] = _loadavg()
    result["targets"] = targets(result, args.rate)
    print(render(result))
    if args.json:
        print(orjson.dumps(result).decode(), flush=True)
    return 0 if result["complete"] else 1


def peak_samples(series: Sequence[tuple[int, list[float]]], processes: int) -> list[float]:
    """Each process's largest sample of ``series`` (0 when there is none)."""
    return [max((sample[i] for _, sample in series), default=0.0) for i in range(processes)]


def rss_over_feed(series: Sequence[tuple[int, list[float]]], count: int) -> dict[str, list[float]]:
    """Each worker's RSS (or PSS) when 25, 50, 75 and 100% of the feed had come out (flat is
    good)."""
    out: dict[str, list[float]] = {}
    for share in (25, 50, 75, 100):
        sample = next((rss for done, rss in series if done * 100 >= count * share), None)
        if sample is None and series:
            sample = series[-1][1]
        if sample is not None:
            out[f"{share}%"] = [round(v, 1) for v in sample]
    return out


def targets(result: dict[str, Any], offered: float) -> dict[str, bool]:
    """The issue's targets that this run can check (1 -> 2 workers needs two runs)."""
    checks: dict[str, bool] = {}
    if result["input"] == "text" and result["workers"] == 2:
        checks["pipeline_per_s >= 300 (2 workers)"] = result["pipeline_per_s"] >= TARGET_PIPELINE_2W
    if result["input"] == "text" and result["workers"] == 1:
        checks["pipeline >= 70% of in-process (1 worker)"] = (
            result["pipeline_per_s"] >= TARGET_ONE_WORKER_SHARE * result["inprocess_per_s"]
        )
    if result["input"] == "text" and offered >= TARGET_P99_RATE:
        checks["p99 <= 500 ms at 100/s"] = result["latency_ms"]["p99"] <= TARGET_P99_MS
    if result["input"] == "html":
        checks["pages/s >= trafilatura's"] = result["pages_per_s"] >= result["trafilatura_per_s"]
    return checks


def _machine(result: dict[str, Any]) -> str:
    """ "capacity: busy (workers + rest)" of the pipeline phase's machine CPU seconds."""
    m = result.get("pipeline_machine_cpu_s") or {}
    if not m.get("capacity"):
        return "unknown"
    rest = f"the rest {m['rest']:.1f}"
    if m.get("broker"):
        rest += f" (broker {m['broker']:.1f}, this bench's watcher {m.get('bench', 0.0):.1f})"
    return f"{m['busy']:.1f} busy of {m['capacity']:.1f}: workers {m['workers']:.1f}, {rest}"


def render(result: dict[str, Any]) -> str:
    """The result as a readable table."""
    unit = "pages" if result["input"] == "html" else "articles"
    lat = result["latency_ms"]
    lines = [
        f"newsstream bench — {result['articles']} {result['input']} {unit} ({result['corpus']}), "
        f"{result['workers']} worker(s), {result['partitions']} partitions, {result['cpus']} CPUs, "
        f"code {result['revision']}",
        "",
        f"{'measure':<34} {'value':>10}",
        f"{'pipeline (enriched/s)':<34} {result['pipeline_per_s']:>10.1f}",
        f"{'passthrough (decode+publish/s)':<34} {result['passthrough_per_s']:>10.1f}",
        f"{'in-process (enriched/s)':<34} {result['inprocess_per_s']:>10.1f}",
    ]
    if result["inprocess_per_s"]:
        share = result["pipeline_per_s"] / result["inprocess_per_s"]
        lines.append(f"{'pipeline / in-process':<34} {share:>10.2f}")
    if "pages_per_s" in result:
        lines += [
            f"{'pipeline (pages/s)':<34} {result['pages_per_s']:>10.1f}",
            f"{'in-process (pages/s)':<34} {result['inprocess_pages_per_s']:>10.1f}",
            f"{'trafilatura.extract (pages/s)':<34} {result['trafilatura_per_s']:>10.1f}",
        ]
    lines += [
        f"{'dead-lettered (pipeline)':<34} {result['dead_lettered']:>10d}",
        f"{'latency p50 / p95 / p99 (ms)':<34} "
        f"{lat['p50']:>6.0f} / {lat['p95']:.0f} / {lat['p99']:.0f}   "
        f"(max {result['latency_max_ms']:.0f}; {result['latency_articles']} articles "
        f"at {result['offered_per_s']:.0f}/s)",
    ]
    for name, mb in result["peak_rss_mb"].items():
        pss = result.get("peak_pss_mb", {}).get(name)
        beside = f"   (PSS {pss:.1f})" if pss is not None else ""
        lines.append(f"{'peak RSS ' + name + ' (MiB)':<34} {mb:>10.1f}{beside}")
    for number, parent in enumerate(result.get("models_process_peak_mb", []), 1):
        name = f"peak RSS models process {number} (MiB)"
        lines.append(f"{name:<34} {parent['rss']:>10.1f}   (PSS {parent['pss']:.1f})")
    if "peak_pss_total_mb" in result:
        lines.append(
            f"{'PSS, all processes (MiB)':<34} {result['peak_pss_total_mb']:>10.1f}   "
            f"({result['pss_mb_per_worker']:.1f} per worker; workers "
            f"{result.get('worker_processes', 'separate')})"
        )
    for share, mbs in result.get("rss_mb_over_feed", {}).items():
        values = ", ".join(f"{v:.0f}" for v in mbs)
        pss_mbs = result.get("pss_mb_over_feed", {}).get(share)
        beside = f"   (PSS {', '.join(f'{v:.0f}' for v in pss_mbs)})" if pss_mbs else ""
        lines.append(f"{'RSS at ' + share + ' of the feed (MiB)':<34} {values:>10}{beside}")
    cpu = ", ".join(f"{v:.1f}" for v in result["pipeline_worker_cpu_s"])
    lines += [
        f"{'worker CPU s (pipeline, from ready)':<34} {cpu:>10}",
        f"{'worker CPU ms per article':<34} {result['pipeline_cpu_ms_per_article']:>10.2f}",
        f"{'machine CPU s (pipeline)':<34} {_machine(result):>10}",
        f"{'load average before / after':<34} "
        f"{result['loadavg_before']:>6.2f} / {result['loadavg_after']:.2f}",
        "",
        f"CPU share per stage (in-process, {result['cpu_ms_per_article']:.2f} ms per article):",
    ]
    for stage, share in result["cpu_share"].items():
        lines.append(f"  {stage:<12} {100 * share:5.1f} %  {'#' * round(40 * share)}")
    if result["targets"]:
        lines += ["", "targets:"]
        lines += [
            f"  {'met    ' if ok else 'NOT met'}  {name}" for name, ok in result["targets"].items()
        ]
    if not result["complete"]:
        lines += ["", "INCOMPLETE: a phase timed out; its rate counts only what came out"]
    return "\n".join(lines)


# -- the passthrough worker ------------------------------------------------------------------------
def passthrough_worker() -> None:
    """A Faust worker (same app configuration as ``newsstream worker``) with one agent that
    decodes each ``news.raw`` message with orjson and publishes it to ``bench.passthrough``."""
    from typing import cast

    import faust
    from faust.worker import Worker

    from streams.app import create_app

    settings = load_settings()
    app = create_app(settings)
    source = app.topic(topics.RAW, key_serializer="raw", value_serializer="raw")
    sink = app.topic(PASSTHROUGH, key_serializer="raw", value_serializer="orjson")

    @app.agent(source, name="newsstream.bench.passthrough")
    async def passthrough(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            message = event.message
            await sink.send(key=message.key, value=orjson.loads(cast(bytes, message.value)))

    Worker(app, loglevel=settings.log_level).execute_from_commandline()


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m tools.bench passthrough-worker``, or ``python -m tools.bench [options]``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["passthrough-worker"]:
        sys.argv = [sys.argv[0]]  # Faust's worker parses the command line itself
        passthrough_worker()
        return
    parser = argparse.ArgumentParser(prog="newsstream bench", description=__doc__.splitlines()[0])
    add_arguments(parser)
    sys.exit(run(load_settings(), parser.parse_args(argv)))


if __name__ == "__main__":
    main()
