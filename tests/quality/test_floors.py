"""Quality floors: fast subsets of the dev evaluations (grouping, language, extraction, the
body kept of clean articles, HTML extraction in every script, names across scripts, grouping
in every FLORES-200 language, same-event grouping by one grouper and by 8 shards, every
translated_news file in one stream, grouping with translations delivered in one line or as
RSS items, text delivered as crawlers write it) must score at least the pinned minimums of
``floors.json`` and at most its maximums (the sites where HTML extraction scores below
trafilatura's, the clearly different SemEval pairs joined, the paragraphs HTML extraction
misses), on exactly the data they were pinned on (its digest). A stage that gets worse fails
``make test``; lowering a floor is an explicit change of ``floors.json``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.quality.floors import FLOORS, MEASURES

pytestmark = pytest.mark.quality

PINNED: dict[str, Any] = json.loads(FLOORS.read_text(encoding="utf-8"))


def _at(measured: dict[str, Any], path: str) -> Any:
    value: Any = measured
    for part in path.split("."):
        value = value[part]
    return value


@pytest.mark.parametrize("stage", sorted(MEASURES))
def test_stage_keeps_its_quality_floor(stage: str) -> None:
    pinned = PINNED[stage]
    measured = MEASURES[stage]()
    print(f"\n{stage}: {json.dumps(measured, indent=1)}")
    assert measured["digest"] == pinned["digest"], (
        f"the {stage} floor data changed (digest {measured['digest']}): re-measure with "
        "`python -m tests.quality.floors` and pin the floors anew in a reviewed change"
    )
    below = {
        path: (round(_at(measured, path), 4), floor)
        for path, floor in pinned.get("min", {}).items()
        if _at(measured, path) < floor
    }
    assert not below, f"{stage} below its floor (measured, floor): {below}"
    above = {
        path: (_at(measured, path), ceiling)
        for path, ceiling in pinned.get("max", {}).items()
        if _at(measured, path) > ceiling
    }
    assert not above, f"{stage} above its ceiling (measured, ceiling): {above}"
    for path in pinned.get("none", []):
        assert _at(measured, path) == [], f"{stage}: {path} = {_at(measured, path)}"
