"""Evaluate event grouping on documents with gold groups (e.g. WMT translated news).

Streams the documents in a seeded, shuffled, interleaved order through the very code the
worker runs (:class:`agents.pipeline.Pipeline`: prepare, then grouping) and
prints pairwise precision/recall/F1 over document pairs (positive: same gold ``group``),
B-cubed F1, recall per language pair, the ``translation_of`` relation scored against the gold
groups (:func:`score_translations`), articles per second and peak memory, and the predicted
events that merge several gold groups, for a person to look at.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from streams.settings import Settings

if TYPE_CHECKING:
    from agents.grouping import Assignment, Grouper
    from agents.pipeline import Pipeline
    from streams.records import Prepared


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE.jsonl",
        help="documents {doc_id, lang, title, text, group}",
    )
    parser.add_argument("--seed", type=int, default=13, help="shuffle seed (default 13)")
    parser.add_argument("--limit", type=int, default=None, help="use the first N documents")
    parser.add_argument("--merges", type=int, default=15, help="cross-group merges to print")
    parser.add_argument(
        "--copies",
        type=int,
        default=0,
        metavar="K",
        help="also run with every K-th document republished later (new id, last paragraph cut) "
        "and score duplicate_of",
    )
    parser.add_argument(
        "--one-line",
        action="store_true",
        help="deliver every article not in English with its lines joined into one (a crawler "
        "that joins lines: the paragraph count is lost)",
    )
    parser.add_argument(
        "--no-headline",
        action="store_true",
        help="deliver every article not in English without the headline its text opens with "
        "(a crawler that gives the title only in 'title')",
    )
    parser.add_argument(
        "--shouted",
        action="store_true",
        help="deliver every article not in English with its headline in capitals (the title, "
        "and the text's first line when that is the title), as some sites write them",
    )
    parser.add_argument(
        "--wrapped",
        type=int,
        default=0,
        metavar="WIDTH",
        help="deliver every article not in English hard-wrapped at WIDTH characters, its "
        "paragraphs apart by blank lines (plain-text feeds, mail, wire services)",
    )
    parser.add_argument(
        "--summary",
        type=int,
        default=0,
        metavar="LINES",
        help="deliver every article as its title and its first LINES lines (sentences in the "
        "WMT files), as an RSS item's description or a news API's snippet gives it",
    )
    parser.add_argument(
        "--site-titles",
        action="store_true",
        help="deliver every article with a URL of a site of its language and its title as "
        "that site's <title> writes it ('… | Spiegel Online'; SITES)",
    )
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON last")


@dataclass(frozen=True, slots=True)
class Doc:
    doc_id: str
    lang: str
    title: str
    text: str
    group: str
    url: str | None = None


#: A news site per language (its name as its pages' <title> writes it, its host), for
#: ``--site-titles``: names in the language's script, hosts that abbreviate them (hs.fi).
SITES: dict[str, tuple[str, str]] = {
    "cs": ("Novinky.cz", "www.novinky.cz"),
    "de": ("SPIEGEL ONLINE", "www.spiegel.de"),
    "en": ("BBC News", "www.bbc.co.uk"),
    "es": ("EL PAÍS", "elpais.com"),
    "fi": ("Helsingin Sanomat", "www.hs.fi"),
    "fr": ("Le Monde.fr", "www.lemonde.fr"),
    "he": ("ynet", "www.ynet.co.il"),
    "hi": ("दैनिक जागरण", "www.jagran.com"),
    "hu": ("Index", "index.hu"),
    "is": ("mbl.is", "www.mbl.is"),
    "it": ("Corriere della Sera", "www.corriere.it"),
    "ja": ("朝日新聞デジタル", "www.asahi.com"),
    "ru": ("РИА Новости", "ria.ru"),
    "uk": ("Українська правда", "www.pravda.com.ua"),
    "zh": ("新华网", "www.xinhuanet.com"),
}


def site_titled(doc: Doc) -> Doc:
    """``doc`` from its language's site (:data:`SITES`): a URL there, and its title with the
    site's name after it, as a page's <title> has it."""
    name, host = SITES.get(doc.lang, (f"{doc.lang.upper()} News", f"www.{doc.lang}-news.example"))
    path = "".join(c if c.isalnum() else "-" for c in doc.doc_id)
    return replace(doc, title=f"{doc.title} | {name}", url=f"https://{host}/{path}")


def site_names_left(docs: Sequence[Doc], titles: dict[str, str | None]) -> dict[str, list[int]]:
    """Per language, of the documents :func:`site_titled` gave a site's name: how many
    published titles still carry it, and of how many."""
    out: dict[str, list[int]] = {}
    for doc in docs:
        if doc.doc_id in titles:
            name = SITES.get(doc.lang, (f"{doc.lang.upper()} News", ""))[0]
            counts = out.setdefault(doc.lang, [0, 0])
            counts[0] += name in (titles[doc.doc_id] or "")
            counts[1] += 1
    return dict(sorted(out.items()))


def load(paths: Iterable[str], limit: int | None) -> list[Doc]:
    docs: list[Doc] = []
    for path in paths:
        for line in Path(path).read_bytes().splitlines():
            if line.strip():
                d = orjson.loads(line)
                docs.append(
                    Doc(d["doc_id"], d["lang"], d.get("title") or "", d["text"], str(d["group"]))
                )
    return docs[:limit] if limit else docs


def one_line(doc: Doc) -> Doc:
    """``doc`` with its text's lines joined by spaces."""
    return replace(doc, text=" ".join(doc.text.split("\n")))


