"""The ``translation_of`` score of ``eval grouping`` (no model: the relation is given)."""

from __future__ import annotations

import pytest

from tools.eval_grouping import COPY, Doc, Grouped, score_copies, score_translations, with_copies

GOLD = {"a-en": "1", "a-de": "1", "a-fr": "1", "b-en": "2", "b-de": "2", "c-en": "3"}
LANG = {doc: doc[2:] for doc in GOLD}


def test_a_right_link_after_its_original_counts_for_precision_and_recall() -> None:
    order = ["a-en", "a-de", "b-en", "b-de", "c-en"]
    links: dict[str, str | None] = {"a-de": "a-en", "b-de": "b-en"}
    result = score_translations(order, links, GOLD, LANG)
    assert (result["links"], result["right"], result["owed"]) == (2, 2, 2)
    assert result["precision"] == result["recall"] == 1.0
    assert result["recall_by_language"] == {"de": 1.0}


def test_a_link_to_another_story_is_wrong_and_a_missing_one_is_missed() -> None:
    order = ["a-en", "b-en", "a-de", "b-de", "a-fr"]
    links: dict[str, str | None] = {"a-de": "b-en", "a-fr": "a-de"}
    result = score_translations(order, links, GOLD, LANG)
    assert (result["links"], result["right"], result["owed"]) == (2, 1, 3)
    assert result["precision"] == pytest.approx(0.5)
    assert result["recall"] == pytest.approx(1 / 3)
    assert result["recall_by_language"] == {"de": 0.0, "fr": 1.0}


def test_nothing_is_owed_to_the_first_of_a_group_or_to_a_same_language_copy() -> None:
    gold = {"x-en": "1", "y-en": "1"}
    result = score_translations(["x-en", "y-en"], {}, gold, {"x-en": "en", "y-en": "en"})
    assert (result["owed"], result["links"], result["recall"], result["precision"]) == (
        0,
        0,
        1.0,
        1.0,
    )


def test_copies_come_after_their_originals_without_their_last_paragraph() -> None:
    docs = [Doc(f"d{i}", "en", f"t{i}", "one\ntwo\nthree", str(i)) for i in range(6)]
    out = with_copies(docs, 2, seed=1)
    assert len(out) == 9
    for original in docs[::2]:
        copy = next(d for d in out if d.doc_id == original.doc_id + COPY)
        assert out.index(copy) > out.index(original)
        assert (copy.text, copy.group, copy.title) == ("one\ntwo", original.group, original.title)


def test_a_copy_is_scored_by_the_link_to_its_original_and_its_event() -> None:
    grouped = Grouped(
        pred={"a": "k1", "a#copy": "k1", "b": "k2", "b#copy": "k3", "c": "k4"},
        detected={},
        prepare_seconds=1.0,
        group_seconds=1.0,
        duplicate_of={"a#copy": "a", "b#copy": None, "c": "a"},
    )
    result = score_copies(grouped)
    assert (result["copies"], result["links"], result["right"]) == (2, 2, 1)
    assert result["precision"] == result["recall"] == result["same_event"] == 0.5


def test_a_summary_is_the_title_and_the_first_lines() -> None:
    from tools.eval_grouping import summary

    doc = Doc("d", "en", "Title", "One.\n\nTwo.\nThree.\nFour.", "g")
    assert summary(doc, 2).text == "One.\nTwo."
    assert summary(doc, 2).title == "Title"


def test_site_names_left_counts_the_titles_that_keep_their_sites_name() -> None:
    from tools.eval_grouping import SITES, site_names_left

    docs = [Doc("a", "zh", "标题", "x", "g"), Doc("b", "zh", "标题二", "y", "g")]
    name = SITES["zh"][0]
    left = site_names_left(docs, {"a": f"标题 | {name}", "b": "标题二"})
    assert left == {"zh": [1, 2]}
