"""Crashes against the real broker: short versions of ``python -m tools.chaos`` (bounded).

``kill`` (SIGKILLs of the worker mid-feed), ``broker`` (the broker stopped and started again
mid-feed; the worker is left alone and must recover by itself) and ``pair`` (a second worker
joins mid-feed, then the worker running the grouping stage is SIGKILLed and the other takes
its partitions and the grouping state: the test of issue #5 that the grouping stays correct
when partitions move).

Each test runs a broker of its own (it stops and restarts it, or the workers, at will) and
checks that nothing is lost on ``news.enriched``, that the event groups are those of an
uninterrupted run and list each member once, and that any record published twice is the same
record (same id, same event key): the at-least-once fallback of issue #6. Exactly once on
``news.enriched`` is not reached under SIGKILL (a few ids in 2,000 come twice; see
``streams.app.SourcePartitionTransactions``): ``report.exactly_once`` says whether it was.

``pair`` lost 300-700 of 2,000 articles in about one run in four before
``streams.app.RewindingConsumer`` (records Faust discarded during the takeover, then committed
past as a "gap" or never sought back to: faust-streaming #216, #606).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.chaos import Report, run_scenario

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


def _short(scenario: str, root: Path, timeout: float, **more: int) -> Report:
    """The short, at-least-once version of a scenario: 2,000 articles fed over 20 s."""
    return run_scenario(
        scenario,
        articles=2_000,
        feed_seconds=20.0,
        seed=6,
        timeout=timeout,
        root=root,
        guarantee="at_least_once",
        **more,
    )


@pytest.mark.timeout(300)
def test_sigkill_during_a_feed_loses_nothing_at_least_once(tmp_path: Path) -> None:
    """The default guarantee: nothing lost, groups as without the kills, and any record
    published twice is the same record (same id, same event key)."""
    report = _short("kill", tmp_path, timeout=150.0, kills=2)
    assert len([a for a in report.actions if a.startswith("SIGKILL")]) == 2
    _check(report)


@pytest.mark.timeout(180)
def test_broker_restart_during_a_feed_the_worker_recovers_alone(tmp_path: Path) -> None:
    """The broker stops mid-feed and starts again; the worker, left alone, loses nothing."""
    report = _short("broker", tmp_path, timeout=90.0)
    assert report.actions[:2] == [
        "broker stopped",
        "broker started again (the worker was left alone)",
    ]
    _check(report)


@pytest.mark.timeout(180)
def test_one_of_two_workers_killed_the_other_takes_its_partitions(tmp_path: Path) -> None:
    """1 -> 2 workers mid-feed, then the grouping worker is SIGKILLed: nothing lost, and the
    groups (whose state moved with the partition) are those of an uninterrupted run."""
    report = _short("pair", tmp_path, timeout=90.0)
    assert any(a.startswith("second worker started") for a in report.actions)
    # the worker that groups takes fewer of the 8 news.raw partitions (streams.assignor)
    assert "news.raw partitions: 2 on the grouping worker, 6 on the other" in report.actions
    assert any(a.startswith("SIGKILL worker") for a in report.actions)
    _check(report)
