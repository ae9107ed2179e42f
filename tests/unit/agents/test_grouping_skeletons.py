"""Skeleton keys in the grouping decision: counted across scripts only, once, for rare words."""

from __future__ import annotations

from dataclasses import replace

from agents.grouping import Grouper, GroupingOptions
from tests.unit.agents.articles import prepared_article

DAY = 86_400.0
OPTIONS = GroupingOptions(window_seconds=3 * DAY, min_shared=3.0, min_overlap=0.25)

# An English report: two names, a year; and its Hebrew translation, whose names the evidence
# finds only as words (skeletons) of a script without case.
ENGLISH = ["n:kastelnik", "n:morgentau", "#:2023", "s:name:kstlnk", "s:name:mrgnt"]
HEBREW = ["#:2023", "s:hebr:kstlnk", "s:hebr:mrgnt", "s:hebr:ltn"]


def member(ident: str, lang: str) -> dict[str, str | None]:
    return {"id": ident, "lang": lang, "title": ident, "url": None, "source": None}


def test_a_translation_in_a_script_without_case_joins_by_its_names_skeletons() -> None:
    g = Grouper(OPTIONS)
    first = g.assign(member("en", "en"), ENGLISH, 0.0)
    assert g.assign(member("he", "he"), HEBREW, 1.0).event_key == first.event_key
    off = Grouper(replace(OPTIONS, skeleton_weight=0.0))
    first = off.assign(member("en", "en"), ENGLISH, 0.0)
    assert off.assign(member("he", "he"), HEBREW, 1.0).event_key != first.event_key


def test_the_match_goes_both_ways() -> None:
    g = Grouper(OPTIONS)
    first = g.assign(member("he", "he"), HEBREW, 0.0)
    assert g.assign(member("en", "en"), ENGLISH, 1.0).event_key == first.event_key


def test_skeletons_in_the_same_script_do_not_count() -> None:
    """Two names of cased scripts are matched by their name keys; a skeleton they happen to
    share says nothing more (Kastelnik, Kostolnak)."""
    g = Grouper(OPTIONS)
    first = g.assign(member("en", "en"), ENGLISH, 0.0)
    other = ["n:kostolnak", "n:morgentau", "#:2023", "s:name:kstlnk", "s:name:mrgnt"]
    assert g.best_match(other, 1.0) == g.best_match([k for k in other if k[0] != "s"], 1.0)
    hebrew = Grouper(OPTIONS)
    hebrew.assign(member("a", "he"), HEBREW, 0.0)
    assert hebrew.best_match(HEBREW, 1.0) == hebrew.best_match(["#:2023"], 1.0)
    assert first.event_key


def test_a_name_both_write_is_not_counted_again_by_its_skeleton() -> None:
    g = Grouper(OPTIONS)
    g.assign(member("en", "en"), ENGLISH, 0.0)
    with_latin = [*HEBREW, "n:kastelnik"]
    without_its_skeleton = [k for k in with_latin if k != "s:hebr:kstlnk"]
    assert g.best_match(with_latin, 1.0) == g.best_match(without_its_skeleton, 1.0)


def test_a_word_many_open_events_carry_is_a_common_word_not_a_name() -> None:
    g = Grouper(OPTIONS)
    for i in range(OPTIONS.skeleton_max_df + 1):  # other Hebrew articles use the word
        g.assign(member(f"he{i}", "he"), [f"#:{1900 + i}", "s:hebr:kstlnk"], float(i))
    g.assign(member("he", "he"), ["#:2023", "s:hebr:kstlnk", "s:hebr:ltn"], 5.0)
    # only "mrgnt" is left to match: not enough
    joined = g.assign(member("en", "en"), ENGLISH, 6.0)
    assert [m.id for m in joined.state.members] == ["en"]


def test_words_of_two_scripts_without_case_match_only_when_asked() -> None:
    hindi = ["#:2023", "s:deva:kstlnk", "s:deva:mrgnt"]
    for uncased, same in ((False, False), (True, True)):
        g = Grouper(replace(OPTIONS, skeleton_uncased=uncased))
        first = g.assign(member("he", "he"), HEBREW, 0.0)
        assert (g.assign(member("hi", "hi"), hindi, 1.0).event_key == first.event_key) is same


def test_short_skeletons_count_in_part() -> None:
    """Three consonants are common by chance: "kts" and "mrt" weigh a third of "kstlnk"."""
    english = ["n:katz", "n:mort", "#:2023", "s:name:kts", "s:name:mrt"]
    hebrew = ["#:2023", "#:1999", "#:17", "p:g1", "s:hebr:kts", "s:hebr:mrt", "s:hebr:ltn"]
    scores = []
    for full_length in (5, 0):
        g = Grouper(replace(OPTIONS, skeleton_full_length=full_length))
        g.assign(member("en", "en"), english, 0.0)
        scores.append(g.best_match(hebrew, 1.0)[1])
    assert scores[0] < scores[1]  # here: no match, and a match


