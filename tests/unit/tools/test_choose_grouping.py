"""choose_grouping: the grid, and leave one set out (which point each held-out file gets)."""

from __future__ import annotations

import pytest

from tools.choose_grouping import DEFAULT_GRID, label, leave_one_out, parse_grid, points


def test_the_grid_is_every_combination_of_the_values_given() -> None:
    grid = parse_grid(["event_tight_min_shared=0.4,0.6", "event_merge_min_score=0.65"])
    assert grid == {"event_tight_min_shared": (0.4, 0.6), "event_merge_min_score": (0.65,)}
    assert [label(p) for p in points(grid)] == [
        "tight_min_shared=0.4 merge_min_score=0.65",
        "tight_min_shared=0.6 merge_min_score=0.65",
    ]
    assert parse_grid(None) == DEFAULT_GRID


@pytest.mark.parametrize("item", ["window_seconds=1", "event_min_shared=", "nonsense"])
def test_only_grouping_settings_with_values_make_a_grid(item: str) -> None:
    with pytest.raises(ValueError):
        parse_grid([item])


def test_each_file_is_scored_at_the_point_best_on_the_others() -> None:
    """Point "b" is best on average, but only thanks to file x: held out, x gets the point
    the others prefer ("a"), and its held-out F1 is its F1 there, not its best."""
    table = {
        "x": {"default": 0.5, "default_key": "a", "grid": {"a": 0.5, "b": 1.0}},
        "y": {"default": 0.9, "default_key": "a", "grid": {"a": 0.9, "b": 0.85}},
        "z": {"default": 0.9, "default_key": "a", "grid": {"a": 0.9, "b": 0.85}},
    }
    result = leave_one_out(table)
    assert result["held_out"]["x"] == {"default": 0.5, "chosen": "a", "held_out": 0.5}
    assert result["held_out"]["y"]["chosen"] == "b"  # x and z: b 0.925, a 0.7
    assert result["held_out"]["y"]["held_out"] == 0.85
    assert result["best"] == "b"
    assert result["mean_held_out"] == pytest.approx((0.5 + 0.85 + 0.85) / 3)
