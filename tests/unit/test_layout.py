"""The test suite's own rules: unit tests mirror the modules, and no test module imports another
(shared things live in helper modules and conftest fixtures)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_test_module_imports_another_or_a_conftest() -> None:
    offenders = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in TESTS.rglob("*.py")
        if "data" not in path.relative_to(TESTS).parts
        for name in _imports(path)
        if name.startswith("tests.")
        and (name.rsplit(".", 1)[-1].startswith("test_") or name.endswith(".conftest"))
    }
    assert not offenders, sorted(offenders)


def test_unit_tests_sit_beside_the_package_they_test() -> None:
    """``tests/unit/<package>/test_<module>[_<aspect>].py`` for a module (or a folder, e.g.
    ``deploy/monitoring``) of that package."""
    misplaced = []
    for path in (TESTS / "unit").glob("*/test_*.py"):
        package = path.parent.name
        stem = path.stem.removeprefix("test_")
        modules = {p.stem for p in (ROOT / package).iterdir() if not p.name.startswith("_")}
        extra = {"deploy": {"compose", "image"}}.get(package, set())
        if not any(stem == m or stem.startswith(m + "_") for m in modules | extra):
            misplaced.append(str(path.relative_to(ROOT)))
    assert not misplaced, misplaced
