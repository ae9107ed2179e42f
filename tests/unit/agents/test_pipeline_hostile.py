"""Hostile input through the per-article stages and ``newsstream process``, no broker.

Every payload of :mod:`tests.hostile_payloads`, and whatever hypothesis makes up, ends as a
:class:`Prepared` article (whose enriched record serialises) or a :class:`Rejected` with a
reason (whose dead letter serialises), within a time and memory bound per payload.
"""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import asdict
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.deadletters import dead_letter
from agents.grouping import GroupingOptions
from agents.pipeline import Pipeline
from agents.prepare import PrepareOptions
from agents.publish import enriched_record
from agents.validation import FIELDS
from cli.main import main
from streams.records import Prepared, Rejected
from tests.hostile_payloads import PAYLOADS, Payload

OPTIONS = PrepareOptions(max_message_bytes=2_000_000, lang_min_confidence=0.5)
GROUPING = GroupingOptions(window_seconds=72 * 3600.0, min_shared=3.0, min_overlap=0.35)
#: Per payload, on a busy 2-core machine; the slowest (1.9 MB of HTML) takes about 2 s.
SECONDS = 15.0
#: Peak Python heap per payload, on top of the payload itself.
PEAK_BYTES = 400 * 1024 * 1024


@pytest.fixture(scope="module")
def model() -> Pipeline:
    stages = Pipeline.create(OPTIONS, GROUPING)
    stages.warm_up()  # one-off loading is not a payload's time
    return stages


def _run(payload: bytes, model: Pipeline) -> Prepared | Rejected:
    now = time.time()
    [outcome] = model.prepare([(payload, b"key")], now)
    if isinstance(outcome, Rejected):
        assert outcome.reason.strip(), "a dead letter needs a reason"
        assert len(outcome.reason) < 1_000, "a reason must not repeat the payload"
        letter = orjson.loads(orjson.dumps(asdict(dead_letter(outcome, payload, b"key", now))))
        assert letter["reason"] == outcome.reason
    else:
        assert isinstance(outcome, Prepared)
        grouped = model.assign(model.new_grouper(), outcome)
        record = orjson.loads(orjson.dumps(asdict(enriched_record(outcome, grouped, now))))
        assert record["id"] == outcome.id and record["text"].strip()
        assert len(orjson.dumps(record)) <= 2 * OPTIONS.max_message_bytes
    return outcome


@pytest.mark.parametrize("payload", PAYLOADS, ids=[p.name for p in PAYLOADS])
def test_every_hostile_payload_ends_enriched_or_dead_within_bounds(
    payload: Payload, model: Pipeline
) -> None:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        outcome = _run(payload.value, model)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < SECONDS, f"{payload.name} took {elapsed:.1f} s"
    assert peak < PEAK_BYTES + 4 * len(payload.value), f"{payload.name} peaked at {peak} B"
    if payload.outcome == "dead":
        assert isinstance(outcome, Rejected), outcome
        assert payload.reason in outcome.reason
    elif payload.outcome == "enriched":
        assert isinstance(outcome, Prepared), outcome


def test_the_corpus_covers_what_the_issue_lists() -> None:
    names = {p.name for p in PAYLOADS}
    for wanted in (
        "invalid-utf8",
        "truncated-json",
        "json-array",
        "text-int",
        "whitespace-text",
        "1.9MB-prose",
        "nested-html-150k",
        "script-only",
        "nul-in-fields",
        "lone-surrogate-escape",
        "rtl-override",
        "1.9MB-title",
        "url-bad-ipv6",
        "date-month-13",
    ):
        assert wanted in names


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=300),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_DATES = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.floats(min_value=-1e13, max_value=1e13, allow_nan=False),
    st.text(alphabet="0123456789-:TZ+. ", max_size=30),
)
_HTML = st.lists(
    st.sampled_from(
        [
            "<div>",
            "</div>",
            "<p>",
            "</p>",
            "<script>",
            "</script>",
            "<!--",
            "-->",
            "&amp;",
            "&#0;",
            "<br/>",
            "<a href='x'>",
            "</a>",
            "<table><tr><td>",
        ]
    )
    | st.text(max_size=80),
    max_size=60,
).map("".join)


@st.composite
def articles(draw: st.DrawFn) -> dict[str, Any]:
    """News-like objects: mostly the right fields, each sometimes of a wrong type or odd."""
    doc: dict[str, Any] = {}
    for name in FIELDS:
        kind = draw(st.integers(0, 9))
        if kind < 3:
            continue
        if kind == 3:
            doc[name] = draw(_VALUES)
        elif name in ("published_at", "fetched_at"):
            doc[name] = draw(_DATES)
        elif name == "html":
            doc[name] = draw(_HTML)
        else:
            doc[name] = draw(st.text(max_size=400))
    return doc


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=articles())
def test_any_object_ends_enriched_or_dead(doc: dict[str, Any], model: Pipeline) -> None:
    _run(orjson.dumps(doc), model)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=st.binary(max_size=2_000))
def test_any_bytes_end_enriched_or_dead(payload: bytes, model: Pipeline) -> None:
    _run(payload, model)


def test_newsstream_process_takes_the_corpus(tmp_path: Path) -> None:
    """One line per payload (those that fit on one line): each ends as exactly one output line."""
    lines = [
        p for p in PAYLOADS if p.value.strip() and b"\n" not in p.value and b"\r" not in p.value
    ]
    src, out, dead = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "dead.jsonl"
    src.write_bytes(b"\n".join(p.value for p in lines) + b"\n")
    with pytest.raises(SystemExit) as exited:
        main(["process", str(src), "-o", str(out), "--dead-letters", str(dead)])
    assert exited.value.code == 0
    enriched = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    letters = [orjson.loads(line) for line in dead.read_bytes().splitlines()]
    assert len(enriched) + len(letters) == len(lines)
    by_line = {letter["line"]: letter for letter in letters}
    for number, payload in enumerate(lines, start=1):
        if payload.outcome == "dead":
            assert payload.reason in by_line[number]["reason"], payload.name
        elif payload.outcome == "enriched":
            assert number not in by_line, (payload.name, by_line.get(number))
