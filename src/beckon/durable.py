"""Opening a SQLite file that must survive a crash or a power cut.

The bedside outbox and the station's request store make the same promise (a request that was
accepted is never lost), so they open their files the same way: write-ahead log and
``synchronous=FULL`` (every commit reaches the disk before it returns), autocommit so that
transactions are explicit.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path


def open_durable(path: Path) -> sqlite3.Connection:
    """A connection for one thread; creates the folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    return db


UNWRITABLE_HINT = "check the disk space and the file's owner and permissions"
"""A file that is not damaged but cannot be written (read-only, disk full): what to check."""

LOCKED_HINT = (
    "end the other program (a sqlite3 shell in a transaction, a backup or copy tool) or its "
    "transaction; the service then starts again"
)


def is_locked(exc: sqlite3.Error) -> bool:
    """Another connection held the write lock longer than the busy timeout (5 s): a program
    outside Beckon, not the disk or the file's permissions."""
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text


def is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    """SQLite's ways of saying the file is damaged (as opposed to read-only or full)."""
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


def check_sound(db: sqlite3.Connection) -> None:
    """Raise sqlite3.DatabaseError unless SQLite's quick integrity check passes."""
    result = db.execute("PRAGMA quick_check").fetchone()
    if not result or result[0] != "ok":
        raise sqlite3.DatabaseError(f"database disk image is malformed: {result}")


def move_aside(path: Path) -> Path:
    """Rename a damaged database (with its WAL and shared-memory files) to
    ``NAME.corrupt-TIME`` beside it, kept for recovery, so a fresh one can start."""
    aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
    for suffix in ("", "-wal", "-shm"):
        part = path.with_name(path.name + suffix)
        if part.exists():
            part.rename(aside.with_name(aside.name + suffix))
    return aside
