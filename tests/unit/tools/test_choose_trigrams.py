"""tools/choose_trigrams.py: franc's margin chosen from bodies read by the stage (synthetic)."""

from __future__ import annotations

from tools.choose_trigrams import Body, choose, score


def _bodies() -> list[Body]:
    right = [Body("sc", 0, True, ("sc", 0.97)), Body("kab", 0, False, ("kab", 0.96))]
    tie = [Body("pap", 0, False, ("lad", 0.995)), Body("ki", 0, False, ("mi", 0.992))]
    sibling = [Body("tzm", 0, False, ("zgh", 0.93))]
    decided = [Body("en", 0, True, None), Body("en", -1, True, None)]
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
