"""The first bedside interaction: requests are offered one at a time (scanning).

A nod while a request is offered selects it; a shake declines it and moves to the next. After a
selection the menu pauses, so one long nod cannot send two requests. Plain Python driven by
the gesture events' own timestamps, so it runs the same on a live camera and on a video file.
(The full state machine with confirmation and per-patient profiles comes with the gesture work.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Selected:
    intent: str
    t: float


@dataclass(frozen=True)
class Declined:
    intent: str
    t: float


Outcome = Selected | Declined


@dataclass(frozen=True)
class MenuView:
    """What the patient should see and hear right now: the contract between the interaction
    and the bedside window (highlight, spoken prompt). Compared for equality, so the service
    only tells listeners when it changes.

    stage: "offering" (``highlighted`` is on offer), "paused" (just chose; nothing offered),
    "question" (a nurse's yes/no question, in ``question``, waits for a nod or a shake).
    Later stages (confirming an emergency, pointing) extend this list.
    """

    items: tuple[str, ...]
    highlighted: str | None
    stage: str
    question: str = ""


class ScanningMenu:
    """Offers ``intents`` in turn, each for ``offer_seconds``, starting at ``start_t``."""

    def __init__(
        self,
        intents: Sequence[str],
        offer_seconds: float = 4.0,
        pause_after_select_s: float = 3.0,
        start_t: float = 0.0,
    ) -> None:
        if not intents:
            raise ValueError("the menu needs at least one intent")
        if offer_seconds <= 0:
            raise ValueError("offer_seconds must be positive")
        self.intents = tuple(intents)
        self.offer_seconds = offer_seconds
        self.pause_after_select_s = pause_after_select_s
        self._index = 0
        self._since = start_t
        self._paused_until = start_t

    def offered(self, t: float) -> str | None:
        """The request on offer at time ``t`` (None while paused after a selection)."""
        self._advance(t)
        if t < self._paused_until:
            return None
        return self.intents[self._index]

    def view(self, t: float) -> MenuView:
        offered = self.offered(t)
        return MenuView(self.intents, offered, "offering" if offered else "paused")

    def on_gesture(self, gesture: str, t: float) -> Outcome | None:
        """Apply a gesture; other gestures than nod and shake are ignored here."""
        intent = self.offered(t)
        if intent is None:
            return None
        if gesture == "nod":
            self._paused_until = t + self.pause_after_select_s
            self._index, self._since = 0, self._paused_until
            return Selected(intent, t)
        if gesture == "shake":
            self._index = (self._index + 1) % len(self.intents)
            self._since = t
            return Declined(intent, t)
        return None

    def _advance(self, t: float) -> None:
        start = max(self._since, self._paused_until)
        if t <= start:
            return
        steps = int((t - start) // self.offer_seconds)
        if steps:
            self._index = (self._index + steps) % len(self.intents)
            self._since = start + steps * self.offer_seconds
