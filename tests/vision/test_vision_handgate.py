"""A gesture made while a hand covered the face is held back: the hand gate.

Pose traces (no MediaPipe) drive the engine with a hand provider written by hand: a hand with
landmarks inside the face's outline during a nod or a long blink drops the event; a hand beside
the face, under the chin (in the face's box, not its outline) or over it only long before keeps
it, and without a provider (no hand model) nothing changes.
The live provider (:class:`HandWatch`) is checked with a counting finder: it keeps frames at
most ten a second, never looks for hands while frames come in, and looks at no more frames
than the rule samples when an event is due. The real hand landmarker, built from the pinned
wheel, loads and finds no hand on a rendered hand-free face.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from beckon.lab import benchdata, handtrack, synthetic
from beckon.lab.gesture_bench import evaluate_online
from beckon.lab.handtrack import HandTrack, TrackHands
from beckon.vision.engine import GestureEngine
from beckon.vision.engine_params import EngineParams
from beckon.vision.face import observation
from beckon.vision.gestures import GestureEvent
from beckon.vision.handgate import (
    Hand,
    HandGateParams,
    Look,
    Points,
    gate_drops,
    hand_motion,
    hand_over_face,
    hands_busy,
    hands_moving,
    inside,
    inside_share,
    looks_at,
    outline_of,
)
from beckon.vision.handwatch import HandWatch
from beckon.vision.pose import NeutralPose
from tests.vision.traces import Patient, held, nodding, sine
from tests.vision.vision_clips import Clip

_ANGLES = np.linspace(0.0, 2.0 * np.pi, 60, endpoint=False)
FACE_POINTS: Points = np.c_[0.5 + 0.1 * np.cos(_ANGLES), 0.45 + 0.15 * np.sin(_ANGLES)]
"""A face's landmarks on an ellipse: its box is (0.4, 0.3, 0.6, 0.6)."""
FACE = outline_of(FACE_POINTS)
FACE_BOX = (0.4, 0.3, 0.6, 0.6)


def hand_in(x0: float, y0: float, x1: float, y1: float, score: float = 0.9) -> Hand:
    """A hand's 21 landmarks on a 3 x 7 grid filling the box (x0, y0, x1, y1)."""
    xs, ys = np.meshgrid(np.linspace(x0, x1, 3), np.linspace(y0, y1, 7))
    return Hand(np.c_[xs.ravel(), ys.ravel()], score)


def box_cover(hand: Hand) -> float:
    """The share of the face's box under the hand's box: the rule before the outline."""
    hx0, hy0 = hand.points.min(axis=0)
    hx1, hy1 = hand.points.max(axis=0)
    fx0, fy0, fx1, fy1 = FACE_BOX
    w = max(0.0, min(fx1, hx1) - max(fx0, hx0))
    h = max(0.0, min(fy1, hy1) - max(fy0, hy0))
    return float(w * h / ((fx1 - fx0) * (fy1 - fy0)))


OVER_MOUTH = hand_in(0.42, 0.45, 0.62, 0.75)
"""A hand over the lower half of the face (most of its landmarks inside the outline)."""
BESIDE = hand_in(0.68, 0.35, 0.85, 0.7)
"""A hand raised beside the face, not over it."""
UNDER_CHIN = Hand(
    np.r_[hand_in(0.41, 0.63, 0.59, 0.72).points[:19], [[0.41, 0.57], [0.59, 0.57]]], 0.9
)
"""A hand cupped under the chin, two fingertips rising beside the jaw into the face box's lower
corners: its box covers 9 % of the face's box, but no landmark is inside the face's outline."""

HandsAt = Callable[[float], list[Hand]]


def no_hands(_: float) -> list[Hand]:
    return []


def during(start: float, end: float, hand: Hand) -> HandsAt:
    return lambda t: [hand] if start <= t <= end else []


@dataclass
class Hands:
    """A hand provider over a trace: frames kept ten a second, hands as ``hands_at`` says."""

    hands_at: HandsAt
    seconds: float
    asked: list[float] = field(default_factory=list)

    def kept_times(self, start: float, end: float) -> Sequence[float]:
        times = np.round(np.arange(0.0, self.seconds, 0.1), 3)
        return [float(t) for t in times if start <= t <= end]

    def look(self, t: float) -> Look | None:
        self.asked.append(t)
        return Look(FACE, tuple(self.hands_at(t)))


def run(patient: Patient, seconds: float, hands: Hands | None) -> list[GestureEvent]:
    engine = GestureEngine(hands=hands)
    events: list[GestureEvent] = []
    for obs in patient.trace(seconds):
        events += engine.update(obs)
    return events


NOD = Patient(pitch=nodding(3.0, 2, 12.0, 1.2))
BLINK = Patient(blink=held(3.0, 1.4, 0.6, ramp=0.08))


def test_the_traces_are_gestures_without_the_gate() -> None:
    assert [e.gesture for e in run(NOD, 8.0, None)] == ["nod"]
    assert [e.gesture for e in run(BLINK, 8.0, None)] == ["long_blink"]


