"""Stand-ins for what the Faust agents send to and receive from (no broker): recorders for
output topics, a minimal event, the app with its channels."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import faust
import orjson

from streams import topics
from streams.app import Channels, create_app
from streams.settings import Settings

BUS_DE = {
    "text": "Auf der A7 bei Göttingen ist am Montagmorgen ein Reisebus mit 41 Fahrgästen von "
    "der Fahrbahn abgekommen. Zwölf Menschen wurden leicht verletzt, teilte die Polizei mit."
}


class Recorder:
    """Stands in for an output topic: ``send`` records (key, value), the value as the topic's
    orjson codec puts it on the wire and a consumer decodes it (records are sent as
    dataclasses: orjson encodes them without ``asdict``'s deep copy)."""

    def __init__(self) -> None:
        self.sent: list[tuple[bytes | None, Any]] = []
        self.headers: list[dict[str, bytes]] = []

    async def send(
        self,
        *,
        key: bytes | None = None,
        value: Any = None,
        headers: Any = None,
        value_serializer: str | None = None,
    ) -> None:
        if value is None and value_serializer == "raw":  # a tombstone
            self.sent.append((key, None))
        else:
            wire = value if isinstance(value, bytes) else orjson.dumps(value)
            self.sent.append((key, orjson.loads(wire)))
        self.headers.append(dict(headers or []))


def setup(tmp_path: Path) -> tuple[faust.App, Channels, dict[str, Recorder]]:
    app = create_app(Settings(data_dir=tmp_path, app_id="wiring-test"))
    app.conf.store = "memory://"
    rec = {name: Recorder() for name in ("prepared", "enriched", "events", "deadletter")}
    channels = Channels(
        raw=app.channel(),
        prepared=app.channel(),
        enriched=cast(Any, rec["enriched"]),
        events=cast(Any, rec["events"]),
        deadletter=cast(Any, rec["deadletter"]),
    )
    return app, channels, rec


def prepare_channels(channels: Channels, rec: dict[str, Recorder]) -> Channels:
    return Channels(
        raw=channels.raw,
        prepared=cast(Any, rec["prepared"]),
        enriched=channels.enriched,
        events=channels.events,
        deadletter=channels.deadletter,
    )


async def until_sent(rec: dict[str, Recorder], count: int, timeout: float = 30.0) -> None:
    """Wait until ``count`` records are out (the agent sends a batch after its wait)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(rec["prepared"].sent) + len(rec["deadletter"].sent) < count:
        assert loop.time() < deadline, "the prepare agent sent too little"
        await asyncio.sleep(0.01)


class FakeEvent:
    """Stands in for a Faust event: what the grouping batch reads of one."""

    def __init__(self, value: dict[str, Any], offset: int) -> None:
        self.value = value
        self.message = SimpleNamespace(
            value=orjson.dumps(value),
            key=None,
            topic=topics.PREPARED,
            partition=0,
            offset=offset,
            headers=[],
        )
