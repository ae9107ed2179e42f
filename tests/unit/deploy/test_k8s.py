"""deploy/kubernetes and its generator (deploy.k8s): the KafkaTopic resources are what
`python -m deploy.k8s topics` prints from streams/topics.py, and the worker's manifests agree
with the settings, the image and the topics. (Schema validation of the rendered manifests is
`make deploy-check`: kustomize + kubeconform.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy import k8s
from streams.settings import Settings, load_settings, unknown_variables
from streams.topics import RAW, worker_specs

ROOT = Path(__file__).resolve().parents[3]
KUBE = ROOT / "deploy" / "kubernetes"
TOPICS_FILE = KUBE / "topics" / "topics.yaml"
WORKER = KUBE / "worker"


def _doc(name: str) -> dict[str, Any]:
    return yaml.safe_load((WORKER / name).read_text(encoding="utf-8"))


def _settings_env() -> dict[str, str]:
    lines = (WORKER / "settings.env").read_text(encoding="utf-8").splitlines()
    pairs = [line.split("=", 1) for line in lines if line.strip() and not line.startswith("#")]
    return {k: v for k, v in pairs}


def test_topics_yaml_is_generated_from_topics_py_and_up_to_date() -> None:
    text = TOPICS_FILE.read_text(encoding="utf-8")
    command = re.search(r"`python -m deploy\.k8s topics ([^`]*)`", text)
    assert command, "the file names the command that generates it"
    args = dict(re.findall(r"--([a-z-]+) (\S+)", command.group(1)))
    expected = k8s.topics_yaml(
        int(args["partitions"]), args["app-id"], int(args["replicas"]), args["cluster"]
    )
    assert text == expected, "regenerate: python -m deploy.k8s topics > " + str(TOPICS_FILE)


def test_the_topics_agree_with_the_workers_settings() -> None:
    settings = load_settings(_settings_env())
    docs = list(yaml.safe_load_all(TOPICS_FILE.read_text(encoding="utf-8")))
    by_topic = {d["spec"]["topicName"]: d for d in docs}
    specs = worker_specs(settings.app_id, settings.partitions)
    assert list(by_topic) == [s.name for s in specs]
    for spec in specs:
        doc = by_topic[spec.name]
        assert doc["spec"]["partitions"] == spec.partitions
        assert {k: str(v) for k, v in doc["spec"].get("config", {}).items()} == dict(spec.config)
        assert doc["metadata"]["labels"][k8s.CLUSTER_LABEL]
        assert doc["spec"]["replicas"] == settings.replication_factor
    assert by_topic[RAW]["spec"]["partitions"] == settings.partitions
    assert settings.create_topics is False, "the platform provisions them"


def test_the_generator_cli_prints_the_resources(capsys: pytest.CaptureFixture[str]) -> None:
    assert k8s.main(["topics", "--partitions", "16", "--app-id", "news-prod"]) == 0
    docs = list(yaml.safe_load_all(capsys.readouterr().out))
    names = {d["spec"]["topicName"]: d for d in docs}
    assert names[RAW]["spec"]["partitions"] == 16
    assert names["news-prod-source_chrome-changelog"]["spec"]["partitions"] == 16
    assert names["news-prod-__assignor-__leader"]["metadata"]["name"] == "news-prod-assignor-leader"
    assert all(d["spec"]["replicas"] == k8s.DEFAULT_REPLICAS for d in docs)
    with pytest.raises(SystemExit):
        k8s.main(["topics", "--partitions", "0"])


def test_sharded_grouping_adds_its_topics(capsys: pytest.CaptureFixture[str]) -> None:
    assert k8s.main(["topics", "--app-id", "news-prod", "--grouping-shards", "4"]) == 0
    out = capsys.readouterr().out
    names = {d["spec"]["topicName"]: d for d in yaml.safe_load_all(out)}
    assert names["news-prod-grouping-shard"]["spec"]["partitions"] == 4
    assert "--grouping-shards 4" in out.splitlines()[0]
    for spec in worker_specs("news-prod", Settings().partitions, 4):
        assert spec.name in names
    with pytest.raises(SystemExit):
        k8s.main(["topics", "--grouping-shards", "1"])


@pytest.mark.parametrize(
    ("topic", "name"),
    [
        ("news.raw", "news.raw"),
        ("newsstream-source_chrome-changelog", "newsstream-source-chrome-changelog"),
        ("newsstream-__assignor-__leader", "newsstream-assignor-leader"),
        ("App_ID.-x-", "app-id.x"),
    ],
)
def test_resource_names_are_dns_subdomains(topic: str, name: str) -> None:
    assert k8s.resource_name(topic) == name
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", name)


def test_settings_env_holds_only_settings_with_accepted_values() -> None:
    env = _settings_env()
    assert unknown_variables(env) == []
    settings = load_settings(env)  # raises SettingsError naming a refused value
    assert settings.web_host == "0.0.0.0"
    assert "NEWSSTREAM_SASL_PASSWORD" not in env, "secrets go in a Secret"


def test_the_statefulset_runs_the_image_user_with_a_volume_per_pod() -> None:
    sts = _doc("statefulset.yaml")
    pod = sts["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    settings = load_settings(_settings_env())
    # numeric, non-root, the image's own user (deploy/Dockerfile: USER 10001:10001)
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    user, group = re.findall(r"^USER (\d+):(\d+)$", dockerfile, re.M)[-1]
    security = pod["securityContext"]
    assert (security["runAsUser"], security["runAsGroup"]) == (int(user), int(group))
    assert security["runAsNonRoot"] is True and security["fsGroup"] == int(group)
    # RocksDB on a claim of its own per pod, mounted where NEWSSTREAM_DATA_DIR points
    (claim,) = sts["spec"]["volumeClaimTemplates"]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts[claim["metadata"]["name"]] == str(settings.data_dir)
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert container["envFrom"][0]["configMapRef"]["name"] == "newsstream-settings"


def test_probes_liveness_on_live_readiness_on_ready() -> None:
    (container,) = _doc("statefulset.yaml")["spec"]["template"]["spec"]["containers"]
    settings = load_settings(_settings_env())
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["http"] == settings.web_port == Settings().web_port
    assert container["livenessProbe"]["httpGet"] == {"path": "/live", "port": "http"}
    assert container["startupProbe"]["httpGet"] == {"path": "/live", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}


def test_resources_follow_the_measured_worker() -> None:
    """docs/measurements.md: peak RSS 1,618-1,673 MiB per worker, ~0.93 core at full load."""
    (container,) = _doc("statefulset.yaml")["spec"]["template"]["spec"]["containers"]
    requests, limits = container["resources"]["requests"], container["resources"]["limits"]
    mib = {"Mi": 1, "Gi": 1024}

    def to_mib(quantity: str) -> int:
        number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", quantity).groups()  # type: ignore[union-attr]
        return int(number) * mib[unit]

    assert 1673 < to_mib(requests["memory"]) <= to_mib(limits["memory"])
    assert float(requests["cpu"]) >= 0.93
    measured = (ROOT / "docs" / "measurements.md").read_text(encoding="utf-8")
    assert "1,673 MiB" in measured, "the figure the requests rest on"


def test_the_service_monitor_scrapes_metrics_on_the_service_port() -> None:
    service, monitor = _doc("service.yaml"), _doc("servicemonitor.yaml")
    sts = _doc("statefulset.yaml")
    labels = sts["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["clusterIP"] == "None"
    assert sts["spec"]["serviceName"] == service["metadata"]["name"]
    assert service["spec"]["selector"].items() <= labels.items()
    selected = monitor["spec"]["selector"]["matchLabels"]
    assert selected.items() <= service["metadata"]["labels"].items()
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["path"] == "/metrics"
    assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}


def test_the_kustomization_lists_every_file() -> None:
    worker = yaml.safe_load((WORKER / "kustomization.yaml").read_text(encoding="utf-8"))
    listed = set(worker["resources"]) | {e for g in worker["configMapGenerator"] for e in g["envs"]}
    assert listed == {p.name for p in WORKER.iterdir() if p.name != "kustomization.yaml"}
    top = yaml.safe_load((KUBE / "kustomization.yaml").read_text(encoding="utf-8"))
    assert set(top["resources"]) == {"worker", "topics"}
