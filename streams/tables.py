"""How newsstream's Faust tables are stored: RocksDB, sized for a news worker.

Faust's RocksDB defaults (a 2 GiB block cache and three 64 MiB memtables per table partition)
are sized for large stateful jobs; newsstream's tables are small (open events, learned chrome)
and a worker opens one RocksDB per table partition, so the budget is set per database here.
"""

from __future__ import annotations

from typing import Any

#: Passed as ``options=`` to every ``app.Table``: per RocksDB database.
ROCKSDB_OPTIONS: dict[str, Any] = {
    "write_buffer_size": 8 * 1024 * 1024,
    "max_write_buffer_number": 2,
    "block_cache_size": 32 * 1024 * 1024,
    "block_cache_compressed_size": 8 * 1024 * 1024,
}