@pytest.mark.parametrize("patient", [NOD, BLINK], ids=["nod", "long_blink"])
def test_a_hand_over_the_face_during_the_gesture_drops_it(patient: Patient) -> None:
    hands = Hands(during(2.5, 5.0, OVER_MOUTH), 8.0)
    assert run(patient, 8.0, hands) == []
    assert hands.asked  # the gate looked


@pytest.mark.parametrize("hz", [0.7, 1.2, 1.8])
def test_a_nod_made_straight_into_a_shake_the_gate_drops_goes_with_the_shake(hz: float) -> None:
    # A nod, then with no rest between a shake; a hand covers the face from 0.7 s into the
    # shake on, after the nod was complete. The nod was held back for the shake (the yaw moved
    # while it settled), and only the shake tells it was a gesture of its own: the shake
    # dropped, the nod goes with it (it was reported alone, released by a shake never heard).
    end = 3.0 + 2 / hz
    seconds = end + 2 / hz + 3.0
    patient = Patient(pitch=nodding(3.0, 2, 12.0, hz), yaw=sine(end, 2 / hz, 14.0, hz))
    assert [e.gesture for e in run(patient, seconds, Hands(no_hands, seconds))] == ["nod", "shake"]
    assert run(patient, seconds, Hands(during(end + 0.7, seconds, OVER_MOUTH), seconds)) == []


@pytest.mark.parametrize("patient", [NOD, BLINK], ids=["nod", "long_blink"])
def test_a_hand_beside_the_face_keeps_the_gesture(patient: Patient) -> None:
    assert len(run(patient, 8.0, Hands(during(0.0, 8.0, BESIDE), 8.0))) == 1


@pytest.mark.parametrize("patient", [NOD, BLINK], ids=["nod", "long_blink"])
def test_a_hand_under_the_chin_keeps_the_gesture(patient: Patient) -> None:
    """A patient nodding with a hand (a cup, a phone) under the chin keeps the nod: the hand's
    box reaches into the face's box, which the box rule (5 %) took for a hand over the face."""
    assert box_cover(UNDER_CHIN) >= 0.05  # the old rule would drop the gesture
    assert inside_share(FACE, [UNDER_CHIN]) == 0.0
    assert len(run(patient, 8.0, Hands(during(0.0, 8.0, UNDER_CHIN), 8.0))) == 1


def test_a_hand_over_the_face_long_before_the_gesture_keeps_it() -> None:
    assert [e.gesture for e in run(NOD, 8.0, Hands(during(0.0, 1.5, OVER_MOUTH), 8.0))] == ["nod"]


def sampled_frames(patient: Patient, seconds: float) -> list[float]:
    """The kept frames the gate looks at for the trace's one event (found without the gate)."""
    (event,) = run(patient, seconds, None)
    kept = Hands(no_hands, seconds).kept_times(event.t - HandGateParams().window_s, event.t)
    return HandGateParams().sample(kept)


@pytest.mark.parametrize("patient", [NOD, BLINK], ids=["nod", "long_blink"])
def test_a_phantom_hand_on_one_sampled_frame_keeps_the_gesture(patient: Patient) -> None:
    """The hand landmarker's phantom (a "hand" wholly inside the face for 0.1 to 0.3 s where
    there is none: gnew ``iry_no``) falls on one sample of the window at most: no hand that
    bent the mesh. Three kept frames around one sample, as on ``iry_no`` (0.4 to 0.6 s)."""
    at = sampled_frames(patient, 8.0)[1]
    hands = Hands(during(at - 0.1, at + 0.1, OVER_MOUTH), 8.0)
    assert len(run(patient, 8.0, hands)) == 1
    assert at in hands.asked  # the gate saw the phantom


@pytest.mark.parametrize("patient", [NOD, BLINK], ids=["nod", "long_blink"])
def test_a_hand_over_the_face_on_two_sampled_frames_drops_the_gesture(patient: Patient) -> None:
    first, second = sampled_frames(patient, 8.0)[1:3]
    hands = Hands(lambda t: [OVER_MOUTH] if t in (first, second) else [], 8.0)
    assert run(patient, 8.0, hands) == []


def test_no_hands_anywhere_keeps_every_event_and_looks_only_when_one_is_due() -> None:
    hands = Hands(no_hands, 8.0)
    assert [e.gesture for e in run(NOD, 8.0, hands)] == ["nod"]
    assert 0 < len(hands.asked) <= HandGateParams().samples


def test_the_gate_turned_off_in_the_parameters_keeps_the_gesture() -> None:
    params = EngineParams(hands=HandGateParams(enabled=False))
    engine = GestureEngine(params=params, hands=Hands(during(0.0, 8.0, OVER_MOUTH), 8.0))
    events = [e for obs in NOD.trace(8.0) for e in engine.update(obs)]
    assert [e.gesture for e in events] == ["nod"]


# ---------------------------------------------------------------- hands moving in view

LOOK_DOWN = Patient(pitch=held(3.0, 1.0, 12.0))


def resting(hand: Hand, jitter: float = 0.004) -> HandsAt:
    """A hand lying still in view all along: MediaPipe's landmarks wobble by ``jitter`` (0.02
    of this face's width) from frame to frame, the hand does not move."""

    def at(t: float) -> list[Hand]:
        rng = np.random.default_rng(round(t * 10))
        return [Hand(hand.points + rng.normal(0.0, jitter, hand.points.shape), hand.score, "Left")]

    return at


