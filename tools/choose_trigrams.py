"""Choose :data:`agents.language.TRIGRAM_MAX_SECOND`: how clear franc's answer must be before
it names a body the floors made ``und``.

A body read whole that lid.176 leads far below what it gives its leader's own texts is ``und``
(:data:`agents.language.LONG_FLOORS`). franc's trigram profiles (:class:`agents.language.
TrigramOpinion`) then name it, unless the second best scores ``max_second`` or more: franc
scores the best 1.0 and the others by their distance, and a close second is a tie between
neighbours (Papiamento or Ladino, Kikuyu or Maori). ``python -m tools.choose_trigrams`` reads
FLORES-200's articles of ten sentences in every language through the stage without franc,
asks franc about the ``und`` ones, chooses ``max_second`` on one half of the articles (the most
answers right minus wrong) and scores it on the other, both ways: right and wrong labels
added, in the languages lid.176 has a label for and in the others. The 5,025 news articles of
../shared/data/translated_news are read too: franc must name none of them (none is ``und``).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from tools.flores import DEFAULT

#: The values of ``max_second`` tried.
GRID = (0.95, 0.96, 0.97, 0.975, 0.98, 0.985, 0.99, 0.995, 1.01)
_NEWS = Path(__file__).resolve().parents[2] / "shared" / "data" / "translated_news"


@dataclass(frozen=True, slots=True)
class Body:
    """One article as the choice reads it: its gold language, half (-1: a news article),
    whether lid.176 has a label for it, and franc's answer for it if the stage left it
    ``und`` (code, the second best's score), else None."""

    lang: str
    half: int
    known: bool
    answer: tuple[str, float] | None


def read_all(flores: str, news: Iterable[Path]) -> list[Body]:
    """FLORES's articles of ten sentences in every language, and the news articles."""
    from dataclasses import replace

    from agents import language
    from tools.eval_langid import gold_code, join_sentences, load_samples

    detector = language.load_model("high", trigrams=False)
    franc = language.TrigramOpinion(max_second=2.0)  # every answer, with its second's score
    known = language.lid176_languages()

    def answer(text: str) -> tuple[str, float] | None:
        if language.detect(detector, None, text, 0.0).lang != language.UNDETERMINED:
            return None
        return franc.name(language.body_text(text))

    bodies: list[Body] = []
    counts: dict[str, int] = {}
    samples = [replace(s, lang=gold_code(s.lang)) for s in load_samples(flores, None)]
    for article in join_sentences(samples, 10):
        n = counts.get(article.lang, 0)
        counts[article.lang] = n + 1
        half = 0 if n % 30 < 15 else 1
        bodies.append(Body(article.lang, half, article.lang in known, answer(article.text)))
    for path in news:
        for line in path.read_bytes().splitlines():
            doc = orjson.loads(line)
            lang = language.normalise_code(doc["lang"])
            bodies.append(Body(lang, -1, True, answer(doc["text"])))
    return bodies


def score(bodies: Iterable[Body], max_second: float) -> dict[str, int]:
    """Right and wrong labels franc adds at ``max_second``, in languages lid.176 knows and in
    the others."""
    out = {"right_known": 0, "wrong_known": 0, "right_other": 0, "wrong_other": 0}
    for body in bodies:
        if body.answer is None or body.answer[1] >= max_second:
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flores", default=str(DEFAULT))
    args = parser.parse_args(argv)
    bodies = read_all(args.flores, sorted(_NEWS.glob("*.jsonl")))
    news = [b for b in bodies if b.half < 0]
    flores = [b for b in bodies if b.half >= 0]
    asked = sum(b.answer is not None for b in flores)
    print(f"{len(flores)} FLORES articles ({asked} und, franc asked), {len(news)} news articles")
    for learned, held in ((0, 1), (1, 0)):
        chosen = choose([b for b in flores if b.half == learned])
        out = score([b for b in flores if b.half == held], chosen)
        on_news = score(news, chosen)
        print(
            f"chosen on half {learned}: max_second {chosen}; on half {held}: languages lid.176 "
            f"knows +{out['right_known']} right, +{out['wrong_known']} wrong; the others "
            f"+{out['right_other']} right, +{out['wrong_other']} wrong; news articles named "
            f"{sum(on_news.values())} of {len(news)}"
        )
    print(f"chosen on both halves: max_second {choose(flores)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
