"""Rendered test clips: a video file plus the script it shows (ground truth for the tests)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from beckon.lab import synthetic

CLIP_FPS = 25.0
CLIP_NOISE = 2.0


@dataclass(frozen=True)
class Clip:
    """A rendered video file and the script it shows."""

    path: Path
    script: Sequence[synthetic.Segment]
    fps: float

    def ends_of(self, kind: str) -> list[float]:
        """End times of the script's nods (``"pitch"``) or shakes (``"yaw"``)."""
        return [
            s.end_s
            for s in synthetic.schedule(self.script)
            if isinstance(s.segment, synthetic.Oscillation) and s.segment.axis == kind
        ]


def render_to_file(
    rig: synthetic.FaceRig,
    script: Sequence[synthetic.Segment],
    path: Path,
    fps: float,
    face_px: float = 0.0,
) -> Clip:
    """Render ``script`` to ``path``; ``face_px`` zooms the picture out to that face width."""
    from beckon.lab.benchdata import zoom_out

    poses = synthetic.build_poses(script, fps)
    rng = np.random.default_rng(1)
    lm = rig.landmarks
    centre = (float(lm[:, 0].mean()), float(lm[:, 1].mean()))
    factor = min(1.0, face_px / rig.face_width_px) if face_px else 1.0
    frames = (
        synthetic.add_camera_noise(zoom_out(rig.render(p), factor, centre), CLIP_NOISE, rng)
        for p in poses
    )
    written = synthetic.write_video(path, frames, fps)
    assert written == len(poses)
    return Clip(path, script, fps)
