"""streams.memory: the freed heap handed back."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from streams.memory import (
    built_apart,
    free_blocks,
    occupy_free_blocks,
    passed_multiple,
    release_free_memory,
)
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


#: pymalloc's pools: 16 KiB (Python 3.10+ on 64-bit), aligned.
_POOL_BITS = 14


def _free_bytes() -> int:
    return sum(size * count for size, count in free_blocks().items())


def test_free_blocks_reports_the_holes_left_among_small_objects() -> None:
    # 200,000 floats (24 bytes: the 32-byte blocks), every other one freed: holes in the pools
    # where the kept ones live.
    floats = [float(n) + 0.5 for n in range(200_000)]
    kept = floats[::2]
    del floats
    blocks = free_blocks()
    assert all(size % 8 == 0 and 0 < size <= 512 for size in blocks)
    assert blocks.get(32, 0) >= 90_000
    # new small objects go into those holes, among the kept ones
    pools = {id(value) >> _POOL_BITS for value in kept}
    fresh = [float(n) + 0.25 for n in range(1_000)]
    assert sum(id(value) >> _POOL_BITS in pools for value in fresh) > 900


def test_occupy_free_blocks_takes_every_hole() -> None:
    floats = [float(n) + 0.5 for n in range(200_000)]
    kept = floats[::2]
    del floats
    holes = _free_bytes()
    assert holes >= 90_000 * 32
    taken = occupy_free_blocks()
    assert taken >= holes - 64 * 1024  # what the call's own objects used and freed aside
    assert _free_bytes() < holes / 10
    # new small objects now go to pools of their own: not among the kept ones (but for the
    # floats Python keeps for reuse: up to 100 freed ones)
    pools = {id(value) >> _POOL_BITS for value in kept}
    fresh = [float(n) + 0.25 for n in range(1_000)]
    assert sum(id(value) >> _POOL_BITS in pools for value in fresh) <= 150
    assert len(kept) == 100_000


def _every_other_float() -> list[float]:
    floats = [float(n) + 0.5 for n in range(200_000)]
    return floats[::2]


def test_built_apart_hands_over_what_a_child_built() -> None:
    assert built_apart(os.getpid) != os.getpid()
    assert built_apart(lambda: {"key": [1, 2.5, "three"]}) == {"key": [1, 2.5, "three"]}


def test_built_apart_leaves_no_holes_where_building_here_does() -> None:
    occupy_free_blocks()  # whatever earlier tests left
    before = _free_bytes()
    kept = built_apart(_every_other_float)
    assert len(kept) == 100_000 and kept[1] == 2.5
    assert _free_bytes() - before < 100_000 * 32 / 10
    here = _every_other_float()
    assert _free_bytes() - before >= 90_000 * 32
    assert len(here) == 100_000


def test_built_apart_builds_here_when_the_child_fails() -> None:
    parent = os.getpid()

    def build() -> int:
        if os.getpid() != parent:
            raise RuntimeError("only in the child")
        return parent

    assert built_apart(build) == parent


@pytest.mark.parametrize(
    ("before", "after", "every", "passed"),
    [
        (0, 16, 500, False),
        (496, 512, 500, True),
        (500, 516, 500, False),
        (990, 1010, 500, True),
        (0, 1500, 500, True),  # several multiples at once: one trim
        (3, 7, 0, False),  # 0 or less: never
        (3, 7, -5, False),
    ],
)
def test_passed_multiple(before: int, after: int, every: int, passed: bool) -> None:
    assert passed_multiple(before, after, every) is passed


_TUNED = textwrap.dedent(
    """
    import ctypes, os, sys
    from streams.memory import tune_allocator
    from tools.procfs import field_mb

    def rss():
        return field_mb(os.getpid(), "status", "VmRSS")

    # glibc raises its mmap threshold to the size of a freed mmapped block: afterwards
    # blocks of that size come from the heap, whose pages stay once freed (unless tuned)
    tuned = sys.argv[1] == "tuned"
    if tuned:
        assert tune_allocator()
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = (ctypes.c_size_t,)
    libc.free.argtypes = (ctypes.c_void_p,)
    libc.free(libc.malloc(24 << 20))
    held = [bytearray(4 << 20) for _ in range(8)]
    held.append(bytearray(64))  # keeps the heap's top in use, as a live process does
    before = rss()
    del held[:8]
    print(before - rss())
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc")
def test_tune_allocator_gives_large_freed_blocks_back() -> None:
    def given_back(mode: str) -> float:
        root = Path(__file__).resolve().parents[3]
        env = {**os.environ, "PYTHONPATH": str(root)}
        out = subprocess.run(
            [sys.executable, "-c", _TUNED, mode],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        return float(out.stdout)

    assert given_back("tuned") > 30  # of the 32 MiB freed
    assert given_back("default") < 8
