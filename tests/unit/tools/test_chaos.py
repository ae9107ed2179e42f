"""The chaos runs' synthetic stories: one event each, sharing nothing but their template."""

from __future__ import annotations

import re
from collections import defaultdict

from agents.evidence import normalise_name
from tools.chaos import story_of, synthetic_articles


def test_stories_share_no_name_word_and_no_number() -> None:
    docs = synthetic_articles(2_500, 2, "run", seed=3)
    assert len(docs) == 5_000 and len({d["id"] for d in docs}) == 5_000
    owners: dict[str, set[str]] = defaultdict(set)
    for doc in docs:
        words = re.findall(r"[A-Z][a-z]{5,}", doc["title"])
        numbers = re.findall(r"\d{4,}", doc["title"])
        assert len(words) == 4 and len(numbers) == 1, doc["title"]  # two full names, a number
        for key in [normalise_name(word, "en") for word in words] + numbers:
            owners[key].add(story_of(doc["id"]))
    assert all(len(stories) == 1 for stories in owners.values())
    assert synthetic_articles(10, 2, "run", seed=3) == synthetic_articles(10, 2, "run", seed=3)
