"""``python -m tools.deploy_check [compose] [kubernetes]`` (``make deploy-check``): the deployment
files validated offline by real tools, not by grepping.

- ``docker-compose.yml``: loaded by compose-go, the Compose Specification's reference loader
  that ``docker compose config`` runs (``tools/composecheck``, a few lines of Go around it):
  validated against the specification's JSON schema, interpolated and normalised. Where a
  Docker Compose plugin is installed, ``docker compose config --quiet`` runs too (there is
  none on the project's machines: only the docker client, no engine, no plugin).
- ``deploy/kubernetes``: rendered by kustomize, and every resource validated by kubeconform in
  strict mode (unknown fields and duplicate keys are errors, a kind without a schema is an
  error) against Kubernetes' JSON schemas from the ``kubernetes-validate`` wheel (oldest and
  newest version checked: :data:`KUBERNETES_VERSIONS`) and, for the CRDs, the minimal schemas
  in ``tools/k8s_schemas`` (written from Strimzi's and the Prometheus Operator's CRDs).

Each check is followed by a canary: a broken copy must be refused, so a validator that lets
everything through (no schema found, a wrong path) fails the run.

The Go tools are built once, from the Go module proxy, into ``<NEWSSTREAM_CACHE>/bin`` (like
the Kafka jars): the three took 1 min 17 s from an empty Go module and build cache here (2
cores), then the checks take ~5 s. Helm was the other candidate: ``go install
helm.sh/helm/v4/cmd/helm@v4.3.2`` alone took 5 min 51 s here, hence kustomize (README,
"Kubernetes").
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.resources
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from streams.settings import Settings, child_environment, load_settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
KUSTOMIZATION = ROOT / "deploy" / "kubernetes"
CRD_SCHEMAS = ROOT / "tools" / "k8s_schemas"
COMPOSECHECK = ROOT / "tools" / "composecheck"
#: Kubernetes versions whose schemas the manifests must satisfy: an old one still in service
#: and the newest the ``kubernetes-validate`` wheel ships.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
#: kubeconform's file name template: ``statefulset-apps-v1.json``, ``kafkatopic-kafka-v1beta2.json``
_SCHEMA_FILE = "{{ .ResourceKind }}{{ .KindSuffix }}.json"
#: The prefix of the references in kubernetes-validate's schemas (resolved by its own registry).
_DEFINITIONS_REF = "/api/_definitions.json#"


class CheckError(RuntimeError):
    """A deployment file is invalid, or a tool could not be built or run."""


@dataclass(frozen=True, slots=True)
class GoTool:
    """A Go command installed with ``go install PACKAGE@VERSION``."""

    name: str
    package: str
    version: str


KUSTOMIZE = GoTool("kustomize", "sigs.k8s.io/kustomize/kustomize/v5", "v5.7.1")
KUBECONFORM = GoTool("kubeconform", "github.com/yannh/kubeconform/cmd/kubeconform", "v0.8.0")


def _go() -> str:
    go = shutil.which("go")
    if go is None:
        raise CheckError("`go` is not on the PATH: the deploy checks build their tools with Go")
    return go


def _go_env(gobin: Path | None = None) -> dict[str, str]:
    """The environment for ``go``: static binaries, no C toolchain needed."""
    extra = {"CGO_ENABLED": "0", "GOFLAGS": "-trimpath"}
    if gobin is not None:
        extra["GOBIN"] = str(gobin)
    return child_environment(extra, keep_settings=True)


def _binary_name(package: str) -> str:
    """The name ``go install`` gives a package's command (``.../kustomize/v5`` -> kustomize)."""
    parts = package.split("/")
    return parts[-2] if re.fullmatch(r"v\d+", parts[-1]) else parts[-1]


def _say(message: str) -> None:
    print(message, flush=True)


def go_install(tool: GoTool, bindir: Path) -> Path:
    """``bindir/<name>-<version>``, built with ``go install`` the first time."""
    target = bindir / f"{tool.name}-{tool.version}"
    if target.is_file():
        return target
    bindir.mkdir(parents=True, exist_ok=True)
    _say(f"building {tool.package}@{tool.version} (once, into {bindir})")
    with tempfile.TemporaryDirectory(dir=bindir) as tmp:
        subprocess.run(
            [_go(), "install", "-ldflags=-s -w", f"{tool.package}@{tool.version}"],
            env=_go_env(Path(tmp)),
            check=True,
        )
        (Path(tmp) / _binary_name(tool.package)).replace(target)
    return target


def compose_go_version() -> str:
    """The compose-go version ``tools/composecheck/go.mod`` pins."""
    found = re.search(
        r"github\.com/compose-spec/compose-go/v2 (v\S+)", (COMPOSECHECK / "go.mod").read_text()
    )
    if found is None:
        raise CheckError("tools/composecheck/go.mod does not require compose-go/v2")
    return found.group(1)


