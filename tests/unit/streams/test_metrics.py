"""Metric helpers: bounded reason labels, the raw timestamp carried in headers."""

from __future__ import annotations

from streams import metrics


def test_the_raw_timestamp_is_read_from_either_header_shape() -> None:
    key = metrics.RAW_TIMESTAMP_HEADER
    assert metrics.raw_timestamp_ms([("other", b"1"), (key, b"1700000000123")]) == 1700000000123
    assert metrics.raw_timestamp_ms({key: b"42"}) == 42
    assert metrics.raw_timestamp_ms(None) is None
    assert metrics.raw_timestamp_ms([(key, b"soon")]) is None


def test_reason_labels_are_bounded() -> None:
    assert metrics.reason_label("field 'x' exceeds the limit: 123456 > 100") == (
        "field 'x' exceeds the limit"
    )
    assert metrics.reason_label("a" * 200) == "a" * 80


def test_build_info_names_the_versions() -> None:
    metrics.build_info()
    [metric] = metrics.BUILD_INFO.collect()
    [sample] = metric.samples
    assert sample.value == 1 and sample.labels["faust"] == "0.15.3"
