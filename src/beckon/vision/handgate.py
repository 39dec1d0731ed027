"""A hand over the face: gesture events made while a hand covered the face are held back.

Why: on real signing clips (and at a bedside: a nurse's hand, the patient scratching, eating,
a mask being fitted) a hand in front of a still face bends MediaPipe's face mesh and moves its
head pose and eyelid scores, which the detectors read as nods, long blinks and held gestures.
The occlusion gate (:mod:`beckon.vision.occlusion`) infers the hand from the mesh's bend and
misses hands that leave the upper face intact; a hand detector says "hand" directly.

Running a hand landmarker on every frame costs two to three times the face landmarker, so the
gate asks only when a gesture event is about to be reported: it looks at a few frames sampled
from the gesture's window (:meth:`HandGateParams.sample_times`) and drops the event when a hand
covered enough of the face on enough of them (:func:`hand_over_face`). Where the answer comes
from is a :class:`HandProvider`: live, :class:`beckon.vision.handwatch.HandWatch` runs the hand
landmarker on frames kept in a short ring buffer; in the benchmark, a per-frame hand channel
precomputed once per recording. This module is plain Python (no MediaPipe).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

Box = tuple[float, float, float, float]
"""(x0, y0, x1, y1) in the image's normalised coordinates (0..1 across width and height)."""


@dataclass(frozen=True, slots=True)
class HandBox:
    """One hand found in a frame: the box around its 21 landmarks, and MediaPipe's score."""

    box: Box
    score: float


def box_of(points: npt.NDArray[np.float64]) -> Box:
    """The box around normalised landmarks (N x 2 or more columns; x and y are used)."""
    xs, ys = points[:, 0], points[:, 1]
    return (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))


def cover_share(face: Box, hands: Sequence[HandBox]) -> float:
    """The largest share of the face's box that one hand's box covers (0 without hands)."""
    fx0, fy0, fx1, fy1 = face
    area = max(fx1 - fx0, 1e-9) * max(fy1 - fy0, 1e-9)
    best = 0.0
    for h in hands:
        hx0, hy0, hx1, hy1 = h.box
        w = min(fx1, hx1) - max(fx0, hx0)
        hgt = min(fy1, hy1) - max(fy0, hy0)
        if w > 0 and hgt > 0:
            best = max(best, w * hgt / area)
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
    min_cover: float = 0.05
    """A hand is over the face when its box covers at least this share of the face's box."""
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
    """Where the hand gate's answers come from: the kept frames and a hand's cover of each."""

    def kept_times(self, start: float, end: float) -> Sequence[float]:
        """Times of the kept frames with a face from ``start`` to ``end`` (inclusive), in order."""
        ...

    def cover(self, t: float) -> float:
        """The share of the face's box that a hand covers on the kept frame at ``t``."""
        ...


def hand_over_face(t: float, provider: HandProvider, params: HandGateParams) -> bool:
    """Whether a hand covered the face during the window of a gesture reported at ``t``.

    Looks at ``params.samples`` kept frames of the window (stopping as soon as the answer is
    known) and says yes when the hand covered at least ``min_cover`` of the face on at least
    ``min_covered`` of them. No kept frame with a face: no.
    """
    picks = params.sample(provider.kept_times(t - params.window_s, t))
    covered = 0
    for i, when in enumerate(picks):
        if provider.cover(when) >= params.min_cover:
            covered += 1
            if covered >= params.min_covered:
                return True
        if covered + len(picks) - i - 1 < params.min_covered:
            return False
    return False
