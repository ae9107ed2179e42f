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
_NEWS = Path(__file__).resolve().parents[2] / "shared" / "data" / "translated_news"


@dataclass(frozen=True, slots=True)
class Read:
    """One text as the body rule reads it: its gold language, half, and lid.176's top five
    (reported code -> probability)."""

    lang: str
    half: int  # 0, 1: FLORES's halves; -1: a news article (a negative in both)
    top: dict[str, float]

    @property
    def leader(self) -> str:
        return max(self.top, key=self.top.__getitem__) if self.top else ""


def read_all(flores: str, news: Iterable[Path]) -> list[Read]:
    """FLORES's articles of ten sentences (in the languages lid.176 knows) and the news
    articles, read by lid.176 as ``_main`` reads a body."""
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
        if article.lang not in known:
            continue
        n = counts[article.lang]
        counts[article.lang] += 1
        reads.append(Read(article.lang, 0 if n % 30 < 15 else 1, top(article.text)))
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
        if half is not None and r.half not in (half, -1):
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flores", default=str(DEFAULT))
    args = parser.parse_args(argv)
    reads = read_all(args.flores, sorted(_NEWS.glob("*.jsonl")))
    news = [r for r in reads if r.half < 0]
    print(f"{sum(r.half >= 0 for r in reads)} FLORES articles, {len(news)} news articles")
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
