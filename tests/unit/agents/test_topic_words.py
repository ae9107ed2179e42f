from __future__ import annotations

import base64
from dataclasses import replace

import numpy as np
import pytest

from agents.grouping import EventState, Grouper, GroupingOptions, mint_key, paragraph_prints
from agents.topic_words import MAX_WORDS, WordIndex, given_words, topic_words, unpack
from streams.records import Prepared

DAY = 86_400.0
OPTIONS = GroupingOptions(
    window_seconds=3 * DAY, min_shared=3.0, min_overlap=0.45, words_min_pool=6
)

FILLERS = [
    "The council said that the new budget, which was approved after a long debate, will fund "
    "schools and roads from next year, and that their plans were welcome.",
    "Shares rose on Tuesday after the central bank said that rates would stay where they were, "
    "which traders had expected from the minutes of their last meeting.",
    "The club said that their striker will miss the final after an injury in training, which "
    "the coach called a blow for the whole team this season.",
    "Researchers said that the vaccine trial, which began last spring, showed strong results "
    "from the first group of volunteers and their doctors were pleased.",
    "The airline said that flights were cancelled after the strike by pilots, which left "
    "thousands of passengers stranded at the airport with their luggage.",
    "Farmers said that the drought, which has lasted since the summer, will cut their harvest "
    "and raise prices of bread from the autumn.",
]
QUAKE_A = (
    "A strong earthquake struck eastern Turkey on Monday, the quake's epicentre was near "
    "Malatya, said the Kandilli observatory, which measured a magnitude of 6.1. Buildings "
    "collapsed and rescuers searched the rubble for survivors after the tremor."
)
QUAKE_B = (
    "Rescuers pulled survivors from collapsed buildings after an earthquake of magnitude 6.1 "
    "shook Malatya. Kandilli said the epicentre lay close to the city; aftershocks followed "
    "the quake through the night and the rubble was searched."
)


def member(ident: str, text: str, lang: str = "en") -> dict[str, str | None]:
    return {
        "id": ident,
        "lang": lang,
        "title": ident,
        "url": None,
        "source": None,
        "words": topic_words(text),
    }


def test_words_are_case_folded_counted_and_short_ones_left_out() -> None:
    values = unpack(topic_words("Quake quake QUAKE in the city; City"))
    assert values is not None
    counts = sorted((values & 0xF).tolist())
    assert counts == [2, 3]  # "quake" three times, "city" twice; "in", "the" too short


def test_unspaced_scripts_count_pairs_of_characters() -> None:
    values = unpack(topic_words("北京地震"))
    assert values is not None and len(values) == 3  # 北京 京地 地震


def test_no_words_is_none_and_malformed_values_are_none() -> None:
    assert topic_words("1, 2, 3 — a b") is None
    assert unpack(None) is None
    assert unpack("not base64!") is None
    assert unpack(base64.b64encode(b"abc").decode()) is None


def test_at_most_max_words_are_kept() -> None:
    text = " ".join(f"word{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}x" for i in range(400))
    values = unpack(topic_words(text.replace("0", "")))
    assert values is not None and len(values) == MAX_WORDS


def test_common_words_weigh_nothing_and_a_text_is_closest_to_itself() -> None:
    index = WordIndex()
    for number, text in enumerate(FILLERS):
        index.add(f"f{number}", topic_words(text), "en")
    index.add("a", topic_words(QUAKE_A), "en")
    article = index.weigh(topic_words(QUAKE_B), "en")
    assert article is not None
    # "said", "that", "which", "their", "after" are in most texts: nearly no weight
    weights = dict(zip(article.hashes.tolist(), article.weights.tolist(), strict=True))
    said = unpack(topic_words("said"))
    assert said is not None and weights[int(said[0]) >> 4] < 0.05
    assert index.cosine(article, "a") > max(index.cosine(article, f"f{n}") for n in range(6))
    itself = index.weigh(topic_words(QUAKE_A), "en")
    assert itself is not None and index.cosine(itself, "a") == pytest.approx(1.0, abs=0.05)


