"""Prometheus metrics newsstream exposes on the worker's ``/metrics`` page (with Faust's own).

Declarations only: the agents count, the worker serves. Labels are bounded: ``stage`` is a
stage name, ``reason`` a dead letter's reason up to its first colon with digits as ``N``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

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
OPEN_ARTICLES = Gauge("newsstream_open_articles", "Articles of the open events (grouping stage).")
RECOVERY_SECONDS = Gauge(
    "newsstream_grouping_recovery_seconds",
    "How long the last rebuild of the grouping index from the events table took.",
)
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
END_TO_END_SECONDS = Histogram(
    "newsstream_end_to_end_seconds",
    "From a news.raw record's timestamp to its enriched record being sent.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0),
)
BUILD_INFO = Gauge(
    "newsstream_build_info",
    "Always 1: the versions this worker runs, as labels.",
    ["version", "python", "faust", "aiokafka"],
)
STALLED_PARTITIONS = Gauge(
    "newsstream_stalled_partitions",
    "Assigned partitions with lag whose committed offset has not moved for the stall time.",
)
GROUPING_ROUND_SECONDS = Histogram(
    "newsstream_grouping_round_seconds",
    "Sharded grouping: from a round's probes going out to its last bid in.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
GROUPING_BIDS = Counter(
    "newsstream_grouping_bids_total",
    "Sharded grouping: bids received by the coordinator's process, by outcome (used; stale: "
    "of no round waiting; repeated: a bid the round had).",
    ["outcome"],
)
GROUPING_PROBES_RESENT = Counter(
    "newsstream_grouping_probes_resent_total",
    "Sharded grouping: probes sent again because their bids were late.",
)

_DIGITS = re.compile(r"\d+")
#: The header that carries a ``news.raw`` record's timestamp (ms) through ``news.prepared``.
RAW_TIMESTAMP_HEADER = "newsstream-raw-timestamp-ms"


def build_info() -> None:
    """Set ``newsstream_build_info`` for this process's versions."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    def of(package: str) -> str:
        try:
            return version(package)
        except PackageNotFoundError:
            return "unknown"

    BUILD_INFO.labels(
        of("newsstream"), platform.python_version(), of("faust-streaming"), of("aiokafka")
    ).set(1)


def raw_timestamp_ms(
    headers: Mapping[str, bytes] | Iterable[tuple[str, bytes]] | None,
) -> int | None:
    """The ``news.raw`` timestamp a ``news.prepared`` record carries in its headers (a list
    of (key, value) pairs or a mapping), or None."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers or ()
    for key, value in pairs:
        if key == RAW_TIMESTAMP_HEADER and value:
            try:
                return int(value)
            except ValueError:
                return None
    return None


def reason_label(reason: str) -> str:
    """A bounded label for a dead letter's reason (its text up to the first colon)."""
    return _DIGITS.sub("N", reason.split(":", 1)[0])[:80]
