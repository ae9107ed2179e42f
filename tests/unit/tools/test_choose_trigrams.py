"""tools/choose_trigrams.py: franc's margin chosen from bodies read by the stage (synthetic)."""

from __future__ import annotations

from tools.choose_trigrams import Body, choose, learn_rules, score, score_rules


def _bodies() -> list[Body]:
    def und(lang: str, known: bool, answer: tuple[str, float]) -> Body:
        return Body(lang, 0, known, "und", 0.0, False, answer)

    right = [und("sc", True, ("sc", 0.97)), und("kab", False, ("kab", 0.96))]
    tie = [und("pap", False, ("lad", 0.995)), und("ki", False, ("mi", 0.992))]
    sibling = [und("tzm", False, ("zgh", 0.93))]
    decided = [
        Body("en", 0, True, "en", 0.99, False, ("en", 0.5)),
        Body("en", -1, True, "en", 1.0, False, None),
    ]
    return [*right, *tie, *sibling, *decided]


def test_score_counts_answers_below_the_margin_by_kind() -> None:
    assert score(_bodies(), 0.98) == {
        "right_known": 1, "wrong_known": 0, "right_other": 1, "wrong_other": 1,
    }  # fmt: skip
    assert score(_bodies(), 1.01)["wrong_other"] == 3
    assert sum(score(_bodies(), 0.9).values()) == 0


def test_the_choice_keeps_the_answers_and_drops_the_near_ties() -> None:
    chosen = choose(_bodies(), (0.9, 0.97, 0.98, 0.99, 1.01))
    assert chosen == 0.98  # 0.97 drops a right answer; 0.99 and 1.01 add the ties


def _decided() -> list[Body]:
    asturian = [Body("ast", h, True, "es", 0.6, False, ("ast", 0.99)) for h in (0, 0, 1)]
    spanish = [Body("es", 0, True, "es", 0.95, False, ("ast", 0.99))]  # sure: franc not asked
    galician = [Body("gl", 0, True, "es", 0.7, False, ("gl", 0.9))]  # one fix only
    breaks = [Body("it", 0, True, "it", 0.8, False, ("vec", 0.9))] * 2 + [
        Body("vec", 0, True, "it", 0.8, False, ("vec", 0.9))
    ] * 2
    return [*asturian, *spanish, *galician, *breaks]


def test_a_rule_fixes_two_bodies_or_more_and_breaks_none() -> None:
    rules = learn_rules([b for b in _decided() if b.half == 0], 0.9)
    assert rules == frozenset({("es", "ast")})  # (es, gl) fixes one; (it, vec) breaks two
    held = score_rules(rules, [b for b in _decided() if b.half == 1], 0.9)
    assert held == {"fixed_known": 1, "broken_known": 0, "fixed_other": 0, "broken_other": 0}
    assert learn_rules(_decided(), 0.5) == frozenset()  # every decision above the ceiling
