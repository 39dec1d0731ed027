"""The station's request store on PostgreSQL, for sites that outgrow one machine.

Why a subclass of the SQLite store and not a second implementation: the lifecycle, the
idempotent receive (the request id is the primary key), the audit rows in ``events`` and every
query are written once, in station/store.py. This store gives that code a PostgreSQL connection
behind the small interface it uses (``execute`` with ``?`` parameters, ``with`` for a
transaction), translating the two spellings that differ: ``?`` becomes ``%s``, and the column
``by`` (a reserved word in PostgreSQL) is quoted. Row order that SQLite takes from ``rowid``
comes from a ``seq`` column here.

Schema versions: the ``schema_version`` table says which migrations ran. On start the store
applies the missing ones (under a transaction-scoped advisory lock, so two stations starting
together do not both migrate) and refuses, with a clear message, a database written by a newer
Beckon: running old code on a newer schema could lose what the new code stores.

Leadership (one active station per unit, the others standing by): :class:`Leadership` holds a
PostgreSQL advisory lock on its own connection. The server releases it the moment that
connection ends, also when the holder is killed with ``kill -9``, so a standby polling for it
takes over within about a second of PostgreSQL noticing.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from beckon.errors import BeckonError
from beckon.station.store import RequestStore, StoreUnavailable, open_store

log = logging.getLogger(__name__)

# Each entry migrates from version i to i + 1. Never edit a released entry: add a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        site TEXT NOT NULL, unit TEXT NOT NULL, bed TEXT NOT NULL,
        intent TEXT NOT NULL, priority TEXT NOT NULL, source TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        "by" TEXT, escalation INTEGER NOT NULL DEFAULT 0,
        history TEXT NOT NULL
    );
    CREATE INDEX requests_by_bed ON requests (site, unit, bed, updated_at);
    CREATE INDEX requests_by_state ON requests (state);
    CREATE TABLE events (
        seq BIGSERIAL PRIMARY KEY,
        request_id TEXT NOT NULL REFERENCES requests(id),
        state TEXT NOT NULL, at TEXT NOT NULL, "by" TEXT
    );
    CREATE INDEX events_by_request ON events (request_id);
    CREATE INDEX events_by_state ON events (state, at);
    CREATE TABLE questions (
        seq BIGSERIAL UNIQUE,
        id TEXT PRIMARY KEY,
        site TEXT NOT NULL, unit TEXT NOT NULL, bed TEXT NOT NULL,
        text TEXT NOT NULL, asked_by TEXT NOT NULL, asked_at TEXT NOT NULL,
        answer TEXT, answered_at TEXT, source TEXT
    );
    CREATE INDEX questions_by_unit ON questions (site, unit, asked_at);
    CREATE TABLE beds (
        site TEXT NOT NULL, unit TEXT NOT NULL, bed TEXT NOT NULL,
        online INTEGER NOT NULL, updated_at TEXT NOT NULL,
        PRIMARY KEY (site, unit, bed)
    );
    """,
    # 2: a request's 0-10 level (the pain scale), NULL when none was chosen
    "ALTER TABLE requests ADD COLUMN level INTEGER",
    # 3: the highest escalation level whose page the hook confirmed (older calls: all paged)
    "ALTER TABLE requests ADD COLUMN paged INTEGER NOT NULL DEFAULT 0; "
    "UPDATE requests SET paged = escalation",
)
SCHEMA_VERSION = len(MIGRATIONS)
_MIGRATION_LOCK = 0x6265636B6F6E  # "beckon": serialises migrations between stations

_BY = re.compile(r"\bby\b")  # the column; SQL keywords are written in capitals


def _translate(sql: str) -> str:
    return _BY.sub('"by"', sql.replace("?", "%s").replace("rowid", "seq"))


class _Connection:
    """The part of sqlite3.Connection that RequestStore uses, on a psycopg connection."""

    def __init__(self, url: str, connect: Callable[..., Any]) -> None:
        self.conn = connect(url, autocommit=True, connect_timeout=10)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(_translate(sql), tuple(params))

    def __enter__(self) -> _Connection:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")

    def close(self) -> None:
        self.conn.close()


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise BeckonError(
            "the PostgreSQL store needs the psycopg package",
            "pip install 'beckon-bedside[postgresql]'",
        ) from None
    return psycopg