def sliding(y0: float, speed: float, side: str = "Right") -> HandsAt:
    """A hand below the face moving across the image at ``speed`` (x a second): hands at work
    (a nurse's hands at the bed, a signer's hands), never over the face."""
    return lambda t: [
        Hand(hand_in(0.1 + speed * t, y0, 0.25 + speed * t, y0 + 0.2).points, 0.9, side)
    ]


ON_BLANKET = hand_in(0.3, 0.72, 0.45, 0.92)
"""A patient's hand on the blanket below the face, in view."""


def test_the_look_down_trace_is_a_look_down_without_the_gate() -> None:
    assert [e.gesture for e in run(LOOK_DOWN, 8.0, None)] == ["look_down"]
    assert [e.gesture for e in run(LOOK_DOWN, 8.0, Hands(no_hands, 8.0))] == ["look_down"]


@pytest.mark.parametrize(
    ("patient", "gesture"), [(LOOK_DOWN, "look_down"), (NOD, "nod")], ids=["look_down", "nod"]
)
def test_a_still_hand_resting_in_view_keeps_a_look_down_and_a_nod(
    patient: Patient, gesture: str
) -> None:
    """A patient's hand lying on the blanket in view must never cost their look down or nod:
    its landmarks wobble from frame to frame, which is no move."""
    hands = Hands(resting(ON_BLANKET), 8.0)
    assert [e.gesture for e in run(patient, 8.0, hands)] == [gesture]
    looks = list(looks_at(4.5, hands, HandGateParams()))
    assert len(looks) == HandGateParams().samples and all(look.hands for look in looks)
    assert max(hand_motion(a, b) for a, b in itertools.pairwise(looks)) < 0.1
    assert not hands_moving(looks, HandGateParams())


def test_a_hand_moving_below_the_face_drops_a_look_down() -> None:
    hands = Hands(sliding(0.7, 0.1), 8.0)  # half a face's width a second
    assert inside_share(FACE, hands.hands_at(4.0)) == 0.0  # never over the face
    assert run(LOOK_DOWN, 8.0, hands) == []
    assert gate_drops("look_down", 4.6, hands, HandGateParams()) == "hands moving in view"


@pytest.mark.parametrize("patient", [NOD, BLINK], ids=["nod", "long_blink"])
def test_hands_moving_below_the_face_keep_a_nod_and_a_long_blink(patient: Patient) -> None:
    """Signers nod "yes" and shake "no" with their hands moving below the chin (comp4989):
    the moving-hands rule is for held head gestures and the mouth (``moving_gestures``)."""
    assert len(run(patient, 8.0, Hands(sliding(0.7, 0.1), 8.0))) == 1


# ---------------------------------------------------------------- hands busy before the gesture

LOOK_UP = Patient(pitch=held(5.0, 1.0, -12.0))
TURN = Patient(yaw=held(5.0, 1.0, 20.0))
TILT = Patient(roll=held(5.0, 1.0, 15.0))
HELD_HEAD = [(LOOK_UP, "look_up"), (TURN, "turn_left"), (TILT, "tilt_right")]
"""Held head gestures reported at about 6.8 s (held from 5.3 to 6.3 s)."""
HELD_IDS = ["look_up", "turn", "tilt"]


def until(end: float, hands_at: HandsAt) -> HandsAt:
    """``hands_at`` until ``end``, then no hand in view (the hands came down out of the frame)."""
    return lambda t: hands_at(t) if t <= end else []


@pytest.mark.parametrize(("patient", "gesture"), HELD_HEAD, ids=HELD_IDS)
def test_the_held_head_traces_are_those_gestures_without_the_gate(
    patient: Patient, gesture: str
) -> None:
    assert [e.gesture for e in run(patient, 9.0, None)] == [gesture]


@pytest.mark.parametrize(("patient", "gesture"), HELD_HEAD, ids=HELD_IDS)
def test_a_held_head_gesture_made_while_hands_move_in_view_is_dropped(
    patient: Patient, gesture: str
) -> None:
    """A signer's head turns, tilts and looks up with the sign (fslsign ``snake``'s turn left,
    signtune ``bs_word``'s): hands at work, no request."""
    hands = Hands(sliding(0.7, 0.1), 9.0)
    assert run(patient, 9.0, hands) == []
    assert gate_drops(gesture, 6.8, hands, HandGateParams()) == "hands moving in view"


def test_a_look_up_as_the_moving_hands_leave_view_is_dropped() -> None:
    """fslsign's looks up at a clip's end: the signer's hands move, then come down out of the
    frame, and the head goes up after them. Nothing moves in the gesture's own window (the
    session 10 rule saw nothing); the seconds before it show the hands at work."""
    hands = Hands(until(4.5, sliding(0.7, 0.1)), 9.0)
    params = HandGateParams()
    assert not hands_moving(list(looks_at(6.8, hands, params)), params)
    assert hands_busy(6.8, hands, params)
    assert run(LOOK_UP, 9.0, hands) == []


