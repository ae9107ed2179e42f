"""``python -m tools.grouping_task_cost FILE...``: CPU of the one grouping task per article,
with what prepare carries on ``news.prepared`` against records without it.

Grouping runs as one task (``news.prepared`` has one partition), so its CPU per article caps
the stream's throughput whatever the number of workers; prepare scales with the partitions of
``news.raw``. Prepare takes the paragraph prints and the words' test's words and carries
them (:class:`streams.records.Prepared` ``paras``, ``words``); a record from an older writer
has neither, and grouping then takes them from the text, as it did before.

The files' articles (translated_news-style JSONL: ``doc_id``, ``title``, ``text``) are
prepared once; then the same records are grouped, in order and with a fresh grouper each
pass, as prepared (carried) and with ``paras`` and ``words`` removed (not carried), passes
alternated (``--rounds``, each both ways, the order swapped every round) and timed by the
process's CPU clock. Printed: ms per article each pass, the median of each, their ratio, and
whether both ways issued every article the same event key (they must).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import replace

from agents.pipeline import Pipeline
from streams.records import Prepared
from streams.settings import load_settings


def _prepared(pipeline: Pipeline, paths: list[str]) -> list[Prepared]:
    messages = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                doc = json.loads(line)
                value = {"id": doc["doc_id"], "title": doc.get("title") or "", "text": doc["text"]}
                messages.append((json.dumps(value).encode(), None))
    return [p for p in pipeline.prepare(messages, time.time()) if isinstance(p, Prepared)]


def _pass(pipeline: Pipeline, articles: list[Prepared]) -> tuple[float, list[str]]:
    """ms of CPU per article grouping ``articles`` with a fresh grouper, and their keys."""
    grouper = pipeline.new_grouper()
    began = time.process_time()
    keys = [grouper.assign_article(article).event_key for article in articles]
    return (time.process_time() - began) * 1000 / len(articles), keys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", help="translated_news-style JSONL files")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each both ways (3)")
    args = parser.parse_args(argv)
    pipeline = Pipeline.from_settings(load_settings())
    carried = _prepared(pipeline, args.files)
    bare = [replace(article, paras=None, words=None) for article in carried]
    spent: dict[str, list[float]] = {"carried": [], "not carried": []}
    keys: dict[str, list[str]] = {}
    for number in range(args.rounds):
        ways = [("carried", carried), ("not carried", bare)]
        for name, articles in ways if number % 2 == 0 else ways[::-1]:
            ms, keys[name] = _pass(pipeline, articles)
            spent[name].append(ms)
            print(f"round {number + 1}: {name:<11} {ms:.3f} ms an article ({len(articles)})")
    medians = {name: statistics.median(values) for name, values in spent.items()}
    print(
        f"grouping task, median over {args.rounds} rounds: carried {medians['carried']:.3f} ms,"
        f" not carried {medians['not carried']:.3f} ms,"
        f" ratio {medians['carried'] / medians['not carried']:.3f}"
    )
    same = keys["carried"] == keys["not carried"]
    print(f"event keys identical both ways: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
