"""A hand over the face: gesture events made while a hand covered the face are held back.

Why: on real signing clips (and at a bedside: a nurse's hand, the patient scratching, eating,
a mask being fitted) a hand in front of a still face bends MediaPipe's face mesh and moves its
head pose and eyelid scores, which the detectors read as nods, long blinks and held gestures.
The occlusion gate (:mod:`beckon.vision.occlusion`) infers the hand from the mesh's bend and
misses hands that leave the upper face intact; a hand detector says "hand" directly.

Running a hand landmarker on every frame costs two to three times the face landmarker, so the
gate asks only when a gesture event is about to be reported: it looks at a few frames sampled
from the gesture's window (:meth:`HandGateParams.sample`) and drops the event when enough of a
hand's landmarks lay inside the face's outline on enough of them (:func:`hand_over_face`).
The outline, not the face's box: a hand under the chin reaches into the box's lower corners
(beside the jaw) without being over the face, which a box rule cannot tell apart. Where the
answer comes from is a :class:`HandProvider`: live, :class:`beckon.vision.handwatch.HandWatch`
runs the hand landmarker on frames kept in a short ring buffer; in the benchmark, a per-frame
hand channel precomputed once per recording. This module is plain Python (no MediaPipe;
OpenCV for the outline's hull).

A second rule, "hands busy": a held head gesture (a look down or up, a turn, a tilt) or a mouth
open made while hands moved in view during the seconds before it (:func:`hands_busy`) is
dropped too. Someone whose hands are at work (a signer signing, a patient watched by a nurse
whose hands work at the bed) moves the head with them (eyes down to the hands, a turn or a tilt
with the sign, a look up as the hands come down), mouths the words signed, and is not
signalling; a patient's hand resting still on the blanket is no move and never costs a
gesture. Nods and shakes are left alone: signers nod "yes" and shake "no" while signing.
:func:`gate_drops` applies both rules.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

Points = npt.NDArray[np.float64]
"""(N, 2) points in the image's normalised coordinates (x, y: 0..1 across width and height)."""


@dataclass(frozen=True, slots=True, eq=False)
class Hand:
    """One hand found in a frame: its 21 landmarks (normalised x, y), MediaPipe's score and
    which hand MediaPipe takes it for."""

    points: Points
    score: float
    side: str = ""
    """MediaPipe's handedness label ("Left" or "Right"; "" when unknown). Only used to pair a
    hand with the same hand on another frame (:func:`hand_motion`): a still left hand and a
    still right hand found on alternate frames must not read as one hand jumping across."""


def outline_of(points: npt.NDArray[np.float64]) -> Points:
    """The face's outline: the convex hull of its landmarks (N x 2 or more columns; x and y
    are used), a few dozen vertices in order. Computed only for the frames the gate looks at."""
    hull = cv2.convexHull(np.ascontiguousarray(points[:, :2], dtype=np.float32))
    return np.asarray(hull, dtype=np.float64).reshape(-1, 2)


def inside(outline: Points, points: Points) -> npt.NDArray[np.bool_]:
    """Which ``points`` lie inside the convex ``outline`` (vertices in either order)."""
    if len(outline) < 3:
        return np.zeros(len(points), dtype=bool)
    a = outline
    b = np.roll(outline, -1, axis=0)
    # Cross product of each edge with the point, for every (point, edge) pair.
    cross = (b[None, :, 0] - a[None, :, 0]) * (points[:, None, 1] - a[None, :, 1]) - (
        b[None, :, 1] - a[None, :, 1]
    ) * (points[:, None, 0] - a[None, :, 0])
    return np.asarray((cross >= 0).all(axis=1) | (cross <= 0).all(axis=1))


def inside_share(outline: Points, hands: Sequence[Hand], above: float = math.inf) -> float:
    """The largest share of one hand's landmarks inside the face's outline (0 without hands);
    with ``above`` (an image row), only the landmarks inside it and above that row count."""
    best = 0.0
    for h in hands:
        if len(h.points):
            over = inside(outline, h.points) & (h.points[:, 1] < above)
            best = max(best, float(over.mean()))
    return best


