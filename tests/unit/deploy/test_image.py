"""deploy/Dockerfile, .dockerignore and the locks: the image installs the runtime lock only,
which holds every package the product needs and none of the dev tools, and runs as a numeric
non-root user. (No Docker engine here: the image is not built in the tests.)"""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
DEV_TOOLS = {"pytest", "pytest-timeout", "hypothesis", "mypy", "ruff", "pyyaml"}
#: Nothing declared is left out of the runtime lock.
NOT_INSTALLED: set[str] = set()


def _pins(name: str) -> dict[str, str]:
    """A lock's pins for this interpreter (a pin whose environment marker excludes it is not)."""
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    pins: dict[str, str] = {}
    for line in lines:
        if "==" not in line or line.startswith("#"):
            continue
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate():
            pins[canonicalize_name(requirement.name)] = next(iter(requirement.specifier)).version
    return pins


def _runtime_closure() -> set[str]:
    """The installed distributions newsstream's declared dependencies need, transitively."""
    env = default_environment()
    todo = [Requirement(r) for r in importlib.metadata.requires("newsstream") or []]
    todo = [r for r in todo if r.marker is None or r.marker.evaluate({**env, "extra": ""})]
    seen: set[str] = set()
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in seen or name in NOT_INSTALLED:
            continue
        seen.add(name)
        for spec in importlib.metadata.requires(req.name) or []:
            dep = Requirement(spec)
            extras = ["", *sorted(req.extras)]
            if dep.marker is None or any(dep.marker.evaluate({**env, "extra": e}) for e in extras):
                todo.append(dep)
    return seen


def test_the_runtime_lock_has_no_dev_tools_and_the_locks_do_not_overlap() -> None:
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    assert not DEV_TOOLS & set(runtime)
    assert set(dev) >= DEV_TOOLS
    assert not set(runtime) & set(dev)


def test_the_runtime_lock_holds_what_newsstream_needs() -> None:
    runtime = _pins("requirements.lock")
    assert _runtime_closure() <= set(runtime), sorted(_runtime_closure() - set(runtime))


def test_every_pin_is_what_make_install_installed() -> None:
    for name, version in {**_pins("requirements.lock"), **_pins("requirements-dev.lock")}.items():
        assert importlib.metadata.version(name) == version, name


def test_the_image_installs_the_runtime_lock_only_and_runs_as_a_numeric_user() -> None:
    code = [line for line in DOCKERFILE.splitlines() if not line.lstrip().startswith("#")]
    assert not any("requirements-dev" in line for line in code)
    assert re.search(r"pip install [^\n]*-r requirements\.lock", DOCKERFILE)
    assert re.findall(r"^USER (.+)$", DOCKERFILE, re.M)[-1] == "10001:10001"
    assert "--uid 10001" in DOCKERFILE and "--gid 10001" in DOCKERFILE


def test_dockerignore_lets_in_only_what_the_dockerfile_copies() -> None:
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    rules = [line.strip() for line in ignore if line.strip() and not line.startswith("#")]
    assert rules[0] == "*", "everything is excluded first"
    allowed = {r[1:].rstrip("/") for r in rules if r.startswith("!")}
    copied = {
        source.rstrip("/")
        for line in re.findall(r"^COPY (?!--from)(.+)$", DOCKERFILE, re.M)
        for source in line.split()[:-1]
    }
    assert copied == allowed
    assert not {"tests", "tools", ".venv", "requirements-dev.lock"} & allowed
