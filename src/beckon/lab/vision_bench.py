"""``beckon bench vision``: how long the vision path takes per 640x480 frame on this machine.

Why: the bedside tablet must keep up with the camera (33 ms per frame at 30 fps) while voice
recognition runs too. We render a synthetic clip of the demo face nodding and shaking (rendering
is not timed) and time :meth:`VisionPipeline.process` on every frame, separating the part spent
inside MediaPipe. OpenCV is limited to one thread so the numbers reflect one core.
"""

from __future__ import annotations

import logging
import resource
import sys
from pathlib import Path
from typing import Any

import cv2

from beckon.lab import synthetic
from beckon.vision.frames import Frame
from beckon.vision.pipeline import VisionPipeline

logger = logging.getLogger(__name__)


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MiB (``ru_maxrss`` is KiB on Linux, B on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def bench_script(seconds: float) -> list[synthetic.Segment]:
    """About ``seconds`` of the demo face: rest, nod, rest, shake, rest, repeated as needed."""
    block = synthetic.nod_and_shake_segments()
    segments: list[synthetic.Segment] = []
    while synthetic.script_duration(segments) < seconds:
        segments += block
    return segments


def bench_vision(
    model_path: Path,
    seconds: float = 10.0,
    *,
    fps: float = 30.0,
    size: tuple[int, int] = (640, 480),
    hand_model: Path | None = None,
) -> dict[str, Any]:
    """Time the vision path over ``seconds`` of rendered frames; returns a JSON-ready dict.

    Keys: ``frames``, ``fps``, ``width``, ``height``, ``median_ms``, ``p95_ms``, ``mean_ms``,
    ``max_ms``, ``mediapipe_median_ms``, ``mediapipe_share``, ``events``, ``hand_gate``,
    ``hand_looks`` and ``hand_ms`` (the hand landmarker's runs for the events, with
    ``hand_model``: they fall on the frames where an event is due, not on every frame) and
    ``peak_rss_mb``.
    """
    cv2.setNumThreads(1)
    segments = bench_script(seconds)
    poses = synthetic.build_poses(segments, fps)[: max(1, round(seconds * fps))]
    rig = synthetic.FaceRig(synthetic.load_demo_face(), model_path, size)
    events = 0
    with VisionPipeline(model_path, hand_model=hand_model) as pipeline:
        for i, pose in enumerate(poses):
            frame = Frame(i, i / fps, rig.render(pose))  # rendering is outside the timed part
            events += len(pipeline.process(frame))
        stats = pipeline.stats()
        watch = pipeline.hand_watch
        worst = max((x.total_ms for x in pipeline.timings), default=0.0)
    result = {
        "frames": stats.frames,
        "fps": fps,
        "width": size[0],
        "height": size[1],
        "median_ms": round(stats.median_total_ms, 2),
        "p95_ms": round(stats.p95_total_ms, 2),
        "mean_ms": round(stats.mean_total_ms, 2),
        "max_ms": round(worst, 2),
        "mediapipe_median_ms": round(stats.median_mediapipe_ms, 2),
        "mediapipe_share": round(stats.mediapipe_share, 3),
        "events": events,
        "hand_gate": "on" if watch is not None else "off",
        "hand_looks": watch.looked if watch is not None else 0,
        "hand_ms": round(watch.look_ms, 1) if watch is not None else 0.0,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    logger.info("vision bench: %s", result)
    return result
