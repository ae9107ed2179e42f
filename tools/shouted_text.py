"""Text in capitals, as some sites and agencies write headlines: its language and its names.

``python -m tools.shouted_text [--every N]`` measures, in one run, what writing a text in
capitals does to the language and evidence stages:

- language (:func:`agents.language.detect`, ours, and lid.176 alone): FLORES-200 dev sentences
  (every N-th, default 3) in the languages lid.176 knows, written in a cased script (Latin,
  Cyrillic, Greek, Armenian…), as written and in capitals; the languages that lose most in
  capitals are listed. Also in the other forms a crawler meets: in mathematical bold letters
  (the "fonts" of social posts), in full-width letters and digits (East Asian typesetting),
  and followed by a link, two hashtags and a handle (a post: "#breaking #news
  https://t.co/… via @Reuters");
- titles (the WMT sets of ../shared/data/translated_news): the language of each title alone,
  as written and in capitals, per language;
- evidence (:func:`agents.evidence.extract_evidence`): every article of a cased language, its
  title (and the text's first line when that is the title) in capitals against as written:
  the keys it gains (words of the headline read as names: "meets", "trade deal") and those
  it loses.

Run it on two revisions (``PYTHONPATH=<checkout>``) to compare them.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import orjson

_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
_FLORES = _SHARED / "langid" / "flores200_dev.jsonl"
_NEWS = _SHARED / "translated_news"
_TITLE_SETS = ("newstest2013", "newstest2016", "newstest2019", "wmttest2023", "wmttest2024")


def _cased(text: str) -> bool:
    """Most of the text's letters have a case (a cased script)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.lower() != c.upper() for c in letters) > 0.8 * len(letters)


def _bold(text: str) -> str:
    return "".join(
        chr(0x1D400 + ord(c) - 65)
        if "A" <= c <= "Z"
        else chr(0x1D41A + ord(c) - 97)
        if "a" <= c <= "z"
        else c
        for c in text
    )


