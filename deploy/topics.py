"""Topic set-up: create newsstream's topics with kafka-python's admin client (idempotent), or,
where a platform provisions them (``NEWSSTREAM_CREATE_TOPICS=false``), check that they exist.

The source and output topics, the tables' changelogs and Faust's leader topic are created
here, by ``newsstream worker`` and ``newsstream feed`` before they start. Either way the
partition layout the worker relies on is checked. The admin client connects with the security
of the given settings (PLAINTEXT without any).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from streams.security import client_kwargs, refusals_explained
from streams.settings import Settings
from streams.topics import PREPARED, RAW, TopicSpec


def ensure_topics(
    bootstrap: str,
    specs: Iterable[TopicSpec],
    replication_factor: int = 1,
    timeout: float = 60.0,
    *,
    settings: Settings | None = None,
    create: bool = True,
) -> list[str]:
    """Create the missing topics; return the names created. With ``create`` false, create none:
    :class:`TopicsMissingError` names any that is missing. Retries until ``timeout``, except
    when the broker refuses the credentials or TLS (:class:`~streams.security.BrokerRefusedError`).
    """
    deadline = time.monotonic() + timeout
    specs = list(specs)
    while True:
        try:
            return _create_missing(bootstrap, specs, replication_factor, settings, create)
        except KafkaError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1.0)


class TopicLayoutError(RuntimeError):
    """An existing topic has another number of partitions than newsstream's settings say."""


class TopicsMissingError(RuntimeError):
    """Topics newsstream needs do not exist, and it may not create them
    (``NEWSSTREAM_CREATE_TOPICS=false``): the message names them and what to do."""

    def __init__(self, bootstrap: str, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(
            f"{len(missing)} topic(s) missing on {bootstrap}: {', '.join(missing)}; "
            "NEWSSTREAM_CREATE_TOPICS=false leaves creating them to the platform: provision "
            "them (the KafkaTopic resources of `python -m deploy.k8s topics`, "
            "deploy/kubernetes/topics.yaml) or set NEWSSTREAM_CREATE_TOPICS=true"
        )


#: Topics whose partition count the worker relies on: ``news.raw`` and the table changelog
#: co-partitioned with it (``NEWSSTREAM_PARTITIONS``), and the one-partition topics of the
#: grouping stage. The output topics may have any number.
_STRICT_SUFFIXES = ("-changelog",)


def _check_layout(admin: KafkaAdminClient, existing: list[TopicSpec]) -> None:
    strict = [s for s in existing if s.name in (RAW, PREPARED) or s.name.endswith(_STRICT_SUFFIXES)]
    if not strict:
        return
    described = admin.describe_topics([s.name for s in strict])
    # kafka-python 3.x names the field "name" (the Metadata API's); 2.x named it "topic"
    found = {d.get("name", d.get("topic")): len(d.get("partitions") or ()) for d in described}
    wrong = [(s, found[s.name]) for s in strict if found.get(s.name, s.partitions) != s.partitions]
    if wrong:
        raise TopicLayoutError(
            "; ".join(f"{s.name} has {have} partitions, not {s.partitions}" for s, have in wrong)
            + f" (set NEWSSTREAM_PARTITIONS to the partitions {RAW} was created with)"
        )


def _create_missing(
    bootstrap: str,
    specs: list[TopicSpec],
    replication_factor: int,
    settings: Settings | None,
    create: bool = True,
) -> list[str]:
    with refusals_explained(settings, bootstrap):
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap, client_id="newsstream-admin", **client_kwargs(settings)
        )
    try:
        existing = set(admin.list_topics())
        _check_layout(admin, [s for s in specs if s.name in existing])
        missing = [s for s in specs if s.name not in existing]
        if missing and not create:
            raise TopicsMissingError(bootstrap, [s.name for s in missing])
        created: list[str] = []
        for spec in missing:
            topic = NewTopic(
                spec.name,
                num_partitions=spec.partitions,
                replication_factor=replication_factor,
                topic_configs=dict(spec.config),
            )
            try:
                admin.create_topics([topic], timeout_ms=30_000)
                created.append(spec.name)
            except TopicAlreadyExistsError:
                pass
        if missing:
            admin.wait_for_topics([s.name for s in missing], timeout_ms=30_000)
        return created
    finally:
        admin.close()
