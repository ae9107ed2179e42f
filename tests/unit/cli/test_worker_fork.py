"""``newsstream worker --processes N`` (cli.worker.run_forked): N workers forked from one
process, each with its own settings, stopped together. The workers here are a stand-in that
records its settings and waits for SIGTERM; the models are not loaded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli.worker import process_settings
from streams.settings import Settings

#: run_forked in a process of its own (it forks and handles signals), with a stand-in worker.
_SCRIPT = """
import os, signal, sys, time
from pathlib import Path
from cli import worker
from streams.settings import Settings

out = Path(sys.argv[1])
fail = int(sys.argv[2])

def target(settings):
    number = settings.web_port - 7000
    (out / f"worker-{number}").write_text(f"{os.getpid()} {settings.data_dir}")
    if number == fail:
        time.sleep(0.5)
        sys.exit(3)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(0.1)

settings = Settings(web_port=7001, data_dir=out / "data")
code = worker.run_forked(settings, 3, target, load=lambda s: 0.0)
(out / "parent").write_text(str(code))
sys.exit(code)
"""


def _start(tmp_path: Path, fail: int = 0) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", _SCRIPT, str(tmp_path), str(fail)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _workers(tmp_path: Path, count: int, timeout: float = 20.0) -> dict[str, list[str]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = {p.name: p.read_text().split() for p in tmp_path.glob("worker-*")}
        if len(found) == count and all(found.values()):
            return found
        time.sleep(0.05)
    raise AssertionError(f"workers did not start: {sorted(found)}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by its parent) is gone too
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _gone(pids: list[int], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(_alive(pid) for pid in pids):
            return True
        time.sleep(0.05)
    return False


def test_each_process_has_its_own_web_port_and_data_dir() -> None:
    base = Settings(web_port=6066, data_dir=Path("/var/lib/newsstream"))
    second = process_settings(base, 2)
    assert (second.web_port, second.data_dir) == (6067, Path("/var/lib/newsstream/process-2"))
    assert process_settings(base, 1).web_port == 6066
    assert second.app_id == base.app_id  # one consumer group


def test_sigterm_to_the_parent_stops_every_worker(tmp_path: Path) -> None:
    parent = _start(tmp_path)
    try:
        workers = _workers(tmp_path, 3)
        pids = [int(pid) for pid, _ in workers.values()]
        assert len(set(pids)) == 3 and parent.pid not in pids
        assert {data for _, data in workers.values()} == {
            str(tmp_path / "data" / f"process-{n}") for n in (1, 2, 3)
        }
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(20) == 0, parent.stdout.read() if parent.stdout else ""
        assert _gone(pids)
    finally:
        parent.kill()
        parent.wait()


def test_a_worker_that_fails_stops_the_others_and_the_parent_exits_with_its_code(
    tmp_path: Path,
) -> None:
    parent = _start(tmp_path, fail=2)
    try:
        workers = _workers(tmp_path, 3)
        assert parent.wait(20) == 3
        assert (tmp_path / "parent").read_text() == "3"
        assert _gone([int(pid) for pid, _ in workers.values()])
    finally:
        parent.kill()
        parent.wait()


def test_a_killed_worker_stops_the_others(tmp_path: Path) -> None:
    parent = _start(tmp_path)
    try:
        workers = _workers(tmp_path, 3)
        pids = [int(pid) for pid, _ in workers.values()]
        os.kill(pids[0], signal.SIGKILL)
        assert parent.wait(20) == 128 + signal.SIGKILL
        assert _gone(pids)
    finally:
        parent.kill()
        parent.wait()


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
def test_the_workers_of_a_killed_parent_stop(tmp_path: Path) -> None:
    parent = _start(tmp_path)
    try:
        workers = _workers(tmp_path, 3)
        parent.kill()
        parent.wait()
        assert _gone([int(pid) for pid, _ in workers.values()])
    finally:
        parent.kill()
        parent.wait()