def without_headline(doc: Doc) -> Doc:
    """``doc`` without its text's first line when that line is its title."""
    first, _, rest = doc.text.partition("\n")
    if rest.strip() and first.strip() == doc.title.strip():
        return replace(doc, text=rest)
    return doc


def shouted(doc: Doc) -> Doc:
    """``doc`` with its title, and its text's first line when that is the title, in capitals."""
    first, newline, rest = doc.text.partition("\n")
    if first.strip() == doc.title.strip():
        first = first.upper()
    return replace(doc, title=doc.title.upper(), text=first + newline + rest)


def wrapped(doc: Doc, width: int) -> Doc:
    """``doc`` with each paragraph hard-wrapped at ``width`` characters and a blank line
    between paragraphs."""
    import textwrap

    paragraphs = [p for p in doc.text.split("\n") if p.strip()]
    return replace(doc, text="\n\n".join(textwrap.fill(p, width) for p in paragraphs))


def summary(doc: Doc, lines: int) -> Doc:
    """``doc`` as its title and its first ``lines`` non-empty lines."""
    return replace(doc, text="\n".join([p for p in doc.text.split("\n") if p.strip()][:lines]))


def pair_count(n: int) -> int:
    return n * (n - 1) // 2


def score(gold: dict[str, str], pred: dict[str, str], lang: dict[str, str]) -> dict[str, Any]:
    """Pairwise and B-cubed scores of ``pred`` (doc -> event) against ``gold`` (doc -> group)."""
    pred_sets: dict[str, set[str]] = defaultdict(set)
    gold_sets: dict[str, set[str]] = defaultdict(set)
    for doc, key in pred.items():
        pred_sets[key].add(doc)
    for doc, group in gold.items():
        gold_sets[group].add(doc)
    cells = Counter((pred[d], gold[d]) for d in pred)
    tp = sum(pair_count(n) for n in cells.values())
    pred_pairs = sum(pair_count(len(s)) for s in pred_sets.values())
    gold_pairs = sum(pair_count(len(s)) for s in gold_sets.values())
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / gold_pairs if gold_pairs else 1.0
    b_p = sum(cells[(pred[d], gold[d])] / len(pred_sets[pred[d]]) for d in pred) / len(pred)
    b_r = sum(cells[(pred[d], gold[d])] / len(gold_sets[gold[d]]) for d in pred) / len(pred)
    by_pair: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for members in gold_sets.values():
        for a, b in combinations(sorted(members), 2):
            name = "-".join(sorted((lang[a], lang[b])))
            by_pair[name][1] += 1
            by_pair[name][0] += pred[a] == pred[b]
    return {
        "pairwise": {
            "precision": precision,
            "recall": recall,
            "f1": _f1(precision, recall),
            "true_pairs": tp,
            "predicted_pairs": pred_pairs,
            "gold_pairs": gold_pairs,
        },
        "bcubed": {"precision": b_p, "recall": b_r, "f1": _f1(b_p, b_r)},
        "recall_by_language_pair": {k: v[0] / v[1] for k, v in sorted(by_pair.items())},
        "events": len(pred_sets),
        "gold_groups": len(gold_sets),
    }


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def merges(gold: dict[str, str], pred: dict[str, str], docs: dict[str, Doc]) -> list[list[str]]:
    """Predicted events that hold more than one gold group: a title for each group."""
    groups_in: dict[str, dict[str, str]] = defaultdict(dict)
    for doc, key in pred.items():
        d = docs[doc]
        current = groups_in[key].get(gold[doc])
        if current is None or d.lang == "en":
            groups_in[key][gold[doc]] = f"[{d.lang}] {d.title[:90]}"
    return [sorted(titles.values()) for titles in groups_in.values() if len(titles) > 1]


