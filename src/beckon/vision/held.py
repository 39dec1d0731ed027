"""Held gestures: turn, tilt, look, long blink, mouth open, brow raise.

One detector shape covers all of them: a signal (a head angle relative to the neutral pose, or
a blendshape score minus the patient's resting score) leaves its resting band, stays out for a
while, and comes back. Why this shape, and why it fires on the way back:

* **hysteresis**: the excursion starts above ``enter`` and ends only below ``release``
  (a fraction of ``enter``), so jitter around one threshold cannot make two events;
* **minimum hold**: the plateau (time within ``plateau_share`` of the excursion's peak) must
  last ``min_hold_s``; a normal blink (0.1 to 0.5 s), a syllable or a glance is shorter;
* **maximum hold**: an excursion longer than ``max_hold_s`` is not a gesture but a new
  situation (asleep, looking at a visitor, a yawn); nothing fires and the patient must come
  back to rest first;
* **settle**: after coming back the signal must stay in its resting band for ``settle_s``; an
  excursion that repeats at once is an oscillation (a nod, talking), not a held gesture (for
  head angles, only when the signal swung through rest in between: a head that pauses short
  of rest and turns the same way again is making a second movement, ``pause_short_of_rest``:
  the first is judged at the pause, and the second is judged on its own). For head angles
  the stay is read between the crossings of the release bar (``settle_between_frames``),
  not on the frames, which cut it short by up to a frame: one that settled so is judged,
  and the next movement may start on the very frame that leaves the band;
* **others quiet**: the other channels (for a head turn: pitch and roll) may move only a
  little during the excursion, so a diagonal look around or a yawn that tips the head back is
  not a turn;
* **steady plateau**: the signal's spread over the plateau must be small against its height
  (talking wobbles the jaw; a held open mouth does not);
* **one opening** (``reopen_share``, the mouth): an excursion that fell out of its plateau and
  rose back into it is two syllables the hysteresis joined, not one held opening;
* **cooldown** against double triggers (for head angles, not after a rest of ``rested_s``
  within the resting band: a second turn made on purpose), and nothing while the face is
  missing, poor, or the head is far from neutral (that gating is the caller's job: it passes
  ``usable=False``); an unusable frame makes the detector wait for rest again, except in a
  short gap (``bridge_s``, head angles: a missed detection, or the mesh bent for a few frames
  by a brisk movement), which goes the ordinary way unless the frames either side of it show
  it hid a movement.

Firing on the way back costs the settle time in latency (0.2 to 0.3 s after the gesture
ends) and buys the maximum-hold and oscillation checks, which are what keep false alarms down.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from beckon.vision.gestures import GestureEvent

logger = logging.getLogger(__name__)

_REST_TOL = 1e-6
"""Slack on ``rested_s``: a stay is read as a difference of frame times, and four frames at
10 fps (0.4 s) read under 0.4 about half the time."""

_GAP_TOL = 1e-6
"""Slack on ``bridge_s``: a gap is read as a difference of frame times, and four frames missed
at 10 fps (0.3 s first to last) read 0.3000000000000007 at some clock times, bridged or not by
float rounding (review rev46c, edge.py; the engine's cut rule takes the same slack)."""


@dataclass(frozen=True, slots=True)
class HoldParams:
    """Thresholds of one held gesture. ``enter`` is in the signal's units (degrees for head
    angles, blendshape score above rest for expressions)."""

    enter: float
    release_ratio: float = 0.5
    """The excursion ends when the signal falls below ``release_ratio * enter``."""
    min_hold_s: float = 0.5
    max_hold_s: float = 3.0
    plateau_share: float = 0.7
    """The plateau is where the signal is within this share of its peak (and above enter)."""
    settle_s: float = 0.25
    pause_short_of_rest: bool = False
    """Whether a return that stops short of rest (the signal stays above 0, inside the resting
    band) and goes out again within ``settle_s`` is a pause between two movements the same
    way rather than an oscillation: the first excursion is judged at once (it came back; the
    settle time is what tells an oscillation, and this is none) and the second may start at
    once, with no cooldown against the first's event (an oscillation swings through rest; a
    head turned toward someone twice pauses between, and a head coming back may wobble across
    the release bar). For head angles; expressions keep the plain rule (talking's jaw hardly
    comes back to rest between syllables)."""
    settle_between_frames: bool = False
    """Whether a stay in the resting band cut short by the next movement is read between the
    crossings of the release bar (linear interpolation, as the plateau) rather than on the
    frames, when the return came to rest (not past half the release bar the other way) and
    the excursion falls outside the cooldown (:meth:`HoldDetector._settled_between`). For head
    angles (a look whose return runs into a cough's bob); expressions keep the frames (a
    talker's jaw closes for a fifth of a second between syllables, and no case asks)."""
    others_max: float = 4.0
    """Largest range (max - min) the other channels may cover during the excursion (and how
    far the first frame back stands from where they began, with ``others_on_return``)..."""
    others_ratio: float = 0.45
    """...or this share of the excursion's peak, whichever is larger."""
    others_either: tuple[tuple[int, int], ...] = ()
    """Pairs of indices into the other channels that are two readings of one angle (as read,
    and with an echo of the gesture taken out, whose size varies by face): of each pair only
    the smaller range counts."""
    others_on_return: bool = False
    """Whether the other channels on the first frame back in the resting band count too: a
    head's return is part of its movement, and a diagonal return (the roll swinging as the
    yaw comes back) must count whether or not a frame landed in transit, which at 10 fps is
    chance (talkhead lp_d12). What counts is how far they stand there from where they stood
    on the frame just before the excursion: a return along the way out comes back to where
    it began, however much the other channels followed the gesture on the way (a head resting
    turned from the camera reads a look down with some roll: ``tan`` of the rest's yaw on a
    photo turned 22 degrees), and that following is judged, as before, from the bar on. With
    no frame before (the excursion began after a gap) the frame back counts in the range.
    For head angles; an expression's return carries the head's echo of it, which
    ``others_either`` already judges on the frames inside."""
    median_of_three: bool = False
    """Whether the plateau (its peak, and how long the signal stays near it) is read on the
    signal's running median of three samples rather than on the samples themselves: one
    jittery sample then neither sets the floor (a small face's landmarks at 10 fps: one
    sample of a 20-degree look read 21.6, and 90 % of it was over most of the hold) nor
    breaks the plateau; two neighbouring samples still do. A median of three leaves a
    monotone rise or fall as it is, so a slow nod's round bottom keeps its shape and is
    lowered only by its top sample. For head angles."""
    weak_share: float = 1.0
    """An excursion that peaks under ``enter`` but over this share of it is judged too, on
    the lower bar (``weak_share * enter``), and counts only with a plateau of at least
    ``weak_hold_s`` (:meth:`HoldDetector._judge`). Why: MediaPipe reads a look on some faces
    at 0.6 to 0.8 of its size, so a look of 10 to 12 degrees held 1 to 3 s peaked at 7.4 to
    7.9 against the 8 degree bar and was lost (5 of the 9 looks the studied faces missed in
    session 49), while what a lower bar alone let in was short: a glance up held 0.28 s
    (astronaut_mirror negative-504) and a dip held 0.4 s (gnew ed_mouth_source, session 32).
    A patient asked to look holds it; the longer hold is what tells the weak look from a
    glance. An excursion that reaches ``enter`` is judged as before. 1.0: off."""
    weak_hold_s: float = math.inf
    max_spread_ratio: float = 0.35
    """Robust spread of the signal over the plateau, as a share of its height, at most."""
    reopen_share: float = 0.0
    """An excursion in which the signal fell back from a high by at least this share of its
    peak and then rose again by as much (:func:`reopened`) is two movements the hysteresis
    joined (the release bar is half the start bar), not one held one, and is not reported.
    For the mouth: mouthing or talking opens the jaw once per syllable, and two syllables
    whose closing between them stopped short of the release bar made one long, "steady
    enough" excursion. 0: off (one plateau that wavers is judged by ``max_spread_ratio``).
    Both the dip and the peak are read on the median of three samples."""
    reopen_trough_share: float = 0.6
    """...and only a dip out of the plateau counts: under this share of the peak (the mouth's
    two false openings dipped to 0.45 and 0.43 of it). A dip that stays above it is a held
    opening that wavers: jaw tremor, a weak jaw that sags and is pulled open again."""
    cooldown_s: float = 1.5
    rested_s: float = math.inf
    """An excursion that began after the signal stayed within the release bar of rest (either
    side) at least this long, counted on the frames (first to last sample within the bar,
    across a gap the bridge covers; time out on the other side is not rest), is a movement of
    its own: the cooldown against the last event does not apply
    (:meth:`HoldDetector._cooling`). A patient turning
    three times to move three steps, or asked to look up twice, rests between; a held
    gesture's return wobble, or a sway's held swings, turn around at rest in less (the held
    swings of review rev41a: 0.26 to 0.3 s). inf: never (the cooldown alone). For head
    angles."""
    settle_gap_s: float = math.inf
    """An event of this gesture is a movement of its own, however soon it is reported after
    another event (the engine's ``event_gap_s``), when its excursion began at least this long
    after that event was reported: the other gesture was over (it had settled) before this
    one started. inf: never (the event gap alone decides)."""
    sway_cap: float = 0.0
    """A head that sways keeps swaying while it holds a pose, so the plateau is not flat: the
    plateau floor is lowered by the range the signal covered in the ``sway_lookback_s``
    before the excursion, less ``sway_jitter`` (landmark jitter is not sway), up to this much
    (0: a flat plateau is required). A still patient gets no allowance, so a slow nod's round
    bottom stays too short to be a hold."""
    sway_jitter: float = 1.5
    sway_ramp_s: float = 0.7
    """The last this many seconds before the excursion are its ramp, not sway."""
    sway_lookback_s: float = 3.0
    bridge_s: float = 0.0
    """A stretch of unusable frames at most this long (first to last, with ``_GAP_TOL`` of
    slack) is a missed reading, not an end: whatever the detector was doing goes on from the
    first usable frame after it, as if those frames had not been taken. One rule for the
    three states a gap can fall in. The engine passes the same 0.3 s
    (``EngineParams.held_bridge_s``) as ``CrossingParams.bridge_s``, but the lengths are
    read differently: here and in the crossing's wait first to last missed frame (the
    crossing with no slack), while the engine's cut rule (``_note_cuts``, ``face_back``)
    counts from the first missed frame to the frame the face is back, one frame more; so at
    10 fps four missed frames are bridged here and are a cut there (review rev48a):

    * at rest (no excursion under way, none being waited out): rest was just seen, and a
      gesture may start on the first usable frame after it (the occlusion gate closes for a
      few frames at a brisk turn's onset, when the mesh bends with the movement);
    * settling (an excursion came back): the gesture was seen whole, and the settle goes on
      (a turn right swung briskly on into a turn left bends the mesh as it crosses rest; at
      15 fps the gate closed there for 0.27 s and the finished turn was dropped unjudged);
    * out (issue #9): MediaPipe misses single frames in the hold or the return of a held
      turn, tilt or look (blur, a hand passing), and one such frame lost the gesture a
      patient held for the menu (review rev47a, miss.py: 72 of 144 runs). A frame that saw
      the head away (``away``) is no gap: the head was seen elsewhere.

    Out, the frames either side of the gap must show it hid no movement, since the gap is
    exactly where the head's path is unknown and MediaPipe misses frames most in fast
    movement. The frame after it past the other way's entry bar: the head swung through rest
    unseen, into the other way's gesture (a turn left seen whole and a turn right after a
    hidden crossing is one shake's "next" seen whole, which two turns would make "previous,
    next"), so the excursion ends there as before. The plateau, which tells a held gesture
    from a glance, is read only on what was seen: a gap ends a run, so the hold must be seen
    whole on one side of it (:func:`_longest_run`; added across, two glances whose return
    fell in the gap made one hold, gest46c: 10 of 45), and a plateau left next to the gap and
    found again after it hid a swing of a nod or shake, whose detector the gap cleared
    (:func:`_hid_a_swing`; review rev46c: a dip's bottom unseen made a held turn or look).
    The gap counts toward ``max_hold_s`` (the head was out all along, or came back unseen).
    0: every unusable frame makes the detector wait for rest again (as for expressions)."""
    hidden_return_s: float = 0.2
    """The shortest return and second glance the same way that a gap on the plateau can hide
    (the head back toward rest and out again, each about 0.1 s). A bridged gap with the
    plateau on the samples either side of it that left more than this unseen (its missed
    frames' time: the interval across it less one frame interval) may have hidden exactly
    that, and two glances read as one hold give a wrong step ("previous" for "next"), worse
    than none; so its unseen time is taken off the plateau, which must then be seen for
    ``min_hold_s`` plus that time on one side of the gap (over this plus half a frame
    interval, :func:`_unseen_on_plateau`, so a live camera's jitter does not decide it). A
    shorter gap cannot hide a return and is only a missed reading. Review rev48a: two
    glances with the return in a 0.26 s gap made a held turn in 12 of 63 runs (rev46c
    probe), 10 mended so, for holds with 3 or more frames missed at 10 fps (or 0.3 s at
    15 fps) lost in gest46c's gap.py (192 -> 165 of 324) and 6 of 144 runs of rev47a's
    miss.py."""


@dataclass(slots=True)
class _Excursion:
    start_t: float
    peak: float
    values: list[tuple[float, float]]
    others_lo: list[float]
    others_hi: list[float]
    before: tuple[float, float] | None = None
    """The usable sample just before the excursion began (time, value), if there was one
    right before it (none after a gap): where the plateau's rise began."""
    back_t: float | None = None
    back_x: float = 0.0
    """The value on the first sample back in the resting band (at ``back_t``)."""
    back_low: float = math.inf
    """The lowest value since the signal came back into the resting band."""
    before_others: tuple[float, ...] | None = None
    """The other channels on the sample just before the excursion (with ``before``)."""
    others_back: tuple[float, ...] = ()
    """How far each other channel stood on the first sample back from where it stood just
    before the excursion (``others_on_return``)."""
    sway: float = 0.0
    after_pause: bool = False
    """Began at a pause short of rest right after an excursion that was reported: a movement
    of its own, not a double trigger of that one (the cooldown does not apply)."""
    rested: float = 0.0
    """How long the signal stayed within the release bar of rest just before it (on the
    frames: first to last sample there), for ``rested_s``."""
    gaps: tuple[float, ...] = ()
    """The times of the samples after which a bridged gap (``bridge_s``) began while it was
    out: the signal's path from each to the next sample is unknown (:func:`_longest_run`)."""


class HoldDetector:
    """Detects one held gesture on one signal; see the module docstring.

    ``sign`` is +1 when the gesture drives the signal up (chin down is positive pitch), -1
    when it drives it down (turning to the patient's own right is negative yaw).
    """

    def __init__(self, gesture: str, sign: int, params: HoldParams) -> None:
        if sign not in (-1, 1):
            raise ValueError("sign must be +1 or -1")
        self.gesture = gesture
        self.sign = sign
        self.params = params
        self._last_event_t = -math.inf
        self._ex: _Excursion | None = None
        self._blocked = False  # after a too-long or rejected excursion: wait for rest
        self._before: deque[tuple[float, float]] = deque()  # values outside excursions
        self._after_pause = False  # reported at a pause short of rest, not yet back at rest
        self._gap_since: float | None = None  # first unusable frame of a gap begun at rest
        self._prev: tuple[float, float] | None = None  # the last sample, if it was usable
        self._prev_others: tuple[float, ...] = ()  # ... and its other channels
        self._rest_from: tuple[float, float] | None = None  # first and last sample of a stay
        self._stay = 0.0  # how long the latest stay within the release bar of rest lasted
        self.last_start = -math.inf
        """Start time of the excursion behind the last event."""
        self.last_end = -math.inf
        """When the excursion behind the last event came back into the resting band (the
        gesture is over; the event fires ``settle_s`` later)."""
        self.last_ratio = 0.0
        """Peak of the excursion behind the last event, in multiples of ``enter``."""

    def reset(self) -> None:
        """Forget any excursion in progress and the cooldown."""
        self._ex = None
        self._blocked = False
        self._after_pause = False
        self._gap_since = None
        self._prev = None
        self._rest_from = None
        self._stay = 0.0
        self._last_event_t = -math.inf
        self._before.clear()

    def wait_for_rest(self) -> None:
        """Let nothing start until the signal has been back in its resting band (a gesture's
        start must be seen)."""
        self._ex = None
        self._blocked = True

    @property
    def active(self) -> bool:
        """True while an excursion is in progress (used to arbitrate between detectors)."""
        return self._ex is not None

    def update(
        self,
        t: float,
        value: float | None,
        others: tuple[float, ...] = (),
        *,
        away: bool = False,
    ) -> GestureEvent | None:
        """Feed one sample; ``value=None`` means unusable (no face, poor view, head away;
        ``away``: the frame saw the head away, which no gap bridges while out)."""
        p = self.params
        if value is None:
            self._prev = None  # a gap hides where the signal went: nothing to read across it
            ex = self._ex
            at_rest = ex is None and not self._blocked
            out = ex is not None and ex.back_t is None and not away
            settling = ex is not None and ex.back_t is not None
            if p.bridge_s > 0.0 and (at_rest or out or settling):
                if self._gap_since is None:
                    self._gap_since = t
                if t - self._gap_since <= p.bridge_s + _GAP_TOL:
                    # A stay at rest goes on across a bridged gap: the gate closes for a
                    # frame or two at a brisk movement's onset, and clearing the stay there
                    # put the next tilt of three back in the cooldown (review rev42b).
                    return None
            self._rest_from = None
            self._stay = 0.0
            if self._ex is not None:
                logger.debug("%s: interrupted at t=%.2f", self.gesture, t)
            self._ex = None
            self._blocked = True
            return None
        bridged, self._gap_since = self._gap_since is not None, None
        x = self.sign * value
        ex = self._ex
        if bridged and ex is not None and ex.back_t is None:
            if x <= -p.enter:
                logger.debug(
                    "%s: past rest the other way after a gap at t=%.2f; dropped", self.gesture, t
                )
                self._rest_from = None
                self._stay = 0.0
                self._ex = None
                self._blocked = True
            else:
                ex.gaps += (ex.values[-1][0],)
        prev, self._prev = self._prev, (t, x)
        prev_others, self._prev_others = self._prev_others, tuple(others)
        release = p.release_ratio * p.enter
        self._note_rest(t, x, release)
        ex = self._ex
        if ex is None:
            if x < release:
                self._blocked = False
                self._after_pause = False
            if self._blocked or x < min(p.enter, p.weak_share * p.enter):
                if p.sway_cap > 0.0:
                    self._before.append((t, x))
                    while self._before and self._before[0][0] < t - p.sway_lookback_s:
                        self._before.popleft()
                return None
            self._ex = _Excursion(t, x, [(t, x)], list(others), list(others), before=prev)
            if prev is not None and len(prev_others) == len(others):
                self._ex.before_others = prev_others
            self._ex.after_pause = self._after_pause
            self._ex.rested = self._stay
            before = np.array([v for ts, v in self._before if ts <= t - p.sway_ramp_s])
            if len(before) > 2:
                wobble = float(before.max() - before.min())
                self._ex.sway = min(p.sway_cap, max(0.0, wobble - p.sway_jitter))
            self._before.clear()
            return None

        if ex.back_t is None:
            if x >= release:
                ex.values.append((t, x))
                ex.peak = max(ex.peak, x)
                for i, o in enumerate(others):
                    ex.others_lo[i] = min(ex.others_lo[i], o)
                    ex.others_hi[i] = max(ex.others_hi[i], o)
                if t - ex.start_t > p.max_hold_s:
                    logger.debug(
                        "%s: held past %.1f s at t=%.2f; ignored", self.gesture, p.max_hold_s, t
                    )
                    self._ex = None
                    self._blocked = True
                return None
            ex.back_t = t
            ex.back_x = x
            ex.back_low = x
            if p.others_on_return and ex.before_others is not None:
                ex.others_back = tuple(
                    abs(o - b) for o, b in zip(others, ex.before_others, strict=True)
                )
            elif p.others_on_return:
                # Where the other channels stood before is not known (the excursion began
                # after a gap): the frame back counts in their range.
                for i, o in enumerate(others):
                    ex.others_lo[i] = min(ex.others_lo[i], o)
                    ex.others_hi[i] = max(ex.others_hi[i], o)
            return None

        # Back in the resting band: wait for it to stay there.
        if x >= release:
            self._ex = None
            if p.pause_short_of_rest and ex.back_low > 0.0:
                # Out again before reaching rest: a pause at the band's edge between two
                # movements the same way (a second turn toward someone, or a wobble on the way
                # back), not an oscillation, which swings through rest. This excursion is over
                # (it came back): it is judged now, and the movement now under way may be the
                # next one, a movement of its own (no cooldown against this one's event).
                logger.debug(
                    "%s: out again at t=%.2f before reaching rest; the next one may start",
                    self.gesture,
                    t,
                )
                first = self._judge(t, ex)
                self._after_pause = first is not None
                second = self.update(t, value, others)
                return first if first is not None else second
            if (
                prev is not None
                and not self._cooling(t, ex)
                and self._settled_between(ex, prev, (t, x), release)
            ):
                # It had settled between two frames: judged as the frame at ``settle_s``
                # would have judged it, and this frame may start the next movement, which
                # meets this one's cooldown (the return came to rest, whatever a pause
                # before this one allowed).
                logger.debug("%s: settled between frames before t=%.2f; out again", self.gesture, t)
                first = self._judge(t, ex)
                self._after_pause = False
                second = self.update(t, value, others)
                return first if first is not None else second
            logger.debug("%s: repeated at once at t=%.2f (oscillation); ignored", self.gesture, t)
            self._blocked = True
            return None
        ex.back_low = min(ex.back_low, x)
        if t - ex.back_t < p.settle_s:
            return None
        self._ex = None
        self._after_pause = False  # settled: the next movement meets this one's cooldown
        return self._judge(t, ex)

    def _settled_between(
        self,
        ex: _Excursion,
        last_in: tuple[float, float],
        out: tuple[float, float],
        release: float,
    ) -> bool:
        """Whether the signal stayed in its resting band for ``settle_s`` before going out
        again at ``out``, the stay read from the crossing of the release bar on the way back
        to the crossing on the way out, each by linear interpolation between the samples
        either side of it (``last_in``: the last sample in the band).

        Why not count samples: the frames see the stay cut short by up to a frame interval,
        0.1 s at 10 fps against a settle of 0.25 s. A look down held 0.6 s whose return ran
        straight into a cough's bob stayed in the band 0.28 s: at 30 fps it settled and was a
        look, at 10 and 15 fps the frames saw 0.2 s and it went as an oscillation's repeat
        (review rev40c). The plateau is read the same way (:func:`_longest_run`).

        Only for a return that came to rest: one that swung on past rest the other way is an
        oscillation's (a shake's other side), and the frames alone judge it, as before. Past
        half the release bar, not the bar itself: the frames sample the swing, and a dip
        beyond the bar for under a frame interval (0.1 s at 10 fps) fell between them and
        read as a return to rest (review rev41a, swing.py: a turn swung through rest to -6
        degrees and straight out again, a turn at 1 of 24 phases at 10 fps; with the margin
        at none, as on the frames alone).

        The caller asks only outside the cooldown: a swing that could not be reported anyway
        (a further held dip of a slow nod, 1.2 s after the first) is left to the frames, as
        before, rather than freeing the swing after it as a movement of its own (review
        rev41a: a slow nod with held dips at 15 fps was a look down twice)."""
        if (
            not self.params.settle_between_frames
            or ex.back_t is None
            or ex.back_low <= -0.5 * release
        ):
            return False
        ts = [ex.values[-1][0], ex.back_t]
        xs = [ex.values[-1][1], ex.back_x]
        back = _crossing(ts, xs, 0, 1, release)
        leave = _crossing([last_in[0], out[0]], [last_in[1], out[1]], 0, 1, release)
        return leave - back >= self.params.settle_s

    def _note_rest(self, t: float, x: float, release: float) -> None:
        """Keep how long the signal has stayed within the release bar of rest (either side):
        a stay ends at the first sample out of it, and its length (first to last sample in
        it) is what the next excursion rested before it (``rested_s``). A sample read twice
        (the frame that leaves the band after a settle starts the next excursion) changes
        nothing."""
        if abs(x) < release:
            first = self._rest_from[0] if self._rest_from is not None else t
            self._rest_from = (first, t)
        elif x <= -release:
            # Out on the other side: no rest before what follows. A return that swung past
            # rest with no frame within the bar kept the stay from before the gesture, and
            # the next excursion the same way was freed from the cooldown (review rev42b).
            self._rest_from = None
            self._stay = 0.0
        elif self._rest_from is not None:
            self._stay = self._rest_from[1] - self._rest_from[0]
            self._rest_from = None

    def _cooling(self, t: float, ex: _Excursion) -> bool:
        """Whether ``ex``, judged at ``t``, falls in the cooldown after the last event (a
        double trigger), unless it began at a pause short of rest after it, or after a rest
        of ``rested_s`` (a movement of its own either way)."""
        p = self.params
        if ex.after_pause or ex.rested >= p.rested_s - _REST_TOL:
            return False
        return t - self._last_event_t < p.cooldown_s

    def _judge(self, t: float, ex: _Excursion) -> GestureEvent | None:
        p = self.params
        ts = np.array([v[0] for v in ex.values])
        xs = np.array([v[1] for v in ex.values])
        after = (ex.back_t, ex.back_x) if ex.back_t is not None else None
        level = xs
        if p.median_of_three:
            level = _median_of_three(xs, ex.before, after)
        peak = float(level.max())
        weak = peak < p.enter
        bar = p.weak_share * p.enter if weak else p.enter
        floor = max(bar, min(p.plateau_share * peak, peak - ex.sway))
        min_hold = max(p.min_hold_s, p.weak_hold_s) if weak else p.min_hold_s
        if _hid_a_swing(ts, level, floor, ex.gaps):
            logger.debug(
                "%s: a gap at t=%.2f hid a swing off the plateau and back; dropped",
                self.gesture,
                t,
            )
            return None
        plateau = _longest_run(ts, level, floor, ex.before, after, ex.gaps)
        plateau -= _unseen_on_plateau(ts, level, floor, ex.gaps, p.hidden_return_s)
        if plateau < min_hold:
            logger.debug(
                "%s: plateau %.2f s too short at t=%.2f (floor %.2f, peak %.2f%s)",
                self.gesture,
                plateau,
                t,
                floor,
                peak,
                ", under the bar" if weak else "",
            )
            return None
        ranges = [hi - lo for lo, hi in zip(ex.others_lo, ex.others_hi, strict=True)]
        for i, away in enumerate(ex.others_back):
            ranges[i] = max(ranges[i], away)
        for i, j in p.others_either:
            if max(i, j) < len(ranges):
                ranges[i] = ranges[j] = min(ranges[i], ranges[j])
        others = max(ranges, default=0.0)
        others_limit = max(p.others_max, p.others_ratio * ex.peak)
        if others > others_limit:
            logger.debug(
                "%s: other channels moved %.2f (limit %.2f) at t=%.2f",
                self.gesture,
                others,
                others_limit,
                t,
            )
            return None
        if p.reopen_share > 0.0:
            # On the median of three samples: one jittery sample of a held opening is no
            # closing and opening again.
            filtered = _median_of_three(xs, ex.before, after)
            again = reopened(filtered, p.reopen_trough_share)
            if again >= p.reopen_share * float(filtered.max()):
                logger.debug(
                    "%s: fell back %.2f and rose again at t=%.2f: two openings (talking)",
                    self.gesture,
                    again,
                    t,
                )
                return None
        top = xs[xs >= floor]
        spread = float(np.percentile(top, 90) - np.percentile(top, 10)) if len(top) > 2 else 0.0
        if spread > p.max_spread_ratio * ex.peak:
            logger.debug("%s: plateau unsteady (%.2f) at t=%.2f", self.gesture, spread, t)
            return None
        if self._cooling(t, ex):
            logger.debug("%s: cooldown at t=%.2f", self.gesture, t)
            return None
        self._last_event_t = t
        self.last_start = ex.start_t
        self.last_end = ex.back_t if ex.back_t is not None else t
        self.last_ratio = ex.peak / p.enter
        amp = min(1.0, max(0.0, (ex.peak / p.enter - 1.0) / 1.5))
        hold = min(1.0, plateau / (2.0 * p.min_hold_s))
        quiet = max(0.0, 1.0 - others / others_limit)
        confidence = round(min(1.0, 0.4 + 0.3 * amp + 0.15 * hold + 0.15 * quiet), 4)
        logger.info(
            "%s at t=%.2f (held %.2f s, peak %.2f, confidence %.2f)",
            self.gesture,
            t,
            plateau,
            ex.peak,
            confidence,
        )
        return GestureEvent(t=t, gesture=self.gesture, confidence=confidence)


def reopened(xs: np.ndarray, trough_share: float = 0.6) -> float:
    """How far the signal fell out of its plateau and then rose back into it: the largest,
    over the samples under ``trough_share`` of the highest, of the smaller of the fall to that
    sample from the highest before it and the rise from it to the highest after it. Read only
    between the first and the last sample of the plateau (at or above ``trough_share`` of the
    highest), so the way up and the way down are not dips.

    Why only out of the plateau: a dip within it is a held opening that wavers (jaw tremor,
    a weak jaw that sags and is pulled open again, a small face's noise at 30 fps), which a
    patient makes; talking closes the jaw between syllables, out of it (review rev37b: counting
    every dip lost held openings with a 4 Hz tremor of a third of their height, 10 of 10 at
    30 fps). One opening gives 0; two give the depth of the closing between them, or the
    second one's height if that is less."""
    values = np.asarray(xs, dtype=float)
    if len(values) < 3:
        return 0.0
    floor = trough_share * values.max()
    in_plateau = np.flatnonzero(values >= floor)
    values = values[in_plateau[0] : in_plateau[-1] + 1]
    high_before = np.maximum.accumulate(values)
    high_after = np.maximum.accumulate(values[::-1])[::-1]
    dips = np.minimum(high_before - values, high_after - values)
    dips[values >= floor] = 0.0
    return float(dips.max())


def _median_of_three(
    xs: np.ndarray, before: tuple[float, float] | None, after: tuple[float, float] | None
) -> np.ndarray:
    """Each sample replaced by the median of itself and its two neighbours (the samples just
    outside the excursion, ``before`` and ``after``, count as neighbours when known; an end
    without one keeps its sample)."""
    padded = [before[1]] if before is not None else []
    padded += list(map(float, xs))
    padded += [after[1]] if after is not None else []
    lead = 1 if before is not None else 0
    out = xs.astype(float)
    for i in range(len(xs)):
        j = i + lead
        if 0 < j < len(padded) - 1:
            out[i] = float(np.median(padded[j - 1 : j + 2]))
    return out


def _hid_a_swing(
    ts: np.ndarray, xs: np.ndarray, floor: float, gaps: tuple[float, ...] = ()
) -> bool:
    """Whether a bridged gap (``gaps``: the times of the samples after which one began) hid a
    swing: the signal is on the plateau (at or above ``floor``) somewhere before the gap and
    somewhere after it, but not on both samples next to it, so it left the plateau and came
    back with the turning point, or part of the swing, unseen.

    Why: the gap also cleared the nod or shake detector, which would have read that swing
    (seen whole, 14 degrees out, down to 4 to 8 and out again for 0.5 s each is a shake or a
    nod), and each side of it alone is a hold: bridged, the bottom of a dip unseen for 0.1 s
    made a held turn or look (review rev46c; gest46c's dip.py, 18 of 18 runs). A gap with the
    plateau on both samples next to it is a hold with a frame or a few missed; one after which
    the signal does not reach the plateau again hid part of the return."""
    on = xs >= floor
    for gap in gaps:
        i = int(np.searchsorted(ts, gap))
        if i + 1 >= len(ts) or (on[i] and on[i + 1]):
            continue
        if on[: i + 1].any() and on[i + 1 :].any():
            return True
    return False


def _unseen_on_plateau(
    ts: np.ndarray, xs: np.ndarray, floor: float, gaps: tuple[float, ...], hides_s: float
) -> float:
    """The longest time left unseen by a bridged gap (``gaps``: the times of the samples
    after which one began) with the signal on the plateau (at or above ``floor``) on both
    samples next to it, if over ``hides_s`` (``HoldParams.hidden_return_s``), else 0. The
    unseen time is the interval across the gap less one frame interval (the median), so
    the missed frames' time. Only such a gap can hide a return and a second glance the same
    way whole; one with a sample off the plateau next to it is :func:`_hid_a_swing`'s or a
    part of the rise or the return. The bar has half a frame interval of slack because a
    live camera stamps each frame when it is read: two frames missed at 10 fps leave 0.2 s
    give or take a millisecond, and with no slack that jitter alone decided whether a hold
    was kept (review rev48f: 30 -> 23 of 36 held turns kept at +-1 ms); whole missed frames
    stay on one side of the bar."""
    if len(ts) < 2:
        return 0.0
    step = float(np.median(np.diff(ts)))
    on = xs >= floor
    unseen = 0.0
    for gap in gaps:
        i = int(np.searchsorted(ts, gap))
        if i + 1 < len(ts) and on[i] and on[i + 1]:
            unseen = max(unseen, float(ts[i + 1] - ts[i]) - step)
    return unseen if unseen > hides_s + step / 2 else 0.0


def _longest_run(
    ts: np.ndarray,
    xs: np.ndarray,
    floor: float,
    before: tuple[float, float] | None = None,
    after: tuple[float, float] | None = None,
    gaps: tuple[float, ...] = (),
) -> float:
    """Longest stretch of time during which the signal stays at or above ``floor``, from the
    crossing on the way up to the crossing on the way down, each read by linear interpolation
    between the samples either side of it (``before`` and ``after``: the samples just outside
    ``ts``, when known). Why not count samples: each sample counted for one frame interval
    is right on average but off by up to a frame, 0.1 s at 10 fps, a quarter of a turn's
    0.4 s hold, and talking heads' glances of 0.37 to 0.38 s read 0.40 s at 10 fps (0.28 to
    0.37 s at 30 fps). Where no sample below the floor is known on one side (the excursion's
    first sample already above it after a gap), the run reaches half a frame interval past its
    last sample there, as counting samples had it (one frame at 10 fps is 0.1 s, not 0).

    ``gaps``: the times of samples after which frames were missing (a bridged gap,
    ``HoldParams.bridge_s``). The path across a gap is unknown, so a gap ends a run: the
    runs either side of it end and start half a frame interval from their samples next to
    it (as at an end with no sample known beyond it), and are not added."""
    if len(ts) == 0:
        return 0.0
    step = float(np.median(np.diff(ts))) if len(ts) > 1 else 0.0
    t_all = list(map(float, ts))
    x_all = list(map(float, xs))
    lead = 0
    if before is not None:
        t_all.insert(0, before[0])
        x_all.insert(0, before[1])
        lead = 1
    if after is not None:
        t_all.append(after[0])
        x_all.append(after[1])
    best = 0.0
    start: float | None = None
    for i in range(lead, lead + len(ts)):
        if x_all[i] < floor:
            start = None
            continue
        if start is None:
            if i == 0 or t_all[i - 1] in gaps:
                start = t_all[i] - step / 2
            else:
                start = _crossing(t_all, x_all, i - 1, i, floor)
        if t_all[i] in gaps or i + 1 == len(t_all):
            best = max(best, t_all[i] + step / 2 - start)
            start = None  # a gap ends the run: the next sample starts one of its own
        elif x_all[i + 1] < floor:
            best = max(best, _crossing(t_all, x_all, i, i + 1, floor) - start)
    return best


def _crossing(ts: list[float], xs: list[float], i: int, j: int, level: float) -> float:
    """When the signal crossed ``level`` between samples ``i`` and ``j`` (one on each side of
    it), by linear interpolation."""
    if (xs[i] >= level) == (xs[j] >= level):
        return ts[j] if xs[j] >= level else ts[i]  # not a crossing: the on side's sample
    share = (level - xs[i]) / (xs[j] - xs[i])
    return ts[i] + share * (ts[j] - ts[i])
