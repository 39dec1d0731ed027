"""The hand gate's live provider: recent frames in a ring buffer, hands looked for on demand.

Why: the hand landmarker costs two to three times the face landmarker per frame, which the
vision budget (at most 1.3 times MediaPipe's face alone) does not allow on every frame. So
:class:`HandWatch` only keeps frames (scaled down to ``HandGateParams.image_width``, at most
one every ``keep_every_s``, with that frame's face landmarks) for as long as the gate looks
back (``look_back_s``, 4 s), plus how late the engine may find a gesture (``late_s``, its 5 s
replay) and half a second more: about 95 small frames, 22 MB at 320 x 240, and runs the
hand landmarker on a few of them when the engine is about to report an event
(:func:`beckon.vision.handgate.gate_drops`). The per-frame path gains only the scaling of the
kept frames (about 0.2 ms, 10 times a second); the event that is checked is reported after up
to ``samples`` hand landmarker runs (30 to 70 ms each on these machines), and a held head
gesture no hand covered after up to ``busy_samples`` more.
"""

from __future__ import annotations

import bisect
import logging
import time
from collections import deque
from collections.abc import Sequence
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

from beckon.vision.handgate import Hand, HandGateParams, Look, Points, outline_of

logger = logging.getLogger(__name__)

KEEP_EXTRA_S = 0.5
"""Frames are kept this much longer than the gate looks back (``HandGateParams.look_back_s``;
the event's own frame may come a moment after the last kept one)."""


class HandFinderLike(Protocol):
    """What :class:`HandWatch` needs of :class:`beckon.vision.hands.HandFinder`."""

    def find(self, rgb: npt.NDArray[np.uint8]) -> list[Hand]: ...

    def close(self) -> None: ...


def shrink(rgb: npt.NDArray[np.uint8], width: int) -> npt.NDArray[np.uint8]:
    """``rgb`` scaled down to ``width`` pixels wide (kept as it is when already narrower)."""
    h, w = rgb.shape[:2]
    if w <= width:
        return rgb
    size = (width, round(h * width / w))
    return np.ascontiguousarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA))


class HandWatch:
    """A :class:`~beckon.vision.handgate.HandProvider` over the last seconds of camera frames.

    :meth:`push` every frame with its face's landmarks (None without a face); the engine asks
    :meth:`kept_times` and :meth:`look`. ``looked`` counts the hand landmarker's runs and
    ``look_ms`` their total wall time (for the log and the benchmark).
    """

    def __init__(
        self, finder: HandFinderLike, params: HandGateParams | None = None, late_s: float = 0.0
    ) -> None:
        self.finder = finder
        self.params = params or HandGateParams()
        self.late_s = late_s
        """How late an event may be reported after it was made (the engine's replay,
        ``EngineParams.replay_s``): frames are kept this much longer, so that the gate can
        judge a gesture found late over its own window (about 95 small frames, 22 MB, with
        the 5 s replay)."""
        self._frames: deque[tuple[float, npt.NDArray[np.uint8], Points | None]] = deque()
        """(time, scaled-down frame, the face's landmarks or None), oldest first."""
        self._looks: dict[float, Look | None] = {}
        self._last: float | None = None
        self.looked = 0
        self.look_ms = 0.0

    def close(self) -> None:
        """Release the hand landmarker."""
        self.finder.close()

    def push(self, t: float, rgb: npt.NDArray[np.uint8], face_points: Points | None) -> None:
        """Offer one frame and its face's landmarks; kept (scaled down) when due by
        ``HandGateParams.keeps``. The face's outline is computed only for a frame looked at."""
        p = self.params
        if self._last is not None and t < self._last:  # a new source: start again
            self._frames.clear()
            self._looks.clear()
            self._last = None
        if not p.keeps(t, self._last):
            return
        self._last = t
        self._frames.append((t, shrink(rgb, p.image_width), face_points))
        horizon = t - p.look_back_s - self.late_s - KEEP_EXTRA_S
        while self._frames and self._frames[0][0] < horizon:
            self._looks.pop(self._frames.popleft()[0], None)

    def kept_times(self, start: float, end: float) -> Sequence[float]:
        """Times of the kept frames with a face from ``start`` to ``end``."""
        return [t for t, _, face in self._frames if face is not None and start <= t <= end]

    def look(self, t: float) -> Look | None:
        """The face's outline and the hands on the kept frame at ``t`` (looked once; None
        without such a frame or a face on it)."""
        if t in self._looks:
            return self._looks[t]
        times = [f[0] for f in self._frames]
        i = bisect.bisect_left(times, t)
        if i >= len(times) or times[i] != t:
            return None
        _, rgb, face_points = self._frames[i]
        if face_points is None:
            return None
        start = time.perf_counter()
        hands = self.finder.find(rgb)
        ms = (time.perf_counter() - start) * 1000.0
        self.looked += 1
        self.look_ms += ms
        logger.debug("hands at t=%.2f: %d (%.0f ms)", t, len(hands), ms)
        found = Look(outline_of(face_points), tuple(hands))
        self._looks[t] = found
        return found
