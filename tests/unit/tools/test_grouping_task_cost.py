from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tools import grouping_task_cost

DOCS = [
    ("en-1", "Norway and Austria sign a hydrogen deal", "Norway and Austria signed a deal on "
     "Thursday in Oslo to build a hydrogen pipeline worth 2.4 billion euros by 2030, said "
     "Stefan Berger, the Austrian minister."),
    ("de-1", "Norwegen und Österreich unterzeichnen Wasserstoffabkommen", "Norwegen und "
     "Österreich haben am Donnerstag in Oslo ein Abkommen über eine Wasserstoffleitung im "
     "Wert von 2,4 Milliarden Euro bis 2030 unterzeichnet, sagte Stefan Berger."),
    ("en-2", "Storm closes schools in Scotland", "Schools across Scotland closed on Monday "
     "as Storm Ellen brought winds of 90 mph to Glasgow and Edinburgh, the Met Office said."),
]  # fmt: skip


def test_both_ways_issue_the_same_keys_and_print_the_ratio(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_bytes(
        b"\n".join(orjson.dumps({"doc_id": i, "title": t, "text": x}) for i, t, x in DOCS)
    )
    assert grouping_task_cost.main([str(path), "--rounds", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("carried ") >= 2 and "ratio" in out
    assert "event keys identical both ways: True" in out
