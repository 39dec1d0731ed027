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
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
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
    """One hand found in a frame: its 21 landmarks (normalised x, y) and MediaPipe's score."""

    points: Points
    score: float


def outline_of(points: npt.NDArray[np.float64]) -> Points:
    """The face's outline: the convex hull of its landmarks (N x 2 or more columns; x and y
    are used), a few dozen vertices in order. Computed only for the frames the gate keeps."""
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


def inside_share(outline: Points, hands: Sequence[Hand]) -> float:
    """The largest share of one hand's landmarks inside the face's outline (0 without hands)."""
    best = 0.0
    for h in hands:
        if len(h.points):
            best = max(best, float(inside(outline, h.points).mean()))
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
    min_covered: int = 1
    """The event is dropped when the hand is over the face on at least this many samples."""

    def keeps(self, t: float, last_kept: float | None) -> bool:
        """Whether a frame at ``t`` is kept, the last kept frame being at ``last_kept``."""
        return last_kept is None or t - last_kept >= self.keep_every_s - 1e-6

    def sample(self, kept: Sequence[float]) -> list[float]:
        """``samples`` of the kept frames' times (in order), evenly spread from first to last."""
        if len(kept) <= self.samples:
            return list(kept)
        picks = np.linspace(0, len(kept) - 1, self.samples).round().astype(int)
        return [kept[i] for i in sorted(set(picks.tolist()))]


class HandProvider(Protocol):
    """Where the hand gate's answers come from: the kept frames and how far a hand is inside
    the face on each."""

    def kept_times(self, start: float, end: float) -> Sequence[float]:
        """Times of the kept frames with a face from ``start`` to ``end`` (inclusive), in order."""
        ...

    def inside(self, t: float) -> float:
        """The largest share of a hand's landmarks inside the face's outline on the kept frame
        at ``t`` (:func:`inside_share`)."""
        ...


def hand_over_face(t: float, provider: HandProvider, params: HandGateParams) -> bool:
    """Whether a hand covered the face during the window of a gesture reported at ``t``.

    Looks at ``params.samples`` kept frames of the window (stopping as soon as the answer is
    known) and says yes when at least ``min_inside`` of a hand's landmarks were inside the
    face's outline on at least
    ``min_covered`` of them. No kept frame with a face: no.
    """
    picks = params.sample(provider.kept_times(t - params.window_s, t))
    covered = 0
    for i, when in enumerate(picks):
        if provider.inside(when) >= params.min_inside:
            covered += 1
            if covered >= params.min_covered:
                return True
        if covered + len(picks) - i - 1 < params.min_covered:
            return False
    return False
