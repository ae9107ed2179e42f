"""deploy/monitoring: the Prometheus alert rules and the Grafana dashboard parse, every PromQL
expression parses (promql-parser, the Rust PromQL parser), and they name only metrics the
worker exposes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import promql_parser
import pytest
import yaml

from streams import metrics

ROOT = Path(__file__).resolve().parents[3]
MONITORING = ROOT / "deploy" / "monitoring"
_METRIC = re.compile(r"\b((?:newsstream|faust)_[a-z_]+)")


def _alert_rules() -> list[dict[str, object]]:
    groups = yaml.safe_load((MONITORING / "alerts.yml").read_text(encoding="utf-8"))["groups"]
    return [rule for group in groups for rule in group["rules"]]


def _dashboard_exprs() -> list[str]:
    dashboard = json.loads((MONITORING / "dashboard.json").read_text(encoding="utf-8"))
    assert dashboard["uid"] and dashboard["title"] and dashboard["schemaVersion"]
    return [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]


def _exposed() -> set[str]:
    """The sample names the worker's own metrics produce."""
    names: set[str] = set()
    for value in vars(metrics).values():
        kind = getattr(value, "_type", None)
        name = getattr(value, "_name", None)
        if not name or kind is None:
            continue
        suffixes = {
            "counter": ("_total",),
            "histogram": ("_bucket", "_count", "_sum"),
            "gauge": ("",),
        }[kind]
        names.update(name + s for s in suffixes)
    return names


def test_the_alerts_are_complete_rules() -> None:
    rules = _alert_rules()
    assert {r["alert"] for r in rules} >= {
        "NewsstreamLagGrowing",
        "NewsstreamDeadLetterRate",
        "NewsstreamNoProgress",
    }
    for rule in rules:
        assert re.fullmatch(r"\d+[smh]", str(rule["for"])), rule
        assert rule["labels"]["severity"] in ("warning", "critical"), rule  # type: ignore[index]
        assert rule["annotations"]["summary"], rule  # type: ignore[index]


@pytest.mark.parametrize("expr", [str(r["expr"]) for r in _alert_rules()] + _dashboard_exprs())
def test_every_expression_parses_and_names_exposed_metrics(expr: str) -> None:
    promql_parser.parse(expr)  # raises ValueError on a syntax error
    named = {m for m in _METRIC.findall(expr) if m.startswith("newsstream_")}
    assert named, expr
    assert named <= _exposed(), named - _exposed()


def test_the_parser_refuses_a_broken_expression() -> None:
    with pytest.raises(ValueError):
        promql_parser.parse("sum(rate(newsstream_articles_total[5m]) by")
