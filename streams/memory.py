"""The process's freed heap given back to the system (glibc's ``malloc_trim``), and the holes
of Python's small-object heap filled before a fork (:func:`occupy_free_blocks`).

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
import logging
import os
import pickle
import re
import sys
import tempfile
import time
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The prepare and grouping agents give their freed heap back every this many articles.
TRIM_EVERY = 500
#: glibc's ``mallopt`` parameters (``malloc.h``).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: A forked worker's allocator (:func:`tune_allocator`): blocks of at least this many bytes
#: get pages of their own, given back when freed; free memory above this at the top of the
#: heap goes back at once.
WORKER_MMAP_THRESHOLD = 1024 * 1024
WORKER_TRIM_THRESHOLD = 4 * 1024 * 1024

#: A size class's line of ``sys._debugmallocstats()``: class, size, pools, blocks in use,
#: available blocks.
_SIZE_CLASS = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$", re.MULTILINE)


def release_free_memory() -> float:
    """``malloc_trim(0)``; returns the seconds it took (0 where there is no glibc)."""
    started = time.perf_counter()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)
    return time.perf_counter() - started


def tune_allocator(
    mmap_threshold: int = WORKER_MMAP_THRESHOLD, trim_threshold: int = WORKER_TRIM_THRESHOLD
) -> bool:
    """Fix glibc's ``M_MMAP_THRESHOLD`` and ``M_TRIM_THRESHOLD`` for this process; returns
    whether glibc took both (False elsewhere than glibc).

    glibc raises its mmap threshold to the size of each mmapped block freed (up to 32 MiB),
    so after a large transient buffer (a fetch response, a large record) the next ones are
    carved out of the heap, and their pages stay resident once freed. Fixed values keep large
    blocks in pages of their own and give back the heap's free top above ``trim_threshold``."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.restype = ctypes.c_int
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(_M_MMAP_THRESHOLD, mmap_threshold)) and bool(
        mallopt(_M_TRIM_THRESHOLD, trim_threshold)
    )


def passed_multiple(before: int, after: int, every: int) -> bool:
    """Whether a count that went from ``before`` to ``after`` passed a multiple of ``every``
    (``every`` <= 0: never)."""
    return every > 0 and after // every > before // every


def free_blocks() -> dict[int, int]:
    """The free blocks of pymalloc's partly used pools: block size (bytes) -> count, as
    ``sys._debugmallocstats()`` reports them (empty where it reports nothing: not CPython,
    or pymalloc off)."""
    stats = getattr(sys, "_debugmallocstats", None)
    if stats is None:
        return {}
    with tempfile.TemporaryFile() as out:  # it writes to the C stderr: file descriptor 2
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(out.fileno(), 2)
            stats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        text = out.read().decode("ascii", "replace")
    return {int(m[2]): int(m[5]) for m in _SIZE_CLASS.finditer(text) if int(m[5])}


def occupy_free_blocks() -> int:
    """Take every free block of pymalloc's partly used pools, for good; returns the bytes
    taken (0 where :func:`free_blocks` knows none).

    For a process about to fork workers that share its pages copy-on-write. Loading the
    models leaves holes among the objects that stay (the gazetteer reads each locale's data
    and drops it): ~41 MiB free in pools that hold ~75 MiB of live objects. A forked worker's
    first allocations would go into those holes, and each block written copies its whole
    page, the parent's objects on it too: ~70 MiB of copies per worker. With the holes taken,
    a worker's objects go to pools of its own. The blocks are only reserved, never written,
    so the pages that are not resident yet stay so."""
    blocks = free_blocks()
    if not blocks:
        return 0
    malloc = ctypes.pythonapi.PyObject_Malloc
    malloc.restype = ctypes.c_void_p
    malloc.argtypes = (ctypes.c_size_t,)
    taken = 0
    for size, count in blocks.items():
        for _ in range(count):
            malloc(size)
        taken += size * count
    return taken


def built_apart(build: Callable[[], T]) -> T:
    """``build()``'s result, built in a forked child and handed over pickled, so that none of
    the build's temporaries ever lived in this process's heap (built here, as a plain call,
    where the child fails or there is no ``fork``).

    Python's small-object heap does not move objects: a build that reads much more than it
    keeps (the gazetteer reads GeoNames' cities and CLDR's locales, ~39 MiB of holes left
    among the ~100 MiB it keeps) leaves its survivors scattered over pages that stay resident.
    Unpickled here, the result is laid out compactly. For a process that forks workers
    (``newsstream worker --processes``), which share those pages and would otherwise fill the
    holes, copying each page they write to."""
    fork = getattr(os, "fork", None)
    if fork is None:
        return build()
    readable, writable = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = fork()
    if pid == 0:  # the child: build, send, exit without running the parent's clean-ups
        code = 1
        try:
            os.close(readable)
            with os.fdopen(writable, "wb") as out:
                pickle.dump(build(), out, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(writable)
    with os.fdopen(readable, "rb") as received:
        data = received.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not data:
        log.warning("memory: building apart failed (exit status %d); building here", status)
        return build()
    result: T = pickle.loads(data)
    return result
