"""Two nurses act on one call: the one whose command was not applied is told so.

An audit ran 200 calls with two consoles acting at once: the station's records were right,
but a nurse whose ack or resolve lost the race was told "resolved by <her>" (the console
invented it whenever the call left the queue), also when a colleague had resolved it or the
patient had cancelled it. Now the outcome names who did what, from the queue or, once the call
has left it, from the bed's own state.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from beckon.background import Background
from beckon.cli.console import outcome_text
from beckon.config import BrokerConfig
from beckon.errors import BeckonError
from beckon.messaging import protocol as p
from beckon.station.client import StationClient
from beckon.station.store import RequestStore
from tests.helpers.rig import send_raw, station_for, wait_until


def call(port: int, bed: str) -> p.Request:
    req = p.Request(p.new_request_id(), "gh", "icu", bed, "water", "routine", "touch", p.now_iso())
    send_raw(port, req.address.topic("request"), p.encode(req))
    return req


@pytest.mark.mqtt
def test_a_second_ack_is_told_who_acknowledged_first(mosquitto: Any, tmp_path: Path) -> None:
    station = station_for(mosquitto.url, tmp_path / "s.sqlite3")
    broker = BrokerConfig(url=mosquitto.url)
    with Background(station.run, "station"):
        assert station.ready.wait(10)
        req = call(mosquitto.port, "4")
        with StationClient(broker, "gh", "icu", "alice") as alice:
            assert wait_until(lambda: any(r.id == req.id for r in alice.wait_queue().requests))
            mine = alice.send("acknowledge", req.id[:8], "Nurse Alice")
        with StationClient(broker, "gh", "icu", "bob") as bob:
            late = bob.send("acknowledge", req.id[:8], "Nurse Bob")
    assert outcome_text(mine, "acknowledge", "Nurse Alice", req.id) == (
        f"{req.id[:8]}  bed 4  water: acknowledged by Nurse Alice"
    )
    assert outcome_text(late, "acknowledge", "Nurse Bob", req.id) == (
        f"{req.id[:8]}  bed 4  water: already acknowledged by Nurse Alice; your acknowledge was "
        "not needed"
    )


@pytest.mark.mqtt
def test_two_nurses_resolving_at_once_are_each_told_the_truth(
    mosquitto: Any, tmp_path: Path
) -> None:
    """Whatever the order the station takes them in: one nurse resolved the call and is told
    so, the other is told who did (or, if her console found it gone already, that there was
    no open request). Nobody is told she did what she did not."""
    station = station_for(mosquitto.url, tmp_path / "s.sqlite3")
    broker = BrokerConfig(url=mosquitto.url)
    with Background(station.run, "station"):
        assert station.ready.wait(10)
        requests = [call(mosquitto.port, str(bed)) for bed in range(1, 6)]
        with (
            StationClient(broker, "gh", "icu", "alice") as alice,
            StationClient(broker, "gh", "icu", "bob") as bob,
        ):
            assert wait_until(lambda: len(alice.wait_queue().requests) == len(requests))
            told: dict[str, dict[str, str]] = {}
            for req in requests:
                told[req.id] = {}

                def resolve(client: StationClient, nurse: str, req: p.Request = req) -> None:
                    try:
                        view = client.send("resolve", req.id[:8], nurse, timeout=20)
                        told[req.id][nurse] = outcome_text(view, "resolve", nurse, req.id)
                    except BeckonError as exc:
                        told[req.id][nurse] = str(exc)

                both = [
                    threading.Thread(target=resolve, args=(alice, "Nurse Alice")),
                    threading.Thread(target=resolve, args=(bob, "Nurse Bob")),
                ]
                for thread in both:
                    thread.start()
                for thread in both:
                    thread.join(30)
    store = RequestStore(tmp_path / "s.sqlite3")
    for req in requests:
        view = store.get(req.id)
        assert view is not None and view.state == "resolved"
        winner = view.by or ""
        loser = "Nurse Bob" if winner == "Nurse Alice" else "Nurse Alice"
        assert told[req.id][winner].endswith(f"resolved by {winner}"), told[req.id]
        assert (
            told[req.id][loser].endswith(
                f"already resolved by {winner}; your resolve was not needed"
            )
            or "no open request" in told[req.id][loser]
        ), told[req.id]