@pytest.mark.parametrize(("patient", "gesture"), [*HELD_HEAD, (LOOK_DOWN, "look_down")])
def test_a_still_hand_resting_in_view_keeps_every_held_head_gesture(
    patient: Patient, gesture: str
) -> None:
    """A patient's hand lying on the blanket in view, over the whole window: no move, so the
    look up, the turn and the tilt are kept as the look down is."""
    hands = Hands(resting(ON_BLANKET), 9.0)
    assert [e.gesture for e in run(patient, 9.0, hands)] == [gesture]
    assert not hands_busy(6.8, hands, HandGateParams())


def test_hands_that_moved_long_before_a_held_head_gesture_keep_it() -> None:
    """Hands that worked and went out of view more than ``busy_window_s`` before the gesture
    (a nurse who finished at the bed) do not cost it."""
    assert HandGateParams().busy_window_s < 6.8 - 2.5
    hands = Hands(until(2.5, sliding(0.7, 0.1)), 9.0)
    assert [e.gesture for e in run(LOOK_UP, 9.0, hands)] == ["look_up"]


@pytest.mark.parametrize(
    ("patient", "gesture"),
    [
        (Patient(pitch=nodding(5.0, 2, 12.0, 1.2)), "nod"),
        (Patient(blink=held(5.0, 1.4, 0.6, ramp=0.08)), "long_blink"),
    ],
    ids=["nod", "long_blink"],
)
def test_hands_moving_in_the_seconds_before_keep_a_nod_and_a_long_blink(
    patient: Patient, gesture: str
) -> None:
    """comp4989's signers nod "yes" while their hands move through the sign; the long blink is
    what a patient without head control is left with: neither is a held head gesture."""
    hands = Hands(until(5.0, sliding(0.7, 0.1)), 9.0)
    assert [e.gesture for e in run(patient, 9.0, hands)] == [gesture]


MOUTH = Patient(jaw=held(5.0, 1.0, 0.5, ramp=0.1))
"""A mouth opened wide and held a second, from 5 s."""


def test_a_mouth_opened_while_hands_move_in_view_is_dropped() -> None:
    """A signer mouths the word signed (gnew ``sb_no``: "no" mouthed with the sign, the jaw
    held open 0.6 and 0.8 s): hands at work, no request. The same mouth with no hand, or a
    hand lying still on the blanket, is heard."""
    assert [e.gesture for e in run(MOUTH, 9.0, Hands(no_hands, 9.0))] == ["mouth_open"]
    assert [e.gesture for e in run(MOUTH, 9.0, Hands(resting(ON_BLANKET), 9.0))] == ["mouth_open"]
    hands = Hands(sliding(0.7, 0.1), 9.0)
    assert run(MOUTH, 9.0, hands) == []
    assert gate_drops("mouth_open", 6.5, hands, HandGateParams()) == "hands moving in view"


def test_the_busy_window_is_sampled_apart_from_the_gestures_window() -> None:
    params = HandGateParams(window_s=2.0, samples=4, busy_window_s=4.0, busy_samples=10)
    hands = Hands(no_hands, 9.0)
    own = [round(look_t, 1) for look_t in params.sample(hands.kept_times(4.8, 6.8))]
    busy = params.sample(hands.kept_times(2.8, 6.8), params.busy_samples)
    assert len(own) == 4 and own[0] == 4.8
    assert len(busy) == 10 and busy[0] == pytest.approx(2.8) and busy[-1] == pytest.approx(6.8)
    assert params.look_back_s == 4.0


def test_without_a_hand_provider_a_look_down_is_kept() -> None:
    engine = GestureEngine(hands=None)
    events = [e for obs in LOOK_DOWN.trace(8.0) for e in engine.update(obs)]
    assert [e.gesture for e in events] == ["look_down"]


def test_the_moving_hands_rule_turned_off_keeps_a_look_down() -> None:
    params = EngineParams(hands=HandGateParams(moving_gestures=()))
    engine = GestureEngine(params=params, hands=Hands(sliding(0.7, 0.1), 8.0))
    assert [e.gesture for obs in LOOK_DOWN.trace(8.0) for e in engine.update(obs)] == ["look_down"]


def test_two_still_hands_found_on_alternate_frames_are_no_move() -> None:
    """Both of a patient's hands rest in view and the detector finds one on some frames and
    the other on the next: told apart by their sides, that is no hand jumping across."""
    left = Hand(hand_in(0.25, 0.72, 0.38, 0.9).points, 0.9, "Left")
    right = Hand(hand_in(0.62, 0.72, 0.75, 0.9).points, 0.9, "Right")
    hands = Hands(lambda t: [left] if round(t * 10) % 2 == 0 else [right], 8.0)
    assert hand_motion(Look(FACE, (left,)), Look(FACE, (right,))) == 0.0
    assert hand_motion(Look(FACE, (left,)), Look(FACE, (left, right))) == 0.0
    assert [e.gesture for e in run(LOOK_DOWN, 8.0, hands)] == ["look_down"]


def test_a_hand_coming_into_view_or_leaving_it_is_no_move() -> None:
    assert hand_motion(Look(FACE, ()), Look(FACE, (BESIDE,))) == 0.0
    assert hand_motion(Look(FACE, (BESIDE,)), Look(FACE, ())) == 0.0


