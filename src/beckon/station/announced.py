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
heartbeats (its presence goes first), its announce is tried again at each heartbeat until one
succeeds, and the station's status says so meanwhile."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class UnitAnnounces:
    serving: set[str] = field(default_factory=set)
    """Units announced (their presence at least) on their link's current connection: these
    heartbeat."""
    owed: dict[str, int] = field(default_factory=dict)
    """Units whose last announce raised -> its failed attempts in a row."""

    def begun(self, unit: str) -> None:
        """An announce of ``unit`` starts: its presence is the first thing it publishes."""
        self.serving.add(unit)

    def failed(self, unit: str) -> int:
        """The announce of ``unit`` raised; returns its failed attempts in a row."""
        self.owed[unit] = self.owed.get(unit, 0) + 1
        return self.owed[unit]

    def done(self, unit: str) -> int:
        """The announce of ``unit`` went through; returns the failed attempts before it."""
        return self.owed.pop(unit, 0)

    def lost(self, units: Iterable[str]) -> None:
        """Their link lost its connection: announced again once it is back (and the start-up
        probe that follows has ended); an owed announce stays owed."""
        self.serving.difference_update(units)

    def owed_units(self) -> list[str]:
        """The units whose announce is owed, sorted (a copy: the health endpoint's thread
        reads it)."""
        return sorted(list(self.owed))