def _composecheck_path(bindir: Path) -> Path:
    """Where composecheck of these sources lives (a change of them builds a new one)."""
    digest = hashlib.sha256()
    for name in ("main.go", "go.mod", "go.sum"):
        digest.update((COMPOSECHECK / name).read_bytes())
    return bindir / f"composecheck-{compose_go_version()}-{digest.hexdigest()[:12]}"


def composecheck(bindir: Path, build: bool = True) -> Path | None:
    """The composecheck binary, built from ``tools/composecheck`` unless ``build`` is false
    (then None when it was not built before)."""
    target = _composecheck_path(bindir)
    if target.is_file():
        return target
    if not build:
        return None
    bindir.mkdir(parents=True, exist_ok=True)
    _say(f"building tools/composecheck (compose-go {compose_go_version()}, once, into {bindir})")
    partial = target.with_name(target.name + ".partial")
    subprocess.run(
        [_go(), "build", "-ldflags=-s -w", "-o", str(partial), "."],
        cwd=COMPOSECHECK,
        env=_go_env(),
        check=True,
    )
    partial.replace(target)
    return target


def load_compose(binary: Path, *files: Path) -> dict[str, Any]:
    """The Compose model of ``files`` as compose-go normalises it (what ``docker compose
    config`` prints); :class:`CheckError` with the loader's message if they are invalid."""
    run = subprocess.run(
        [str(binary), *map(str, files)], capture_output=True, text=True, check=False
    )
    if run.returncode != 0:
        raise CheckError(f"{', '.join(map(str, files))}: {run.stderr.strip()}")
    model = yaml.safe_load(run.stdout)
    if not isinstance(model, dict):
        raise CheckError(f"compose-go printed no model for {files}")
    return model


def compose_model(settings: Settings | None = None) -> dict[str, Any] | None:
    """``docker-compose.yml`` normalised by compose-go when composecheck has been built
    (``make deploy-check``), else None; for the unit tests, which build nothing."""
    binary = composecheck((settings or load_settings()).cache_dir / "bin", build=False)
    return None if binary is None else load_compose(binary, COMPOSE_FILE)


def docker_compose_available() -> bool:
    """Whether ``docker compose`` (the Compose plugin of the docker client) runs here."""
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return probe.returncode == 0


def _describe_service(name: str, service: dict[str, Any]) -> str:
    ports = [
        f"{p.get('host_ip', '')}:{p.get('published', '(any)')}->{p['target']}"
        for p in service.get("ports", [])
    ]
    volumes = [
        f"{v.get('source') or '(anonymous)'}:{v['target']}" for v in service.get("volumes", [])
    ]
    health = service.get("healthcheck", {}).get("test", [])
    return (
        f"  {name}: ports {', '.join(ports) or '-'}; volumes {', '.join(volumes) or '-'}; "
        f"restart {service.get('restart', 'no')}; healthcheck {'yes' if health else 'no'}"
    )


def check_compose(bindir: Path) -> None:
    """Validate ``docker-compose.yml`` (compose-go, and ``docker compose config`` if it runs),
    and make sure a broken copy is refused."""
    binary = composecheck(bindir)
    assert binary is not None
    model = load_compose(binary, COMPOSE_FILE)
    services = model.get("services", {})
    _say(
        f"compose: {COMPOSE_FILE.name} is valid (compose-go {compose_go_version()}, the loader "
        f"of `docker compose config`): services {', '.join(services)}; "
        f"volumes {', '.join(model.get('volumes', {})) or '-'}"
    )
    for name, service in services.items():
        _say(_describe_service(name, service))
    with tempfile.TemporaryDirectory() as tmp:
        broken = Path(tmp) / "docker-compose.yml"
        doc = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
        doc["services"]["worker"]["helthcheck"] = doc["services"]["worker"].pop("healthcheck")
        broken.write_text(yaml.safe_dump(doc), encoding="utf-8")
        try:
            load_compose(binary, broken)
        except CheckError as refused:
            _say(f"compose canary: a misspelt key is refused ({refused.args[0].split(': ', 1)[1]})")
        else:
            raise CheckError("compose-go accepted a compose file with a misspelt key")
    if docker_compose_available():
        subprocess.run(
            ["docker", "compose", "-f", str(COMPOSE_FILE), "config", "--quiet"], check=True
        )
        _say("compose: `docker compose config --quiet` accepts it too")
    else:
        _say("compose: no Docker Compose plugin here, so `docker compose config` was not run")


def standalone(schema: dict[str, Any]) -> dict[str, Any]:
    """One of kubernetes-validate's schemas, made loadable from a file by itself: its ``$id``
    (a kubernetes.io URL, against which its references would resolve) removed, and its
    references to ``/api/_definitions.json#…`` made relative to the file's directory."""

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: walk(v) for k, v in node.items() if k != "$id"}
            ref = out.get("$ref")
            if isinstance(ref, str) and ref.startswith(_DEFINITIONS_REF):
                out["$ref"] = "_definitions.json#" + ref[len(_DEFINITIONS_REF) :]
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result = walk(schema)
    assert isinstance(result, dict)
    return result


