"""The bedside outbox: a message is on disk before it is published and leaves only when the
station confirms it.

paho-mqtt keeps unacknowledged QoS 1 messages in memory, so a crash or power cut would lose a
patient's request. Here every outgoing request or cancel is first committed to SQLite (WAL,
``synchronous=FULL``) and removed only when the station's receipt arrives; until then it is sent
again after every reconnect and on a timer. The station de-duplicates on the request id, so
sending twice is harmless: together that gives exactly-once at the station.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from beckon.durable import open_durable


@dataclass(frozen=True)
class OutboxEntry:
    key: str
    topic: str
    payload: bytes
    created_at: float
    attempts: int
    last_sent_at: float | None


class Outbox:
    """A durable queue of messages waiting for a receipt. Use from one thread only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = open_durable(path)
        self._db.execute(
            """CREATE TABLE IF NOT EXISTS outbox (
                   key TEXT PRIMARY KEY,
                   topic TEXT NOT NULL,
                   payload BLOB NOT NULL,
                   created_at REAL NOT NULL,
                   attempts INTEGER NOT NULL DEFAULT 0,
                   last_sent_at REAL)"""
        )

    def add(self, key: str, topic: str, payload: bytes) -> bool:
        """Store a message durably. Returns False if the key is already waiting."""
        cur = self._db.execute(
            "INSERT OR IGNORE INTO outbox (key, topic, payload, created_at) VALUES (?, ?, ?, ?)",
            (key, topic, payload, time.time()),
        )
        return cur.rowcount == 1

    def pending(self) -> list[OutboxEntry]:
        """Waiting messages, oldest first. When each is due again is the sender's rule
        (``beckon.bedside.service.resend_delay``), decided from ``attempts`` and
        ``last_sent_at``."""
        rows = self._db.execute(
            "SELECT key, topic, payload, created_at, attempts, last_sent_at FROM outbox "
            "ORDER BY created_at, rowid"
        ).fetchall()
        return [OutboxEntry(*row) for row in rows]

    def mark_sent(self, key: str) -> None:
        self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_sent_at = ? WHERE key = ?",
            (time.time(), key),
        )

    def remove(self, key: str) -> bool:
        return self._db.execute("DELETE FROM outbox WHERE key = ?", (key,)).rowcount == 1

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])

    def close(self) -> None:
        self._db.close()
