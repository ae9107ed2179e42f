"""The process's freed heap given back to the system (glibc's ``malloc_trim``).

glibc keeps the pages of freed memory in its arenas for reuse, so a process's resident set
stays at its high-water mark: after the models are loaded (Lingua decompresses its model files
into buffers it then frees) and as the grouping index replaces its open events' rows and
postings. ``malloc_trim(0)`` returns the free pages at the top of every arena and inside them.
Measured: 81 MiB of a worker's 1,388 MiB after its models loaded (``tools/bench_grouping.py
--with-models`` prints the RSS it leaves). Elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import time

#: The grouping agent gives its freed heap back every this many articles.
TRIM_EVERY = 10_000


def release_free_memory() -> float:
    """``malloc_trim(0)``; returns the seconds it took (0 where there is no glibc)."""
    started = time.perf_counter()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)
    return time.perf_counter() - started
