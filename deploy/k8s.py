"""Kubernetes resources generated from the code: the topics as Strimzi ``KafkaTopic`` resources.

``python -m deploy.k8s topics [--partitions N] [--app-id ID] [--replicas R] [--cluster NAME]``
prints one ``KafkaTopic`` (``kafka.strimzi.io/v1beta2``) per topic the worker uses
(:func:`streams.topics.worker_specs`: newsstream's topics, the tables' changelogs and Faust's
leader topic), with the partitions and topic configs the worker would create it with.
``deploy/kubernetes/topics/topics.yaml`` is its output with the defaults below; a unit test
checks that it is up to date. With them provisioned, the worker runs with
``NEWSSTREAM_CREATE_TOPICS=false`` and only checks that they exist.

No YAML library at run time (PyYAML is a dev dependency): the output is written by hand, its
strings as JSON strings, which YAML reads as double-quoted scalars.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence

from streams.settings import Settings
from streams.topics import TopicSpec, worker_specs

#: The Strimzi API version of the generated resources (served by every Strimzi release since
#: 0.22, the storage version of its KafkaTopic CRD).
KAFKA_TOPIC_API = "kafka.strimzi.io/v1beta2"
#: The label by which Strimzi's Topic Operator picks the resources of its Kafka cluster.
CLUSTER_LABEL = "strimzi.io/cluster"
#: Defaults of the generator: the worker's setting defaults, a replication factor of 3 (a
#: platform cluster, not the single local broker) and Strimzi's example cluster name.
DEFAULT_REPLICAS = 3
DEFAULT_CLUSTER = "my-cluster"

_INVALID = re.compile(r"[^a-z0-9.-]+")


def resource_name(topic: str) -> str:
    """A Kubernetes object name (a DNS-1123 subdomain) for ``topic``: lower case, runs of other
    characters as one ``-`` (``newsstream-__assignor-__leader`` -> ``newsstream-assignor-leader``);
    the topic's own name goes in ``spec.topicName``."""
    labels = [
        re.sub("-+", "-", _INVALID.sub("-", part)).strip("-") for part in topic.lower().split(".")
    ]
    name = ".".join(label for label in labels if label)
    if not name or len(name) > 253:
        raise ValueError(f"no Kubernetes name for topic {topic!r}")
    return name


def _scalar(value: str) -> str:
    """A topic config value: an integer as a YAML integer, anything else as a string."""
    return value if value.isdigit() else json.dumps(value)


def kafka_topic(spec: TopicSpec, replicas: int, cluster: str) -> str:
    """One ``KafkaTopic`` document (YAML, without the ``---``)."""
    lines = [
        f"apiVersion: {KAFKA_TOPIC_API}",
        "kind: KafkaTopic",
        "metadata:",
        f"  name: {resource_name(spec.name)}",
        "  labels:",
        f"    {CLUSTER_LABEL}: {json.dumps(cluster)}",
        "    app.kubernetes.io/name: newsstream",
        "spec:",
        f"  topicName: {json.dumps(spec.name)}",
        f"  partitions: {spec.partitions}",
        f"  replicas: {replicas}",
    ]
    if spec.config:
        lines.append("  config:")
        lines += [f"    {key}: {_scalar(value)}" for key, value in spec.config]
    return "\n".join(lines) + "\n"


def topics_yaml(
    partitions: int,
    app_id: str,
    replicas: int = DEFAULT_REPLICAS,
    cluster: str = DEFAULT_CLUSTER,
    grouping_shards: int = 0,
) -> str:
    """Every topic the worker uses as ``KafkaTopic`` resources, one YAML stream, headed by the
    command that generates it; with ``grouping_shards`` >= 2, sharded grouping's too."""
    specs = worker_specs(app_id, partitions, grouping_shards)
    names = [resource_name(s.name) for s in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"two topics would get one resource name: {names}")
    command = (
        f"python -m deploy.k8s topics --partitions {partitions} --app-id {app_id} "
        f"--replicas {replicas} --cluster {cluster}"
        + (f" --grouping-shards {grouping_shards}" if grouping_shards else "")
    )
    head = (
        f"# Generated from streams/topics.py by `{command}`:\n"
        "# do not edit, regenerate (tests/unit/deploy/test_k8s.py checks it is up to date).\n"
        "# The partitions and app id must be the worker's NEWSSTREAM_PARTITIONS and\n"
        "# NEWSSTREAM_APP_ID (deploy/kubernetes/worker/settings.env).\n"
    )
    return head + "".join("---\n" + kafka_topic(s, replicas, cluster) for s in specs)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m deploy.k8s topics ...``: print the ``KafkaTopic`` resources."""
    defaults = Settings()
    parser = argparse.ArgumentParser(
        prog="python -m deploy.k8s", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    topics = sub.add_parser("topics", help="every topic the worker uses, as Strimzi KafkaTopics")
    topics.add_argument(
        "--partitions",
        type=int,
        default=defaults.partitions,
        help=f"NEWSSTREAM_PARTITIONS of the workers (default {defaults.partitions})",
    )
    topics.add_argument(
        "--app-id",
        default=defaults.app_id,
        help=f"NEWSSTREAM_APP_ID of the workers (default {defaults.app_id})",
    )
    topics.add_argument(
        "--replicas",
        type=int,
        default=DEFAULT_REPLICAS,
        help=f"replication factor (default {DEFAULT_REPLICAS})",
    )
    topics.add_argument(
        "--cluster",
        default=DEFAULT_CLUSTER,
        help=f"the Strimzi Kafka cluster's name (default {DEFAULT_CLUSTER})",
    )
    topics.add_argument(
        "--grouping-shards",
        type=int,
        default=defaults.grouping_shards,
        help="NEWSSTREAM_GROUPING_SHARDS of the workers (default 0: one grouping task; S >= 2 "
        "adds sharded grouping's topics and changelogs, docs/sharding.md)",
    )
    args = parser.parse_args(argv)
    if args.partitions < 1 or args.replicas < 1:
        parser.error("--partitions and --replicas must be at least 1")
    if args.grouping_shards == 1 or args.grouping_shards < 0:
        parser.error("--grouping-shards must be 0 or at least 2")
    sys.stdout.write(
        topics_yaml(args.partitions, args.app_id, args.replicas, args.cluster, args.grouping_shards)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
