"""Prepared articles for grouping tests: only what the grouper reads is set."""

from __future__ import annotations

from streams.records import Prepared


def prepared_article(
    ident: str, evidence: list[str], event_time: float, lang: str = "en"
) -> Prepared:
    """An article on ``news.prepared`` with ``evidence``, at ``event_time``, in ``lang``."""
    return Prepared(
        id=ident,
        url=None,
        source=None,
        title=f"Title {ident}",
        text=f"Text of {ident}.",
        lang=lang,
        lang_confidence=0.99,
        languages=[],
        title_disagrees=False,
        published_at=None,
        word_count=3,
        content_hash=ident,
        boilerplate_removed=[],
        evidence=evidence,
        event_time=event_time,
    )
