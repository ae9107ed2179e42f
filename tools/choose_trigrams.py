"""Choose :data:`agents.language.TRIGRAM_MAX_SECOND` and derive
:data:`agents.language.TRIGRAM_RULES`: when franc's trigram profiles have the say on a body.

A body read whole that lid.176 leads far below what it gives its leader's own texts is ``und``
(:data:`agents.language.LONG_FLOORS`). franc's profiles (:class:`agents.language.
TrigramOpinion`) then name it, unless the second best scores ``max_second`` or more: franc
scores the best 1.0 and the others by their distance, and a close second is a tie between
neighbours (Papiamento or Ladino, Kikuyu or Maori). And a body decided ``x`` with less
confidence than :data:`agents.language.TRIGRAM_RULES_CEILING` goes to franc's ``y`` where a
rule (x, y) says so: lid.176 reads ``y`` as ``x`` (Asturian as Spanish).

``python -m tools.choose_trigrams`` reads FLORES-200's articles of ten sentences in every
language, and the 5,025 news articles of ../shared/data/translated_news, through the stage's
body decision without franc (``_main``), and asks franc about each body of 1,000+ characters.
On one half of the articles it chooses ``max_second`` (the most answers right minus wrong) and
learns the rules (a pair that fixes :data:`MIN_FIXED` articles or more and breaks none, news
articles included), and scores both on the other half, both ways; then prints what is learned
on both halves (what the stage holds).
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from tools.flores import DEFAULT

#: The values of ``max_second`` tried.
GRID = (0.95, 0.96, 0.97, 0.975, 0.98, 0.985, 0.99, 0.995, 1.01)
#: Articles a rule must fix where it is learned.
MIN_FIXED = 2
_NEWS = Path(__file__).resolve().parents[2] / "shared" / "data" / "translated_news"


@dataclass(frozen=True, slots=True)
class Body:
    """One article as the choice reads it: its gold language, half (-1: a news article),
    whether lid.176 has a label for it, the stage's body decision without franc (language,
    confidence, by a detector of languages lid.176 lacks), and franc's answer (code, the
    second best's score) if franc has one."""

    lang: str
    half: int
    known: bool
    decided: str
    confidence: float
    beyond: bool
    answer: tuple[str, float] | None

    @property
    def und(self) -> bool:
        return self.decided == "und"


def read_all(flores: str, news: Iterable[Path]) -> list[Body]:
    """FLORES's articles of ten sentences in every language, and the news articles."""
    from dataclasses import replace

    from agents import language
    from tools.eval_langid import gold_code, join_sentences, load_samples

    detector = language.load_model("high", trigrams=False)
    franc = language.TrigramOpinion()
    franc.load()
    known = language.lid176_languages()

    def body(lang: str, half: int, text: str) -> Body:
        main = language._main(detector, text)
        whole = language.body_text(text)
        answer = franc.answer(whole) if len(whole) >= language.LONG_MIN_CHARS else None
        return Body(lang, half, lang in known, main.lang, main.confidence, main.beyond, answer)

    bodies: list[Body] = []
    counts: Counter[str] = Counter()
    samples = [replace(s, lang=gold_code(s.lang)) for s in load_samples(flores, None)]
    for article in join_sentences(samples, 10):
        n = counts[article.lang]
        counts[article.lang] += 1
        bodies.append(body(article.lang, 0 if n % 30 < 15 else 1, article.text))
    for path in news:
        for line in path.read_bytes().splitlines():
            doc = orjson.loads(line)
            bodies.append(body(language.normalise_code(doc["lang"]), -1, doc["text"]))
    return bodies


def score(bodies: Iterable[Body], max_second: float) -> dict[str, int]:
    """Right and wrong labels franc adds to ``und`` bodies at ``max_second``, in languages
    lid.176 knows and in the others."""
    out = {"right_known": 0, "wrong_known": 0, "right_other": 0, "wrong_other": 0}
    for body in bodies:
        if not body.und or body.answer is None or body.answer[1] >= max_second:
            continue
        kind = "known" if body.known else "other"
        out[("right_" if body.answer[0] == body.lang else "wrong_") + kind] += 1
    return out


