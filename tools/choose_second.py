"""Which of Lingua's languages the second opinion loads: measured on dev data, not assumed.

``python -m tools.choose_second [--z Z] [--verify N] [--json]`` derives
:data:`agents.language.SECOND_LANGUAGES`. A Lingua language enabled is a candidate Lingua may
score (and a fastText leader that may ask Lingua at all); it helps texts of its own and can pull
other languages' texts to it. So each language is judged by the texts it makes right and those
it makes wrong over *all* the dev texts (both dev sets, every language lid.176 knows), by
backward elimination: from all of Lingua's languages, the language whose removal costs the
fewest correct texts, net, goes, and the gains are measured again, until every language left
makes more texts right than wrong (by more than ``--z`` standard deviations of a sign test on
its wins and losses; 0 by default: measured with the held-out halves, each step up from 0
cost FLORES accuracy held out for the memory it saved).

Dev data: FLORES-200 dev (``flores200_dev.jsonl``, 300 parallel sentences per language) and
Lingua's 14-language test set (sentences, word pairs, single words), each split by the parity
of its sentence index (``idx``; FLORES: the number at the end of ``source``). The set is chosen
on one half and scored on the other, both ways, and chosen on both halves for the set the
stage declares. Scores are those of ``newsstream eval langid`` (the stage's :func:`detect`, no
title, ``und`` below ``NEWSSTREAM_LANG_MIN_CONFIDENCE`` counts as wrong).

The simulation is the stage itself: a text's decision depends on the enabled set only through
the languages it touches (fastText's leader, if Lingua knows it, and the candidates Lingua
knows), so each text is run through :func:`agents.language.detect` once per distinct
(text, enabled languages it touches), with Lingua restricted to them (:class:`Restricted`,
the same calls a :class:`agents.language.LinguaScorer` over that set makes). ``--verify N``
checks N texts against a real ``LinguaScorer`` built over the chosen set.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Sign-test deviations a language's net gain must exceed to be kept (see :func:`choose`).
Z: float = 0.0

_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "langid"
FLORES = _DATA / "flores200_dev.jsonl"
LINGUA = _DATA / "lingua_testdata_14langs.jsonl"


@dataclass(frozen=True, slots=True)
class DevText:
    """One labelled dev text: its gold code (as the stage reports codes) and where it is from."""

    text: str
    lang: str
    corpus: str  # "flores" or "lingua"
    granularity: str
    idx: int

    @property
    def half(self) -> int:
        """The dev half it falls in: the parity of its sentence index."""
        return self.idx % 2

    @property
    def group(self) -> str:
        """What its results are totalled under: ``flores`` or ``lingua <granularity>``."""
        return "flores" if self.corpus == "flores" else f"lingua {self.granularity}"


def sentence_index(row: dict[str, Any]) -> int:
    """A dev row's sentence index: ``idx``, else the number ending FLORES's ``source``."""
    if "idx" in row:
        return int(row["idx"])
    return int(str(row["source"]).rsplit("/", 1)[1])


def load_dev(paths: dict[str, Path], known: Iterable[str]) -> list[DevText]:
    """The dev texts of the languages lid.176 knows (``paths``: corpus name -> file)."""
    from tools.eval_langid import gold_code

    wanted = set(known)
    out: list[DevText] = []
    for corpus, path in paths.items():
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                row = json.loads(line)
                lang = gold_code(row["lang"])
                if lang in wanted:
                    granularity = row.get("granularity", "sentences")
                    out.append(DevText(row["text"], lang, corpus, granularity, sentence_index(row)))
    return out


class Restricted:
    """A second opinion (:class:`agents.language.SecondOpinion`) that asks ``scorer`` about the
    ``enabled`` languages only: what a ``LinguaScorer`` built over them answers."""

    def __init__(self, scorer: Any, enabled: Iterable[str]) -> None:
        self.scorer = scorer
        self.enabled = frozenset(enabled)

    def knows(self, label: str) -> bool:
        from agents.language import normalise_code

        return normalise_code(label) in self.enabled and bool(self.scorer.knows(label))

    def scores(self, text: str, candidates: Sequence[str]) -> dict[str, float]:
        out: dict[str, float] = self.scorer.scores(
            text, [c for c in candidates if c in self.enabled]
        )
        return out


class Recording(Restricted):
    """:class:`Restricted` over everything, noting the languages a text touches."""

    def __init__(self, scorer: Any, enabled: Iterable[str]) -> None:
        super().__init__(scorer, enabled)
        self.touched: set[str] = set()

    def knows(self, label: str) -> bool:
        from agents.language import normalise_code

        known = super().knows(label)
        if known:
            self.touched.add(normalise_code(label))
        return known

    def scores(self, text: str, candidates: Sequence[str]) -> dict[str, float]:
        self.touched.update(c for c in candidates if c in self.enabled)
        return super().scores(text, candidates)


#: A text -> the label the stage gives it with a second opinion (None: without one).
Decide = Callable[[str, Any], str]


class Simulation:
    """Each dev text's decision under any set of enabled Lingua languages, from the stage's own
    code: a text is decided again only for a set it has not been decided under yet (as far as
    the languages it touches go)."""

    def __init__(
        self, texts: Sequence[DevText], everything: Iterable[str], decide: Decide, scorer: Any
    ) -> None:
        self.texts = texts
        self.everything = frozenset(everything)
        self._decide = decide
        self._scorer = scorer
        self.touch: list[frozenset[str]] = []
        self._cache: dict[tuple[int, frozenset[str]], bool] = {}
        self.by_language: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            recording = Recording(scorer, self.everything)
            right = decide(text.text, recording) == text.lang
            touched = frozenset(recording.touched)
            self.touch.append(touched)
            self._cache[(i, touched)] = right
            for lang in touched:
                self.by_language.setdefault(lang, []).append(i)
        for i in range(len(texts)):
            if self.touch[i]:
                self._cache.setdefault((i, frozenset()), self._run(i, frozenset()))
            else:
                self._cache[(i, frozenset())] = self._cache[(i, self.touch[i])]

    def _run(self, i: int, enabled: frozenset[str]) -> bool:
        second = Restricted(self._scorer, enabled) if enabled else None
        return self._decide(self.texts[i].text, second) == self.texts[i].lang

    def right(self, i: int, enabled: frozenset[str]) -> bool:
        """Whether text ``i`` is decided right with the ``enabled`` Lingua languages."""
        key = (i, self.touch[i] & enabled)
        value = self._cache.get(key)
        if value is None:
            value = self._cache[key] = self._run(i, key[1])
        return value

    def gain(self, lang: str, enabled: frozenset[str], indices: set[int]) -> tuple[int, int]:
        """Texts among ``indices`` that ``lang`` enabled (given ``enabled``) makes right, and
        those it makes wrong."""
        without = enabled - {lang}
        wins = losses = 0
        for i in self.by_language.get(lang, ()):
            if i in indices:
                delta = self.right(i, enabled) - self.right(i, without)
                wins += delta > 0
                losses += delta < 0
        return wins, losses


def excess(wins: int, losses: int, z: float) -> float:
    """How far a language's net gain is above what chance flips would give: ``wins - losses``
    less ``z`` standard deviations of it under a sign test (``sqrt(wins + losses)``)."""
    return wins - losses - z * (wins + losses) ** 0.5


def choose(
    sim: Simulation, indices: Iterable[int], z: float = 0.0
) -> tuple[frozenset[str], dict[str, tuple[int, int]]]:
    """Backward elimination on the texts ``indices``: the enabled set, and each kept language's
    last (wins, losses). A language stays if it makes more texts right than wrong, by more than
    ``z`` standard deviations of a sign test (``z`` = 0: by at least one text). The language
    furthest below goes first; ties go to the smaller code (deterministic)."""
    chosen = set(indices)
    enabled = sim.everything
    while enabled:
        gains = {lang: sim.gain(lang, enabled, chosen) for lang in enabled}
        keep = {lang: min(float(w - lo), excess(w, lo, z)) for lang, (w, lo) in gains.items()}
        worst = min(keep, key=lambda lang: (keep[lang], lang))
        if keep[worst] > 0:
            return enabled, gains
        enabled = enabled - {worst}
    return enabled, {}


def score(
    sim: Simulation, enabled: frozenset[str], indices: Iterable[int], lid176: Sequence[bool]
) -> dict[str, Any]:
    """Accuracy per group (``flores``, ``lingua <granularity>``) of ours with ``enabled`` and of
    lid.176, and the languages (per corpus) where ours is below lid.176."""
    totals: dict[str, list[int]] = {}
    per_language: dict[tuple[str, str], list[int]] = {}
    for i in indices:
        text = sim.texts[i]
        ours = sim.right(i, enabled)
        for key in (text.group, "lingua" if text.corpus == "lingua" else None):
            if key is not None:
                cell = totals.setdefault(key, [0, 0, 0])
                cell[0] += 1
                cell[1] += ours
                cell[2] += lid176[i]
        cell = per_language.setdefault((text.corpus, text.lang), [0, 0])
        cell[0] += ours
        cell[1] += lid176[i]
    below = sorted(f"{corpus}:{lang}" for (corpus, lang), (o, r) in per_language.items() if o < r)
    return {
        "groups": {
            key: {"n": n, "ours": ours / n, "lid176": ref / n}
            for key, (n, ours, ref) in sorted(totals.items())
        },
        "below_lid176": below,
    }


def _row(name: str, result: dict[str, Any]) -> str:
    cells = "  ".join(f"{group} {cell['ours']:.2%}" for group, cell in result["groups"].items())
    below = result["below_lid176"]
    return f"  {name:<28}{cells}  below lid.176: {len(below)}" + (
        f" ({', '.join(below)})" if below else ""
    )


def run(args: argparse.Namespace) -> int:
    from agents import language
    from streams.settings import load_settings
    from tools.eval_langid import lid176_languages

    started = time.perf_counter()
    min_confidence = load_settings().lang_min_confidence
    texts = load_dev({"flores": Path(args.flores), "lingua": Path(args.lingua)}, lid176_languages())
    fasttext = language.load_fasttext()
    scorer = language.LinguaScorer(lingua_languages=None)
    scorer.preload()

    def decide(text: str, second: Any) -> str:
        decision = language.detect(language.Detector(fasttext, second), None, text, 0.0)
        return decision.lang if decision.confidence >= min_confidence else "und"

    def plain(text: str) -> str:
        labels, _ = fasttext.predict(" ".join(text.split()), k=1)
        return language.normalise_code(labels[0].removeprefix("__label__"))

    sim = Simulation(texts, scorer.languages, decide, scorer)
    lid176 = [plain(t.text) == t.lang for t in texts]
    halves = {h: {i for i, t in enumerate(texts) if t.half == h} for h in (0, 1)}
    everything = sim.everything
    report: dict[str, Any] = {"texts": len(texts), "z": args.z, "halves": {}}
    lines = [
        f"tools.choose_second: {len(texts)} dev texts (languages lid.176 knows), z {args.z}; "
        "accuracy as eval langid scores it",
    ]
    for h in (0, 1):
        chosen, _ = choose(sim, halves[h], args.z)
        held = halves[1 - h]
        report["halves"][h] = {
            "chosen": sorted(chosen),
            "held_out": {
                "all": score(sim, everything, held, lid176),
                "chosen": score(sim, chosen, held, lid176),
                "none": score(sim, frozenset(), held, lid176),
            },
        }
        lines += [
            "",
            f"chosen on half {h} ({len(chosen)} of {len(everything)}): {' '.join(sorted(chosen))}",
            f" scored on half {1 - h}:",
            *(
                _row(name, report["halves"][h]["held_out"][name])
                for name in ("none", "all", "chosen")
            ),
        ]
    both = halves[0] | halves[1]
    final, gains = choose(sim, both, args.z)
    report["final"] = {
        "chosen": sorted(final),
        "gains": dict(sorted(gains.items())),
        "all_texts": {
            "all": score(sim, everything, both, lid176),
            "chosen": score(sim, final, both, lid176),
        },
    }
    lines += [
        "",
        f"chosen on both halves ({len(final)}): {' '.join(sorted(final))}",
        "  gains (texts made right, net): "
        + " ".join(
            f"{k}:+{w}-{lo}"
            for k, (w, lo) in sorted(gains.items(), key=lambda kv: kv[1][1] - kv[1][0])
        ),
        " on all dev texts (in sample):",
        _row("all", report["final"]["all_texts"]["all"]),
        _row("chosen", report["final"]["all_texts"]["chosen"]),
    ]
    if args.verify:
        mismatches = verify(sim, final, args.verify, decide)
        report["verify"] = {"texts": args.verify, "mismatches": mismatches}
        lines.append(
            f"verified against a LinguaScorer over the set: {mismatches} of "
            f"{args.verify} texts differ"
        )
    report["seconds"] = round(time.perf_counter() - started, 1)
    lines.append(f"({report['seconds']:.0f} s)")
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print("\n".join(lines))
    return 0


def verify(sim: Simulation, enabled: frozenset[str], n: int, decide: Decide) -> int:
    """Texts (every k-th of those that touch a Lingua language, ``n`` in all) where a real
    ``LinguaScorer`` over ``enabled`` decides otherwise than the simulation."""
    from agents import language

    scorer = language.LinguaScorer(lingua_languages=enabled)
    touched = [i for i in range(len(sim.texts)) if sim.touch[i]]
    step = max(1, len(touched) // max(1, n))
    return sum(
        (decide(sim.texts[i].text, scorer) == sim.texts[i].lang) != sim.right(i, enabled)
        for i in touched[::step][:n]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.choose_second", description=__doc__)
    parser.add_argument("--flores", default=str(FLORES), help="FLORES-200 dev JSON lines")
    parser.add_argument("--lingua", default=str(LINGUA), help="Lingua's test set JSON lines")
    parser.add_argument(
        "--z",
        type=float,
        default=Z,
        help=f"a language is kept if its net gain is above z sign-test deviations (default {Z})",
    )
    parser.add_argument(
        "--verify", type=int, default=2000, metavar="N", help="texts checked against a real scorer"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
