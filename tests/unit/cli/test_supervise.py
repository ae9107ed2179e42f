"""Worker subprocesses (cli.supervise): a web port taken before the worker binds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.supervise import PORT_TAKEN, READY_LINE, WorkerProcess


def _script(body: str) -> tuple[str, ...]:
    return ("-c", body)


def test_a_worker_whose_port_was_taken_starts_again_on_another(tmp_path: Path) -> None:
    # the first start finds its port taken; the second (another port) gets ready
    marker = tmp_path / "tried"
    body = (
        "import os, pathlib, sys\n"
        f"m = pathlib.Path({str(marker)!r})\n"
        "if not m.exists():\n"
        "    m.write_text(os.environ['NEWSSTREAM_WEB_PORT'])\n"
        f"    print({PORT_TAKEN!r}, flush=True); sys.exit(1)\n"
        f"print({READY_LINE!r}, flush=True)\n"
        "import time; time.sleep(30)\n"
    )
    worker = WorkerProcess({}, tmp_path / "logs", args=_script(body))
    try:
        worker.start(timeout=30)
        assert worker.starts == 2 and worker.alive()
        assert worker.env_overrides["NEWSSTREAM_WEB_PORT"] != marker.read_text()
    finally:
        worker.stop()


def test_a_worker_that_exits_for_another_reason_is_not_started_again(tmp_path: Path) -> None:
    worker = WorkerProcess(
        {},
        tmp_path / "logs",
        args=_script("print('bad settings', flush=True); raise SystemExit(2)"),
    )
    with pytest.raises(RuntimeError, match="bad settings"):
        worker.start(timeout=30)
    assert worker.starts == 1


def test_a_port_taken_three_times_is_an_error(tmp_path: Path) -> None:
    body = f"import sys; print({PORT_TAKEN!r}, flush=True); sys.exit(1)"
    worker = WorkerProcess({}, tmp_path / "logs", args=_script(body))
    with pytest.raises(RuntimeError, match=PORT_TAKEN):
        worker.start(timeout=30)
    assert worker.starts == 3
