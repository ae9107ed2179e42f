"""``newsstream``'s command line: the developer tools only where they are (a checkout)."""

from __future__ import annotations

import pytest

from cli import main


def test_in_a_checkout_bench_and_eval_come_from_tools() -> None:
    tools = main.developer_tools()
    assert tools is not None and tools.__name__ == "tools"
    with pytest.raises(SystemExit) as exc:
        main.main(["eval", "grouping", "--help"])
    assert exc.value.code == 0


@pytest.mark.parametrize("argv", [["bench", "--articles", "10"], ["eval", "grouping", "x.jsonl"]])
def test_an_installed_copy_says_where_the_tools_are(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(main, "developer_tools", lambda: None)
    with pytest.raises(SystemExit) as exc:
        main.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"newsstream {argv[0]} is a developer tool" in err and "tools/" in err


def test_the_wheel_leaves_the_tools_out() -> None:
    """The package list the wheel and the editable install are built from."""
    import tomllib
    from pathlib import Path

    project = tomllib.loads(
        Path(main.__file__)
        .resolve()
        .parents[1]
        .joinpath("pyproject.toml")
        .read_text(encoding="utf-8")
    )
    included = project["tool"]["setuptools"]["packages"]["find"]["include"]
    assert not any(p.startswith("tools") for p in included)
    assert {"streams*", "agents*", "cli*"} <= set(included)
