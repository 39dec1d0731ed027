"""Nod ("yes") and shake ("no") detection from head angles relative to the neutral pose.

Why this design (see design.md, "Head gestures"): patients move less and slower than the
healthy people in published datasets, and sitting still already reaches 31 degrees per second
of pitch speed, so fixed speed thresholds fail both ways. Instead each detector:

* follows one axis (pitch for a nod, yaw for a shake) relative to the patient's neutral pose,
  lightly smoothed;
* finds turning points with a zig-zag filter: a reversal is confirmed once the head has moved
  back from its latest extreme by at least ``swing = max(min_amplitude_deg, k_noise * noise)``,
  where ``noise`` is the resting jitter (a calibration's, never below ``quiet_noise_deg``),
  the bar lowered for a calm patient by the background measured as they rest (``calm_s``);
* needs ``min_reversals`` reversals within ``window_s``, spaced between
  ``min_half_period_s`` (faster is tremor) and ``max_half_period_s`` (slower is swaying);
  brisk swings (healthy people nod at 1.5 to 3.5 Hz, tremor runs at 4 to 7 Hz) must also be
  large, and the raw samples must not show a sustained rhythm at the movement's own scale
  (:class:`_Flips`: more reversals in a row than a four-cycle nod makes, or reversals on three
  frames in a row, which is how a 4.5 to 5.5 Hz tremor looks at 10 fps), so tremor is told
  apart by size, persistence and what the frames show, not by speed alone;
* needs the other axis to stay quiet over the gesture (a diagonal or circular head movement is
  neither yes nor no);
* fires only when the movement has settled (back near where it started for ``settle_s``, or
  still anywhere for ``rest_reset_s``), so the event time is when the gesture completed and
  one long gesture is one event;
* then suppresses further events for ``cooldown_s`` against double triggers;
* drops everything while the face is lost, of low quality or turned far away.

The detectors are plain Python on :class:`~beckon.vision.face.FaceObservation`-like samples so
that they can be tested on synthetic pose traces.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

_GAP_TOL = 1e-6
"""Slack on ``bridge_s``: a gap is read as a difference of frame times, which floating point
may put a hair over it (as ``vision/held.py``'s)."""

Axis = Literal["pitch", "yaw"]


@dataclass(frozen=True, slots=True)
class GestureEvent:
    """A recognised head gesture: ``t`` seconds from the start of the source, when it completed.

    :meth:`to_json_dict` is a public contract (``beckon replay --json``, the bedside protocol):
    keep its field names stable.
    """

    t: float
    gesture: str
    confidence: float
    made: float | None = None
    """When an event reported on a later frame than it was made on was made; None for one
    reported as it was made. A held-back nod or shake, released with the other axis's gesture
    that followed it up to ``EngineParams.held_back_max_s`` later, and a gesture the replay
    found against a corrected neutral, up to ``replay_max_age_s`` later, are reported at
    that frame's time ``t``; a held look or turn deferred behind a nod or shake of its axis,
    up to ``defer_max_s`` later, keeps its own ``t`` (so ``made == t``; the vision worker hands
    it to the bedside at the frame's time). The bedside applies a late one only to what was
    on screen when it was made: a nod at "Water" released seconds later must not select the
    request on offer by then (the replayed and deferred ones carry it since session 39)."""

    face_back: float | None = None
    """For an event made before a loss of the face over ``CrossingParams.bridge_s`` and
    reported after it: when the face came back (None otherwise). Why: the bedside drops a
    step made before a step it dropped as too late (``Interaction._too_late_to_step``), as one
    made from where that step would have put the highlight; a step made after the face came
    back was made from what the screen showed, and must not go with it (review rev48b2,
    lostthen2.py: a deliberate turn made 1.7 s after the face came back, reported in the
    frame that let the old turn out 6.67 s late, was dropped with it in 12 of 32 cases)."""

    @property
    def made_at(self) -> float:
        """When the gesture was made: :attr:`made`, or ``t`` for one reported as it was made."""
        return self.t if self.made is None else self.made

    def to_json_dict(self) -> dict[str, Any]:
        """``{"type": "gesture", "gesture": name, "t": seconds, "confidence": 0..1}``."""
        return {
            "type": "gesture",
            "gesture": self.gesture,
            "t": round(self.t, 2),
            "confidence": round(self.confidence, 2),
        }


@dataclass(frozen=True, slots=True)
class PoseSample:
    """The fields of a face observation that the detectors read (angles relative to neutral)."""

    t: float
    found: bool
    pitch: float | None
    yaw: float | None
    quality: float = 1.0
    provisional: bool = False
    """Angles against a provisional reference (no neutral pose yet): the reference may be the
    extreme of a swing, so the looking-away limit is doubled."""
    cuts: bool = False
    """An unusable frame (``found`` False) that still tells something of the head: it was read
    past the looking-away limit, or the occlusion gate closed over it (a hand or a bending
    mesh moved the pose; the gate holds movements back by cutting them). It ends a movement
    under way; only frames with no face or too poor a view are gaps ``bridge_s`` bridges."""


@dataclass(frozen=True, slots=True)
class HeldBack:
    """A nod or shake whose other axis stayed quiet until its last leg came back but moved
    while it settled: maybe the next gesture begun with no rest between (see
    :meth:`OscillationDetector.release_held_back`), maybe not."""

    event: GestureEvent
    last_turn_t: float
    """Its last turning point: a next gesture must have begun after it."""
    back_t: float = -math.inf
    """When its last leg came back near its start: what its axis did until then was its own
    movement, not the next gesture's other axis (see
    :attr:`OscillationDetector.other_held_back`)."""

    def released_by(self, seen_moving_t: float) -> bool:
        """Whether a gesture of the other axis first seen moving at ``seen_moving_t`` is the
        next gesture this one was held back for: begun after its last turning point and no
        later than it completed (it moved the other axis while this one settled)."""
        return self.last_turn_t < seen_moving_t <= self.event.t


def log_dropped_late(gesture: str, made: float, t: float, waited: str, why: str) -> None:
    """The one line for a gesture that waited (held back for a next gesture, or a look deferred
    as maybe a nod's last swing) and is dropped at ``t`` without being reported. Hospital IT
    reads the log to learn why a patient's gesture did nothing; a waiting one otherwise left no
    trace at INFO (its "held back" line is DEBUG), and several of its drops none at all."""
    logger.info("%s made at t=%.2f, %s, dropped at t=%.2f: %s", gesture, made, waited, t, why)


HELD_BACK = "held back for a next gesture"
"""How :func:`log_dropped_late` names a held-back nod or shake's wait."""

DEFERRED = "deferred as maybe the last swing of a nod or shake"
"""How :func:`log_dropped_late` names a held look or turn's wait (see
``GestureEngine._defer_to_oscillations``)."""


@dataclass(frozen=True, slots=True)
class GestureParams:
    """Thresholds of one oscillation detector; defaults suit a nod (see :data:`SHAKE_PARAMS`).

    Angles in degrees, times in seconds. ``noise`` below means the resting jitter (robust std)
    of the axis (see ``quiet_noise_deg``).
    """

    min_amplitude_deg: float = 4.0
    """Smallest swing between turning points that counts, whatever the noise."""
    k_noise: float = 6.0
    """A swing must also exceed this many times the resting noise."""
    quiet_noise_deg: tuple[float, float] = (0.3, 0.15)
    """Resting jitter (pitch, yaw) the bars assume, and the least a calibration's measured
    jitter is taken as (:meth:`OscillationDetector.set_noise`). Every bar was tuned with
    these. The jitter the neutral pose measures over its one steady second is not applied
    (until 2026-12 the bedside applied it and the benchmark did not, so the figures were not
    the bedside's): measured there, a real face's slow drift counts as jitter (0.7 degrees
    of yaw on ``clm_cap12``), and applied, it cost nods and shakes on the wide recipe
    (held-out nod F1 0.974 -> 0.919, training shake 0.947 -> 0.824) and turned held turns
    of real clips into shakes, for not one false event fewer. The detectors' own calm
    measurement (``calm_s``) already adapts the bar to the patient's background, continuously.
    """
    min_reversals: int = 2
    """Direction reversals needed; a single down-and-up dip is not enough (false alarms cost)."""
    window_s: float = 2.0
    """The counted reversals must fall within this span."""
    min_half_period_s: float = 0.12
    """Turning points closer than this (less one frame interval's worth of sampling slack) are
    tremor or jitter: the gesture is started over. A brisk 3.5 Hz nod still has 0.14 s between
    turning points; tremor runs at 4 to 7 Hz (0.07 to 0.125 s)."""
    brisk_half_period_s: float = 0.2
    """Turning points closer than this are *brisk*: healthy people nod that fast, and so does a
    tremor. Speed alone cannot tell them apart, so brisk swings must also be large..."""
    brisk_swing_ratio: float = 1.2
    """...at least this many times the swing threshold (a tremor is small)..."""
    max_brisk_reversals: int = 9
    """...and few: more reversals in a row than a four-cycle nod makes, each within
    ``brisk_half_period_s`` (plus half a frame) of the one before, is a sustained rhythm
    (tremor, shivering), and a movement that such a run reaches into is dropped. Counted on
    the raw samples (see :class:`_Flips`), not on the confirmed swings: a tremor near the
    swing threshold confirms only some of its reversals, at irregular intervals, and looked
    like a slower nod."""
    alias_frames: int = 3
    """The raw samples reversing on this many consecutive frames (one frame apart each time)
    is a sustained rhythm too: see :class:`_Flips` (aliasing at 10 fps)."""
    flip_band_ratio: float = 0.5
    """A raw reversal counts for the two rules above once the head moved back this share of
    the movement's scale (its median swing, at least the swing threshold, so at least 3 x
    the jitter): a tremor large enough to confirm swings shows nearly all its reversals,
    jitter none, and a small tremor riding on a large nod is not counted against the nod.
    Reversals of this share of the threshold itself are kept for ``background_s`` plus
    ``window_s`` (4.5 s): a movement's run may have begun that long before it completes."""
    max_gap_ratio: float = 3.0
    """Consecutive half periods (time between turning points) may differ at most this many
    times: a nod or shake keeps its rhythm, while a 4 to 7 Hz tremor sampled at 10 fps
    (aliasing) or a hand passing in front of the face gives turning points at irregular
    intervals. The first leg (from where the movement started) is not compared."""
    lead_swing_ratio: float | None = None
    """When set, a movement whose first confirmed leg turns back from an extreme that the head
    had just reached by a swing of at least this share of the swing threshold (within one
    half period) counts that extreme as a reversal: a small slow shake from rest swings half
    as far to its first extreme as between its extremes, so with a whole swing asked of every
    leg a 1.5 cycle shake showed only one reversal. MediaPipe's lag and the smoothing read
    that first swing shorter still (about 0.42 of the swing between extremes for small slow
    shakes of both score faces), so shakes ask 0.4 of the threshold (0.6 missed them). None:
    every leg must be a whole swing."""
    min_outer_leg_ratio: float | None = None
    """When set, a movement that completes with only ``min_reversals`` (two) reversals shows one
    whole swing, between its two turning points, and two outer legs: from where it began to the
    first, and from the last to where it came to rest. Each outer leg must be at least this
    share of that swing. Why: with two reversals a nod is either one-sided (down, up, down: 1.5
    cycles, every leg the same size) or centred (up, down, back: outer legs half the swing),
    while a single excursion that overshoots rest on the way back (a signer's head dipping to
    the hands and coming back up past rest; a short dip before the head settles in a new
    posture) has one long swing between a short lead-in and a short settle. Real signing gave
    outer legs of 0.10 to 0.34 of the swing; every true nod of the tune footage (the rendered
    tune part, the real ASL nods) has three reversals or more. None: not checked (shakes,
    whose lead swing is counted as a reversal, see ``lead_swing_ratio``)."""
    excursion_leg_ratio: float | None = None
    """When set, a movement begun from rest or from its lead swing (not restarted or pruned)
    that came back to where it began, with at most two legs of at least this share of its
    largest leg, is one excursion out and back, not a shake: a shake swings to both sides of
    rest, so from rest every leg of it is a whole swing or half of one (1.5 cycles: a half, a
    whole, a whole, a half). A quick turn to a side and back is two large legs; the slow sway
    before it (1 to 3 degrees over a second, the head drifting the other way) and the settle
    after it (a small overshoot past rest and back) were read as reversals, so a glance-turn
    held 0.4 to 0.6 s became a "no" and its turn was dropped as the shake's end (gest36b's
    sweep, session 38). The shakes from rest of the sweep, the widened tune part and the real
    tune sets kept a third largest leg of at least 0.31, 0.44 and 0.44 of their largest; the
    turns 0.04 to 0.18. A lopsided one-cycle shake whose smaller side is under about a third
    of the larger (legs r, 1 + r, 1) is one excursion too. Not after a restart (see
    :meth:`OscillationDetector._one_excursion`): a turn begun at a sway's turning point can
    still be a shake; and not for a movement that ends turned (a one-cycle "no" ending with
    the head still to one side, review rev38a). Shakes only: nods have
    ``min_outer_leg_ratio``. None: not checked."""
    overshoot_ratio: float | None = None
    """With lead swings counted (``lead_swing_ratio``), a head within ``rest_band`` of its
    start is not back while it is nearer the extreme it last reached than the start, when
    that extreme lies beyond the band: a small slow shake pauses at its far end, just past
    the band, and looked back there. When set, an extreme within this share of the
    movement's median swing (between its turning points) of the start is no far end but
    the return's overshoot: a large shake often stops a little past where it began and
    drifts back (a damped stop), and the head coming back from it is back. A far end lies
    about half a swing from the start (a centred shake) or a whole one (one-sided), so a
    quarter swing is half the nearest far end; with the band at half the threshold, only
    swings over twice the threshold gain anything, and a small slow shake keeps the
    clause. None: every extreme beyond the band is a far end."""
    max_half_period_s: float = 1.2
    """Turning points further apart than this are swaying, not one gesture; started over
    (unless both are holds of a paused rhythm, see ``paused_hold_s``)."""
    paused_hold_s: float | None = None
    """When set, a half period over ``max_half_period_s`` between two turning points that are
    both *holds* (the head stayed within the settle band of each extreme for at least this
    long) is timed between the holds' middles instead, if the movement from one hold to the
    next took at most ``paused_move_ratio`` of that time. Why: a weak patient's slow nod
    holds at the bottom and pauses at rest between dips; noise puts each extreme anywhere on
    its plateau, so a nominal half period of ramp + (hold + pause) / 2 (0.9 to 1.1 s) read up
    to ramp + hold + pause and the nod was lost (issue #9, sessions 34 and 35). Timing every
    turning point at its plateau's middle (session 34, plat34) brought those back but made
    slow movements at the limit gestures: two brisk dips with a long rest between (the
    bottoms are no holds) and a slow sway (its peaks are curved, and it spends most of each
    half period moving, not dwelling). The turning points keep their times (the swings, the
    movement's start and end are read there); the half period read between the middles
    stands for this one in the limit and in the regularity check (``max_gap_ratio``), against
    the one before and the one after: the extremes' reading is the plateaus' noise the rule
    takes out, and on synthetic paused nods it came to 2.8 and 3.0 times its neighbours, at
    that check's limit, where the middles' came to 2.0 and 2.4 (session 35, gest35d). The
    extremes may then lie up to twice the limit apart
    (:attr:`OscillationDetector.next_turn_within_s`). None: never (shakes: the lost movements
    were nods, and with every turning point at its middle a talking head's slow yaw sway
    became a false shake)."""
    repeat_dwell_s: float | None = None
    """When set, a movement whose turning points stay on one side of where it began (the far
    ones half a swing or more out there, and on average half a swing or more from the
    neutral too, the ones between them back at rest: none past it the other way by more
    than ``repeat_cross_ratio`` of the median swing) and that paused at rest
    (``repeat_band_ratio``, ``repeat_move_ratio``; a frame of slack) for at least this long
    at every turning point between two far ones is one held gesture repeated the same way,
    not a nod or shake: dropped, and each excursion is left to the held detectors (turn,
    rest, turn). From the neutral too: a weak patient's shake from a turned rest (yaw -12
    or -18, swinging to +8 and back with a pause at each end) stays on one side of where
    it began (review rev43a: 15 of 16 shakes, 4 of 16 without it). Why: a shake swings
    through its rest to both sides, and a brisk one-sided shake (a patient who turns one
    way only) swings through its rest without stopping there, while three turns left held
    0.4 to 0.8 s with 0.3 to 0.8 s at rest (turning points 0.7 to 1.2 s apart, the swings
    regular) were one shake, "next" at the bedside, one step the wrong way, and two looks
    up one nod, which selects (gest42b's rep.py: 40 to 60 of 64 runs per cell, session 43).
    None: never. See ``repeat_side`` for nods."""
    repeat_cross_ratio: float = 0.25
    """See ``repeat_dwell_s``."""
    repeat_move_ratio: float = 1.0
    """See ``repeat_dwell_s``: a pause at rest is one the head took no longer to come to
    from the far turning point before it (read from the edge of that one's own dwell) than
    this many times the pause: turn, rest, turn moves
    briskly between a hold and a pause (ramps of 0.3 s against pauses of 0.4 s and more),
    where a slow one-sided shake moves for most of each half period (at 0.5 Hz a sine
    stays within a tenth of its swing of each end for 0.4 s of each second)."""
    repeat_band_ratio: float = 0.1
    """See ``repeat_dwell_s``: at rest means within this share of the median swing of the
    turning point (or the settle band, if wider): a calm face's settle band (0.45 degrees
    on a still face whose bar has adapted) is the noise's own width, and a pause at rest read
    in it came to 0.2 s of 0.3, or nothing where one noisy frame was the turning point. A
    one-sided swing through rest at 1 Hz stays within a tenth of its swing for 0.2 s."""
    repeat_side: int = 0
    """See ``repeat_dwell_s``: 0, the far turning points on either side; -1 (+1), only when
    they lie below (above) where the movement began, and half a swing or more below (above)
    the neutral, the angles' zero (a movement that began at the bottom of a look down held
    long enough to start over there goes "up" to rest). Nods: -1, looks up only. Look down, rest,
    look down is a weak patient's slow nod held at the bottom and paused at rest, made a nod
    on purpose (``paused_hold_s``, session 35), and no shape tells the two apart; a nod dips
    down first (pitch > 0)."""
    paused_band_ratio: float = 0.2
    """See ``paused_hold_s``: a hold's band is at most this share of the swing that led to it:
    on a calm face's 2 degree nod the settle band's ``3 x noise`` is half the swing, and the
    "hold" would be most of the leg (session 34, plat34)."""
    paused_move_ratio: float = 0.5
    """See ``paused_hold_s``: a paused rhythm dwells at its ends longer than it moves (a slow
    nod's ramps of 0.3 to 0.45 s between holds whose middles are 0.9 to 1.1 s apart, where a
    sway near the limit moves for 0.6 to 0.75 of its half period)."""
    first_leg_check: bool = False
    """When set, a movement that completes with only ``min_reversals`` reversals must have
    a first leg that a nod makes (see :func:`first_leg_fault`): seen from its start (not
    already moving when the face was found), and not a held posture (the head dwelling at
    either end of the leg for longer than ``max_half_period_s``, the slowest half swing of a
    nod). Why:
    with two reversals the first leg is a third of the nod, and on real signers it was the
    head already on its way up when the clip began (the face found mid-movement) or a look
    down held for 2.5 s and then released; what came after it was one dip, which is no nod.
    With more reversals the rest is a nod without it. False: not checked (shakes: the same
    rule lost a real shake that starts its clip, see docs/journal/gestures.md, session 13)."""
    settle_s: float = 0.25
    """Complete once the head moved less than ``settle_band`` for this long near its start..."""
    slow_settle_ratio: float | None = 0.6
    """A movement completes only once settled for this share of its last half period (time
    between its last turning points), if longer than ``settle_s``: a slow one-sided nod
    pauses at its rest end between cycles, for about a quarter of its period, long enough to
    look settled, and four-cycle nods at 0.6 and 0.9 Hz fired mid-nod and again at their end.
    Brisk movements (half periods under 0.42 s) keep ``settle_s`` and their latency; a 1 Hz
    nod waits 0.05 s more. None: ``settle_s`` for all (shakes swing through their rest, they
    do not pause there)."""
    rest_reset_s: float = 0.8
    """...or for this long anywhere; settled this long without enough reversals: forget it."""
    settle_band: float = 0.25
    """Motion below this share of the swing threshold (and ``3 x noise``) counts as settled."""
    rest_band: float = 0.5
    """Within this share of the swing threshold of where the movement started counts as back..."""
    back_swing_ratio: float | None = None
    """...or within this share of the movement's median swing, when set: a large nod often
    ends a few degrees from where it began (the head settles a little higher or lower after
    it, or the movement was first seen at the overshoot of its first dip: a camera that came
    on, or a clip that begins, with no rest before), and then it could complete only after
    ``rest_reset_s`` of stillness; a second nod or any movement within that time dropped it
    (comp4989 ``yes_5`` at 15 and 10 fps: a 27 degree nod ending 2.7 degrees from its first
    frame, the second nod 0.9 s later). None: the threshold's share alone."""
    other_max_ratio: float = 0.5
    """The other axis may move at most this share of the median swing (peak to peak)..."""
    other_min_deg: float = 3.0
    """...or this many degrees, whichever is larger (landmark cross-talk on real faces)."""
    long_min_reversals: int | None = 4
    """A movement of this many reversals or more (a shake of two cycles, a nod of two and a half:
    plainly one) may move the other axis up to ``long_other_ratio`` of its median swing instead,
    when the other axis made no nod or shake of its own over it (at most one reversal of
    ``long_other_bar_ratio`` of the median swing: it dipped, turned or drifted one way and
    maybe back). A signer's teacher shakes her head 27 to 33 degrees while it dips 13 to 18
    with the sign (signtune2 ``sa_idontunderstand``, ``sa_noimnotdeafimhearing``: other axis
    0.53 and 0.49 of the swing); every signer's or talker's rejected candidate of four
    reversals or more on the tune sets moved its other axis 0.96 of its swing or more, while
    two three-reversal negatives stand at 0.58 and 0.62 (session 37). None: the plain limit."""
    long_other_ratio: float = 0.6
    """See ``long_min_reversals``."""
    long_other_bar_ratio: float = 0.5
    """See ``long_min_reversals``: the zig-zag bar, as a share of the median swing, at which
    the other axis's own reversals are counted."""
    background_s: float = 2.5
    """The movement of the axis in this long before a gesture starts is its background..."""
    background_ratio: float = 1.5
    """...and the gesture's swings must be this many times larger than the background's range
    (10th to 90th percentile): a patient who bobs the head while talking or signing does not
    nod with each bob; a nod stands out from what the head was doing."""
    calm_s: float = 1.2
    """A patient whose axis stayed calm this long (from half a second after the last event,
    when the head has settled) has a measured
    background, and the swing threshold adapts to it..."""
    calm_ratio: float = 0.25
    """...when its range (10th to 90th percentile) was under this share of
    ``min_amplitude_deg``: then the threshold is ``calm_k`` times that range, down to..."""
    calm_k: float = 3.0
    calm_floor_ratio: float = 0.45
    """...this share of ``min_amplitude_deg`` (2.5 degrees for a nod): a weak patient lying
    still can answer with a 3 degree nod, while a restless one (or one signing or talking,
    whose background is larger) keeps the full threshold."""
    still_floor_ratio: float | None = None
    """When set, a face whose measured background is far stiller than the floor asks for
    (``calm_k`` times its range under ``calm_floor_ratio`` x ``min_amplitude_deg``) has its
    floor lowered to ``still_k`` times that range, down to this share of
    ``min_amplitude_deg``: a swing small in degrees can still be many times the face's own
    rest noise. None: the floor alone. A movement that started over (a reversal too fast,
    too slow or irregular, or brisk and small: tremor or jitter) keeps the floor. Shakes: 0.3
    (1.5 degrees with the 5 degree bar): hopper's shakes read 1.6 to 1.9, a rendered
    negative's 10 fps wobble 1.2 (a shake with 0.2)."""
    still_k: float = 10.0
    """See ``still_floor_ratio``: the lowered floor is this many times the background's range
    (hopper's yaw rests within 0.05 degrees; a real face's jitter of 0.15 to 0.2 keeps the
    floor)."""
    slow_half_s: float = 0.6
    """The calm background is measured about its slow trend, so a patient who sways slowly
    (0.15 to 0.4 Hz) but is otherwise still keeps the low threshold for brisk swings; a
    movement whose turning points are further apart than this (slower than about 0.8 Hz) is
    as slow as the sway itself, and its swings must clear the threshold measured with the
    sway left in (:attr:`slow_swing_threshold`)."""
    calm_hold_s: float = 0.0
    """A measured calm background is kept this long after the last calm window: the slow
    first swing of a shake pauses at its extreme, and the window then holds the shake's own
    start, which must not raise the bar for the rest of it. For the same reason, once the
    first leg of a movement is confirmed, the bar is the one measured just before the movement
    began (a slow shake starts so gently that the head still looks settled while it begins).
    0 for nods: held, a calm patient's slow pitch sway of 3 degrees gave a false nod."""
    cooldown_s: float = 1.5
    """No second event this soon after one."""
    min_quality: float = 0.35
    """Observations below this quality interrupt the gesture."""
    max_abs_deg: float = 35.0
    """Head turned or tilted further than this from neutral: the patient is looking away."""
    bridge_s: float = 0.34
    """A stretch of frames with no face or a quality under ``min_quality`` at most this long
    (first to last, with ``_GAP_TOL`` of slack) is a missed reading, not a cut: the movement
    goes on from the next usable frame as if those frames had not been taken (their pose,
    which MediaPipe still gives a poor frame, is never read: not a turning point, not a
    settled sample, not a frame interval); a longer stretch cuts it as before. A frame that
    read the head past ``max_abs_deg`` or that the occlusion gate closed over
    (``PoseSample.cuts``) is no gap, and nor is one across which the head was read a swing
    threshold away (:meth:`OscillationDetector._moved_across`: it moved through the gap,
    which hid the movement, not a far turn). What a gap hid is never taken as seen: a
    movement completes only on settled time that was read (:meth:`OscillationDetector._step`),
    and the tremor rules read the rhythm only where the frames were read (:class:`_Flips`).

    Why (issue #9): MediaPipe loses a turned face's far turn. realnod2 ``mm_nope``, a "no"
    of about 1 Hz swinging 25 degrees, read quality under the floor for 0.32 s at each far
    turn on one side, and the cut lost it. Why 0.34 s: the head spends a third of each cycle
    past half its swing on one side (the sine over 0.5 from 30 to 150 degrees of phase), so
    a face lost there at one far turn of a nod or shake of 1 Hz or faster (healthy people
    shake at about 1.4 Hz and nod at 1.7; design.md) stays lost at most 1/3 s, and its lost
    frames lie at most 0.30 s (10 fps) to 0.32 s (25 fps) apart first to last; 10 ms are
    slack for a live camera's timestamps. A longer lost stretch is no far turn but a face
    gone for a part of the movement that may have held a turning point of its own. 0: every
    unusable frame cuts the movement (until session 50)."""
    tremor_min_hz: float = 4.0
    tremor_max_hz: float = 7.0
    """Tremor runs at 4 to 7 Hz (design.md). Frames lost to a gap are bridged only when the
    frames come at least twice as often as the fastest tremor (14 a second; Nyquist): at
    10 fps a 4 to 7 Hz tremor is not resolved, only aliased in patterns the tremor rules know
    for frames taken one after the other (see :class:`_Flips`), which a lost frame breaks
    (10 fps, 30 % of a tremor's frames lost: nods and shakes there with any rule tried in
    session 50). A leg that crossed a gap must hold three frames or more read in a row that
    cover more than half the slowest tremor's period (0.125 s, each frame counted with its own
    interval: four frames at 25 fps), where a tremor would have reversed."""
    smoothing_s: float = 0.05
    """Time constant of the light low-pass filter applied to the angles."""


NOD_PARAMS = GestureParams(
    min_outer_leg_ratio=0.4,
    first_leg_check=True,
    back_swing_ratio=0.15,
    paused_hold_s=0.25,
    repeat_dwell_s=0.25,
    repeat_side=-1,
)
"""Defaults for nods: healthy people nod at ~1.7 Hz with a ~13 degree swing; patients less."""

SHAKE_PARAMS = GestureParams(
    min_amplitude_deg=4.0,
    slow_settle_ratio=None,
    other_max_ratio=0.45,
    lead_swing_ratio=0.4,
    overshoot_ratio=0.25,
    calm_hold_s=2.0,
    calm_floor_ratio=0.36,
    still_floor_ratio=0.3,
    excursion_leg_ratio=0.25,
    repeat_dwell_s=0.25,
)
"""Defaults for shakes: healthy swings are larger (~37 degrees), so ask a little more."""


def _sampled(half_period: float, dt: float) -> float:
    """Share of a brisk swing that frames ``dt`` apart typically catch: the sampled turning
    points fall about a quarter frame from the true ones (at 10 fps a 3 Hz swing reads about
    10 % short), so the tremor check asks less of brisk swings at low frame rates."""
    if half_period <= 0 or dt <= 0:
        return 1.0
    return math.cos(min(math.pi / 2, math.pi * dt / (4.0 * half_period)))


def _smoothed(half_period: float, tau: float, dt: float = 0.0) -> float:
    """Share of a swing that the detector's own low-pass filter (time constant ``tau``)
    keeps at this half period, for frames ``dt`` apart: the gain of the filter as it runs,
    ``a / |1 - (1 - a) exp(-i w dt)|`` with ``a = 1 - exp(-dt / tau)`` and ``w = pi / half``
    (``1 / sqrt(1 + (w tau)^2)`` when ``dt`` is not known yet). A slow swing loses nothing, a
    3 Hz nod at 30 fps about a quarter; at 10 fps the filter hardly smooths at all (one frame
    is two time constants), so a brisk swing loses only a few percent there."""
    if half_period <= 0 or tau <= 0:
        return 1.0
    w = math.pi / half_period
    if dt <= 0:
        return 1.0 / math.sqrt(1.0 + (w * tau) ** 2)
    a = 1.0 - math.exp(-dt / tau)
    return a / abs(1.0 - (1.0 - a) * complex(math.cos(w * dt), -math.sin(w * dt)))


def _spread(values: npt.NDArray[np.float64]) -> float:
    """Range of ``values`` from their 10th to their 90th percentile, interpolated linearly
    like ``np.percentile``. Sorted here because this runs on every frame for both axes, and
    ``np.percentile``'s overhead on a window of a few dozen values was most of the detectors'
    cost per frame."""
    a = np.sort(values)
    return _quantile(a, 0.9) - _quantile(a, 0.1)


def _quantile(ordered: npt.NDArray[np.float64], q: float) -> float:
    pos = q * (len(ordered) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return float(ordered[lo] + (pos - lo) * (ordered[hi] - ordered[lo]))


def _jitter(times: list[float], values: list[float]) -> float:
    """Range (10th to 90th percentile) of ``values`` about their slow trend (a straight line
    fitted over the window): a slow postural sway moves the head degrees over seconds but is
    no reversal, while jitter, tremor and the bobs of talking stay in the residual. (A
    parabola was tried; it fitted single talking bobs away and let false nods through.)"""
    t = np.asarray(times, dtype=float)
    v = np.asarray(values, dtype=float)
    if len(v) >= 6 and t[-1] > t[0]:
        # Least-squares line in closed form: the residual about it, as np.polyfit(..., 1)
        # would give, at a fraction of the cost.
        tc = t - t.mean()
        vc = v - v.mean()
        v = vc - (float(tc @ vc) / float(tc @ tc)) * tc
    return _spread(v)


def zigzag_reversals(values: list[float], bar: float) -> int:
    """Reversals of a trace at a zig-zag bar: a turning point counts once the trace has come
    back ``bar`` from it. The first leg (from the first value to the first extreme) is no
    reversal, so a trace that dipped and came back counts one, a nod two or more."""
    if not values or bar <= 0.0:
        return 0
    lo = hi = values[0]
    direction = 0
    count = 0
    for v in values[1:]:
        if direction == 0:
            lo, hi = min(lo, v), max(hi, v)
            if v - lo >= bar:
                direction, hi = 1, v
            elif hi - v >= bar:
                direction, lo = -1, v
        elif direction == 1:
            if v > hi:
                hi = v
            elif hi - v >= bar:
                count, direction, lo = count + 1, -1, v
        elif v < lo:
            lo = v
        elif v - lo >= bar:
            count, direction, hi = count + 1, 1, v
    return count


@dataclass(slots=True)
class _Pivot:
    t: float
    value: float


def first_leg_fault(
    trace: list[tuple[float, float]],
    began: float,
    start: _Pivot,
    turn: _Pivot,
    still_band: float,
    still_s: float,
    max_dwell_s: float,
    held_trace: list[tuple[float, float]] | None = None,
) -> str:
    """Why the leg from ``start`` (where a movement began) to ``turn`` (its first turning
    point) is not the first leg of a nod, or "" when it may be one. ``trace`` is the axis
    as the detector saw it over the last seconds, ``(t, value)`` oldest first, values
    against the neutral (0 is rest); ``began`` is when the face was found (the trace's first
    sample, which ``trace`` may no longer hold).

    * *Not seen from its start*: the head left ``still_band`` of the trace's first sample
      within ``still_s`` and the leg began before that: the head was already moving when
      the face was found (or the reference was replaced), so where the leg began is not
      known (a face found on its way up from a look down gave a false nod: a signer). A head
      seen still for ``still_s`` first (as it must be at the end of a nod) is seen from its
      start, and so is a leg that begins after the head first moved.
    * *A held posture*: the head dwelt in the outer half of the leg at ``turn``'s end for
      longer than ``max_dwell_s`` (the detector's slowest half period, 1.2 s: a 0.42 Hz nod
      spends that long there), or at ``start``'s end when ``start`` is further from rest than
      ``turn`` (the leg comes back from a displaced posture). A look down held 2.5 s and
      released is a look, whatever the head does on its way back; a nod from rest dwells at
      rest, which is not held here because rest is where the leg leaves from. Measured on
      ``held_trace`` (default ``trace``): the trace read against the neutral ``start`` and
      ``turn`` are read against, where a replaced neutral moved them (the first check keeps
      the jump, which is the reference replaced under a moving head).
    """
    if not trace:
        return ""
    t0, v0 = trace[0]
    if t0 <= began:
        moved = next((ts for ts, v in trace if abs(v - v0) > still_band), None)
        if moved is not None and moved - t0 < still_s and start.t < moved:
            return f"its start at t={start.t:.2f} was not seen (moving from the first frame)"
    middle = 0.5 * (start.value + turn.value)
    trace = trace if held_trace is None else held_trace
    times = [ts for ts, _ in trace]

    def dwell(at: _Pivot) -> float:
        """How long the trace stayed on ``at``'s side of the leg's middle, in one stretch
        through ``at``."""
        side = 1.0 if at.value >= middle else -1.0
        inside = [side * (v - middle) >= 0.0 for _, v in trace]
        i = min(range(len(times)), key=lambda k: abs(times[k] - at.t))
        first = last = i
        while first > 0 and inside[first - 1]:
            first -= 1
        while last < len(times) - 1 and inside[last + 1]:
            last += 1
        return times[last] - times[first]

    held = dwell(turn)
    if held > max_dwell_s:
        return f"the head dwelt {held:.2f} s at its first turning point (a held posture)"
    if abs(start.value) > abs(turn.value):
        held = dwell(start)
        if held > max_dwell_s:
            return f"it came back from a posture held {held:.2f} s"
    return ""


class _Flips:
    """Direction reversals of one axis's *raw* samples, with a small hysteresis: the rhythm as
    the frames show it, for telling a tremor from a brisk nod by more than speed alone.

    Why on the raw samples, and why two signatures: a deliberate nod or shake lasts 1.5 to 4
    cycles at 0.5 to 3.5 Hz; a tremor runs at 4 to 7 Hz and keeps going. The zigzag of the
    detector confirms only the swings larger than the threshold (after smoothing), so a
    tremor near the threshold shows a few of its reversals at irregular intervals, which can
    look like a slower nod; here every reversal of half the movement's scale counts (its
    median swing, at least the threshold: a small tremor riding on a large nod is not the
    nod). A movement is dropped when a run of such reversals reaches into it and is:

    * *too long*: more reversals in a row than a four-cycle nod makes, each at most a brisk
      half period (0.2 s) after the one before, is a sustained rhythm. This is the only cue
      for a 6.5 to 7 Hz tremor at 10 fps: it aliases to 3 to 3.5 Hz (7 Hz sampled at 10 fps
      is, frame by frame, a 3 Hz wave), so its frames are those of a brisk nod, only more.
    * *too fast for the frames*: a 4.5 to 5.5 Hz tremor at 10 fps aliases near the Nyquist
      rate (5 Hz): the samples flip direction on nearly every frame (0.9 of frames), and the
      size of each flip beats slowly (the alias 4.5 Hz -> 5.5 Hz mirrored is an alternation
      whose amplitude swells and fades once a second). In the fading part the flips fall
      under the threshold, the head looks settled, and each swell looked like a short brisk
      nod; a swell also breaks the run the first rule counts. But a head moving at 3.5 Hz
      or slower, sampled at 10 fps or more, never reverses on three frames in a row (its half
      period is at least 1.4 frames: its gaps between reversals alternate one and two frames,
      at most two single-frame gaps in a row); 4 and 6 Hz (alias 4 Hz) give three in a row,
      4.5 to 5.5 Hz up to nine. At 15 fps the same holds near its Nyquist rate (6.5 to 7 Hz).

    Both read the rhythm on frames taken one after the other, and a bridged gap
    (``GestureParams.bridge_s``) skips frames: a tremor read on the frames left (30 % lost at
    random, or each of its far frames poor) is a sparse, irregular sampling, which aliases into
    the nod band and breaks the runs; session 49's bridge made 20 of 144 such tremors a nod or
    shake. So only what was seen counts as seen (:meth:`missed`): a run of brisk reversals is
    broken only by a stretch read frame after frame, none missed, longer than a brisk half
    period with no reversal in it (a gap may have hidden the rhythm going on); and a movement
    is judged only if each of its legs (turning point to turning point) crossed at most one
    gap (a swing loses its far turn once; gaps inside a leg are frames lost here and there,
    the sampling that aliases) and, if one, still holds three frames or more read in a row
    covering over half the slowest tremor's period (0.125 s: a tremor there would have
    reversed; three frames are the fewest that show a reversal). Otherwise
    the readings are too sparse to tell a tremor from a nod, and no event is better than a
    wrong one. Gaps are bridged at all only at 14 frames a second or more
    (``GestureParams.tremor_max_hz``).
    """

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self._direction = 0
        self._lo: _Pivot | None = None
        self._hi: _Pivot | None = None
        self._extreme: _Pivot | None = None
        self._turns: deque[_Pivot] = deque()  # reversals of the raw samples, latest last
        self._read: deque[float] = deque()  # when each raw sample was read, latest last
        self._missed: deque[float] = deque()  # when each frame of a bridged gap came
        self.run = 0  # of the last check: reversals in a row, each a brisk gap after the last
        self.single = 0  # ... and gaps of one frame in a row at its end
        self.unseen: tuple[float, float] | None = None  # ... or a leg too sparsely read

    def shift(self, by: float) -> None:
        """The raw samples' reference moved by ``by`` degrees (see
        :meth:`OscillationDetector.shift_reference`): the jump is no reversal."""
        lo, hi, extreme = self._lo, self._hi, self._extreme
        self._lo = None if lo is None else _Pivot(lo.t, lo.value + by)
        self._hi = None if hi is None else _Pivot(hi.t, hi.value + by)
        self._extreme = None if extreme is None else _Pivot(extreme.t, extreme.value + by)
        self._turns = deque(_Pivot(q.t, q.value + by) for q in self._turns)

    def missed(self, t: float) -> None:
        """The frame at ``t`` was unusable and bridged: nothing was read there."""
        self._missed.append(t)

    def unseen_since(self, since: float, dt: float) -> float:
        """How long the bridged gaps since ``since`` hid (a frame interval per frame)."""
        return dt * sum(1 for m in self._missed if m > since)

    def _seen_longer(self, first: float, last: float, span: float) -> bool:
        """Whether between ``first`` and ``last`` (times of samples read) the frames were read
        one after the other, none missed, for longer than ``span`` and on three frames at
        least (the fewest that show a reversal)."""
        missed = [m for m in self._missed if first < m < last]
        if not missed:
            return last - first > span
        since = None
        count = 0
        for r in (r for r in self._read if first <= r <= last):
            if since is None or any(since < m < r for m in missed):
                since, count = r, 1
                continue
            count += 1
            if r - since > span and count >= 3:
                return True
        return False

    def _gaps(self, first: float, last: float) -> int:
        """How many bridged gaps (stretches of missed frames) lie between ``first`` and
        ``last``."""
        missed = [m for m in self._missed if first < m < last]
        if not missed:
            return 0
        read = [r for r in self._read if missed[0] < r < missed[-1]]
        return 1 + sum(1 for a, b in itertools.pairwise(missed) if any(a < r < b for r in read))

    def add(self, t: float, v: float, band: float, horizon: float) -> None:
        """One raw sample; ``band`` is the smallest reversal kept, ``horizon`` how long
        reversals are kept (seconds)."""
        self._read.append(t)
        while self._read and self._read[0] < t - horizon:
            self._read.popleft()
        while self._missed and self._missed[0] < t - horizon:
            self._missed.popleft()
        if self._lo is None or self._hi is None:
            self._lo = self._hi = _Pivot(t, v)
            return
        if self._direction == 0 or self._extreme is None:
            if v < self._lo.value:
                self._lo = _Pivot(t, v)
            if v > self._hi.value:
                self._hi = _Pivot(t, v)
            if v - self._lo.value >= band or self._hi.value - v >= band:
                self._direction = 1 if v - self._lo.value >= band else -1
                self._extreme = _Pivot(t, v)
            return
        if self._direction * (v - self._extreme.value) > 0:
            self._extreme = _Pivot(t, v)
        elif self._direction * (self._extreme.value - v) >= band:
            self._turns.append(self._extreme)
            self._direction = -self._direction
            self._extreme = _Pivot(t, v)
        while self._turns and self._turns[0].t < t - horizon:
            self._turns.popleft()

    def sustained(
        self,
        legs: list[float],
        band: float,
        brisk: float,
        dt: float,
        p: GestureParams,
        reach: float | None = None,
    ) -> bool:
        """True when the reversals of at least ``band`` (the movement's scale, see
        ``flip_band_ratio``) show a rhythm no nod or shake makes, reaching past when the
        movement began (``legs[0]``, or ``reach`` when given): more than
        ``max_brisk_reversals`` in a row, each at most ``brisk`` after the one before (or
        with frames missed between and no stretch of over ``brisk`` read whole between), or
        ``alias_frames`` gaps of one frame (``dt``) in a row; or when a leg of the movement
        (between consecutive times of ``legs``: where it began, each turning point, where it
        ended) crossed more than one bridged gap, or one and holds no three frames or more
        read in a row covering over half the slowest tremor's period (``tremor_min_hz``; each
        frame counts its interval ``dt``) (:attr:`unseen`): too sparsely read to tell."""
        self.unseen = None
        seen = 0.5 / p.tremor_min_hz - dt  # n frames in a row cover n frame intervals
        for first, last in itertools.pairwise(legs):
            gaps = self._gaps(first, last)
            if gaps > 1 or (gaps and not self._seen_longer(first, last, seen)):
                self.unseen = (first, last)
                self.run = self.single = 0
                return True
        since = legs[0] if reach is None else reach
        kept: list[_Pivot] = []
        direction = 0
        lo = hi = extreme = None
        for q in self._turns:  # the stored reversals again, at the larger band
            if lo is None or hi is None:
                lo = hi = q
            elif direction == 0 or extreme is None:
                lo = q if q.value < lo.value else lo
                hi = q if q.value > hi.value else hi
                if hi.value - lo.value >= band:  # where this began is not known to be a turn
                    extreme = hi if hi.t > lo.t else lo
                    direction = 1 if extreme is hi else -1
            elif direction * (q.value - extreme.value) > 0:
                extreme = q
            elif direction * (extreme.value - q.value) >= band:
                kept.append(extreme)
                direction = -direction
                extreme = q
        # Every run of reversals (each at most ``brisk`` after the one before) that reaches
        # into the movement; a run may begin before it (the tremor was there first).
        self.run = self.single = 0
        run = singles = 0
        for i, q in enumerate(kept):
            gap = q.t - kept[i - 1].t if i else math.inf
            if i and gap > brisk and not self._seen_longer(kept[i - 1].t, q.t, brisk):
                gap = brisk  # frames were missed between and nothing seen shows a pause
            run = run + 1 if gap <= brisk else 1
            singles = singles + 1 if run > 1 and dt > 0 and gap <= 1.5 * dt else 0
            if q.t >= since - brisk:
                self.run = max(self.run, run)
                self.single = max(self.single, singles)
        return self.run > p.max_brisk_reversals or self.single >= p.alias_frames


class OscillationDetector:
    """Counts direction reversals on one axis of the head pose; see the module docstring."""

    gesture = "oscillation"
    axis: Axis = "pitch"
    other: Axis = "yaw"

    def __init__(self, params: GestureParams | None = None) -> None:
        self.params = params or GestureParams()
        quiet = self.params.quiet_noise_deg
        self.noise = {"pitch": quiet[0], "yaw": quiet[1]}
        self._last_event_t = -math.inf
        # Where the last held gesture of this axis (a look or turn the engine took, see
        # :meth:`held_gesture_made`) or movement read as one held gesture repeated ended: like
        # an event, the background movement is read only after it (its swings are the held
        # gestures', not the patient's restlessness), but no cooldown runs from it.
        self._background_from = -math.inf
        # When the angles' reference moved (the neutral replaced), within ``_history``'s span.
        self._reference_ts: deque[float] = deque()
        self.last_swing = 0.0
        """Median swing (degrees) of the last gesture reported or held back, as the head made
        it (see :meth:`_kept`), for the engine's checks against full bars."""
        self.last_reversals = 0
        """How many reversals the last gesture reported or held back made (the engine's jaw
        check)."""
        self.last_turns: tuple[tuple[float, float], ...] = ()
        """Where the last gesture reported or held back began and each of its reversals, as
        (time, angle) (the engine's check of a nod dropped for the jaw against a look that
        waited on it)."""
        self.last_seen_moving_t = -math.inf
        """When the movement of the last gesture reported was first seen moving (its first leg
        confirmed; its first pivot is no better: from rest it is the lowest jitter sample,
        and a long movement's first pivots are pruned)."""
        self.held_back: HeldBack | None = None
        """The latest gesture held back for the other axis's next gesture (see
        :meth:`release_held_back`): only while this detector has completed no newer movement
        and the face was not lost; the engine clears it when it drops it or it is too old."""
        self.other_held_back: HeldBack | None = None
        """The other axis's detector's :attr:`held_back` (the engine sets it before each
        update). A movement of this axis that would release it (:meth:`HeldBack.released_by`)
        reads the other axis only from when that gesture's last leg came back: before, the
        other axis was moving as that gesture, not as this one's wobble. A nod made straight
        into a brisk shake ended as the shake's first leg was read from rest, and the nod's
        own return, in the shake's window, rejected the shake (and with it the nod)."""
        self._flips = _Flips()
        """Reversals of the raw samples: the rhythm the frames showed, kept across a cut (see
        :meth:`_clear`) and forgotten only by :meth:`reset`."""
        self._clear()

    # -- state ------------------------------------------------------------------------------

    def _clear(self) -> None:
        """Forget any gesture in progress (not the cooldown or the background).

        Not the raw reversals (:class:`_Flips`) either: a cut ends a movement, not the rhythm
        the frames showed before it. Why (issue #9, session 51): a tremor with a few frames
        lost at random (3 to 8 %) was cut by one of them (a frame under the quality floor at
        10 fps or with no bridge, or a gap the head was read a swing across, as a 4 Hz tremor
        of 8 degrees is in two frames), and the cut wiped the long run of reversals that told
        it from a nod: its last cycles, a second or so as it faded out, were a short brisk
        nod or shake of 2 to 8 reversals (49 of 2,304 runs through the engine on s50, 51 on
        s51). Kept, the run reaches into what follows the cut as into any movement begun
        after a tremor. A cut longer than a brisk half period (no reversal read across it), or
        a stretch read whole as long with none, still breaks the run, so a nod made after a
        loss, or after a rest, is judged on its own rhythm. But where a movement read after a
        cut began is only the extreme of the frames read since (``_after_cut``): maybe the
        fading tremor's last swing, not a turn seen, so there the run must reach its first
        turning point (:meth:`_complete`). Reaching its start, a tremor stopped 0.3 to 1.2 s
        before a nod or shake of its own size, with one frame lost, rejected it (pose traces,
        session 51), where seen whole the movement starts over at the tremor's reversals and
        the nod or shake is found. Left: 8 of 768 probe runs of a 30 fps shake made 0.3 or
        0.7 s after an 8 degree tremor with a frame lost are still rejected (a leg ratio at 3.1
        against ``3`` tipped by the lost frame), against 36 false nods and shakes of 2,304
        tremor runs removed.
        """
        self._smooth: dict[str, float] | None = None
        self._last_t: float | None = None
        self._direction = 0
        self._lo: _Pivot | None = None
        self._hi: _Pivot | None = None
        self._extreme: _Pivot | None = None
        self._pivots: list[_Pivot] = []  # the start of the movement, then each reversal
        # the first pivot's time before reversals were pruned from the window (see _prune)
        self._pruned_from: float | None = None
        self._from_rest = False  # the first pivot is where the movement left rest
        self._rest_value = 0.0
        self._recent: deque[tuple[float, float]] = deque()
        self._other_trace: deque[tuple[float, float]] = deque()
        self._history: deque[tuple[float, float]] = deque()
        # (t of the last sample read against the old neutral, its shift) per replaced neutral
        self._shifts: deque[tuple[float, float]] = deque()
        self._background = 0.0  # range of the axis before the current movement began
        self._dt = 0.0  # the frame interval, smoothed
        self._last_gap: float | None = None  # the previous half period of this movement
        self._first_leg = True  # the next reversal ends the leg from where the movement began
        self._restarted = False  # the movement started over at a turning point (see _zigzag)
        self._hold: tuple[float, float] | None = None  # the last turning point's hold, if any
        self._moving_since = -math.inf  # when the movement's first leg was confirmed
        self._began: float | None = None  # the first sample since the face was found
        # The movement's start is the extreme of what was read since a cut (see _start)
        self._after_cut = False
        self._gap_since: float | None = None  # the first frame of a bridged gap under way
        self._last_raw: dict[str, float] | None = None  # the last sample read, both axes
        self._calm: float | None = None  # the adapted swing threshold (None: the default)
        self._calm_slow: float | None = None  # the same, for slow swings (see ``slow_half_s``)
        self._calm_t = -math.inf  # when the background was last measured calm
        self._calm_slow_t = -math.inf  # ... with its slow sway left in
        # (t, calm, calm_slow) of each measurement, while held (see ``calm_hold_s``)
        self._calm_log: deque[tuple[float, float | None, float | None]] = deque()
        # The face lost: what moved next is not known, nor whether it went on from the last.
        self.held_back = None

    def drop_held_back(self, t: float, why: str) -> None:
        """Forget the gesture held back (if any) at ``t``, logging ``why`` (see
        :func:`log_dropped_late`): it will never be reported."""
        held, self.held_back = self.held_back, None
        if held is not None:
            log_dropped_late(held.event.gesture, held.event.t, t, HELD_BACK, why)

    def reset(self) -> None:
        """Forget the gesture in progress and the cooldown (e.g. new patient)."""
        self._last_event_t = -math.inf
        self._background_from = -math.inf
        self._reference_ts.clear()
        self._flips.clear()
        self._clear()

    def held_gesture_made(self, t: float) -> None:
        """A held gesture of this axis (a look up or down, a turn) came back and was judged a
        gesture at ``t``: a movement that begins later reads its background only from ``t`` on,
        as after an event of its own (no cooldown runs from it).

        Why: the look's swing out and back is the look, not the patient's restlessness. Kept in
        the background window (``background_s``), one 12 degree look up made a deliberate 8 to
        10 degree nod 1 to 2 s after it "not stand out from the background movement": the
        patient chose, then confirmed, and the confirmation was lost (review rev43a2, session
        44: 0 of 16; a turn then a shake 1 to 1.5 s later 4 to 12 of 32). Session 43 did the
        same for a movement dropped as one look or turn repeated (``_repeated_one_way``).

        The cut applies to every movement whose background is read after ``t``, also one whose
        start lies before ``t`` (a shake whose lead swing is the turn's own return): that is
        where a shake 1 s after a turn finds its bar. The cost (review rev44a): in 4 of 480
        probe runs of a turn then a shake 0.3 or 0.5 s later, the shake swallows the turn it
        began with (the turn dropped "as the end of a shake"). Cutting only movements that
        begin at or after ``t`` mended those and lost the shake 1 s after a turn in 13 of 32
        runs: not kept (journal, session 44).
        """
        self._background_from = max(self._background_from, t)

    def reference_moved(self, t: float) -> None:
        """The angles are measured against a replaced neutral pose from ``t`` on.

        A movement under way goes on (reversals read the same against any reference), but a
        movement that begins later has its background measured from ``t`` on only: samples
        read against two neutrals differ by their offset, which is no movement of the head,
        and a neutral is replaced when the head has settled somewhere, so what it did before
        is not what it is doing now. On ``obama``'s turned photo a shake from the clip's first
        frame stood as a background of 2.9 degrees over a shake of 2.4 two seconds later, a
        second after the neutral was replaced. The engine does not call this when the first
        neutral is fixed: on comp4989 (signers moving from a clip's first frame) that cut
        away the movement two false events had stood out from.

        Every such time is kept while ``_history`` reaches back to it, not only the latest: a
        movement is cut at the latest one at or before it began. A neutral re-fixed at a
        turned rest is refined about a second later; keeping only that refinement, a small
        nod begun between the two lost its cut and had the re-fix's jump for its background
        (review rev40a: a 5 degree nod rejected as not standing out from it).
        """
        self._reference_ts.append(t)
        horizon = self._history_horizon(t)
        while len(self._reference_ts) > 1 and self._reference_ts[1] <= horizon:
            self._reference_ts.popleft()

    def shift_reference(self, pitch: float, yaw: float) -> None:
        """The angles jumped by ``pitch`` and ``yaw`` degrees at once because their reference
        (the neutral pose) was replaced: carry every stored angle into the new reference.

        Why: a movement under way goes on across a replaced neutral, and "back near the
        start" (``rest_band``) compares the head's angle now with where the movement began.
        Left in the old reference, that start is off by the neutral's jump (13 degrees on
        ``gnew``'s ``stf_yes``, 31 on its ``stf_no``): a movement that ended elsewhere looked
        back, one that came back did not, and the jump itself read as a swing. Converted,
        the movement completes iff the head really came back (or settled, ``rest_reset_s``).
        Carried: the movement's own axis (its start, turning points and extremes, the
        smoothing, the settled window, the raw reversals). Not carried, on purpose: the
        background before a movement (``background_s``, also the calm measurement and the
        first-leg check) and the other axis's range over it (``other_max_ratio``) keep their
        old readings, the jump included, as before: converted, a signer's 2.9 degree wobble
        (comp4989 ``milk_3``) stood out from its true background and a signer's nod-like sign
        (fslsign ``comfortroom``) lost the phantom 9 degree yaw that rejected it, two false
        events on tune data (session 33, gest33b). The one exception is
        :meth:`carry_other`: the other axis is carried too when it moved over the movement
        no more than the movement may move it, which the engine asks for a jump off the
        movement's axis alone.
        """
        d = {"pitch": float(pitch), "yaw": float(yaw)}
        own = d[self.axis]
        if self._smooth is not None:
            self._smooth = {k: v + d[k] for k, v in self._smooth.items()}

        def moved(pv: _Pivot | None) -> _Pivot | None:
            return None if pv is None else _Pivot(pv.t, pv.value + own)

        self._lo, self._hi, self._extreme = moved(self._lo), moved(self._hi), moved(self._extreme)
        self._pivots = [_Pivot(pv.t, pv.value + own) for pv in self._pivots]
        self._rest_value += own
        shifted = [(ts, v + own) for ts, v in self._recent]
        self._recent.clear()
        self._recent.extend(shifted)
        self._flips.shift(own)
        if self._history:
            self._shifts.append((self._history[-1][0], own))

    def carry_other(self, by: float) -> bool:
        """Carry the other axis's readings over the movement under way (its first leg
        included) by ``by`` degrees (the replaced neutral's jump along it) when that axis
        moved over them no more than the movement may move it anyway; True if it did.

        Why: a patient resting turned 15 to 25 degrees (a bed at an angle to the tablet) has
        the neutral fixed anew at that turn while a nod is under way (a pose dwelt at longer,
        ``vision/pose.py``). The jump is along the other axis only; left in the old reference,
        the other axis's range over the nod (``other_max_ratio``) reads the whole jump as a
        turn made during the nod and rejects it, and restarting throws the nod away (session
        39; session 40: 101 of 120 such nods lost, 87 of 120 shakes). Carried, the other axis
        reads as it would had the neutral been there all along, and the movement is judged
        much as without the re-fix. How far it may have moved: within the plain limit of the
        swing so far (:meth:`_plain_other_limit`, at least ``other_min_deg``), the bar a
        completed movement meets in the plainest case, so the carry passes on nothing far
        beyond what the movement would pass with no re-fix (session 41: a 10 to 15 degree nod
        with 4 to 6 degrees of yaw cross-talk was restarted and lost when only an axis within
        ``other_min_deg`` was carried). Not exactly: the completed movement's limit is read
        on its median swing and quiet share, which the two readings may see differently, so
        at the bar they can part (review rev41a: a shake-like wobble with its other axis at
        3.95 against a limit of 4.05 carried was a shake; with no re-fix, 3.99 against 3.00,
        it was not). An other axis that moved more is not carried and the engine restarts the
        movement as before. (Carrying at the *first* neutral, which restarts nothing, is
        another matter: there the jump's phantom yaw rejected a signer's nod-like sign,
        fslsign ``comfortroom``, session 33, and it is not carried.)"""
        if not self._pivots:
            return False
        if self._other_range(math.inf) > self._plain_other_limit(self._swing_so_far()):
            return False
        shifted = [(ts, v + by) for ts, v in self._other_trace]
        self._other_trace.clear()
        self._other_trace.extend(shifted)
        return True

    def _swing_so_far(self) -> float:
        """Peak to peak of the movement under way: its turning points and the extreme of the
        leg now under way."""
        values = [pv.value for pv in self._pivots]
        if self._extreme is not None:
            values.append(self._extreme.value)
        return max(values) - min(values) if values else 0.0

    def _history_horizon(self, t: float) -> float:
        """How far back ``_history`` reaches at ``t``: the background window before a movement
        and 2.5 s more (a movement's first leg), and with it the neutral changes kept
        (:meth:`reference_moved`)."""
        return t - self.params.background_s - 2.5

    def _history_now(self) -> list[tuple[float, float]]:
        """``_history`` carried into the current reference (see :meth:`shift_reference`), for
        the lookups that compare it with the movement's own pivots, which are carried: the
        swing that led to a movement's start and the first leg's dwell. Read raw against
        shifted pivots, a neutral replaced by one 2 to 4 degrees away in yaw (under the full
        swing bar, so nothing restarts) and one turn and back made the jump a phantom lead
        swing: a look aside became a shake. The background and calm measures keep reading
        ``_history`` raw (see :meth:`shift_reference`)."""
        if not self._shifts:
            return list(self._history)
        return [
            (ts, v + sum(own for upto, own in self._shifts if ts <= upto))
            for ts, v in self._history
        ]

    def set_noise(self, pitch: float, yaw: float) -> None:
        """Resting jitter (robust std, degrees) of each axis, from a calibration; never taken
        quieter than ``quiet_noise_deg``, the jitter the bars were tuned with."""
        quiet = self.params.quiet_noise_deg
        self.noise = {"pitch": max(quiet[0], float(pitch)), "yaw": max(quiet[1], float(yaw))}

    @property
    def in_progress(self) -> bool:
        """True while an oscillation with at least one reversal is under way."""
        return len(self._pivots) >= 2

    @property
    def first_turning_t(self) -> float | None:
        """The first turning point of what is under way, its first leg alone included (which
        :attr:`movement_start_t` does not name yet), else None: for the engine's log."""
        if not self._pivots:
            return None
        return self._pruned_from if self._pruned_from is not None else self._pivots[0].t

    @property
    def movement_start_t(self) -> float | None:
        """When the movement in progress (:attr:`in_progress`) began, else None: it names the
        movement, so that what the engine keeps about it is not taken for a later one's.

        Its first turning point, before any left the window (:meth:`_prune`): a movement that
        outlasts the window is still the one begun there (its background and first leg were
        read then), and only a start over at a turning point makes a new one. Named by the
        turning point left first, a slow shake of three cycles from the first frame lost the
        reference it began in when its first neutral, fixed at a far end, was replaced by the
        rest it began from, and started over (session 37: 7 of a sweep's 99 shakes of 16 to 25
        degrees at 0.5 to 1 Hz made with no rest before, 4 of them heard as a turn)."""
        if not self.in_progress:
            return None
        return self._pruned_from if self._pruned_from is not None else self._pivots[0].t

    @property
    def restarted_under_way(self) -> bool:
        """True while a movement that started over at a turning point is still under way.

        A slow nod that pauses at rest between dips can make a half period too long to time
        (its turning points fall anywhere on the plateaus at the bottom and at rest): the
        detector starts over from the far end of the dip and the movement goes on, one
        reversal short of :attr:`in_progress`, though the next dips may still complete a nod.
        """
        return self._restarted and self._direction != 0 and bool(self._pivots)

    @property
    def next_turn_within_s(self) -> float:
        """How long after the last turning point the next one's extreme may fall and still be
        taken as this movement's next half period: ``max_half_period_s``, or, when the last
        turning point is a hold and the next may be timed between the holds' middles
        (``paused_hold_s``), until twice that after the hold began: with the middles at most
        ``max_half_period_s`` apart and the next hold after this one, the next extreme can lie
        no later (session 35's paused slow nods read up to about 1.75 s between extremes); the
        detector reads no longer half period between holds. The engine does not wait this
        long for a nod's next turning point (see ``EngineParams.defer_turn_margin_s``)."""
        p = self.params
        limit = p.max_half_period_s
        if self._hold is None or len(self._pivots) < 2:
            return limit
        return max(limit, self._hold[0] + 2.0 * limit - self._pivots[-1].t)

    @property
    def last_turn_t(self) -> float:
        """Time of the oscillation's last turning point (-inf when none is under way)."""
        return self._pivots[-1].t if self._pivots else -math.inf

    def release_held_back(self) -> GestureEvent | None:
        """The gesture held back, once the other axis's detector has reported a gesture whose
        movement began after this one's last turning point: that was what moved the other
        axis while this one settled, so this one is a gesture of its own, reported late (its
        time is still when it completed; the engine reports it at the other's, see
        ``GestureEngine``'s ``_released``). None when nothing is held back. Up to the other
        gesture's length late, never more than ``EngineParams.held_back_max_s`` (the engine
        drops it then), and only while this detector completed no newer movement and the
        face stayed found (``held_back``).

        Why held back, not reported at once: the other axis moving during the settle is
        also what a talking or signing head does after a small false "shake" (talkhead
        ``lp_d14``, comp4989 ``please_1``, tune data); only a gesture that follows tells a
        patient who answered twice, straight on, from a head that went on moving.
        """
        held, self.held_back = self.held_back, None
        if held is None:
            return None
        self._last_event_t = max(self._last_event_t, held.event.t)
        return held.event

    @property
    def swing_threshold(self) -> float:
        """The smallest swing that counts, in degrees, for the current noise and (when the
        patient has been calm long enough to measure it) the background movement."""
        p = self.params
        base = p.min_amplitude_deg if self._calm is None else self._calm
        if p.still_floor_ratio is not None and self._restarted:
            # A still face's lower floor (``still_floor_ratio``) is for a clean rhythm only: a
            # movement that started over at a tremor's or jitter's reversal keeps the floor.
            base = max(base, self._floor_bar)
        return max(base, p.k_noise * self.noise[self.axis])

    @property
    def full_swing_threshold(self) -> float:
        """The swing threshold without the calm patient's adaptation (``calm_s``): the bar for
        a patient who is not still, e.g. one who talks (see ``EngineParams.talk_flickers``)."""
        p = self.params
        return max(p.min_amplitude_deg, p.k_noise * self.noise[self.axis])

    @property
    def slow_swing_threshold(self) -> float:
        """The smallest swing that counts for a slow movement (see ``slow_half_s``): adapted
        only to a background that was calm without removing its slow sway."""
        p = self.params
        base = p.min_amplitude_deg if self._calm_slow is None else self._calm_slow
        return max(base, p.k_noise * self.noise[self.axis])

    @property
    def _floor_bar(self) -> float:
        """The calm patient's floor without a still face's lowering (``still_floor_ratio``)."""
        return self.params.calm_floor_ratio * self.params.min_amplitude_deg

    def _measure_calm(self, t: float) -> None:
        """Adapt the swing threshold to the background movement while no gesture is under
        way and the head is still (see ``calm_s``); kept while it moves, so a gesture never
        raises its own bar."""
        p = self.params
        since = max(t - p.calm_s, self._last_event_t + 0.5)
        window = [(ts, v) for ts, v in self._history if ts >= since]
        if t - self._calm_t > p.calm_hold_s:
            self._calm = None
        if t - self._calm_slow_t > p.calm_hold_s:
            self._calm_slow = None
        if not self._history or t - max(self._history[0][0], since) < p.calm_s - 0.05:
            return
        if len(window) < 8:
            return

        def adapted(spread: float) -> float | None:
            if spread >= p.calm_ratio * p.min_amplitude_deg:
                return None
            floor = self._floor_bar
            if p.still_floor_ratio is not None:
                still = max(p.still_floor_ratio * p.min_amplitude_deg, p.still_k * spread)
                floor = min(floor, still)
            return min(p.min_amplitude_deg, max(floor, p.calm_k * spread))

        values = [v for _, v in window]
        jitter = adapted(_jitter([ts for ts, _ in window], values))
        if jitter is not None:
            self._calm = jitter
            self._calm_t = t
        slow = adapted(_spread(np.asarray(values, dtype=float)))
        if slow is not None:
            self._calm_slow = slow
            self._calm_slow_t = t
        if p.calm_hold_s > 0:
            log = self._calm_log
            log.append((t, self._calm, self._calm_slow))
            while log and log[0][0] < t - p.calm_hold_s - p.max_half_period_s:
                log.popleft()

    def _calm_before(self, start: float) -> None:
        """Take the calm background measured before the movement began at ``start`` (while
        still held, see ``calm_hold_s``): a slow movement begins so gently that the head
        still looks settled, and a window measured then holds the movement's own start."""
        p = self.params
        before = [m for m in self._calm_log if m[0] <= start]
        if not before or start - before[-1][0] > p.calm_hold_s:
            return
        _, calm, calm_slow = before[-1]
        if (calm, calm_slow) != (self._calm, self._calm_slow):
            logger.debug(
                "%s: the bar measured before the movement began at t=%.2f (%s, slow %s)",
                self.gesture,
                start,
                "default" if calm is None else f"{calm:.1f} deg",
                "default" if calm_slow is None else f"{calm_slow:.1f} deg",
            )
        self._calm, self._calm_slow = calm, calm_slow

    # -- input ------------------------------------------------------------------------------

    def update(self, obs: Any) -> GestureEvent | None:
        """Feed one observation (anything with ``t``, ``found``, ``pitch``, ``yaw``, ``quality``).

        Returns an event on the frame where a gesture completes, else None.
        """
        p = self.params
        t = float(obs.t)
        pitch, yaw = obs.pitch, obs.yaw
        limit = p.max_abs_deg * (2.0 if getattr(obs, "provisional", False) else 1.0)
        read = obs.found and pitch is not None and yaw is not None and obs.quality >= p.min_quality
        usable = read and abs(pitch) <= limit and abs(yaw) <= limit
        if not usable:
            if not read and not getattr(obs, "cuts", False) and self._bridged(t):
                return None
            if self._pivots or self._direction:
                logger.debug(
                    "%s: gesture interrupted at t=%.2f (face lost or poor)", self.gesture, t
                )
            self.drop_held_back(t, "the face was lost or poor; what the head did next is unknown")
            self._clear()
            self._after_cut = True
            return None
        assert pitch is not None and yaw is not None
        raw = {"pitch": float(pitch), "yaw": float(yaw)}
        gap, self._gap_since = self._gap_since is not None, None
        last, self._last_raw = self._last_raw, raw
        if gap and last is not None and self._moved_across(last, raw):
            # The head was read a swing away on the other side of the gap: it moved through
            # the gap, which is the movement itself unseen, not a far turn missed.
            logger.debug("%s: the head moved across a gap ending at t=%.2f", self.gesture, t)
            self.drop_held_back(t, "the head moved while the face was lost or poor")
            self._clear()
            self._after_cut = True
            self._last_raw = raw
            gap = False
        x, other = self._filter(t, raw, gap)
        return self._step(t, x, other, raw[self.axis])

    def _moved_across(self, before: dict[str, float], after: dict[str, float]) -> bool:
        """Whether a bridged gap between the readings ``before`` and ``after`` hid more than a
        far turn: on either axis the head was read further apart than the full swing bar, or
        half the movement's swing so far if larger. A far turn goes out and comes back, so it
        is read about where it was on both sides, give or take the frames' phase against it
        (a 1 Hz shake of 20 degrees lost past half its swing at 15 fps read 2 degrees apart
        across the gap; the calm face's lowered bar is under that); a head read from one side
        of rest to the other moved through the gap (a turn swung on into the other turn)."""
        bar = max(self.full_swing_threshold, 0.5 * self._swing_so_far())
        return any(abs(after[k] - before[k]) > bar for k in ("pitch", "yaw"))

    def _bridged(self, t: float) -> bool:
        """Whether the frame at ``t``, with no face or too poor a view, is a missed reading
        (``bridge_s``): the movement goes on across it and it is never read."""
        p = self.params
        if p.bridge_s <= 0.0 or self._dt > 0.5 / p.tremor_max_hz + _GAP_TOL:
            return False
        if self._gap_since is None:
            self._gap_since = t
        if t - self._gap_since > p.bridge_s + _GAP_TOL:
            return False
        self._flips.missed(t)
        logger.debug("%s: frame at t=%.2f bridged (a missed reading)", self.gesture, t)
        return True

    def _filter(self, t: float, raw: dict[str, float], gap: bool = False) -> tuple[float, float]:
        """Exponential smoothing with a time constant (frame-rate independent); ``gap``: frames
        were missed since the last sample (a bridged gap), so the time since is no frame
        interval."""
        if self._smooth is None or self._last_t is None:
            self._smooth = dict(raw)
        else:
            dt = max(0.0, t - self._last_t)
            if not gap:
                self._dt = dt if not self._dt else 0.9 * self._dt + 0.1 * dt
            alpha = 1.0 - math.exp(-dt / self.params.smoothing_s) if self.params.smoothing_s else 1
            for k, v in raw.items():
                self._smooth[k] += alpha * (v - self._smooth[k])
        self._last_t = t
        return self._smooth[self.axis], self._smooth[self.other]

    def _step(self, t: float, x: float, other: float, raw: float) -> GestureEvent | None:
        p = self.params
        h = self.swing_threshold
        settled_for = self._settled_for(t, x, self._settle_band(h))
        if self._direction == 0 and settled_for >= 0.3:
            # Measured only while the head is still: the start of a movement is not background.
            self._measure_calm(t)
            h = self.swing_threshold
        self._flips.add(t, raw, p.flip_band_ratio * h, p.background_s + p.window_s)

        self._history.append((t, x))
        if self._began is None:
            self._began = t
        horizon = self._history_horizon(t)
        while self._history and self._history[0][0] < horizon:
            self._history.popleft()
        while self._shifts and (not self._history or self._shifts[0][0] < self._history[0][0]):
            self._shifts.popleft()

        if self._lo is None or self._hi is None:
            self._start(t, x)
            return None

        self._other_trace.append((t, other))
        self._zigzag(t, x, h)
        self._prune(t)
        if self._direction == 0:
            if settled_for >= p.rest_reset_s:
                self._start(t, x)
            return None

        reversals = len(self._pivots) - 1
        # Back near the start; with lead swings counted, a slow swing's pause at its far end
        # already shows enough reversals, so not pausing at an extreme beyond that band
        # (unless that extreme is only the return's small overshoot, ``overshoot_ratio``).
        band = p.rest_band * h
        swing = (
            float(np.median(np.abs(np.diff([pv.value for pv in self._pivots]))))
            if len(self._pivots) >= 2
            else 0.0
        )
        if p.back_swing_ratio is not None:
            band = max(band, p.back_swing_ratio * swing)
        near = band if p.overshoot_ratio is None else max(band, p.overshoot_ratio * swing)
        back = abs(x - self._rest_value) <= band and (
            p.lead_swing_ratio is None
            or self._extreme is None
            or abs(self._extreme.value - self._rest_value) <= near
            or abs(x - self._rest_value) < abs(x - self._extreme.value)
        )
        # A movement completes only on settled time that was seen: the time a bridged gap hid
        # is not (a tremor whose frames were lost for 0.2 s looked settled across them and
        # completed as a nod). Forgetting one still counts it (a turn held past rest with a
        # frame lost in the hold, then its return, became a shake when it did not).
        seen = settled_for - self._flips.unseen_since(t - settled_for, self._dt)
        done = (seen >= self._settle_need() and back) or seen >= p.rest_reset_s
        if done and reversals >= p.min_reversals:
            ended = t - settled_for
            if back:
                ended = min(ended, self._back_since(band))
            return self._complete(t, x, ended, back)
        if settled_for >= p.rest_reset_s:
            self._log_forgotten(t, x, settled_for, reversals)
            self._start(t, x)
        return None

    def _log_forgotten(self, t: float, x: float, settled_for: float, reversals: int) -> None:
        """Say (DEBUG) that a movement short of its reversals settled and is forgotten. Most
        are a look, a turn or a posture shift (one leg out); a lost nod (a calm patient's
        small nod that dwells at the bottom of its first dip, session 38) is told from them
        by its start and its largest leg, which the line gives."""
        values = [pv.value for pv in self._pivots] + [x]
        largest = float(np.max(np.abs(np.diff(values)))) if len(values) >= 2 else 0.0
        began = self._pivots[0].t if self._pivots else t
        if self._pruned_from is not None:  # the first turning point, before it left the window
            began = self._pruned_from
        logger.debug(
            "%s: movement begun at t=%.2f (largest leg %.1f deg, %d of %d reversals) settled "
            "%.2fs at t=%.2f; forgotten",
            self.gesture,
            began,
            largest,
            reversals,
            self.params.min_reversals,
            settled_for,
            t,
        )

    def _settle_band(self, h: float) -> float:
        """Motion within this many degrees counts as settled (see ``settle_band``), for the
        swing threshold ``h``."""
        return max(self.params.settle_band * h, 3.0 * self.noise[self.axis])

    def _back_since(self, band: float) -> float:
        """Since when the head has stayed within ``band`` of where the movement began (over
        the last ``rest_reset_s``), i.e. when its last leg came back: the movement's end."""
        since = math.inf
        for ts, v in reversed(self._recent):
            if abs(v - self._rest_value) > band:
                break
            since = ts
        return since

    def _settle_need(self) -> float:
        """How long the head must stay settled near its start to complete (see
        ``slow_settle_ratio``)."""
        p = self.params
        if p.slow_settle_ratio is None or len(self._pivots) < 2:
            return p.settle_s
        half = self._pivots[-1].t - self._pivots[-2].t
        return max(p.settle_s, p.slow_settle_ratio * half)

    def _settled_for(self, t: float, x: float, band: float) -> float:
        """How long the signal has stayed within a range of ``band`` degrees, up to now.

        A trailing window rather than a fixed reference, so that the slow drift of MediaPipe's
        own smoothing as the head comes to rest does not look like motion. Across a bridged
        gap as if the head had stayed: enough to forget a movement (which reports nothing), not
        to complete one (see :meth:`_step`).
        """
        recent = self._recent
        recent.append((t, x))
        horizon = t - self.params.rest_reset_s - 0.2
        while recent and recent[0][0] < horizon:
            recent.popleft()
        lo = hi = x
        since = t
        for ts, v in reversed(recent):
            lo, hi = min(lo, v), max(hi, v)
            if hi - lo > band:
                break
            since = ts
        return t - since

    def _start(self, t: float, x: float) -> None:
        """Begin watching from a resting point (or, on the first frame read after a cut, from
        wherever the head was: see :meth:`_clear`)."""
        self._after_cut = self._after_cut and self._lo is None
        self._direction = 0
        self._rest_value = x
        self._lo = _Pivot(t, x)
        self._hi = _Pivot(t, x)
        self._extreme = None
        self._begin_movement()
        self._from_rest = False
        self._other_trace.clear()
        self._last_gap = None
        self._first_leg = True
        self._restarted = False
        self._hold = None
        self._moving_since = -math.inf

    def _begin_movement(self, *pivots: _Pivot) -> None:
        """The movement starts (again) at ``pivots``, none for no movement: one place, so that
        the first turning point kept for a pruned window (``_pruned_from``,
        :attr:`movement_start_t`) never outlives the movement it named."""
        self._pivots = list(pivots)
        self._pruned_from = None

    def _zigzag(self, t: float, x: float, h: float) -> None:
        """Track extremes; a move of ``h`` back from the extreme confirms a turning point."""
        assert self._lo is not None and self._hi is not None
        if self._direction == 0:
            if x < self._lo.value:
                self._lo = _Pivot(t, x)
            if x > self._hi.value:
                self._hi = _Pivot(t, x)
            if x - self._lo.value >= h:
                self._begin_leg(+1, self._lo, t, x, h)
            elif self._hi.value - x >= h:
                self._begin_leg(-1, self._hi, t, x, h)
            return
        assert self._extreme is not None
        if self._direction * (x - self._extreme.value) > 0:
            self._extreme = _Pivot(t, x)
        elif self._direction * (self._extreme.value - x) >= h * _smoothed(
            self._extreme.t - (self._pivots[-1].t if self._pivots else self._extreme.t),
            self.params.smoothing_s,
            self._dt,
        ):
            # The head moved back a swing's worth before the smoothing: the filter keeps only
            # part of a brisk swing (two thirds of a 3.5 Hz one at 30 fps), and the way back
            # is as brisk as the way there. (Where the frames fall is luck, not allowed for.)
            turn = self._extreme
            prev = self._pivots[-1] if self._pivots else turn
            gap = turn.t - prev.t
            p = self.params
            # Sampling slack: at 10 fps a turning point is only known to within a frame.
            fastest = p.min_half_period_s - 0.75 * self._dt
            brisk = gap < p.brisk_half_period_s - 0.75 * self._dt
            first_leg, self._first_leg = self._first_leg, False
            last_gap, self._last_gap = self._last_gap, None
            within = self.next_turn_within_s
            hold, prev_hold = self._hold_around(turn, prev, h), self._hold
            self._hold = hold
            if p.max_half_period_s < gap <= within:
                gap = self._paused_gap(prev_hold, hold, gap)
            if len(self._pivots) > 1 and not fastest <= gap <= p.max_half_period_s:
                # Too fast (tremor) or too slow (sway) for a deliberate gesture: start over
                # from this turning point.
                logger.debug(
                    "%s: reversal after %.2fs at t=%.2f; restarting", self.gesture, gap, turn.t
                )
                self._begin_movement(turn)
                self._restarted = True
                self._from_rest = False
                if gap > p.max_half_period_s:
                    # A sway: what moves next is a new movement (a held-back one's next, see
                    # HeldBack), not the sway's. A jitter (too fast, irregular, brisk) is no
                    # new movement: a shake begun in a nod's settle that starts over at one
                    # is still seen moving from its first leg.
                    self._moving_since = t
            elif last_gap is not None and max(gap, last_gap) > p.max_gap_ratio * min(gap, last_gap):
                logger.debug(
                    "%s: irregular reversal (%.2fs after %.2fs) at t=%.2f; restarting",
                    self.gesture,
                    gap,
                    last_gap,
                    turn.t,
                )
                self._begin_movement(turn)
                self._restarted = True
                self._from_rest = False
                self._last_gap = gap  # the next half period is compared with this one
            elif brisk and abs(turn.value - prev.value) < p.brisk_swing_ratio * h * self._kept(gap):
                logger.debug(
                    "%s: brisk small swing (%.1f deg in %.2fs) at t=%.2f; restarting",
                    self.gesture,
                    abs(turn.value - prev.value),
                    gap,
                    turn.t,
                )
                self._begin_movement(turn)
                self._restarted = True
                self._from_rest = False
            else:
                self._pivots.append(turn)
                # The leg from where the movement began may have started anywhere in a swing.
                self._last_gap = None if first_leg else gap
            self._direction = -self._direction
            self._extreme = _Pivot(t, x)

    def _hold_around(self, turn: _Pivot, prev: _Pivot, h: float) -> tuple[float, float] | None:
        """The span ``(first, last)`` over which the head stayed within the settle band of the
        extreme ``turn`` (after ``prev``, the turning point before it), when it lasted at
        least ``paused_hold_s``; else None (see ``paused_hold_s`` and ``paused_band_ratio``)."""
        p = self.params
        if p.paused_hold_s is None:
            return None
        band = min(self._settle_band(h), p.paused_band_ratio * abs(turn.value - prev.value))
        d = self._direction
        samples = [(ts, v) for ts, v in self._history_now() if ts > prev.t]
        first = last = turn.t
        for ts, v in reversed([sv for sv in samples if sv[0] <= turn.t]):
            if d * (turn.value - v) > band:
                break
            first = ts
        for ts, v in (sv for sv in samples if sv[0] >= turn.t):
            if d * (turn.value - v) > band:
                break
            last = ts
        return (first, last) if last - first >= p.paused_hold_s else None

    def _paused_gap(
        self, before: tuple[float, float] | None, hold: tuple[float, float] | None, gap: float
    ) -> float:
        """The half period between two turning points, ``gap`` apart at their extremes, read
        between the middles of their holds ``before`` and ``hold`` when both are holds and
        the head moved from one to the other briskly against that time (see
        ``paused_hold_s``); else ``gap``."""
        if before is None or hold is None:
            return gap
        middles = 0.5 * (hold[0] + hold[1]) - 0.5 * (before[0] + before[1])
        # Each hold's edge is the last (first) frame inside its band, so the frames read the
        # movement between them up to a frame long at either end: a frame is allowed for.
        moving = hold[0] - before[1] - self._dt
        if middles <= 0 or moving > self.params.paused_move_ratio * middles:
            return gap
        logger.debug(
            "%s: a paused rhythm: holds' middles %.2fs apart (extremes %.2fs, moving %.2fs)",
            self.gesture,
            middles,
            gap,
            moving,
        )
        return middles

    def _begin_leg(self, direction: int, start: _Pivot, t: float, x: float, h: float) -> None:
        """The first leg of a movement is confirmed, from the extreme ``start``."""
        p = self.params
        self._direction = direction
        self._moving_since = t
        self._begin_movement(start)
        self._from_rest = True
        self._last_gap = None
        self._first_leg = True
        self._restarted = False
        self._hold = None
        self._extreme = _Pivot(t, x)
        lead = p.lead_swing_ratio
        # The opposite extreme the head came from, within a half period before ``start``.
        came = [
            _Pivot(ts, v)
            for ts, v in self._history_now()
            if start.t - p.max_half_period_s <= ts < start.t
        ]
        before = max(came, key=lambda pv: direction * pv.value) if came else start
        if lead is not None and direction * (before.value - start.value) >= lead * h:
            # The head swung to ``start`` and is now swinging back through where it began: that
            # extreme is the first reversal, the lead swing the leg it ends.
            self._begin_movement(before, start)
            self._first_leg = False
            start = before
        if p.calm_hold_s > 0:
            self._calm_before(start.t)
        # Cut at the reference's move only when it came before the movement began: the
        # samples before a movement that began earlier were all read against the old one.
        moved = max((r for r in self._reference_ts if r <= start.t), default=-math.inf)
        since = max(
            start.t - self.params.background_s, self._last_event_t, self._background_from, moved
        )
        prior = [v for ts, v in self._history if since <= ts < start.t]
        self._background = _spread(np.asarray(prior, dtype=float)) if len(prior) > 3 else 0.0

    def _prune(self, t: float) -> None:
        """Keep only reversals within the window of the latest one (plus the leg before)."""
        w = self.params.window_s
        if len(self._pivots) > 2:
            last = self._pivots[-1].t
            while len(self._pivots) > 2 and last - self._pivots[1].t > w:
                if self._pruned_from is None:
                    self._pruned_from = self._pivots[0].t
                self._pivots.pop(0)
                self._from_rest = False
        horizon = (self._pivots[0].t if self._pivots else t) - 0.1
        while self._other_trace and self._other_trace[0][0] < horizon:
            self._other_trace.popleft()

    def _complete(self, t: float, x: float, ended: float, back: bool) -> GestureEvent | None:
        """Check the finished movement and turn it into an event (or drop it); its last leg
        ended at ``ended`` (back near its start when ``back``, or settled anywhere, see
        :meth:`_other_range`)."""
        p = self.params
        # A newer movement completed (reported, held back or rejected): what this detector
        # held back is not kept for the other axis's later gestures.
        self.drop_held_back(t, f"a newer {self.axis} movement completed")
        values = [pv.value for pv in self._pivots] + [x]
        swings = np.abs(np.diff(values))
        reversal_swings = swings[1:-1] if len(swings) > 2 else swings
        median_swing = float(np.median(reversal_swings))
        since = self._other_since()
        other_range = self._other_range(math.inf, since)
        other_limit = self._other_limit(median_swing, len(values) - 2, since)
        start_t = self._pivots[0].t
        # The movement's scale: a patient's small tremor riding on a large nod is not the nod.
        scale = max(self.swing_threshold, median_swing)
        brisk = p.brisk_half_period_s + 0.5 * self._dt
        legs = [pv.t for pv in self._pivots] + [t]
        # After a cut, where the movement began is the extreme of what was read since: maybe a
        # tremor's last swing, not a turn seen (see _clear); a run must reach its first turn.
        reach = legs[1] if self._after_cut and self._from_rest else legs[0]
        if self._flips.sustained(legs, p.flip_band_ratio * scale, brisk, self._dt, p, reach):
            unseen = self._flips.unseen
            if unseen is not None:
                logger.debug(
                    "%s rejected at t=%.2f: its leg %.2f-%.2f crossed more than one bridged gap "
                    "or was never read whole for %.3fs: too sparse to tell from a tremor",
                    self.gesture,
                    t,
                    *unseen,
                    0.5 / p.tremor_min_hz,
                )
            else:
                logger.debug(
                    "%s rejected at t=%.2f: a sustained rhythm (%d reversals in a row, the "
                    "last %d a frame apart): tremor",
                    self.gesture,
                    t,
                    self._flips.run,
                    self._flips.single,
                )
            self._start(t, x)
            return None
        if self._lopsided(swings):
            logger.debug(
                "%s rejected at t=%.2f: two reversals with outer legs of %.1f and %.1f deg "
                "around a %.1f deg swing: one excursion past rest, not a nod",
                self.gesture,
                t,
                swings[0],
                swings[-1],
                swings[1],
            )
            self._start(t, x)
            return None
        if back and self._one_excursion(swings):
            logger.debug(
                "%s rejected at t=%.2f: legs %s deg, only %d of %.0f%% of the largest: one "
                "excursion out and back, not a %s",
                self.gesture,
                t,
                " ".join(f"{s:.1f}" for s in swings),
                self._large_legs(swings),
                100 * (self.params.excursion_leg_ratio or 0.0),
                self.gesture,
            )
            self._start(t, x)
            return None
        if self._repeated_one_way(
            [*self._pivots, _Pivot(t, x)], median_swing, self.swing_threshold
        ):
            logger.debug(
                "%s rejected at t=%.2f: turning points %s deg from a rest at %.1f stay on one "
                "side and the head paused at rest between them: one held gesture repeated",
                self.gesture,
                t,
                " ".join(f"{pv.value:.1f}" for pv in self._pivots),
                self._rest_value,
            )
            # Its swings are the held gestures (reported by the held detectors), not background
            # movement: a deliberate nod after two looks up was measured against them and lost
            # (review rev43a2: 15 -> 1 of 16 at 0.5 s).
            self._background_from = max(self._background_from, t)
            self._start(t, x)
            return None
        why = self._first_leg_fault(h=self.swing_threshold)
        if why:
            logger.debug(
                "%s rejected at t=%.2f: %d reversals and the first leg is no nod's: %s",
                self.gesture,
                t,
                len(self._pivots) - 1,
                why,
            )
            self._start(t, x)
            return None
        half = float(np.median(np.diff([pv.t for pv in self._pivots])))
        if half > p.slow_half_s and median_swing < self.slow_swing_threshold:
            logger.debug(
                "%s rejected at t=%.2f: slow swing %.1f deg (every %.2fs) under the threshold "
                "%.1f deg with the background sway",
                self.gesture,
                t,
                median_swing,
                half,
                self.slow_swing_threshold,
            )
            self._start(t, x)
            return None
        # A brisk swing as the head made it: the background is slow movement, which the
        # frames and the smoothing keep whole, while a 3.5 Hz nod at 15 fps keeps two thirds.
        made_swing = median_swing / self._kept(half)
        if made_swing < p.background_ratio * self._background:
            logger.debug(
                "%s rejected at t=%.2f: swing %.1f deg (%.1f as made) does not stand out from "
                "the background movement (%.1f deg)",
                self.gesture,
                t,
                median_swing,
                made_swing,
                self._background,
            )
            self._start(t, x)
            return None
        if p.still_floor_ratio is not None and self._restarted and median_swing < self._floor_bar:
            logger.debug(
                "%s rejected at t=%.2f: swing %.1f deg under the calm floor %.1f, cleared only "
                "on a still face's lower bar, in a movement that started over (tremor or jitter "
                "reversals): no clean rhythm",
                self.gesture,
                t,
                median_swing,
                self._floor_bar,
            )
            self._start(t, x)
            return None
        ratio = other_range / other_limit
        held = other_range > other_limit
        if held:
            ratio = self._other_range(ended, since) / other_limit
            if ratio > 1.0:
                logger.debug(
                    "%s rejected at t=%.2f: %s moved %.1f deg (limit %.1f)",
                    self.gesture,
                    t,
                    self.other,
                    other_range,
                    other_limit,
                )
                self._start(t, x)
                return None
        if t - self._last_event_t < p.cooldown_s:
            logger.debug("%s suppressed at t=%.2f: cooldown", self.gesture, t)
            self._start(t, x)
            return None

        quiet_share = ratio * other_limit / self._plain_other_limit(median_swing)
        event = GestureEvent(
            t=t, gesture=self.gesture, confidence=self._confidence(reversal_swings, quiet_share)
        )
        self.last_swing = made_swing
        self.last_reversals = len(values) - 2
        self.last_turns = tuple((pv.t, pv.value) for pv in self._pivots)
        last_turn_t = self._pivots[-1].t
        moving_since = self._moving_since
        self._start(t, x)
        if held:
            # Quiet until the last leg came back: held back for a next gesture.
            self.held_back = HeldBack(event, last_turn_t, ended)
            logger.debug(
                "%s held back at t=%.2f: %s moved %.1f deg (limit %.1f), %.1f until it "
                "ended at t=%.2f: a next gesture?",
                self.gesture,
                t,
                self.other,
                other_range,
                other_limit,
                ratio * other_limit,
                ended,
            )
            return None
        self._last_event_t = t
        self.last_seen_moving_t = moving_since
        logger.info(
            "%s at t=%.2f (started %.2f, %d reversals, swing %.1f deg, confidence %.2f)",
            self.gesture,
            t,
            start_t,
            len(values) - 2,
            median_swing,
            event.confidence,
        )
        return event

    def _other_since(self) -> float:
        """From when the other axis is read for the movement completing now: when the other
        axis's held-back gesture that this movement releases came back (see
        :attr:`other_held_back`), else from the movement's start (-inf)."""
        held = self.other_held_back
        if held is None or not held.released_by(self._moving_since):
            return -math.inf
        logger.debug(
            "%s: the %s read from t=%.2f, when the %s held back came back",
            self.gesture,
            self.other,
            held.back_t,
            held.event.gesture,
        )
        return held.back_t

    def _other_limit(self, median_swing: float, reversals: int, since: float) -> float:
        """How far the other axis may move (peak to peak) over a movement of ``reversals``
        reversals and ``median_swing``, read from ``since``: a share of the swing (with a floor
        for landmark cross-talk and noise), more for a long movement whose other axis made no
        nod or shake of its own (see ``long_min_reversals``): a head that dips or turns once
        while it plainly shakes or nods, not a circle or a head following the hands."""
        p = self.params
        limit = self._plain_other_limit(median_swing)
        if p.long_min_reversals is None or reversals < p.long_min_reversals:
            return limit
        others = [v for ts, v in self._other_trace if since <= ts]
        if zigzag_reversals(others, p.long_other_bar_ratio * median_swing) > 1:
            return limit
        return max(limit, p.long_other_ratio * median_swing)

    def _plain_other_limit(self, median_swing: float) -> float:
        """How far the other axis may move over any movement of ``median_swing``: a share of
        the swing, with a floor for landmark cross-talk and noise. The confidence reads the
        other axis against it (a long movement's allowance, :meth:`_other_limit`, lets the
        movement through, it does not make its other axis quiet)."""
        p = self.params
        return max(
            p.other_max_ratio * median_swing,
            p.other_min_deg,
            p.k_noise * self.noise[self.other],
        )

    def _other_range(self, ended: float, since: float = -math.inf) -> float:
        """How far the other axis moved (peak to peak) over the movement from ``since``, up to
        ``ended`` (math.inf: up to now, the settle included; or when its last leg came back
        near the start, the settle left out, see :class:`HeldBack`)."""
        others = [v for ts, v in self._other_trace if since <= ts <= ended]
        if not others:
            return 0.0
        return float(max(others) - min(others))

    def _kept(self, half_period: float) -> float:
        """Share of a swing at this half period that the frames catch (:func:`_sampled`) and
        the detector's own smoothing keeps (:func:`_smoothed`): divide a measured swing by it
        to compare it with what the head did."""
        p = self.params
        return _sampled(half_period, self._dt) * _smoothed(half_period, p.smoothing_s, self._dt)

    def _lopsided(self, swings: npt.NDArray[np.float64]) -> bool:
        """True when a two-reversal movement that left rest has outer legs short against its
        one whole swing (see ``min_outer_leg_ratio``); ``swings`` are its legs, first to last.
        Only a movement whose first pivot is where it left rest: after a restart (an irregular
        or too slow reversal, or reversals pruned from the window) the first pivot is itself a
        turning point, its first leg a whole swing, and a nod of a swaying patient whose last
        turning point is its rest (the sway confirms it) ends with a short last leg."""
        ratio = self.params.min_outer_leg_ratio
        if ratio is None or len(swings) != 3 or not self._from_rest:
            return False
        return bool(min(swings[0], swings[-1]) < ratio * swings[1])

    def _one_excursion(self, swings: npt.NDArray[np.float64]) -> bool:
        """True when a movement begun by :meth:`_begin_leg` (from rest or from its lead swing;
        not restarted, and not pruned from the window) and come back to where it began has at
        most two legs of at least ``excursion_leg_ratio`` of its largest (see there);
        ``swings`` are its legs, first to last. Only such a movement: after a restart the first
        pivot is a turning point of what came before, and a slow shake of a swaying patient
        that started over in its middle is read in pieces, some of them two whole legs and a
        settle. Only one that came back (the caller's ``back``): a one-cycle "no" that ends
        with the head still turned to one side (legs of a swing, two swings and a small settle)
        is two large legs too, and a turn out and back always comes back."""
        ratio = self.params.excursion_leg_ratio
        if ratio is None or not self._from_rest or len(swings) < 3:
            return False
        return self._large_legs(swings) <= 2

    def _repeated_one_way(
        self, turns: list[_Pivot], swing: float, h: float, under_way: bool = False
    ) -> bool:
        """True when the movement whose turning points are ``turns`` (its pivots, then where
        it is now or the extreme it is heading to), with a median swing of ``swing`` (swing
        threshold ``h``), is one held gesture repeated the same way (see ``repeat_dwell_s``):
        its turning points alternate between a far side and rest, those at rest never past
        where it began the other way by more than ``repeat_cross_ratio`` of the swing, and the
        head paused at every one of them between two far ones (``repeat_move_ratio``).
        ``under_way``: the last of ``turns`` is the extreme it heads to now, which must lie half
        a swing out too when it is a far one (the verdict is given before the movement is over,
        and kept: :attr:`repeating_one_way`)."""
        p = self.params
        if p.repeat_dwell_s is None or len(turns) < 4:
            return False
        devs = [pv.value - self._rest_value for pv in turns]
        side = 1 if max(devs) >= -min(devs) else -1
        if p.repeat_side and side != p.repeat_side:
            return False
        far = 0 if np.mean(devs[0::2]) * side > np.mean(devs[1::2]) * side else 1
        if any(side * d < 0.5 * swing for d in devs[far : None if under_way else -1 : 2]):
            # A far turning point short of half a swing out is no excursion: a small slow
            # shake (2 degrees) whose start at rest lay a little to the far side.
            return False
        if side * np.mean([pv.value for pv in turns[far::2]]) < 0.5 * swing:
            # Away from where the movement began but not from the neutral (the angles' zero):
            # it began at the bottom of a look down held long enough to start over there, or a
            # weak patient's shake from a turned rest (yaw -12 to -18, swinging to +8 and back
            # with a pause at each end: 15 of 16 shakes, 4 of 16 without this; review rev43a).
            return False
        if any(side * d < -p.repeat_cross_ratio * swing for d in devs[1 - far :: 2]):
            return False
        between = range(1 + far, len(turns) - 1, 2)
        band = max(self._settle_band(h), p.repeat_band_ratio * swing)
        need = p.repeat_dwell_s
        return len(between) > 0 and all(self._paused_at(turns, i, band, need) for i in between)

    @property
    def repeating_one_way(self) -> bool:
        """True while the movement under way is so far one held gesture repeated the same way
        (see ``repeat_dwell_s``; judged on the turning points confirmed and the extreme it
        heads to now): it will not complete as a nod or shake, so a held look or turn need
        not wait for it (``GestureEngine._defer_to_oscillations``). Waiting until it gave up,
        each turn came out about 2 s late, after the next was made, and the bedside applied
        only the first of two (a gesture made before the screen changed is not applied)."""
        if not self.in_progress or self._extreme is None:
            return False
        turns = [*self._pivots, self._extreme]
        swings = np.abs(np.diff([pv.value for pv in turns]))
        swing = float(np.median(swings[1:-1] if len(swings) > 2 else swings))
        return self._repeated_one_way(turns, swing, self.swing_threshold, under_way=True)

    def _paused_at(self, turns: list[_Pivot], i: int, band: float, need: float) -> bool:
        """True when the head dwelt within ``band`` of the turning point ``turns[i]`` for
        ``need`` s (``repeat_dwell_s``) or more, and longer than ``1 / repeat_move_ratio`` of
        the time it took to come to it from the turning point before (from the edge of that
        one's own dwell): a pause, not a swing through."""
        p = self.params
        before, at = self._dwell(turns[i - 1], band), self._dwell(turns[i], band)
        pause = at[1] - at[0]
        # One frame of slack, as _paused_gap: first to last frame spans a frame less than the
        # pause (a 0.3 s pause at 10 fps read under 0.25 s).
        return pause >= need - self._dt and at[0] - before[1] <= p.repeat_move_ratio * pause

    def _dwell(self, turn: _Pivot, band: float) -> tuple[float, float]:
        """The span ``(first, last)`` over which the head stayed within ``band`` of the turning
        point ``turn``, around it, first to last frame (read on the frames, as
        :meth:`_hold_around`)."""
        samples = self._history_now()
        at = next((i for i, (ts, _) in enumerate(samples) if ts >= turn.t), len(samples))
        first = last = turn.t
        for ts, v in reversed(samples[:at]):
            if abs(v - turn.value) > band:
                break
            first = ts
        for ts, v in samples[at:]:
            if abs(v - turn.value) > band:
                break
            last = ts
        return first, last

    def _large_legs(self, swings: npt.NDArray[np.float64]) -> int:
        """How many of ``swings`` are at least ``excursion_leg_ratio`` of the largest."""
        ratio = self.params.excursion_leg_ratio or 0.0
        return int(np.count_nonzero(swings >= ratio * float(swings.max())))

    def _first_leg_fault(self, h: float) -> str:
        """Why the movement's first leg is no nod's (see ``first_leg_check``), or "". Only a
        movement that left rest (its first pivot is where it began; after a restart the
        first pivot is a turning point) and completes with just ``min_reversals``: with more,
        the rest of it is a nod without the first leg. Still means within the band that
        counts as settled at the end of a movement (see ``_step``)."""
        p = self.params
        if (
            not p.first_leg_check
            or not self._from_rest
            or len(self._pivots) - 1 > p.min_reversals
            or self._began is None
        ):
            return ""
        return first_leg_fault(
            list(self._history),
            self._began,
            self._pivots[0],
            self._pivots[1],
            self._settle_band(h),
            p.settle_s,
            p.max_half_period_s,
            self._history_now(),
        )

    def _confidence(self, swings: np.ndarray, other_share: float) -> float:
        """0..1 from how far the swings clear the threshold, how regular they are and how
        quiet the other axis stayed."""
        h = self.swing_threshold
        amp = min(1.0, max(0.0, (float(np.median(swings)) / h - 1.0) / 2.0))
        times = np.array([pv.t for pv in self._pivots[1:]])
        cv_swing = float(np.std(swings) / np.mean(swings)) if len(swings) > 1 else 0.5
        gaps = np.diff(times)
        cv_gap = float(np.std(gaps) / np.mean(gaps)) if len(gaps) > 1 else 0.5
        regular = min(1.0, max(0.0, 1.0 - (cv_swing + cv_gap)))
        quiet = min(1.0, max(0.0, 1.0 - other_share))
        return round(min(1.0, 0.4 + 0.3 * amp + 0.15 * regular + 0.15 * quiet), 4)


class NodDetector(OscillationDetector):
    """ "Yes": reversals of pitch (chin down and up) with yaw quiet."""

    gesture = "nod"
    axis: Axis = "pitch"
    other: Axis = "yaw"

    def __init__(self, params: GestureParams | None = None) -> None:
        super().__init__(params or NOD_PARAMS)


class ShakeDetector(OscillationDetector):
    """ "No": reversals of yaw (turning right and left) with pitch quiet."""

    gesture = "shake"
    axis: Axis = "yaw"
    other: Axis = "pitch"

    def __init__(self, params: GestureParams | None = None) -> None:
        super().__init__(params or SHAKE_PARAMS)
