"""Evaluate the language stage: accuracy per granularity and language, speed, vs plain lid.176.

Input: a JSON-lines file of ``{text, lang, granularity}`` (e.g. Lingua's test set of
sentences, word pairs and single words). Every text goes through the very
:func:`agents.language.detect` the pipeline runs (no title, the text as the body), and
through plain lid.176 (its top label) in the same run. ``und`` counts as wrong in "ours";
its rate is shown beside it, and the accuracy on the texts that got a language too. An
ablation shows what the second detector adds. Gold codes are read as the stage reports codes
(a script suffix such as ``-Cyrl`` dropped, individual languages under their macro-language:
``nb`` -> ``no``, ``kmr`` -> ``ku``); the totals count the languages lid.176 knows, and the
languages are listed worst first against lid.176. Articles built from each language's
consecutive sentences (``--article-sentences``) are scored the same way (article level).
``--cut word-pairs|single-words`` scores each sentence's word pair or single word instead
(:func:`cut_sentences`): short texts in every language of FLORES-200, where Lingua's test
set has 14.
Speed: short texts per second (after a warm-up that loads Lingua's models), and milliseconds
per full article on news articles (``--articles``: JSON lines with title/text/lang, or
``.txt`` files whose first line is the title).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from streams.settings import Settings

_SHARED = Path(__file__).resolve().parents[2] / "shared"
_DEFAULT_ARTICLES = (
    _SHARED / "data" / "translated_news" / "newstest2013.jsonl",
    _SHARED / "seeds",
)
_WARMUP = 600
_GRANULARITIES = ("sentences", "word-pairs", "single-words")


@dataclass(frozen=True, slots=True)
class Sample:
    """One labelled short text."""

    text: str
    lang: str
    granularity: str


@dataclass(frozen=True, slots=True)
class Article:
    """One labelled full article (``lang`` may be empty when unknown)."""

    title: str
    text: str
    lang: str


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.jsonl", help="{text, lang, granularity} lines")
    parser.add_argument("--limit", type=int, default=None, help="an even sample of N texts")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--articles",
        action="append",
        metavar="PATH",
        help="full articles for ms/article: .jsonl files, .txt files or folders of them "
        "(default: ../shared newstest2013.jsonl and seeds)",
    )
    parser.add_argument(
        "--article-sentences",
        type=int,
        default=10,
        metavar="N",
        help="article level: join each language's consecutive N sentences (0: off)",
    )
    parser.add_argument(
        "--show", type=int, default=15, help="languages listed, worst first (default 15)"
    )
    parser.add_argument(
        "--second",
        choices=("high", "low", "none"),
        default="high",
        help="the second detector of 'ours': Lingua high / low accuracy mode, or none",
    )
    parser.add_argument(
        "--all-lingua",
        action="store_true",
        help="Lingua over all its 75 languages, not only language.SECOND_LANGUAGES (to compare)",
    )
    parser.add_argument(
        "--no-cld2",
        action="store_true",
        help="without CLD2's pair rules (language.CLD2_RULES), to compare",
    )
    parser.add_argument(
        "--no-beyond",
        action="store_true",
        help="without CLD2 for the languages lid.176 has no label for (language.Cld2Beyond)",
    )
    parser.add_argument(
        "--cut",
        choices=("word-pairs", "single-words"),
        default=None,
        help="score each sentence's word pair or single word instead (cut_sentences): short "
        "texts in every language of a sentence set such as FLORES-200",
    )
    parser.add_argument(
        "--min-confidence",
        type=float,
        default=None,
        help="und threshold (default: NEWSSTREAM_LANG_MIN_CONFIDENCE)",
    )


#: ISO 639-3 individual languages reported under their macro-language (ISO 639-3's own
#: macrolanguage mappings), beyond those the stage itself folds (``language.MACRO``).
_INDIVIDUAL_TO_MACRO = {"kmr": "ku", "ckb": "ckb", "prs": "fa", "pes": "fa", "zsm": "ms"}


def gold_code(label: str) -> str:
    """A data set's language label as the stage would report it (``sr-Cyrl`` -> ``hbs``)."""
    from agents import language

    base = label.split("-")[0].split("_")[0].lower()
    return language.normalise_code(_INDIVIDUAL_TO_MACRO.get(base, base))


def lid176_languages() -> frozenset[str]:
    """The languages lid.176 can answer, as reported codes
    (:func:`agents.language.lid176_languages`)."""
    from agents import language

    return language.lid176_languages()


