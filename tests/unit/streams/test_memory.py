"""streams.memory: the freed heap handed back."""

from __future__ import annotations

import os

from streams.memory import release_free_memory
from tools.procfs import field_mb


def _rss_mib() -> float:
    return field_mb(os.getpid(), "status", "VmRSS")


def test_freed_pages_inside_the_heap_go_back_to_the_system() -> None:
    # 2 KB buffers (past Python's small-object allocator: glibc's heap), every 16th kept, so
    # that the free pages lie between used ones, where free() alone does not return them.
    held = [bytearray(2000) for _ in range(80_000)]  # ~160 MiB
    kept = held[::16]
    del held
    before = _rss_mib()
    assert release_free_memory() >= 0.0
    assert _rss_mib() < before - 50, "malloc_trim gave back less than 50 MiB"
    assert len(kept) == 5_000
