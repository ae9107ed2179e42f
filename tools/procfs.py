"""What ``/proc`` says of a process: memory fields and CPU time (Linux; 0 when unknown).

Imports nothing but the standard library, so that ``tools.memory`` can read its own process
without the bench's imports inflating the baseline it measures from.
"""

from __future__ import annotations

import os
from pathlib import Path


def field_mb(pid: int | None, name: str, field_name: str) -> float:
    """A memory field (in kB) of ``/proc/PID/<name>`` (``status``: ``VmRSS``, ``VmHWM``,
    ``RssAnon``; ``smaps_rollup``: ``Pss``), in MiB."""
    if pid is None:
        return 0.0
    try:
        text = Path(f"/proc/{pid}/{name}").read_text()
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024.0
    return 0.0


def stat_fields(pid: int | None) -> list[str]:
    """The fields of ``/proc/PID/stat`` after the command name (field 3 of proc(5) first;
    empty when unknown)."""
    if pid is None:
        return []
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of process ``pid`` so far, all its threads."""
    fields = stat_fields(pid)
    if len(fields) < 13:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_ticks(pid: int) -> int:
    """When process ``pid`` started (clock ticks after boot)."""
    fields = stat_fields(pid)
    try:
        return int(fields[19])
    except (IndexError, ValueError):
        return 0
