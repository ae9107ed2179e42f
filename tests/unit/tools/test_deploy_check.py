"""tools.deploy_check's own logic (the checks themselves run in `make deploy-check`): the
schemas of kubernetes-validate made standalone for kubeconform, the Go tools' names, the
canary's broken copy."""

from __future__ import annotations

import importlib.resources
import json

import yaml

from tools import deploy_check


def test_standalone_schemas_refer_to_their_sibling_file_not_to_a_url() -> None:
    schema = {
        "$id": "https://kubernetes.io/api/statefulset/apps/v1",
        "properties": {
            "spec": {"$ref": "/api/_definitions.json#/$defs/io.k8s.api.apps.v1.StatefulSetSpec"},
            "list": {"items": [{"$ref": "#/$defs/local"}]},
        },
    }
    out = deploy_check.standalone(schema)
    assert "$id" not in out
    assert out["properties"]["spec"]["$ref"] == (
        "_definitions.json#/$defs/io.k8s.api.apps.v1.StatefulSetSpec"
    )
    assert out["properties"]["list"]["items"][0]["$ref"] == "#/$defs/local"


def _refs(node: object) -> set[str]:
    """Every ``$ref`` in a schema."""
    if isinstance(node, dict):
        own = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return own.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def test_the_wheel_schemas_use_only_references_standalone_rewrites() -> None:
    """If kubernetes-validate changed its reference style, kubeconform would find no schema."""
    version = deploy_check.KUBERNETES_VERSIONS[0]
    folder = importlib.resources.files("kubernetes_validate").joinpath(
        "kubernetes-json-schema", f"v{version}-local-strict"
    )
    for name in ("statefulset-apps-v1.json", "_definitions.json"):
        schema = deploy_check.standalone(json.loads(folder.joinpath(name).read_text()))
        files = {ref.split("#")[0] for ref in _refs(schema)}
        assert files <= {"_definitions.json", ""}, (name, files)
        assert "$id" not in schema


def test_go_command_names() -> None:
    assert deploy_check._binary_name(deploy_check.KUSTOMIZE.package) == "kustomize"
    assert deploy_check._binary_name(deploy_check.KUBECONFORM.package) == "kubeconform"
    assert deploy_check.compose_go_version().startswith("v2.")


def test_the_canary_copy_breaks_the_statefulset_and_every_topic() -> None:
    rendered = yaml.safe_dump_all(
        [
            {"kind": "StatefulSet", "spec": {"template": {"spec": {"containers": [{}]}}}},
            {"kind": "KafkaTopic", "spec": {"partitions": 8}},
            {"kind": "Service", "spec": {}},
        ]
    )
    docs = list(yaml.safe_load_all(deploy_check._broken(rendered)))
    assert docs[0]["spec"]["template"]["spec"]["containers"][0] == {"livenesProbe": {}}
    assert docs[1]["spec"]["partitions"] == 0
    assert docs[2] == {"kind": "Service", "spec": {}}