def join_sentences(samples: Sequence[Sample], n: int) -> list[Sample]:
    """Articles of ``n`` consecutive sentences of one language, one sentence a line."""
    by_lang: dict[str, list[str]] = {}
    for sample in samples:
        if sample.granularity in ("sentences", "all"):
            by_lang.setdefault(sample.lang, []).append(sample.text)
    return [
        Sample("\n".join(texts[i : i + n]), lang, "articles")
        for lang, texts in by_lang.items()
        for i in range(0, len(texts) - n + 1, n)
    ]


_STRIP = ".,;:!?\"'()[]«»“”„‘’"


def cut_sentences(samples: Sequence[Sample], granularity: str) -> list[Sample]:
    """Each sentence of ``samples`` cut to a short text of the same language: two consecutive
    words (``word-pairs``) or one word of five characters or more (``single-words``; any word
    if it has none), punctuation stripped, taken at a place that moves with the sentence's
    position (the i-th sentence: word ``7i mod (n - 2)`` of a pair, the ``3i mod n``-th long
    word), so that the cuts are spread over the sentences and the same on every run. Sentences
    of fewer than four spaced words (scripts written without spaces) give none."""
    out: list[Sample] = []
    for i, sample in enumerate(samples):
        if sample.granularity not in ("sentences", "all"):
            continue
        words = [w for w in (w.strip(_STRIP) for w in sample.text.split()) if w]
        if len(words) < 4:
            continue
        if granularity == "word-pairs":
            at = (i * 7) % (len(words) - 2)
            text = " ".join(words[at : at + 2])
        else:
            long = [w for w in words if len(w) >= 5] or words
            text = long[(i * 3) % len(long)]
        out.append(Sample(text, sample.lang, granularity))
    return out


def load_samples(path: str, limit: int | None) -> list[Sample]:
    """The labelled texts; with ``limit``, every k-th so that all languages stay in."""
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    if limit and limit < len(rows):
        step = len(rows) / limit
        rows = [rows[int(i * step)] for i in range(limit)]
    return [Sample(r["text"], r["lang"], r.get("granularity", "sentences")) for r in rows]


def load_articles(paths: Iterable[Path]) -> list[Article]:
    """Articles from ``.jsonl`` files (title, text, lang) and ``.txt`` files (title first)."""
    out: list[Article] = []
    for path in paths:
        files = sorted(path.iterdir()) if path.is_dir() else [path]
        for file in files:
            if file.suffix == ".jsonl":
                with file.open(encoding="utf-8") as f:
                    for line in f:
                        doc = json.loads(line)
                        out.append(
                            Article(doc.get("title") or "", doc["text"], doc.get("lang", ""))
                        )
            elif file.suffix == ".txt":
                title, _, body = file.read_text(encoding="utf-8").partition("\n")
                out.append(Article(title, body, ""))
    return out


def _accuracy(
    samples: Sequence[Sample], labels: Sequence[str], key: Callable[[Sample], str]
) -> dict[str, dict[str, float]]:
    """Per group: n, accuracy, und rate and accuracy on the texts that got a language."""
    groups: dict[str, list[tuple[Sample, str]]] = {}
    for sample, label in zip(samples, labels, strict=True):
        groups.setdefault(key(sample), []).append((sample, label))
        groups.setdefault("all", []).append((sample, label))
    out: dict[str, dict[str, float]] = {}
    for group, pairs in groups.items():
        n = len(pairs)
        right = sum(label == s.lang for s, label in pairs)
        und = sum(label == "und" for _, label in pairs)
        out[group] = {
            "n": n,
            "accuracy": right / n,
            "und_rate": und / n,
            "decided_accuracy": right / (n - und) if n > und else 0.0,
        }
    return out


#: Confidence bins of the calibration table (lower bounds; the last bin includes 1.0).
_BINS = (0.0, 0.25, 0.5, 0.75, 0.9)


def _calibration(samples: Sequence[Sample], decisions: Sequence[Any]) -> list[dict[str, Any]]:
    """Accuracy of our label per ``lang_confidence`` bin (no und threshold): what a consumer
    filtering on ``lang_confidence`` keeps, and how often it is right."""
    rows = [{"from": low, "n": 0, "right": 0} for low in _BINS]
    for sample, decision in zip(samples, decisions, strict=True):
        if decision.lang == "und":
            continue
        row = next(r for r in reversed(rows) if decision.confidence >= r["from"])
        row["n"] += 1
        row["right"] += decision.lang == sample.lang
    return [{**r, "accuracy": r["right"] / r["n"] if r["n"] else None} for r in rows]


