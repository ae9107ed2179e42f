"""Choosing CLD2's pair rules: fixes and breaks below a ceiling, the cushion, the halves."""

from __future__ import annotations

from tools.choose_pairs import Tried, articles, choose, choose_ceilings, leads, score
from tools.choose_second import DevText

CEIL = {"short": 0.8, "long": 0.8}

TEXTS = [
    DevText("oc1", "oc", "flores", "sentences", 0),
    DevText("oc2", "oc", "flores", "sentences", 1),
    DevText("ca1", "ca", "flores", "sentences", 2),
    DevText("ca2", "ca", "flores", "sentences", 3),
    DevText("es1", "es", "lingua", "single-words", 4),
]
#: before the rules: oc texts wrong (decided ca), ca and es right; lid.176 wrong on ca2
BASE = [False, False, True, True, True]
LID = [False, False, True, False, True]
#: ca -> oc fixes both oc texts; breaks ca1, but only where the stage was sure (0.9)
CA_OC = Tried(("short", "ca", "oc"), (0, 1, 2), (False, False, True), (True, True, False),
              (0.4, 0.5, 0.9))  # fmt: skip
#: es -> pt breaks the es word
ES_PT = Tried(("short", "es", "pt"), (4,), (True,), (False,), (0.3,))
TRIED = {t.rule: t for t in (CA_OC, ES_PT)}


def test_a_rule_counts_only_decisions_below_its_ceiling() -> None:
    assert CA_OC.count({0, 1, 2}, 1.01) == (2, 1)
    assert CA_OC.count({0, 1, 2}, 0.8) == (2, 0)
    assert CA_OC.count({0}, 0.8) == (1, 0)


def test_rules_are_kept_if_they_fix_enough_and_break_nothing() -> None:
    everything = set(range(5))
    assert choose(TRIED.values(), everything, 2, 0, CEIL) == {("short", "ca", "oc")}
    assert choose(TRIED.values(), everything, 2, 0, {"short": 1.01, "long": 1.01}) == set()
    assert choose(TRIED.values(), everything, 3, 0, CEIL) == set()


def test_a_cushion_keeps_rules_off_languages_without_a_lead_over_lid176() -> None:
    everything = set(range(5))
    ahead = leads(TEXTS, BASE, LID, everything)
    assert ahead == {"oc": 0, "ca": 1, "es": 0}
    assert choose(TRIED.values(), everything, 2, 0, CEIL, ahead, cushion=1)
    assert not choose(TRIED.values(), everything, 2, 0, CEIL, ahead, cushion=2)


def test_scores_tell_languages_below_lid176_with_and_without_the_rules() -> None:
    result = score(TEXTS, BASE, LID, TRIED, [("short", "ca", "oc")], set(range(5)), CEIL)
    assert result["groups"]["flores sentences"]["with"] == 1.0
    assert result["net"] == 2 and result["below_lid176"] == [] and result["losing"] == []
    loose = {"short": 1.01, "long": 1.01}
    broken = score(TEXTS, BASE, LID, TRIED, TRIED, set(range(5)), loose)
    assert broken["losing"] == ["flores sentences:ca", "lingua:es"]
    assert broken["below_lid176"] == ["lingua:es"]


def test_ceilings_are_chosen_so_that_no_language_falls_below_lid176_held_out() -> None:
    ceilings = choose_ceilings(TEXTS, BASE, LID, TRIED, set(range(5)), lambda t: t.idx % 2, 1, 0)
    assert ceilings["short"] < 0.9


def test_articles_join_ten_sentences_of_one_language_and_one_half() -> None:
    sentences = [DevText(f"s{i}", "de", "flores", "sentences", i) for i in range(40)]
    built = articles(sentences)
    assert [a.half for a in built] == [0, 0, 1, 1]
    assert built[0].text.split("\n") == [f"s{i}" for i in range(0, 20, 2)]
