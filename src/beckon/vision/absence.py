"""When a face has been gone long enough that the neutral pose must be learned again.

Why one small rule of its own: the bedside (:class:`~beckon.vision.pipeline.VisionPipeline`)
and the benchmark's replay of cached frames
(:func:`beckon.lab.gesture_bench.online_events`) must relearn at the same moment, or the
bench scores a bedside that does not exist. A face gone ``relearn_after_s`` may be a new
patient in the bed or a tablet that was moved: the old neutral pose and everything the
gesture engine learned from the old face no longer apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class AbsenceWatch:
    """Feed it every frame; :meth:`update` says when to relearn (once per absence)."""

    relearn_after_s: float = 10.0
    _lost_since: float | None = field(default=None, init=False)
    _fired: bool = field(default=False, init=False)

    def update(self, t: float, found: bool, neutral_ready: bool) -> bool:
        """True on the frame where the face has been gone ``relearn_after_s`` and a neutral
        pose is still held; once per absence (a calibrated neutral put back stays ready)."""
        if found:
            self._lost_since = None
            self._fired = False
            return False
        if self._lost_since is None:
            self._lost_since = t
            return False
        if self._fired or not neutral_ready or t - self._lost_since < self.relearn_after_s:
            return False
        self._fired = True
        return True


FRAME_GAP_S = 1.0
"""A camera that sends no picture for longer than this (a stall, a USB hiccup) breaks every
gesture in progress: what the head did meanwhile is unknown. A 2.9 s stall with the head down
mid-nod was counted as a held "look down"."""


def broken_by_gap(last_t: float | None, t: float) -> bool:
    """Whether the frame at ``t`` comes after a gap in the pictures (``last_t``: the last
    frame's time), so that gestures in progress must be dropped."""
    return last_t is not None and t - last_t > FRAME_GAP_S
