"""The bench's memory readings: a process's PSS and the peaks of sampled series."""

from __future__ import annotations

import os

from tools.bench import peak_samples, process_pss_mb, rss_over_feed


def test_the_pss_of_this_process_is_read_and_at_most_its_rss() -> None:
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as handle:
        rss = next(int(line.split()[1]) for line in handle if line.startswith("VmRSS:")) / 1024
    pss = process_pss_mb(os.getpid())
    assert 0 < pss <= rss + 1


def test_an_unknown_process_has_no_pss() -> None:
    assert process_pss_mb(None) == 0.0
    assert process_pss_mb(2**22 + 1) == 0.0  # above Linux's largest pid


def test_the_peak_of_each_process_is_its_largest_sample() -> None:
    series = [(0, [10.0, 30.0]), (5, [20.0, 25.0]), (10, [15.0, 40.0])]
    assert peak_samples(series, 2) == [20.0, 40.0]
    assert peak_samples([], 2) == [0.0, 0.0]


def test_the_series_is_read_at_quarters_of_the_feed() -> None:
    series = [(0, [1.0]), (3, [2.0]), (5, [3.0]), (8, [4.0]), (10, [5.0])]
    assert rss_over_feed(series, 10) == {"25%": [2.0], "50%": [3.0], "75%": [4.0], "100%": [5.0]}