def test_names_in_two_alphabets_match_by_their_skeletons() -> None:
    """Belarusian spells Rodrigo Arias "Радрыга Арыяс" (radryha, not rodrigo): the name keys
    differ, the skeletons of a name in Latin letters and one in Cyrillic count as across
    scripts; two names in one alphabet still do not (see above)."""
    english = ["n:rodrig", "n:arias", "n:rodrig arias", "#:2009", "s:name:rdrg", "s:name:rs"]
    belarusian = ["n:radrig", "n:arias", "n:radrig arias", "#:2009", "s:namecyri:rdrg"]
    scores = []
    for keys in (belarusian, [k for k in belarusian if not k.startswith("s:")]):
        g = Grouper(OPTIONS)
        g.assign(member("en", "en"), english, 0.0)
        scores.append(g.best_match(keys, 1.0)[1])
    assert scores[0] > scores[1]
    russian = ["n:radrig", "n:arias", "n:radrig arias", "#:2009", "s:namecyri:rdrg"]
    g = Grouper(OPTIONS)
    g.assign(member("be", "be"), belarusian, 0.0)
    assert g.best_match(russian, 1.0) == g.best_match(russian[:4], 1.0)


def test_one_skeleton_in_common_joins_but_merges_nothing() -> None:
    """A member whose evidence is all words of a script without case (skeletons) counts only
    those that match: one coincidence (a word that reads like a name) covers it. The article
    may join such an event as its best, but does not merge it into the event it joins."""
    options = replace(OPTIONS, parallel_min_overlap=0.25, merge_min_score=0.65)
    other = ["s:hebr:kstlnk", "s:hebr:blmnrg", "s:hebr:dvdsn"]  # one word like "Kastelnik"
    shape = (10, 12)  # one paragraph count: the rule for translations applies to each pair
    g = Grouper(options)
    translation = g.assign(member("he", "he"), HEBREW, 0.0, shape)
    lone = g.assign(member("he2", "he"), other, 0.0, shape)
    english = g.assign(member("en", "en"), ENGLISH, 1.0, shape)
    assert english.event_key == translation.event_key and english.merged == ()
    assert g.resolve(lone.event_key) == lone.event_key
    alone = Grouper(options)  # the only candidate: joined on that one skeleton, as before
    only = alone.assign(member("he2", "he"), other, 0.0, shape)
    assert alone.assign(member("en", "en"), ENGLISH, 1.0, shape).event_key == only.event_key


# Kabyle writes Stanford "Stanfurd" and Dilokrit "Dilukrit": one alphabet, other name keys.
# The two share a year and a place too: skeletons of one alphabet retrieve no event, they
# count where articles meet by other keys.
SAME_ALPHABET = replace(OPTIONS, skeleton_same_alphabet=True, skeleton_same_min_length=3)
LATIN_EN = ["n:stanford", "n:dilokrit", "#:2008", "p:g1", "s:name:stnfrd", "s:name:dlkrt"]
LATIN_KAB = ["n:stanfurd", "n:dilukrit", "#:2008", "p:g1", "s:name:stnfrd", "s:name:dlkrt"]


def test_names_of_one_alphabet_meet_by_skeletons_across_languages() -> None:
    for same, joins in ((True, True), (False, False)):
        g = Grouper(replace(SAME_ALPHABET, skeleton_same_alphabet=same))
        first = g.assign(member("en", "en"), LATIN_EN, 0.0)
        assert (g.assign(member("kab", "kab"), LATIN_KAB, 1.0).event_key == first.event_key) is (
            joins
        )


def test_names_of_one_alphabet_in_one_language_do_not_meet_by_skeletons() -> None:
    """Within a language two spellings of one skeleton are two names more often than one."""
    g = Grouper(SAME_ALPHABET)
    first = g.assign(member("en1", "en"), LATIN_EN, 0.0)
    assert g.assign(member("en2", "en"), LATIN_KAB, 1.0).event_key != first.event_key


def test_a_name_of_one_alphabet_counts_once_whatever_its_variants() -> None:
    """Both sides write a long name's skeleton with a consonant left out (stnfrd: tnfrd,
    snfrd…): those meet as the full skeletons do, and count as one name."""
    variants = ["s:name:tnfrd", "s:name:snfrd", "s:name:stfrd", "s:name:stnrd"]
    scores = []
    for extra in ((), variants):
        g = Grouper(SAME_ALPHABET)
        g.assign(member("en", "en"), [*LATIN_EN, *extra], 0.0)
        article = g.assign(member("kab", "kab"), [*LATIN_KAB, *extra], 1.0)
        scores.append(
            g.pair_score(article.event_key, prepared_article("kab2", LATIN_KAB, 2.0, "kab"))
        )
    assert scores[0] == scores[1] > 0.0


def test_a_shared_name_is_not_counted_again_by_its_variants() -> None:
    g = Grouper(SAME_ALPHABET)
    g.assign(member("en", "en"), [*LATIN_EN, "s:name:tnfrd", "s:name:snfrd"], 0.0)
    with_name = ["n:stanford", "#:2008", "p:g1", "s:name:stnfrd", "s:name:tnfrd", "s:name:snfrd"]
    only_name = ["n:stanford", "#:2008", "p:g1"]
    event = g.best_match(LATIN_EN, 2.0)[0]
    assert event is not None
    assert g.pair_score(event, prepared_article("de", with_name, 2.0, "de")) == g.pair_score(
        event, prepared_article("de", only_name, 2.0, "de")
    )
