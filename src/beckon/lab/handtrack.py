"""The hand channel of a real recording, for the hand gate in ``beckon bench gestures``.

Why precomputed: live, the hand gate runs the hand landmarker only on a few frames of a
candidate event's window (:mod:`beckon.vision.handwatch`); the benchmark replays cached face
observations without frames, so it reads the same answers from a channel computed once per
recording and cached by the video's bytes and both models. Each kept frame goes through a
live :class:`~beckon.vision.handwatch.HandWatch` and is looked at at once, so the keeping,
the scaling and the outline are the bedside's own (``tests/vision/test_vision_handgate.py``
runs both on one video). On each kept frame: the face's outline from the face tracker run on
the kept frames (live it runs on every frame; on three tune clips the face's box edges differ
by a median 0.002 to 0.013 and at most 0.05 of the face's width) and the landmarks of the
hands the hand landmarker finds (IMAGE mode) on the frame scaled as the ring buffer keeps it.
The rule itself (:func:`beckon.vision.handgate.gate_drops`) runs at evaluation time on the
frames the gate would have sampled.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from beckon.vision.handgate import Hand, HandGateParams, Look, Points
from beckon.vision.handwatch import HandFinderLike, HandWatch

logger = logging.getLogger(__name__)

HAND_TRACK_VERSION = "hands3"
"""Part of the cache key: what :func:`observe_hands` keeps per frame (hands2: the face's
outline and the hands' landmarks instead of boxes; hands3: and each hand's side, for the
moving-hands rule). A new version makes new cache entries beside the old ones."""
SIDES = ("", "Left", "Right")
"""A hand's side (:attr:`Hand.side`) as cached: its index in this tuple."""
MAX_HANDS = 2
HAND_POINTS = 21
"""MediaPipe's hand landmarks per hand."""


@dataclass
class HandTrack:
    """Per kept frame of a recording: the face's outline and up to two hands' landmarks and
    scores."""

    t: npt.NDArray[np.float64]
    """(N,) the kept frames' times."""
    face_outline: npt.NDArray[np.float64]
    """(N, K, 2) normalised: the outline's vertices (:func:`outline_of`), padded with NaN to
    the longest outline of the recording; all NaN where no face was found."""
    hand_points: npt.NDArray[np.float64]
    """(N, MAX_HANDS, HAND_POINTS, 2) normalised; NaN where no hand (or no face: the hands are
    not looked for)."""
    hand_score: npt.NDArray[np.float64]
    """(N, MAX_HANDS); NaN where no hand."""
    hand_side: npt.NDArray[np.int8] | None = None
    """(N, MAX_HANDS) each hand's side, an index into :data:`SIDES` (0: unknown or no hand);
    None in channels cached before sides were kept."""

    def sides(self) -> npt.NDArray[np.int8]:
        """:attr:`hand_side`, all unknown when it was not kept."""
        if self.hand_side is not None:
            return self.hand_side
        return np.zeros(self.hand_score.shape, dtype=np.int8)

    def face_at(self, i: int) -> Points | None:
        """Frame ``i``'s face outline, or None."""
        rows = self.face_outline[i]
        rows = rows[np.isfinite(rows).all(axis=1)]
        return rows if len(rows) else None

    def hands_at(self, i: int) -> list[Hand]:
        """Frame ``i``'s hands."""
        out = []
        for k in range(self.hand_points.shape[1]):
            points = self.hand_points[i, k]
            if np.isfinite(points).all():
                side = SIDES[int(self.sides()[i, k])]
                out.append(Hand(points, float(self.hand_score[i, k]), side))
        return out


def entry_name(video: bytes, face_model: bytes, hand_model: bytes, params: HandGateParams) -> str:
    """The cache file name of a recording's hand channel."""
    sha = hashlib.sha256(face_model + hand_model).hexdigest()[:12]
    salt = f"{sha}{HAND_TRACK_VERSION}w{params.image_width}k{params.keep_every_s}".encode()
    return "hands-" + hashlib.sha256(video + salt).hexdigest()[:20] + ".npz"


