"""``newsstream``: kafka, worker, feed, tail, process, demo; in a source checkout also the
developer tools ``bench`` and ``eval`` (in ``tools/``, not installed with the product).

Each sub-command's module is imported only when that command runs, so ``newsstream --help``
and ``newsstream process`` start without the Faust stack.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from streams import topics
from streams.settings import Settings, SettingsError, load_settings

#: ``newsstream eval TARGET``: each module has ``add_arguments(parser)`` and ``run(settings, args)``
#: and imports its heavy dependencies inside ``run``.
_EVALS = {
    "grouping": "tools.eval_grouping",
    "langid": "tools.eval_langid",
    "extraction": "tools.eval_extraction",
    "pages": "tools.eval_pages",
    "events": "tools.eval_events",
    "names": "tools.eval_names",
    "translations": "tools.eval_translations",
    "sharding": "tools.sim_sharding",
}
#: What ``bench`` and ``eval`` say where the tools are not (an installed wheel, the image).
NO_TOOLS = "is a developer tool: run it from a source checkout of newsstream (tools/)"


def developer_tools() -> ModuleType | None:
    """The ``tools`` package of the source checkout this CLI runs from, or None when it is an
    installed copy (the wheel and the image carry the product only)."""
    try:
        return importlib.import_module("tools")
    except ImportError:
        checkout = Path(__file__).resolve().parents[1]
        if not (checkout / "tools" / "__init__.py").is_file():
            return None
        sys.path.insert(0, str(checkout))
        return importlib.import_module("tools")


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
    config = sub.add_parser(
        "config", help="print the effective settings (secrets masked), warn about unknown ones"
    )
    config.add_argument("--json", action="store_true", help="one JSON object instead of lines")

    feed = sub.add_parser("feed", help=f"produce articles to {topics.RAW}")
    feed.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help=".txt (first line = title), .html, .json, .jsonl, or - for stdin; JSON as ours, "
        "trafilatura's or news-please's",
    )
    feed.add_argument(
        "--rate", type=float, default=None, metavar="N", help="send at most N articles a second"
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

    reset = sub.add_parser(
        "reset", help="delete local state; with flags the group's offsets and the changelogs"
    )
    reset.add_argument(
        "--offsets", action="store_true", help="also delete the consumer group (reprocess)"
    )
    reset.add_argument(
        "--changelogs",
        action="store_true",
        help="also delete the tables' changelog topics (open events, learned chrome)",
    )
    reset.add_argument("--yes", action="store_true", help="do it (without: print the plan)")
    sub.add_parser("demo", help="broker + worker + bundled samples, print the results")
    bench = sub.add_parser("bench", help="speed, latency, memory (developer tool)")
    evaluate = sub.add_parser("eval", help="measure a stage on labelled data (developer tool)")
    if developer_tools() is None:
        return parser  # listed, and refused by main() with where they are
    importlib.import_module("tools.bench").add_arguments(bench)
    targets = evaluate.add_subparsers(dest="target", required=True)
    for name, module in _EVALS.items():
        module_obj = importlib.import_module(module)
        module_obj.add_arguments(
            targets.add_parser(name, help=(module_obj.__doc__ or name).splitlines()[0])
        )
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] in (["bench"], ["eval"]) and developer_tools() is None:
        print(f"error: newsstream {argv[0]} {NO_TOOLS}", file=sys.stderr)
        sys.exit(2)
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


def _config(settings: Settings, as_json: bool) -> int:
    """``newsstream config``: every setting's variable and effective value (secrets masked),
    then a warning per ``NEWSSTREAM_*`` variable no setting reads; exit 1 if there is one."""
    from streams.settings import effective, unknown_variables

    values = effective(settings)
    if as_json:
        import orjson

        print(orjson.dumps(values, option=orjson.OPT_INDENT_2).decode())
    else:
        width = max(map(len, values))
        for var, value in values.items():
            print(f"{var:<{width}}  {value}")
    unknown = unknown_variables()
    for var in unknown:
        print(
            f"warning: {var} is not a newsstream setting (a typo?); it is ignored", file=sys.stderr
        )
    return 1 if unknown else 0


def _dispatch(args: argparse.Namespace, settings: Settings) -> None:
    if args.command == "config":
        sys.exit(_config(settings, args.json))
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

        if args.rate is not None and args.rate <= 0:
            print("error: --rate must be a positive number of articles a second", file=sys.stderr)
            sys.exit(2)
        feed.run(settings, args.paths, args.rate)
    elif args.command == "tail":
        from cli import tail

        tail.run(settings, args.topic, args.from_beginning, args.n, args.timeout, args.keys)
    elif args.command == "process":
        from cli import process

        sys.exit(process.run(settings, args.input, args.output, args.dead_letters, args.events))
    elif args.command == "eval":
        sys.exit(importlib.import_module(_EVALS[args.target]).run(settings, args))
    elif args.command == "reset":
        from cli import reset

        sys.exit(reset.run(settings, args.offsets, args.changelogs, args.yes))
    elif args.command == "demo":
        from cli import demo

        sys.exit(demo.run(settings))
    elif args.command == "bench":
        sys.exit(importlib.import_module("tools.bench").run(settings, args))
