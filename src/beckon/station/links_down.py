"""A broker link down while its units are unserved, as hospital IT reads it: ``LinkDown``.

Why one record with its own words: the station says such an outage in four places, its
CRITICAL log line (``StationService._say_links_down``), systemd's Status line
(``StationService.status_text``), the health endpoint's ``problems`` and ``links_down``
(``beckon.metrics.StationMetrics.health``) and, through health, ``beckon doctor``. Worded in
each place on its own, they disagreed: the log said "the broker refuses it: Not authorized"
while the status said "starting: checking that no other station serves its units" and health
only "broker not connected" (session 49's closing note). Each place now words the same record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from beckon.messaging.link_problem import LinkProblem
from beckon.station.probes import Outage


@dataclass(frozen=True)
class LinkDown:
    """One link down with its units unserved longer than ``station.not_serving_after_s``
    (``LinkProbe.unserved_long``): what the station says it does not serve, and why."""

    units: tuple[str, ...]
    down_s: float
    """How long its units have been unserved (since the station started, for a link never
    served)."""
    outage: Outage
    problem: LinkProblem
    """The cause the link's present state showed first (``MqttLink.state_problem``): not
    each attempt's, or the Status line and health changed with every attempt."""
    attempts: int
    """Its failed attempts since its last connection (``MqttLink.failed_attempts``)."""
    every_unit: bool
    """Its units are all the station's (one link with a broker user, or the station's only
    unit): no call reaches the station at all."""
    broker_log: str
    """Where the broker's log is, for the remedy."""
    links: int = 1
    """How many links it stands for (``by_cause``: one per unit without a broker user)."""

    @property
    def named(self) -> str:
        """ "unit icu" or "units icu, ward": the units it stands for."""
        return f"unit{'s' if len(self.units) > 1 else ''} {', '.join(self.units)}"

    @property
    def why(self) -> str:
        """ "(OUTAGE; reconnecting; CAUSE)": the same words in the log line, the status, health
        and the doctor."""
        return f"({self.outage.value}; reconnecting; {self.problem.cause()})"

    @property
    def down(self) -> str:
        """ "unit icu: its broker connection is down (...)": what the Status line and
        health's ``problems`` say (after "not serving "), in the form they said before the
        cause was added ("not serving unit icu: its broker connection is down"). No running
        "for N s": it changed them every second while nothing changed, which defeats alerts
        de-duplicated by text (review rev50s); ``down_s`` gives it in ``links_down``."""
        whose = "its broker connection is" if self.links == 1 else "their broker connections are"
        return f"{self.named}: {whose} down {self.why}"

    @property
    def whose(self) -> str:
        """Whose calls cannot reach the station meanwhile."""
        if self.every_unit:
            return 'no call reaches this station and every unit\'s tablets say "no station"'
        their = "their" if len(self.units) > 1 else "its"
        return f'no call of {self.named} reaches this station and {their} tablets say "no station"'

    @property
    def remedy(self) -> str:
        return self.problem.remedy(self.broker_log)

    @property
    def said(self) -> str:
        """The CRITICAL line's words after "STATION NOT SERVING: " (its form since session
        49: "unit icu for 15 s: its broker connection is down (...): ...; check ...")."""
        return (
            f"{self.named} for {self.down_s:.0f} s: its broker connection is "
            f"down {self.why}: {self.whose}; {self.remedy}"
        )

    @property
    def status(self) -> str:
        """Its part of the Status line, after "not serving ": the cause and the remedy."""
        return f"{self.down}: {self.whose}; {self.remedy}"

    def as_health(self) -> dict[str, Any]:
        """Its entry in the health endpoint's ``links_down``: for monitoring that reads
        fields, and for ``beckon doctor``'s fix (``remedy``)."""
        return {
            "units": list(self.units),
            "down_s": round(self.down_s, 1),
            "outage": self.outage.name.lower(),
            "trouble": self.problem.trouble.value,
            "cause": self.problem.cause(),
            "failed_attempts": self.attempts,
            "remedy": self.remedy,
        }


def by_cause(downs: Iterable[LinkDown], station_units: int) -> list[LinkDown]:
    """The links down for the same cause and remedy as one record naming all their units
    (sorted), for the Status line and health's ``problems``: with one link per
    unit, two units cut off by one broker fault had each its own cause and remedy, the same
    words twice on one line (session 50's note). ``station_units``: how many units the
    station serves (all of them down: no call reaches it). Health's ``links_down`` and the
    CRITICAL line stay per link (each its own count, time and moment)."""
    merged: dict[tuple[str, str], LinkDown] = {}
    for down in downs:
        same = merged.get(key := (down.why, down.remedy))
        if same is not None:
            units = tuple(sorted(same.units + down.units))
            down = replace(
                same,
                units=units,
                down_s=max(same.down_s, down.down_s),
                attempts=same.attempts + down.attempts,
                every_unit=len(units) == station_units,
                links=same.links + down.links,
            )
        merged[key] = down
    return list(merged.values())
