"""``python -m tools.install_check [--python PATH]``: does ``pip install`` of newsstream, with
pip's dependency resolution (not the Makefile's ``--no-deps``), give a working install?

In a fresh virtual environment of the given interpreter (Python 3.11 to 3.13), it installs the
checkout with pip resolving every dependency (constrained to ``requirements.lock``'s pins, so
the versions are the tested ones), runs ``pip check``, then ``newsstream process`` on the
bundled samples, and fails unless every sample comes out enriched with a language.
``make test`` runs it with the oldest supported Python (3.11); the suite itself runs on the newest
found (see the Makefile's ``PYTHON``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import orjson

CHECKOUT = Path(__file__).resolve().parents[1]
SAMPLES = CHECKOUT / "cli" / "samples" / "articles.jsonl"
SUPPORTED = ((3, 11), (3, 13))


def _run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        command = " ".join(map(str, args))
        raise SystemExit(f"install check: {command} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def check(python: str, workdir: Path) -> dict[str, object]:
    """Install into a venv of ``python`` under ``workdir`` and process the samples there."""
    version = _run(python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])").strip()
    major, minor = map(int, version.split("."))
    if not SUPPORTED[0] <= (major, minor) <= SUPPORTED[1]:
        raise SystemExit(f"install check: Python {version} is not supported (3.11 to 3.13)")
    venv = workdir / f"venv-{version}"
    began = time.monotonic()
    _run(python, "-m", "venv", venv)
    pip = venv / "bin" / "pip"
    _run(pip, "install", "--quiet", "--upgrade", "pip==26.3")
    _run(pip, "install", "--quiet", "-c", CHECKOUT / "requirements.lock", CHECKOUT)
    _run(pip, "check")
    installed = time.monotonic() - began
    out = workdir / "enriched.jsonl"
    _run(venv / "bin" / "newsstream", "process", SAMPLES, "-o", out, cwd=workdir)
    records = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    samples = [line for line in SAMPLES.read_bytes().splitlines() if line.strip()]
    if len(records) != len(samples) or not all(r.get("lang") for r in records):
        raise SystemExit(f"install check: {len(records)} of {len(samples)} samples enriched")
    return {
        "python": version,
        "install_seconds": round(installed, 1),
        "enriched": len(records),
        "languages": sorted({str(r["lang"]) for r in records}),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.install_check", description=__doc__)
    parser.add_argument("--python", default=sys.executable, help="the interpreter to install for")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsstream-install-") as tmp:
        result = check(args.python, Path(tmp))
    print(
        f"install check: Python {result['python']}: pip install with dependency resolution in "
        f"{result['install_seconds']} s, pip check clean, {result['enriched']} samples enriched "
        f"({', '.join(result['languages'])})"  # type: ignore[arg-type]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
