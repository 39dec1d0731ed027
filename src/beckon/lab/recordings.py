"""Real recordings for ``beckon bench gestures --recordings DIR``: videos plus a labels file.

Why: synthetic footage, however wide, is still our own rendering. Anyone with consented
recordings (or the public clips listed in ``docs/gestures.md``) can measure the detectors on
real faces with this. The folder holds the videos and one ``labels.toml``::

    [[clip]]
    file = "nod_person1.mp4"      # path relative to the folder
    kind = "positive"             # "positive" (has gestures) or "negative" (none may fire)
    gestures = [                  # what the person did, seconds from the clip's start
      { gesture = "nod", start = 1.2, end = 3.0 },
    ]
    # optional:
    # source = "github:owner/repo path/in/repo.mp4 (licence)"
    # conditions = { face = "70-90px", fps = "30fps" }

A ``negative`` clip has no gestures; every event on it is a false event. Gesture names are
those of ``beckon replay --json``. Each video is run once through MediaPipe and the result is
cached like the synthetic footage (keyed by the file's bytes), then evaluated exactly like the
widened recipe: default profile, neutral pose learned on line.
"""

from __future__ import annotations

import hashlib
import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from beckon.errors import BeckonError
from beckon.lab import benchdata
from beckon.profile import GESTURES

if TYPE_CHECKING:
    from beckon.vision.frames import Frame

logger = logging.getLogger(__name__)

LABELS_FILE = "labels.toml"


@dataclass(frozen=True)
class Recording:
    """One labelled video of a recordings folder."""

    path: Path
    kind: str
    labels: tuple[benchdata.Label, ...]
    source: str = ""
    conditions: tuple[tuple[str, str], ...] = ()


