"""Opening a SQLite file that must survive a crash or a power cut.

The bedside outbox and the station's request store make the same promise (a request that was
accepted is never lost), so they open their files the same way: write-ahead log and
``synchronous=FULL`` (every commit reaches the disk before it returns), autocommit so that
transactions are explicit.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_durable(path: Path) -> sqlite3.Connection:
    """A connection for one thread; creates the folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    return db
