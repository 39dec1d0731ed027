"""All gesture detectors of one patient behind one call: observations in, events out.

The engine is plain Python on :class:`~beckon.vision.face.FaceObservation` s (or anything with
the same fields), so the benchmark and the tests can run it on cached or synthetic
observations without MediaPipe. It owns:

* the per-patient thresholds (a :class:`~beckon.profile.GestureProfile`);
* the resting scores of the expression channels (from calibration, or learned from the first
  steady second once the neutral pose is known);
* gating: no event while the face is missing, the view is poor, or the head is turned far
  away; expressions only with the head near neutral (looking down lowers the eyelids, a yawn
  tips the head back);
* arbitration: one event at a time (``event_gap_s``), so one movement never becomes two
  requests;
* the optional hand gate (:mod:`beckon.vision.handgate`): given a hand provider (the hand
  landmarker on a few kept frames, live; a precomputed channel in the benchmark), an event
  whose window had a hand over the face (or, for a look down, hands moving in view) is
  dropped before it is reported;
* the optional sequence model (:mod:`beckon.vision.sequence`), which scores each rule-based
  event (or, in veto mode, must agree before it is let through).
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any, Protocol

import numpy as np

from beckon.profile import FACE_HELD, HEAD_HELD, GestureProfile
from beckon.vision.channels import CHANNEL_NAMES, channels
from beckon.vision.crossing import Back, CrossingWait, lost_too_long
from beckon.vision.engine_params import EngineParams
from beckon.vision.gestures import (
    DEFERRED,
    NOD_PARAMS,
    SHAKE_PARAMS,
    GestureEvent,
    NodDetector,
    OscillationDetector,
    PoseSample,
    ShakeDetector,
    log_dropped_late,
)
from beckon.vision.handgate import HandProvider, gate_drops
from beckon.vision.held import HoldDetector, HoldParams
from beckon.vision.occlusion import OcclusionGate
from beckon.vision.pose import Matrix, angles_from_rotation, relative_angles, rotation_from_angles
from beckon.vision.talking import jaw_flickers
from beckon.vision.viewquality import QualityParams, frontal_share

logger = logging.getLogger(__name__)

_SAME_TIME_S = 1e-6
"""Slack when comparing frame times: 3 frames at 10 fps are 0.3 s apart, which floating point
may put a hair over a 0.3 s bridge."""

_LOOKS = frozenset({"look_up", "look_down"})
"""The held gestures a weak reading may still make when held long (``look_weak_share``)."""

TALKING_EXPRESSIONS = frozenset({"brow_raise", "long_blink"})
"""Expressions that talking makes too: dropped when the jaw moved around them."""


class Verifier(Protocol):
    """Something that can veto or score a rule-based event (the sequence model)."""

    def set_profile(self, profile: GestureProfile) -> None: ...

    def push(self, obs: Any, rest: Mapping[str, float]) -> None: ...

    def agrees(self, gesture: str) -> bool: ...

    def rate(self, gesture: str, confidence: float) -> float: ...


@dataclass(slots=True)
class _Cut:
    """Frames with no face that cleared the nod or shake detector a look or turn waited on
    (:meth:`GestureEngine._after_cut`)."""

    lost: float
    """When the face was lost."""
    seen: float
    """The look's or turn's held reading (signed) on the last frame before it could not be
    read: where the head was."""
    back: float | None = None
    """When the face was found again (None: not yet)."""
    other_way: bool = False
    """Whether the head has been read past the release bar the other way since the face was
    back: a swing of the nod or shake, which a second look or turn the same way is not."""
    moved: bool = False
    """Whether the head has been read moving since the face was back."""


@dataclass(slots=True)
class _EventTimes:
    """The times of one held or replayed event that its report time does not tell."""

    start: float
    """When its excursion began (see ``HoldParams.settle_gap_s``)."""
    settled: float | None = None
    """When it had settled (came back, plus ``settle_s``), as frames all usable would have
    shown it; None for an event found by the replay. When it was made is the event's own
    (``GestureEvent.made_at``), not kept here a second time."""


class GestureEngine:
    """Runs every enabled detector of one profile; see the module docstring."""

    def __init__(
        self,
        profile: GestureProfile | None = None,
        params: EngineParams | None = None,
        verifier: Verifier | None = None,
        hands: HandProvider | None = None,
        view: QualityParams | None = None,
    ) -> None:
        self.profile = profile or GestureProfile()
        self.params = params or EngineParams()
        self.view = view or QualityParams()
        """The tracker's quality ramps (``FaceTracker.quality_params``): the held view floor
        takes the frontality factor back out of the quality with the same ramp that put it in."""
        self.verifier = verifier
        self.hands = hands
        """Answers "was a hand over the face?" for the hand gate (None: the gate is off)."""
        if verifier is not None:
            verifier.set_profile(self.profile)  # the model's features are in this patient's units
        enabled = set(self.profile.enabled())
        self.oscillators: list[OscillationDetector] = []
        if "nod" in enabled:
            s = self.profile.setting("nod")
            self.oscillators.append(NodDetector(_replace_amp(NOD_PARAMS, s.threshold)))
        if "shake" in enabled:
            s = self.profile.setting("shake")
            self.oscillators.append(ShakeDetector(_replace_amp(SHAKE_PARAMS, s.threshold)))
        self.head: list[tuple[HoldDetector, str]] = []
        for g, (channel, sign) in HEAD_HELD.items():
            if g in enabled:
                s = self.profile.setting(g)
                hp = HoldParams(
                    enter=s.threshold,
                    min_hold_s=s.min_hold_s,
                    max_hold_s=s.max_hold_s,
                    # A held pose is flat near its peak; the bottom of a slow nod's swing is
                    # round (above 90 % of its peak for only a fifth of a cycle).
                    plateau_share=0.9,
                    # ... read on the median of three samples: one jittery sample of a small
                    # face at 10 fps neither sets the floor nor breaks the plateau.
                    median_of_three=True,
                    others_max=max(1.5, 0.5 * s.threshold),
                    others_on_return=True,
                    sway_cap=3.0,
                    pause_short_of_rest=True,
                    settle_between_frames=True,
                    rested_s=self.params.held_rested_s,
                    bridge_s=self.params.held_bridge_s,
                    settle_gap_s=self.params.held_settle_gap_s,
                    weak_share=self.params.look_weak_share if g in _LOOKS else 1.0,
                    weak_hold_s=self.params.look_weak_hold_s,
                )
                self.head.append((HoldDetector(g, sign, hp), channel))
        self.face: list[tuple[HoldDetector, str]] = []
        for g, channel in FACE_HELD.items():
            if g in enabled:
                s = self.profile.setting(g)
                hp = HoldParams(
                    enter=s.threshold,
                    min_hold_s=s.min_hold_s,
                    max_hold_s=s.max_hold_s,
                    release_ratio=0.5,
                    plateau_share=0.6,
                    settle_s=0.2,
                    # How far the head may move during the expression: MediaPipe reads brows
                    # and eyelids differently when the head moves (a fidget of 3 to 5 degrees
                    # "raises the brows" by 0.15), while an open mouth itself tips the head's
                    # pitch by up to 4 degrees.
                    others_max=self.params.expression_head_range_deg.get(g, math.inf),
                    others_ratio=0.0,
                    max_spread_ratio=0.6,
                    reopen_share=self.params.mouth_reopen_share if g == "mouth_open" else 0.0,
                    # The brow raise sees the pitch twice, as read and without the raise's
                    # echo (see brow_pitch_echo_deg); the smaller range counts.
                    others_either=((0, 3),) if g == "brow_raise" else (),
                    settle_gap_s=self.params.held_settle_gap_s,
                )
                self.face.append((HoldDetector(g, +1, hp), channel))
        cal = self.profile.calibration
        self.rest: dict[str, float] | None = (
            dict(cal.rest) if all(c in cal.rest for c in CHANNEL_NAMES) else None
        )
        self._rest_samples: list[tuple[float, dict[str, float]]] = []
        self._adapt = self.rest is None  # calibrated thresholds are measured: keep them
        self._resting: deque[tuple[float, dict[str, float]]] = deque()
        self._adapted_t = -math.inf
        self._blink_early_t = -math.inf
        self._expr_thr = {g: self.profile.setting(g).threshold for g in FACE_HELD}
        self._measured: set[str] = set()  # expressions whose bar the resting spread set
        self._rest_learned_t: float | None = None
        self._rest_recent: deque[tuple[float, dict[str, float]]] = deque()
        self._neutral_version = 0
        self._jaw: deque[tuple[float, float]] = deque()
        self._jaw_raw: deque[tuple[float, float]] = deque()
        self._expr: deque[tuple[float, float]] = deque()
        self._axes: deque[tuple[float, dict[str, float]]] = deque()
        self._axis_thr = {
            axis: min(
                (self.profile.setting(g).threshold for g, (a, _) in HEAD_HELD.items() if a == axis)
            )
            for axis in ("pitch", "yaw", "roll")
        }
        self._blink_limit = max(0.03, 0.4 * self.profile.setting("long_blink").threshold)
        self._open_pitch: float | None = None
        self._closing_t: float | None = None  # when the blink score rose over _blink_limit
        self._jaw_limit = p_jaw = self.profile.setting("mouth_open").threshold
        self._jaw_limit = self.params.oscillation_jaw_share * p_jaw
        if any(cal.noise):
            self.set_noise(*cal.noise)
        self._last_event_t = -math.inf  # the latest event reported
        # (t, gesture, made) reported lately: made is when it was made (GestureEvent.made_at)
        self._reported: deque[tuple[float, str, float]] = deque()
        # (gesture, t) of each held or replayed event -> its own times (see _EventTimes)
        self._times: dict[tuple[str, float], _EventTimes] = {}
        self._settle_gap = {h.gesture: h.params.settle_gap_s for h, _ in self.head + self.face}
        # (gesture, t) pairs known to be two movements: a held-back nod or shake and the
        # gesture of the other axis that released it (see _one_movement)
        self._apart: set[frozenset[tuple[str, float]]] = set()
        # (gesture, t) of each released event -> (gesture, t) of the event that released it:
        # reported only with it (see _arbitrate)
        self._released: dict[tuple[str, float], tuple[str, float]] = {}
        self._good_head_t = -math.inf  # last frame usable for the held head gestures
        self._look_share = 1.0  # see EngineParams.look_turned_share
        self._oscillation_t: dict[str, float] = {}  # axis -> when its nod/shake was reported
        # axis -> when its nod/shake last held back was made (see _defer_to_oscillations)
        self._held_back_t: dict[str, float] = {}
        # axis -> when its nod/shake last completed, whatever became of it: reported, held
        # back, or dropped for the jaw or talking (see _defer_to_oscillations)
        self._completed_t: dict[str, float] = {}
        # axis -> the start (``movement_start_t``) of the movement a held look or turn of that
        # axis went out on without waiting, judged one held gesture repeated the same way, and
        # its last turning point then (at rest): a nod or shake completing from it is dropped
        # unless it swung on as one of its own after that (see _one_way_verdict_kept)
        self._one_way_start: dict[str, tuple[float, float]] = {}
        # axis -> the nod/shake last dropped for the jaw or talking: when, its turns (time,
        # angle), and when the jaw first opened past its bar in the look-back window (see
        # _swung_before_jaw)
        self._jaw_dropped: dict[str, tuple[float, tuple[tuple[float, float], ...], float]] = {}
        self._pending: list[GestureEvent] = []
        self._cut: dict[tuple[str, float], _Cut] = {}
        """(gesture, made_at) of a deferred look or turn -> the loss that cleared the nod or
        shake detector it waits on (see :meth:`_after_cut`)."""
        # the first frame with no face of a loss under way, and when the face last came back
        # from a loss over the crossing's ``bridge_s`` (see GestureEvent.face_back)
        self._face_lost_at: float | None = None
        self._face_back_at: float | None = None
        # held head events held back while their return is past rest the other way (maybe a
        # posture shift undone by the next gesture; see beckon.vision.crossing)
        self.crossing = CrossingWait(self.params.crossing)
        # (gesture, made) of each event held back there -> whether its axis had a nod or
        # shake under way when it was judged (see _wait_for_crossing)
        self._crossed_busy: dict[tuple[str, float], bool] = {}
        self._history: deque[Any] = deque()
        self._reference_obs: Any = None  # the last frame whose neutral can be recovered
        # detector -> (its movement's start, the reference that movement began in): see
        # _check_reference
        self._movement_ref: dict[str, tuple[float, Matrix]] = {}
        self._blink_start: float | None = None
        self._blink_peak = 0.0
        self._blink_peaks: deque[float] = deque(maxlen=9)
        self._blink_bar: float | None = None
        self.occlusion = OcclusionGate(self.params.occlusion)

    # ------------------------------------------------------------------ state

    def set_noise(self, pitch: float, yaw: float, roll: float = 0.0) -> None:
        """Resting jitter of the head angles (degrees), from a calibration (see
        ``GestureParams.quiet_noise_deg``: the neutral pose's own is not applied)."""
        for det in self.oscillators:
            det.set_noise(pitch, yaw)

    def fresh(self) -> GestureEngine:
        """A new engine with this one's profile, parameters, sequence model and hand gate.

        Used when the neutral pose is relearned after a long absence (maybe a new patient):
        nothing learned from or reported for the last face may carry over, not only the
        gestures in progress but the adapted thresholds, resting scores, blink peaks and the
        events that keep the next one apart (``event_gap_s``). A new object rather than a
        ``reset()`` so that no piece of state can be forgotten there."""
        return GestureEngine(
            self.profile, self.params, self.verifier, hands=self.hands, view=self.view
        )

    # ------------------------------------------------------------------ input

    def update(self, obs: Any) -> list[GestureEvent]:
        """Feed one observation; returns the gestures that completed on it (usually none)."""
        p = self.params
        t = float(obs.t)
        read = _angles_of(obs)
        usable = read is not None and obs.quality >= p.min_quality
        angles: dict[str, float] = {}
        head_ok = True
        cuts = False  # an unusable frame that still read the head (see ``PoseSample.cuts``)
        # Before the neutral pose is known, the angles are against a provisional reference:
        # nods and shakes (reversal patterns) only, with a wider looking-away limit.
        provisional = bool(getattr(obs, "provisional", False))
        if usable and read is not None:
            angles = read
            limit = p.max_abs_deg * (2.0 if provisional else 1.0)
            usable = max(abs(v) for v in angles.values()) <= limit
            # A hand over the face moves MediaPipe's pose while the head stays still: such
            # frames are not usable for head gestures (none starts; one in progress goes on
            # across up to ``held_bridge_s`` of them, as across a missed face, and is dropped
            # after that). Expressions are not gated: a brow raise bends the forehead's outline.
            pose = (angles["pitch"], angles["yaw"], angles["roll"])
            head_ok = self.occlusion.update(t, getattr(obs, "deformation", None), pose)
            # Past the looking-away limit or under the occlusion gate: no gap a nod or shake
            # under way bridges (``GestureParams.bridge_s``; the gate holds back by cutting).
            cuts = not (usable and head_ok)
        osc_sample = PoseSample(
            t,
            usable and head_ok,
            angles.get("pitch"),
            angles.get("yaw"),
            obs.quality,
            provisional,
            cuts,
        )
        if provisional:
            usable = False
            angles = {}
        held_angles = self._held_angles(obs, usable and head_ok, angles, provisional)
        chans = channels(obs.blendshapes, _abs_yaw(obs)) if usable else {}
        rest_before = self.rest
        if usable:
            self._learn_rest(t, chans, angles)
            self._adapt_thresholds(t, chans, angles)
            self._watch_blinks(t, chans, angles)
        if self.verifier is not None and self.rest is not None:
            self.verifier.push(obs, self.rest)

        if usable and self.rest is not None:
            self._jaw.append((t, chans["jaw"] - self.rest["jaw"]))
        elif obs.found and obs.blendshapes:
            # No resting face yet (the first seconds): the jaw's own range over the look-back
            # window stands in for its rise above rest, so a cough is still a cough.
            raw = channels(obs.blendshapes)["jaw"]
            low = min((v for _, v in self._jaw_raw), default=raw)
            self._jaw.append((t, raw - min(low, raw)))
        if obs.found and obs.blendshapes:
            self._jaw_raw.append((t, channels(obs.blendshapes)["jaw"]))
        while self._jaw and self._jaw[0][0] < t - p.oscillation_look_back_s:
            self._jaw.popleft()
        while self._jaw_raw and self._jaw_raw[0][0] < t - p.oscillation_look_back_s:
            self._jaw_raw.popleft()

        self._check_reference(t, obs)
        if usable:
            # After the reference check: a neutral replaced on this frame carries the pitch a
            # blink holds into the new reference before this frame reads it.
            angles["pitch"] = self._deblink(t, channels(obs.blendshapes), angles["pitch"])
        neutral = None if provisional else _neutral_of(obs)
        if neutral is not None:
            self._look_share = look_bar_share(angles_from_rotation(neutral).yaw, p)
        version = _neutral_version_of(obs, self._neutral_version)
        replay_head = False
        if version != self._neutral_version:
            # The neutral was replaced: an excursion in progress was measured against the old
            # one (the way back to rest from a "gesture" that was really the rest).
            for hold, _ in self.head:
                hold.reset()
            for e in self._pending:
                if e.gesture in HEAD_HELD:
                    log_dropped_late(
                        e.gesture,
                        e.made_at,
                        t,
                        DEFERRED,
                        "the neutral pose was replaced (read against the old one)",
                    )
            self._pending = [e for e in self._pending if e.gesture not in HEAD_HELD]
            self.crossing.drop_all(t, "the neutral pose was replaced (read against the old one)")
            self._neutral_version = version
            replay_head = usable
        replay_face = usable and self._rest_replaced(rest_before)
        candidates: list[GestureEvent] = []
        if replay_head or replay_face:
            candidates += self._replay(t, obs, replay_head, replay_face)
        self._history.append(obs)
        while self._history and self._history[0].t < t - p.replay_s:
            self._history.popleft()

        sample = (
            osc_sample
            if provisional
            else PoseSample(
                t,
                usable and head_ok,
                angles.get("pitch"),
                angles.get("yaw"),
                obs.quality,
                cuts=cuts,
            )
        )
        for det in self.oscillators:
            # All of them before any is updated: one released on this frame is not too old.
            stale = det.held_back
            if stale is not None and t - stale.event.t > p.held_back_max_s:
                det.drop_held_back(
                    t, f"no gesture of the other axis followed within {p.held_back_max_s:.1f} s"
                )
        for det in self.oscillators:
            det.other_held_back = next(
                (o.held_back for o in self.oscillators if o is not det and o.held_back), None
            )
            start = det.movement_start_t
            event = det.update(sample)
            if event is not None or (det.held_back is not None and det.held_back.event.t == t):
                if self._one_way_verdict_kept(t, det, start, event):
                    continue
                self._completed_t[det.axis] = t
            if event is None:
                held = det.held_back
                if held is not None and held.event.t == t:
                    if self._oscillation_dropped(t, det):
                        det.held_back = None  # judged as it completed, like any other
                    else:
                        self._held_back_t[det.axis] = t
                continue
            if self._oscillation_dropped(t, det):
                continue
            candidates.append(event)
            releaser = (event.gesture, event.t)
            for waiting in self.oscillators:
                held = waiting.held_back
                if held is None or waiting is det:
                    continue
                if held.released_by(det.last_seen_moving_t):
                    # A nod made straight into a shake (or a shake into a nod): see
                    # OscillationDetector.release_held_back.
                    made = waiting.release_held_back()
                    assert made is not None
                    logger.info(
                        "%s at t=%.2f released at t=%.2f: the %s seen moving from t=%.2f moved "
                        "the other axis",
                        made.gesture,
                        made.t,
                        t,
                        event.gesture,
                        det.last_seen_moving_t,
                    )
                    # Reported now, like a late event of the replay: its own time is kept
                    # for the hand gate and the order of the two.
                    released = replace(made, t=t, made=made.t)
                    key = (released.gesture, t)
                    self._times[key] = _EventTimes(made.t)
                    self._released[key] = releaser
                    self._apart.add(frozenset({key, releaser}))
                    candidates.append(released)
        self._note_cuts(t, bool(obs.found))
        judged = self._feed_head(
            t, held_angles is not None, held_angles or angles, away=self._head_away(read)
        )
        candidates += judged
        candidates += self._feed_face(t, usable, angles, chans)
        for hold, channel in self.head:
            if not any(e.gesture == hold.gesture for e in candidates):
                continue
            # A nod held back is a nod made, reported or not: what began with it is its swing.
            osc_t = max(
                self._oscillation_t.get(channel, -math.inf),
                self._held_back_t.get(channel, -math.inf),
            )
            if hold.last_start < osc_t + p.after_oscillation_s:
                logger.info(
                    "%s at t=%.2f dropped: it began %.1f s after a %s made (its next swing)",
                    hold.gesture,
                    t,
                    hold.last_start - osc_t,
                    "nod" if channel == "pitch" else "shake",
                )
                candidates = [e for e in candidates if e.gesture != hold.gesture]
                continue
            # The gesture's own axis must lead clearly: a small look up while the head is
            # tilted far, or a turn made as far down as aside (against each axis's own
            # threshold), is part of a bigger movement, not a gesture (``held_lead_share``).
            # Only while the head was out: a turn begun after a look came back is a movement
            # of its own (one event, see _one_movement), not part of the look.
            since = hold.last_start - 0.2
            other = max(
                (
                    v
                    for ts, r in self._axes
                    if since <= ts <= hold.last_end
                    for k, v in r.items()
                    if k != channel
                ),
                default=0.0,
            )
            if other > p.held_lead_share * hold.last_ratio:
                logger.info(
                    "%s at t=%.2f dropped: another axis moved as far (%.1f x threshold vs %.1f)",
                    hold.gesture,
                    t,
                    other,
                    hold.last_ratio,
                )
                candidates = [e for e in candidates if e.gesture != hold.gesture]
                continue
            # Raising the brows or opening the mouth moves MediaPipe's head pose a little: when
            # an expression rose further (against its own threshold) than the head turned
            # (against its own), the head "gesture" is the expression's echo. Only while the
            # head was out: what rose after it came back (a normal blink while the event
            # settles) cannot have moved it.
            since = hold.last_start - 0.2
            expr = max((r for ts, r in self._expr if since <= ts <= hold.last_end), default=0.0)
            if expr > hold.last_ratio:
                logger.info(
                    "%s at t=%.2f dropped: an expression rose more (%.1f x threshold vs %.1f)",
                    hold.gesture,
                    t,
                    expr,
                    hold.last_ratio,
                )
                candidates = [e for e in candidates if e.gesture != hold.gesture]
        for e in candidates:
            # A look or turn that passed its checks ends its axis's background window, whether
            # it goes out now or waits on a nod or shake (a look up, then a nod: lost to the
            # look's own swing, see OscillationDetector.held_gesture_made).
            if e.gesture in HEAD_HELD:
                for det in self.oscillators:
                    if det.axis == HEAD_HELD[e.gesture][0]:
                        det.held_gesture_made(e.made_at)
        candidates, free = self._wait_for_crossing(t, candidates, judged)
        candidates = self._defer_to_oscillations(t, candidates) + free
        if obs.quality < 1.0:
            # A small or turned face: the event stands, with less confidence.
            scale = 0.6 + 0.4 * max(0.0, float(obs.quality))
            candidates = [replace(e, confidence=round(e.confidence * scale, 4)) for e in candidates]
        # One frame's events in the order they were made: a held event released late (see
        # beckon.vision.crossing) before the opposite one it swung into, so that the bedside
        # applies "previous, next" in the patient's order.
        out = sorted(self._arbitrate(candidates), key=lambda e: e.made_at)
        back = self._face_back_at
        out = [
            replace(e, face_back=back) if back is not None and e.made_at < back else e for e in out
        ]
        for det in self.oscillators:
            done = [e.made_at for e in out if e.gesture == det.gesture]
            if done:
                self._oscillation_t[det.axis] = max(done)
        return out

    def _check_reference(self, t: float, obs: Any) -> None:
        """Restart the nod and shake detectors when the angles' reference jumped.

        Until the neutral is known the angles are against the first frame of the stretch, then
        against the first neutral, which may be replaced (it was a held gesture): each change
        moves every later angle at once. A head that turned and came back while the reference
        moved twice then shows two "reversals" it never made (a shake, which also swallows the
        turn). A jump of ``reference_jump_deg`` or more is therefore not movement but a new
        start, for both; so is, for one detector, a jump along its own axis as large as its
        full swing bar (``OscillationDetector.full_swing_threshold``), which is a whole
        phantom swing of its own: a signer's neutral replaced by one 4.6 degrees away in
        pitch made the first leg of a false nod (fslsign banana). Only when a neutral was
        replaced (its version changed from one to the next): drift and refinements of the
        running median move it slowly, and the first neutral must not restart them (a
        patient who answers "yes" in the first two seconds nods while the first neutral is
        fixed: two of the four real nods of the ASL clips). Nor does a jump a whole swing only
        off a detector's axis when that detector's other axis moved no more than its movement
        under way may move it (:meth:`_carried_aside`: a patient resting turned has the
        neutral fixed anew there while nodding). Either way a replaced neutral is
        where a later movement's background begins (``OscillationDetector.reference_moved``).
        A jump that brings the reference back near the one a movement under way began in
        (:meth:`_movement_origin`) restarts nothing: a first neutral fixed mid-movement and
        replaced by the rest the movement began from moved nothing under it. A detector that
        goes on has its stored angles carried into the new reference
        (``OscillationDetector.shift_reference``, the first neutral included), so that "back
        near the start" compares angles read against one neutral.
        """
        if not obs.found or not _has_neutral(obs):
            return
        previous, self._reference_obs = self._reference_obs, obs
        version = int(getattr(obs, "neutral_version", 0))
        if previous is None or version == self._neutral_version:
            return
        # Recovered only here, when the version changed, not on every frame.
        before, reference = _neutral_of(previous), _neutral_of(obs)
        assert before is not None and reference is not None
        # This frame's angles against the old reference and the new one: the shift of every
        # angle a detector stored.
        old = relative_angles(before, np.asarray(obs.rotation, dtype=np.float64))
        shift = (float(obs.pitch) - old.pitch, float(obs.yaw) - old.yaw)
        if self._open_pitch is not None:
            # The pitch a blink holds is carried too (see ``_deblink``).
            self._open_pitch += shift[0]
        if self._neutral_version == 0:
            for det in self.oscillators:
                det.shift_reference(*shift)
                self._keep_movement_ref(det, before)
            return
        for det in self.oscillators:
            det.shift_reference(*shift)
            origin = self._movement_origin(det, before)
            size, along = self._jump(det, before, reference)
            whole = size >= self.params.reference_jump_deg or along >= det.full_swing_threshold
            if whole and origin is not before:
                back, back_along = self._jump(det, origin, reference)
                if back < self.params.reference_jump_deg and back_along < det.full_swing_threshold:
                    logger.debug(
                        "reference moved %.1f deg at t=%.2f, back within %.1f deg of where the "
                        "%s under way since t=%.2f began: it goes on",
                        size,
                        t,
                        back,
                        det.gesture,
                        det.movement_start_t or 0.0,
                    )
                    whole = False
            if whole and self._carried_aside(det, before, reference, shift, t):
                whole = False
            if whole:
                logger.debug(
                    "reference moved %.1f deg (%.1f along %s) at t=%.2f: %s restarts",
                    size,
                    along,
                    det.axis,
                    t,
                    det.gesture,
                )
                det.drop_held_back(t, f"the neutral pose was replaced, {size:.1f} deg away")
                det.reset()
            det.reference_moved(t)  # a later movement's background starts here
            self._keep_movement_ref(det, origin)

    def _carried_aside(
        self,
        det: OscillationDetector,
        before: Matrix,
        reference: Matrix,
        shift: tuple[float, float],
        t: float,
    ) -> bool:
        """True when a movement under way goes on across a neutral that jumped a whole swing
        along ``det``'s other axis alone (``shift``: the jump in pitch and yaw), that axis
        having moved within the movement's own limit and now carried into the new reference
        (:meth:`OscillationDetector.carry_other`): a nod made while the neutral is fixed
        anew at the turn a patient rests in. Along its own axis the jump may be anything up
        to just under the full swing bar (``OscillationDetector.full_swing_threshold``; at
        or over it, it restarts): it is carried
        (:meth:`OscillationDetector.shift_reference`) and makes no phantom swing of its own.
        A jump of ``reference_jump_deg`` in roll, which no
        detector reads or carries, still restarts it: a signer's neutral replaced 8 degrees
        away in roll (signtune2) otherwise let a 3.9 degree shake begun in her signing
        complete (the jaw rule dropped it)."""
        jump = relative_angles(before, reference)
        along = abs(jump.pitch if det.axis == "pitch" else jump.yaw)
        if along >= det.full_swing_threshold or abs(jump.roll) >= self.params.reference_jump_deg:
            return False
        by = shift[1] if det.axis == "pitch" else shift[0]
        if not det.carry_other(by):
            return False
        logger.debug(
            "reference moved %.1f deg along %s at t=%.2f, within bounds under the %s under "
            "way since t=%.2f: it goes on, that axis carried",
            by,
            det.other,
            t,
            det.gesture,
            det.first_turning_t,
        )
        return True

    @staticmethod
    def _jump(det: OscillationDetector, before: Matrix, after: Matrix) -> tuple[float, float]:
        """How far the reference moved from ``before`` to ``after``: on any axis and along
        ``det``'s own (degrees)."""
        jump = relative_angles(before, after)
        along = jump.pitch if det.axis == "pitch" else jump.yaw
        return max(abs(jump.pitch), abs(jump.yaw), abs(jump.roll)), abs(along)

    def _movement_origin(self, det: OscillationDetector, before: Matrix) -> Matrix:
        """The reference ``det``'s movement under way began in, if it was replaced since,
        else ``before`` (the one just replaced).

        Why: a detector starts over when its reference jumps, because part of what it keeps
        (the background before its movement, the first-leg check) is not carried across a
        replaced neutral. A patient nodding from the first frame has the first neutral fixed
        from the running median at 2.5 s, often at the bottom of the dips, and replaced a
        moment later by the rest the nod began from: measured from the first neutral that is
        a jump of the whole swing, and the nod, nearly complete, was lost (session 36, every
        16 to 25 degree nod at 0.75 Hz begun with no rest before); measured from where the
        movement began it is no jump at all, and what the detector keeps was read there. So a
        jump restarts it only when it is one from both (:meth:`_check_reference`): measured
        from the origin alone, a first neutral 2.7 degrees into a slow 8 degree nod and a
        second at 6.2 add up to a whole swing where neither step is one, and a nod heard
        before was lost.
        """
        kept = self._movement_ref.get(det.gesture)
        if kept is not None and kept[0] == det.movement_start_t:
            return kept[1]
        return before

    def _keep_movement_ref(self, det: OscillationDetector, origin: Matrix) -> None:
        """Remember ``origin`` as the reference of ``det``'s movement under way (forgotten
        with it): see :meth:`_movement_origin`."""
        start = det.movement_start_t
        if start is None:
            self._movement_ref.pop(det.gesture, None)
        else:
            self._movement_ref[det.gesture] = (start, origin)

    def _held_angles(
        self, obs: Any, usable: bool, angles: dict[str, float], provisional: bool
    ) -> dict[str, float] | None:
        """The angles the held head gestures see on this frame (the same dict as the others'
        when the frame is usable), or None. A frame below ``min_quality`` but at least
        ``held_min_quality`` still counts while a held head gesture is under way (see
        ``EngineParams.held_min_quality``)."""
        if usable:
            self._good_head_t = float(obs.t)
            return angles
        return None if provisional else self._low_view_angles(obs, _angles_of(obs))

    def _low_view_angles(self, obs: Any, low: dict[str, float] | None) -> dict[str, float] | None:
        """``low`` (a frame's angles read below ``min_quality``) if it may still carry a held
        head gesture (``EngineParams.held_min_quality``, :func:`_held_view_ok`), else None:
        the live frames' rule and the replay's, one rule."""
        p = self.params
        if (
            low is None
            or obs.quality >= p.min_quality
            or not _held_view_ok(obs, p.held_min_quality, self.view)
            or not (
                any(hold.active for hold, _ in self.head)
                or obs.t - self._good_head_t <= p.held_low_start_s
            )
        ):
            return None
        if max(abs(v) for v in low.values()) > p.max_abs_deg:
            return None
        return low

    def _head_away(self, read: dict[str, float] | None) -> bool:
        """Whether a frame's angles, ``read``, put the head further than ``max_abs_deg`` from
        neutral: the head was seen away, which is no gap a held gesture under way bridges
        (``HoldParams.bridge_s``), unlike a frame with no face or too poor a view."""
        return read is not None and max(abs(v) for v in read.values()) > self.params.max_abs_deg

    def _feed_head(
        self, t: float, usable: bool, angles: dict[str, float], *, away: bool = False
    ) -> list[GestureEvent]:
        """One frame to the held head gestures (and the record of how far each axis went);
        ``away``: an unusable frame saw the head away (:meth:`_head_away`)."""
        out: list[GestureEvent] = []
        for hold, channel in self.head:
            value = angles.get(channel) if usable else None
            if value is not None and hold.gesture in self.params.look_turned_gestures:
                # A lower bar for looks up from a turned neutral, applied as a larger signal
                # so that hysteresis, plateau and peak all scale with it.
                value /= self._look_share
            others = tuple(v for k, v in angles.items() if k != channel)
            release = hold.params.release_ratio * hold.params.enter
            self.crossing.note(
                hold.gesture, t, None if value is None else hold.sign * value, release
            )
            event = hold.update(t, value, others, away=away)
            if event is not None:
                self._note_held(event, hold)
                out.append(event)
        if usable:
            self._axes.append((t, {k: abs(v) / self._axis_thr[k] for k, v in angles.items()}))
        while self._axes and self._axes[0][0] < t - 8.0:
            self._axes.popleft()
        return out

    def _feed_face(
        self, t: float, usable: bool, angles: dict[str, float], chans: dict[str, float]
    ) -> list[GestureEvent]:
        """One frame to the expressions (and the record of how far they rose)."""
        p = self.params
        out: list[GestureEvent] = []
        near = usable and max(abs(v) for v in angles.values()) <= p.expression_max_pose_deg
        head = tuple(angles.values()) if near else ()
        turned = near and max(abs(angles["yaw"]), abs(angles["roll"])) > p.brow_max_turn_deg
        for hold, channel in self.face:
            value = chans[channel] - self.rest[channel] if near and self.rest is not None else None
            if hold.gesture == "brow_raise" and (
                turned or (value is not None and self._brow_follows_look(angles, value))
            ):
                value = None
            others = head
            if hold.gesture == "brow_raise" and head and value is not None:
                # The raise's own echo in the pitch (see brow_pitch_echo_deg) does not count,
                # on a face whose pitch echoes it; one whose pitch does not keep the pitch as
                # read (others_either: the smaller of the two ranges counts).
                echo = p.brow_pitch_echo_deg * max(0.0, value)
                others = (*head, head[0] + echo)
            event = hold.update(t, value, others)
            if event is None:
                continue
            self._note_held(event, hold)
            jaw = max((v for _, v in self._jaw), default=0.0)
            if hold.gesture in TALKING_EXPRESSIONS and jaw > self._jaw_limit:
                # People raise their brows and close their eyes for emphasis while they talk;
                # a patient who means the gesture keeps the mouth still.
                logger.info(
                    "%s at t=%.2f dropped: the jaw moved (%.2f), talking", event.gesture, t, jaw
                )
                continue
            out.append(event)
        if usable and self.rest is not None:
            # A brow raise never counts with the head turned (brow_max_turn_deg), so it cannot
            # explain a turn: a head turned from the camera "raises" the far brow (a turn away
            # of a patient resting turned from it read 0.17 to 0.25 above rest, over the brow
            # bar by more than the turn passed its own, and was dropped as the brow's echo).
            # Nor one that a look up raised (brow_look_echo_deg): it cannot explain the look.
            askew = max(abs(angles["yaw"]), abs(angles["roll"])) > p.brow_max_turn_deg
            brow = chans["brow"] - self.rest["brow"]
            askew = askew or self._brow_follows_look(angles, brow)
            ratio = max(
                (chans[c] - self.rest[c]) / self._expr_thr[g]
                for g, c in FACE_HELD.items()
                if not (askew and g == "brow_raise")
            )
            self._expr.append((t, ratio))
        while self._expr and self._expr[0][0] < t - 8.0:
            self._expr.popleft()
        return out

    def _brow_follows_look(self, angles: Mapping[str, float], rise: float) -> bool:
        """True when the head is tipped chin-up further than a brow rise this big could tip it
        by its own echo (``brow_look_echo_deg``): the brows rose with the look up."""
        p = self.params
        chin_up = -angles["pitch"]
        return chin_up > p.brow_look_floor_deg + p.brow_look_echo_deg * max(0.0, rise)

    def _rest_replaced(self, before: dict[str, float] | None) -> bool:
        """True when the resting face was just learned, or just corrected downward by half a
        threshold or more on some channel (it had been learned from a held expression). The
        threshold the detector uses now: the same as ``_expr_thr`` except for a zero-rest
        bar not yet measured (``EngineParams.zero_rest_early``)."""
        if self.rest is None or before is self.rest:
            return False
        if before is None:
            return True
        return any(
            before[c] - self.rest[c] >= 0.5 * min(self._expr_thr[hold.gesture], hold.params.enter)
            for hold, c in self.face
        )

    def _start_over(self, holds: list[tuple[HoldDetector, str]], head: bool, face: bool) -> None:
        """Reset the replayed detectors (``holds``) and what feeds them, before a replay and
        after one that failed: each waits for rest, as an excursion under way at the first
        kept frame is no gesture."""
        for hold, _ in holds:
            hold.reset()
            hold.wait_for_rest()
        if head:
            self._axes.clear()
        if face:
            self._expr.clear()

    def _replay(self, t: float, obs: Any, head: bool, face: bool) -> list[GestureEvent]:
        """Read the kept frames again against a new reference (see ``EngineParams.replay_s``).

        The head angles are re-measured from each frame's absolute rotation against the neutral
        now in use (recovered from this frame: its rotation and its angles against it). Events
        found are reported now, at ``t``; when each was made is kept for the hand gate, which
        judges the gesture's own window (up to ``replay_s`` back), not the seconds before ``t``
        (a signer's hands may have stopped by the time the look they went with is found).
        """
        p = self.params
        neutral = _neutral_of(obs)
        if neutral is None or not self._history:
            return []
        holds = (self.head if head else []) + (self.face if face else [])
        self._start_over(holds, head, face)
        found: list[tuple[GestureEvent, float]] = []
        # The blink filter (_deblink) reads the kept frames from open eyes, with a state of its
        # own. Against a new neutral that state is the live one in the new reference, and is
        # kept; against a new resting face it is not: frames the live filter read as open
        # eyes may now count as closed, and the pitch it then held came from seconds before,
        # a jump the nod detector read as a swing (fslsign cherry: 7 degrees, a false nod).
        live_blink = self._open_pitch, self._closing_t
        self._open_pitch = self._closing_t = None
        # The replay judges a low view as the live frames do (a held turn away from a turned
        # rest goes on below min_quality), with its own record of the last good frame.
        live_good_t, self._good_head_t = self._good_head_t, -math.inf
        # The live state comes back however the replay ends: an error in one frame must not
        # leave a caller that goes on (the bench, a test; the bedside's worker builds a new
        # pipeline) reading the replay's blink filter or last good frame, or detectors fed
        # part of the history (they start over and wait for rest).
        try:
            for h in self._history:
                rotation = getattr(h, "rotation", None)
                read: dict[str, float] | None = None
                if bool(h.found) and rotation is not None:
                    a = relative_angles(neutral, rotation)
                    read = {"pitch": a.pitch, "yaw": a.yaw, "roll": a.roll}
                usable = read is not None and h.quality >= p.min_quality
                angles: dict[str, float] = {}
                if usable and read is not None:
                    angles = dict(read)
                    usable = max(abs(v) for v in angles.values()) <= p.max_abs_deg
                chans = channels(h.blendshapes, _abs_yaw(h)) if usable else {}
                if usable:
                    angles["pitch"] = self._deblink(h.t, channels(h.blendshapes), angles["pitch"])
                    self._good_head_t = float(h.t)
                held = angles if usable else self._low_view_angles(h, read)
                events = (
                    self._feed_head(
                        h.t, held is not None, held or angles, away=self._head_away(read)
                    )
                    if head
                    else []
                )
                events += self._feed_face(h.t, usable, angles, chans) if face else []
                for e in events:
                    hold = next(d for d, _ in holds if d.gesture == e.gesture)
                    found.append((e, hold.last_start))
        except Exception:
            self._start_over(holds, head, face)
            if head:
                self._open_pitch = self._closing_t = None  # restored below when face
            raise
        finally:
            if face:
                self._open_pitch, self._closing_t = live_blink
            self._good_head_t = live_good_t
        out: list[GestureEvent] = []
        for e, start in found:
            if start <= self._last_event_t:
                continue  # begun before the last event reported: that event may have been it
            if p.replay_max_age_s is not None and t - e.t > p.replay_max_age_s:
                logger.info(
                    "%s at t=%.2f found again at t=%.2f: too long ago (%.1f s), not reported",
                    e.gesture,
                    e.t,
                    t,
                    t - e.t,
                )
                continue
            logger.info(
                "%s at t=%.2f found again at t=%.2f against the new reference", e.gesture, e.t, t
            )
            times = self._times.setdefault((e.gesture, t), _EventTimes(start))
            times.start = start
            out.append(replace(e, t=t, made=e.t))
        return out

    def _wait_for_crossing(
        self, t: float, candidates: list[GestureEvent], judged: list[GestureEvent]
    ) -> tuple[list[GestureEvent], list[GestureEvent]]:
        """A held head event judged on this frame (``judged``, live, not the replay's) whose
        return is past rest the other way is held back (:mod:`beckon.vision.crossing`): while
        the head stays there, it may be a posture shift undone by the next gesture. Returns
        the candidates left and the events released on this frame that were not waiting on a
        nod or shake when judged: those are not deferred on one now (released 0.1 s later
        into a tremor's or sway's movement, a look waited on the nod detector up to 4 s);
        the others join the candidates and are deferred as they would have been."""
        holds = {hold.gesture: hold for hold, _ in self.head}
        busy = self._oscillating(t, candidates)[0]
        out: list[GestureEvent] = []
        for e in candidates:
            hold = holds.get(e.gesture)
            if hold is not None and any(e is j for j in judged):
                axis = HEAD_HELD[e.gesture][0]
                other = next(
                    (h for h, a in self.head if a == axis and h.gesture != e.gesture), hold
                )
                if self.crossing.hold(
                    t,
                    e,
                    axis,
                    hold.params.release_ratio * hold.params.enter,
                    hold.last_start,
                    other.params.min_hold_s,
                    hold.params.max_hold_s,
                ):
                    self._crossed_busy[(e.gesture, e.made_at)] = axis in busy
                    continue
            out.append(e)
        reported = frozenset(
            (e.gesture, HEAD_HELD[e.gesture][0]) for e in out if e.gesture in holds
        )
        free: list[GestureEvent] = []
        for e in self.crossing.update(t, reported):
            if self._crossed_busy.pop((e.gesture, e.made_at), True):
                out.append(e)
            else:
                free.append(e)
        return out, free

    def _oscillating(
        self, t: float, candidates: list[GestureEvent]
    ) -> tuple[set[str], dict[str, tuple[float | None, float]]]:
        """The axes whose nod or shake detector has an oscillation under way that a held
        look or turn of that axis waits on (see :meth:`_defer_to_oscillations`), and those
        whose movement is so far one held gesture repeated one way (start, last turn)."""
        p = self.params
        waiting = {HEAD_HELD[e.gesture][0] for e in self._pending}
        held = waiting | {HEAD_HELD[e.gesture][0] for e in candidates if e.gesture in HEAD_HELD}
        under_way = [
            det
            for det in self.oscillators
            if (det.in_progress or (det.restarted_under_way and det.axis in waiting))
            and t - det.last_turn_t <= det.params.max_half_period_s + p.defer_turn_margin_s
        ]
        one_way: dict[str, tuple[float | None, float]] = {
            det.axis: (det.movement_start_t, det.last_turn_t)
            for det in under_way
            if det.axis in held and det.repeating_one_way
        }
        return {det.axis for det in under_way if det.axis not in one_way}, one_way

    def _defer_to_oscillations(
        self, t: float, candidates: list[GestureEvent]
    ) -> list[GestureEvent]:
        """A held look or turn that may be the last swing of a slow nod or shake waits a moment.

        The last dip of a 0.7 Hz nod can look like a short look down, and it ends a moment
        before the nod is complete. While the nod (or shake) detector of the same axis has an
        oscillation under way, the held event waits ``defer_s``, and longer (up to
        ``defer_max_s``) while that oscillation goes on: dropped if the nod fires, let through
        otherwise.

        A movement that is so far one held look or turn repeated the same way, paused at rest
        between (``OscillationDetector.repeating_one_way``), keeps no axis busy: it will be
        no nod or shake, and each look or turn goes after ``defer_s`` (three quick turns
        left, each waiting until the shake detector gave up, came out after the next was made).

        A movement the detector started over at a turning point
        (``OscillationDetector.restarted_under_way``) keeps the axis busy only while a held
        event of that axis is already waiting: a slow nod that pauses at rest between dips
        starts over at its second dip, and its first dip (waiting) and second (new) must wait on
        for the third; a lone look or turn whose own far end was such a restart (a talking
        head's shake detector, talkhead lp_d3) goes as before.
        """
        p = self.params
        busy, one_way = self._oscillating(t, candidates)
        out: list[GestureEvent] = []
        for e in candidates:
            if e.gesture in HEAD_HELD and HEAD_HELD[e.gesture][0] in busy:
                self._pending.append(e)
            else:
                out.append(e)
        # A nod (or shake) that completed on this frame was made, whatever becomes of it: held
        # back for the other axis's next gesture (see OscillationDetector.held_back) and
        # released later or not, or dropped for the jaw (a cough, talking): what waited on its
        # axis was its swings. (Let out, a 0.5 Hz nod's two dips went as two looks down, and
        # with it released by a shake, before it; a cough's nod dropped for the jaw let its
        # dip out as a look down.) A released one completed earlier and counts now.
        fired = {e.gesture for e in out} | {
            det.gesture for det in self.oscillators if self._completed_t.get(det.axis) == t
        }
        still: list[GestureEvent] = []
        for e in self._pending:
            axis = HEAD_HELD[e.gesture][0]
            osc = next((d.gesture for d in self.oscillators if d.axis == axis), "")
            made = e.made_at
            cut = self._cut.get((e.gesture, made))
            if osc in fired and self._swung_before_jaw(t, axis, e):
                log_dropped_late(e.gesture, made, t, DEFERRED, f"it was the end of a {osc}")
            elif cut is not None:
                again = any(c.gesture == e.gesture and c.made_at > made for c in candidates)
                verdict = self._after_cut(t, e, cut, axis in busy, again)
                if verdict is None:
                    still.append(e)
                elif verdict[0]:
                    logger.info(
                        "%s made at t=%.2f released at t=%.2f: %s", e.gesture, made, t, verdict[1]
                    )
                    # before the same gesture judged again on this frame: the bedside steps
                    # from the older first
                    out.insert(0, replace(e, made=made))
                else:
                    log_dropped_late(e.gesture, made, t, DEFERRED, verdict[1])
            elif t - e.t < p.defer_s or (axis in busy and t - e.t < p.defer_max_s):
                still.append(e)
            else:
                # Reported late, with its own time (the arbitration and the bench read it as
                # made then): ``made`` tells the bedside so (``GestureEvent.made``). One the
                # replay found already says when it was made, before its time.
                out.append(replace(e, made=made))
        self._pending = still
        for e in out:
            if e.gesture not in HEAD_HELD:
                continue
            kept = one_way.get(HEAD_HELD[e.gesture][0])
            if kept is not None and kept[0] is not None:
                self._one_way_start[HEAD_HELD[e.gesture][0]] = (kept[0], kept[1])
        return out

    def _note_cuts(self, t: float, found: bool) -> None:
        """Note the looks and turns deferred on a nod or shake detector that this frame with
        no face clears (it starts over on the next frame with one), and when the face is
        back; see :meth:`_after_cut`. Not a poor frame (a face found, quality under the
        floor): its looks and turns go out ``defer_s`` after they were judged, as before (a
        weak neck's look down read poor 3 s then seen where it was was let out, review
        rev46a2 backL.py 48 of 48; decided as a lost face, 1 was dropped). A face back within
        ``CrossingParams.bridge_s`` of the loss (1-3 missed frames) ends the cut: the event is
        decided by the ordinary deferral, the s47 way. Kept as a cut, "previous, next" lost its
        "previous" when the face came back with the head already out on the turn the other
        way (review rev47a2 tnr.py, 38 of 72 -> 72 as s47); and the first of two same-way
        turns waited for the second (twice.py, report minus made 1.52 s -> about 0.65 s).
        Its cost: slow shakes blinked 1-3 frames give s47's false turns again (shakeshort.py,
        6 -> 10 of 60, the shake still reported after each)."""
        # When the face came back from a loss over bridge_s, for GestureEvent.face_back.
        if not found and self._face_lost_at is None:
            self._face_lost_at = t
        elif found and self._face_lost_at is not None:
            if t - self._face_lost_at > self.crossing.params.bridge_s + _SAME_TIME_S:
                self._face_back_at = t
            self._face_lost_at = None
        keys = {(e.gesture, e.made_at) for e in self._pending}
        for key in [k for k in self._cut if k not in keys]:
            del self._cut[key]
        for gesture, made in keys:
            cut = self._cut.get((gesture, made))
            if not found and (cut is None or cut.back is not None):
                seen = self.crossing.last_read(gesture)
                self._cut[(gesture, made)] = _Cut(t, 0.0 if seen is None else seen)
            elif found and cut is not None and cut.back is None:
                if t - cut.lost <= self.crossing.params.bridge_s + _SAME_TIME_S:
                    # A short miss (a blink of the detector) is no cut: the event is decided
                    # by the ordinary deferral, as on s47. Kept as a cut, a turn seen near
                    # rest whose face came back with the head already out on the next turn
                    # the other way was dropped ("previous, next" lost its "previous":
                    # review rev47a2 tnr.py, 38 of 72; s47 72).
                    del self._cut[(gesture, made)]
                else:
                    cut.back = t

    def _after_cut(
        self, t: float, e: GestureEvent, cut: _Cut, busy: bool, again: bool
    ) -> tuple[bool, str] | None:
        """What becomes of the look or turn ``e``, deferred on its axis's nod or shake, whose
        detector frames with no face cleared: None while undecided, else whether it is
        reported, and why.

        Why: the cleared detector no longer holds its axis busy, so the event went out after
        ``defer_s`` though the face was still gone: the last swing of a nod or shake the face
        was lost in went out as a look or turn. Dropped as soon as the detector was cleared
        (fix46a), a real turn was lost whenever the face was missed a frame or three in the
        0.6 s after it, its own return keeping the shake detector under way (review rev46a2,
        genloss2.py: 24 of 24 -> 0). So it waits for the face and is decided on where the
        head is once back, by the rule that decides a crossing wait a lost face left open
        (:meth:`CrossingWait.after_loss`), read as a crossing wait reads it: back at rest,
        or where it was, it is reported; the head moving or out its own way again, it waits
        on, and the same gesture judged again (``again``) releases it first (a patient
        stepping twice, "previous, previous": dropped on the head moving, the first step was
        lost whenever the face was missed a frame or three just after it, review rev47a,
        twice.py 84 of 96 on s47 -> 73); the nod or shake under way again with the head
        swung past rest the other way, or the head back anywhere else, dropped (one of its
        swings, or a pose that says nothing of it); the nod or shake detector under way with
        no swing the other way yet (a second turn the same way starts a movement on a
        detector the loss cleared), it waits on; moving once back and then still past rest
        the other way, dropped (a shake going on unseen swings there: shakegap.py, a 0.5 Hz
        shake lost 1.5 s let a turn out, 1 of 90 -> 3 while it waited on a moving head); not
        decided within ``CrossingParams.lost_out_s`` of when it was made, dropped. Only a
        loss over ``bridge_s`` is a cut (:meth:`_note_cuts`): a shorter miss goes the s47
        way. A face
        lost longer than the nod or shake detector waits for its next turning point
        (``max_half_period_s`` and ``defer_turn_margin_s``, as :meth:`_oscillating` takes an
        oscillation as under way) may have hidden the rest of it: dropped (nodgap.py, a
        0.5 Hz nod's first dip let out 4.6 s late after 4 s of no face)."""
        det = next(d for d in self.oscillators if d.axis == HEAD_HELD[e.gesture][0])
        if cut.back is None:
            if t - cut.lost > det.params.max_half_period_s + self.params.defer_turn_margin_s:
                return False, f"its face was lost longer than a swing of the {det.gesture}"
            return None
        hold = next(h for h, _ in self.head if h.gesture == e.gesture)
        release = hold.params.release_ratio * hold.params.enter
        x = self.crossing.last_read(e.gesture)
        cut.other_way = cut.other_way or (x is not None and x <= -release)
        if busy and cut.other_way:
            return False, f"the {det.gesture} went on once its face was back"
        if lost_too_long(e.made_at, t, self.crossing.params):
            return False, "not decided within lost_out_s of when it was made"
        if again:
            return True, "the same gesture was made again"
        if busy:
            return None
        back = self.crossing.after_loss(e.gesture, t, cut.seen, release)
        cut.moved = cut.moved or back is Back.MOVING
        if back is Back.AS_BEFORE and cut.moved:
            return False, "its face came back with the head swinging back past rest the other way"
        if back in (Back.UNREAD, Back.MOVING, Back.OUT):
            return None
        if back in (Back.AT_REST, Back.AS_BEFORE):
            return True, f"its face came back with the head {back.value}"
        return False, f"its face came back with the head {back.value}"

    def _one_way_verdict_kept(
        self, t: float, det: OscillationDetector, start: float | None, event: GestureEvent | None
    ) -> bool:
        """True (and the nod or shake dropped, logged) when what ``det`` completed on this
        frame (``event``, or the one it held back) came from the movement begun at ``start``
        that a held look or turn already went out on, judged one held gesture repeated the
        same way (:meth:`_defer_to_oscillations`). The verdict sticks: judged before the
        movement was over, two turns left that came back 6 degrees past rest went out as a
        turn and then completed as a shake, and both were reported (review rev43a).

        Unless the movement turned ``min_reversals`` + 1 times or more after the turning point
        at rest it was at when the look or turn went out: that is a nod or shake of its own
        made after it (a turn right, a rest, then a shake that starts right: both are made;
        dropped, the shake was lost)."""
        kept = self._one_way_start.get(det.axis)
        if start is None or kept is None or kept[0] != start:
            return False
        after = sum(1 for tt, _ in det.last_turns if tt > kept[1])
        if after >= det.params.min_reversals + 1:
            return False
        why = "its movement already went out as a held gesture repeated the same way"
        if event is not None:
            logger.info("%s at t=%.2f dropped: %s", event.gesture, t, why)
        else:
            det.drop_held_back(t, why)
        return True

    def _deblink(self, t: float, chans: dict[str, float], pitch: float) -> float:
        """Pitch with blinks taken out: closing the eyelids moves MediaPipe's head pitch by 1
        to 2 degrees, so two normal blinks would look like a small nod. While the eyes are
        closing, the last pitch from open eyes is held instead. ``chans`` are the frontal
        channels (both eyes: :func:`channels` without the yaw), as the filter was tuned: fed
        the nearer eye of a turned face, it held the pitch at other frames and let a false
        nod through on an off-axis negative clip.

        Lids lowered longer than a normal blink (``blink_max_s``) and not shut (under the long
        blink's bar) are no blink but the eyes' own way of looking: the pitch is read again. A
        man looking up 12 degrees (pkgface ``franck``, 101.2 s) read 0.1 to 0.15 over his
        resting blink score for 1.4 s between two blinks, and the look was held at the pitch of
        the eyes' last open frame until it was over."""
        if self.rest is None:
            return pitch
        rise = chans["blink"] - self.rest["blink"]
        if rise <= self._blink_limit:
            self._closing_t = None
            self._open_pitch = pitch
            return pitch
        if self._closing_t is None or t < self._closing_t:
            self._closing_t = t
        lowered = t - self._closing_t > self.params.blink_max_s
        if lowered and rise < self._expr_thr["long_blink"]:
            self._open_pitch = pitch
            return pitch
        return self._open_pitch if self._open_pitch is not None else pitch

    def _oscillation_dropped(self, t: float, det: OscillationDetector) -> bool:
        """True when the nod or shake ``det`` just completed is dropped for the jaw: it moved
        (a cough or talking) and this is no "no" said as it was made, or the head swayed
        while talking (:meth:`_talk_sway`)."""
        jaw = max((v for _, v in self._jaw), default=0.0)
        dropped = jaw > self._jaw_limit and not self._said(det)
        if dropped:
            logger.info(
                "%s at t=%.2f dropped: the jaw moved (%.2f), a cough or talking",
                det.gesture,
                t,
                jaw,
            )
        dropped = dropped or self._talk_sway(t, det)
        if dropped:
            opened = next((u for u, v in self._jaw if v > self._jaw_limit), t)
            self._jaw_dropped[det.axis] = (t, det.last_turns, opened)
        return dropped

    def _swung_before_jaw(self, t: float, axis: str, look: GestureEvent) -> bool:
        """True unless the nod (or shake) of ``axis`` completed on this frame was dropped for
        the jaw without swinging out again, the look's way, after ``look`` came back and before
        the jaw opened.

        A look waiting on that nod was its first dip when the nod dipped again with the mouth
        shut (a cough at the end of a slow nod: the jaw opened as its second dip turned). When
        the jaw opened before any such dip, the nod was the look's own down-and-up read with
        the cough's bob: the look was the patient's (a look down held 0.6 s, then a cough),
        and goes as before."""
        dropped = self._jaw_dropped.get(axis)
        if dropped is None or dropped[0] != t:
            return True
        _, turns, opened = dropped
        sign = HEAD_HELD[look.gesture][1]
        dips = [
            u
            for (_, before), (u, v) in pairwise(turns)
            if sign * (v - before) > 0 and look.made_at < u <= opened
        ]
        if len(dips) >= self.params.dropped_nod_dips:
            return True
        logger.info(
            "%s made at t=%.2f kept though the %s it waited on completed: dropped for the jaw "
            "(open from t=%.2f) with no dip of its own after the look",
            look.gesture,
            look.made_at,
            "nod" if axis == "pitch" else "shake",
            opened,
        )
        return False

    def _said(self, det: OscillationDetector) -> bool:
        """True when the nod or shake ``det`` just reported is one the jaw's opening does not
        drop: a shake made while saying "no" (see ``EngineParams.said_gestures``)."""
        p = self.params
        said = (
            det.gesture in p.said_gestures
            and det.last_reversals >= p.said_reversals
            and det.last_swing >= p.said_swing_ratio * det.params.min_amplitude_deg
        )
        if said:
            logger.info(
                "%s kept though the jaw moved: %d reversals of %.1f deg, a no said as it was made",
                det.gesture,
                det.last_reversals,
                det.last_swing,
            )
        return said

    def _talk_sway(self, t: float, det: OscillationDetector) -> bool:
        """True when the nod or shake ``det`` just reported is the head's sway while talking:
        the jaw flickered like talking over the look-back window (``talk_flickers``) and the
        swings cleared only the bar lowered for a calm patient, not the full one. The talking
        check for a face whose jaw score barely moves, which ``oscillation_jaw_share`` (the
        jaw's height) cannot see."""
        p = self.params
        if det.gesture not in p.talk_flicker_gestures:
            return False
        if det.last_swing >= det.full_swing_threshold:
            return False
        rises = [v for _, v in self._jaw]
        flickers = jaw_flickers(rises, p.talk_flicker_rise, p.talk_noise_k)
        if flickers < p.talk_flickers:
            return False
        logger.info(
            "%s at t=%.2f dropped: swing %.1f deg under the full bar %.1f while the jaw "
            "flickered %d times in %.1f s (talking)",
            det.gesture,
            t,
            det.last_swing,
            det.full_swing_threshold,
            flickers,
            p.oscillation_look_back_s,
        )
        return True

    def _adapt_thresholds(
        self, t: float, chans: dict[str, float], angles: dict[str, float]
    ) -> None:
        """Per-patient expression thresholds from the running resting distribution (see
        ``adapt_k``); recomputed once a second, never during an excursion."""
        p = self.params
        if not self._adapt:
            return
        if max(abs(v) for v in angles.values()) <= 3.0:
            self._resting.append((t, chans))
        while self._resting and self._resting[0][0] < t - p.adapt_window_s:
            self._resting.popleft()
        if len(self._resting) < 30 or t - self._resting[0][0] < p.adapt_min_s:
            self._adapt_blink_early(t)
            return
        if t - self._adapted_t < 1.0:
            return
        self._adapted_t = t
        for hold, channel in self.face:
            if hold.active:
                continue
            bar = self._resting_bar(hold, channel, 20)
            if bar is None:
                continue  # two seconds of rest at 10 fps: a spread can be read
            thr, lower = bar
            self._measured.add(hold.gesture)
            if hold.gesture == "long_blink" and self._blink_bar is not None:
                # The patient's blinks may lower the bar, not under the resting noise's: on a
                # noisy face, jitter makes "blinks" of its own.
                thr = min(thr, max(self._blink_bar, p.adapt_k * lower))
            # Every time, not only when the detector's bar moves: an early bar (the long
            # blink's, the zero-rest brow's) may already equal the measured one, and the echo
            # ratio and the pitch's blink filter would keep the profile's bar for the session.
            self._expr_thr[hold.gesture] = thr
            if abs(thr - hold.params.enter) > 1e-4:
                hold.params = replace(hold.params, enter=thr)
                logger.debug("%s threshold adapted to %.3f at t=%.2f", hold.gesture, thr, t)

    def _adapt_blink_early(self, t: float) -> None:
        """The long blink's bar from the resting face seen so far, before ``adapt_min_s`` of it
        (see ``EngineParams.blink_adapt_min_s``); once a second, never during a blink.

        The detector's bar only, as the zero-rest brow's early bar: the ratio that drops a head
        gesture as an expression's echo and the head pitch's blink filter keep the profile's
        bar until the spread is measured (``_expr_thr``)."""
        p = self.params
        if self._adapted_t > -math.inf or self.rest is None or not self._resting:
            return  # measured once already, or no resting face yet
        if t - self._resting[0][0] < p.blink_adapt_min_s or t - self._blink_early_t < 1.0:
            return
        for hold, channel in self.face:
            if hold.gesture != "long_blink" or hold.active:
                continue
            bar = self._resting_bar(hold, channel, p.blink_adapt_min_frames)
            if bar is None:
                continue
            self._blink_early_t = t
            if abs(bar[0] - hold.params.enter) > 1e-4:
                hold.params = replace(hold.params, enter=bar[0])
                logger.debug("long_blink early threshold %.3f at t=%.2f", bar[0], t)

    def _resting_bar(
        self, hold: HoldDetector, channel: str, min_frames: int
    ) -> tuple[float, float] | None:
        """(bar, lower spread) of one expression from the resting window (``adapt_k``), or None
        while fewer than ``min_frames`` of its frames lie outside an expression."""
        p = self.params
        v = np.array([c[channel] for _, c in self._resting])
        if self.rest is not None:
            v = v[v - self.rest[channel] < hold.params.release_ratio * hold.params.enter]
            if len(v) < min_frames:
                return None
        median = float(np.percentile(v, 50))
        lower = median - float(np.percentile(v, 10))
        default = self.profile.setting(hold.gesture).threshold
        at_zero = median <= p.zero_rest_max and hold.gesture in p.zero_rest_gestures
        floor = p.zero_rest_floor_ratio if at_zero else p.adapt_floor_ratio
        return min(default, max(floor * default, p.adapt_k * lower)), lower

    def _watch_blinks(self, t: float, chans: dict[str, float], angles: dict[str, float]) -> None:
        """Measure the patient's normal blinks and set the long blink's bar from them (see
        ``EngineParams.blink_peak_share``); uncalibrated patients only."""
        p = self.params
        if not self._adapt or self.rest is None:
            return
        if max(abs(v) for v in angles.values()) > p.expression_max_pose_deg:
            self._blink_start = None
            return
        x = chans["blink"] - self.rest["blink"]
        if self._blink_start is None:
            if x >= p.blink_min_peak:
                self._blink_start, self._blink_peak = t, x
            return
        if x >= 0.5 * p.blink_min_peak:
            self._blink_peak = max(self._blink_peak, x)
            return
        if t - self._blink_start <= p.blink_max_s:
            self._blink_peaks.append(self._blink_peak)
        self._blink_start = None
        if len(self._blink_peaks) >= 2:
            # Applied by _adapt_thresholds, never under the bar the resting noise sets.
            default = self.profile.setting("long_blink").threshold
            bar = p.blink_peak_share * float(np.median(self._blink_peaks))
            self._blink_bar = max(p.blink_floor_ratio * default, bar)

    def _learn_rest(self, t: float, chans: dict[str, float], angles: dict[str, float]) -> None:
        """Resting expression scores: the median over the first steady second near neutral,
        then (uncalibrated patients) the low fifth of the last ``rest_window_s``, refreshed
        every ``rest_every_s`` while no expression is under way.

        The low fifth, not the median: expressions only raise these scores, and a patient may
        hold one for much of the time; a patient whose first second was an open mouth or a
        long blink gets the true rest as soon as the face has rested for a fifth of the window
        (the first performance is lost, the later ones are not).
        """
        p = self.params
        near = max(abs(v) for v in angles.values()) <= p.rest_near_deg
        if self.rest is not None:
            if self._rest_learned_t is None:
                return  # calibrated: measured, kept
            if near:
                self._rest_recent.append((t, chans))
            while self._rest_recent and self._rest_recent[0][0] < t - p.rest_window_s:
                self._rest_recent.popleft()
            if t - self._rest_learned_t < p.rest_every_s or len(self._rest_recent) < 8:
                return
            if any(hold.active for hold, _ in self.face):
                return  # frozen during an excursion
            self._rest_learned_t = t
            rest = _low_rest([s for _, s in self._rest_recent], p.rest_open_eyes_margin)
            if max(abs(rest[c] - self.rest[c]) for c in CHANNEL_NAMES) > 0.02:
                logger.info(
                    "resting expression scores now %s", {k: round(v, 3) for k, v in rest.items()}
                )
            before = self.rest
            self.rest = rest
            self._zero_rest_bars(t, before)
            return
        if max(abs(v) for v in angles.values()) > 3.0:
            self._rest_samples.clear()
            return
        self._rest_samples.append((t, chans))
        if t - self._rest_samples[0][0] >= p.rest_learn_s and len(self._rest_samples) >= 8:
            self.rest = {
                c: float(np.median([s[c] for _, s in self._rest_samples])) for c in CHANNEL_NAMES
            }
            logger.info(
                "resting expression scores: %s", {k: round(v, 3) for k, v in self.rest.items()}
            )
            self._rest_learned_t = t
            self._rest_recent.extend(self._rest_samples)
            self._rest_samples.clear()
            self._zero_rest_bars(t, None)

    def _zero_rest_bars(self, t: float, before: dict[str, float] | None) -> None:
        """The zero-rest floor for the expressions whose resting score was just learned at
        MediaPipe's zero, until the resting spread is measured (see
        ``EngineParams.zero_rest_early``); uncalibrated patients only. A rest corrected down
        onto zero from above ``zero_rest_max`` (it had been learned from a held expression)
        also discards the spread measured before: that window was the expression."""
        p = self.params
        if not (self._adapt and p.zero_rest_early and self.rest is not None):
            return
        for hold, channel in self.face:
            g = hold.gesture
            if g not in p.zero_rest_gestures or hold.active:
                continue
            at_zero = self.rest[channel] <= p.zero_rest_max
            if at_zero and before is not None and before[channel] > p.zero_rest_max:
                self._measured.discard(g)
            if g in self._measured:
                continue
            default = self.profile.setting(g).threshold
            thr = p.zero_rest_floor_ratio * default if at_zero else default
            if abs(thr - hold.params.enter) > 1e-4:
                # The detector's bar only: how far expressions rose against their bars (a
                # head gesture is dropped as the echo of an expression that rose more) keeps
                # the profile's bar until the spread is measured. A single frame of the
                # brows at 0.37 (hopper's first) over 0.06 outweighed a real look up.
                hold.params = replace(hold.params, enter=thr)
                logger.debug("%s threshold %.3f at t=%.2f: brows rest at zero", g, thr, t)

    def _arbitrate(self, candidates: list[GestureEvent]) -> list[GestureEvent]:
        """One event per movement: the most confident first, each kept unless it is within
        ``event_gap_s`` of an event already reported (before or after it in time), or the
        hand gate or the sequence model drops it. Returned in time order."""
        p = self.params
        out: list[GestureEvent] = []
        # A released nod or shake is judged after the gesture that released it, and goes only
        # with it: dropped (too close, the hand gate, the model), it released nothing.
        order = sorted(
            candidates, key=lambda e: ((e.gesture, e.t) in self._released, -e.confidence)
        )
        for event in order:
            releaser = self._released.get((event.gesture, event.t))
            if releaser is not None and not any((e.gesture, e.t) == releaser for e in out):
                logger.info(
                    "%s at t=%.2f dropped: the %s that released it was dropped",
                    event.gesture,
                    event.t,
                    releaser[0],
                )
                continue
            near = next((r for r in self._reported if self._one_movement(event, r)), None)
            if near is not None:
                logger.info(
                    "%s at t=%.2f dropped: too close to the %s at t=%.2f",
                    event.gesture,
                    event.t,
                    near[1],
                    near[2],
                )
                continue
            gate = self.params.hands
            why = (
                gate_drops(event.gesture, event.made_at, self.hands, gate)
                if self.hands is not None and gate.enabled
                else ""
            )
            if why:
                logger.info("%s at t=%.2f dropped: %s", event.gesture, event.t, why)
                continue
            # A released nod or shake is neither vetoed nor rated by the sequence model: its
            # window holds the gesture that released it (judged itself), not the one released.
            if self.verifier is not None and releaser is None:
                if not self.verifier.agrees(event.gesture):
                    logger.info("%s at t=%.2f vetoed by the sequence model", event.gesture, event.t)
                    continue
                event = replace(
                    event, confidence=self.verifier.rate(event.gesture, event.confidence)
                )
            self._last_event_t = max(self._last_event_t, event.t)
            self._reported.append((event.t, event.gesture, event.made_at))
            out.append(event)
        # Of events reported together, the one made first goes first (a released one).
        out.sort(key=lambda e: (e.t, e.made_at))
        # An event waits at most ``defer_max_s`` (a deferred look) before it is reported.
        if candidates:
            latest = max(self._last_event_t, *(e.t for e in candidates))
            horizon = latest - p.defer_max_s - p.event_gap_s
            self._reported = deque(r for r in self._reported if r[0] >= horizon)
            self._times = {k: v for k, v in self._times.items() if k[1] >= horizon}
            self._apart = {pair for pair in self._apart if min(t for _, t in pair) >= horizon}
            self._released = {k: v for k, v in self._released.items() if k[1] >= horizon}
        return out

    def _note_held(self, event: GestureEvent, hold: HoldDetector) -> None:
        """Keep when a held event's excursion began and when it had settled."""
        times = self._times.setdefault((event.gesture, event.t), _EventTimes(hold.last_start))
        times.start = hold.last_start
        times.settled = hold.last_end + hold.params.settle_s

    def _one_movement(self, event: GestureEvent, reported: tuple[float, str, float]) -> bool:
        """True when ``event`` and an event already reported (its time, gesture and when it was
        made) are too close to be two gestures: made within ``event_gap_s`` of each other,
        either way in time (an event reported late, released or found again, counts from when
        it was made: the time it is reported at says nothing of the movement),
        unless the later of the two is a held gesture whose excursion began its
        ``settle_gap_s`` or more after the earlier was made, or, for a held earlier one,
        after it had settled (came back, plus its ``settle_s``): a held event is reported
        later than that when unusable frames hid its settling (``HoldParams.bridge_s``), and
        the gap says nothing of whether the next movement is one with it; or unless the two
        are a held-back nod or shake and the other axis's gesture that released it, which
        began after its last turning point (``_apart``)."""
        t, gesture, made = reported
        event_made = event.made_at
        if abs(event_made - made) >= self.params.event_gap_s:
            return False
        if frozenset({(event.gesture, event.t), (gesture, t)}) in self._apart:
            return False
        first, later = ((gesture, t), (event.gesture, event.t))
        first_made = made
        if event_made < made:
            first, later = later, first
            first_made = event_made
        settled = self._times[first].settled if first in self._times else None
        earlier = first_made if settled is None else min(first_made, settled)
        start = self._times[later].start if later in self._times else None
        return start is None or start - earlier < self._settle_gap.get(later[0], math.inf)


def _low_rest(samples: list[dict[str, float]], open_margin: float) -> dict[str, float]:
    """The low fifth of each channel over ``samples``; the brows' over the frames with the
    eyes open only (see ``EngineParams.rest_open_eyes_margin``)."""
    blink = np.array([s["blink"] for s in samples])
    open_eyes = blink <= float(np.median(blink)) + open_margin
    rest = {c: float(np.percentile([s[c] for s in samples], 20)) for c in CHANNEL_NAMES}
    rest["brow"] = float(
        np.percentile([s["brow"] for s, o in zip(samples, open_eyes, strict=True) if o], 20)
    )
    return rest


def _angles_of(obs: Any) -> dict[str, float] | None:
    """The frame's head angles (degrees against the neutral), or None when no face or no
    pose was read: the one place that reads them, for every gesture path."""
    if not obs.found or obs.pitch is None or obs.yaw is None or obs.roll is None:
        return None
    return {"pitch": float(obs.pitch), "yaw": float(obs.yaw), "roll": float(obs.roll)}


def look_bar_share(neutral_yaw: float, params: EngineParams) -> float:
    """Share of the profile's look bar that applies from a neutral at absolute yaw
    ``neutral_yaw`` degrees (see ``EngineParams.look_turned_from_deg``): 1 up to
    ``look_turned_from_deg``, ``look_turned_share`` from ``look_turned_full_deg`` on."""
    span = params.look_turned_full_deg - params.look_turned_from_deg
    beyond = abs(neutral_yaw) - params.look_turned_from_deg
    a = min(1.0, max(0.0, beyond / span)) if span > 0 else float(beyond > 0)
    return 1.0 - a * (1.0 - params.look_turned_share)


def _abs_yaw(obs: Any) -> float | None:
    """The head's absolute yaw in degrees (how far the face is turned from the camera), or
    None for an observation without a rotation."""
    rotation = getattr(obs, "rotation", None)
    if rotation is None:
        return None
    return angles_from_rotation(rotation).yaw


def _held_view_ok(obs: Any, floor: float, view: QualityParams) -> bool:
    """Whether a frame's view is good enough to carry a held head gesture under way
    (``EngineParams.held_min_quality``): the floor applies to the view apart from how far the
    head is turned from the camera (the quality divided by its frontality factor,
    :func:`~beckon.vision.viewquality.frontal_share`), not to the product. A turn away from a
    rest already turned lowers both factors at once (the face foreshortens, and it is further
    from frontal), so a small face was judged poor twice for one turn: a 78 px face resting at
    22 degrees of absolute yaw (quality 0.59) that turned 20 degrees further read quality 0.10
    to 0.19 at 42 to 47 degrees while MediaPipe read the held turn steadily, and the turn was
    lost as "face lost or poor" (the studied faces' turns right from a rest turned right,
    session 37). The tracker's own limit still ends it: a head at or past
    ``QualityParams.away_deg`` (50 degrees), where the frontality factor is 0 and the far
    side's landmarks are gone, or a frame with no face. Without a rotation, the quality as it
    is. ``view`` must be the ramps the tracker used (a tracker given other ones would
    otherwise make the floor silently looser or stricter)."""
    abs_yaw = _abs_yaw(obs)
    if abs_yaw is None:
        return bool(obs.quality >= floor)
    frontal = frontal_share(abs_yaw, view)
    return frontal > 0.0 and obs.quality >= floor * frontal


def _neutral_version_of(obs: Any, current: int) -> int:
    """The neutral version ``obs`` was measured against; ``current`` for a frame with no face.

    A frame where MediaPipe found no face carries no neutral (version 0). Read as a version,
    it looked like the neutral pose replaced, and again when the face came back: one missed
    detection, or a hand over the face for a frame, dropped every waiting event (a posture
    shift's wait, a look deferred on a nod), reset the held detectors mid-gesture and replayed
    the history as a re-anchor. Only a face measured against a new neutral tells that the
    neutral was replaced (a re-anchor, a relearned rest: :attr:`NeutralPose.version` grows).
    """
    if not getattr(obs, "found", False):
        return current
    return int(getattr(obs, "neutral_version", 0))


def _has_neutral(obs: Any) -> bool:
    """True when :func:`_neutral_of` can recover ``obs``'s neutral (a rotation and angles)."""
    return (
        getattr(obs, "rotation", None) is not None
        and obs.pitch is not None
        and obs.yaw is not None
        and obs.roll is not None
    )


def _neutral_of(obs: Any) -> Matrix | None:
    """The neutral rotation ``obs``'s angles were measured against (``R @ M.T``, where
    ``M = R_neutral.T @ R`` is the relative rotation), or None without a rotation."""
    if not _has_neutral(obs):
        return None
    rotation = obs.rotation
    relative = rotation_from_angles(float(obs.pitch), float(obs.yaw), float(obs.roll))
    return np.asarray(np.asarray(rotation) @ relative.T, dtype=np.float64)


def _replace_amp(params: Any, threshold: float) -> Any:
    return replace(params, min_amplitude_deg=threshold)
