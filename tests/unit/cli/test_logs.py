"""The worker's JSON log lines."""

from __future__ import annotations

import logging

import orjson

from cli.logs import JsonFormatter


def test_json_log_lines_carry_stage_and_key() -> None:
    record = logging.makeLogRecord(
        {
            "name": "agents.prepare",
            "levelno": logging.INFO,
            "levelname": "INFO",
            "msg": "dead letter",
            "stage": "validation",
            "key": b"a-1",
            "reason": "bad",
        }
    )
    line = orjson.loads(JsonFormatter().format(record))
    assert line["message"] == "dead letter" and line["level"] == "info"
    assert (line["stage"], line["key"], line["reason"]) == ("validation", "a-1", "bad")