def load_labels(folder: Path) -> list[Recording]:
    """Read ``folder/labels.toml``; raises :class:`BeckonError` naming what is wrong."""
    path = folder / LABELS_FILE
    if not path.is_file():
        raise BeckonError(
            f"no {LABELS_FILE} in {folder}",
            "write one (see docs/gestures.md, 'Scoring real recordings') next to the videos",
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise BeckonError(f"{path} is not valid TOML: {exc}", "fix the syntax") from exc
    clips = raw.get("clip")
    if not isinstance(clips, list) or not clips:
        raise BeckonError(f"{path} has no [[clip]] entries", "add one [[clip]] per video")
    out: list[Recording] = []
    for i, entry in enumerate(clips):
        where = f"{path}: clip {i + 1}"
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise BeckonError(f'{where} has no file = "..."', "name the video file")
        video = folder / entry["file"]
        if not video.is_file():
            raise BeckonError(f"{where}: {video} not found", "put the video in the folder")
        kind = entry.get("kind", "positive")
        if kind not in ("positive", "negative"):
            raise BeckonError(f"{where}: kind is {kind!r}", 'use "positive" or "negative"')
        labels: list[benchdata.Label] = []
        for g in entry.get("gestures", []):
            name, start, end = g.get("gesture"), g.get("start"), g.get("end")
            if name not in GESTURES:
                raise BeckonError(
                    f"{where}: unknown gesture {name!r}", f"use one of {', '.join(GESTURES)}"
                )
            if not isinstance(start, int | float) or not isinstance(end, int | float):
                raise BeckonError(f"{where}: {name} needs numeric start and end", "in seconds")
            if not 0 <= start < end:
                raise BeckonError(f"{where}: {name} has start {start}, end {end}", "start < end")
            labels.append(benchdata.Label(name, float(start), float(end)))
        if kind == "negative" and labels:
            raise BeckonError(f"{where}: a negative clip lists gestures", "remove them")
        conditions = entry.get("conditions", {})
        out.append(
            Recording(
                video,
                kind,
                tuple(labels),
                str(entry.get("source", "")),
                tuple(sorted((str(k), str(v)) for k, v in conditions.items())),
            )
        )
    return out


OBSERVED_VERSION = "+deformation"
"""Part of a recording's cache key: what :func:`observe_video` keeps per frame."""

MAX_WIDTH = 640
"""Larger videos are scaled down to the bedside camera's width, so face sizes compare."""


def bench_sized(frame: Frame) -> Frame:
    """``frame`` scaled down to :data:`MAX_WIDTH` when it is wider (the bedside camera's width)."""
    if frame.width <= MAX_WIDTH:
        return frame
    import cv2

    from beckon.vision.frames import Frame

    size = (MAX_WIDTH, round(frame.height * MAX_WIDTH / frame.width))
    small = cv2.resize(frame.rgb, size, interpolation=cv2.INTER_AREA)
    return Frame(frame.index, frame.t, np.ascontiguousarray(small))


def observe_video(path: Path, model_path: Path, *, small_face: bool = True) -> benchdata.Observed:
    """Run MediaPipe over every frame of a video file (timestamps from the file), with the
    crop retry for frames without a face unless ``small_face`` is False."""
    from beckon.vision.face import FaceTracker
    from beckon.vision.frames import VideoFileSource
    from beckon.vision.smallface import SmallFaceParams

    ts, found, quality, rots, shapes, bent, crop = [], [], [], [], [], [], []
    with (
        FaceTracker(model_path, small_face=SmallFaceParams(enabled=small_face)) as tracker,
        VideoFileSource(path) as source,
    ):
        for frame in source:
            frame = bench_sized(frame)
            obs = tracker.observe(frame)
            ts.append(obs.t)
            found.append(obs.found)
            quality.append(obs.quality)
            rots.append(obs.rotation if obs.rotation is not None else np.eye(3))
            shapes.append([obs.blendshapes.get(k, 0.0) for k in benchdata.BLENDSHAPES_KEPT])
            bent.append(np.nan if obs.deformation is None else obs.deformation)
            crop.append(tracker.found_in_crop)
    return benchdata.Observed(
        np.array(ts),
        np.array(found, dtype=bool),
        np.array(quality),
        np.array(rots).reshape(-1, 3, 3),
        np.array(shapes, dtype=np.float32).reshape(-1, len(benchdata.BLENDSHAPES_KEPT)),
        np.array(bent, dtype=np.float64),
        np.array(crop, dtype=bool) if small_face else None,
    )


PAD_S = 1.5
"""Short clips end the moment the gesture does; their last frame is held this long, as if the
person stayed still, so that a gesture that ends with the clip can complete (a live camera
would have seen the next frames)."""


def pad_end(observed: benchdata.Observed, seconds: float = PAD_S) -> benchdata.Observed:
    """``observed`` with its last frame repeated for ``seconds`` at the clip's frame rate."""
    n = len(observed.t)
    if n < 2 or seconds <= 0:
        return observed
    dt = float(np.median(np.diff(observed.t)))
    k = round(seconds / dt)
    extra_t = observed.t[-1] + dt * np.arange(1, k + 1)

    def rep(a: np.ndarray) -> np.ndarray:
        return np.concatenate([a, np.repeat(a[-1:], k, axis=0)])

    return benchdata.Observed(
        np.concatenate([observed.t, extra_t]),
        rep(observed.found),
        rep(observed.quality),
        rep(observed.rotation),
        rep(observed.blendshapes),
        None if observed.deformation is None else rep(observed.deformation),
    )


def recorded_seconds(observed: benchdata.Observed) -> float:
    """How long a recording lasts: from its first frame to one frame after its last."""
    n = len(observed.t)
    if n < 2:
        return 0.0
    return float(observed.t[-1] - observed.t[0] + np.median(np.diff(observed.t)))


def cache_entry(video: bytes, model: bytes) -> str:
    """The cache file name of a recording's observations: keyed by the video, the model and
    what is measured (since the face mesh's deformation is kept for the occlusion gate, older
    entries, without it, are observed again)."""
    sha = hashlib.sha256(model).hexdigest()[:12]
    salt = f"{sha}{OBSERVED_VERSION}".encode()
    return hashlib.sha256(video + salt).hexdigest()[:20] + ".npz"


def as_clips(
    recordings: list[Recording],
    model_path: Path,
    cache: Path | None = None,
    *,
    small_face: bool = True,
) -> tuple[list[benchdata.ClipSpec], dict[str, benchdata.Observed]]:
    """ClipSpecs (for scoring) and observations (cached by file content) of each recording;
    ``small_face``: with the crop retry (see :func:`benchdata.small_face_entry`)."""
    folder = benchdata.cache_dir(cache) / "recordings"
    folder.mkdir(parents=True, exist_ok=True)
    model = model_path.read_bytes()
    clips: list[benchdata.ClipSpec] = []
    observed: dict[str, benchdata.Observed] = {}
    for rec in recordings:
        entry = folder / cache_entry(rec.path.read_bytes(), model)
        got = benchdata.load_cached(entry, small_face)
        if got is None:
            logger.info("observing %s", rec.path)
            got = observe_video(rec.path, model_path, small_face=small_face)
            benchdata.save_cached(entry, got, small_face)
        # The clip lasts as long as it was recorded: the held last frame (``pad_end``) lets a
        # gesture that ends with the clip complete, but is not footage, so it does not count
        # as minutes of negatives (it made the real clips' false events per minute look 40 %
        # lower than they are: 113 short clips gain 2.8 minutes of frozen frames).
        duration = recorded_seconds(got)
        got = pad_end(got)
        name = rec.path.name
        clips.append(
            benchdata.ClipSpec(
                name,
                "recording",
                "recording",
                rec.kind,
                (benchdata.synthetic.still(duration),),
                rec.labels,
                conditions=rec.conditions,
            )
        )
        observed[name] = got
    return clips, observed


def describe(recordings: list[Recording], clips: list[benchdata.ClipSpec]) -> dict[str, Any]:
    """Counts for the report: clips, labelled gestures, minutes of negatives (as recorded)."""
    negative = {r.path.name for r in recordings if r.kind == "negative"}
    return {
        "clips": len(recordings),
        "labels": sum(len(r.labels) for r in recordings),
        "negative_minutes": round(sum(c.duration for c in clips if c.name in negative) / 60, 2),
    }
