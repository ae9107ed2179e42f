"""tools.bench_recovery reads the worker's own log lines: kept in step with their formats."""

from __future__ import annotations

from datetime import datetime

from tools.bench_recovery import BULK, RESTORED, _stamp


def test_the_restore_lines_as_the_worker_logs_them_are_read() -> None:
    grouping = "grouping: %d open events (%d articles) restored from the table in %.1f s"
    found = RESTORED.search(grouping % (598646, 1000000, 32.9))
    assert found is not None
    assert found.groups() == ("598646", "1000000", "32.9")
    bulk = "restore: %s[%d]: %d changelog records (offsets %d-%d) written in %.1f s"
    line = bulk % ("app-events-changelog", 0, 53464, 0, 53463, 1.0)
    found = BULK.search(line)
    assert found is not None
    assert found.groups() == ("53464", "1.0")


def test_a_log_line_s_time_stamp_is_local_time() -> None:
    log = "[2026-12-05 02:23:26,684] [31759] [INFO] first\n[2026-12-05 02:23:27,426] [1] [INFO] x"
    expected = datetime(2026, 12, 5, 2, 23, 27, 426000).timestamp()
    assert _stamp(log, "x") == expected
    assert _stamp(log, "absent") is None
