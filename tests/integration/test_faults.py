"""Crashes against the real broker: the short version of ``python -m cli.chaos kill`` (bounded).

The ``broker`` (restart mid-feed) and ``pair`` (two workers, one SIGKILLed) scenarios of
``cli.chaos`` do not pass yet and are not run here (see the report to the lead).

Each test runs a broker of its own (it stops and restarts it, or the workers, at will) and
checks that nothing is lost on ``news.enriched``, that the event groups are those of an
uninterrupted run and list each member once, and that any record published twice is the same
record (same id, same event key): the at-least-once fallback of issue #6. Exactly once on
``news.enriched`` is not reached yet under SIGKILL (a few ids in 2,000 come twice; see
``streams.app.SourcePartitionTransactions``): ``report.exactly_once`` says whether it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.chaos import Report, run_scenario

pytestmark = pytest.mark.integration


def _check(report: Report) -> None:
    text = "\n".join(report.lines())
    assert report.fed > 0 and report.actions, text
    assert not report.missing, text
    assert not report.inconsistent, text
    assert report.distinct_ids == report.fed, text
    assert report.enriched_records >= report.fed, text
    assert not report.groups_with_repeated_members, text
    assert report.groups_differing == 0, text


@pytest.mark.timeout(300)
def test_sigkill_during_a_feed_loses_nothing_at_least_once(tmp_path: Path) -> None:
    """The default guarantee: nothing lost, groups as without the kills, and any record
    published twice is the same record (same id, same event key)."""
    report = run_scenario(
        "kill",
        articles=2_000,
        kills=2,
        feed_seconds=20.0,
        seed=6,
        timeout=150.0,
        root=tmp_path,
        guarantee="at_least_once",
    )
    assert len([a for a in report.actions if a.startswith("SIGKILL")]) == 2
    _check(report)
