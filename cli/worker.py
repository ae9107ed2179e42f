"""``newsstream worker``: create the topics (or check them, ``NEWSSTREAM_CREATE_TOPICS=false``),
wire every agent, run the Faust worker.

``newsstream worker --processes N`` runs N Faust workers from one process: it loads the models
(fastText, all of Lingua's languages, the embedding, the gazetteer, built in a child of its own
so that its build's leftovers never enter this heap) once, takes the free blocks left in
Python's small-object pools (the workers' objects then go to pools of their own instead of
copying the parent's pages), freezes its Python objects out of the garbage collector's reach
(``gc.freeze``) and forks the workers, which share those pages copy-on-write instead of each
loading its own copy (Lingua's high-accuracy models alone are about 1.1 GB a process). Worker n
(1..N) serves its web page on ``NEWSSTREAM_WEB_PORT`` + n - 1 and keeps its tables in
``NEWSSTREAM_DATA_DIR/process-n``; it is one more member of the app's consumer group, like a
worker started on its own. The parent only waits: SIGTERM or SIGINT to it stops every worker, a
worker that exits stops the others, and the parent exits with the first worker's non-zero exit
code (a supervisor restarts the group, as it would restart a single worker); a worker whose
parent is killed is stopped too.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType

import faust

from agents import evidence, grouping_agent, grouping_shard_agent, health, language, prepare_agent
from agents.pipeline import Pipeline
from agents.publish import PublishOptions
from cli.logs import logging_config
from deploy.topics import TopicLayoutError, TopicsMissingError, ensure_topics
from streams.app import create_app, create_channels
from streams.memory import occupy_free_blocks, release_free_memory, tune_allocator
from streams.settings import Settings, unknown_variables
from streams.topics import worker_specs

log = logging.getLogger(__name__)

#: Linux's ``prctl`` option that signals a process when its parent dies.
_PR_SET_PDEATHSIG = 1
#: Linux's ``madvise`` advice that reclaims pages now.
_MADV_PAGEOUT = 21
#: The signals that stop the workers.
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def build(settings: Settings) -> faust.App:
    """The Faust app with all agents registered."""
    app = create_app(settings)
    channels = create_channels(app)
    pipeline = Pipeline.from_settings(settings)  # one pipeline, its models loaded once
    prepare_agent.wire(
        app,
        channels,
        pipeline,
        settings.partitions,
        batch=settings.prepare_batch,
        batch_seconds=settings.prepare_batch_ms / 1000,
    )
    if settings.grouping_shards >= 2:  # opt-in: a coordinator and S shards (docs/sharding.md)
        grouping_shard_agent.wire(
            app,
            channels,
            pipeline,
            settings.grouping_shards,
            batch=settings.group_batch,
            batch_seconds=settings.group_batch_ms / 1000,
            publishing=PublishOptions.from_settings(settings),
        )
    else:
        grouping_agent.wire(
            app,
            channels,
            pipeline,
            batch=settings.group_batch,
            batch_seconds=settings.group_batch_ms / 1000,
            publishing=PublishOptions.from_settings(settings),
        )
    health.wire(app, settings.stall_seconds)
    return app


def run(settings: Settings, processes: int = 1) -> None:
    """Run until SIGINT/SIGTERM: one Faust worker in this process, or ``processes`` workers
    forked from it once the models are loaded (:func:`run_forked`)."""
    for var in unknown_variables():  # a typo must not go unnoticed
        print(f"warning: {var} is not a newsstream setting (a typo?); ignored", file=sys.stderr)

    specs = worker_specs(settings.app_id, settings.partitions, settings.grouping_shards)
    try:
        ensure_topics(
            settings.broker,
            specs,
            settings.replication_factor,
            settings=settings,
            create=settings.create_topics,
        )
    except (TopicLayoutError, TopicsMissingError) as exc:
        raise SystemExit(f"newsstream worker: {exc}") from None
    if processes > 1:
        sys.exit(run_forked(settings, processes))
    execute(settings)


def execute(settings: Settings) -> None:
    """Build the app and run its Faust worker in this process (exits when it stops)."""
    from faust.worker import Worker

    app = build(settings)
    config = logging_config(settings.log_level) if settings.log_json else None
    Worker(app, loglevel=settings.log_level, logging_config=config).execute_from_commandline()


def process_settings(settings: Settings, number: int) -> Settings:
    """The settings of forked worker ``number`` (1..N): its own web port and data dir."""
    return settings.with_overrides(
        web_port=settings.web_port + number - 1,
        data_dir=settings.data_dir / f"process-{number}",
    )


def load_models(settings: Settings) -> float:
    """Load every model the agents use into this process, all of Lingua's languages too (the
    worker otherwise loads them in a thread once it runs); returns the seconds it took."""
    started = time.perf_counter()
    evidence.default_gazetteer(apart=True)  # its build's leftovers stay out of this heap
    pipeline = Pipeline.from_settings(settings)  # the models are shared within the process
    second = getattr(pipeline.model, "second", None)
    if isinstance(second, language.LinguaScorer):
        second.preload()
    pipeline.warm_up()
    release_free_memory()  # loading freed what it decompressed (Lingua's model files)
    return time.perf_counter() - started


@dataclass
class Forked:
    """The worker processes of :func:`run_forked`: pid -> worker number."""

    children: dict[int, int] = field(default_factory=dict)
    stopping: bool = False
    exit_code: int = 0

    def stop(self, signum: int = signal.SIGTERM) -> None:
        """Send ``signum`` to every worker still running (once stopping, they all go)."""
        self.stopping = True
        for pid in self.children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    def reap(self, pid: int, status: int) -> None:
        """A worker exited: the first unasked or failed exit stops the others."""
        number = self.children.pop(pid, None)
        if number is None:
            return
        code = os.waitstatus_to_exitcode(status)
        if code != 0 and self.exit_code == 0:
            self.exit_code = code if code > 0 else 128 - code
        if not self.stopping:
            log.error("worker: process %d (pid %d) exited with %d; stopping", number, pid, code)
            self.stop()


def run_forked(
    settings: Settings,
    processes: int,
    target: Callable[[Settings], None] = execute,
    load: Callable[[Settings], float] = load_models,
) -> int:
    """``load`` the models, then fork ``processes`` workers that each run ``target`` with
    their :func:`process_settings`; wait for them all. Returns the exit code (0: every worker
    exited cleanly)."""
    _log_to_stderr(settings.log_level)
    seconds = load(settings)
    log.info("worker: models loaded in %.1f s; forking %d processes", seconds, processes)
    forked = Forked()
    previous = {
        sig: signal.signal(sig, lambda signum, frame: forked.stop()) for sig in _STOP_SIGNALS
    }
    gc.collect()
    taken = occupy_free_blocks()  # the workers' objects go to pages of their own
    gc.freeze()  # the objects loaded so far stay shared: no collection writes to them
    release_free_memory()
    _page_out(_lingua_library())
    log.debug("worker: %.1f MiB of free small-object blocks taken", taken / 2**20)
    parent = os.getpid()
    try:
        for number in range(1, processes + 1):
            if forked.stopping:
                break
            sys.stdout.flush()
            sys.stderr.flush()
            # no signal between the fork and the child's own handlers (the parent's would
            # stop the child's siblings)
            signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
            pid = os.fork()
            if pid == 0:
                _child(parent, previous, target, process_settings(settings, number))
            forked.children[pid] = number
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        while forked.children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            forked.reap(pid, status)
    finally:
        forked.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        gc.unfreeze()
    return forked.exit_code


def _lingua_library() -> str | None:
    """The path of Lingua's compiled library, which carries its compressed models."""
    if sys.modules.get("lingua") is None:
        return None
    library = sys.modules.get("lingua.lingua")  # the compiled extension module
    return getattr(library, "__file__", None)


