"""Which CLD2 pair rules the language stage keeps: measured on dev data, never costing a text.

``python -m tools.choose_pairs [--min-fixes N] [--max-breaks N] [--cushion N] [--json]``
derives :data:`agents.language.CLD2_RULES` and :data:`agents.language.CLD2_CEILINGS`. A rule
``(context, x, y)`` says: where the stage decides ``x`` (``short``: a text alone; ``long``: an
article's body read whole) with less confidence than the context's ceiling, and CLD2
(``pycld2``) answers ``y``, one of fastText's best candidates
(:data:`agents.language.PAIR_TOP`), report ``y``. Every rule that would apply to some dev text
is tried alone through the stage's own :func:`agents.language.detect` on the texts it applies
to (a text meets at most one rule: its decision and CLD2's answer name it): the texts it makes
right (fixes) and wrong (breaks), with the stage's confidence in each. Over all the dev texts
of the half it is chosen on, a rule is kept if, below its ceiling, it fixes at least
``--min-fixes`` (3) texts and breaks at most ``--max-breaks`` (0): it must be safe for the
language it takes texts from, large or small. A rule on short texts must moreover take them
from a language the stage leads lid.176 in by at least ``--cushion`` (2) texts in each group
of short texts (FLORES sentences, Lingua's set), so that a break the dev half did not show
does not put that language below lid.176 (measured: with 0 or 1, Catalan or Tatar fell one
sentence below lid.176 held out). The ceilings are chosen on the same half only: split in two
(by the sentence index's second bit), rules chosen on each quarter are scored on the other,
and of the pairs of ceilings with which no language falls below lid.176 there, the one with
the most texts made right wins.

Dev data as in :mod:`tools.choose_second`: FLORES-200 dev sentences, articles of 10 of its
consecutive sentences of the same half, and Lingua's 14-language set, split by the parity of
the sentence index; rules chosen on one half are scored on the other, both ways, and the rules
the stage declares are chosen on both halves (the ceilings then with the halves as the split).
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

from tools.choose_second import FLORES, LINGUA, DevText, load_dev

#: A rule: (context, our decision, CLD2's answer).
Rule = tuple[str, str, str]
#: The ceilings tried: a rule applies to a decision made with less confidence than its
#: context's ceiling (above 1: any).
CEILINGS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
CONTEXTS = ("short", "long")


@dataclass(frozen=True, slots=True)
class Tried:
    """A rule tried alone: per dev text it applies to, whether it was right before and after,
    and the stage's confidence in its decision before."""

    rule: Rule
    texts: tuple[int, ...]
    before: tuple[bool, ...]
    after: tuple[bool, ...]
    confidence: tuple[float, ...]

    def count(self, indices: set[int], ceiling: float = CEILINGS[-1]) -> tuple[int, int]:
        """(fixes, breaks) among the texts ``indices`` decided with less than ``ceiling``."""
        fixes = breaks = 0
        for i, was, now, confidence in zip(
            self.texts, self.before, self.after, self.confidence, strict=True
        ):
            if i in indices and confidence < ceiling:
                fixes += now and not was
                breaks += was and not now
        return fixes, breaks


class Recorder:
    """A :class:`agents.language.PairOpinion` that changes nothing and notes, per text, the
    rule that would apply to it."""

    def __init__(self) -> None:
        self.rule: Rule | None = None
        self.confidence = 0.0

    def revise(self, text: str, lang: str, scores: dict[str, float], context: str) -> str:
        from agents import language

        answer = language.cld2_language(text)
        top = sorted(scores, key=scores.__getitem__, reverse=True)[: language.PAIR_TOP]
        if answer is not None and answer != lang and answer in top:
            self.rule = (context, lang, answer)
            self.confidence = scores[lang]
        return lang