def _connect(url: str) -> Any:
    psycopg = _psycopg()
    try:
        return _Connection(url, psycopg.connect)
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(
            f"cannot connect to the PostgreSQL store: {str(exc).strip()}",
            "check station.store (postgresql://USER@HOST:PORT/DB), the server and the password "
            "(~/.pgpass or PGPASSWORD)",
        ) from None


def migrate(db: _Connection) -> int:
    """Bring the schema to SCHEMA_VERSION; returns the version found before."""
    with db:
        db.conn.execute("BEGIN")
        db.conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        db.conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = db.conn.execute("SELECT max(version) FROM schema_version").fetchone()
        found = int(row[0]) if row and row[0] is not None else 0
        if found > SCHEMA_VERSION:
            raise StoreUnavailable(
                f"the PostgreSQL store has schema version {found}, newer than this Beckon "
                f"understands ({SCHEMA_VERSION}); refusing to run on it",
                "upgrade Beckon on this host to the version the other stations run (a "
                "downgrade needs the database restored from a backup of its older schema)",
            )
        for version in range(found, SCHEMA_VERSION):
            db.conn.execute(MIGRATIONS[version])
            db.conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (version + 1,))
            log.info("PostgreSQL store: schema migrated to version %d", version + 1)
    return found


class PostgresRequestStore(RequestStore):
    """RequestStore on PostgreSQL (see the module docstring)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = None  # no file: the server keeps the data
        db = _connect(url)
        migrate(db)
        # RequestStore's code only uses execute() and ``with``; see _Connection.
        self._db = cast(Any, db)
        # A lost server or connection is as fatal as SQLite's full disk: stop, say why, and let
        # systemd restart the station or a standby take the lock.
        self.write_errors = (sqlite3.Error, _psycopg().Error)

    def describe(self) -> str:
        return f"PostgreSQL store {redacted(self.url)}"

    def close(self) -> None:
        self._db.close()


def redacted(url: str) -> str:
    """The URL without its password, for logs and fault messages."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def open_configured_store(database: Path, store: str) -> RequestStore:
    """The configured store: PostgreSQL when ``station.store`` names one, else the SQLite file
    (opened and checked by station/store.py's open_store)."""
    if store:
        return PostgresRequestStore(store)
    return open_store(database)


def _lock_key(site: str, unit: str) -> int:
    digest = hashlib.sha256(f"beckon-station/{site}/{unit}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class Leadership:
    """The advisory locks that make one station service per unit the active one."""

    def __init__(self, url: str, site: str, units: Sequence[str]) -> None:
        self.url = url
        self.keys = [_lock_key(site, unit) for unit in units]
        self._db: _Connection | None = None

    def try_acquire(self) -> bool:
        """Take every unit's lock, or none (then another station is active)."""
        if self._db is None:
            self._db = _connect(self.url)
        taken: list[int] = []
        for key in self.keys:
            row = self._db.conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            if not row[0]:
                for done in taken:
                    self._db.conn.execute("SELECT pg_advisory_unlock(%s)", (done,))
                return False
            taken.append(key)
        return True

    def wait(
        self,
        stop: Callable[[], bool],
        poll_s: float = 0.5,
        turned: Callable[[], None] | None = None,
    ) -> bool:
        """Block until this station is the active one (True) or ``stop()`` (False).
        ``turned`` is called at every turn of the standby loop (systemd's watchdog)."""
        announced = False
        while not stop():
            try:
                if self.try_acquire():
                    return True
            except Exception as exc:  # a database that is briefly away: keep standing by
                log.warning("standby: cannot reach the PostgreSQL store (%s)", exc)
                self.release()
            if not announced:
                log.info("standing by: another station service is active for this unit")
                announced = True
            if turned is not None:
                turned()
            time.sleep(poll_s)
        return False

    def held(self) -> bool:
        """Whether this process still holds every unit's lock. A DBA's
        ``pg_terminate_backend``, a pooler or firewall closing the idle connection, or a
        server restart ends the session, and with it the locks: a standby then takes over
        while this station still serves, and two active stations empty each other's calls."""
        if self._db is None:
            return False
        try:
            row = self._db.conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND pid = pg_backend_pid()"
            ).fetchone()
        except Exception as exc:
            log.warning("the leadership connection failed: %s", exc)
            return False
        return int(row[0]) >= len(self.keys)

    def release(self) -> None:
        if self._db is not None:
            try:
                self._db.close()  # the server drops the locks with the session
            except Exception:
                log.debug("closing the leadership connection failed", exc_info=True)
            self._db = None