@dataclass(frozen=True, slots=True)
class HandGateParams:
    """The hand gate's rule, defined once for the live path and the benchmark."""

    enabled: bool = True
    image_width: int = 320
    """Frames are kept (and looked at) scaled down to this width: the palm detector looks at
    192 x 192 pixels anyway, and a ring buffer of full frames would cost 0.9 MB each."""
    keep_every_s: float = 0.1
    """A frame is kept when at least this long has passed since the last kept one (10 a
    second at most, whatever the camera's rate)."""

    window_s: float = 2.0
    """The gesture's window: the frames this long before the event (a nod of 1.5 cycles at
    1 Hz, a held gesture's hold and its way there)."""
    samples: int = 4
    """How many kept frames of the window the hand landmarker looks at (evenly spread)."""
    min_inside: float = 0.05
    """A hand is over the face when at least this share of its 21 landmarks lies inside the
    face's outline (:func:`inside_share`): 0.05 is at least 2 of 21. On the four tune sets
    (session 9, ghand2's measures) no hand landmark was inside the outline on any of the 222
    kept frames around the 12 true events, signers making "no" with the hand at the chin
    included (their hand's box covered up to 0.026 of the face's box), and 2 to 11 of 21 on
    the four false events the gate removes. One landmark is let through so that a single
    fingertip at the jaw's edge (a hand under the chin, a cup, a phone) does not cost a nod."""
    min_covered: int = 2
    """The event is dropped when a hand is over the face on at least this many samples: the
    hand must stay, not flash by. The hand landmarker sometimes finds a "hand" wholly inside a
    face where there is none (a phantom: gnew ``iry_no``, a bald signer's cheek, at 0.1 s,
    0.4 to 0.6 s and 3.0 to 3.1 s; gnew ``ed_expression_source``, talkhead ``lp_d9``), and
    with one sample enough a real shake was kept only because its window began 3 ms after
    the phantom (session 34): any change to when a shake completes lost it. A phantom lasts
    0.1 to 0.3 s, less than the samples' spacing (0.67 s), so it falls on one sample at most.
    A hand that makes a false nod or long blink of a still face stays over it: on the tune
    sets (session 34) the three such events the gate drops had a hand on 3 or 4 of 4 samples
    (12 to 20 of the window's kept frames); the false held head gestures it dropped with a
    hand on one sample only (fslsign ``snake``, ``lion``, ``strawberry``, signtune ``is_you``,
    gnew ``lsm_obvio``) are all dropped by :func:`hands_busy` too. The cost: a real hand
    over the face for under a second of a nod's window (fslsign ``lion``'s 1 s: 10 of 20 kept
    frames, one of 4 samples) no longer drops a nod or a long blink by itself. Two limits of a
    count: a window with a single kept frame with a face (a hand that hid the face for the rest
    of it) can drop nothing, and when the face was kept only for the end of the window the
    samples lie closer than 0.67 s, so a phantom can fall on two."""
    upper_face_gestures: tuple[str, ...] = ("brow_raise",)
    """The gestures read from the upper face only: for them a hand counts only where it is
    over the upper face (above ``upper_face_share`` of the outline's height). A hand at the
    chin or the mouth cannot raise the brows: pkgface ``clm_cap12``'s brow raise at 50.6 s,
    made with a hand at the chin (2 to 3 of 21 landmarks inside the outline, all 0.89 to 0.92
    of its height down), was dropped. Not a long blink: a hand over the mouth (0.57 down) made
    comp4989 ``thank_you_4``'s false long blink."""
    upper_face_share: float = 0.5
    """Where the upper face ends, as a share of the outline's height from its top (the brows
    at about 0.3, the eyes 0.4, the nose's tip 0.6)."""

    moving_gestures: tuple[str, ...] = (
        "look_down",
        "look_up",
        "turn_left",
        "turn_right",
        "tilt_left",
        "tilt_right",
        "mouth_open",
    )
    """The gestures also dropped when hands moved in view before them (:func:`hands_busy`):
    the held head gestures, and the mouth open (session 30, below). Session 10 dropped a look
    down (signers glancing down at their own signing hands). On fslsign (one signer, 11.7 min,
    all negatives) 11 of main's 13 false events are held head gestures, 9 of them with hands
    in view: looks down to the hands, turns with the sign, and looks up at a clip's end as the
    hands come down (the hands moved in the seconds before and are leaving view: nothing moves
    in the gesture's own 2 s, which is why the window is longer, ``busy_window_s``). No
    labelled held gesture on the tune sets is made with hands in view but pkgface
    ``clm_cap12``'s brow raise (a hand resting at the chin). Tilts are in as the same family
    (no tune clip has one with hands in view, true or false). Left out: nods and shakes
    (comp4989's true sign-language "yes" nods are made with the hands moving 0.45 to 0.83 over
    the same window, "no" shakes 0.12 to 0.25: no bar keeps them), the long blink (fslsign
    ``turtle``'s smile squint, hands moving 0.27, is the only false one; a long blink is what
    a patient with no head control is left with) and the brow raise (read from the face, not
    the head; no false one on a signing set). The mouth open was left out with the brows until
    session 30: signers mouth the words they sign, and gnew ``sb_no``'s two false mouth opens
    (a signer mouthing "no", held 0.8 and 0.6 s, the jaw 0.46 and 0.39 over rest) came with
    hands moving 0.94 and 1.02 in the 4 s before. Every true mouth open of the tune sets
    (talkhead ``lp_d18``, pkgface ``clm_cap12`` and ``clm_cap13``: 10) has no hand in view.
    The cost, as for the head gestures: a patient's mouth open while someone's hands work in
    view is dropped (a carer is then at the bed)."""
    busy_window_s: float = 4.0
    """How far back :func:`hands_busy` looks for moving hands: two gesture windows. The
    signer's head follows the sign with a delay: fslsign's looks up come as the hands leave
    view (nothing moves in the last 2 s, 0.29 to 2.14 over 4 s), and the look down at
    ``water_bottle`` 6.40 s after the hands stopped (0.05 over 2 s, 1.20 over 4 s)."""
    busy_samples: int = 10
    """How many kept frames of ``busy_window_s`` :func:`hands_busy` looks at (evenly spread,
    about 0.44 s apart; the hand landmarker runs on each, only for the events of
    ``moving_gestures`` no hand covered). Fewer samples catch a moving hand by the luck of
    where they fall: with each event's window shifted by -0.3 to +0.3 s (7 shifts), 10
    samples caught every false held head gesture with hands in view on fslsign, signtune and
    comp4989 at every shift; 8 missed fslsign ``hello``, ``snack``, ``erasers`` and signtune
    ``is_stomach`` at one shift or more, and the 4 samples of the gesture's own 2 s (the
    session 10 rule) none of fslsign's looks up."""
    min_moving: float = 0.2
    """Hands move in view when a hand's landmarks travel at least this far (median, in face
    widths and heights) between two samples (:func:`hands_moving`). Set in session 10 on
    consecutive samples 0.67 s apart: hands held still read 0.00 to 0.07 on the tune clips'
    25 events (a patient's hand resting on the blanket must never cost a gesture), the
    signers' glances down at moving hands 0.33 to 1.44; a lost call costs more than a false
    one, so the bar sits nearer the moves. Over the busy window (any two of 10 samples): a
    hand resting at the chin 0.14 (pkgface ``clm_cap12``, the only true event of the tune
    sets with a hand in view but comp4989's nods and shakes), the false held head gestures
    with hands in view 0.24 to 2.14."""

    def keeps(self, t: float, last_kept: float | None) -> bool:
        """Whether a frame at ``t`` is kept, the last kept frame being at ``last_kept``."""
        return last_kept is None or t - last_kept >= self.keep_every_s - 1e-6

    def sample(self, kept: Sequence[float], count: int | None = None) -> list[float]:
        """``count`` (default ``samples``) of the kept frames' times (in order), evenly spread
        from first to last."""
        n = self.samples if count is None else count
        if len(kept) <= n:
            return list(kept)
        picks = np.linspace(0, len(kept) - 1, n).round().astype(int)
        return [kept[i] for i in sorted(set(picks.tolist()))]

    @property
    def look_back_s(self) -> float:
        """How far back the gate looks: the longer of its two windows (what a live provider
        must keep)."""
        return max(self.window_s, self.busy_window_s)


