"""The station's request store: one SQLite file (WAL, synchronous=FULL).

The request id is the primary key, so a request that arrives twice (the bedside resends until it
gets a receipt) is stored once. Every change of state is a row in ``events`` with who and when,
which is also what response-time reports read.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from beckon.durable import (
    LOCKED_HINT,
    UNWRITABLE_HINT,
    check_sound,
    is_corrupt,
    is_locked,
    move_aside,
    open_durable,
)
from beckon.errors import ConfigError
from beckon.messaging.protocol import (
    Answer,
    BedAddress,
    Question,
    QuestionView,
    Request,
    RequestState,
    RequestView,
    StateChange,
    now_iso,
    parse_iso,
)
from beckon.station import lifecycle

log = logging.getLogger(__name__)

STATE_REQUESTS = 30
"""Requests in a bed's state message (the schema's limit)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id TEXT PRIMARY KEY,
    site TEXT NOT NULL, unit TEXT NOT NULL, bed TEXT NOT NULL,
    intent TEXT NOT NULL, priority TEXT NOT NULL, source TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    by TEXT, escalation INTEGER NOT NULL DEFAULT 0,
    history TEXT NOT NULL, level INTEGER, paged INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS requests_by_bed ON requests (site, unit, bed, updated_at);
CREATE INDEX IF NOT EXISTS requests_by_state ON requests (state);
CREATE TABLE IF NOT EXISTS events (
    request_id TEXT NOT NULL REFERENCES requests(id),
    state TEXT NOT NULL, at TEXT NOT NULL, by TEXT
);
CREATE INDEX IF NOT EXISTS events_by_request ON events (request_id);
CREATE INDEX IF NOT EXISTS events_by_state ON events (state, at);
CREATE TABLE IF NOT EXISTS questions (
    id TEXT PRIMARY KEY,
    site TEXT NOT NULL, unit TEXT NOT NULL, bed TEXT NOT NULL,
    text TEXT NOT NULL, asked_by TEXT NOT NULL, asked_at TEXT NOT NULL,
    answer TEXT, answered_at TEXT, source TEXT
);
CREATE INDEX IF NOT EXISTS questions_by_unit ON questions (site, unit, asked_at);
CREATE TABLE IF NOT EXISTS beds (
    site TEXT NOT NULL, unit TEXT NOT NULL, bed TEXT NOT NULL,
    online INTEGER NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (site, unit, bed)
);
"""


@dataclass(frozen=True)
class ResponseRow:
    """One request as response-time reports see it (times are RFC 3339 on the station clock)."""

    request_id: str
    intent: str
    priority: str
    received_at: str
    first_action_at: str | None
    resolved_at: str | None
    cancelled_at: str | None = None  # closed by the patient (or bedside) without a nurse


class StoreUnavailable(Exception):
    """The database cannot be opened or written; ``hint`` says what to do. ``locked``: only
    because another program holds its write lock, which frees when that program ends its
    transaction (a starting station waits for it, ``config.LOCK_WAIT_S``)."""

    def __init__(self, message: str, hint: str, locked: bool = False) -> None:
        super().__init__(message)
        self.hint = hint
        self.locked = locked


def open_store(path: Path) -> RequestStore:
    """Open the station database, checking that it can be written.

    A file that is not a database or fails SQLite's integrity check is moved aside (kept for
    recovery, next to it with the time in its name) and a fresh one started, with an error in
    the log: a station that cannot start serves nobody. A database that cannot be written
    (read-only, disk full) raises StoreUnavailable: the station must not announce itself.
    """
    try:
        store = RequestStore(path)
        store.check()
        return store
    except sqlite3.DatabaseError as exc:
        if is_locked(exc):
            raise StoreUnavailable(
                f"the station database {path} is locked by another program ({exc})",
                LOCKED_HINT,
                locked=True,
            ) from None
        if not is_corrupt(exc):
            raise StoreUnavailable(
                f"the station database {path} cannot be written: {exc}", UNWRITABLE_HINT
            ) from None
        aside = move_aside(path)
        log.error(
            "the station database %s is corrupt (%s); moved it to %s and started a fresh one. "
            "Open calls come back from the broker's retained call messages (ADOPTED) and "
            "unconfirmed ones from the bedsides' outboxes; restore history from it or a backup.",
            path, exc, aside,
        )  # fmt: skip
    try:
        store = RequestStore(path)
        store.check()
        return store
    except sqlite3.Error as exc:
        raise StoreUnavailable(
            f"the station database {path} cannot be created: {exc}",
            "check the disk space and the folder's owner and permissions",
        ) from None


class RequestStore:
    """Requests, their history and bed presence. Use from one thread only."""

    write_errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    """Exceptions that mean "this store cannot store now": the station stops on them (and is
    restarted, or a standby takes over) instead of announcing itself online."""

    path: Path | None
    """The SQLite file; None for a store whose data a server keeps (PostgreSQL)."""

    def describe(self) -> str:
        """The store as the station's fault message names it."""
        return f"database {self.path}"

    def write_problem(self, exc: Exception) -> str:
        """The fault for one of ``write_errors``: what is wrong and, where the cause is known
        from the error, what to do (a lock is not a full disk)."""
        if isinstance(exc, sqlite3.Error) and is_locked(exc):
            return f"{self.describe()} is locked by another program: {LOCKED_HINT}"
        return f"{self.describe()} cannot be written: {exc}"

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._db = open_durable(path)
        except sqlite3.Error as exc:
            raise sqlite3.OperationalError(f"{exc} ({path})") from exc
        try:
            self._db.executescript(_SCHEMA)
        except sqlite3.OperationalError as exc:
            if "no such column" not in str(exc) and "has no column" not in str(exc):
                raise
            # Another program's database (or a table of the same name from elsewhere): the
            # same on every start, so a configuration error, not "check the disk space".
            self._db.close()
            raise ConfigError(
                f"{path} is not a Beckon station database ({exc})",
                "point station.database at another file, or move this one aside",
            ) from None
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(requests)")}
        if "level" not in columns:  # a database from before the pain scale
            self._db.execute("ALTER TABLE requests ADD COLUMN level INTEGER")
        if "paged" not in columns:  # from before pages were confirmed: taken as paged
            self._db.execute("ALTER TABLE requests ADD COLUMN paged INTEGER NOT NULL DEFAULT 0")
            self._db.execute("UPDATE requests SET paged = escalation")

    def check(self) -> None:
        """Raise sqlite3.DatabaseError unless the file is sound and a write reaches the disk."""
        check_sound(self._db)
        self.ping()

    def ping(self) -> None:
        """A small write, so that a store that can no longer be written (disk full, file made
        read-only, PostgreSQL server gone) raises one of ``write_errors`` now, not at the next
        call. Cheap enough for the station to do every few seconds."""
        with self._tx():
            self._db.execute("CREATE TABLE IF NOT EXISTS health (at TEXT)")
            self._db.execute("DELETE FROM health")
            self._db.execute("INSERT INTO health VALUES (?)", (now_iso(),))

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------ requests

    def receive(self, req: Request, at: str | None = None) -> tuple[RequestView, bool]:
        """Store a request once. Returns the stored view and whether it was new."""
        return self.receive_many([req], at)[0]

    def receive_many(
        self, reqs: list[Request], at: str | None = None
    ) -> list[tuple[RequestView, bool]]:
        """Store requests once each, in one transaction: one write to the disk for a whole
        burst instead of one per call. Returns (stored view, whether new) per request."""
        at = at or now_iso()
        results: list[tuple[RequestView, bool]] = []
        with self._tx():
            for req in reqs:
                existing = self.get(req.id)
                if existing is not None:
                    results.append((existing, False))
                    continue
                view = RequestView(
                    id=req.id,
                    site=req.site,
                    unit=req.unit,
                    bed=req.bed,
                    intent=req.intent,
                    priority=req.priority,
                    source=req.source,
                    state="received",
                    created_at=req.created_at,
                    updated_at=at,
                    history=(StateChange("created", req.created_at), StateChange("received", at)),
                    level=req.level,
                )
                self._write(view, insert=True)
                self._event(view.id, "received", at, None)
                results.append((view, True))
        return results

    def adopt(self, view: RequestView) -> tuple[RequestView, bool]:
        """Store an open request this database never had, as another copy of it says it is
        (its retained call message: the database was restored from a backup, moved aside, or
        switched). Returns the stored view and whether it was new."""
        existing = self.get(view.id)
        if existing is not None:
            return existing, False
        now = now_iso()
        # Its escalation counts from "received": a time the station's clock has not reached
        # (a bad clock, or a forged message) would delay it for years, or overflow.
        history = tuple(
            replace(h, at=now) if _in_future(h.at, now) else h for h in view.history
        ) or (
            StateChange("created", view.created_at),
            StateChange("received", now),  # the tablet's clock is not the station's
            *((StateChange(view.state, now, view.by),) if view.by else ()),
        )
        updated = now if _in_future(view.updated_at, now) else view.updated_at
        adopted = replace(view, history=history, updated_at=updated)
        received = next((h.at for h in history if h.state == "received"), now)
        with self._tx():
            self._write(adopted, insert=True)
            # Its levels were paged by the station that stored it: not paged again for each
            # call a restored database adopts.
            self._db.execute("UPDATE requests SET paged = escalation WHERE id = ?", (view.id,))
            self._event(view.id, "received", received, None)
            if view.state != "received":
                self._event(view.id, view.state, updated, view.by)
        return adopted, True

    def change(
        self, request_id: str, new: RequestState, by: str | None, at: str | None = None
    ) -> RequestView:
        """Apply a lifecycle change; raises KeyError or lifecycle.LifecycleError."""
        view = self.get(request_id)
        if view is None:
            raise KeyError(request_id)
        at = at or now_iso()
        moved = lifecycle.move(view, new, at, by)
        with self._tx():
            self._write(moved, insert=False)
            self._event(request_id, new, at, by)
        return moved

    def set_escalation(self, request_id: str, level: int, at: str | None = None) -> RequestView:
        if self.get(request_id) is None:
            raise KeyError(request_id)
        at = at or now_iso()
        with self._tx():
            self._db.execute("UPDATE requests SET escalation = ? WHERE id = ?", (level, request_id))
            self._event(request_id, f"escalated:{level}", at, None)
        view = self.get(request_id)
        assert view is not None
        return view

    def set_paged(self, request_id: str, level: int) -> None:
        """The escalation hook confirmed the page for ``level`` (see ``unpaged``)."""
        with self._tx():
            self._db.execute(
                "UPDATE requests SET paged = ? WHERE id = ? AND paged < ?",
                (level, request_id, level),
            )

    def unpaged(self, site: str, unit: str) -> list[RequestView]:
        """Open calls whose latest escalation level was stored but its page never confirmed:
        the station stopped (or the pager failed) in between, and pages them again."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM requests WHERE state IN ('received', 'acknowledged') "
            "AND site = ? AND unit = ? AND escalation > paged ORDER BY created_at",
            (site, unit),
        )
        return _views(rows)

    def get(self, request_id: str) -> RequestView | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM requests WHERE id = ?", (request_id,))
        found = row.fetchone()
        return _to_view(found) if found else None

    def find(self, prefix: str) -> list[RequestView]:
        """Requests whose id starts with ``prefix`` (the CLI accepts short ids)."""
        if not prefix:
            return []
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM requests WHERE substr(id, 1, ?) = ? ORDER BY created_at",
            (len(prefix), prefix),
        )
        return _views(rows)

    def open_requests(self, site: str | None = None, unit: str | None = None) -> list[RequestView]:
        sql = f"SELECT {_COLUMNS} FROM requests WHERE state IN ('received', 'acknowledged')"
        args: list[str] = []
        if site is not None and unit is not None:
            sql += " AND site = ? AND unit = ?"
            args = [site, unit]
        rows = self._db.execute(sql + " ORDER BY created_at", args)
        return _views(rows)

    def for_bed(
        self, bed: BedAddress, closed_limit: int = 10, limit: int = STATE_REQUESTS
    ) -> list[RequestView]:
        """A bed's open requests and its most recently closed ones, oldest first. Past
        ``limit`` the most recently changed win, so the request that just changed (say, was
        acknowledged) is always in the bed's state however many it has open."""
        rows = self._db.execute(
            f"""SELECT {_COLUMNS} FROM (
                  SELECT * FROM (SELECT * FROM requests WHERE site = ? AND unit = ? AND bed = ?
                    AND state IN ('received', 'acknowledged') ORDER BY updated_at DESC LIMIT ?)
                    AS open_requests
                  UNION ALL
                  SELECT * FROM (SELECT * FROM requests WHERE site = ? AND unit = ? AND bed = ?
                    AND state IN ('resolved', 'cancelled') ORDER BY updated_at DESC LIMIT ?)
                    AS closed_requests
                ) AS recent ORDER BY updated_at DESC LIMIT ?""",
            (bed.site, bed.unit, bed.bed, limit, bed.site, bed.unit, bed.bed, closed_limit, limit),
        )
        views = _views(rows)
        return sorted(views, key=lambda v: (v.created_at, v.id))

    def beds_changed_since(self, site: str, unit: str, since: str) -> list[str]:
        """Beds of a unit with a request that is open or changed at or after ``since``."""
        rows = self._db.execute(
            "SELECT DISTINCT bed FROM requests WHERE site = ? AND unit = ? AND "
            "(updated_at >= ? OR state IN ('received', 'acknowledged')) ORDER BY bed",
            (site, unit, since),
        )
        return [str(r[0]) for r in rows]

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM requests").fetchone()[0])

    def events(self, request_id: str) -> list[tuple[str, str, str | None]]:
        rows = self._db.execute(
            "SELECT state, at, by FROM events WHERE request_id = ? ORDER BY rowid", (request_id,)
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def response_rows(self, site: str, unit: str, since: str) -> list[ResponseRow]:
        """Requests of a unit received at or after ``since`` (RFC 3339, UTC), with when a nurse
        first acted on them and when they were resolved: what response-time reports read."""
        # One join on the request's own events, grouped: the three correlated subqueries it
        # had were planned on the (state, at) index, so each row of the window scanned every
        # acknowledgement ever stored. At 2,500 requests the station spent 60 % of a core on
        # it and receipts waited 1.8 s; a month of history took 86 s a run.
        rows = self._db.execute(
            """SELECT r.id, r.intent, r.priority, rec.at,
                   MIN(CASE WHEN e.state IN ('acknowledged', 'resolved') THEN e.at END),
                   MIN(CASE WHEN e.state = 'resolved' THEN e.at END),
                   MIN(CASE WHEN e.state = 'cancelled' THEN e.at END)
               FROM events rec JOIN requests r ON r.id = rec.request_id
               LEFT JOIN events e ON e.request_id = r.id
               WHERE rec.state = 'received' AND rec.at >= ? AND r.site = ? AND r.unit = ?
               GROUP BY r.id, r.intent, r.priority, rec.at
               ORDER BY rec.at""",
            (since, site, unit),
        )
        return [ResponseRow(*row) for row in rows]

    # ------------------------------------------------------------ questions

    def ask(self, q: Question) -> QuestionView | None:
        """Store a question before it is asked; None when one with its id is stored already
        (the same ask command again: a standby taking over replays the broker's backlog)."""
        with self._tx():
            cursor = self._db.execute(
                "INSERT INTO questions (id, site, unit, bed, text, asked_by, asked_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                (q.id, q.site, q.unit, q.bed, q.text, q.asked_by, q.at),
            )
        if cursor.rowcount != 1:
            return None
        return QuestionView(q.id, q.bed, q.text, q.asked_by, q.at)

    def answer(self, a: Answer, at: str | None = None) -> tuple[QuestionView | None, bool]:
        """Record the first answer to a question of that bed. Returns the question (None if
        unknown) and whether this answer was new (a resent answer changes nothing)."""
        row = self._db.execute(
            f"SELECT {_Q_COLUMNS} FROM questions WHERE id = ? AND site = ? AND unit = ? "
            "AND bed = ?",
            (a.question_id, a.site, a.unit, a.bed),
        ).fetchone()
        if row is None:
            return None, False
        view = QuestionView(*row)
        if view.answer is not None:
            return view, False
        at = at or now_iso()
        self._db.execute(
            "UPDATE questions SET answer = ?, answered_at = ?, source = ? WHERE id = ?",
            (a.answer, at, a.source, a.question_id),
        )
        return replace(view, answer=a.answer, answered_at=at, source=a.source), True

    def questions(self, site: str, unit: str, limit: int = 20) -> list[QuestionView]:
        """The unit's most recent questions, newest first."""
        rows = self._db.execute(
            f"SELECT {_Q_COLUMNS} FROM questions WHERE site = ? AND unit = ? "
            "ORDER BY asked_at DESC, rowid DESC LIMIT ?",
            (site, unit, limit),
        )
        return [QuestionView(*r) for r in rows]

    # ------------------------------------------------------------ beds

    def set_bed_online(self, bed: BedAddress, online: bool, at: str) -> bool:
        """Record presence; returns whether it changed."""
        row = self._db.execute(
            "SELECT online FROM beds WHERE site = ? AND unit = ? AND bed = ?",
            (bed.site, bed.unit, bed.bed),
        ).fetchone()
        self._db.execute(
            "INSERT INTO beds (site, unit, bed, online, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (site, unit, bed) DO UPDATE SET online = excluded.online, "
            "updated_at = excluded.updated_at",
            (bed.site, bed.unit, bed.bed, int(online), at),
        )
        return row is None or bool(row[0]) != online

    def offline_beds(self, site: str, unit: str) -> list[str]:
        rows = self._db.execute(
            "SELECT bed FROM beds WHERE site = ? AND unit = ? AND online = 0 ORDER BY bed",
            (site, unit),
        )
        return [r[0] for r in rows]

    def online_beds(self, site: str, unit: str) -> list[str]:
        rows = self._db.execute(
            "SELECT bed FROM beds WHERE site = ? AND unit = ? AND online = 1", (site, unit)
        )
        return [r[0] for r in rows]

    def bed_online(self, bed: BedAddress) -> bool | None:
        row = self._db.execute(
            "SELECT online FROM beds WHERE site = ? AND unit = ? AND bed = ?",
            (bed.site, bed.unit, bed.bed),
        ).fetchone()
        return None if row is None else bool(row[0])

    # ------------------------------------------------------------ internals

    def _tx(self) -> sqlite3.Connection:
        # ``with connection`` commits or rolls back; BEGIN makes the pair of writes atomic.
        self._db.execute("BEGIN")
        return self._db

    def _write(self, v: RequestView, insert: bool) -> None:
        history = json.dumps([asdict(h) for h in v.history])
        if insert:
            self._db.execute(
                f"INSERT INTO requests ({_COLUMNS}) VALUES ({', '.join('?' * 14)})",
                (
                    v.id,
                    v.site,
                    v.unit,
                    v.bed,
                    v.intent,
                    v.priority,
                    v.source,
                    v.state,
                    v.created_at,
                    v.updated_at,
                    v.by,
                    v.escalation,
                    history,
                    v.level,
                ),
            )
        else:
            self._db.execute(
                "UPDATE requests SET state = ?, updated_at = ?, by = ?, escalation = ?, "
                "history = ? WHERE id = ?",
                (v.state, v.updated_at, v.by, v.escalation, history, v.id),
            )

    def _event(self, request_id: str, state: str, at: str, by: str | None) -> None:
        self._db.execute(
            "INSERT INTO events (request_id, state, at, by) VALUES (?, ?, ?, ?)",
            (request_id, state, at, by),
        )


_Q_COLUMNS = "id, bed, text, asked_by, asked_at, answer, answered_at, source"

_COLUMNS = (
    "id, site, unit, bed, intent, priority, source, state, created_at, updated_at, by, "
    "escalation, history, level"
)


def _in_future(at: str, now: str) -> bool:
    """``at`` is later than ``now`` (a minute of clock skew allowed), or unreadable."""
    try:
        return (parse_iso(at) - parse_iso(now)).total_seconds() > 60
    except (ValueError, OverflowError):
        return True


def _views(rows: Any) -> list[RequestView]:
    """The rows as views, leaving out (loudly) a row that cannot be read: a history that is not
    JSON, a time that is not a time (a hand edit, a bad restore). Read at every start, one such
    row stopped the station each time, in a loop; ``integrity_check`` does not see it."""
    views = []
    for row in rows:
        try:
            views.append(_to_view(row))
        except (ValueError, TypeError, KeyError) as exc:
            log.error("DAMAGED ROW: request %s in the station database cannot be read (%s); "
                      "left out: repair or delete that row", row[0], exc)  # fmt: skip
    return views


def _to_view(row: tuple[Any, ...]) -> RequestView:
    (id_, site, unit, bed, intent, priority, source, state, created, updated, by, esc) = row[:12]
    hist, level = row[12:]
    changes = tuple(StateChange(**h) for h in json.loads(hist))
    for at in (created, updated, *(c.at for c in changes)):
        parse_iso(at)  # raises ValueError for a time that is not one (see _views)
    return RequestView(
        id_, site, unit, bed, intent, priority, source, state, created, updated, by, esc, changes,
        level,
    )  # fmt: skip
