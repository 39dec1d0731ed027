"""The picture's light is named when it hides the face: a dim room at night (or a covered
lens) and a washed-out picture said only "Face not found", or even "Face found", while the
patient's nods were missed and nobody knew to switch on a light."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from beckon.lab import synthetic
from beckon.vision.frames import ArraySource
from beckon.vision.lighting import light_hint
from beckon.vision.pipeline import FaceStatus, VisionPipeline


def test_a_dark_or_washed_out_picture_is_named_and_a_good_one_is_not(
    rig: synthetic.FaceRig,
) -> None:
    face = rig.render(synthetic.HeadPose())
    assert light_hint(face) is None
    assert light_hint((face * 0.04).astype(np.uint8)) == "too_dark"
    assert light_hint(np.zeros_like(face)) == "too_dark"  # a covered lens
    washed = np.clip(face.astype(np.int32) * 3 + 100, 0, 255).astype(np.uint8)
    assert light_hint(washed) == "too_bright"


def test_the_bedside_is_told_to_turn_on_a_light_with_or_without_a_face(
    rig: synthetic.FaceRig, face_model: Path
) -> None:
    fps = 15.0
    poses = synthetic.build_poses([synthetic.still(2.0), synthetic.still(3.0)], fps)
    frames = [rig.render(pose) for pose in poses]
    dark_from = int(2.0 * fps)
    frames = frames[:dark_from] + [(f * 0.03).astype(np.uint8) for f in frames[dark_from:]]
    seen: list[FaceStatus] = []
    with VisionPipeline(face_model, on_status=seen.append) as pipeline:
        list(pipeline.run(ArraySource(iter(frames), fps)))
    assert seen[-1].hint == "too_dark", seen[-3:]
    assert all(s.hint is None for s in seen if s.t < 2.0), "a lit face is no fault"
