"""tools/choose_long.py: the long rules learned from texts read by lid.176 (synthetic reads)."""

from __future__ import annotations

from tools.choose_long import FLOOR, MARGIN, Read, apply, learn, score


def _reads() -> list[Read]:
    dutch = [Read("nl", h, {"nl": 0.97, "af": 0.02, "li": 0.004}) for h in (0, 1)]
    limburgish = [Read("li", h, {"nl": 0.85, "li": p, "de": 0.02}) for h, p in
                  ((0, 0.10), (0, 0.05), (1, 0.08), (1, 0.004))]  # fmt: skip
    frisian = [Read("fy", 0, {"nl": 0.6, "fy": 0.3, "li": 0.006})]  # another language led by nl
    news = [Read("nl", -1, {"nl": 0.99, "li": 0.003})]
    return [*dutch, *limburgish, *frisian, *news]


def test_a_rule_is_twice_the_most_a_text_of_another_language_gave_the_candidate() -> None:
    rules = learn(_reads(), None)
    # the negatives led by nl gave li at most 0.006 (the Frisian article): twice that
    assert rules == {("nl", "li"): round(max(FLOOR, MARGIN * 0.006), 4)}


def test_a_rule_needs_two_articles_it_fixes_where_it_is_learned() -> None:
    assert learn(_reads(), 1) == {}  # half 1: one Limburgish article above the threshold
    assert ("nl", "li") in learn(_reads(), 0)


def test_applied_it_fixes_and_spares_the_leaders_own_texts() -> None:
    reads = _reads()
    rules = learn(reads, None)
    assert apply(rules, reads[0]) == "nl"
    assert [apply(rules, r) for r in reads if r.lang == "li"] == ["li", "li", "li", "nl"]
    out = score(rules, reads)
    assert (out["fixed"], out["broken"]) == (3, 0)
    assert out["rules"] - out["lid176"] == 3
