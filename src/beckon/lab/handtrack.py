"""The hand channel of a real recording, for the hand gate in ``beckon bench gestures``.

Why precomputed: live, the hand gate runs the hand landmarker only on a few frames of a
candidate event's window (:mod:`beckon.vision.handwatch`); the benchmark replays cached face
observations without frames, so it reads the same answers from a channel computed once per
recording and cached by the video's bytes and both models. The channel holds the frames the
live ring buffer would keep (:meth:`HandGateParams.keeps`): on each, the face's box from the
face tracker run on those frames (live it runs on every frame; on three tune clips the box
edges differ by a median 0.002 to 0.013 and at most 0.05 of the face's width) and
the hands the hand landmarker finds (IMAGE mode) on the frame scaled as the ring buffer keeps
it. The rule itself (:func:`beckon.vision.handgate.hand_over_face`) runs at evaluation time
on the frames the gate would have sampled.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from beckon.vision.handgate import Box, HandBox, HandGateParams, cover_share

logger = logging.getLogger(__name__)

HAND_TRACK_VERSION = "hands1"
"""Part of the cache key: what :func:`observe_hands` keeps per frame."""
MAX_HANDS = 2


@dataclass
class HandTrack:
    """Per kept frame of a recording: the face's box and up to two hands' boxes and scores."""

    t: npt.NDArray[np.float64]
    """(N,) the kept frames' times."""
    face_box: npt.NDArray[np.float64]
    """(N, 4) normalised (x0, y0, x1, y1); NaN where no face was found."""
    hand_box: npt.NDArray[np.float64]
    """(N, MAX_HANDS, 4); NaN where no hand (or no face: the hands are not looked for)."""
    hand_score: npt.NDArray[np.float64]
    """(N, MAX_HANDS); NaN where no hand."""

    def face_at(self, i: int) -> Box | None:
        """Frame ``i``'s face box, or None."""
        row = self.face_box[i]
        if not np.isfinite(row).all():
            return None
        return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))

    def hands_at(self, i: int) -> list[HandBox]:
        """Frame ``i``'s hands."""
        out = []
        for k in range(self.hand_box.shape[1]):
            row = self.hand_box[i, k]
            if np.isfinite(row).all():
                box = (float(row[0]), float(row[1]), float(row[2]), float(row[3]))
                out.append(HandBox(box, float(self.hand_score[i, k])))
        return out


def entry_name(video: bytes, face_model: bytes, hand_model: bytes, params: HandGateParams) -> str:
    """The cache file name of a recording's hand channel."""
    sha = hashlib.sha256(face_model + hand_model).hexdigest()[:12]
    salt = f"{sha}{HAND_TRACK_VERSION}w{params.image_width}k{params.keep_every_s}".encode()
    return "hands-" + hashlib.sha256(video + salt).hexdigest()[:20] + ".npz"


def observe_hands(
    path: Path, face_model: Path, hand_model: Path, params: HandGateParams | None = None
) -> HandTrack:
    """Face box (the bench's face tracker, crop retry included) and hands of the kept frames
    (:meth:`HandGateParams.keeps`)."""

    from beckon.lab.recordings import bench_sized
    from beckon.vision.face import FaceTracker
    from beckon.vision.frames import VideoFileSource
    from beckon.vision.hands import HandFinder
    from beckon.vision.handwatch import shrink

    p = params or HandGateParams()
    ts: list[float] = []
    faces: list[list[float]] = []
    boxes: list[list[list[float]]] = []
    scores: list[list[float]] = []
    nan4 = [np.nan] * 4
    last: float | None = None
    with (
        FaceTracker(face_model) as tracker,
        HandFinder(hand_model, max_hands=MAX_HANDS) as finder,
        VideoFileSource(path) as source,
    ):
        for frame in source:
            if not p.keeps(frame.t, last):
                continue
            last = frame.t
            frame = bench_sized(frame)
            obs = tracker.observe(frame)
            ts.append(obs.t)
            hands: list[HandBox] = []
            if obs.face_box is not None:
                faces.append(list(obs.face_box))
                hands = finder.find(shrink(frame.rgb, p.image_width))[:MAX_HANDS]
            else:
                faces.append(nan4)
            boxes.append([list(h.box) for h in hands] + [nan4] * (MAX_HANDS - len(hands)))
            scores.append([h.score for h in hands] + [np.nan] * (MAX_HANDS - len(hands)))
    return HandTrack(
        np.array(ts, dtype=np.float64),
        np.array(faces, dtype=np.float64).reshape(-1, 4),
        np.array(boxes, dtype=np.float64).reshape(-1, MAX_HANDS, 4),
        np.array(scores, dtype=np.float64).reshape(-1, MAX_HANDS),
    )


def load(path: Path) -> HandTrack | None:
    """A cached hand channel, or None."""
    try:
        with np.load(path) as z:
            return HandTrack(z["t"], z["face_box"], z["hand_box"], z["hand_score"])
    except (OSError, KeyError, ValueError):
        return None


def save(path: Path, track: HandTrack) -> None:
    """Cache a hand channel (atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(
        tmp,
        t=track.t,
        face_box=track.face_box,
        hand_box=track.hand_box,
        hand_score=track.hand_score,
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
        self._with_face = np.isfinite(track.face_box).all(axis=1)
        self.looked = 0
        """How many kept frames the gate asked about (the live hand landmarker's runs)."""

    def kept_times(self, start: float, end: float) -> list[float]:
        """Times of the kept frames with a face from ``start`` to ``end``."""
        t = self.track.t
        sel = self._with_face & (t >= start) & (t <= end)
        return [float(x) for x in t[sel]]

    def cover(self, t: float) -> float:
        """The share of the face's box a hand covers on the kept frame at ``t``."""
        i = int(np.searchsorted(self.track.t, t))
        if i >= len(self.track.t) or self.track.t[i] != t:
            return 0.0
        face = self.track.face_at(i)
        if face is None:
            return 0.0
        self.looked += 1
        return cover_share(face, self.track.hands_at(i))
