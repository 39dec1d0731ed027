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
``away_from_rest``, the bedside shows it in words and the station a calm note in the bed's
Face cell.

"Far" is the bound re-anchoring stops at, by re-anchoring's own measure
(:meth:`~beckon.vision.pose.NeutralPose.offset_deg`) and read from
:class:`~beckon.vision.pose.NeutralParams` (defined there once, as the share of frames that
makes a rest and the face's lost gap): a still pose at or within it is taken as the new rest
by itself and the gestures come back; a pose past it never is, and this says so.

It starts and ends with hysteresis, since a large calm line that comes and goes moves the
whole bedside screen: a head hovering at 13.5 degrees with a little sway showed it 26 times in
580 s, most for 0.07-0.7 s (rev45a).
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
    """How long and how steadily the head must rest far from the learned rest to be told,
    and how surely it must be back before the telling ends.

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
    """The clock starts at the first frame past the bound and runs while at least
    ``NeutralParams.reanchor_share`` (85 %) of the frames since are not back (past
    ``back_deg``: a shake, a nod or a glance toward the rest does not start it again). Once
    it has run this long, told while the median offset of the frames of the last this long
    is past the bound: re-anchoring's own test (the median pose of its ``reanchor_s``, as
    long), so a rest is either taken or told. Counting frames past the bound left a rest
    whose median lay at 12.07-12.45 degrees with 0.6 degrees of jitter neither taken nor
    told (40-80 % of its frames past 12; rev45a2)."""
    back_deg: float = 10.0
    """Told, the head counts as back only within this of the rest (2 degrees inside the
    bound): a head swaying about the bound is not told and untold with each sway."""
    back_s: float = 1.0
    """... and only after this long back: a shake or a turn toward the rest (a gesture from
    there, which works) does not end it; a turn back held a second does."""


@dataclass
class AwayFromRest:
    """Feed it every observation with its offset from the rest
    (:meth:`~beckon.vision.pose.NeutralPose.offset_deg`); :meth:`update` says whether the head
    rests past ``reanchor_max_deg`` of the neutral (see :class:`AwayParams` for when).

    It ends after the head is back within ``back_deg`` for ``back_s``, at once when the
    neutral is replaced (re-anchored, switched, relearned: its ``neutral_version`` changes) or
    being learned (``provisional`` angles or none), and after the face has been gone
    ``NeutralParams.lost_gap_s``; a shorter miss (a turned face found again by the crop, a
    frame MediaPipe missed) changes nothing.
    """

    neutral: NeutralParams = field(default_factory=NeutralParams)
    params: AwayParams = field(default_factory=AwayParams)
    _far_since: float | None = field(default=None, init=False)
    _frames: int = field(default=0, init=False)
    _far: int = field(default=0, init=False)
    _back_since: float | None = field(default=None, init=False)
    _recent: deque[tuple[float, float]] = field(default_factory=deque, init=False)
    _version: int = field(default=-1, init=False)
    _last_seen: float | None = field(default=None, init=False)
    active: bool = field(default=False, init=False)
    """The result of the last :meth:`update`."""

    def reset(self) -> None:
        """Forget the head's offsets (no neutral, or a new one)."""
        self._far_since = None
        self._frames = self._far = 0
        self._back_since = None
        self._recent.clear()
        self.active = False

    def update(self, obs: FaceObservation, offset: float | None) -> bool:
        """One frame's observation and its head's offset from the rest in degrees (None: no
        neutral yet); True while the head rests far from the learned rest."""
        if not obs.found:
            if self._last_seen is None or obs.t - self._last_seen >= self.neutral.lost_gap_s:
                self.reset()
            return self.active
        self._last_seen = obs.t
        if obs.provisional or offset is None:
            self.reset()
            return False
        if obs.neutral_version != self._version:
            self.reset()
            self._version = obs.neutral_version
        self._recent.append((obs.t, offset))
        while obs.t - self._recent[0][0] > self.params.after_s:
            self._recent.popleft()
        active = self._told(obs.t, offset) if self.active else self._tell(obs.t, offset)
        if active != self.active:
            logger.info(
                "head %s the learned rest at t=%.2f (%.1f deg off)",
                "resting far from" if active else "back near (or a new rest)",
                obs.t,
                offset,
            )
        self.active = active
        return active

    def _tell(self, t: float, offset: float) -> bool:
        """Not told yet: whether the clock (:attr:`AwayParams.after_s`) has run out."""
        far = offset > self.neutral.reanchor_max_deg
        if self._far_since is None:
            if not far:
                return False
            self._far_since, self._frames, self._far = t, 0, 0
        self._frames += 1
        self._far += offset > self.params.back_deg
        if self._far < self.neutral.reanchor_share * self._frames:
            self._far_since = None  # too often back near: it starts again at the next far frame
            return False
        if t - self._far_since < self.params.after_s:
            return False
        if statistics.median(d for _, d in self._recent) <= self.neutral.reanchor_max_deg:
            return False  # at or within the bound, as re-anchoring measures it: taken there
        self._far_since = None
        self._back_since = None
        return True

    def _told(self, t: float, offset: float) -> bool:
        """Told: whether it still holds (the head not yet back ``back_s`` within ``back_deg``)."""
        if offset > self.params.back_deg:
            self._back_since = None
            return True
        if self._back_since is None:
            self._back_since = t
        return t - self._back_since < self.params.back_s
