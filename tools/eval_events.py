"""Evaluate event keys on same-event data: scored article pairs and stories of several outlets.

Two sets (../shared/data/events):

* **pairs** (SemEval-2022 Task 8: ``{text1, text2, lang1, lang2, overall}``, ``overall`` 1 =
  same story ... 4 = unrelated). Every article is prepared as the worker prepares it and
  indexed as an open event of its own, so that evidence is weighted against a pool of ~2,800
  real articles as in a stream; then, for each pair, would the second article join the
  first's event (:meth:`agents.grouping.Grouper.pair_score`, the worker's scoring)? Printed:
  recall of the same-story pairs (``overall`` <= 1.5) and the share of clearly different pairs
  (``overall`` >= 3.5) that would be merged, overall, cross-lingual, per language pair.
* **stories** (``{doc_id, group, title, text, date}``, e.g. PAC: one story told by outlets of
  different leaning): streamed in a seeded order through prepare and grouping, with the
  publication date as event time; pairwise precision, recall and F1 against the stories, and
  the wrong merges.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from streams.records import Prepared
from streams.settings import Settings

_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "events"
SAME_STORY = 1.5
DIFFERENT = 3.5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pairs",
        default=str(_SHARED / "semeval2022_task8_train_pairs.jsonl"),
        help="scored pairs {text1, text2, lang1, lang2, overall} (default: ../shared SemEval)",
    )
    parser.add_argument(
        "--stories",
        default=str(_SHARED / "pac_story_pairs.jsonl"),
        help="documents {doc_id, group, title, text, date} (default: ../shared PAC)",
    )
    parser.add_argument("--seed", type=int, default=13, help="story order seed (default 13)")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON last")


def _lines(path: str) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in Path(path).read_bytes().splitlines() if line.strip()]


def _prepare(settings: Settings, docs: Sequence[dict[str, Any]], now: float) -> dict[str, Prepared]:
    """doc id -> its article prepared as the worker prepares it (rejected ones left out)."""
    from agents.pipeline import Pipeline

    messages = [(orjson.dumps(doc), None) for doc in docs]
    out: dict[str, Prepared] = {}
    prepared_all = Pipeline.from_settings(settings).prepare(messages, now)
    for doc, prepared in zip(docs, prepared_all, strict=True):
        if isinstance(prepared, Prepared):
            out[doc["id"]] = prepared
        else:
            print(f"rejected {doc['id']}: {prepared.reason}", file=sys.stderr)
    return out


def pair_articles(
    settings: Settings, path: str
) -> tuple[list[dict[str, Any]], dict[str, Prepared]]:
    """The scored pairs of ``path`` and each of their articles, prepared (by doc id)."""
    rows = _lines(path)
    docs: dict[str, dict[str, Any]] = {}
    for row in rows:
        for side in ("1", "2"):
            docs.setdefault(row["id" + side], {"id": row["id" + side], "text": row["text" + side]})
    return rows, _prepare(settings, list(docs.values()), 1_700_000_000.0)


def pairs(settings: Settings, path: str) -> dict[str, Any]:
    """The pair evaluation (see the module's docstring)."""
    from agents.grouping import Grouper, GroupingOptions

    rows, prepared = pair_articles(settings, path)
    grouper = Grouper(GroupingOptions.from_settings(settings))
    keys = {doc: grouper.assign_article(a, match=False).event_key for doc, a in prepared.items()}
    result = pair_counts(rows, prepared, lambda a, b: grouper.pair_score(keys[a.id], b) > 0.0)
    return {"file": path, "articles": len(prepared), **result}


def pair_counts(
    rows: Sequence[dict[str, Any]],
    prepared: dict[str, Prepared],
    joined: Callable[[Prepared, Prepared], bool],
) -> dict[str, Any]:
    """Per band (same story, clearly different) and language pair: how many pairs, and the
    share that ``joined(first, second)`` says would be one event."""
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in rows:
        a, b = prepared.get(row["id1"]), prepared.get(row["id2"])
        if a is None or b is None or row["id1"] == row["id2"]:
            continue
        if row["overall"] <= SAME_STORY:
            band = "same"
        elif row["overall"] >= DIFFERENT:
            band = "different"
        else:
            continue
        together = joined(a, b)
        pair = "-".join(sorted((row["lang1"], row["lang2"])))
        cross = "cross-lingual" if row["lang1"] != row["lang2"] else ""
        for name in ("all", cross, pair):
            if name:
                counts[band][name][0] += together
                counts[band][name][1] += 1
    return {
        "same_story": {k: {"n": v[1], "joined": v[0] / v[1]} for k, v in counts["same"].items()},
        "different": {
            k: {"n": v[1], "joined": v[0] / v[1]} for k, v in counts["different"].items()
        },
    }


def _epoch(date: str | None) -> float | None:
    if not date:
        return None
    try:
        return datetime.fromisoformat(str(date).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def story_articles(
    settings: Settings, path: str, seed: int
) -> tuple[list[dict[str, Any]], dict[str, Prepared]]:
    """The stories' documents in the evaluation's order (shuffled with ``seed``) and their
    prepared articles (publication date as event time), by document id."""
    docs = _lines(path)
    random.Random(seed).shuffle(docs)
    raw = [
        {
            "id": d["doc_id"],
            "title": d.get("title") or "",
            "text": d["text"],
            **({"published_at": str(d["date"])} if _epoch(d.get("date")) else {}),
        }
        for d in docs
    ]
    return docs, _prepare(settings, raw, 1_700_000_000.0)


def stories(settings: Settings, path: str, seed: int) -> dict[str, Any]:
    """The story evaluation (see the module's docstring)."""
    from agents.grouping import Grouper, GroupingOptions
    from tools.eval_grouping import score

    docs, prepared = story_articles(settings, path, seed)
    grouper = Grouper(GroupingOptions.from_settings(settings))
    issued = {doc: grouper.assign_article(a).event_key for doc, a in prepared.items()}
    pred = {doc: grouper.resolve(key) for doc, key in issued.items()}
    gold = {d["doc_id"]: d["group"] for d in docs if d["doc_id"] in pred}
    lang = {d["doc_id"]: d.get("lang", "en") for d in docs if d["doc_id"] in pred}
    result = score(gold, pred, lang)
    groups_in: dict[str, set[str]] = defaultdict(set)
    for doc, key in pred.items():
        groups_in[key].add(gold[doc])
    titles = {d["doc_id"]: d.get("title") or "" for d in docs}
    first_title = {gold[doc]: titles[doc] for doc in pred}
    result["wrong_merges"] = [
        sorted(first_title[g][:80] for g in groups)
        for groups in groups_in.values()
        if len(groups) > 1
    ]
    result["file"] = path
    return result


def run(settings: Settings, args: argparse.Namespace) -> int:
    by_pairs = pairs(settings, args.pairs)
    by_stories = stories(settings, args.stories, args.seed)
    print(f"newsstream eval events: {by_pairs['file']} ({by_pairs['articles']} articles)")
    print(
        f"pairs: would the second article join the first's event? same story (overall <= "
        f"{SAME_STORY}) should, clearly different (>= {DIFFERENT}) should not"
    )
    print(f"  {'':<16}{'same n':>8}{'joined':>8}{'diff n':>8}{'joined':>8}")
    names = sorted(
        set(by_pairs["same_story"]) | set(by_pairs["different"]),
        key=lambda n: (n not in ("all", "cross-lingual"), n),
    )
    for name in names:
        same = by_pairs["same_story"].get(name, {"n": 0, "joined": 0.0})
        diff = by_pairs["different"].get(name, {"n": 0, "joined": 0.0})
        print(
            f"  {name:<16}{same['n']:>8}{same['joined']:>8.1%}{diff['n']:>8}{diff['joined']:>8.1%}"
        )
    pw = by_stories["pairwise"]
    print(
        f"\nstories: {by_stories['file']} ({len(by_stories['recall_by_language_pair']) and ''}"
        f"{by_stories['gold_groups']} stories, {by_stories['events']} events)"
    )
    print(f"  pairwise P {pw['precision']:.4f}  R {pw['recall']:.4f}  F1 {pw['f1']:.4f}")
    merges = by_stories["wrong_merges"]
    print(f"  wrong merges: {len(merges)} events hold more than one story")
    for titles in merges[:10]:
        print("   * " + "\n     ".join(titles))
    if args.json:
        print(orjson.dumps({"pairs": by_pairs, "stories": by_stories}).decode())
    return 0
