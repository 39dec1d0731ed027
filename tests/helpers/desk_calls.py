"""A tablet's call sent straight to the broker, and the request ids a station stored: what
the per-link re-check tests (tests/station/test_link_recheck.py and
test_link_lost_mid_check.py) send and read back, written once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from beckon.messaging import protocol as p
from tests.helpers.rig import send_raw


def send_call(port: int, site: str, unit: str, bed: str) -> str:
    """A routine "water" call from ``bed``, published to the broker on ``port`` as a tablet
    would; its request id."""
    req = p.Request(p.new_request_id(), site, unit, bed, "water", "routine", "touch",
                    p.now_iso())  # fmt: skip
    send_raw(port, p.BedAddress(site, unit, bed).topic("request"), p.encode(req))
    return req.id


def stored_ids(db: Path) -> list[str]:
    """The ids of the requests in a station's SQLite database."""
    with sqlite3.connect(db) as con:
        return [row[0] for row in con.execute("select id from requests")]
