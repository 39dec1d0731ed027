"""A held head gesture whose return swings on past rest the other way and STAYS there waits:
it may be a posture shift undone by the next gesture.

Why: a patient who shifts in bed (the head settles 10 degrees or so turned, tilted or pitched
and stays) keeps the old rest for a while (re-anchoring takes 8 s still). A gesture the other
way within about 2 s of settling (a turn right after a shift left) brings the head back
through the old rest, and the shift, read against that rest, looks like a turn left held under
4 s and brought back: it was reported as ``turn_left``, 0.25 s after the head crossed the
release bar, a step the wrong way at the scanning menu (docs/gestures.md, "Posture shifts";
the journal's session 41, gest41b). What tells the two apart is what the head does next: after
the opposite gesture it goes back out to the shifted pose ("out, through, back"); after a real
turn left swung on into a turn right it comes back to rest.

So a held head event judged while its return is past the release bar the other way (or still
heading there, within ``watch_s``) is held back, and:

* while the head has not yet STAYED past that bar the other way's ``min_hold_s`` since the
  event was judged (the undoing gesture is held that long, an overshoot of a relaxed return
  is not), it is released as soon as the head is back inside the bar (an overshoot; then a
  look away or a tremor no longer matters);
* once it stayed, the head back out its own way past the release bar (out, through, back)
  and STAYING out longer than that way's ``max_hold_s`` (plus ``out_margin_s``) drops it: it
  was a posture shift, not a gesture; the same gesture judged again meanwhile (the head came
  back: "previous, previous") releases it first; the head back inside the bar and no longer
  moving on its own way over ``settled_span_s`` (back to rest: "previous, next") releases it
  at once, and so does the other way's gesture reported with the head near rest, or the head
  standing past the bar the other way ``stay_release_s`` (a weak neck settled off-centre);
* ``max_wait_s`` releases it (not while the head is back out its own way);
* a face lost (the held detectors cannot read the head) for over ``bridge_s`` decides
  nothing: the wait is decided once the face is back and read ``settled_span_s`` with the head
  still (:meth:`CrossingWait.after_loss`): back at rest, released; out its own way, the
  posture-shift rule above; back past the bar the other way where it was, the wait goes on as
  before; anywhere else (another face, the patient in another posture), dropped; and dropped
  when it is not decided within ``lost_out_s`` of when the gesture was made.

A released event is reported late, with ``made`` (its own time). The bedside's scanning menu
applies a late step from what was on offer when it was made, and a step made after it
follows it (``Interaction._index_when_made``, ``_late_step_before``), so "previous, next"
keeps both steps although the first comes out only once the head is back.

Session 44's try (gest44b) waited on every return past the bar until the head rested 0.5 s:
a weak patient's relaxed overshoot of 4 to 6 degrees came 1 to 1.9 s late, an overshoot then a
look away lost the gesture, and "previous, next" lost a step (review rev44g). Sessions 42 and
43 (gest42a, gest43b) held back every return past rest, or every excursion shaped like a shift:
both delayed real gestures a slow or weak patient makes (reviews rev42a, rev43b).
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field, replace
from enum import Enum

from beckon.vision.gestures import GestureEvent, log_dropped_late

logger = logging.getLogger(__name__)

_OTHER_SIDE_KEPT_S = 6.0
"""How far back the frames past the release bar the other way are kept: a held excursion
lasts at most 4 s (``max_hold_s``) and a second or so more before it is judged."""

CROSSED = "held as maybe a posture shift (its return stayed past rest the other way)"
"""How :func:`log_dropped_late` names a held gesture's wait here."""