def test_a_hands_move_is_in_face_widths_and_heights() -> None:
    """Shifted by 0.05 across (a quarter of the face's width 0.2) and 0.06 down (a fifth of its
    height 0.3): the move is the same whatever the image's size."""
    moved = Hand(ON_BLANKET.points + np.array([0.05, 0.0]), 0.9)
    assert hand_motion(Look(FACE, (ON_BLANKET,)), Look(FACE, (moved,))) == pytest.approx(0.25)
    down = Hand(ON_BLANKET.points + np.array([0.0, 0.06]), 0.9)
    assert hand_motion(Look(FACE, (ON_BLANKET,)), Look(FACE, (down,))) == pytest.approx(0.2)
    half = outline_of(FACE_POINTS * 0.5)  # the same face at half the size: twice the move
    assert hand_motion(Look(half, (ON_BLANKET,)), Look(half, (moved,))) == pytest.approx(0.5)


# ---------------------------------------------------------------- the rule itself


def test_a_slow_move_counts_over_the_window_not_only_between_neighbouring_samples() -> None:
    """A hand drifting 0.03 of the face's width per sample: no two neighbouring samples move
    by the bar, but over ten samples the hand travelled 0.27 face widths. Denser sampling must
    not hide a move, so any two samples count; a resting hand's wobble still is no move."""
    step = np.array([0.006, 0.0])  # 0.03 of the face's width (0.2)
    drifting = [Look(FACE, (Hand(ON_BLANKET.points + i * step, 0.9),)) for i in range(10)]
    params = HandGateParams()
    assert max(hand_motion(a, b) for a, b in itertools.pairwise(drifting)) < params.min_moving
    assert hands_moving(drifting, params)
    wobble = resting(ON_BLANKET)
    assert not hands_moving([Look(FACE, tuple(wobble(i / 10))) for i in range(40)], params)


def test_inside_share_is_the_largest_share_of_one_hands_landmarks_inside_the_outline() -> None:
    assert inside_share(FACE, []) == 0.0
    assert inside_share(FACE, [BESIDE]) == 0.0
    assert inside_share(FACE, [hand_in(0.45, 0.35, 0.55, 0.55)]) == 1.0
    share = inside_share(FACE, [BESIDE, OVER_MOUTH])
    assert share == pytest.approx(inside(FACE, OVER_MOUTH.points).mean())
    assert share == pytest.approx(5 / 21)  # 2 of the left column, 3 of the middle one


def test_one_landmark_inside_keeps_the_gesture_two_drop_it() -> None:
    """The bar: at least 2 of 21 landmarks (a single fingertip at the jaw's edge is let
    through)."""
    bar = HandGateParams().min_inside
    one = Hand(np.r_[BESIDE.points[:20], [[0.5, 0.45]]], 0.9)
    two = Hand(np.r_[BESIDE.points[:19], [[0.5, 0.45], [0.48, 0.5]]], 0.9)
    assert inside_share(FACE, [one]) < bar <= inside_share(FACE, [two])
    params = HandGateParams(window_s=2.0)
    assert not hand_over_face(5.0, Hands(during(0.0, 8.0, one), 8.0), params)
    assert hand_over_face(5.0, Hands(during(0.0, 8.0, two), 8.0), params)


def test_the_outline_is_the_convex_hull_of_the_face_landmarks() -> None:
    points = np.array([[0.2, 0.5, 0.0], [0.4, 0.1, 0.0], [0.3, 0.3, 0.0], [0.5, 0.5, 0.0]])
    outline = outline_of(points)
    assert sorted(map(tuple, outline.round(6).tolist())) == [(0.2, 0.5), (0.4, 0.1), (0.5, 0.5)]
    probe = np.array([[0.35, 0.4], [0.2, 0.1], [0.6, 0.4]])  # inside, outside, outside
    assert inside(outline, probe).tolist() == [True, False, False]
    assert inside(outline[::-1], probe).tolist() == [True, False, False]  # either orientation
    assert inside(outline[:2], probe).tolist() == [False, False, False]  # no area


def test_the_samples_spread_over_the_window_from_first_to_last() -> None:
    p = HandGateParams(samples=4)
    kept = [round(0.1 * i, 1) for i in range(21)]
    assert p.sample(kept) == [0.0, 0.7, 1.3, 2.0]
    assert p.sample(kept[:3]) == kept[:3]


def test_min_covered_asks_for_that_many_covered_samples() -> None:
    hands = Hands(during(4.0, 4.0, OVER_MOUTH), 8.0)  # one kept frame with the hand
    window = HandGateParams(window_s=2.0, samples=21)  # every kept frame of the window
    assert not hand_over_face(5.0, hands, window)  # one frame is no hand that stayed
    assert hand_over_face(5.0, hands, HandGateParams(window_s=2.0, samples=21, min_covered=1))


def test_a_window_without_kept_frames_is_no_hand() -> None:
    assert not hand_over_face(100.0, Hands(during(0.0, 8.0, OVER_MOUTH), 8.0), HandGateParams())


# ---------------------------------------------------------------- the live provider


@dataclass
class CountingFinder:
    """Stands in for the hand landmarker: a hand over the face in every frame it is shown."""

    runs: int = 0
    widths: list[int] = field(default_factory=list)

    def find(self, rgb: npt.NDArray[np.uint8]) -> list[Hand]:
        self.runs += 1
        self.widths.append(int(rgb.shape[1]))
        return [OVER_MOUTH]

    def close(self) -> None:
        pass


