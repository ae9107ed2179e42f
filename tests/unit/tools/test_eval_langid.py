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
