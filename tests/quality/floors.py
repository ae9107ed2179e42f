"""The quality floors' measurements: fast subsets of the dev evaluations, computed by the
same code as ``newsstream eval`` (``python -m tests.quality.floors`` prints them)."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
FLOORS = Path(__file__).with_name("floors.json")
#: translated_news files grouped whole (one tuned on, one of other scripts).
GROUPING_FILES = ("newstest2013.jsonl", "wmttest2024.jsonl")
#: Every this many FLORES-200 dev sentences per language (300 each): 20 per language.
FLORES_STEP = 15
#: Texts of the 14-language Lingua set, evenly sampled.
LINGUA_TEXTS = 600
#: The first pages of the trafilatura evaluation.
EXTRACTION_PAGES = 150


def digest(paths: list[Path]) -> str:
    """SHA-256 over the files' names and bytes: a floor holds for exactly this data."""
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def grouping() -> dict[str, Any]:
    from cli.eval_grouping import group_docs, load, score, shuffled
    from streams.settings import Settings

    out: dict[str, Any] = {}
    paths = [SHARED / "translated_news" / name for name in GROUPING_FILES]
    for path in paths:
        docs = shuffled(load([str(path)], None), 13)
        pred = group_docs(Settings(), docs).pred
        gold = {d.doc_id: d.group for d in docs}
        lang = {d.doc_id: d.lang for d in docs}
        result = score({k: gold[k] for k in pred}, pred, lang)
        by_pair = result["recall_by_language_pair"]
        out[path.stem] = {
            "f1": result["pairwise"]["f1"],
            "precision": result["pairwise"]["precision"],
            "recall": result["pairwise"]["recall"],
            "worst_pair_recall": min(by_pair.values()),
        }
    out["digest"] = digest(paths)
    return out


def langid() -> dict[str, Any]:
    from agents import language
    from cli.eval_langid import load_samples

    model = language.load_model("high")
    flores_path = SHARED / "langid" / "flores200_dev.jsonl"
    lingua_path = SHARED / "langid" / "lingua_testdata_14langs.jsonl"
    flores = load_samples(str(flores_path), None)[::FLORES_STEP]
    lingua = load_samples(str(lingua_path), LINGUA_TEXTS)
    out: dict[str, Any] = {}
    for name, samples in (("flores", flores), ("lingua14", lingua)):
        gold = [language.normalise_code(s.lang) for s in samples]
        ours = [language.detect(model, None, s.text, 0.25).lang for s in samples]
        plain = [
            language.normalise_code(
                model.fasttext.predict(" ".join(s.text.split()), k=1)[0][0][len("__label__") :]
            )
            for s in samples
        ]
        out[name] = {
            "ours": sum(o == g for o, g in zip(ours, gold, strict=True)) / len(gold),
            "lid176": sum(p == g for p, g in zip(plain, gold, strict=True)) / len(gold),
            "texts": len(gold),
        }
    out["digest"] = digest([flores_path, lingua_path])
    return out


def extraction() -> dict[str, Any]:
    from cli.eval_extraction import evaluate, load_pages

    directory = SHARED / "extraction" / "trafilatura-eval"
    rows = evaluate(load_pages(directory, EXTRACTION_PAGES))
    out: dict[str, Any] = {
        "html": {"f": rows.html_ours.f, "precision": rows.html_ours.precision},
        "html_trafilatura": {"f": rows.html_trafilatura.f},
        "text": {"f": rows.text_ours.f, "precision": rows.text_ours.precision},
    }
    with (directory / "evaldata.json").open(encoding="utf-8") as handle:
        items = list(json.load(handle).values())[:EXTRACTION_PAGES]
    files = [directory / "html" / item["file"] for item in items]
    out["digest"] = digest([directory / "evaldata.json", *files])
    return out


MEASURES = {"grouping": grouping, "langid": langid, "extraction": extraction}


if __name__ == "__main__":
    names = sys.argv[1:] or list(MEASURES)
    print(json.dumps({name: MEASURES[name]() for name in names}, indent=2))