def test_frequencies_are_per_language_and_other_languages_do_not_compare() -> None:
    index = WordIndex()
    index.add("a", topic_words(QUAKE_A), "en")
    index.add("x", topic_words(QUAKE_A), "de")
    assert (index.size("en"), index.size("de")) == (1, 1)
    article = index.weigh(topic_words(QUAKE_A), "de")
    assert article is not None
    assert index.cosine(article, "a") == 0.0 and index.cosine(article, "x") > 0.9
    index.remove("x")
    assert index.size("de") == 0 and len(index) == 1
    index.add("a", topic_words(QUAKE_A), "en")  # a second reference: removed once, still in
    index.remove("a")
    assert index.size("en") == 1
    index.remove("a")
    assert len(index) == 0


def pooled(options: GroupingOptions) -> tuple[Grouper, str]:
    g = Grouper(options)
    for number, text in enumerate(FILLERS):
        g.assign(member(f"f{number}", text), [f"n:filler{number}", f"n:other{number}"], 0.0)
    quake = g.assign(
        member("a", QUAKE_A),
        ["n:malatya", "n:kandilli", "n:monday", "p:cTR", "#:6.1", "n:eastern", "n:turkish"],
        10.0,
    )
    return g, quake.event_key


B_EVIDENCE = ["n:malatya", "n:kandilli", "n:rescue", "n:night", "n:city", "n:aftershock"]


def test_a_report_written_independently_joins_by_its_words() -> None:
    g, quake = pooled(OPTIONS)
    joined = g.assign(member("b", QUAKE_B), B_EVIDENCE, 20.0)
    assert joined.event_key == quake
    assert joined.translation_of is None and joined.duplicate_of is None


def test_without_the_words_test_or_with_too_few_members_it_mints() -> None:
    g, _ = pooled(replace(OPTIONS, words_min_cosine=0.0))
    assert g.assign(member("b", QUAKE_B), B_EVIDENCE, 20.0).event_key == mint_key("b")
    g, _ = pooled(replace(OPTIONS, words_min_pool=50))
    assert g.assign(member("b", QUAKE_B), B_EVIDENCE, 20.0).event_key == mint_key("b")


def test_the_words_need_the_evidence_floor_and_the_language() -> None:
    g, _ = pooled(OPTIONS)
    one_name = ["n:malatya", "n:rescue", "n:night", "n:city", "n:aftershock"]
    assert g.assign(member("b", QUAKE_B), one_name, 20.0).event_key == mint_key("b")
    g, _ = pooled(OPTIONS)
    german = g.assign(member("c", QUAKE_B, "de"), B_EVIDENCE, 20.0)
    assert german.event_key == mint_key("c")


def test_words_are_kept_in_the_table_and_restored() -> None:
    g, quake = pooled(OPTIONS)
    values = [state.to_dict() for state in g.states()]
    stored = next(v for v in values if v["event_key"] == quake)
    assert stored["members"][0]["words"] == topic_words(QUAKE_A)
    assert EventState.from_dict(stored).to_dict() == stored
    restored = Grouper(OPTIONS)
    restored.load(values)
    assert len(restored.words) == 7
    assert restored.assign(member("b", QUAKE_B), B_EVIDENCE, 20.0).event_key == quake


def test_evicted_members_leave_the_frequencies() -> None:
    g, _ = pooled(OPTIONS)
    g.assign(member("late", FILLERS[0]), ["n:late"], 10 * DAY)
    g.evict()
    assert len(g.words) == 1 and g.words.size("en") == 1


def test_packed_words_are_sorted_uint32() -> None:
    values = unpack(topic_words(QUAKE_A))
    assert values is not None and values.dtype == np.uint32
    assert np.all(np.diff(values.astype(np.int64)) > 0)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("प्रधानमंत्री नरेंद्र मोदी जापान की यात्रा करेंगे",
         ["प्रधानमंत्री", "नरेंद्र", "मोदी", "जापान", "यात्रा", "करेंगे"]),
        ("தமிழ்நாடு அரசு இன்று அறிவித்தது", ["தமிழ்நாடு", "அரசு", "இன்று", "அறிவித்தது"]),
        ("ইউরোপীয় ইউনিয়নের নেতারা বৈঠকে", ["ইউরোপীয়", "ইউনিয়নের", "নেতারা", "বৈঠকে"]),
    ],
)  # fmt: skip
def test_words_keep_their_vowel_signs_in_every_script(text: str, words: list[str]) -> None:
    """A vowel sign is a combining mark, not a letter: read as a word break, no Devanagari,
    Tamil or Bengali word had four letters, and those languages had no words to test."""
    from agents.topic_words import _tokens

    assert _tokens(text) == [w.casefold() for w in words]
    assert unpack(topic_words(text)) is not None