@dataclass(frozen=True, slots=True)
class CrossingParams:
    """When a held head event waits for what the head does after its return. Readings are
    in each detector's signed units (positive: its own way), bars too."""

    watch_s: float = 0.4
    """After the settle, a return still heading the other way (past rest and moving on at
    ``heading_deg_s`` or more) is watched this long for the crossing of the release bar: a
    gesture the other way made with a slower ramp crosses it just after the settle."""
    heading_deg_s: float = 10.0
    """How fast the head must still be moving, read over ``heading_span_s``, to be heading
    somewhere (a return slowing into rest has stopped by then; jitter and an idle sway move
    under 5 degrees a second). Back inside the bar after a stay, a head still moving its own
    way this fast is on its way back out to a shifted pose, not back at rest."""
    heading_span_s: float = 0.15
    settled_span_s: float = 0.3
    """Back inside the bar after a stay, the head's movement is read over this longer span:
    a tremor (3 to 7 Hz) swings fast both ways but goes nowhere over a period, while a head
    on its way back out to a shifted pose goes on one way."""
    max_wait_s: float = 4.0
    """Longest wait: a head held out the other way longer is no gesture of that way either
    (``max_hold_s``), and the waiting event is reported (not while the head is back out its
    own way: see ``out_margin_s``)."""
    stay_release_s: float = 1.5
    """A head that stayed past the bar the other way this long (from when the event was
    judged, or from when it last went past the bar) without going back out its own way
    releases the waiting event: a weak neck settling 5 to 7 degrees past rest got its step
    2.1 to 2.9 s late, or ``max_wait_s`` late (review rev45g, stayoff.py). The gesture that
    undoes a shift is held about 1 s, then the head goes back out to the shifted pose."""
    out_margin_s: float = 0.5
    """Back out its own way, the head must stay out longer than that way's ``max_hold_s``
    plus this for the waiting event to be dropped (a posture shift: the head stays at the
    shifted pose). Back sooner, it was the same gesture again ("previous, previous"), which
    the detector judges on its return: the waiting event is released first. Dropped at once
    (gest45b), the first step was lost whenever the first return had settled past rest
    (review rev45g, twicestay.py: both steps 43 -> 22 of 48)."""
    from_other_side_s: float = 1.0
    """An excursion that began this soon after the head stood past the release bar the other
    way does not wait: it swung out from there, not from rest. The gesture that undoes a
    posture shift leaves the shifted pose, and its own return goes on out to that pose: it is
    the patient's gesture (so is the second of a turn swung straight on into the opposite
    turn). Read on the frames, not as a stay at rest: a slow shift's glide jitters across the
    release bar and cut such a stay to one frame."""
    bridge_s: float = 0.3
    """Unreadable frames for longer than this make a lost face: the wait is decided only on
    what the head does once the face is back (:meth:`CrossingWait.after_loss`); a shorter
    gap is the occlusion gate closing for a frame or two as the head swings briskly through
    rest (``EngineParams.held_bridge_s``), and the wait goes on."""
    lost_out_s: float = 6.0
    """A wait (or a look or turn deferred on a nod or shake, ``GestureEngine._after_cut``)
    whose face was lost and that is not decided within this long of when the gesture was MADE
    is dropped: a step released so long after it was made would answer a screen the patient
    no longer sees. Counted from ``made``, not from the loss: counted from the loss, a wait
    already seconds old when the face was lost went out up to 9.86 s after it was made, and
    moved the highlight just as the face was back, when the patient is most likely to nod at
    what they see (review rev47a, late.py, bedlate.py). The bedside has its own bound since
    session 48 (``bedside.late_step_max_s``, 5 s: a step reported later moves nothing); this
    one keeps the engine from holding a face-lost wait open for ever."""


def lost_too_long(made: float, t: float, params: CrossingParams) -> bool:
    """Whether an event made at ``made`` whose face was lost is too old at ``t`` to be
    released (``CrossingParams.lost_out_s``, counted from ``made``)."""
    return t - made > params.lost_out_s


class Back(Enum):
    """Where the head is once a face lost while an event waited is back
    (:meth:`CrossingWait.after_loss`)."""

    UNREAD = "not read long enough yet"
    """Not read ``settled_span_s`` frame after frame since the face came back."""
    MOVING = "moving"
    """Moving ``heading_deg_s`` or faster over ``settled_span_s``."""
    AT_REST = "at rest"
    """Inside its release bar."""
    OUT = "out its own way"
    """Past its release bar its own way."""
    AS_BEFORE = "past rest the other way, where it was"
    """Past its release bar the other way, within that bar of where it was when lost."""
    ELSEWHERE = "elsewhere"


@dataclass(slots=True)
class _Waiting:
    event: GestureEvent
    channel: str
    """The head axis (``pitch``, ``yaw``, ``roll``)."""
    release: float
    stay_s: float
    judged: float
    """When it was judged: the stay past the bar counts from here (a relaxed return's
    overshoot is mostly behind it by then; the gesture undoing a shift is held on)."""
    past_from: float | None
    """When the head last went past the release bar the other way (None: not past it now)."""
    max_out_s: float
    """Its own way's ``max_hold_s``: how long the head may be back out its own way before
    it is staying out (see ``CrossingParams.out_margin_s``)."""
    stayed: bool = False
    """The head stayed past the bar ``stay_s``: the event waits for the head's next move."""
    out_from: float | None = None
    """Since when the head has been back out its own way past the release bar, after it
    stayed (None: not out now)."""
    seen_x: float = 0.0
    """The head's last reading: where it was when the face was lost."""
    lost_since: float | None = None
    """When its face was lost for over ``bridge_s`` (None: not lost, or decided since the
    face came back; see :meth:`CrossingWait.after_loss`)."""
    was_lost: bool = False
    """Whether its face was ever lost for over ``bridge_s``: then it is never released more
    than ``lost_out_s`` after it was made, whatever releases it."""