@dataclass(frozen=True, slots=True, eq=False)
class Look:
    """What the hand landmarker saw on one kept frame: the face's outline and the hands."""

    outline: Points
    hands: tuple[Hand, ...]


class HandProvider(Protocol):
    """Where the hand gate's answers come from: the kept frames and the hands on each."""

    def kept_times(self, start: float, end: float) -> Sequence[float]:
        """Times of the kept frames with a face from ``start`` to ``end`` (inclusive), in order."""
        ...

    def look(self, t: float) -> Look | None:
        """The face's outline and the hands on the kept frame at ``t`` (None: no such frame or
        no face on it)."""
        ...


def looks_at(
    t: float, provider: HandProvider, params: HandGateParams, busy: bool = False
) -> Iterator[Look]:
    """The sampled kept frames of the window of a gesture reported at ``t`` (``busy``: of the
    longer window of :func:`hands_busy`), looked at one by one (lazily: the caller may stop
    early)."""
    window, count = (params.busy_window_s, params.busy_samples) if busy else (params.window_s, None)
    for when in params.sample(provider.kept_times(t - window, t), count):
        look = provider.look(when)
        if look is not None:
            yield look


def covers(look: Look, params: HandGateParams, upper_only: bool = False) -> bool:
    """Whether a hand is over the face on ``look`` (:attr:`HandGateParams.min_inside`); with
    ``upper_only``, over its upper part (:attr:`HandGateParams.upper_face_share`)."""
    above = math.inf
    if upper_only:
        top = float(look.outline[:, 1].min())
        bottom = float(look.outline[:, 1].max())
        above = top + params.upper_face_share * (bottom - top)
    return inside_share(look.outline, look.hands, above) >= params.min_inside