def test_members_stored_without_words_are_read_and_match_by_evidence_alone() -> None:
    g, quake = pooled(OPTIONS)
    values = [state.to_dict() for state in g.states()]
    for value in values:
        for stored in value["members"]:
            del stored["words"]
    restored = Grouper(OPTIONS)
    restored.load(values)
    assert len(restored.words) == 0
    assert restored.assign(member("b", QUAKE_B), B_EVIDENCE, 20.0).event_key == mint_key("b")
    evidence = ["n:malatya", "n:kandilli", "n:monday", "p:cTR", "#:6.1", "n:eastern"]
    assert restored.assign(member("c", QUAKE_A), evidence, 21.0).event_key == quake


def prepared(ident: str, text: str, **carried: str | None) -> Prepared:
    return Prepared(
        id=ident, url=None, source=None, title=ident, text=text, lang="en",
        lang_confidence=0.99, languages=[{"lang": "en", "share": 1.0}], title_disagrees=False,
        published_at=None, word_count=len(text.split()), content_hash=ident,
        boilerplate_removed=[], evidence=B_EVIDENCE, event_time=20.0, **carried,
    )  # fmt: skip


def test_grouping_reads_the_words_prepare_carried_else_takes_them_from_the_text() -> None:
    carried = prepared("b", QUAKE_B, words=topic_words(QUAKE_B), paras=paragraph_prints(QUAKE_B))
    for article in (carried, prepared("b", QUAKE_B)):  # an older writer carries none
        g, quake = pooled(OPTIONS)
        assert g.assign_article(article).event_key == quake
        [state] = [s for s in g.states() if s.event_key == quake]
        [stored] = [m for m in state.members if m.id == "b"]
        assert stored.words == topic_words(QUAKE_B) and stored.paras == paragraph_prints(QUAKE_B)
    # what was carried is what counts: another text's words do not join by these
    g, quake = pooled(OPTIONS)
    other = prepared("b", QUAKE_B, words=topic_words(FILLERS[0]))
    assert g.pair_score(quake, other) == 0.0
    assert g.assign_article(other).event_key == mint_key("b")
    # a malformed value is no words: the member matches by its evidence alone, nothing fails
    g, quake = pooled(OPTIONS)
    assert g.assign_article(prepared("b", QUAKE_B, words="not base64!")).event_key == mint_key("b")


def test_weights_given_by_another_index_are_read_back_and_kept_as_given() -> None:
    """A shard's members are weighed by the coordinator over the whole stream: the weights
    travel packed, are read back only if they fit the words, and are stored as they came."""
    index = WordIndex()
    for n, text in enumerate(FILLERS):
        index.add(f"f{n}", topic_words(text), "en")
    words = topic_words(QUAKE_A)
    weighed = index.weigh(words, "en")
    assert weighed is not None
    given = given_words(words, "en", weighed.packed())
    assert given is not None and np.array_equal(given.hashes, weighed.hashes)
    assert np.allclose(given.weights, weighed.weights, atol=1e-6)
    assert given_words(words, "en", None) is None
    assert given_words(None, "en", weighed.packed()) is None
    assert given_words(words, "en", "not base64!") is None
    assert given_words(topic_words(QUAKE_B), "en", weighed.packed()) is None  # other words
    doubled = (2 * weighed.weights).astype("<f4").tobytes()
    assert given_words(words, "en", base64.b64encode(doubled).decode()) is None  # not a unit
    # kept as given, not weighed again by this index's (empty) frequencies
    shard = WordIndex()
    shard.add("a", words, "en", given)
    assert shard.cosine(given, "a") == pytest.approx(1.0)
    local = WordIndex()
    local.add("a", words, "en")
    assert local.cosine(given, "a") < 0.99
    shard.add("none", words, "en", None)  # no words that weigh: not kept
    assert len(shard) == 1


def test_soft_hyphens_do_not_split_words() -> None:
    text = "Die Sozialversicherungsreform der Regierung kommt im Frühjahr vor den Bundestag."
    hinted = text.replace("Sozialversicherungsreform", "Sozial\xadversicherungs\xadreform")
    assert topic_words(hinted) == topic_words(text)
