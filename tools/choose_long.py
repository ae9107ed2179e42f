"""Derive :data:`agents.language.LONG_RULES`: on a long text, a language lid.176 ranks below
its leader but gives far more than it ever gives texts of the leader's own language.

lid.176 reads a related smaller language as its large neighbour (Limburgish as Dutch,
Asturian as Spanish, Sicilian or Venetian as Italian, Maithili as Hindi, Minangkabau as
Indonesian), even on a whole article, while it still gives the smaller one a share: 3-23% in
the median on FLORES-200's articles of ten sentences, where on texts of the large language
itself (FLORES's, and every real news article of the translated_news files) it gives it at
most 2%. A rule (leader x, candidate y) reports y for a body read whole (``_main``: its first
3,000 characters, at least :data:`agents.language.LONG_MIN_CHARS`) whose decision is x when
lid.176 gives y at least the rule's threshold among its five best: the larger of
:data:`FLOOR` and :data:`MARGIN` times the most it gives y on any text that is not in y and
that lid.176 leads with x (FLORES's articles of every other language, the news articles). A
rule is kept when it fixes at least :data:`MIN_FIXED` articles where it was learned.

``python -m tools.choose_long`` learns the rules on one half of FLORES's articles (sentences
0-149) and scores them on the other (150-299), both ways, then prints the table learned on
all of them (what ``LONG_RULES`` holds). Negatives: every article of another language, and
the 5,025 news articles of ../shared/data/translated_news (their own language).

It derives :data:`agents.language.LONG_FLOORS` the same way, from the other side: on a body
read whole, lid.176 gives the language it leads with far less when the text is in none of
its languages (Kabyle, Somali, Arabic in Latin letters: "English" at 0.07-0.33) than it ever
gives a text truly in that language (English news: 0.75 at least). A leader's floor is
:data:`FLOOR_SHARE` times the least lid.176 gave it on a text in it that it led (FLORES's
articles, the news articles), for leaders with :data:`MIN_POSITIVES` such texts; a body led
below its leader's floor is ``und``. Scored on the other half with every FLORES language,
those lid.176 has no label for included: how many wrong labels become ``und``, how many
right ones are lost.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from tools.flores import DEFAULT

#: The least lid.176 probability a rule's candidate needs, whatever the negatives gave it.
FLOOR = 0.01
#: How far above the most it gave a text of another language the candidate must be.
MARGIN = 2.0
#: Articles a rule must fix where it was learned.
MIN_FIXED = 2
#: A leader's floor: this share of the least lid.176 gave it on a text in it…
FLOOR_SHARE = 0.5
#: …known from at least this many such texts.
MIN_POSITIVES = 10
_NEWS = Path(__file__).resolve().parents[2] / "shared" / "data" / "translated_news"


@dataclass(frozen=True, slots=True)
class Read:
    """One text as the body rule reads it: its gold language, half, and lid.176's top five
    (reported code -> probability)."""

    lang: str
    half: int  # 0, 1: FLORES's halves; -1: a news article (a negative in both)
    top: dict[str, float]
    #: In a language lid.176 has a label for (the long rules learn from these alone).
    known: bool = True

    @property
    def leader(self) -> str:
        return max(self.top, key=self.top.__getitem__) if self.top else ""


def read_all(flores: str, news: Iterable[Path]) -> list[Read]:
    """FLORES's articles of ten sentences (all languages; ``known``: one lid.176 has a label
    for) and the news articles, read by lid.176 as ``_main`` reads a body."""
    from dataclasses import replace

    from agents import language
    from tools.eval_langid import gold_code, join_sentences, load_samples

    detector = language.Detector(language.load_fasttext())
    known = language.lid176_languages()

    def top(text: str) -> dict[str, float]:
        labels, probs = detector.top(language.body_text(text), language.TOP_K_LONG)
        return language.top_codes(labels, probs)

    reads: list[Read] = []
    counts: dict[str, int] = defaultdict(int)
    samples = [replace(s, lang=gold_code(s.lang)) for s in load_samples(flores, None)]
    for article in join_sentences(samples, 10):
        n = counts[article.lang]
        counts[article.lang] += 1
        half = 0 if n % 30 < 15 else 1
        reads.append(Read(article.lang, half, top(article.text), article.lang in known))
    for path in news:
        for line in path.read_bytes().splitlines():
            doc = orjson.loads(line)
            reads.append(Read(language.normalise_code(doc["lang"]), -1, top(doc["text"])))
    return reads


def learn(reads: Sequence[Read], half: int | None) -> dict[tuple[str, str], float]:
    """(leader, candidate) -> threshold, learned on FLORES's ``half`` (None: both) and the
    news articles."""
    most: dict[tuple[str, str], float] = defaultdict(float)  # what a negative gave y
    fixable: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in reads:
        if not r.known or (half is not None and r.half not in (half, -1)):
            continue
        x = r.leader
        for y, p in r.top.items():
            if y == x:
                continue
            if y == r.lang and r.half >= 0:
                fixable[(x, y)].append(p)
            elif y != r.lang:
                most[(x, y)] = max(most[(x, y)], p)
    rules: dict[tuple[str, str], float] = {}
    for pair, probs in fixable.items():
        threshold = max(FLOOR, MARGIN * most[pair])
        if sum(p >= threshold for p in probs) >= MIN_FIXED:
            rules[pair] = round(threshold, 4)
    return rules


def apply(rules: dict[tuple[str, str], float], read: Read) -> str:
    """The body's language: lid.176's leader, or the candidate a rule reports (the most
    probable one, if several)."""
    x = read.leader
    chosen = [(p, y) for y, p in read.top.items() if (x, y) in rules and p >= rules[(x, y)]]
    return max(chosen)[1] if chosen else x


def score(rules: dict[tuple[str, str], float], reads: Iterable[Read]) -> dict[str, int]:
    out = {"articles": 0, "lid176": 0, "rules": 0, "fixed": 0, "broken": 0}
    for r in reads:
        before, after = r.leader == r.lang, apply(rules, r) == r.lang
        out["articles"] += 1
        out["lid176"] += before
        out["rules"] += after
        out["fixed"] += after and not before
        out["broken"] += before and not after
    return out


def learn_floors(reads: Sequence[Read], half: int | None) -> dict[str, float]:
    """Leader -> floor, learned on FLORES's ``half`` (None: both) and the news articles."""
    least: dict[str, list[float]] = defaultdict(list)
    for r in reads:
        if (half is None or r.half in (half, -1)) and r.leader == r.lang:
            least[r.lang].append(r.top[r.lang])
    return {
        x: round(FLOOR_SHARE * min(probs), 4)
        for x, probs in least.items()
        if len(probs) >= MIN_POSITIVES
    }


