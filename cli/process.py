"""``newsstream process IN.jsonl -o OUT.jsonl``: the worker's stages in-process, no broker.

Every input line goes through :class:`agents.pipeline.Pipeline` (prepared in batches, as in
the worker, then grouped), the very pipeline the agents run, and comes out as one enriched
record or one dead letter (with its line number). For backfills and evaluation.
"""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path
from typing import IO

import orjson

from agents.boilerplate_learn import ChromeMemory
from agents.deadletters import dead_letter
from agents.grouping import Grouper
from agents.pipeline import Pipeline
from agents.publish import PublishOptions, enriched_record, event_group
from streams.records import Rejected
from streams.settings import Settings


def process_lines(
    lines: IO[bytes],
    settings: Settings,
    out: IO[bytes],
    dead: IO[bytes] | None,
    pipeline: Pipeline | None = None,
) -> tuple[int, int, Grouper]:
    """Process every line; return (enriched, dead-lettered, the grouper with its events).

    Lines are prepared ``settings.prepare_batch`` at a time, as the worker does (one call of
    the embedding model per batch), and come out in their order. ``pipeline``: the one the
    settings ask for unless given (the bench passes one with a stage timer)."""
    pipeline = pipeline or Pipeline.from_settings(settings)
    grouper = pipeline.new_grouper()
    counts = [0, 0]  # enriched, dead-lettered
    # Chrome learned per source, as the worker keeps it (here over a plain dict).
    sources = ChromeMemory({}, pipeline.options.learn_checkpoint_every)
    batch: list[tuple[int, bytes]] = []

    def flush() -> None:
        now = time.time()
        outcomes = pipeline.prepare([(value, None) for _, value in batch], now, sources)
        for (number, value), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Rejected):
                counts[1] += 1
                if dead is not None:
                    letter = dead_letter(outcome, value, None, now, number)
                    dead.write(orjson.dumps(asdict(letter)) + b"\n")
                continue
            result = pipeline.assign(grouper, outcome)
            out.write(orjson.dumps(enriched_record(outcome, result, now)) + b"\n")
            counts[0] += 1
        batch.clear()

    for number, line in enumerate(lines, start=1):
        value = line.rstrip(b"\r\n")
        if value.strip():
            batch.append((number, value))
        if len(batch) >= max(1, settings.prepare_batch):
            flush()
    if batch:
        flush()
    return counts[0], counts[1], grouper


def run(
    settings: Settings, input_path: str, output: str, dead_letters: str | None, events: str | None
) -> int:
    with ExitStack() as stack:
        source = (
            sys.stdin.buffer
            if input_path == "-"
            else stack.enter_context(Path(input_path).open("rb"))
        )
        dead = stack.enter_context(Path(dead_letters).open("wb")) if dead_letters else None
        out = stack.enter_context(Path(output).open("wb"))
        enriched, rejected, grouper = process_lines(source, settings, out, dead)
    if events:
        max_members = PublishOptions.from_settings(settings).max_members
        with Path(events).open("wb") as ev:
            for state in grouper.states():
                ev.write(orjson.dumps(event_group(state, max_members)) + b"\n")
    print(
        f"{enriched} enriched, {rejected} dead-lettered, {len(grouper.events)} events",
        file=sys.stderr,
    )
    return 0
