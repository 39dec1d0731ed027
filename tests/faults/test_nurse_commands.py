"""A nurse's Acknowledge or Resolve clicked while the broker is down reaches the station
service exactly once when the broker is back, with and without broker persistence.

Without persistence the station's session (its subscription to the command topic) is gone after
the restart, so a window that resends its queued command before the station has subscribed
again loses it at the broker. The feed therefore keeps every command until the unit queue shows
it done and sends it again when the station announces itself."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from beckon.background import Background
from beckon.station.feed import StationFeed
from tests.helpers.faults import (
    SITE,
    UNIT,
    Proc,
    ProdBroker,
    console_login,
    station_with_one_call,
    stored,
    wait_until,
)

pytestmark = [pytest.mark.faults, pytest.mark.mqtt]


@pytest.mark.parametrize("persistence", [True, False], ids=["persistent", "no-persistence"])
def test_a_resolve_queued_during_a_broker_outage_arrives_exactly_once(
    tmp_path: Path, procs: list[Proc], persistence: bool
) -> None:
    broker = ProdBroker(tmp_path / "broker", ["1"], persistence=persistence).setup()
    broker.start()
    feed_run: Background | None = None
    try:
        station, db, request_id = station_with_one_call(broker, tmp_path, procs)
        feed = StationFeed(console_login(broker), SITE, UNIT)
        feed_run = Background(feed.run, "feed").start()
        assert feed.ready.wait(30)

        broker.stop(signal.SIGTERM if persistence else signal.SIGKILL)
        assert wait_until(lambda: not feed.link.connected, 30)
        assert feed.resolve(request_id, "Nurse Alex") == "queued"
        broker.start()

        assert wait_until(lambda: stored(db)[0][2] == "resolved", 60), (
            f"the queued Resolve never arrived: {stored(db)}\n{station.stderr()[-3000:]}"
        )
        assert wait_until(lambda: not feed.unconfirmed, 30)
        assert station.stderr().count(f"request {request_id[:8]} resolved by Nurse Alex") == 1
    finally:
        if feed_run is not None:
            feed_run.stop()
        broker.stop()