def decide(rules: dict[tuple[str, str], float], floors: dict[str, float], read: Read) -> str:
    """The body's language after the rules, ``und`` when it stays lid.176's leader and lid.176
    gives that less than its floor."""
    lang = apply(rules, read)
    if lang == read.leader and read.top.get(lang, 0.0) < floors.get(lang, 0.0):
        return "und"
    return lang


def score_floors(
    rules: dict[tuple[str, str], float], floors: dict[str, float], reads: Iterable[Read]
) -> dict[str, int]:
    """What the floors change after the rules: right labels lost (``broken``), wrong labels
    of languages lid.176 knows and of those it does not that become ``und``, and the wrong
    labels left."""
    out = {"articles": 0, "broken": 0, "und_known": 0, "und_unknown": 0, "wrong_left": 0}
    for r in reads:
        before, after = apply(rules, r), decide(rules, floors, r)
        out["articles"] += 1
        out["broken"] += before == r.lang and after != r.lang
        if before != r.lang and after == "und":
            out["und_known" if r.known else "und_unknown"] += 1
        out["wrong_left"] += after not in (r.lang, "und")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flores", default=str(DEFAULT))
    args = parser.parse_args(argv)
    every = read_all(args.flores, sorted(_NEWS.glob("*.jsonl")))
    reads = [r for r in every if r.known]
    news = [r for r in reads if r.half < 0]
    print(
        f"{sum(r.half >= 0 for r in reads)} FLORES articles, {len(news)} news articles "
        f"({sum(not r.known for r in every)} FLORES articles in languages lid.176 lacks)"
    )
    for learned, held in ((0, 1), (1, 0)):
        rules = learn(reads, learned)
        out = score(rules, [r for r in reads if r.half == held])
        on_news = score(rules, news)
        print(
            f"learned on half {learned}, scored on half {held}: {len(rules)} rules; articles "
            f"{out['lid176'] / out['articles']:.4f} -> {out['rules'] / out['articles']:.4f} "
            f"(fixed {out['fixed']}, broken {out['broken']}); news articles broken "
            f"{on_news['broken']} of {on_news['articles']}"
        )
    rules = learn(reads, None)
    print(f"learned on both halves: {len(rules)} rules (LONG_RULES)")
    by_leader: dict[str, list[str]] = defaultdict(list)
    for (x, y), t in sorted(rules.items()):
        by_leader[x].append(f'("{x}", "{y}"): {t}')
    for x in sorted(by_leader):
        print("    " + ", ".join(by_leader[x]) + ",")
    print("floors (a body led below its leader's floor is und):")
    for learned, held in ((0, 1), (1, 0)):
        rules, floors = learn(reads, learned), learn_floors(reads, learned)
        out = score_floors(rules, floors, [r for r in every if r.half == held])
        on_news = score_floors(rules, floors, news)
        print(
            f"learned on half {learned}, scored on half {held}: {len(floors)} floors; of "
            f"{out['articles']} articles, wrong -> und: {out['und_known']} in languages lid.176 "
            f"knows, {out['und_unknown']} in others; right -> und: {out['broken']}; wrong "
            f"left: {out['wrong_left']}; news articles broken {on_news['broken']} of "
            f"{on_news['articles']}"
        )
    floors = learn_floors(reads, None)
    print(f"learned on both halves: {len(floors)} floors (LONG_FLOORS)")
    print("    " + ", ".join(f'"{x}": {t}' for x, t in sorted(floors.items())) + ",")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
