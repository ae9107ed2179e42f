"""tools/choose_long.py: the long rules learned from texts read by lid.176 (synthetic reads)."""

from __future__ import annotations

from tools.choose_long import (
    FLOOR,
    FLOOR_SHARE,
    MARGIN,
    Read,
    apply,
    decide,
    learn,
    learn_floors,
    score,
    score_floors,
)


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


def _floor_reads() -> list[Read]:
    english = [Read("en", h, {"en": p}) for h, p in ((0, 0.9), (1, 0.8)) for _ in range(10)]
    news = [Read("en", -1, {"en": 0.75})]
    kabyle = [Read("kab", 1, {"en": 0.12, "la": 0.05}, known=False)]
    somali = [Read("so", 1, {"en": 0.2, "so": 0.05})]  # known, led below the floor
    return [*english, *news, *kabyle, *somali]


def test_a_floor_is_a_share_of_the_least_the_leader_got_on_its_own_texts() -> None:
    reads = _floor_reads()
    assert learn_floors(reads, None) == {"en": round(FLOOR_SHARE * 0.75, 4)}
    assert learn_floors(reads[:5], None) == {}  # too few texts to know the leader's least


def test_below_the_floor_a_body_is_und_and_nothing_right_is_lost() -> None:
    reads = _floor_reads()
    floors = learn_floors(reads, 0)
    assert [decide({}, floors, r) for r in reads[-2:]] == ["und", "und"]
    out = score_floors({}, floors, [r for r in reads if r.half == 1])
    assert (out["broken"], out["und_known"], out["und_unknown"], out["wrong_left"]) == (0, 1, 1, 0)


def test_the_long_rules_learn_from_the_known_languages_alone() -> None:
    """An article of a language lid.176 lacks is no negative of the rules (their table stays
    what it was learned from the languages lid.176 knows)."""
    reads = _reads()
    extra = Read("kab", 0, {"nl": 0.5, "li": 0.2}, known=False)
    assert learn([*reads, extra], None) == learn(reads, None)
