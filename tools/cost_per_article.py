"""``python -m tools.cost_per_article --against REV FILE...``: in-process CPU per article of
this checkout against another revision, measured back to back in one run (#14's cost budget).

Both revisions process the same stream through ``cli.process.process_lines`` (boilerplate,
language, evidence, embedding, grouping; one process, no broker): the files' articles in
order, as ``{"id", "title", "text", "url"}`` lines. Each revision runs in its own
subprocess, the other revision from a temporary ``git worktree``:

1. the whole stream once, untimed: models load, and the lazy parts (Lingua's languages, the
   gazetteer) are built, as in a worker that has run a while;
2. every bounded ``functools`` cache of ``agents.*`` cleared (the per-word caches): the timed
   pass must not find the words of the same articles it has just read;
3. the stream again with a fresh grouper, timed by the process's CPU clock. The pipeline is
   the worker's, without a stage timer: a timer around every stage cost this checkout 2-3% of
   its time in a py-spy profile (a cost the worker does not pay and the older revision, which
   has no stages to time, did not either);
4. for the stage breakdown only, the caches cleared again and a third pass with a stage timer
   (not part of the ratio).

Rounds alternate the revisions (``--rounds``): this machine's rounds differ by 10-25%, so
only ratios within a round are compared, and the order alternates too (the other revision
first in odd rounds, this checkout first in even ones), so that a machine slowing down or
speeding up over a run does not favour one side; the median ratio is printed last. This
checkout also prints its stages' CPU (:class:`agents.pipeline.Pipeline`'s timer). Input:
translated_news-style JSONL files (``doc_id``, ``title``, ``text``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: What runs in each revision's process: argv = [files...]; prints one JSON line.
_MEASURE = r"""
import collections, contextlib, functools, gc, inspect, io, json, os, sys, time
sys.path.insert(0, os.getcwd())
from streams.settings import load_settings
from cli.process import process_lines

settings = load_settings()
lines = []
for name in sys.argv[1:]:
    with open(name, encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            lines.append(json.dumps({
                "id": doc["doc_id"], "title": doc.get("title") or "", "text": doc["text"],
                "url": "https://example.com/" + doc["doc_id"],
            }).encode())
stream = b"\n".join(lines) + b"\n"
stages = collections.Counter()
timing = [False]

@contextlib.contextmanager
def timer(stage):
    start = time.process_time()
    try:
        yield
    finally:
        if timing[0]:
            stages[stage] += time.process_time() - start

extra = []
pipeline = None
if len(inspect.signature(process_lines).parameters) > 4:  # a revision with agents.pipeline
    from agents.pipeline import Pipeline
    pipeline = Pipeline.from_settings(settings)
    pipeline.warm_up()
    extra = [pipeline]
with open(os.devnull, "wb") as sink:
    process_lines(io.BytesIO(stream), settings, sink, None, *extra)

def clear_caches():
    cleared = 0
    for module_name, module in list(sys.modules.items()):
        if module_name.split(".")[0] != "agents":
            continue
        for value in vars(module).values():
            if (
                getattr(value, "__module__", None) == module_name
                and hasattr(value, "cache_clear")
                and value.cache_parameters().get("maxsize") is not None
            ):
                value.cache_clear()
                cleared += 1
    gc.collect()
    return cleared

cleared = clear_caches()
start = time.process_time()
with open(os.devnull, "wb") as sink:
    process_lines(io.BytesIO(stream), settings, sink, None, *extra)
spent = time.process_time() - start
if pipeline is not None:  # the stage breakdown, in a pass of its own
    clear_caches()
    pipeline.timer = timer
    timing[0] = True
    with open(os.devnull, "wb") as sink:
        process_lines(io.BytesIO(stream), settings, sink, None, *extra)
print(json.dumps({
    "articles": len(lines),
    "ms_per_article": 1000 * spent / len(lines),
    "caches_cleared": cleared,
    "stages_ms": {k: 1000 * v / len(lines) for k, v in stages.most_common()},
}))
"""


def measure(checkout: Path, files: list[str], python: str) -> dict[str, Any]:
    """One timed pass of ``checkout``'s code over ``files`` (see the module's docstring)."""
    done = subprocess.run(
        [python, "-c", _MEASURE, *files],
        cwd=checkout,
        env={**os.environ, "PYTHONPATH": str(checkout)},
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", help="translated_news-style JSONL files, in order")
    parser.add_argument("--against", required=True, help="the revision to compare with")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    files = [str(Path(f).resolve()) for f in args.files]
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="newsstream-cost-") as scratch:
        other = Path(scratch) / "checkout"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "-f", str(other), args.against],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            print(f"in-process CPU per article, {len(files)} files, caches cleared before timing")
            ratios: list[float] = []
            for round_ in range(1, args.rounds + 1):
                if round_ % 2:
                    base = measure(other, files, sys.executable)
                    now = measure(ROOT, files, sys.executable)
                else:
                    now = measure(ROOT, files, sys.executable)
                    base = measure(other, files, sys.executable)
                ratio = now["ms_per_article"] / base["ms_per_article"]
                ratios.append(ratio)
                print(
                    f"round {round_}: {args.against} {base['ms_per_article']:.2f} ms  "
                    f"{head or 'this checkout'} {now['ms_per_article']:.2f} ms  "
                    f"ratio {ratio:.2f}  ({now['articles']} articles)"
                )
                stages = now.get("stages_ms") or {}
                by_stage = "  ".join(f"{k} {v:.2f}" for k, v in stages.items())
                print(f"  this checkout by stage (ms, a pass with a stage timer): {by_stage}")
            print(f"median ratio over {len(ratios)} rounds: {statistics.median(ratios):.2f}")
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, capture_output=True
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
