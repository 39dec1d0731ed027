"""When the head rests far from the learned rest, where turns, tilts, looks and expressions fail.

Why a rule of its own: a patient who shifts in bed after the first-pose check and rests 15
degrees or more turned, tilted or pitched from his learned rest keeps the old neutral for as
long as he rests there (``NeutralParams.reanchor_max_deg``: from the pose alone such a rest is
a patient looking at something, a television or a visitor, which comes back). Nods and shakes
still work there, but every turn, tilt and look, and every long blink, mouth opening and brow
raise is lost (gest41b), and the bedside said ``ready``. Only a person can tell a new rest from
a long look aside: the patient can turn back, staff who moved him can choose "Patient
repositioned" (:meth:`~beckon.vision.pipeline.VisionPipeline.relearn_neutral`). This rule is
what tells them: :class:`~beckon.vision.pipeline.FaceStatus` carries it as the hint
``away_from_rest``, the bedside shows it in words and the station sees it as the bed's fault
of the same name.

"Far" is the bound re-anchoring stops at, read from :class:`~beckon.vision.pose.NeutralParams`
(defined there once): a pose at or within it is taken as the new rest by itself (after
``reanchor_s`` still) and the gestures come back; a pose past it on any axis never is.
"""

from __future__ import annotations

import logging
import statistics
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from beckon.vision.pose import NeutralParams

if TYPE_CHECKING:
    from beckon.vision.face import FaceObservation

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AwayParams:
    """How long and how steadily the head must rest far from the learned rest to be told.

    ``after_s`` = 8 s, measured with pose traces through the real pipeline (gest45a,
    ``/work/scratch/gest45a/awayprobe.py``): longer than any glance a patient makes and comes
    back from (1 to 5 s and its ramps: 0 hints in those runs) and than any held gesture
    (``HoldParams.max_hold_s``, 4 s with its ramps, and a deliberate hold past it is no
    gesture); as long as re-anchoring waits (``reanchor_s``) before it takes a nearer pose as
    the rest. So a patient who watches television for a minute is told too, 8 s after his head
    settled there: the message is true (turns and looks do not work from there) and he can
    turn back; a longer wait would only leave a repositioned patient longer without his
    gestures and nobody told.
    """

    after_s: float = 8.0
    smooth_s: float = 0.5
    """The head's offset is the median over this long: one noisy frame (MediaPipe's pitch
    jitter, a blink) neither breaks a rest out there nor ends one."""
    lost_gap_s: float = 1.0
    """A face missing this long starts the clock again (as ``NeutralParams.lost_gap_s``); a
    shorter miss (a turned face found again by the crop) does not."""


@dataclass
class AwayFromRest:
    """Feed it every observation; :meth:`update` says whether the head has rested past
    ``reanchor_max_deg`` of the neutral (on any axis) for ``after_s``.

    It ends at the first frame the smoothed head is back within that bound, when the neutral
    is replaced (re-anchored, switched, relearned: its ``neutral_version`` changes) or being
    learned (``provisional`` angles or none), and after the face has been gone ``lost_gap_s``.
    """

    neutral: NeutralParams = field(default_factory=NeutralParams)
    params: AwayParams = field(default_factory=AwayParams)
    _recent: deque[tuple[float, float]] = field(default_factory=deque, init=False)
    _far_since: float | None = field(default=None, init=False)
    _version: int = field(default=-1, init=False)
    _last_seen: float | None = field(default=None, init=False)
    active: bool = field(default=False, init=False)
    """The result of the last :meth:`update`."""

    def reset(self) -> None:
        """Forget the head's recent offsets (no neutral, or a new one)."""
        self._recent.clear()
        self._far_since = None
        self.active = False

    def update(self, obs: FaceObservation) -> bool:
        """One frame's observation; True while the head rests far from the learned rest."""
        if not obs.found:
            if self._last_seen is None or obs.t - self._last_seen >= self.params.lost_gap_s:
                self.reset()
            self.active = False
            return False
        self._last_seen = obs.t
        if obs.provisional or obs.pitch is None or obs.yaw is None or obs.roll is None:
            self.reset()
            return False
        if obs.neutral_version != self._version:
            self.reset()
            self._version = obs.neutral_version
        self._recent.append((obs.t, max(abs(obs.pitch), abs(obs.yaw), abs(obs.roll))))
        while obs.t - self._recent[0][0] > self.params.smooth_s:
            self._recent.popleft()
        offset = statistics.median(d for _, d in self._recent)
        if offset <= self.neutral.reanchor_max_deg:
            self._far_since = None
        elif self._far_since is None:
            self._far_since = obs.t
        active = self._far_since is not None and obs.t - self._far_since >= self.params.after_s
        if active != self.active:
            logger.info(
                "head %s the learned rest at t=%.2f (%.1f deg off)",
                "resting far from" if active else "back near (or a new rest)",
                obs.t,
                offset,
            )
        self.active = active
        return active
