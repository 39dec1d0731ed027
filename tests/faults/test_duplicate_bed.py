"""Two tablets with the same bed's credentials. The shipped broker binds client ids to
usernames (use_username_as_clientid), so each connection takes the other's session over. Real
Mosquitto with the shipped configuration, a real station, and two real bedside services
(`beckon.lab.simbed` processes) for bed 1 with the same password: one of them reports
DUPLICATE BED (log and device fault) and stops connecting; the other keeps the session and
its calls still reach the station."""

from __future__ import annotations

from pathlib import Path

import pytest

from beckon.config import BrokerConfig
from beckon.doctor.remote import probe_broker
from tests.helpers.faults import (
    Proc,
    ProdBroker,
    bed_user,
    saved_ids,
    start_beds,
    start_station,
    station_toml,
    stored,
    wait_until,
)

pytestmark = [pytest.mark.faults, pytest.mark.mqtt]


def _dropped(bed: Proc) -> int:
    return sum(1 for e in bed.lines() if e["event"] == "connection" and e["detail"] == "offline")


@pytest.mark.window  # one device gives up within its 10 s
def test_a_second_device_with_the_same_bed_credentials_stops_instead_of_flapping(
    prod_broker: ProdBroker, tmp_path: Path, procs: list[Proc]
) -> None:
    station = start_station(station_toml(prod_broker, tmp_path), tmp_path)
    procs.append(station)
    assert wait_until(lambda: "is serving" in station.stderr(), 30), station.stderr()[-3000:]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    # Each makes one call 10 s after starting, by when one of them has given up.
    calls = ("--requests", "1", "--start-after", "10")
    first = start_beds(prod_broker, tmp_path / "a", ["1"], "first", *calls)
    procs.append(first)
    assert wait_until(lambda: any(e["event"] == "connection" for e in first.lines()), 30)
    second = start_beds(prod_broker, tmp_path / "b", ["1"], "second", *calls)
    procs.append(second)

    def duplicate() -> list[Proc]:
        return [b for b in (first, second) if "DUPLICATE BED" in b.stderr()]

    assert wait_until(duplicate, 60), (first.stderr()[-2000:], second.stderr()[-2000:])
    loser = duplicate()[0]
    winner = second if loser is first else first
    assert len(duplicate()) == 1, "both devices stopped: the bed would have no connection"
    faults = [e["detail"] for e in loser.lines() if e["event"] == "fault"]
    assert any("DUPLICATE BED" in f and "bed 1" in f for f in faults), faults
    assert "beckon provision" in loser.stderr()

    # No more flapping: the device that kept the session keeps it, and its call is stored.
    settled = _dropped(winner)
    assert not wait_until(lambda: _dropped(winner) > settled, 8), winner.stderr()[-2000:]
    db = tmp_path / "station-desk.sqlite3"
    assert wait_until(lambda: set(saved_ids(winner)) <= {r[0] for r in stored(db)}, 60)
    assert saved_ids(winner), "the device that kept the session made no call"


@pytest.mark.window  # the bed reconnects within the doctor's 4 s
def test_the_doctor_says_when_someone_else_connects_with_the_same_credentials(
    prod_broker: ProdBroker, tmp_path: Path, procs: list[Proc]
) -> None:
    """`beckon doctor`'s broker check, as bed 1, while a bedside service for bed 1 runs: the
    service reconnects and the broker closes the doctor's connection, which the check names
    instead of passing."""
    bed = start_beds(prod_broker, tmp_path, ["1"], "bed")
    procs.append(bed)
    assert wait_until(lambda: any(e["event"] == "connection" for e in bed.lines()), 30)
    creds = BrokerConfig(url=prod_broker.url, username=bed_user("1"),
                         password_file=str(prod_broker.password_dir / "1"))  # fmt: skip
    result = probe_broker(creds, "doctor", [], listen_s=4.0)
    assert result.check.outcome == "fail", result.check
    assert "another client connected as" in result.check.detail
    assert "DUPLICATE BED" in result.check.detail
    assert "beckon provision" in result.check.fix


def test_a_bed_that_suspects_a_twin_stays_away_at_most_two_minutes() -> None:
    # The heuristic cannot tell a twin from a network that keeps dropping: a false DUPLICATE
    # BED must not keep a patient's calls from the station for long.
    from beckon.bedside.service import DUPLICATE_BACKOFF_S

    assert DUPLICATE_BACKOFF_S[0] <= 30.0
    assert max(DUPLICATE_BACKOFF_S) <= 120.0
