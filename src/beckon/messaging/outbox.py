"""The bedside outbox: a message is on disk before it is published and leaves only when the
station confirms it.

paho-mqtt keeps unacknowledged QoS 1 messages in memory, so a crash or power cut would lose a
patient's request. Here every outgoing request or cancel is first committed to SQLite (WAL,
``synchronous=FULL``) and removed only when the station's receipt arrives; until then it is sent
again after every reconnect and on a timer. The station de-duplicates on the request id, so
sending twice is harmless: together that gives exactly-once at the station.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from beckon.durable import UNWRITABLE_HINT, check_sound, is_corrupt, move_aside, open_durable
from beckon.errors import BeckonError, ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxEntry:
    key: str
    topic: str
    payload: bytes
    created_at: float
    attempts: int
    last_sent_at: float | None


def open_outbox(path: Path) -> Outbox:
    """Open the outbox; a damaged file is moved aside (kept: it may hold requests nobody has
    confirmed yet) and a fresh one started, so the bedside can always start again. A file
    that cannot be written at all is an error naming it."""
    try:
        return Outbox(path)
    except sqlite3.DatabaseError as exc:
        if not is_corrupt(exc):
            raise BeckonError(
                f"the outbox {path} cannot be written: {exc}", UNWRITABLE_HINT
            ) from None
        aside = move_aside(path)
        log.error(
            "the outbox %s is damaged (%s); moved it to %s and started an empty one. Requests "
            "in it that the station had not confirmed are not sent: check the station for them.",
            path, exc, aside,
        )  # fmt: skip
    fresh = Outbox(path)
    for key, topic, payload in _salvage(aside):
        fresh.add(key, topic, payload)
        log.warning("recovered %s from the damaged outbox", key)
    return fresh


def _salvage(path: Path) -> list[tuple[str, str, bytes]]:
    """Whatever rows of a damaged outbox can still be read (often all of them)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT key, topic, payload FROM outbox").fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return []
    return [(str(k), str(t), bytes(pl)) for k, t, pl in rows]


class Outbox:
    """A durable queue of messages waiting for a receipt. Use from one thread only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.write_error = ""
        """Why a write failed, until a message can be stored again: a full or broken disk."""
        self._db = open_durable(path)
        check_sound(self._db)
        self._db.execute(
            """CREATE TABLE IF NOT EXISTS outbox (
                   key TEXT PRIMARY KEY,
                   topic TEXT NOT NULL,
                   payload BLOB NOT NULL,
                   created_at REAL NOT NULL,
                   attempts INTEGER NOT NULL DEFAULT 0,
                   last_sent_at REAL)"""
        )
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(outbox)")}
        missing = {"key", "topic", "payload", "created_at", "attempts", "last_sent_at"} - columns
        if missing:
            # Not this program's outbox: every send failed with a traceback, 130 in 7 s.
            self._db.close()
            raise ConfigError(
                f"{path} is not a Beckon outbox (its outbox table has no "
                f"{', '.join(sorted(missing))})",
                "point bedside.outbox at another file, or move this one aside",
            )
        # A write now, at start: a file that can be read but not written (left by a run as
        # root, a disk remounted read-only) was noticed only at the patient's first call.
        with self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS health (at REAL)")
            self._db.execute("CREATE TABLE IF NOT EXISTS last_state (payload BLOB)")
            self._db.execute("DELETE FROM health")
            self._db.execute("INSERT INTO health VALUES (?)", (time.time(),))

    def add(self, key: str, topic: str, payload: bytes) -> bool:
        """Store a message durably. Returns False if the key is already waiting. Raises
        sqlite3.Error when it cannot be stored (a full disk): the caller must know."""
        try:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO outbox (key, topic, payload, created_at) "
                "VALUES (?, ?, ?, ?)",
                (key, topic, payload, time.time()),
            )
        except sqlite3.Error as exc:
            self.write_error = str(exc)
            raise
        self.write_error = ""
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
        """Count a send. One that cannot be written (a full disk) is logged, not raised: the
        message was sent, and sending it again is harmless (every receiver is idempotent)."""
        self._write(
            "UPDATE outbox SET attempts = attempts + 1, last_sent_at = ? WHERE key = ?",
            (time.time(), key),
        )

    def set_aside(self, key: str) -> Path:
        """Move a row this bed cannot send into ``<outbox>.set-aside.jsonl`` (kept for IT to
        look at, never lost) and out of the queue, where it held up the rows after it."""
        aside = self.path.with_name(self.path.name + ".set-aside.jsonl")
        for entry in self.pending():
            if entry.key == key:
                row = {"key": entry.key, "topic": entry.topic, "created_at": entry.created_at,
                       "payload": entry.payload.decode("utf-8", "replace")}  # fmt: skip
                with aside.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
                self.remove(key)
        return aside

    def remove(self, key: str) -> bool:
        """Forget a confirmed message. One that cannot be deleted (a full disk) is logged and
        left: the next receipt or state removes it; the caller goes on as if confirmed."""
        cur = self._write("DELETE FROM outbox WHERE key = ?", (key,))
        return cur is not None and cur.rowcount == 1

    def _write(self, sql: str, args: tuple[object, ...]) -> sqlite3.Cursor | None:
        try:
            cur = self._db.execute(sql, args)
        except sqlite3.Error as exc:
            if not self.write_error:
                log.error("the outbox %s cannot be written: %s", self.path, exc)
            self.write_error = str(exc)
            return None
        return cur  # only a message stored again (``add``) clears ``write_error``

    def remember_state(self, payload: bytes) -> None:
        """Keep the bed's last state from the station (its open requests), to show them after
        a restart before the station can be reached again."""
        # Only a convenience: it never fails a message.
        with contextlib.suppress(sqlite3.Error), self._db:
            self._db.execute("DELETE FROM last_state")
            self._db.execute("INSERT INTO last_state VALUES (?)", (payload,))

    def last_state(self) -> bytes | None:
        """What :meth:`remember_state` kept (None: nothing yet)."""
        row = self._db.execute("SELECT payload FROM last_state").fetchone()
        return bytes(row[0]) if row else None

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])

    def close(self) -> None:
        self._db.close()
