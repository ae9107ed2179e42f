"""``newsstream``: kafka, worker, feed, tail, process, demo.

Each sub-command's module is imported only when that command runs, so ``newsstream --help``
and ``newsstream process`` start without the Faust stack.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from streams import topics
from streams.settings import Settings, SettingsError, load_settings

#: ``newsstream eval TARGET``: each module has ``add_arguments(parser)`` and ``run(settings, args)``
#: and imports its heavy dependencies inside ``run``.
_EVALS = {
    "grouping": "cli.eval_grouping",
    "langid": "cli.eval_langid",
    "extraction": "cli.eval_extraction",
    "events": "cli.eval_events",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsstream",
        description="Streaming enrichment of multilingual news on Apache Kafka.",
        epilog="Settings come from NEWSSTREAM_* environment variables (see the README).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    kafka = sub.add_parser("kafka", help="the local Apache Kafka broker (KRaft, no Docker)")
    kafka.add_argument("action", choices=("start", "stop", "status"))
    kafka.add_argument("--version", help="Kafka version, e.g. 4.1.x or 3.9.x (KAFKA_VERSION)")
    kafka.add_argument("--port", type=int, default=9092, help="broker port (default 9092)")

    worker = sub.add_parser("worker", help="run the Faust worker with all agents")
    worker.add_argument(
        "--processes",
        type=int,
        default=1,
        metavar="N",
        help="N workers forked from one process that loaded the models once (they share "
        "them); worker n serves NEWSSTREAM_WEB_PORT + n - 1 and keeps its tables in "
        "NEWSSTREAM_DATA_DIR/process-n (default 1: this process is the worker)",
    )

    feed = sub.add_parser("feed", help=f"produce articles to {topics.RAW}")
    feed.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help=".txt (first line = title), .html, .json, .jsonl, or - for stdin",
    )

    tail = sub.add_parser("tail", help="print a topic's records as JSON lines")
    tail.add_argument("topic")
    tail.add_argument("--from-beginning", action="store_true")
    tail.add_argument("-n", type=int, default=None, help="stop after N records")
    tail.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="stop when no record arrived for this many seconds",
    )
    tail.add_argument(
        "--keys", action="store_true", help="print {topic, partition, offset, key, value} objects"
    )

    process = sub.add_parser("process", help="run the stages in-process on a JSON-lines file")
    process.add_argument("input", metavar="IN.jsonl")
    process.add_argument("-o", "--output", required=True, metavar="OUT.jsonl")
    process.add_argument("--dead-letters", metavar="DEAD.jsonl")
    process.add_argument(
        "--events", metavar="EVENTS.jsonl", help="also write the final event groups"
    )

    sub.add_parser("demo", help="broker + worker + bundled samples, print the results")
    importlib.import_module("cli.bench").add_arguments(
        sub.add_parser("bench", help="speed, latency, memory")
    )

    evaluate = sub.add_parser("eval", help="measure a stage on a labelled data set")
    targets = evaluate.add_subparsers(dest="target", required=True)
    for name, module in _EVALS.items():
        module_obj = importlib.import_module(module)
        module_obj.add_arguments(
            targets.add_parser(name, help=(module_obj.__doc__ or name).splitlines()[0])
        )
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    from streams.security import BrokerRefusedError, SecurityConfigError

    try:
        _dispatch(args, settings)
    except (SecurityConfigError, BrokerRefusedError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)


def _dispatch(args: argparse.Namespace, settings: Settings) -> None:
    if args.command == "kafka":
        from cli import kafka_cmd

        sys.exit(kafka_cmd.run(settings, args.action, args.version, args.port))
    if args.command == "worker":
        from cli import worker

        if args.processes < 1:
            raise SystemExit("newsstream worker: --processes must be at least 1")
        worker.run(settings, args.processes)
    elif args.command == "feed":
        from cli import feed

        feed.run(settings, args.paths)
    elif args.command == "tail":
        from cli import tail

        tail.run(settings, args.topic, args.from_beginning, args.n, args.timeout, args.keys)
    elif args.command == "process":
        from cli import process

        sys.exit(process.run(settings, args.input, args.output, args.dead_letters, args.events))
    elif args.command == "eval":
        sys.exit(importlib.import_module(_EVALS[args.target]).run(settings, args))
    elif args.command == "demo":
        from cli import demo

        sys.exit(demo.run(settings))
    elif args.command == "bench":
        from cli import bench

        sys.exit(bench.run(settings, args))