def test_the_live_watch_keeps_small_frames_ten_a_second_and_looks_only_on_demand() -> None:
    finder = CountingFinder()
    watch = HandWatch(finder, HandGateParams())
    frame = np.zeros((480, 640, 3), dtype=np.uint8)
    for i in range(300):  # 10 s at 30 fps
        watch.push(i / 30, frame, FACE_POINTS if i % 2 == 0 else None)
    assert finder.runs == 0  # nothing per frame
    kept = watch.kept_times(0.0, 10.0)
    look_back = HandGateParams().look_back_s + 0.5
    assert len(kept) <= look_back * 10 + 1  # only what the gate looks back at (and a margin)
    assert kept[0] <= 10.0 - HandGateParams().busy_window_s  # the busy window is all there
    assert all(b - a >= 0.099 for a, b in itertools.pairwise(kept))
    assert hand_over_face(9.95, watch, HandGateParams())
    needed = HandGateParams().min_covered  # it stops as soon as the answer is yes
    assert finder.runs == needed and finder.widths == [320] * needed
    seen = watch.look(kept[-1])
    assert seen is not None and seen.hands == (OVER_MOUTH,) and finder.runs <= needed + 1


def test_the_live_watch_starts_again_when_the_clock_goes_back() -> None:
    watch = HandWatch(CountingFinder(), HandGateParams())
    frame = np.zeros((240, 320, 3), dtype=np.uint8)
    for i in range(30):
        watch.push(5.0 + i / 10, frame, FACE_POINTS)
    watch.push(0.0, frame, FACE_POINTS)  # a new video
    assert watch.kept_times(0.0, 100.0) == [0.0]


def test_the_live_watch_keeps_frames_as_long_as_an_event_may_come_late() -> None:
    # An event found by the engine's replay is reported up to EngineParams.replay_s after it
    # was made: the watch keeps that much more, so the gesture's own window is still there.
    late = EngineParams().replay_s
    watch = HandWatch(CountingFinder(), HandGateParams(), late_s=late)
    frame = np.zeros((240, 320, 3), dtype=np.uint8)
    for i in range(200):  # 20 s at 10 fps
        watch.push(i / 10, frame, FACE_POINTS)
    kept = watch.kept_times(0.0, 100.0)
    oldest_needed = 19.9 - late - HandGateParams().look_back_s
    assert kept[0] <= oldest_needed
    assert kept[0] >= oldest_needed - 1.0  # and not much more (memory)
    assert hand_over_face(19.9 - late, watch, HandGateParams())


def _run_learning(patient: Patient, seconds: float, hands: Hands | None) -> list[GestureEvent]:
    """Like :func:`run`, with the neutral pose learned on line (so the engine's replay runs)."""
    neutral = NeutralPose()
    engine = GestureEngine(hands=hands)
    events: list[GestureEvent] = []
    for o in patient.trace(seconds):
        rotation = o.rotation if o.found else None
        events += engine.update(observation(neutral, o.t, rotation, o.quality, o.blendshapes))
    return events


# A first look down begun at the first frame: it stands as the neutral until the head comes
# back to rest, then it is found again by the replay, at 2.83 s; the look itself ended 2.40 s.
_FIRST_LOOK = Patient(pitch=held(0.05, 1.5, 14.0, ramp=0.35))
_MADE, _FOUND = 2.40, 2.83


def test_the_first_look_is_found_late_by_the_replay() -> None:
    events = _run_learning(_FIRST_LOOK, 8.0, None)
    assert [(e.gesture, round(e.t, 2)) for e in events] == [("look_down", _FOUND)]


def test_a_gesture_found_late_is_judged_over_its_own_window() -> None:
    # The gate looks at the frames before the look was made, not before it was found: a hand
    # raised to the face after the look (a patient scratching) does not cost it...
    hands = Hands(during(_MADE + 0.05, 8.0, OVER_MOUTH), 8.0)
    assert [e.gesture for e in _run_learning(_FIRST_LOOK, 8.0, hands)] == ["look_down"]
    assert hands.asked and max(hands.asked) <= _MADE
    # ... and a hand over the face during the look drops it, though gone when it was found.
    hands = Hands(during(0.0, _MADE - 0.3, OVER_MOUTH), 8.0)
    assert _run_learning(_FIRST_LOOK, 8.0, hands) == []


# ---------------------------------------------------------------- the real model


def test_the_real_hand_landmarker_loads_and_finds_no_hand_on_a_hand_free_face(
    hand_model: Path, rig: synthetic.FaceRig
) -> None:
    from beckon.vision.hands import HandFinder
    from beckon.vision.handwatch import shrink

    frame = rig.render(synthetic.HeadPose())
    with HandFinder(hand_model) as finder:
        assert finder.find(frame) == []
        assert finder.find(shrink(frame, HandGateParams().image_width)) == []