def choose(bodies: Sequence[Body], grid: Sequence[float] = GRID) -> float:
    """The ``max_second`` of ``grid`` with the most answers right minus wrong (the smallest of
    equals)."""

    def net(value: float) -> int:
        out = score(bodies, value)
        return out["right_known"] + out["right_other"] - out["wrong_known"] - out["wrong_other"]

    return max(grid, key=lambda value: (net(value), -value))


def _candidate(body: Body, ceiling: float) -> tuple[str, str] | None:
    """The (x, y) a rule would need to change ``body``, if franc may revise it at all."""
    if body.und or body.beyond or body.confidence >= ceiling or body.answer is None:
        return None
    return None if body.answer[0] == body.decided else (body.decided, body.answer[0])


def learn_rules(bodies: Iterable[Body], ceiling: float) -> frozenset[tuple[str, str]]:
    """The pairs that fix :data:`MIN_FIXED` bodies or more of ``bodies`` and break none."""
    fixed: Counter[tuple[str, str]] = Counter()
    broken: Counter[tuple[str, str]] = Counter()
    for body in bodies:
        pair = _candidate(body, ceiling)
        if pair is None:
            continue
        if pair[1] == body.lang:
            fixed[pair] += 1
        elif pair[0] == body.lang:
            broken[pair] += 1
    return frozenset(pair for pair, n in fixed.items() if n >= MIN_FIXED and not broken[pair])


def score_rules(
    rules: frozenset[tuple[str, str]], bodies: Iterable[Body], ceiling: float
) -> dict[str, int]:
    """Bodies the rules fix and break, in languages lid.176 knows and in the others."""
    out = {"fixed_known": 0, "broken_known": 0, "fixed_other": 0, "broken_other": 0}
    for body in bodies:
        pair = _candidate(body, ceiling)
        if pair is None or pair not in rules:
            continue
        kind = "known" if body.known else "other"
        if pair[1] == body.lang:
            out["fixed_" + kind] += 1
        elif pair[0] == body.lang:
            out["broken_" + kind] += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    from agents.language import TRIGRAM_RULES_CEILING as ceiling

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flores", default=str(DEFAULT))
    args = parser.parse_args(argv)
    bodies = read_all(args.flores, sorted(_NEWS.glob("*.jsonl")))
    news = [b for b in bodies if b.half < 0]
    flores = [b for b in bodies if b.half >= 0]
    print(
        f"{len(flores)} FLORES articles ({sum(b.und for b in flores)} und), {len(news)} news "
        f"articles ({sum(b.und for b in news)} und)"
    )
    for learned, held in ((0, 1), (1, 0)):
        dev = [b for b in flores if b.half == learned]
        test = [b for b in flores if b.half == held]
        chosen = choose(dev)
        out = score(test, chosen)
        print(
            f"chosen on half {learned}: max_second {chosen}; on half {held}: languages lid.176 "
            f"knows +{out['right_known']} right, +{out['wrong_known']} wrong; the others "
            f"+{out['right_other']} right, +{out['wrong_other']} wrong; news articles named "
            f"{sum(score(news, chosen).values())} of {len(news)}"
        )
        rules = learn_rules([*dev, *news], ceiling)
        out = score_rules(rules, test, ceiling)
        print(
            f"  rules learned on half {learned} (confidence < {ceiling}): {len(rules)}; on half "
            f"{held}: languages lid.176 knows fixed {out['fixed_known']}, broken "
            f"{out['broken_known']}; the others fixed {out['fixed_other']}, broken "
            f"{out['broken_other']}"
        )
    print(f"chosen on both halves: max_second {choose(flores)}")
    rules = learn_rules(bodies, ceiling)
    print(f"rules learned on both halves: {len(rules)} (TRIGRAM_RULES)")
    print("    " + ", ".join(f'("{x}", "{y}")' for x, y in sorted(rules)) + ",")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