def _wide(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def _post(text: str) -> str:
    return f"{text} #breaking #news https://t.co/Xy{len(text)}Qz9 via @Reuters"


#: The forms each sentence is written in.
FORMS: dict[str, Callable[[str], str]] = {
    "as written": str,
    "capitals": str.upper,
    "math bold": _bold,
    "full width": _wide,
    "post": _post,
}


def _sentences(every: int) -> dict[str, Counter[str]]:
    from agents import language
    from tools.eval_langid import gold_code

    known = language.lid176_languages()
    model = language.load_model("high", None, False, True, True)
    rows = [orjson.loads(line) for line in _FLORES.read_bytes().splitlines() if line.strip()]
    samples = [(gold_code(r["lang"]), r["text"]) for r in rows]
    samples = [(lang, text) for lang, text in samples if lang in known and _cased(text)][::every]

    def plain(text: str) -> str:
        labels, _ = model.fasttext.predict(" ".join(text.split()), k=1)
        return language.normalise_code(labels[0].removeprefix("__label__"))

    right: dict[str, Counter[str]] = {}
    for form, written in FORMS.items():
        ours: Counter[str] = Counter()
        lid: Counter[str] = Counter()
        for lang, text in samples:
            shown = written(text)
            ours[lang] += language.detect(model, None, shown, 0.1).lang == lang
            lid[lang] += plain(shown) == lang
        right[f"ours {form}"] = ours
        right[f"lid.176 {form}"] = lid
    right["n"] = Counter(lang for lang, _ in samples)
    return right


def _news() -> list[dict[str, str]]:
    return [
        orjson.loads(line)
        for path in title_paths()
        for line in path.read_bytes().splitlines()
        if line.strip()
    ]


def _titles(docs: list[dict[str, str]]) -> dict[str, Counter[str]]:
    from agents import language

    model = language.load_model("high", None, False, True, True)
    right: dict[str, Counter[str]] = {
        "n": Counter(),
        "as written": Counter(),
        "capitals": Counter(),
    }
    for doc in docs:
        title, lang = doc.get("title") or "", doc["lang"]
        if not title:
            continue
        right["n"][lang] += 1
        right["as written"][lang] += language.detect(model, None, title, 0.1).lang == lang
        right["capitals"][lang] += language.detect(model, None, title.upper(), 0.1).lang == lang
    return right


def _evidence(docs: list[dict[str, str]]) -> tuple[int, int, int, int]:
    """(articles, keys as written, keys gained in capitals, keys lost in capitals)."""
    from agents.evidence import extract_evidence
    from agents.prepare import EVIDENCE_CHARS

    articles = written = gained = lost = 0
    for doc in docs:
        title, text, lang = doc.get("title") or "", doc["text"][:EVIDENCE_CHARS], doc["lang"]
        if not title or not _cased(title):
            continue
        articles += 1
        before = extract_evidence(title, text, lang).keys()
        first, newline, rest = text.partition("\n")
        if first.strip() == title.strip():
            first = first.upper()
        after = extract_evidence(title.upper(), first + newline + rest, lang).keys()
        written += len(before)
        gained += len(after - before)
        lost += len(before - after)
    return articles, written, gained, lost


def headlines(docs: list[dict[str, str]] | None = None, every: int = 15) -> dict[str, float]:
    """The quality floor's numbers: the share of titles in capitals whose language is right,
    overall and in the worst language, the shares of evidence keys gained and lost with the
    headline in capitals, and the most FLORES sentences (every ``every``-th) lose in any form
    against as written (points of accuracy, ours)."""
    right = _sentences(every)
    sentences = sum(right["n"].values())
    written = sum(right["ours as written"].values())
    worst_form = max(written - sum(right[f"ours {form}"].values()) for form in FORMS)
    docs = _news() if docs is None else docs
    titles = _titles(docs)
    n = titles["n"]
    caps = titles["capitals"]
    _, keys, gained, lost = _evidence(docs)
    return {
        "sentences_lost_in_any_form": worst_form / sentences,
        "titles_capitals": sum(caps.values()) / sum(n.values()),
        "titles_capitals_worst_language": min(caps[lang] / n[lang] for lang in n),
        "evidence_gained": gained / keys,
        "evidence_lost": lost / keys,
    }


def title_paths() -> list[Path]:
    """The files :func:`headlines` reads (and FLORES-200 dev)."""
    return [_NEWS / f"{name}.jsonl" for name in _TITLE_SETS]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.shouted_text", description=__doc__)
    parser.add_argument("--every", type=int, default=3, help="every N-th FLORES sentence (3)")
    args = parser.parse_args(argv)

    right = _sentences(args.every)
    n = right.pop("n")
    total = sum(n.values())
    print(f"FLORES-200 dev, cased scripts, languages lid.176 knows: {total} sentences")
    for name, counts in right.items():
        print(f"  {name:<22} {sum(counts.values()) / total:.2%}")
    ours_as, ours_caps = right["ours as written"], right["ours capitals"]
    worst = sorted(n, key=lambda lang: (ours_caps[lang] - ours_as[lang]) / n[lang])[:10]
    print(
        "  ours, most lost in capitals: "
        + ", ".join(
            f"{lang} {ours_as[lang] / n[lang]:.0%} -> {ours_caps[lang] / n[lang]:.0%}"
            for lang in worst
        )
    )

    docs = _news()
    titles = _titles(docs)
    print(f"WMT titles ({', '.join(_TITLE_SETS)}), ours: right as written / in capitals")
    for lang in sorted(titles["n"]):
        k = titles["n"][lang]
        print(
            f"  {lang:<3} {k:>5}  {titles['as written'][lang] / k:7.1%} "
            f"{titles['capitals'][lang] / k:7.1%}"
        )
    articles, written, gained, lost = _evidence(docs)
    print(
        f"evidence, {articles} articles with a cased title, headline in capitals: keys as "
        f"written {written}, gained {gained} ({gained / written:.1%}), lost {lost} "
        f"({lost / written:.1%})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
