"""Table writes durable before acknowledgement (:class:`streams.tables.ChangelogReceipts`),
with a stand-in for a Faust table."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from streams.tables import ChangelogReceipts


class Table:
    """A table whose changelog sends are futures the test resolves (Faust's ``send_changelog``
    returns the delivery future of the record it puts in the producer buffer)."""

    def __init__(self) -> None:
        self.sent: list[asyncio.Future[Any]] = []

    def send_changelog(self, partition: int | None, key: Any, value: Any) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.sent.append(future)
        return future

    def _send_changelog(self, key: Any, value: Any) -> None:  # Faust's path on table[key] = value
        self.send_changelog(0, key, value)


def test_a_batch_is_done_only_once_its_changelog_records_are_delivered() -> None:
    async def run() -> list[str]:
        events, closed = Table(), Table()
        receipts = ChangelogReceipts(events, closed)
        steps: list[str] = []
        events._send_changelog("e1", {"members": 1})
        closed._send_changelog("e0", 1.0)
        assert receipts.pending == 2

        async def batch() -> None:
            await receipts.delivered()
            steps.append("acknowledged")

        waiting = asyncio.ensure_future(batch())
        await asyncio.sleep(0.01)
        steps.append("not yet")  # a record still in the producer buffer holds the batch
        events.sent[0].set_result(None)
        await asyncio.sleep(0.01)
        assert not waiting.done()
        closed.sent[0].set_result(None)
        await waiting
        assert receipts.pending == 0
        assert await receipts.delivered() == 0  # nothing written since
        return steps

    assert asyncio.run(run()) == ["not yet", "acknowledged"]


def test_a_failed_changelog_send_fails_the_batch() -> None:
    async def run() -> None:
        table = Table()
        receipts = ChangelogReceipts(table)
        table._send_changelog("e1", {})
        table.sent[0].set_exception(RuntimeError("broker gone"))
        await receipts.delivered()

    with pytest.raises(RuntimeError, match="broker gone"):
        asyncio.run(run())
