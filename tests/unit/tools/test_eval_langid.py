"""The langid evaluation's calibration table: accuracy per confidence bin."""

from types import SimpleNamespace

from tools.eval_langid import Sample, _calibration


def test_calibration_counts_each_label_in_its_confidence_bin() -> None:
    samples = [Sample("a", "en", "w"), Sample("b", "de", "w"), Sample("c", "fr", "w")]
    decisions = [
        SimpleNamespace(lang="en", confidence=0.95),  # right, top bin
        SimpleNamespace(lang="nl", confidence=0.3),  # wrong, second bin
        SimpleNamespace(lang="und", confidence=0.0),  # no label: not in any bin
    ]
    rows = {row["from"]: row for row in _calibration(samples, decisions)}
    assert (rows[0.9]["n"], rows[0.9]["accuracy"]) == (1, 1.0)
    assert (rows[0.25]["n"], rows[0.25]["accuracy"]) == (1, 0.0)
    assert rows[0.0]["n"] == rows[0.5]["n"] == rows[0.75]["n"] == 0
    assert rows[0.0]["accuracy"] is None


def test_gold_codes_are_read_as_the_stage_reports_them() -> None:
    from tools.eval_langid import gold_code

    assert [gold_code(c) for c in ("sr-Cyrl", "zh-Hant", "nb", "kmr", "id", "ks-Deva")] == [
        "hbs",
        "zh",
        "no",
        "ku",
        "ms",
        "ks",
    ]


def test_articles_join_consecutive_sentences_of_one_language() -> None:
    from tools.eval_langid import Sample, join_sentences

    samples = [Sample(f"{lang}{i}", lang, "sentences") for lang in ("de", "fi") for i in range(25)]
    articles = join_sentences(samples, 10)
    assert [a.lang for a in articles] == ["de", "de", "fi", "fi"]
    assert articles[1].text.split("\n") == [f"de{i}" for i in range(10, 20)]


def test_sentences_are_cut_to_a_word_pair_or_a_long_word_at_a_moving_place() -> None:
    from tools.eval_langid import cut_sentences

    samples = [
        Sample("The quick brown fox jumps over the lazy dog.", "en", "sentences"),
        Sample("Der schnelle braune Fuchs springt über den Hund.", "de", "sentences"),
        Sample("政府宣布了新的措施", "zh", "sentences"),  # no spaces: no cut
        Sample("the weather", "en", "word-pairs"),  # not a sentence
    ]
    pairs = cut_sentences(samples, "word-pairs")
    assert pairs == [
        Sample("The quick", "en", "word-pairs"),  # sentence 0: word 0
        Sample("schnelle braune", "de", "word-pairs"),  # sentence 1 of 8 words: word 7 mod 6
    ]
    words = cut_sentences(samples, "single-words")
    assert words == [
        Sample("quick", "en", "single-words"),  # the long words' 0th
        Sample("springt", "de", "single-words"),  # of its 4 long words, the 3 mod 4-th
    ]
