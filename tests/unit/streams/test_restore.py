"""streams.restore: the bulk step's writes, without a broker (the restart integration test
runs it against a real one)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import rocksdict

from streams.app import create_app
from streams.restore import BulkRestoringStore
from streams.settings import load_settings


@dataclass
class Record:
    offset: int
    key: bytes
    value: bytes | None


def _store(tmp_path: Path) -> BulkRestoringStore:
    app = create_app(load_settings({"NEWSSTREAM_DATA_DIR": str(tmp_path)}))
    table = app.Table("events", partitions=1)
    assert isinstance(table.data, BulkRestoringStore)
    return table.data


def test_every_table_of_the_app_uses_the_bulk_store(tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert store.partition_path(0).name == "events-0.db"


def test_a_fetch_is_written_as_faust_writes_a_changelog_batch(tmp_path: Path) -> None:
    store = _store(tmp_path)
    db = rocksdict.Rdict(str(tmp_path / "db"), options=rocksdict.Options(raw_mode=True))
    db[b'"gone"'] = b"{}"
    records = [
        Record(7, b'"a"', b'{"v":1}'),
        Record(8, b'"gone"', None),  # a tombstone deletes
        Record(9, b'"a"', b'{"v":2}'),  # the last write wins
        Record(10, b'"late"', b'{"v":3}'),  # at the end offset: left to Faust's replay
    ]
    assert store._write(db, records, end=10) == 3
    assert db[b'"a"'] == b'{"v":2}'
    assert b'"gone"' not in db
    assert b'"late"' not in db
    assert db[store.offset_key] == b"9"  # where Faust's recovery goes on from


def test_an_empty_fetch_writes_nothing(tmp_path: Path) -> None:
    store = _store(tmp_path)
    db = rocksdict.Rdict(str(tmp_path / "db"), options=rocksdict.Options(raw_mode=True))
    assert store._write(db, [], end=5) == 0
    assert store.offset_key not in db
