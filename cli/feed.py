"""``newsstream feed``: files or stdin -> ``news.raw`` with kafka-python, with a progress bar.

``.txt`` (``.md``, any other): first line = title, the rest = text. ``.html``/``.htm``: the
page, in its own charset. ``.json``: one object or a list of objects. ``.jsonl`` and ``-``
(stdin): one message per line, sent as received (a malformed line still reaches the worker,
which dead-letters it with a reason), streamed: a multi-gigabyte backfill is read line by
line, in bounded memory. ``--rate`` bounds the articles sent per second. Crawler output
(trafilatura's and news-please's JSON) is sent as it is: the validation stage reads their
field names (:data:`agents.validation.CRAWLER_FIELDS`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import orjson

from deploy.topics import TopicsMissingError, ensure_topics
from streams.security import client_kwargs, refusals_explained
from streams.settings import Settings
from streams.topics import RAW, TOPIC_MAX_MESSAGE_BYTES, topic_specs

Message = tuple[bytes | None, bytes]


def _key_of(value: bytes) -> bytes | None:
    """The message key: the article's id, else its URL; None when there is neither."""
    try:
        doc = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(doc, dict):
        return None
    for name in ("id", "url"):
        if isinstance(doc.get(name), str | int) and not isinstance(doc.get(name), bool):
            return str(doc[name]).encode()
    return None


def _lines(stream: IO[bytes]) -> Iterator[Message]:
    """One message per non-empty line, read as it comes (bounded memory)."""
    for raw in stream:
        line = raw.rstrip(b"\r\n")
        if line.strip():
            yield _key_of(line), line


def read_path(path: str) -> Iterator[Message]:
    """The ``news.raw`` messages one input file (or ``-``) holds, lazily."""
    if path == "-":
        yield from _lines(sys.stdin.buffer)
        return
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix == ".jsonl":
        with file.open("rb") as stream:
            yield from _lines(stream)
        return
    data = file.read_bytes()  # one document: a page, a text, one JSON value
    if suffix == ".json":
        doc = orjson.loads(data)
        for item in doc if isinstance(doc, list) else [doc]:
            value = orjson.dumps(item)
            yield _key_of(value), value
    elif suffix in (".html", ".htm"):
        # a saved page may be in its own charset (windows-1251, Shift_JIS…): trafilatura's
        # decoding reads its declaration and guesses the rest, as it does for fetched pages
        from trafilatura.utils import decode_file

        yield None, orjson.dumps({"html": decode_file(data), "source": None, "title": None})
    else:
        text = data.decode("utf-8", "replace")
        title, _, body = text.partition("\n")
        yield None, orjson.dumps({"title": title.strip(), "text": body.strip()})


def produce(
    bootstrap: str,
    messages: Iterable[Message],
    total: int | None = None,
    progress: bool = True,
    *,
    settings: Settings | None = None,
    wait_for_broker: float = 30.0,
    topic: str = RAW,
    rate: float | None = None,
) -> int:
    """Send ``messages`` to ``topic`` (``news.raw``) and wait until the broker has them all
    (connecting with the security of ``settings``; PLAINTEXT without), at most ``rate``
    messages per second if given.

    A broker that is not reachable yet (or restarting) is retried for ``wait_for_broker``
    seconds, reconnecting at least every second; sends are retried for two minutes.
    """
    from kafka import KafkaProducer
    from tqdm import tqdm

    with refusals_explained(settings, bootstrap):
        producer = KafkaProducer(
            bootstrap_servers=bootstrap,
            acks="all",
            linger_ms=5,
            bootstrap_timeout_ms=int(wait_for_broker * 1000),
            reconnect_backoff_max_ms=1000,
            max_request_size=TOPIC_MAX_MESSAGE_BYTES + 64 * 1024,
            client_id="newsstream-feed",
            **client_kwargs(settings),
        )
    sent = 0
    started = 0.0  # when the first message went
    try:
        with tqdm(total=total, unit="article", disable=not progress, file=sys.stderr) as bar:
            for key, value in messages:
                if rate:  # ahead of the rate: wait until this message is due
                    started = started or time.monotonic()
                    delay = started + sent / rate - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                producer.send(topic, key=key, value=value)
                sent += 1
                bar.update(1)
        producer.flush()
    finally:
        producer.close()
    return sent


def run(settings: Settings, paths: list[str], rate: float | None = None) -> None:
    """Every message of ``paths`` to ``news.raw``, streamed, at most ``rate`` per second."""
    try:
        ensure_topics(
            settings.broker,
            topic_specs(settings.partitions),
            settings.replication_factor,
            settings=settings,
            create=settings.create_topics,
        )
    except TopicsMissingError as exc:
        raise SystemExit(f"newsstream feed: {exc}") from None
    messages = (m for path in paths for m in read_path(path))
    sent = produce(settings.broker, messages, settings=settings, rate=rate)
    print(f"fed {sent} articles to {RAW} at {settings.broker}", file=sys.stderr)
