"""The JSON Schemas shipped in :mod:`streams.schemas` and the bundled sample articles.

Checks that every schema is a valid draft 2020-12 schema with a title, a versioned ``$id`` and
a description per field, loaded as package data; that every sample article is a valid
``news.raw`` record; that hand-written records pass or fail as they should; and that the
schemas match the wire contract (``streams.records``) and what the stages actually produce and
accept, schema version and headers included.
"""

from __future__ import annotations

import base64
import json
from dataclasses import MISSING, fields
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator

from agents.deadletters import context_headers, dead_letter
from agents.grouping import Assignment, EventState, Member
from agents.pipeline import internal_error
from agents.publish import enriched_record, event_group, merged_record
from agents.validation import validate_object
from streams import schemas
from streams.records import (
    DeadLetter,
    Enriched,
    EventGroup,
    EventMember,
    Prepared,
    RawArticle,
    Rejected,
    to_dict,
)

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "cli" / "samples" / "articles.jsonl"
TOPICS = ("news.raw", "news.prepared", "news.enriched", "news.events", "news.deadletter")
OUTPUTS = ("news.enriched", "news.events", "news.deadletter")
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def load_schema(topic: str) -> dict[str, Any]:
    return schemas.load(topic)


def validator(topic: str) -> Draft202012Validator:
    return Draft202012Validator(
        load_schema(topic), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def errors(topic: str, instance: Any) -> list[str]:
    return [e.message for e in validator(topic).iter_errors(instance)]


def sample_lines() -> list[str]:
    return SAMPLES.read_text(encoding="utf-8").splitlines()


def _properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every named property of a schema, its ``$defs`` included."""
    found = list(schema.get("properties", {}).items())
    for sub in schema.get("$defs", {}).values():
        found.extend(_properties(sub))
    return found


# -- the schemas themselves ---------------------------------------------------------------------
@pytest.mark.parametrize("topic", TOPICS)
def test_schema_is_valid_draft_2020_12(topic: str) -> None:
    schema = load_schema(topic)
    assert schema["$schema"] == DRAFT
    Draft202012Validator.check_schema(schema)
    assert schema["title"].startswith(topic)
    assert schema["description"]


@pytest.mark.parametrize("topic", TOPICS)
def test_schema_id_carries_the_topic_and_its_version(topic: str) -> None:
    schema = load_schema(topic)
    assert schema["$id"] == schemas.schema_id(topic)
    assert schema["$id"] == f"urn:newsstream:schema:{topic}:{schemas.SCHEMA_VERSIONS[topic]}"


def test_the_schema_files_are_package_data_and_the_only_copy(tmp_path: Path) -> None:
    """Loaded with importlib.resources from the package; in the wheel that ``pip`` builds; no
    second copy lies elsewhere in the repository."""
    import subprocess
    import sys
    import zipfile
    from importlib import resources

    names = {schemas.file_name(t) for t in TOPICS}
    assert names <= {p.name for p in resources.files("streams.schemas").iterdir()}
    build = ["wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp_path)]
    subprocess.run(
        [sys.executable, "-m", "pip", *build, str(ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("newsstream-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert {f"streams/schemas/{name}" for name in names} <= set(archive.namelist())
    copies = [
        p.relative_to(ROOT)
        for p in ROOT.rglob("*.schema.json")
        if not {".venv", "build"} & set(p.parts) and p.parent != ROOT / "streams" / "schemas"
    ]
    assert copies == []


@pytest.mark.parametrize("topic", OUTPUTS)
def test_output_records_carry_their_schema_version(topic: str) -> None:
    prop = load_schema(topic)["properties"]["schema_version"]
    assert prop["const"] == schemas.SCHEMA_VERSIONS[topic]
    assert "schema_version" in load_schema(topic)["required"]


@pytest.mark.parametrize("topic", OUTPUTS)
def test_output_schemas_let_unknown_fields_through(topic: str) -> None:
    """The compatibility policy: a field added within a version must not fail a consumer
    validating with the schema it has, so no object in an output schema closes its fields."""

    def closed(node: Any) -> bool:
        if isinstance(node, dict):
            return node.get("additionalProperties") is False or any(map(closed, node.values()))
        return isinstance(node, list) and any(map(closed, node))

    assert not closed(load_schema(topic))
    for example in load_schema(topic)["examples"]:
        assert errors(topic, {**example, "added_in_a_later_release": [1, {"x": None}]}) == []


@pytest.mark.parametrize("topic", [*OUTPUTS, "news.prepared"])
def test_headers_name_the_content_type_and_the_schema(topic: str) -> None:
    headers = dict(schemas.headers(topic))
    assert headers == {
        "content-type": b"application/json",
        "schema-id": schemas.schema_id(topic).encode(),
        "schema-version": str(schemas.SCHEMA_VERSIONS[topic]).encode(),
    }


@pytest.mark.parametrize("topic", TOPICS)
def test_every_field_has_a_description(topic: str) -> None:
    props = _properties(load_schema(topic))
    assert props
    for name, prop in props:
        assert prop.get("description"), f"{topic}: field {name!r} has no description"


@pytest.mark.parametrize("topic", TOPICS)
def test_schema_examples_validate(topic: str) -> None:
    examples = load_schema(topic)["examples"]
    assert examples
    for example in examples:
        assert errors(topic, example) == []


@pytest.mark.parametrize(
    ("topic", "record"),
    [
        ("news.enriched", Enriched),
        ("news.events", EventGroup),
        ("news.deadletter", DeadLetter),
    ],
)
def test_output_schema_lists_exactly_the_record_fields(topic: str, record: type) -> None:
    schema = load_schema(topic)
    names = {f.name for f in fields(record)}
    assert set(schema["properties"]) == names
    assert set(schema["required"]) == names


def test_prepared_schema_lists_the_record_fields_and_requires_those_without_default() -> None:
    schema = load_schema("news.prepared")
    assert set(schema["properties"]) == {f.name for f in fields(Prepared)}
    assert set(schema["required"]) == {
        f.name for f in fields(Prepared) if f.default is MISSING and f.default_factory is MISSING
    }


def test_event_member_schema_lists_exactly_the_record_fields() -> None:
    member = load_schema("news.events")["$defs"]["member"]
    assert set(member["properties"]) == {f.name for f in fields(EventMember)}
    assert set(member["required"]) == {f.name for f in fields(EventMember)}


def test_raw_schema_knows_every_raw_field() -> None:
    assert set(load_schema("news.raw")["properties"]) == {f.name for f in fields(RawArticle)}


# -- the bundled samples ------------------------------------------------------------------------
def test_samples_file_is_small_and_complete() -> None:
    assert SAMPLES.stat().st_size < 60_000
    lines = sample_lines()
    assert len(lines) >= 10
    docs = [json.loads(line) for line in lines]
    assert len({d["id"] for d in docs}) == len(docs)
    for doc in docs:
        assert set(doc) == {"id", "url", "source", "title", "text", "published_at"}
        assert "\n\n" in doc["text"]


@pytest.mark.parametrize("line", sample_lines(), ids=lambda line: json.loads(line)["id"])
def test_sample_article_is_valid_raw(line: str) -> None:
    doc = json.loads(line)
    assert errors("news.raw", doc) == []
    assert isinstance(validate_object(doc), RawArticle)


# -- news.raw: hand-written records, and agreement with the validation stage --------------------
RAW_VALID: list[dict[str, Any]] = [
    {"text": "Body."},
    {"html": "<p>Body.</p>"},
    {"id": 42, "text": "Body."},
    {"id": None, "text": "", "html": "<article>Body</article>"},
    {"text": "Body.", "published_at": "2026-03-12"},
    {"text": "Body.", "published_at": "2026-03-12T10:42"},
    {"text": "Body.", "published_at": "2026-03-12 10:42:00.123+01:00"},
    {"text": "Body.", "published_at": "2026-03-12T10:42:00z", "fetched_at": 1773312300},
    {"text": "Body.", "published_at": "2026-03-12T23:59:59-0330", "fetched_at": 1773312300.25},
    {"text": "Body.", "published_at": "Thu, 12 Mar 2026 10:42:00 GMT"},
    {
        "text": "Body.",
        "published_at": "12 Mar 2026 10:42 +0100",
        "fetched_at": "1 Mar 2026 00:00 EST",
    },
    {"text": "Body.", "title": None, "url": None, "lang_hint": "EN", "extra": {"any": "thing"}},
    {"text": "Body.", "published_at": 1773312300250, "lang_hint": "en-US"},
    {"text": "Body.", "published_at": "1773312300", "fetched_at": "1773312300250.5"},
    {"text": "Body.", "published_at": "2026-03-12", "lang_hint": "German"},
]
RAW_INVALID: list[dict[str, Any]] = [
    {},
    {"title": "Headline only"},
    {"text": "   \n\n  "},
    {"text": None, "html": ""},
    {"text": 5},
    {"id": True, "text": "Body."},
    {"id": 1.5, "text": "Body."},
    {"id": "  ", "text": "Body."},
    {"id": "x" * 513, "text": "Body."},
    {"text": "Body.", "title": ["not", "a", "string"]},
    {"text": "Body.", "published_at": "yesterday"},
    {"text": "Body.", "published_at": "2026-13-01T00:00:00Z"},
    {"text": "Body.", "published_at": "2026-03-12T24:00:00Z"},
    {"text": "Body.", "published_at": "Thu, 12 Mar 2026"},
    {"text": "Body.", "published_at": "Thu, 12 March 2026 10:42:00 GMT"},
    {"text": "Body.", "fetched_at": True},
    {"text": "Body.", "published_at": "17733123"},
    {"text": "Body.", "published_at": "1773312300e3"},
    {"text": "Body.", "published_at": 253402300800000},
]


@pytest.mark.parametrize("doc", RAW_VALID)
def test_raw_valid(doc: dict[str, Any]) -> None:
    assert errors("news.raw", doc) == []
    assert isinstance(validate_object(doc), RawArticle), "the validation stage disagrees"


@pytest.mark.parametrize("doc", RAW_INVALID)
def test_raw_invalid(doc: dict[str, Any]) -> None:
    assert errors("news.raw", doc)
    assert isinstance(validate_object(doc), Rejected), "the validation stage disagrees"


# -- news.enriched ------------------------------------------------------------------------------
def enriched(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "sample-01",
        "url": "https://www.example-news.co.uk/a",
        "source": "Example News",
        "title": "A headline",
        "text": "First paragraph.\n\nSecond paragraph.",
        "lang": "en",
        "lang_confidence": 0.9615,
        "languages": [{"lang": "en", "share": 1.0}],
        "title_disagrees": False,
        "event_key": "ev-0123456789abcdef",
        "translation_of": {"id": "sample-01", "score": 0.82},
        "duplicate_of": None,
        "published_at": "2026-03-12T10:42:00Z",
        "word_count": 4,
        "content_hash": "0123456789abcdef0123456789abcdef",
        "boilerplate_removed": ["Advertisement", "Share this article"],
        "processed_at": "2026-03-12T10:45:03Z",
        "pipeline_version": "0.1.0",
        "schema_version": 1,
    }
    doc.update(changes)
    return doc


@pytest.mark.parametrize(
    "doc",
    [
        enriched(),
        enriched(url=None, source=None, title=None, published_at=None, boilerplate_removed=[]),
        enriched(lang="und", lang_confidence=0.12),
        enriched(lang="ceb", lang_confidence=1),
        enriched(lang_confidence=0, word_count=0),
    ],
)
def test_enriched_valid(doc: dict[str, Any]) -> None:
    assert errors("news.enriched", doc) == []


@pytest.mark.parametrize(
    "doc",
    [
        enriched(lang="EN"),
        enriched(lang="en-GB"),
        enriched(lang=""),
        enriched(lang_confidence=1.01),
        enriched(lang_confidence=-0.1),
        enriched(event_key="ev-0123456789ABCDEF"),
        enriched(event_key="ev-0123"),
        enriched(event_key="0123456789abcdef"),
        enriched(text=""),
        enriched(text=None),
        enriched(word_count=-1),
        enriched(word_count=3.5),
        enriched(content_hash="xyz"),
        enriched(boilerplate_removed="Advertisement"),
        enriched(boilerplate_removed=[1]),
        enriched(processed_at="2026-03-12 10:45:03"),
        enriched(processed_at=1773312303),
        enriched(published_at="2026-03-12T10:42:00+01:00"),
        enriched(schema_version=2),
        enriched(schema_version="1"),
        {k: v for k, v in enriched().items() if k != "event_key"},
    ],
)
def test_enriched_invalid(doc: dict[str, Any]) -> None:
    assert errors("news.enriched", doc)


def test_enriched_record_from_the_publish_stage_validates() -> None:
    prepared = Prepared(
        id="sample-02",
        url=None,
        source="Beispielzeitung",
        title="Überschrift",
        text="Erster Absatz.\n\nZweiter Absatz.",
        lang="de",
        lang_confidence=0.9927,
        languages=[{"lang": "de", "share": 1.0}],
        title_disagrees=False,
        published_at="2026-03-12T11:15:00Z",
        word_count=4,
        content_hash="0123456789abcdef0123456789abcdef",
        boilerplate_removed=["Anzeige"],
        evidence=["p:wien"],
        event_time=1773314100.0,
    )
    grouped = Assignment(
        "ev-0123456789abcdef",
        EventState("ev-0123456789abcdef", 0.0, 0.0),
        changed=True,
        score=0.8,
        translation_of={"id": "sample-01", "score": 0.8},
    )
    record = enriched_record(prepared, grouped, 1773314103.5)
    assert errors("news.enriched", orjson.loads(orjson.dumps(record))) == []
    assert errors("news.prepared", orjson.loads(orjson.dumps(prepared))) == []


# -- news.events --------------------------------------------------------------------------------
def member(id_: str, lang: str) -> dict[str, Any]:
    return {"id": id_, "lang": lang, "title": f"Title {id_}", "url": None, "source": "Example"}


def event(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "event_key": "ev-0123456789abcdef",
        "languages": ["de", "en", "ru"],
        "members": [
            member("sample-01", "en"),
            member("sample-02", "de"),
            member("sample-11", "ru"),
        ],
        "first_seen": "2026-03-12T10:42:00Z",
        "last_seen": "2026-03-12T11:15:00Z",
        "merged_into": None,
        "closed": False,
        "schema_version": 1,
    }
    doc.update(changes)
    doc.setdefault("member_count", len(doc["members"]))
    return doc


@pytest.mark.parametrize(
    "doc",
    [
        event(),
        event(languages=["it"], members=[member("sample-05", "it")]),
        event(
            languages=["und"],
            members=[{"id": "x", "lang": "und", "title": None, "url": None, "source": None}],
        ),
        event(
            languages=[], members=[], member_count=0, merged_into="ev-00000000000000ff", closed=True
        ),
        event(closed=True),
        event(member_count=250),
    ],
)
def test_event_valid(doc: dict[str, Any]) -> None:
    assert errors("news.events", doc) == []


@pytest.mark.parametrize(
    "doc",
    [
        event(members=[]),
        event(languages=[]),
        event(languages=["en", "en"]),
        event(languages=["English"]),
        event(event_key="ev-xyz"),
        event(members=[{"id": "sample-01", "lang": "en"}]),
        event(members=[{**member("sample-01", "en"), "lang": "EN"}]),
        event(first_seen=1773312120),
        event(last_seen="12 March 2026"),
        {k: v for k, v in event().items() if k != "members"},
        event(merged_into="somewhere"),
        event(languages=[], members=[], member_count=0, merged_into="ev-00000000000000ff"),
        event(merged_into="ev-00000000000000ff", closed=True),
        event(member_count=0),
        event(member_count=-1),
        event(closed=None),
        event(schema_version=2),
        {k: v for k, v in event().items() if k != "closed"},
        {k: v for k, v in event().items() if k != "member_count"},
    ],
)
def test_event_invalid(doc: dict[str, Any]) -> None:
    assert errors("news.events", doc)


def test_event_group_from_the_publish_stage_validates() -> None:
    members = [
        Member.from_dict(m)
        for m in (member("sample-01", "en"), member("sample-02", "de"), member("sample-01", "en"))
    ]
    state = SimpleNamespace(
        event_key="ev-0123456789abcdef",
        members=members,
        first_seen=1773312120.0,
        last_seen=1773314100.0,
    )
    group = event_group(state)  # type: ignore[arg-type]
    assert errors("news.events", orjson.loads(orjson.dumps(group))) == []


def _big_state(size: int) -> EventState:
    members = [
        Member(id=f"a{i}", lang=("en", "de", "fr")[i % 3], title=f"Title {i}", event_key="ev-1")
        for i in range(size)
    ]
    return EventState("ev-0123456789abcdef", 1773312120.0, 1773314100.0, members=members)


def test_an_event_record_lists_the_first_members_and_counts_them_all() -> None:
    state = _big_state(250)
    state.members.append(state.members[0])  # a member listed twice in the state counts once
    record = orjson.loads(orjson.dumps(event_group(state, max_members=100)))
    assert errors("news.events", record) == []
    assert record["member_count"] == 250
    assert [m["id"] for m in record["members"]] == [f"a{i}" for i in range(100)]
    assert record["languages"] == ["de", "en", "fr"]
    assert record["closed"] is False and record["schema_version"] == 1
    small = orjson.loads(orjson.dumps(event_group(_big_state(3), max_members=100)))
    assert small["member_count"] == len(small["members"]) == 3


def test_the_largest_event_record_fits_the_topic() -> None:
    """At the default member bound, with every listed field at its limit (4-byte characters),
    an event record is still under the topic's max.message.bytes."""
    from streams.settings import Settings
    from streams.topics import TOPIC_MAX_MESSAGE_BYTES

    settings = Settings()
    wide = "\U0001f30d"
    members = [
        Member(
            id=f"{i:0>512}",
            lang="en",
            title=wide * settings.max_title_chars,
            url=wide * settings.max_url_chars,
            source=wide * settings.max_source_chars,
        )
        for i in range(settings.event_max_members + 50)
    ]
    state = EventState("ev-0123456789abcdef", 0.0, 0.0, members=members)
    record = orjson.dumps(event_group(state, settings.event_max_members, closed=True))
    assert len(record) < TOPIC_MAX_MESSAGE_BYTES


def test_closed_and_merged_records_validate() -> None:
    closed = orjson.loads(orjson.dumps(event_group(_big_state(2), 100, closed=True)))
    assert errors("news.events", closed) == [] and closed["closed"] is True
    merged = orjson.loads(
        orjson.dumps(merged_record("ev-00000000000000ff", closed["event_key"], 0))
    )
    assert errors("news.events", merged) == []
    assert merged["closed"] is True and merged["member_count"] == 0


# -- news.deadletter ----------------------------------------------------------------------------
def letter(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "stage": "validation",
        "reason": "payload is not valid JSON: unexpected character",
        "payload": "{not json",
        "payload_encoding": "utf-8",
        "received_at": "2026-03-12T10:45:03Z",
        "key": None,
        "line": None,
        "topic": None,
        "partition": None,
        "offset": None,
        "error_class": "streams.records.Rejected",
        "schema_version": 1,
    }
    doc.update(changes)
    return doc


@pytest.mark.parametrize(
    "doc",
    [
        letter(),
        letter(key="sample-01", line=7),
        letter(topic="news.prepared", partition=0, offset=41, stage="grouping"),
        letter(payload="", reason="empty message (no value)"),
        letter(payload=base64.b64encode(b"\xff\xfe bad").decode(), payload_encoding="base64"),
        letter(error_class="builtins.KeyError", reason="internal error: KeyError: 'x'"),
    ],
)
def test_deadletter_valid(doc: dict[str, Any]) -> None:
    assert errors("news.deadletter", doc) == []


@pytest.mark.parametrize(
    "doc",
    [
        letter(payload_encoding="latin-1"),
        letter(payload_encoding="base64", payload="not base64!"),
        letter(line=0),
        letter(line="7"),
        letter(line=1.5),
        letter(offset=-1),
        letter(partition="0"),
        letter(key=7),
        letter(stage=""),
        letter(reason=""),
        letter(payload=None),
        letter(received_at="now"),
        letter(error_class=""),
        letter(error_class=None),
        letter(schema_version=0),
        {k: v for k, v in letter().items() if k != "reason"},
    ],
)
def test_deadletter_invalid(doc: dict[str, Any]) -> None:
    assert errors("news.deadletter", doc)


@pytest.mark.parametrize(
    ("value", "key", "line"),
    [
        (b'{"title": "no body"}', b"sample-99", 3),
        (b"\xff\xfe not utf-8", None, None),
        (None, b"\x80binary-key", None),
    ],
)
def test_dead_letter_from_the_stage_validates(
    value: bytes | None, key: bytes | None, line: int | None
) -> None:
    record = dead_letter(Rejected("validation", "bad input"), value, key, 1773312303.0, line)
    assert errors("news.deadletter", to_dict(record)) == []


def test_a_dead_letter_names_its_error_class_in_value_and_headers() -> None:
    from agents.deadletters import Origin

    try:
        {}["missing"]
    except KeyError as exc:
        rejected = internal_error("grouping", exc)
    origin = Origin("news.prepared", 0, 41)
    letter = dead_letter(rejected, b"{}", b"k", 1773312303.0, origin=origin)
    assert letter.error_class == "builtins.KeyError"
    assert errors("news.deadletter", orjson.loads(orjson.dumps(letter))) == []
    headers = dict(context_headers(letter))
    assert headers["__connect.errors.exception.class.name"] == b"builtins.KeyError"
    assert headers["__connect.errors.topic"] == b"news.prepared"
    assert headers["__connect.errors.offset"] == b"41"
    assert headers["schema-id"] == b"urn:newsstream:schema:news.deadletter:1"
    assert headers["content-type"] == b"application/json"
    refused = dead_letter(Rejected("validation", "no body"), b"{}", None, 0.0)
    assert refused.error_class == f"{Rejected.__module__}.{Rejected.__qualname__}"
