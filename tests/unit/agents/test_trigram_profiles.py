"""agents/trigram_profiles.py: franc's profiles scored in NumPy rank as pyfranc's own code does."""

from __future__ import annotations

import pytest
from pyfranc import franc

from agents import language, trigram_profiles


def test_it_ranks_flores_bodies_as_pyfranc_does() -> None:
    """Every 40th article of ten FLORES-200 sentences (all 204 languages, all scripts): the
    same two best languages, the same second score."""
    from tools.eval_langid import join_sentences, load_samples
    from tools.flores import DEFAULT

    assert DEFAULT.exists(), f"no {DEFAULT} (tests read ../shared/data/langid)"
    articles = join_sentences(load_samples(str(DEFAULT), None), 10)[::40]
    assert len(articles) > 150
    for article in articles:
        body = language.body_text(article.text)
        reference = [(code, float(score)) for code, score in franc.lang_detect(body)[:2]]
        ours = trigram_profiles.ranked(body, 2)
        assert [code for code, _ in ours] == [code for code, _ in reference], article.lang
        assert [score for _, score in ours] == pytest.approx([s for _, s in reference], abs=1e-12)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "short",
        "12345 67890 !!!",
        "ⵜⴰⵎⴰⵣⵉⵖⵜ ⵜⴰⵏⴰⵡⴰⵢⵜ ⵜⴰⵎⵖⵔⵉⴱⵉⵜ",
        "Alle menslike wesens word vry",
    ],
)
def test_edge_cases_match_pyfranc(text: str) -> None:
    """Too short, no letters, a script one language writes alone, a sentence."""
    reference = [(code, float(score)) for code, score in franc.lang_detect(text)[:2]]
    ours = trigram_profiles.ranked(text, 2)
    assert [code for code, _ in ours] == [code for code, _ in reference]