@dataclass(frozen=True, slots=True)
class Grouped:
    """What :func:`group_docs` made: each document's event key, its detected language, and the
    seconds preparing and grouping took."""

    pred: dict[str, str]
    detected: dict[str, str]
    prepare_seconds: float
    group_seconds: float
    #: Each document's ``translation_of`` (the member it was linked to as its translation).
    translation_of: dict[str, str | None] = field(default_factory=dict)
    #: Each document's ``duplicate_of`` (the member it was found to repeat).
    duplicate_of: dict[str, str | None] = field(default_factory=dict)
    #: Each document's title as published.
    titles: dict[str, str | None] = field(default_factory=dict)


def prepare_docs(pipeline: Pipeline, docs: Sequence[Doc]) -> list[Prepared]:
    """The documents, in order, through the prepare stages as the worker runs them (all at
    one event time, each source's chrome learned as the worker learns it: a source is a
    document's URL's host, so only documents with a URL have one); a rejected one is reported
    on stderr and left out."""
    from agents.boilerplate_learn import ChromeMemory
    from streams.records import Prepared

    now = 1_700_000_000.0
    prepared: list[Prepared] = []
    messages = [
        (
            orjson.dumps(
                {
                    "id": d.doc_id,
                    "title": d.title,
                    "text": d.text,
                    **({"url": d.url} if d.url else {}),
                }
            ),
            None,
        )
        for d in docs
    ]
    sources = ChromeMemory({})
    for d, out in zip(docs, pipeline.prepare(messages, now, sources), strict=True):
        if not isinstance(out, Prepared):
            print(f"rejected {d.doc_id}: {out.reason}", file=sys.stderr)
            continue
        prepared.append(out)
    return prepared


def group_docs(settings: Settings, docs: Sequence[Doc]) -> Grouped:
    """The documents, in order, through prepare and grouping as the worker runs them."""
    from agents.pipeline import Pipeline

    pipeline = Pipeline.from_settings(settings)
    started = time.perf_counter()
    prepared = prepare_docs(pipeline, docs)
    prepare_seconds = time.perf_counter() - started
    grouper = pipeline.new_grouper()
    started = time.perf_counter()
    assigned = {a.id: pipeline.assign(grouper, a) for a in prepared}
    seconds = time.perf_counter() - started
    pred = resolved(grouper, assigned)
    return Grouped(
        pred,
        {a.id: a.lang for a in prepared},
        prepare_seconds,
        seconds,
        {doc: (g.translation_of or {}).get("id") for doc, g in assigned.items()},
        {doc: g.duplicate_of for doc, g in assigned.items()},
        {a.id: a.title for a in prepared},
    )


def resolved(grouper: Grouper, assigned: dict[str, Assignment]) -> dict[str, str]:
    """Doc id -> the event its key stands for now (merges included)."""
    return {doc: grouper.resolve(g.event_key) for doc, g in assigned.items()}


def grouped_f1(settings: Settings, prepared: Sequence[Prepared], gold: dict[str, str]) -> float:
    """Pairwise F1 of documents already prepared, grouped in order with ``settings``' grouping
    options (one preparation, many groupings: :mod:`tools.choose_grouping`)."""
    from agents.grouping import Grouper, GroupingOptions

    grouper = Grouper(GroupingOptions.from_settings(settings))
    pred = resolved(grouper, {a.id: grouper.assign_article(a) for a in prepared})
    lang = {a.id: a.lang for a in prepared}
    return float(score({k: gold[k] for k in pred}, pred, lang)["pairwise"]["f1"])