def kubernetes_schemas(cache: Path, version: str) -> Path:
    """The strict schemas of Kubernetes ``version`` from the kubernetes-validate wheel, as
    standalone files in the cache (written once)."""
    package = importlib.metadata.version("kubernetes-validate")
    target = cache / "k8s-schemas" / f"kubernetes-validate-{package}" / f"v{version}-strict"
    if (target / ".complete").is_file():
        return target
    source = importlib.resources.files("kubernetes_validate").joinpath(
        "kubernetes-json-schema", f"v{version}-local-strict"
    )
    if not source.is_dir():
        raise CheckError(f"kubernetes-validate {package} has no schemas of Kubernetes {version}")
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for entry in source.iterdir():
        if entry.name.endswith(".json"):
            schema = standalone(json.loads(entry.read_text(encoding="utf-8")))
            (target / entry.name).write_text(json.dumps(schema), encoding="utf-8")
    (target / ".complete").touch()
    return target


def _kubeconform(
    kubeconform: Path, schemas: Path, manifest: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(kubeconform),
            "-strict",
            "-summary",
            "-verbose",
            "-n",
            "1",
            "-schema-location",
            f"{CRD_SCHEMAS}/{_SCHEMA_FILE}",
            "-schema-location",
            f"{schemas}/{_SCHEMA_FILE}",
            str(manifest),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def _broken(rendered: str) -> str:
    """The rendered manifests with a misspelt field in the StatefulSet's container and a
    KafkaTopic without partitions (0): what the canary must see refused."""
    docs = [d for d in yaml.safe_load_all(rendered) if d]
    for doc in docs:
        if doc["kind"] == "StatefulSet":
            doc["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {}
        if doc["kind"] == "KafkaTopic":
            doc["spec"]["partitions"] = 0
    return yaml.safe_dump_all(docs)


def check_kubernetes(bindir: Path, cache: Path) -> None:
    """Render ``deploy/kubernetes`` with kustomize and validate it with kubeconform against
    each of :data:`KUBERNETES_VERSIONS`; a broken copy must be refused."""
    kustomize = go_install(KUSTOMIZE, bindir)
    kubeconform = go_install(KUBECONFORM, bindir)
    build = subprocess.run(
        [str(kustomize), "build", str(KUSTOMIZATION)], capture_output=True, text=True, check=False
    )
    if build.returncode != 0:
        raise CheckError(f"kustomize build {KUSTOMIZATION}: {build.stderr.strip()}")
    kinds = [d["kind"] for d in yaml.safe_load_all(build.stdout) if d]
    _say(
        f"kubernetes: `kustomize build deploy/kubernetes` (kustomize {KUSTOMIZE.version}): "
        f"{len(kinds)} resources ({', '.join(sorted(set(kinds)))})"
    )
    package = importlib.metadata.version("kubernetes-validate")
    with tempfile.TemporaryDirectory() as tmp:
        manifest = Path(tmp) / "deploy-kubernetes.yaml"
        manifest.write_text(build.stdout, encoding="utf-8")
        broken = Path(tmp) / "deploy-kubernetes-broken.yaml"
        broken.write_text(_broken(build.stdout), encoding="utf-8")
        for version in KUBERNETES_VERSIONS:
            schemas = kubernetes_schemas(cache, version)
            _say(
                f"kubeconform {KUBECONFORM.version} -strict, Kubernetes {version} "
                f"(kubernetes-validate {package}) + tools/k8s_schemas (KafkaTopic, ServiceMonitor):"
            )
            run = _kubeconform(kubeconform, schemas, manifest)
            _say(run.stdout.replace(tmp + "/", "").rstrip())
            if run.returncode != 0:
                raise CheckError(f"kubeconform refused deploy/kubernetes ({run.stderr.strip()})")
            canary = _kubeconform(kubeconform, schemas, broken)
            refused = [line for line in canary.stdout.splitlines() if " is invalid: " in line]
            if canary.returncode == 0 or len(refused) != 1 + kinds.count("KafkaTopic"):
                raise CheckError(f"kubeconform did not refuse the broken copy:\n{canary.stdout}")
            _say(
                f"kubeconform canary: the broken copy is refused ({len(refused)} invalid: the "
                "misspelt livenesProbe, every KafkaTopic with 0 partitions)"
            )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the checks named (both by default); 1 with the reason when one fails."""
    parser = argparse.ArgumentParser(prog="python -m tools.deploy_check", description=__doc__)
    parser.add_argument("checks", nargs="*", metavar="{compose,kubernetes}")
    args = parser.parse_args(argv)
    checks = args.checks or ["compose", "kubernetes"]
    if unknown := set(checks) - {"compose", "kubernetes"}:
        parser.error(f"unknown check(s): {', '.join(sorted(unknown))}")
    settings = load_settings()
    bindir = settings.cache_dir / "bin"
    try:
        if "compose" in checks:
            check_compose(bindir)
        if "kubernetes" in checks:
            check_kubernetes(bindir, settings.cache_dir)
    except (CheckError, subprocess.CalledProcessError) as exc:
        print(f"deploy-check: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