def test_the_whole_path_with_the_hand_gate_keeps_a_rendered_nod_and_shake(
    nod_shake_clip: Clip, face_model: Path, hand_model: Path
) -> None:
    """Real MediaPipe face and hand landmarkers on a hand-free rendered clip: both gestures
    stay, and the hand landmarker ran only for them (a few frames each), never per frame."""
    from beckon.vision.frames import VideoFileSource
    from beckon.vision.pipeline import VisionPipeline

    with (
        VideoFileSource(nod_shake_clip.path) as source,
        VisionPipeline(face_model, hand_model=hand_model) as pipeline,
    ):
        events = list(pipeline.run(source))
        watch = pipeline.hand_watch
        frames = pipeline.stats().frames
    assert [e.gesture for e in events] == ["nod", "shake"]
    assert watch is not None
    assert 0 < watch.looked <= 2 * HandGateParams().samples < frames


# ---------------------------------------------------------------- the benchmark's channel


def hand_track(hands_at: HandsAt, seconds: float, no_face: tuple[float, float]) -> HandTrack:
    """A recording's hand channel at 10 frames a second (no face from ``no_face``)."""
    t = np.round(np.arange(0.0, seconds, 0.1), 3)
    faces = np.full((len(t), len(FACE) + 2, 2), np.nan)  # padded like a real recording's
    points = np.full((len(t), 2, 21, 2), np.nan)
    scores = np.full((len(t), 2), np.nan)
    sides = np.zeros((len(t), 2), dtype=np.int8)
    for i, x in enumerate(t):
        if not no_face[0] <= x <= no_face[1]:
            faces[i, : len(FACE)] = FACE
        for k, h in enumerate(hands_at(float(x))):
            points[i, k], scores[i, k] = h.points, h.score
            sides[i, k] = handtrack.SIDES.index(h.side)
    return HandTrack(t, faces, points, scores, sides)


def test_a_cached_hand_channel_reads_back_and_answers_like_the_live_watch(tmp_path: Path) -> None:
    track = hand_track(during(2.0, 3.0, OVER_MOUTH), 6.0, no_face=(4.0, 4.5))
    handtrack.save(tmp_path / "h.npz", track)
    again = handtrack.load(tmp_path / "h.npz")
    assert again is not None
    provider = TrackHands(again)
    kept = provider.kept_times(3.5, 5.0)
    assert kept == pytest.approx([3.5, 3.6, 3.7, 3.8, 3.9, 4.6, 4.7, 4.8, 4.9, 5.0])
    assert again.face_at(2) == pytest.approx(FACE)
    assert again.face_at(42) is None
    (hand,) = again.hands_at(25)
    assert hand.points == pytest.approx(OVER_MOUTH.points) and hand.score == pytest.approx(0.9)
    assert hand.side == ""
    seen = provider.look(2.5)
    assert seen is not None and inside_share(seen.outline, seen.hands) == pytest.approx(
        inside_share(FACE, [OVER_MOUTH])
    )
    empty = provider.look(3.5)
    assert empty is not None and empty.hands == ()
    assert provider.look(4.2) is None  # no face
    assert hand_over_face(2.9, provider, HandGateParams())  # the hand on two samples
    assert not hand_over_face(5.5, provider, HandGateParams())


def test_a_cached_hand_channel_keeps_each_hands_side(tmp_path: Path) -> None:
    """The moving-hands rule pairs a hand with the same hand on the next sample by its side."""
    track = hand_track(sliding(0.7, 0.1, side="Right"), 3.0, no_face=(9.0, 9.0))
    handtrack.save(tmp_path / "h.npz", track)
    again = handtrack.load(tmp_path / "h.npz")
    assert again is not None
    assert [h.side for h in again.hands_at(5)] == ["Right"]
    assert gate_drops("look_down", 2.5, TrackHands(again), HandGateParams())


@dataclass
class PixelHands:
    """A hand finder that answers with a "hand" made from the pixels it is handed.

    Why not the real landmarker here: no footage the tests may hold has a hand in it (the
    rendered faces are hand-free and real recordings of people are not committed), so the
    real one finds no hand on either path and could not show that the bedside and the
    benchmark hand it the same pixels. This one does: each answer is a digest of the image.
    """

    seen: list[str] = field(default_factory=list)

    def find(self, rgb: npt.NDArray[np.uint8]) -> list[Hand]:
        digest = hashlib.sha256(np.ascontiguousarray(rgb).tobytes()).hexdigest()
        self.seen.append(digest)
        v = int(digest[:8], 16) / 2**32
        return [Hand(np.full((21, 2), v), 0.5 + v / 2, "Left")]

    def close(self) -> None:
        pass


def box(outline: Points) -> npt.NDArray[np.float64]:
    return np.r_[outline.min(axis=0), outline.max(axis=0)]