COPY: str = "#copy"


def with_copies(docs: Sequence[Doc], every: int, seed: int) -> list[Doc]:
    """``docs`` with every ``every``-th one republished later as another site would: a new id
    (the original's + :data:`COPY`), the same title, the text without its last paragraph when
    it has three or more (a republisher's cut). Each copy lands at a seeded random position
    after its original."""
    out = list(docs)
    rng = random.Random(seed)
    for original in docs[::every]:
        paragraphs = [p for p in original.text.split("\n") if p.strip()]
        text = "\n".join(paragraphs[:-1]) if len(paragraphs) >= 3 else original.text
        copy = Doc(original.doc_id + COPY, original.lang, original.title, text, original.group)
        after = out.index(original) + 1
        out.insert(rng.randint(after, len(out)), copy)
    return out


def score_copies(grouped: Grouped) -> dict[str, Any]:
    """``duplicate_of`` and the event key on :func:`with_copies`' documents: a copy's link is
    right when it names its original; every other link is wrong (the evaluation's files hold
    distinct articles). Also the share of copies given their original's event."""
    copies = [doc for doc in grouped.pred if doc.endswith(COPY)]
    links = {doc: target for doc, target in grouped.duplicate_of.items() if target}
    right = sum(links.get(doc) == doc.removesuffix(COPY) for doc in copies)
    same_event = sum(
        grouped.pred[doc] == grouped.pred.get(doc.removesuffix(COPY)) for doc in copies
    )
    return {
        "copies": len(copies),
        "links": len(links),
        "right": right,
        "precision": right / len(links) if links else 1.0,
        "recall": right / len(copies) if copies else 1.0,
        "same_event": same_event / len(copies) if copies else 1.0,
    }


def score_translations(
    order: Sequence[str],
    translation_of: dict[str, str | None],
    gold: dict[str, str],
    lang: dict[str, str],
) -> dict[str, Any]:
    """The ``translation_of`` relation against the gold groups (a group: an article and its
    translations). A link is right when it names a document of the same group; a document is
    owed one when a document of its group in another language arrived before it (``order``:
    arrival). Unlike the event key, which also joins other reports of the same story, this
    relation claims a translation, so the gold groups score it fully."""
    seen: dict[str, set[str]] = defaultdict(set)  # group -> languages arrived
    links = right = owed = found = 0
    by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # language of the later one
    for doc in order:
        if doc not in gold:
            continue
        group = gold[doc]
        target = translation_of.get(doc)
        is_owed = bool(seen[group] - {lang[doc]})
        correct = target is not None and gold.get(target) == group
        if target is not None:
            links += 1
            right += correct
        if is_owed:
            owed += 1
            found += correct
            cell = by_lang[lang[doc]]
            cell[1] += 1
            cell[0] += correct
        seen[group].add(lang[doc])
    precision = right / links if links else 1.0
    recall = found / owed if owed else 1.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
        "links": links,
        "right": right,
        "owed": owed,
        "recall_by_language": {k: v[0] / v[1] for k, v in sorted(by_lang.items())},
    }


def shuffled(docs: list[Doc], seed: int) -> list[Doc]:
    """The documents in the evaluation's order (a seeded shuffle: arrival order varies)."""
    docs = list(docs)
    random.Random(seed).shuffle(docs)
    return docs


