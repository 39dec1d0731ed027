"""``by_cause``: connections down for the same cause and remedy are one record naming their
units, so the Status line and health's problems say each cause and remedy once; a different
cause or a different way of coming about (``Outage``) stays apart. Given records, no broker:
the station's own use is in test_cut_off_said (two units, no broker answering)."""

from __future__ import annotations

from beckon.messaging.link_problem import LinkProblem, LinkTrouble
from beckon.station.links_down import LinkDown, by_cause
from beckon.station.probes import Outage

UNREACHED = LinkProblem(LinkTrouble.UNREACHABLE, "no connection to broker:1883")
REFUSED = LinkProblem(LinkTrouble.REFUSED, "Not authorized (reason code 135, MQTTv5)", "x")


def down(unit: str, problem: LinkProblem, outage: Outage = Outage.NOT_YET) -> LinkDown:
    return LinkDown((unit,), 20.0, outage, problem, 3, every_unit=False, broker_log="LOG")


def test_one_cause_of_two_units_is_one_record_and_other_causes_stay_apart() -> None:
    records = [
        down("ward", UNREACHED),
        down("icu", REFUSED),
        down("cardio", UNREACHED),
        down("neuro", UNREACHED, Outage.LOST),
    ]
    merged = by_cause(records, station_units=5)
    assert [m.units for m in merged] == [("cardio", "ward"), ("icu",), ("neuro",)]
    both = merged[0]
    assert both.links == 2 and both.attempts == 6 and not both.every_unit
    assert both.status.count(UNREACHED.remedy("LOG")) == 1, both.status
    assert both.down.startswith("units cardio, ward: their broker connections are down (")
    assert "no call of units cardio, ward reaches this station" in both.status
    assert merged[1].down.startswith("unit icu: its broker connection is down (")


def test_every_unit_down_for_one_cause_says_no_call_reaches_the_station() -> None:
    [both] = by_cause([down("icu", UNREACHED), down("ward", UNREACHED)], station_units=2)
    assert both.every_unit and both.status.count("check that the broker is running") == 1
    assert 'no call reaches this station and every unit\'s tablets say "no station"' in both.status
