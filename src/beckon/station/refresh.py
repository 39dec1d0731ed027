"""When another station's presence means a station that is alive: the one rule, used by the
check before connecting (``exclusive.refuse_second_station``) and by the service's start-up
probe (``StationService._check_twin``), for another name and for its own name alike.

A fresh "online" presence alone does not tell a running station from a dead run's leftover:
the broker keeps the last retained presence of a station that stopped without its last will
reaching it (a power cut, a pulled cable), and of a multi-unit station with a broker user,
whose one connection's will covers only its first unit, after ``kill -9`` or the out-of-memory
killer (units 2..n keep its "online", 0 to 5 s old). Taken for a running twin, the run that
systemd started 2 s later stopped with status 78, which is not restarted: no station for the
unit at all (review rev44L). A running station heartbeats every HEARTBEAT_S, each with a newer
``at``; a leftover never changes. So a station counts as alive only once a presence of it
with a NEWER stamp than one already heard arrives; a repeat of the same stamp (the retained
message delivered again on a reconnect) is no refresh.

Keyed per unit by the caller, never across units: one station's heartbeats for its units
carry stamps a few milliseconds apart, and a dead run's unit 3, heard after its unit 2, must not
read as a refresh. A same-name presence is keyed by its instance too (``_check_twin``: "name
(instance ...) on site/unit"), another name's by ``name on site/unit`` alone
(``refuse_second_station``, ``_check_other_station``): a newer stamp there from a new instance
of that station is a refresh all the same, rightly, as that instance is running."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from beckon.messaging import protocol as p

REFRESH_LISTEN_S = p.HEARTBEAT_S + 1.5
"""How long a starting station listens, once it has seen another station's presence serving,
for that station to refresh it: a running station heartbeats every HEARTBEAT_S; 1.5 s for a
loaded broker or machine."""


@dataclass
class PresenceRefreshes:
    """The newest stamp heard of each presence serving (``heard``), to tell whether a later
    one refreshes it."""

    newest: dict[str, datetime] = field(default_factory=dict)

    def heard(self, key: str, status: p.StationStatus) -> bool:
        """Note a presence heard under ``key``; True when it is serving and stamped later than
        one heard before under the same key: that station is alive. A presence that is not
        serving (offline, stale, faulted) forgets the key: that run is over."""
        if not status.serving():
            self.newest.pop(key, None)
            return False
        at = p.parse_iso(status.at)
        before = self.newest.get(key)
        self.newest[key] = at if before is None else max(at, before)
        return before is not None and at > before

    def forget(self, key: str) -> None:
        self.newest.pop(key, None)
