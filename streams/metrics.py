"""Prometheus metrics newsstream exposes on the worker's ``/metrics`` page (with Faust's own).

Declarations only: the agents count, the worker serves. Labels are bounded: ``stage`` is a
stage name, ``reason`` a dead letter's reason up to its first colon with digits as ``N``.
"""

from __future__ import annotations

import re

from prometheus_client import Counter, Gauge, Histogram

ARTICLES = Counter(
    "newsstream_articles_total",
    "Articles through each stage, by outcome (ok, dead_letter).",
    ["stage", "outcome"],
)
DEAD_LETTERS = Counter(
    "newsstream_dead_letters_total",
    "Dead letters by stage and kind of reason.",
    ["stage", "reason"],
)
LANGUAGES = Counter("newsstream_language_total", "Articles by detected language.", ["lang"])
OPEN_EVENTS = Gauge("newsstream_open_events", "Open events held by the grouping stage.")
STAGE_SECONDS = Histogram(
    "newsstream_stage_seconds",
    "Time one article spends in a stage.",
    ["stage"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
CONSUMER_LAG = Gauge(
    "newsstream_consumer_lag",
    "Messages not yet consumed, per assigned partition.",
    ["topic", "partition"],
)
STALLED_PARTITIONS = Gauge(
    "newsstream_stalled_partitions",
    "Assigned partitions with lag whose committed offset has not moved for the stall time.",
)

_DIGITS = re.compile(r"\d+")


def reason_label(reason: str) -> str:
    """A bounded label for a dead letter's reason (its text up to the first colon)."""
    return _DIGITS.sub("N", reason.split(":", 1)[0])[:80]