def observe_hands(
    path: Path,
    face_model: Path,
    hand_model: Path,
    params: HandGateParams | None = None,
    finder: HandFinderLike | None = None,
) -> HandTrack:
    """Face outline (the bench's face tracker, crop retry included) and hands of the kept
    frames (:meth:`HandGateParams.keeps`).

    Each kept frame goes through a live :class:`~beckon.vision.handwatch.HandWatch` and is
    looked at at once, so the frames kept, their scaling, the face's outline and the hands
    are the bedside's by construction, not by a second copy of its rules. ``finder``
    replaces the hand landmarker (tests); by default one is built from ``hand_model``.
    """

    from beckon.lab.recordings import bench_sized
    from beckon.vision.face import FaceTracker
    from beckon.vision.frames import VideoFileSource
    from beckon.vision.hands import HandFinder

    p = params or HandGateParams()
    looks: list[tuple[float, Look | None]] = []
    last: float | None = None
    with ExitStack() as stack:
        tracker = stack.enter_context(FaceTracker(face_model))
        source = stack.enter_context(VideoFileSource(path))
        if finder is None:
            finder = stack.enter_context(HandFinder(hand_model, max_hands=MAX_HANDS))
        watch = HandWatch(finder, p)
        for frame in source:
            if not p.keeps(frame.t, last):
                continue
            last = frame.t
            frame = bench_sized(frame)
            obs = tracker.observe(frame)
            watch.push(obs.t, frame.rgb, obs.face_points)
            looks.append((obs.t, watch.look(obs.t)))
    return track_of(looks)


def track_of(looks: Sequence[tuple[float, Look | None]]) -> HandTrack:
    """A hand channel from each kept frame's time and look (None: no face on it)."""
    longest = max((len(look.outline) for _, look in looks if look is not None), default=0)
    n = len(looks)
    faces = np.full((n, longest, 2), np.nan)
    points = np.full((n, MAX_HANDS, HAND_POINTS, 2), np.nan)
    scores = np.full((n, MAX_HANDS), np.nan)
    sides = np.zeros((n, MAX_HANDS), dtype=np.int8)
    for i, (_, look) in enumerate(looks):
        if look is None:
            continue
        faces[i, : len(look.outline)] = look.outline
        for k, h in enumerate(look.hands[:MAX_HANDS]):
            points[i, k], scores[i, k] = h.points[:, :2], h.score
            sides[i, k] = SIDES.index(h.side) if h.side in SIDES else 0
    return HandTrack(
        np.array([t for t, _ in looks], dtype=np.float64), faces, points, scores, sides
    )


def load(path: Path) -> HandTrack | None:
    """A cached hand channel, or None."""
    try:
        with np.load(path) as z:
            return HandTrack(
                z["t"], z["face_outline"], z["hand_points"], z["hand_score"], z["hand_side"]
            )
    except (OSError, KeyError, ValueError):
        return None


def save(path: Path, track: HandTrack) -> None:
    """Cache a hand channel (atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(
        tmp,
        t=track.t,
        face_outline=track.face_outline,
        hand_points=track.hand_points,
        hand_score=track.hand_score,
        hand_side=track.sides(),
    )
    tmp.replace(path)


def hand_track(
    video: Path,
    face_model: Path,
    hand_model: Path,
    cache_folder: Path,
    params: HandGateParams | None = None,
) -> HandTrack:
    """The hand channel of ``video``, from the cache or observed now (and cached)."""
    p = params or HandGateParams()
    entry = cache_folder / entry_name(
        video.read_bytes(), face_model.read_bytes(), hand_model.read_bytes(), p
    )
    got = load(entry) if entry.is_file() else None
    if got is None:
        logger.info("looking for hands in %s", video)
        got = observe_hands(video, face_model, hand_model, p)
        save(entry, got)
    return got


class TrackHands:
    """A :class:`~beckon.vision.handgate.HandProvider` reading a precomputed hand channel:
    the same kept frames and the same answers the live :class:`HandWatch` would give."""

    def __init__(self, track: HandTrack) -> None:
        self.track = track
        self._with_face = np.any(np.all(np.isfinite(track.face_outline), axis=2), axis=1)
        self.looked = 0
        """How many kept frames the gate asked about (the live hand landmarker's runs)."""

    def kept_times(self, start: float, end: float) -> list[float]:
        """Times of the kept frames with a face from ``start`` to ``end``."""
        t = self.track.t
        sel = self._with_face & (t >= start) & (t <= end)
        return [float(x) for x in t[sel]]

    def look(self, t: float) -> Look | None:
        """The face's outline and the hands on the kept frame at ``t`` (None without such a
        frame or a face on it)."""
        i = int(np.searchsorted(self.track.t, t))
        if i >= len(self.track.t) or self.track.t[i] != t:
            return None
        face = self.track.face_at(i)
        if face is None:
            return None
        self.looked += 1
        return Look(face, tuple(self.track.hands_at(i)))
