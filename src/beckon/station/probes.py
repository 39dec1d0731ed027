"""One broker link's check for a twin (its probe), kept per link: ``LinkProbe``.

Why per link: without a broker username a station has one connection per unit, and each
connection's CONNACK starts a check that no other station of the same name serves (the
start-up probe, and the re-check after every reconnect). That check was one for the whole
station: a reconnect of icu's link held every unit's calls and bed statuses until it ended, and
no unit heartbeated meanwhile, so a flapping icu link (each reconnect re-arms the check) left
ward's healthy tablets saying "no station" about 10 s into it and none of ward's calls stored
(reviews rev47s and rev47s2). A twin of the same name can only take a unit's session through
that unit's own client id, which throws that unit's link off and makes it reconnect and check
again; a link that has held its connection since its own check ended holds the unit's session,
so no twin serves that unit meanwhile. Only the reconnecting link's units are held now; with a
broker username there is one link for every unit, and its check holds every unit, as before.

The same record stands for a link that is down while its units are unserved (``Outage``): not
connected since the station started, or lost while serving, or lost during its own check. One
record from the moment its units stopped being served until a check serves them again is what
makes one rule (``unserved_long``) for the "STATION NOT SERVING" line, said once per outage,
whether the link is down or checking (session 49: a link that never connected, or dropped while
no check ran, logged nothing at CRITICAL for its whole outage).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Outage(Enum):
    """How a link's units came to be unserved while it is down (the words of its line)."""

    NOT_YET = "not served since the station started"
    """No connection of the link has been served yet: refused, unreachable, or still checking."""
    LOST = "lost while serving"
    """A served connection dropped while no check ran on it."""
    LOST_IN_CHECK = "lost during a re-check for a twin"
    """The link dropped during its own check (``StationService._end_probe_at_loss``)."""


@dataclass
class LinkProbe:
    """A link's check in progress: from its first connection until it ends with the link's
    units served (``StationService._end_link_probe``). Before the station first serves, a
    reconnect during it goes on with it (``connected_again``). Once it has served, a loss of
    the link ends the check (``StationService._end_probe_at_loss``) and the next connection
    begins another (``connected_afresh``), with its own SUBACK wait, while its units stay
    unserved: what the first held waits for it, and ``calls_held`` counts from the first. A
    link down with its units unserved keeps one in ``StationService._lost_probes`` (``down``,
    ``outage``) until it connects."""

    began: float
    """When the link's units stopped being served: the first connection of its checks since
    (monotonic). ``StationService.calls_held`` and the "serving again" line count from it."""
    until: float
    """The check ends no sooner than this: PROBE_S after the link's latest CONNACK, and after
    the SUBACK confirming its subscriptions once that has come."""
    suback_from: float = -1.0
    """The SUBACK wait (``probe_suback_wait``) counts from this: ``began`` during the start-up
    probe, the latest connection once the station has served (``connected_afresh``). Counted
    from ``began`` after a loss, a late SUBACK on return was not waited for, and a twin
    behind it went unseen (review rev48s)."""
    connections: int = 1
    """Connections of the link while its units are unserved (0 in a down link's record until
    it connects): more than one is a link that dropped and came back (``calls_held`` names
    its units)."""
    unserved_since: float | None = None
    """When the link's units stopped being served, for a check that counts from its own
    connection (``began``) though they were unserved before it: a link back from a loss too
    short to be said, or a link's first connection. Should the link be lost during this
    check, its down record counts from here again (``StationService._end_probe_at_loss``):
    counted from the return, a link back from a blip and lost again at once was said 15 s
    after the return with the outage's length short by the blip (review rev49s2: "for 15 s"
    at 31.9 s of an outage begun at 1.9 s). None when ``began`` is that time."""
    outage: Outage | None = None
    """Set while the link is down with its units unserved (``StationService._lost_probes``):
    how that came about; kept once the next connection takes the record up. None for a check
    begun by a connection of a link that was serving."""
    held_said: bool = False
    """"STATION NOT SERVING" logged for these units since they were last served: by
    ``StationService._heartbeat`` while the link checks (``calls_held``), or while it is down
    with its units unserved (``_say_links_down``); once, and "serving (again)" at the end of
    the check that serves them."""

    @classmethod
    def down(cls, since: float, outage: Outage) -> LinkProbe:
        """A down link's record: its units unserved from ``since``, no connection yet (its
        next one begins a check with ``connected_afresh``)."""
        return cls(began=since, until=since, connections=0, outage=outage)

    def __post_init__(self) -> None:
        if self.suback_from < 0:
            self.suback_from = self.began

    def unserved_long(self, now: float, after_s: float) -> bool:
        """Its units unserved longer than ``after_s`` (``station.not_serving_after_s``,
        PRESENCE_FRESH_S unless a test sets it shorter): their tablets say "no station", so
        the station says it is not serving them (status, health, doctor and one log line)."""
        return now - self.began > after_s

    def connected_again(self, now: float, window_s: float) -> None:
        """The link reconnected during the check: its window starts again."""
        self.until = now + window_s
        self.connections += 1

    def connected_afresh(self, now: float, window_s: float) -> None:
        """The link is back after a loss that ended its check: a check of this connection,
        its window and its SUBACK wait from now."""
        self.connected_again(now, window_s)
        self.suback_from = now
