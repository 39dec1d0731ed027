"""What another connection reads from a SQLite file that a store or the outbox holds open:
the durable promise (``beckon.durable``) is about what reaches the file, not what the
writer's own connection remembers."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


def read_by_another(path: Path, sql: str) -> list[Any]:
    """The rows ``sql`` gives on a second connection to ``path``, closed afterwards."""
    other = sqlite3.connect(path)
    try:
        return other.execute(sql).fetchall()
    finally:
        other.close()
