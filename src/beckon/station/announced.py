"""Which units a station has announced on their link's current connection, and whose announce
is owed: the per-unit state behind the station's heartbeat.

Why per unit: without a broker username a station has one link per unit, and its heartbeat
went out only while every link was connected (``ready``), which any link's loss cleared. While
one unit's link was down, no unit's presence was refreshed, and past PRESENCE_FRESH_S the beds
of the healthy units raised "station gone" (review rev46r2, item 2). Each unit now heartbeats
while its own link is connected and it was announced on that connection.

Why owed: an announce that raised (a bug; a store that cannot be written stops the station
instead) left its unit's calls, queue, stats and beds unpublished until the next reconnect,
never retried, while the station said "serving" (review rev46r2, item 1). The unit still
heartbeats (its presence goes first), its announce is tried again at a heartbeat until one
succeeds, and the station's status says so meanwhile.

Why the retries back off (1, 2, 4, 8 then every 12 heartbeats: 5 s doubling to 60 s): only a
bug makes an announce raise, and a bug raises again. Each attempt re-runs the unit's stats
(0.2 to 0.26 s for a day of a 30-bed unit), republishes its calls, queue and beds (retained,
a broker save each) and logs an ERROR line; at every heartbeat that was about 5 % of the loop
and a log line every 5 s without end (review rev47s, item 4)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

RETRY_MAX_BEATS = 12
"""The longest wait between two attempts of an owed announce, in heartbeats (60 s)."""


def retry_after_beats(attempts: int) -> int:
    """Heartbeats to wait after ``attempts`` failed announces in a row: 1, 2, 4, 8, then
    RETRY_MAX_BEATS."""
    return min(RETRY_MAX_BEATS, 2 ** max(0, attempts - 1))


@dataclass
class UnitAnnounces:
    serving: set[str] = field(default_factory=set)
    """Units announced (their presence at least) on their link's current connection: these
    heartbeat."""
    owed: dict[str, int] = field(default_factory=dict)
    """Units whose last announce raised -> its failed attempts in a row."""
    waits: dict[str, int] = field(default_factory=dict)
    """Owed units -> heartbeats left before their next attempt."""

    def begun(self, unit: str) -> None:
        """An announce of ``unit`` starts: its presence is the first thing it publishes."""
        self.serving.add(unit)

    def failed(self, unit: str) -> int:
        """The announce of ``unit`` raised; returns its failed attempts in a row."""
        self.owed[unit] = self.owed.get(unit, 0) + 1
        self.waits[unit] = retry_after_beats(self.owed[unit])
        return self.owed[unit]

    def beats_to_retry(self, unit: str) -> int:
        """Heartbeats left before the next attempt of ``unit``'s owed announce (0: none owed)."""
        return self.waits.get(unit, 0)

    def retry_due(self, unit: str) -> bool:
        """Called once per heartbeat for each serving unit: whether its owed announce is to
        be tried at this one (else the unit only heartbeats)."""
        if unit not in self.owed:
            return False
        self.waits[unit] = self.waits.get(unit, 1) - 1
        return self.waits[unit] <= 0

    def done(self, unit: str) -> int:
        """The announce of ``unit`` went through; returns the failed attempts before it."""
        self.waits.pop(unit, None)
        return self.owed.pop(unit, 0)

    def lost(self, units: Iterable[str]) -> None:
        """Their link lost its connection: announced again once it is back (and the check for
        a twin that follows has ended); an owed announce stays owed, and that announce is
        its presence alone until its retry is due (``beats_to_retry``): each return of a
        flapping link re-ran it outside its back-off (review rev47s2, item 3)."""
        self.serving.difference_update(units)

    def owed_units(self) -> list[str]:
        """The units whose announce is owed, sorted (a copy: the health endpoint's thread
        reads it)."""
        return sorted(list(self.owed))