def _timed(fn: Callable[[str], str], texts: Sequence[str]) -> tuple[list[str], float]:
    """``fn`` over ``texts``: the labels and the seconds it took."""
    started = time.perf_counter()
    labels = [fn(t) for t in texts]
    return labels, time.perf_counter() - started


def run(settings: Settings, args: argparse.Namespace) -> int:
    from agents import language

    min_confidence = (
        settings.lang_min_confidence if args.min_confidence is None else args.min_confidence
    )
    samples = load_samples(args.file, args.limit)
    samples = [replace(s, lang=gold_code(s.lang)) for s in samples]
    if getattr(args, "cut", None):
        samples = cut_sentences(samples, args.cut)
    known = lid176_languages()
    all_lingua = getattr(args, "all_lingua", False)
    pairs = not getattr(args, "no_cld2", False)
    second = "off" if args.second == "none" else args.second
    beyond = not getattr(args, "no_beyond", False)
    ours = language.load_model(second, None, all_lingua, pairs, beyond)
    fasttext = ours.fasttext

    def plain(text: str) -> str:
        labels, _ = fasttext.predict(" ".join(text.split()), k=1)
        return language.normalise_code(labels[0].removeprefix("__label__"))

    def with_(detector: Any) -> Callable[[str], str]:
        return lambda text: language.detect(detector, None, text, min_confidence).lang

    texts = [s.text for s in samples]
    warmup_started = time.perf_counter()
    if isinstance(ours.second, language.LinguaScorer):
        # As a worker does at start (agents.prepare_agent): all of Lingua's models, not only
        # those of the warm-up texts' candidates, or the timed pass loads the rest (50-300 ms
        # a language) and counts it as detection time.
        ours.second.preload()
    for text in texts[:: max(1, len(texts) // _WARMUP)]:
        language.detect(ours, None, text, min_confidence)
    warmup = time.perf_counter() - warmup_started

    plain_labels, plain_seconds = _timed(plain, texts)
    # Ours once, without the und threshold (for the calibration table), then thresholded as
    # detect() does: below it, a text without a crawler's hint is und.
    started = time.perf_counter()
    decisions = [language.detect(ours, None, text, 0.0) for text in texts]
    ours_seconds = time.perf_counter() - started
    ours_labels = [d.lang if d.confidence >= min_confidence else "und" for d in decisions]
    no_second, no_second_seconds = _timed(with_(replace(ours, second=None)), texts)
    # Ours again over the same texts: the pass above also built Lingua's detector of each new
    # candidate set (~0.3 ms each, kept for the worker's life); this one reads them, as a
    # worker past its first minutes does.
    _, again_seconds = _timed(with_(ours), texts)
    columns = {"lid176": plain_labels, "ours": ours_labels, "ours_no_second": no_second}

    articles_built = (
        join_sentences(samples, args.article_sentences) if args.article_sentences else []
    )
    article_columns = {
        "lid176": [plain(a.text) for a in articles_built],
        "ours": [with_(ours)(a.text) for a in articles_built],
    }

    calibration = _calibration(samples, decisions)
    articles = load_articles(
        [Path(p) for p in args.articles] if args.articles else _DEFAULT_ARTICLES
    )
    article_ms, article_accuracy = _articles(language, ours, articles, min_confidence)

    in_known = [s.lang in known for s in samples]
    kept = [s for s, k in zip(samples, in_known, strict=True) if k]

    def known_only(labels: Sequence[str]) -> list[str]:
        return [label for label, k in zip(labels, in_known, strict=True) if k]

    by_granularity = {
        name: _accuracy(kept, known_only(labels), lambda s: s.granularity)
        for name, labels in columns.items()
    }
    by_language = {
        name: _accuracy(samples, labels, lambda s: s.lang) for name, labels in columns.items()
    }
    built_known = [a for a in articles_built if a.lang in known]
    article_level = {
        name: _accuracy(
            built_known,
            [lab for lab, a in zip(labels, articles_built, strict=True) if a.lang in known],
            lambda s: s.lang,
        )
        for name, labels in article_columns.items()
        if built_known
    }
    # articles in the languages lid.176 has no label for: only ours can get them right
    built_unknown = [a.lang not in known for a in articles_built]
    article_level_unknown = (
        _accuracy(
            [a for a, u in zip(articles_built, built_unknown, strict=True) if u],
            [lab for lab, u in zip(article_columns["ours"], built_unknown, strict=True) if u],
            lambda s: s.lang,
        )
        if any(built_unknown)
        else {}
    )
    result = {
        "file": args.file,
        "texts": len(samples),
        "texts_lid176_knows": len(kept),
        "languages": len({s.lang for s in samples}),
        "languages_lid176_knows": len({s.lang for s in kept}),
        "min_confidence": min_confidence,
        "second_detector": (
            f"Lingua, {args.second} accuracy, "
            f"{len(getattr(ours.second, 'languages', ()))} languages"
            + (f"; CLD2 pair rules: {len(language.CLD2_RULES)}" if ours.third else "")
            if ours.second
            else None
        ),
        "by_granularity": by_granularity,
        "by_language": by_language,
        "known_languages": sorted({s.lang for s in kept}),
        "article_level": article_level,
        "article_level_unknown": article_level_unknown,
        "article_sentences": args.article_sentences,
        "texts_per_second": {
            "lid176": len(texts) / plain_seconds,
            "ours": len(texts) / ours_seconds,
            "ours_no_second": len(texts) / no_second_seconds,
            "ours_second_pass": len(texts) / again_seconds,
        },
        "warmup_seconds": warmup,
        "calibration": calibration,
        "articles": {"n": len(articles), "accuracy": article_accuracy, **article_ms},
    }
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        print()
    else:
        print(_table(result, args.show))
    return 0


def losing(table: dict[str, dict[str, dict[str, float]]], languages: Iterable[str]) -> list[str]:
    """The languages where ours is below lid.176 (``table``: name -> language -> cells)."""
    return [
        lang
        for lang in languages
        if lang in table["ours"]
        and table["ours"][lang]["accuracy"] < table["lid176"][lang]["accuracy"]
    ]


def _articles(
    language: Any, detector: Any, articles: Sequence[Article], min_confidence: float
) -> tuple[dict[str, float], float | None]:
    """Milliseconds per full article (mean, p95, max) and accuracy where the label is known."""
    for article in articles:  # warm-up: Lingua loads each language's models on first use
        language.detect(detector, article.title, article.text, min_confidence)
    times: list[float] = []
    right = known = 0
    for article in articles:
        started = time.perf_counter()
        lang = language.detect(detector, article.title, article.text, min_confidence).lang
        times.append((time.perf_counter() - started) * 1000)
        if article.lang:
            known += 1
            right += lang == language.normalise_code(article.lang)
    if not times:
        return {}, None
    ordered = sorted(times)
    stats = {
        "ms_mean": sum(times) / len(times),
        "ms_p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
        "ms_max": ordered[-1],
        "chars_mean": sum(len(a.title) + len(a.text) for a in articles) / len(articles),
    }
    return stats, (right / known if known else None)


def _wrong(row: dict[str, float]) -> float:
    """The share of texts given a label that is wrong (not ``und``)."""
    return 1.0 - row["accuracy"] - row["und_rate"]


def _table(result: dict[str, Any], show: int = 15) -> str:
    """The results as a table that fits an 80-column terminal."""
    head = (
        f"{'':<16}{'n':>6}  {'lid.176':>8}{'ours':>8}{'und':>7}{'decided':>9}"
        f"{'no 2nd':>8}{'ours-lid':>10}"
    )
    lines = [
        f"newsstream eval langid: {result['file']} ({result['texts']} texts in "
        f"{result['languages']} languages; {result['texts_lid176_knows']} in the "
        f"{result['languages_lid176_knows']} lid.176 knows; und below "
        f"{result['min_confidence']}, 2nd detector: {result['second_detector']})",
        "",
        "accuracy (und counts as wrong); und = und rate; decided = accuracy where not und;",
        "totals over the languages lid.176 knows; languages worst first against lid.176",
        head,
        "-" * len(head),
    ]

    def row(label: str, table: str, key: str) -> str:
        cells = {name: result[table][name][key] for name in result[table]}
        ours = cells["ours"]
        delta = ours["accuracy"] - cells["lid176"]["accuracy"]
        return (
            f"{label:<16}{int(ours['n']):>6}  {cells['lid176']['accuracy']:>8.2%}"
            f"{ours['accuracy']:>8.2%}{ours['und_rate']:>7.2%}{ours['decided_accuracy']:>9.2%}"
            f"{cells['ours_no_second']['accuracy']:>8.2%}{delta * 100:>+9.2f}p"
        )

    granularities = [g for g in _GRANULARITIES if g in result["by_granularity"]["ours"]]
    others = sorted(set(result["by_granularity"]["ours"]) - {*_GRANULARITIES, "all"})
    for g in [*granularities, *others, "all"]:
        lines.append(row(g, "by_granularity", g))
    lines.append("-" * len(head))
    by_language = result["by_language"]
    known = result["known_languages"]

    def delta(lang: str) -> float:
        return float(
            by_language["ours"][lang]["accuracy"] - by_language["lid176"][lang]["accuracy"]
        )

    ordered = sorted(known, key=lambda lang: (delta(lang), lang))
    for lang in ordered[:show]:
        lines.append(row(f"  {lang}", "by_language", lang))
    below = losing(by_language, known)
    lines.append(
        f"languages where ours < lid.176: {len(below)} of {len(known)}"
        + (f" ({', '.join(below)})" if below else "")
    )
    unknown = sorted(set(by_language["ours"]) - {*known, "all"})
    if unknown:
        n = sum(int(by_language["ours"][lang]["n"]) for lang in unknown)
        right = sum(
            by_language["ours"][lang]["accuracy"] * by_language["ours"][lang]["n"]
            for lang in unknown
        )
        named = [lang for lang in unknown if by_language["ours"][lang]["accuracy"] > 0]
        lines.append(
            f"languages lid.176 does not know: {len(unknown)} ({n} texts; lid.176 0.00%, ours "
            f"{right / n:.2%}: {len(named)} languages named right at least once)"
        )
    level = result["article_level"]
    if level:
        total = {name: level[name]["all"] for name in level}
        below = losing(level, known)
        lines += [
            "",
            f"article level ({result['article_sentences']} consecutive sentences, "
            f"{int(total['ours']['n'])} articles in the languages lid.176 knows): lid.176 "
            f"{total['lid176']['accuracy']:.2%}, ours {total['ours']['accuracy']:.2%}; "
            f"languages where ours < lid.176: {len(below)}"
            + (f" ({', '.join(below)})" if below else ""),
            f"  wrong labels (neither right nor und): lid.176 {_wrong(total['lid176']):.2%}, "
            f"ours {_wrong(total['ours']):.2%} (und {total['ours']['und_rate']:.2%})",
        ]
    away = result.get("article_level_unknown") or {}
    if away:
        good = sorted(lang for lang in away if lang != "all" and away[lang]["accuracy"] >= 0.9)
        lines.append(
            f"article level in the languages lid.176 does not know ({int(away['all']['n'])} "
            f"articles): lid.176 0.00%, ours {away['all']['accuracy']:.2%}; ours >= 90% in "
            f"{len(good)}" + (f" ({' '.join(good)})" if good else "")
        )
        lines.append(
            f"  wrong labels: lid.176 100.00%, ours {_wrong(away['all']):.2%} "
            f"(und {away['all']['und_rate']:.2%})"
        )
    speed = result["texts_per_second"]
    arts = result["articles"]
    lines += [
        "",
        f"short texts/s: lid.176 {speed['lid176']:,.0f}   ours {speed['ours']:,.0f}   "
        f"ours without 2nd detector {speed['ours_no_second']:,.0f}",
        f"  (one process, one text at a time, after a {result['warmup_seconds']:.1f} s warm-up "
        "that loads the models)",
        f"  ours over the same texts again: {speed['ours_second_pass']:,.0f} (Lingua's detector "
        "of each candidate set built in the first pass, as in a worker past its first minutes)",
    ]
    bins = result["calibration"]
    lines.append("lang_confidence calibration (ours, no und threshold): bin  n  accuracy")
    for cal, upper in zip(bins, [*(b["from"] for b in bins[1:]), 1.0], strict=True):
        accuracy = "-" if cal["accuracy"] is None else f"{cal['accuracy']:.1%}"
        lines.append(
            f"  [{cal['from']:.2f}, {upper:.2f}{']' if upper == 1.0 else ')'}"
            f"  {cal['n']:>6}  {accuracy:>6}"
        )
    if arts.get("n"):
        accuracy = arts.get("accuracy")
        lines.append(
            f"full articles: {arts['n']} (mean {arts['chars_mean']:,.0f} chars): ours "
            f"{arts['ms_mean']:.2f} ms mean, {arts['ms_p95']:.2f} ms p95, "
            f"{arts['ms_max']:.2f} ms max"
            + (f"; accuracy {accuracy:.2%}" if accuracy is not None else "")
        )
    return "\n".join(lines)