def run(settings: Settings, args: argparse.Namespace) -> int:
    docs = shuffled(load(args.files, args.limit), args.seed)
    if args.one_line:
        docs = [one_line(d) if d.lang != "en" else d for d in docs]
    if args.no_headline:
        docs = [without_headline(d) if d.lang != "en" else d for d in docs]
    if args.shouted:
        docs = [shouted(d) if d.lang != "en" else d for d in docs]
    if args.wrapped:
        docs = [wrapped(d, args.wrapped) if d.lang != "en" else d for d in docs]
    if args.summary:
        docs = [summary(d, args.summary) for d in docs]
    if args.site_titles:
        docs = [site_titled(d) for d in docs]
    by_id = {d.doc_id: d for d in docs}
    gold = {d.doc_id: d.group for d in docs}
    grouped = group_docs(settings, docs)
    pred = grouped.pred
    lang = {doc: by_id[doc].lang for doc in pred}
    result = score({k: gold[k] for k in pred}, pred, lang)
    result.update(
        documents=len(pred),
        languages=sorted(set(lang.values())),
        grouping_articles_per_s=len(pred) / grouped.group_seconds,
        prepare_articles_per_s=len(pred) / grouped.prepare_seconds,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        detected_lang_mismatches=sum(grouped.detected[d] != by_id[d].lang for d in pred),
        seed=args.seed,
    )
    result["translation_of"] = score_translations(
        [d.doc_id for d in docs], grouped.translation_of, gold, lang
    )
    result["duplicate_of_links"] = sum(1 for t in grouped.duplicate_of.values() if t)
    if args.site_titles:
        result["site_names_left"] = site_names_left(docs, grouped.titles)
    if args.copies:
        result["copies"] = score_copies(
            group_docs(settings, with_copies(docs, args.copies, args.seed))
        )
    found = merges(gold, pred, by_id)
    _print(result, found, args.merges)
    if args.json:
        print(orjson.dumps(result).decode())
    return 0


def _print(result: dict[str, Any], found: list[list[str]], show: int) -> None:
    pw, b3 = result["pairwise"], result["bcubed"]
    print(
        f"documents {result['documents']}  gold groups {result['gold_groups']}  "
        f"events {result['events']}  languages {' '.join(result['languages'])}  "
        f"seed {result['seed']}"
    )
    print(
        f"pairwise  P {pw['precision']:.4f}  R {pw['recall']:.4f}  F1 {pw['f1']:.4f}  "
        f"({pw['true_pairs']} of {pw['gold_pairs']} gold pairs, "
        f"{pw['predicted_pairs']} predicted)"
    )
    print(f"B-cubed   P {b3['precision']:.4f}  R {b3['recall']:.4f}  F1 {b3['f1']:.4f}")
    print("recall by language pair:")
    pairs = list(result["recall_by_language_pair"].items())
    for i in range(0, len(pairs), 6):
        print("  " + "  ".join(f"{k:<5} {v:.3f}" for k, v in pairs[i : i + 6]))
    print(
        f"grouping {result['grouping_articles_per_s']:.0f} articles/s (one core); "
        f"prepare stages {result['prepare_articles_per_s']:.0f} articles/s; "
        f"peak RSS {result['peak_rss_mb']:.0f} MB; "
        f"language detected != gold: {result['detected_lang_mismatches']}"
    )
    tr = result["translation_of"]
    print(
        f"translation_of  P {tr['precision']:.4f}  R {tr['recall']:.4f}  F1 {tr['f1']:.4f}  "
        f"({tr['right']} of {tr['links']} links right; {tr['owed']} documents arrived after a "
        "translation of theirs)"
    )
    by_lang = list(tr["recall_by_language"].items())
    print("  its recall by the language of the document owed a link:")
    for i in range(0, len(by_lang), 6):
        print("  " + "  ".join(f"{k:<5} {v:.3f}" for k, v in by_lang[i : i + 6]))
    print(
        f"duplicate_of: {result['duplicate_of_links']} links (the files hold distinct articles: "
        "each is wrong)"
    )
    if "copies" in result:
        c = result["copies"]
        print(
            f"republished copies ({c['copies']}, run again with them): duplicate_of "
            f"P {c['precision']:.4f}  R {c['recall']:.4f} ({c['right']} of {c['links']} links "
            f"name the original); copies in their original's event {c['same_event']:.4f}"
        )
    if "site_names_left" in result:
        left = result["site_names_left"]
        print(
            "published titles still carrying their site's name: "
            f"{sum(v[0] for v in left.values())} of {sum(v[1] for v in left.values())} ("
            + ", ".join(f"{lang} {v[0]}/{v[1]}" for lang, v in left.items())
            + ")"
        )
    print(f"cross-group merges: {len(found)} events hold more than one gold group")
    for titles in found[:show]:
        print("  * " + "\n    ".join(titles))
