"""The calibration wizard's script, in plain Python: what to ask, when, and what was recorded.

The calibration routine itself (:func:`beckon.vision.calibration.calibrate`) measures the
patient from face observations and *takes* (which gesture was asked for, from when to when).
This flow produces exactly those: it walks through placing the tablet, a rest, then each
gesture a few times with pauses, timed on the frames' own clock, and collects the observations
the vision thread hands over. A nurse can skip a gesture the patient cannot do, or start again.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from beckon.vision.calibration import (
    CALIBRATION_REPEATS,
    CALIBRATION_REST_S,
    CALIBRATION_SLOT_S,
)

# The take timing is the calibration's own (one rule, in vision/calibration.py); the wizard
# only adds a pause between takes, where the patient rests while the next prompt shows.
REST_S = CALIBRATION_REST_S
TAKE_S = CALIBRATION_SLOT_S
PAUSE_S = 1.5
DEFAULT_GESTURES = ("nod", "shake")
TAKES_PER_GESTURE = CALIBRATION_REPEATS


@dataclass(frozen=True)
class Phase:
    """One screen of the wizard. ``kind``: position (wait for the face), rest, take, pause,
    done. ``gesture`` and ``take`` name the gesture and which take of it (1-based)."""

    kind: str
    gesture: str = ""
    take: int = 0
    seconds: float = 0.0


def plan(gestures: Sequence[str] = DEFAULT_GESTURES, takes: int = TAKES_PER_GESTURE) -> list[Phase]:
    phases = [Phase("position"), Phase("rest", seconds=REST_S)]
    for gesture in gestures:
        for i in range(1, takes + 1):
            phases.append(Phase("take", gesture, i, TAKE_S))
            phases.append(Phase("pause", gesture, i, PAUSE_S))
    phases.append(Phase("done"))
    return phases


@dataclass(frozen=True)
class TakeWindow:
    """The gesture asked for between ``start`` and ``end`` (frame clock); Take's shape."""

    gesture: str
    start: float
    end: float


class CalibrationFlow:
    """Advance with ``advance(t)`` on the frame clock; feed ``observe(obs)`` from any thread."""

    def __init__(self, gestures: Sequence[str] = DEFAULT_GESTURES) -> None:
        self.phases = plan(gestures)
        self.index = 0
        self.phase_started: float | None = None
        self.takes: list[TakeWindow] = []
        self.skipped: list[str] = []
        self.face_found = False
        self._observations: list[Any] = []
        self._lock = threading.Lock()
        self._last_t: float | None = None

    @property
    def phase(self) -> Phase:
        return self.phases[self.index]

    @property
    def done(self) -> bool:
        return self.phase.kind == "done"

    @property
    def recording(self) -> bool:
        return self.phase.kind not in ("position", "done")

    def observe(self, obs: Any) -> None:
        """An observation from the vision thread (kept while recording)."""
        if obs is None:
            return
        with self._lock:
            self._last_t = float(obs.t)
            self.face_found = bool(obs.found)
            if self.recording:
                self._observations.append(obs)

    @property
    def last_t(self) -> float | None:
        with self._lock:
            return self._last_t

    def observations(self) -> list[Any]:
        with self._lock:
            return list(self._observations)

    def progress(self, t: float | None) -> float:
        """How far through the current timed phase (0..1)."""
        if t is None or self.phase_started is None or not self.phase.seconds:
            return 0.0
        return min(1.0, max(0.0, (t - self.phase_started) / self.phase.seconds))

    def start(self, t: float | None) -> bool:
        """Leave the position step (the nurse presses Start). Needs a face in view."""
        if self.phase.kind != "position" or t is None or not self.face_found:
            return False
        self._next(t)
        return True

    def advance(self, t: float | None) -> bool:
        """Move on when the current timed phase is over; returns whether the phase changed."""
        if t is None or self.phase_started is None or not self.phase.seconds:
            return False
        if t - self.phase_started < self.phase.seconds:
            return False
        if self.phase.kind == "take":
            self.takes.append(TakeWindow(self.phase.gesture, self.phase_started, t))
        self._next(t)
        return True

    def skip_gesture(self, t: float | None) -> None:
        """The patient cannot do this gesture: drop its takes and go to the next gesture."""
        gesture = self.phase.gesture
        if not gesture or t is None:
            return
        self.skipped.append(gesture)
        self.takes = [tk for tk in self.takes if tk.gesture != gesture]
        while self.phase.gesture == gesture and not self.done:
            self.index += 1
        self.phase_started = t

    def restart(self) -> None:
        with self._lock:
            self._observations.clear()
        self.index = 0
        self.phase_started = None
        self.takes.clear()
        self.skipped.clear()

    def _next(self, t: float) -> None:
        self.index = min(self.index + 1, len(self.phases) - 1)
        self.phase_started = t


ESSENTIAL_ACTIONS = ("select",)
"""Actions the patient cannot do without: with none of them, the screen still says "Nod to
choose" but nothing can be chosen. (Confirming falls back to the select gesture.)"""


def keep_essential(result: Any, base: Any) -> tuple[Any, list[str]]:
    """Never let calibration switch off the patient's only way to choose.

    When the calibrated profile has no enabled gesture for an essential action, the gestures
    calibration switched off for it are kept on at their setting in ``base`` (the profile
    before calibration). Returns the (possibly changed) result and the gestures kept on, for
    the warning the nurse must read.
    """
    from dataclasses import replace

    profile = result.profile
    kept: list[str] = []
    for action in ESSENTIAL_ACTIONS:
        if action in profile.actions().values():
            continue
        for gesture in result.disabled:
            if base.setting(gesture).action == action or profile.setting(gesture).action == action:
                previous = base.setting(gesture)
                profile = profile.with_gesture(
                    gesture, enabled=True, threshold=previous.threshold, action=action
                )
                kept.append(gesture)
    if not kept:
        return result, []
    disabled = [g for g in result.disabled if g not in kept]
    return replace(result, profile=profile, disabled=disabled), kept


def can_choose(profile: Any) -> bool:
    """Whether the profile leaves the patient a gesture for every essential action."""
    return all(a in profile.actions().values() for a in ESSENTIAL_ACTIONS)


def run_calibration(flow: CalibrationFlow, base: Any = None) -> Any:
    """Hand what was recorded to the calibration routine; returns its CalibrationResult
    (raises its CalibrationError when it could not measure, e.g. no steady face at rest)."""
    from beckon.vision.calibration import Take, calibrate

    takes = [Take(tk.gesture, tk.start, tk.end) for tk in flow.takes]
    return calibrate(flow.observations(), takes, base=base)