def test_the_benchmarks_hand_channel_is_what_the_bedsides_hand_watch_sees(
    nod_shake_clip: Clip, face_model: Path, hand_model: Path
) -> None:
    """The bedside's pipeline and the benchmark's cached channel keep the same frames, hand
    the hand finder the same pixels and read the same face outline, so the hand gate's
    figures on recordings are the bedside's."""
    from beckon.vision.frames import VideoFileSource
    from beckon.vision.pipeline import VisionPipeline

    live: dict[float, Look | None] = {}
    bedside_finder = PixelHands()
    with (
        VideoFileSource(nod_shake_clip.path) as source,
        VisionPipeline(face_model, hand_model=hand_model) as pipeline,
    ):
        watch = pipeline.hand_watch
        assert watch is not None
        watch.finder.close()
        watch.finder = bedside_finder
        for frame in source:
            pipeline.process(frame)
            if watch.kept_times(frame.t, frame.t):
                live[frame.t] = watch.look(frame.t)
    bench_finder = PixelHands()
    track = handtrack.observe_hands(
        nod_shake_clip.path, face_model, hand_model, finder=bench_finder
    )
    bench = TrackHands(track)

    assert len(live) >= 8 * synthetic.script_duration(nod_shake_clip.script)  # 8 a second at 25 fps
    assert bench.kept_times(0.0, 99.0) == pytest.approx(sorted(live))
    assert sorted(set(bench_finder.seen)) == sorted(set(bedside_finder.seen))
    for t, seen in live.items():
        got = bench.look(t)
        assert seen is not None and got is not None
        assert [(h.points.tolist(), h.score, h.side) for h in got.hands] == [
            (h.points.tolist(), h.score, h.side) for h in seen.hands
        ]
        # The bench tracks the face on the kept frames only, the bedside on every frame.
        assert box(got.outline) == pytest.approx(box(seen.outline), abs=0.01)


def test_the_benchmarks_hand_channel_with_the_real_hand_landmarker(
    nod_shake_clip: Clip, face_model: Path, hand_model: Path
) -> None:
    track = handtrack.observe_hands(nod_shake_clip.path, face_model, hand_model)
    provider = TrackHands(track)
    kept = provider.kept_times(0.0, 99.0)
    assert len(kept) >= 8 * synthetic.script_duration(nod_shake_clip.script)
    assert all(np.isnan(track.hand_score).ravel())  # a hand-free face
    look = provider.look(kept[0])
    assert look is not None and look.hands == () and len(look.outline) >= 10


def observed(patient: Patient, seconds: float) -> benchdata.Observed:
    """A trace as the benchmark caches MediaPipe's output (rotations and blendshapes)."""
    trace = patient.trace(seconds)
    kept = benchdata.BLENDSHAPES_KEPT
    return benchdata.Observed(
        np.array([o.t for o in trace]),
        np.array([o.found for o in trace]),
        np.array([o.quality for o in trace]),
        np.array([o.rotation for o in trace]),
        np.array([[o.blendshapes.get(k, 0.0) for k in kept] for o in trace], dtype=np.float32),
    )


def test_the_benchmark_scores_a_recording_with_its_hand_channel() -> None:
    clip = benchdata.ClipSpec(
        "nod.mp4",
        "recording",
        "recording",
        "positive",
        (synthetic.still(8.0),),
        (benchdata.Label("nod", 3.0, 4.7),),
    )
    seen = {clip.name: observed(NOD, 8.0)}
    over = {clip.name: TrackHands(hand_track(during(2.5, 5.0, OVER_MOUTH), 8.0, (9.0, 9.0)))}
    beside = {clip.name: TrackHands(hand_track(during(0.0, 8.0, BESIDE), 8.0, (9.0, 9.0)))}

    def nods(hands: dict[str, TrackHands] | None) -> tuple[int, int]:
        report = evaluate_online([clip], seen, lambda p: GestureEngine(p), hands=hands)
        row = report["groups"]["held_out"]["gestures"]["nod"]
        return row["tp"], row["fn"]

    assert nods(None) == (1, 0)
    assert nods(beside) == (1, 0)
    assert nods(over) == (0, 1)


BROW = Patient(brow=held(3.0, 1.4, 0.6, ramp=0.08))
AT_THE_CHIN = hand_in(0.45, 0.52, 0.55, 0.7)
"""A hand at the chin and mouth, part of it inside the face's outline, all in its lower half."""
OVER_THE_EYES = hand_in(0.42, 0.3, 0.58, 0.42)
"""A hand over the forehead and the eyes."""


def test_a_brow_raise_made_with_a_hand_at_the_chin_is_kept() -> None:
    # pkgface clm_cap12 at 50.6 s: a man with his hand at his chin raises his brows. The
    # hand is over the face, but over its lower half, which the brows are not read from.
    assert inside_share(FACE, [AT_THE_CHIN]) >= HandGateParams().min_inside
    assert [e.gesture for e in run(BROW, 8.0, None)] == ["brow_raise"]
    hands = Hands(during(0.0, 8.0, AT_THE_CHIN), 8.0)
    assert [e.gesture for e in run(BROW, 8.0, hands)] == ["brow_raise"]
    assert hands.asked  # the gate looked


def test_a_brow_raise_made_with_a_hand_over_the_eyes_is_dropped() -> None:
    assert run(BROW, 8.0, Hands(during(0.0, 8.0, OVER_THE_EYES), 8.0)) == []


@pytest.mark.parametrize("patient", [NOD, BLINK], ids=["nod", "long_blink"])
def test_a_hand_at_the_chin_still_drops_what_is_not_read_from_the_upper_face(
    patient: Patient,
) -> None:
    # A hand over the mouth moves the head pose and the lids' scores (comp4989's false long
    # blink): only the brow raise is judged by the upper face alone.
    assert run(patient, 8.0, Hands(during(0.0, 8.0, AT_THE_CHIN), 8.0)) == []
