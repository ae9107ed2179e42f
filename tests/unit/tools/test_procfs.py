"""Reading /proc (tools/procfs.py)."""

from __future__ import annotations

import os
import time

from tools import procfs


def test_this_process_has_memory_cpu_time_and_a_start() -> None:
    pid = os.getpid()
    assert procfs.field_mb(pid, "status", "VmRSS") > 1
    assert (
        0 < procfs.field_mb(pid, "smaps_rollup", "Pss") <= procfs.field_mb(pid, "status", "VmHWM")
    )
    began = procfs.cpu_seconds(pid)
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:
        pass
    assert procfs.cpu_seconds(pid) > began
    assert 0 < procfs.start_ticks(os.getppid()) <= procfs.start_ticks(pid)


def test_an_unknown_process_reads_as_zero() -> None:
    gone = 2**22 + 1  # above the kernel's pid_max
    assert procfs.field_mb(gone, "status", "VmRSS") == 0.0
    assert procfs.field_mb(None, "status", "VmRSS") == 0.0
    assert procfs.stat_fields(gone) == [] and procfs.cpu_seconds(gone) == 0.0
    assert procfs.start_ticks(gone) == 0
