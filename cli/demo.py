"""``newsstream demo``: the whole path on this machine, then everything it started is stopped.

Starts a local broker (in a temporary directory) unless ``NEWSSTREAM_BROKER`` names one,
starts a worker, feeds the sample articles bundled with the project (several languages,
translations among them, site chrome included), prints the enriched records and the event
groups, and stops what it started.
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from importlib.resources import files
from pathlib import Path
from typing import Any

import orjson

from cli import tail
from cli.feed import produce
from cli.supervise import WorkerProcess, broker_for, broker_security
from deploy.topics import ensure_topics
from streams.security import security_env
from streams.settings import Settings
from streams.topics import ENRICHED, EVENTS, topic_specs


def sample_articles(run: str) -> list[dict[str, Any]]:
    """The bundled samples, their ids prefixed with this run's id."""
    text = files("cli").joinpath("samples/articles.jsonl").read_text(encoding="utf-8")
    docs = [orjson.loads(line) for line in text.splitlines() if line.strip()]
    return [{**doc, "id": f"{run}-{doc['id']}"} for doc in docs]


def _say(text: str) -> None:
    print(text, flush=True)


def _stop_worker(worker: WorkerProcess) -> None:
    worker.stop()
    print("worker stopped", flush=True)


def _short(text: str | None, width: int) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_results(enriched: dict[str, Any], events: dict[str, Any]) -> None:
    print("\n== news.enriched ==")
    print(f"{'id':<22} {'lang':<4} {'conf':>5} {'words':>5} {'chrome':>6}  {'event_key':<19} title")
    for ident, rec in sorted(enriched.items(), key=lambda kv: (kv[1]["event_key"], kv[0])):
        print(
            f"{_short(ident, 22):<22} {rec['lang']:<4} {rec['lang_confidence']:>5.2f} "
            f"{rec['word_count']:>5} {len(rec['boilerplate_removed']):>6}  "
            f"{rec['event_key']:<19} {_short(rec['title'], 60)}"
        )
    print("\n== news.events ==")
    for key, group in sorted(events.items()):
        if group is None:  # a tombstone: the event closed a while ago
            continue
        ids = ", ".join(m["id"] for m in group["members"])
        state = "closed" if group.get("closed") else "open"
        print(f"{key}  [{', '.join(group['languages'])}]  {state}  {ids}")
    removed = [
        (i, r["boilerplate_removed"]) for i, r in enriched.items() if r["boilerplate_removed"]
    ]
    if removed:
        ident, lines = removed[0]
        print(f"\nchrome removed from {ident}: {orjson.dumps(lines[:6]).decode()}")


def run(settings: Settings) -> int:
    run_id = f"demo{uuid.uuid4().hex[:6]}"
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="newsstream-")))
        bootstrap = stack.enter_context(broker_for(settings, workdir, say=_say))
        client = broker_security(settings, bootstrap)
        ensure_topics(
            bootstrap,
            topic_specs(settings.partitions),
            settings.replication_factor,
            settings=client,
        )
        worker = WorkerProcess(
            {
                **security_env(client),
                "NEWSSTREAM_BROKER": bootstrap,
                "NEWSSTREAM_APP_ID": f"newsstream-{run_id}",
                "NEWSSTREAM_DATA_DIR": str(workdir / "worker"),
            },
            workdir / "logs",
        )
        print("starting the worker ...", flush=True)
        began = time.monotonic()
        worker.start()
        stack.callback(_stop_worker, worker)
        print(f"  ready in {time.monotonic() - began:.1f}s", flush=True)

        docs = sample_articles(run_id)
        messages = [(d["id"].encode(), orjson.dumps(d)) for d in docs]
        produce(bootstrap, messages, progress=False, settings=client)
        print(
            f"fed {len(docs)} sample articles to news.raw; waiting for news.enriched ...",
            flush=True,
        )
        began = time.monotonic()
        ids = {d["id"] for d in docs}
        enriched = tail.collect(bootstrap, ENRICHED, ids, timeout=120, settings=client)
        print(f"  {len(enriched)} enriched in {time.monotonic() - began:.1f}s", flush=True)
        keys = {rec["event_key"] for rec in enriched.values()}
        events = tail.collect(bootstrap, EVENTS, keys, by="key", timeout=30, settings=client)
        _print_results(enriched, events)
        if len(enriched) < len(docs):
            print(
                f"\n{len(docs) - len(enriched)} articles did not come out; worker log:\n"
                f"{worker.tail()}",
                file=sys.stderr,
            )
            return 1
    return 0