@dataclass
class CrossingWait:
    """Held head events waiting for the head's next move; see the module docstring.

    The engine feeds every held head detector's reading on every frame (:meth:`note`, as that
    detector reads it: signed, and a look's scaled), hands over the events judged on a frame
    (:meth:`hold`), and takes back the events released on it (:meth:`update`)."""

    params: CrossingParams = field(default_factory=CrossingParams)
    _recent: dict[str, deque[tuple[float, float]]] = field(default_factory=dict)
    _now: dict[str, float | None] = field(default_factory=dict)
    _gone_since: dict[str, float] = field(default_factory=dict)
    _read_since: dict[str, float] = field(default_factory=dict)
    """gesture -> since when its reading has been usable, frame after frame."""
    _lost_at: dict[str, float] = field(default_factory=dict)
    """gesture -> its last usable reading before the latest unreadable frame."""
    _other_side: dict[str, deque[float]] = field(default_factory=dict)
    """gesture -> the frames of the last few seconds its reading stood past the release bar
    the other way."""
    _past_from: dict[str, float] = field(default_factory=dict)
    """gesture -> since when its reading has stood past the release bar the other way, frame
    after frame (absent: inside the bar now)."""
    _waiting: list[_Waiting] = field(default_factory=list)
    _judged: set[str] = field(default_factory=set)
    """The held head gestures judged on this frame (:meth:`hold`), held back or not: one
    judged again releases its waiting event first."""
    _undone: dict[str, tuple[float, str]] = field(default_factory=dict)
    """axis -> when a waiting event of it was dropped as out, through, back, and its gesture:
    the other way's gesture judged next is the movement that undid it, whose return went back
    out to the shifted pose, and it does not wait."""

    @property
    def waiting(self) -> list[GestureEvent]:
        return [w.event for w in self._waiting]

    def note(self, gesture: str, t: float, x: float | None, release: float) -> None:
        """One frame's reading for a held head gesture's detector (None: unusable) and its
        release bar."""
        self._now[gesture] = x
        recent = self._recent.setdefault(gesture, deque())
        if x is None:
            if recent:
                self._lost_at[gesture] = recent[-1][1]
            self._gone_since.setdefault(gesture, t)
            self._read_since.pop(gesture, None)
            self._past_from.pop(gesture, None)
            recent.clear()
            return
        self._gone_since.pop(gesture, None)
        self._read_since.setdefault(gesture, t)
        far = self._other_side.setdefault(gesture, deque())
        if x <= -release:
            far.append(t)
            self._past_from.setdefault(gesture, t)
        else:
            self._past_from.pop(gesture, None)
        while far and far[0] < t - _OTHER_SIDE_KEPT_S:
            far.popleft()
        recent.append((t, x))
        span = max(self.params.heading_span_s, self.params.settled_span_s)
        while recent and recent[0][0] < t - span - 1e-9:
            recent.popleft()

    def _heading(self, gesture: str, sign: int, span: float | None = None) -> float:
        """How fast the reading moves the ``sign`` way now (degrees a second, over ``span``,
        ``heading_span_s`` unless given; -1: back through rest, the other way)."""
        recent = self._recent.get(gesture)
        if not recent or len(recent) < 2:
            return 0.0
        span = self.params.heading_span_s if span is None else span
        t1, v1 = recent[-1]
        t0, v0 = next((u, v) for u, v in recent if u >= t1 - span - 1e-9)
        if t1 - t0 <= 0:
            return 0.0
        return sign * (v1 - v0) / (t1 - t0)

    def hold(
        self,
        t: float,
        event: GestureEvent,
        channel: str,
        release: float,
        start: float,
        stay_s: float,
        max_out_s: float,
    ) -> bool:
        """Whether ``event``, judged on this frame, is held back. ``channel`` is its head axis,
        ``release`` its release bar, ``start`` when its excursion began, ``stay_s`` how long
        the head must stay past the bar the other way for the event to wait for the head's
        next move: the other way's shortest hold (``min_hold_s``), which the gesture undoing a
        shift has; ``max_out_s`` its own way's ``max_hold_s``. A weak patient's return
        overshooting rest by 4 to 5 degrees is past the bar 0.3 s or less. The other way's
        event judged while one of this axis is back out its way is the movement that went
        back out to the shifted pose, and does not wait."""
        self._judged.add(event.gesture)
        x = self._now.get(event.gesture)
        if x is None:
            return False
        lead = self.params.from_other_side_s
        if any(start - lead <= ts <= start for ts in self._other_side.get(event.gesture, ())):
            return False
        undone = self._undone.pop(channel, None)
        if undone is not None and undone[1] != event.gesture and t - undone[0] <= 1.0:
            return False
        if any(
            w.channel == channel and w.event.gesture != event.gesture and w.out_from is not None
            for w in self._waiting
        ):
            return False
        past = x <= -release
        if not past and not (
            x < 0.0 and self._heading(event.gesture, -1) >= self.params.heading_deg_s
        ):
            return False
        logger.debug(
            "%s at t=%.2f held back: its return %s past rest the other way",
            event.gesture,
            t,
            "is" if past else "is still swinging on",
        )
        self._waiting.append(
            _Waiting(
                event,
                channel,
                release,
                stay_s,
                t,
                self._past_from.get(event.gesture),
                max_out_s,
                seen_x=x,
            )
        )
        return True

    def update(
        self, t: float, reported: frozenset[tuple[str, str]] = frozenset()
    ) -> list[GestureEvent]:
        """This frame's releases (reported late, with ``made``). ``reported``: the held head
        events judged on this frame and not held back, as (gesture, axis). The other way's
        gesture reported while the head is within half the release bar releases a waiting
        event on that frame, before it: that gesture's return has stayed in its resting band
        ``settle_s`` already (a head on its way back out to a shifted pose would have crossed
        this event's bar and dropped it by then), and a look's two ways read the head through
        different bars, so the head may not yet be slow inside this one's."""
        p = self.params
        out: list[GestureEvent] = []
        still: list[_Waiting] = []
        undone: set[str] = set()
        for w in self._waiting:
            made = w.event.made_at
            gesture = w.event.gesture
            x = self._now.get(gesture)
            if x is None:
                gone_since = self._gone_since.get(gesture, t)
                if w.lost_since is None and t - gone_since > p.bridge_s:
                    w.lost_since = gone_since
                    w.was_lost = True
                if w.was_lost and lost_too_long(made, t, p):
                    log_dropped_late(gesture, made, t, CROSSED, "its face was lost too long")
                else:
                    still.append(w)
                continue
            if w.was_lost and lost_too_long(made, t, p):
                # checked before any release: back at rest, or released later by the shift
                # rule once the face was back out its own way, it went out 6.06 s late
                log_dropped_late(gesture, made, t, CROSSED, "its face was lost too long")
                continue
            w.past_from = self._past_from.get(gesture)
            if w.lost_since is not None:
                back = self.after_loss(gesture, t, w.seen_x, w.release)
                if back in (Back.UNREAD, Back.MOVING):
                    still.append(w)
                    continue
                if back is Back.AT_REST:
                    out.append(self._release(w, t, "its face came back at rest"))
                    continue
                if back is Back.ELSEWHERE:
                    log_dropped_late(gesture, made, t, CROSSED, "its face came back elsewhere")
                    continue
                # Out its own way, the posture-shift rule decides what the head does next;
                # back where it was, the wait goes on as before the loss.
                w.stayed = w.stayed or back is Back.OUT
                w.lost_since = None
            w.seen_x = x
            if not w.stayed:
                if w.past_from is None:
                    heading = x < 0.0 and self._heading(gesture, -1) >= p.heading_deg_s
                    if not heading or t - made > p.watch_s:
                        out.append(self._release(w, t, "the head did not stay past the bar"))
                        continue
                elif t - max(w.past_from, w.judged) >= w.stay_s - 1e-9:
                    w.stayed = True
                    logger.debug("%s made at t=%.2f waits: the head stays past rest", gesture, made)
            if w.stayed:
                if x >= w.release:
                    # Back out its own way: a posture shift if the head stays out; the same
                    # gesture again if it comes back within that way's hold (judged here).
                    if w.out_from is None:
                        w.out_from = t
                    if gesture in self._judged and w.judged < t:
                        out.append(self._release(w, t, "the same gesture was made again"))
                        continue
                    if t - w.out_from > w.max_out_s + p.out_margin_s:
                        log_dropped_late(gesture, made, t, CROSSED, "the head stayed back out")
                        self._undone[w.channel] = (t, gesture)
                        undone.add(w.channel)
                        continue
                    still.append(w)
                    continue
                w.out_from = None
                if gesture in self._judged and w.judged < t:
                    out.append(self._release(w, t, "the same gesture was made again"))
                    continue
                outward = self._heading(gesture, +1, p.settled_span_s)
                if x > -w.release and outward < p.heading_deg_s and self._read_for(gesture, t):
                    out.append(self._release(w, t, "the head came back to rest"))
                    continue
                opposite = any(a == w.channel and g != gesture for g, a in reported)
                if opposite and x < 0.5 * w.release:
                    out.append(self._release(w, t, "the other way's gesture was reported"))
                    continue
                if w.past_from is not None and t - max(w.past_from, w.judged) >= (
                    p.stay_release_s - 1e-9
                ):
                    out.append(self._release(w, t, "the head settled past rest the other way"))
                    continue
            if t - made >= p.max_wait_s:
                out.append(self._release(w, t, f"waited {p.max_wait_s:.1f} s"))
                continue
            still.append(w)
        # The other way's gesture already waiting when one was undone is the movement that
        # undid it: its return went on out to the shifted pose.
        self._waiting = []
        for w in still:
            if w.channel in undone:
                out.append(self._release(w, t, "it undid a posture shift"))
            else:
                self._waiting.append(w)
        self._judged.clear()
        return out

    def last_read(self, gesture: str) -> float | None:
        """``gesture``'s reading on the last frame its head could be read (None: never)."""
        recent = self._recent.get(gesture)
        if recent:
            return recent[-1][1]
        return self._lost_at.get(gesture)

    def after_loss(self, gesture: str, t: float, seen: float, release: float) -> Back:
        """Where ``gesture``'s head is on this frame, its face lost over ``bridge_s`` and now
        back; ``seen`` was its reading when the face was lost, ``release`` its release bar.

        Why one rule for every event a lost face left undecided (a wait here, a look or turn
        deferred on a nod or shake: ``GestureEngine._after_cut``): what the head did unseen is
        unknown, so the event is decided on where it is once back. A wait released because
        its face was lost sent a posture shift undone unseen out as a step the wrong way
        (review rev46a, shiftgap.py 37 of 48; rev46a2, midret2.py, a slow undo, 12 of 36), and
        kept by five interacting special cases (fix46a) it lost real turns or still went the
        wrong way in the gaps between them (review rev46a2). Back at rest (inside the bar),
        the gesture was followed by rest: a hand over a patient's face must not lose a step.
        Back out its own way: what the head does next tells a posture shift from a gesture.
        Back past the bar the other way where it was lost: as before the loss (a weak neck
        settled off-centre). Anywhere else: another face (a nurse leaning in) or the patient
        in another posture, which says nothing of the gesture. Read only once the head has
        been read ``settled_span_s`` frame after frame, and still over it: back during a
        movement, the first frames show neither where it goes nor how fast (rev46a2,
        midret.py: the face back during the return of the gesture undoing a shift went out
        as a step the wrong way, 15 of 30)."""
        x = self._now.get(gesture)
        if x is None or not self._read_for(gesture, t):
            return Back.UNREAD
        if abs(self._heading(gesture, +1, self.params.settled_span_s)) >= (
            self.params.heading_deg_s
        ):
            return Back.MOVING
        if abs(x) < release:
            return Back.AT_REST
        if x >= release:
            return Back.OUT
        if abs(x - seen) < release:
            return Back.AS_BEFORE
        return Back.ELSEWHERE

    def _read_for(self, gesture: str, t: float) -> bool:
        """Whether ``gesture``'s head has been read ``settled_span_s``, frame after frame: just
        after unreadable frames there is no movement to read, and a head on its way back out
        to a shifted pose read as still and back at rest (review rev46a2, midret.py)."""
        since = self._read_since.get(gesture)
        return since is not None and t - since >= self.params.settled_span_s - 1e-9

    def drop_all(self, t: float, why: str) -> None:
        """Forget every waiting event (the neutral pose was replaced: read against the old)."""
        for w in self._waiting:
            log_dropped_late(w.event.gesture, w.event.made_at, t, CROSSED, why)
        self._waiting = []
        self._undone.clear()

    @staticmethod
    def _release(w: _Waiting, t: float, why: str) -> GestureEvent:
        made = w.event.made_at
        logger.info("%s made at t=%.2f released at t=%.2f: %s", w.event.gesture, made, t, why)
        return replace(w.event, made=made)
