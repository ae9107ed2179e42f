"""``newsstream kafka start|stop|status``: the local single-node KRaft broker."""

from __future__ import annotations

import orjson

from deploy import broker
from streams.settings import Settings


def run(settings: Settings, action: str, version: str | None, port: int) -> int:
    cfg = broker.BrokerConfig(
        version=broker.resolve_version(version or settings.kafka_version),
        port=port,
        controller_port=port + 1,
    )
    if action == "start":
        pid = broker.start(cfg)
        print(f"Kafka {cfg.version} ready at {broker.bootstrap(cfg)} (pid {pid})")
    elif action == "stop":
        was_running = broker.stop(cfg)
        print("stopped" if was_running else "not running")
    else:
        print(orjson.dumps(broker.status(cfg), default=str).decode())
    return 0
