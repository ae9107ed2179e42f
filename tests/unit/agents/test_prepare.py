"""What the per-article stages share (agents/prepare.py): the word count published on every
enriched record."""

from __future__ import annotations

import pytest

from agents.prepare import word_count


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("The government said on Monday that 2,400 people left.", 9),
        ("l'État a dit aujourd’hui: non", 5),
        # a vowel sign is part of its word, not a break (Hindi was counted twice over)
        ("भारत सरकार ने आज घोषणा की कि प्रधानमंत्री नरेंद्र मोदी अगले सप्ताह जापान जाएंगे।", 14),
        ("தமிழ்நாடு அரசு இன்று அறிவித்தது", 4),
        ("ইউরোপীয় ইউনিয়নের নেতারা বৈঠকে", 4),
        # scripts written without spaces: one word a character
        ("東京都は月曜日に", 8),
    ],
)  # fmt: skip
def test_words_are_counted_with_their_combining_marks(text: str, words: int) -> None:
    assert word_count(text) == words