def articles(texts: Sequence[DevText], n: int = 10) -> list[DevText]:
    """Articles of ``n`` consecutive FLORES sentences of one language and one half."""
    groups: dict[tuple[str, int], list[DevText]] = {}
    for text in texts:
        if text.corpus == "flores":
            groups.setdefault((text.lang, text.half), []).append(text)
    out = []
    for (lang, half), members in groups.items():
        members.sort(key=lambda t: t.idx)
        for k in range(0, len(members) - n + 1, n):
            chunk = members[k : k + n]
            joined = "\n".join(t.text for t in chunk)
            out.append(DevText(joined, lang, "flores", "articles", half + 2 * (k // n)))
    return out


def group(text: DevText) -> str:
    """Where a text is totalled: FLORES sentences or articles, or the Lingua set."""
    return f"flores {text.granularity}" if text.corpus == "flores" else "lingua"


def choose(
    tried: Iterable[Tried],
    indices: set[int],
    min_fixes: int,
    max_breaks: int,
    ceilings: dict[str, float],
    leads: dict[str, int] | None = None,
    cushion: int = 0,
) -> frozenset[Rule]:
    """The rules that fix at least ``min_fixes`` texts among ``indices`` and break at most
    ``max_breaks``, applied below their context's ceiling; with ``cushion``, only rules that
    take texts from a language ahead of lid.176 by at least that many texts (``leads``)."""
    kept = set()
    for one in tried:
        if cushion and one.rule[0] == "short" and (leads or {}).get(one.rule[1], 0) < cushion:
            continue
        fixes, breaks = one.count(indices, ceilings[one.rule[0]])
        if fixes >= min_fixes and breaks <= max_breaks:
            kept.add(one.rule)
    return frozenset(kept)


def leads(
    texts: Sequence[DevText], base: Sequence[bool], lid176: Sequence[bool], indices: set[int]
) -> dict[str, int]:
    """Per language, the texts by which the stage is ahead of lid.176 among ``indices``: the
    least over the groups of single texts (not articles) its texts are in."""
    per: dict[tuple[str, str], int] = {}
    for i in indices:
        if texts[i].granularity == "articles":
            continue
        key = (group(texts[i]), texts[i].lang)
        per[key] = per.get(key, 0) + base[i] - lid176[i]
    out: dict[str, int] = {}
    for (_, lang), lead in per.items():
        out[lang] = min(out.get(lang, lead), lead)
    return out


def score(
    texts: Sequence[DevText],
    base: Sequence[bool],
    lid176: Sequence[bool],
    tried: dict[Rule, Tried],
    rules: Iterable[Rule],
    indices: set[int],
    ceilings: dict[str, float],
) -> dict[str, Any]:
    """Accuracy per group with ``rules`` (and without), and the languages below lid.176 with
    them (``below_lid176``) and without (``below_without``)."""
    right = {i: base[i] for i in indices}
    for rule in rules:
        one = tried[rule]
        for i, now, confidence in zip(one.texts, one.after, one.confidence, strict=True):
            if i in right and confidence < ceilings[rule[0]]:
                right[i] = now
    totals: dict[str, list[int]] = {}
    per_language: dict[tuple[str, str], list[int]] = {}
    for i in indices:
        name = group(texts[i])
        cell = totals.setdefault(name, [0, 0, 0, 0])
        cell[0] += 1
        cell[1] += right[i]
        cell[2] += base[i]
        cell[3] += lid176[i]
        lang = per_language.setdefault((name, texts[i].lang), [0, 0, 0])
        lang[0] += right[i]
        lang[1] += base[i]
        lang[2] += lid176[i]
    return {
        "groups": {
            name: {"n": n, "with": ok / n, "without": was / n, "lid176": ref / n}
            for name, (n, ok, was, ref) in sorted(totals.items())
        },
        "net": sum(right.values()) - sum(base[i] for i in indices),
        "below_lid176": sorted(f"{g}:{x}" for (g, x), (o, _, r) in per_language.items() if o < r),
        "below_without": sorted(f"{g}:{x}" for (g, x), (_, b, r) in per_language.items() if b < r),
        "losing": sorted(f"{g}:{x}" for (g, x), (o, b, _) in per_language.items() if o < b),
    }


def choose_ceilings(
    texts: Sequence[DevText],
    base: Sequence[bool],
    lid176: Sequence[bool],
    tried: dict[Rule, Tried],
    indices: set[int],
    part: Callable[[DevText], int],
    min_fixes: int,
    max_breaks: int,
    cushion: int = 0,
) -> dict[str, float]:
    """The ceilings, chosen on ``indices`` alone: split in two by ``part``, rules chosen on
    each part with each pair of ceilings are scored on the other; of the pairs with which no
    language falls below lid.176 on either held-out part (that was not already), the one with
    the most texts made right, net (ties: the lower ceilings)."""
    parts = [{i for i in indices if part(texts[i]) == k} for k in (0, 1)]
    best: tuple[int, dict[str, float]] | None = None
    for short in CEILINGS:
        for long in CEILINGS:
            ceilings = {"short": short, "long": long}
            net = 0
            safe = True
            for k in (0, 1):
                ahead = leads(texts, base, lid176, parts[k])
                rules = choose(
                    tried.values(), parts[k], min_fixes, max_breaks, ceilings, ahead, cushion
                )
                held = score(texts, base, lid176, tried, rules, parts[1 - k], ceilings)
                net += held["net"]
                safe = safe and set(held["below_lid176"]) <= set(held["below_without"])
            if safe and (best is None or net > best[0]):
                best = (net, ceilings)
    return best[1] if best is not None else {c: 0.0 for c in CONTEXTS}


def _row(label: str, result: dict[str, Any]) -> str:
    cells = "  ".join(
        f"{name} {c['lid176']:.2%} / {c['without']:.2%} -> {c['with']:.2%}"
        for name, c in result["groups"].items()
    )
    below = result["below_lid176"]
    return (
        f"  {label}: {cells}; below lid.176: {len(below)}"
        + (f" ({', '.join(below)})" if below else "")
        + f" (without the rules: {', '.join(result['below_without']) or 'none'})"
    )


def run(args: argparse.Namespace) -> int:
    from agents import language
    from streams.settings import load_settings
    from tools.eval_langid import lid176_languages

    started = time.perf_counter()
    min_confidence = load_settings().lang_min_confidence
    dev = load_dev({"flores": Path(args.flores), "lingua": Path(args.lingua)}, lid176_languages())
    texts = [*dev, *articles(dev)]
    model = replace(language.load_model(), third=None)
    if isinstance(model.second, language.LinguaScorer):
        model.second.preload()

    def decide(text: str, third: Any) -> str:
        decision = language.detect(replace(model, third=third), None, text, 0.0)
        return decision.lang if decision.confidence >= min_confidence else "und"

    def plain(text: str) -> str:
        labels, _ = model.fasttext.predict(" ".join(text.split()), k=1)
        return language.normalise_code(labels[0].removeprefix("__label__"))

    lid176 = [plain(t.text) == t.lang for t in texts]
    base: list[bool] = []
    applies: dict[Rule, list[tuple[int, float]]] = {}
    for i, text in enumerate(texts):
        recorder = Recorder()
        base.append(decide(text.text, recorder) == text.lang)
        if recorder.rule is not None:
            applies.setdefault(recorder.rule, []).append((i, recorder.confidence))
    tried: dict[Rule, Tried] = {}
    for rule, found in applies.items():
        rules = language.Cld2Rules([rule], {context: 2.0 for context in CONTEXTS})
        indices = tuple(i for i, _ in found)
        after = tuple(decide(texts[i].text, rules) == texts[i].lang for i in indices)
        before = tuple(base[i] for i in indices)
        tried[rule] = Tried(rule, indices, before, after, tuple(c for _, c in found))
    halves = {h: {i for i, t in enumerate(texts) if t.half == h} for h in (0, 1)}
    report: dict[str, Any] = {"texts": len(texts), "rules_tried": len(tried), "halves": {}}
    lines = [
        f"tools.choose_pairs: {len(texts)} dev texts, {len(tried)} rules tried; kept if fixes "
        f">= {args.min_fixes} and breaks <= {args.max_breaks}; lid.176 / without -> with rules",
    ]

    def pick(indices: set[int], part: Callable[[DevText], int]) -> tuple[Any, Any]:
        ceilings = choose_ceilings(
            texts,
            base,
            lid176,
            tried,
            indices,
            part,
            args.min_fixes,
            args.max_breaks,
            args.cushion,
        )
        ahead = leads(texts, base, lid176, indices)
        rules = choose(
            tried.values(), indices, args.min_fixes, args.max_breaks, ceilings, ahead, args.cushion
        )
        return ceilings, rules

    for h in (0, 1):
        ceilings, rules = pick(halves[h], lambda t: (t.idx // 2) % 2)
        held = score(texts, base, lid176, tried, rules, halves[1 - h], ceilings)
        report["halves"][h] = {"ceilings": ceilings, "rules": sorted(rules), "held_out": held}
        lines += [
            f"chosen on half {h} ({len(rules)} rules, ceilings {ceilings}), scored on half "
            f"{1 - h}:",
            _row("held out", held),
        ]
    both = halves[0] | halves[1]
    ceilings, final = pick(both, lambda t: t.half)
    counts = {r: tried[r].count(both, ceilings[r[0]]) for r in sorted(final)}
    report["final"] = {
        "ceilings": ceilings,
        "rules": sorted(final),
        "counts": {" ".join(r): c for r, c in counts.items()},
        "all_texts": score(texts, base, lid176, tried, final, both, ceilings),
    }
    lines += [
        f"chosen on both halves ({len(final)} rules, ceilings {ceilings}):",
        "  " + " ".join(f"{c}:{x}->{y}(+{f}-{b})" for (c, x, y), (f, b) in counts.items()),
        _row("in sample", report["final"]["all_texts"]),
    ]
    report["seconds"] = round(time.perf_counter() - started, 1)
    lines.append(f"({report['seconds']:.0f} s)")
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print("\n".join(lines))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.choose_pairs", description=__doc__)
    parser.add_argument("--flores", default=str(FLORES), help="FLORES-200 dev JSON lines")
    parser.add_argument("--lingua", default=str(LINGUA), help="Lingua's test set JSON lines")
    parser.add_argument("--min-fixes", type=int, default=3, help="texts a rule must fix")
    parser.add_argument("--max-breaks", type=int, default=0, help="texts a rule may break")
    parser.add_argument(
        "--cushion", type=int, default=2, help="lead over lid.176 a rule's source must have"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
