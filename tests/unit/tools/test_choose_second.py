"""Choosing Lingua's languages: the simulation, the backward elimination, the dev halves."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tools.choose_second import (
    DevText,
    Restricted,
    Simulation,
    choose,
    excess,
    load_dev,
    score,
)

#: text -> (fastText's leader, the candidates, Lingua's confidences)
RULES: dict[str, tuple[str, list[str], dict[str, float]]] = {
    # b leads; Lingua, with a enabled, rightly picks a
    "t1": ("b", ["a", "b"], {"a": 0.9, "b": 0.1}),
    # b leads and is right; Lingua, with c enabled, wrongly picks c
    "t2": ("b", ["b", "c"], {"b": 0.2, "c": 0.8}),
    # e leads, a language Lingua does not know: never asked
    "t3": ("e", ["e", "a"], {}),
}


class FakeLingua:
    """Knows a, b, c, d; its confidences come from :data:`RULES`."""

    def __init__(self) -> None:
        self.calls = 0

    def knows(self, label: str) -> bool:
        return label in {"a", "b", "c", "d"}

    def scores(self, text: str, candidates: Sequence[str]) -> dict[str, float]:
        self.calls += 1
        known = [c for c in candidates if self.knows(c)]
        if len(known) < 2:
            return {}
        return {c: RULES[text][2][c] for c in known}


def decide(text: str, second: Any) -> str:
    """What the stage does, in small: the leader unless Lingua may re-rank."""
    leader, candidates, _ = RULES[text]
    if second is None or not second.knows(leader):
        return leader
    scores = second.scores(text, candidates)
    return max(scores, key=scores.__getitem__) if scores else leader


TEXTS = [
    DevText("t1", "a", "flores", "sentences", 0),
    DevText("t2", "b", "flores", "sentences", 1),
    DevText("t3", "e", "lingua", "single-words", 2),
]


def simulation() -> Simulation:
    return Simulation(TEXTS, {"a", "b", "c", "d"}, decide, FakeLingua())


def test_a_text_touches_the_leader_and_the_candidates_lingua_knows() -> None:
    sim = simulation()
    assert sim.touch == [frozenset({"a", "b"}), frozenset({"b", "c"}), frozenset()]
    assert sim.right(0, frozenset({"a", "b"})) and not sim.right(0, frozenset({"b"}))
    assert not sim.right(1, frozenset({"b", "c", "d"})) and sim.right(1, frozenset({"b", "d"}))
    assert sim.right(2, frozenset())


def test_a_language_is_kept_only_if_it_makes_texts_right_net() -> None:
    sim = simulation()
    chosen, gains = choose(sim, range(3))
    assert chosen == {"a", "b"}  # c costs t2, d touches nothing
    assert gains == {"a": (1, 0), "b": (1, 0)}
    assert choose(sim, range(3), z=1.0)[0] == frozenset()


def test_the_choice_uses_only_the_texts_it_is_given() -> None:
    sim = simulation()
    assert choose(sim, [1])[0] == frozenset()  # t1 alone needs a (and b): not in this half
    assert choose(sim, [0])[0] == {"a", "b"}


def test_decisions_are_cached_per_enabled_languages_touched() -> None:
    lingua = FakeLingua()
    sim = Simulation(TEXTS, {"a", "b", "c", "d"}, decide, lingua)
    calls = lingua.calls
    sim.right(0, frozenset({"a", "b", "d"}))  # touches a, b: as with everything, cached
    assert lingua.calls == calls


def test_restricted_asks_only_about_the_enabled_languages() -> None:
    restricted = Restricted(FakeLingua(), {"a", "b"})
    assert restricted.knows("a") and not restricted.knows("c") and not restricted.knows("e")
    assert restricted.scores("t1", ["a", "b", "c"]) == {"a": 0.9, "b": 0.1}


def test_scores_count_groups_and_languages_below_lid176() -> None:
    sim = simulation()
    result = score(sim, frozenset({"a", "b", "c"}), range(3), [False, True, True])
    assert result["groups"]["flores"] == {"n": 2, "ours": 0.5, "lid176": 0.5}
    assert result["groups"]["lingua single-words"]["ours"] == 1.0
    assert result["below_lid176"] == ["flores:b"]


def test_dev_halves_follow_the_parity_of_the_sentence_index(tmp_path: Path) -> None:
    flores = tmp_path / "f.jsonl"
    lingua = tmp_path / "l.jsonl"
    flores.write_text(
        "\n".join(
            json.dumps({"text": f"s{i}", "lang": "sr-Cyrl", "source": f"flores200-dev/srp/{i}"})
            for i in range(3)
        )
        + "\n"
        + json.dumps({"text": "x", "lang": "xx", "source": "flores200-dev/xx/0"})
    )
    lingua.write_text(
        json.dumps({"text": "w", "lang": "de", "granularity": "single-words", "idx": 7})
    )
    texts = load_dev({"flores": flores, "lingua": lingua}, {"hbs", "de"})
    assert [(t.lang, t.half, t.group) for t in texts] == [
        ("hbs", 0, "flores"),
        ("hbs", 1, "flores"),
        ("hbs", 0, "flores"),
        ("de", 1, "lingua single-words"),
    ]


def test_a_gain_must_exceed_chance_flips_by_z_deviations() -> None:
    assert excess(10, 6, 0.0) == 4
    assert excess(10, 6, 1.0) == 0  # 4 - sqrt(16)
    assert excess(30, 0, 2.0) > 0 > excess(3, 0, 2.0)