def hand_over_face(
    t: float, provider: HandProvider, params: HandGateParams, upper_only: bool = False
) -> bool:
    """Whether a hand covered the face during the window of a gesture reported at ``t``
    (``upper_only``: the upper face, see :attr:`HandGateParams.upper_face_gestures`).

    Looks at ``params.samples`` kept frames of the window (stopping as soon as the answer is
    yes) and says yes when a hand was over the face (:func:`covers`) on at least
    ``min_covered`` of them. No kept frame with a face: no.
    """
    covered = 0
    for look in looks_at(t, provider, params):
        if covers(look, params, upper_only):
            covered += 1
            if covered >= params.min_covered:
                return True
    return False


def face_size(outline: Points) -> tuple[float, float]:
    """The width and height of the face's outline's box (normalised)."""
    lo = outline.min(axis=0)
    hi = outline.max(axis=0)
    return float(hi[0] - lo[0]), float(hi[1] - lo[1])


def hand_motion(a: Look, b: Look) -> float:
    """How far a hand moved in the image from kept frame ``a`` to kept frame ``b``.

    Each hand of ``b`` is paired with the nearest hand of ``a`` of the same side (either side
    unknown: any), and its move is the median distance its 21 landmarks travelled, x in face
    widths and y in face heights (the two frames' faces averaged): the median, so that
    fingers flickering on a still hand (MediaPipe's landmarks of a curled hand jump) do not
    count. The largest over ``b``'s hands; 0 when either frame has no hand, so a hand coming
    into or leaving view is no move (nor a resting hand the detector finds on one frame and
    misses on the next).
    """
    wa, ha = face_size(a.outline)
    wb, hb = face_size(b.outline)
    scale = np.array([(wa + wb) / 2.0, (ha + hb) / 2.0])
    if not (scale > 0).all():
        return 0.0
    best = 0.0
    for hand in b.hands:
        mates = [h for h in a.hands if not (h.side and hand.side) or h.side == hand.side]
        moves = [
            float(np.median(np.linalg.norm((hand.points - h.points) / scale, axis=1)))
            for h in mates
            if h.points.shape == hand.points.shape
        ]
        if moves:
            best = max(best, min(moves))
    return best


def hands_moving(looks: Iterable[Look], params: HandGateParams) -> bool:
    """Whether a hand moved in view by at least ``params.min_moving`` (:func:`hand_motion`)
    between any two of ``looks``, looked at lazily (stops at the first such move).

    Any two, not only consecutive ones: how far the hand's positions spread over the window,
    so that more (closer) samples never hide a slow move that each pair sees only part of.
    """
    before: list[Look] = []
    for look in looks:
        if any(hand_motion(a, look) >= params.min_moving for a in before):
            return True
        before.append(look)
    return False


def hands_busy(t: float, provider: HandProvider, params: HandGateParams) -> bool:
    """Whether hands moved in view during the ``busy_window_s`` before a gesture reported at
    ``t`` (:func:`hands_moving` on ``busy_samples`` kept frames of that window)."""
    return hands_moving(looks_at(t, provider, params, busy=True), params)


def gate_drops(gesture: str, t: float, provider: HandProvider, params: HandGateParams) -> str:
    """Why the hand gate drops ``gesture`` reported at ``t`` ("" when it is kept).

    A hand over the face during the gesture's window (:func:`hand_over_face`), any gesture
    (over the upper face, for ``params.upper_face_gestures``);
    or, for the gestures of ``params.moving_gestures`` only, hands moving in view during the
    seconds before (:func:`hands_busy`): a head moving with hands at work (a signer's
    signing, a nurse's hands at the bed), not signalling.
    """
    if hand_over_face(t, provider, params, gesture in params.upper_face_gestures):
        return "a hand covered the face"
    if gesture in params.moving_gestures and hands_busy(t, provider, params):
        return "hands moving in view"
    return ""
