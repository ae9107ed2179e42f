"""``newsstream process``: the seed case in-process, and one output line per input line."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from cli.main import main
from tests.texts import CENTRAL_BANK, FOOTBALL, SEED_CHROME, body_paragraphs, read_seed


def test_process_gives_the_seed_case(tmp_path: Path) -> None:
    lines = [
        orjson.dumps({"id": "en", **read_seed("en")}),
        orjson.dumps({"id": "de", **read_seed("de")}),
        orjson.dumps({"id": "football", **FOOTBALL}),
        b'{"id": "broken", "text": ',
        orjson.dumps({"id": "bank", **CENTRAL_BANK}),
    ]
    src, out, dead, events = (
        tmp_path / n for n in ("in.jsonl", "out.jsonl", "dead.jsonl", "events.jsonl")
    )
    src.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(SystemExit) as exited:
        main(
            [
                "process",
                str(src),
                "-o",
                str(out),
                "--dead-letters",
                str(dead),
                "--events",
                str(events),
            ]
        )
    assert exited.value.code == 0

    records = {r["id"]: r for r in map(orjson.loads, out.read_bytes().splitlines())}
    assert list(records) == ["en", "de", "football", "bank"]
    assert records["en"]["lang"] == "en" and records["de"]["lang"] == "de"
    assert records["en"]["event_key"] == records["de"]["event_key"]
    assert len({r["event_key"] for r in records.values()}) == 3
    for lang in ("en", "de"):
        text = records[lang]["text"]
        assert all(chrome not in text for chrome in SEED_CHROME[lang])
        assert all(p in text for p in body_paragraphs(read_seed(lang)["text"], lang))

    [letter] = map(orjson.loads, dead.read_bytes().splitlines())
    assert letter["line"] == 4 and "not valid JSON" in letter["reason"]
    groups = {g["event_key"]: g for g in map(orjson.loads, events.read_bytes().splitlines())}
    assert [m["id"] for m in groups[records["en"]["event_key"]]["members"]] == ["en", "de"]


def test_the_bundled_samples_group_as_their_readme_says(tmp_path: Path) -> None:
    """cli/samples/README.md: five reports of one hydrogen deal (en de fr es ru), four of one
    earthquake (it nl pl pt), and three articles on their own."""
    from importlib.resources import files

    src = tmp_path / "samples.jsonl"
    src.write_text(files("cli").joinpath("samples/articles.jsonl").read_text(encoding="utf-8"))
    out = tmp_path / "out.jsonl"
    with pytest.raises(SystemExit) as exited:
        main(["process", str(src), "-o", str(out)])
    assert exited.value.code == 0
    records = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    by_key: dict[str, set[str]] = {}
    for record in records:
        by_key.setdefault(record["event_key"], set()).add(record["lang"])
    groups = sorted(by_key.values(), key=len, reverse=True)
    assert groups[0] == {"en", "de", "fr", "es", "ru"}
    assert groups[1] == {"it", "nl", "pl", "pt"}
    assert len(groups) == 5
    russian = next(r for r in records if r["lang"] == "ru")
    assert "Подписывайтесь на наш канал в Telegram" in russian["boilerplate_removed"]