def _page_out(path: str | None) -> None:
    """Ask the kernel to drop this process's pages of the read-only data of the file at
    ``path`` (``MADV_PAGEOUT``, Linux 5.4+; a hint: a page read again is read again).

    Lingua's library carries its models compressed (~90 MB read-only data); once they are
    loaded, nothing reads those pages, yet they stay in the parent's resident set. Pages that
    another process maps too are left alone by the kernel."""
    if path is None:
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        with open("/proc/self/maps", encoding="utf-8") as maps:
            for line in maps:
                fields = line.split(maxsplit=5)
                if len(fields) == 6 and fields[1] == "r--p" and fields[5].strip() == path:
                    start, end = (int(value, 16) for value in fields[0].split("-"))
                    libc.madvise(
                        ctypes.c_void_p(start), ctypes.c_size_t(end - start), _MADV_PAGEOUT
                    )
    except (OSError, AttributeError, ValueError):
        pass


def _log_to_stderr(level: str) -> None:
    """This module's records on stderr (the workers' Faust sets up its own logging)."""
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s] [%(process)d] %(message)s"))
        log.addHandler(handler)
        log.setLevel(level.upper())
        log.propagate = False


def _child(
    parent: int,
    handlers: dict[signal.Signals, Callable[[int, FrameType | None], object] | int | None],
    target: Callable[[Settings], None],
    settings: Settings,
) -> None:
    """A forked worker: its parent's signal handlers undone, stopped if the parent dies; runs
    ``target`` and exits (never returns into the parent's code)."""
    code = 1
    try:
        for sig, handler in handlers.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        _die_with_parent(parent)
        tune_allocator()  # large transient buffers are given back once freed
        target(settings)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        log.exception("worker: process failed")
    finally:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _die_with_parent(parent: int) -> None:
    """Have the kernel send SIGTERM to this process when its parent dies (Linux); exit now if
    it already has."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        raise SystemExit(1)
