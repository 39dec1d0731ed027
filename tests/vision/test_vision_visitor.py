"""A visitor's face is not the patient's.

A visitor leaned in beside the bed while the patient's face was hidden for a moment (a nurse's
arm, a turn into the pillow): MediaPipe then followed the visitor, the visitor's nod became a
request and the patient's own nod was missed, while the screen said "Face found". Only a face
that continues the patient's track counts now (beckon.vision.choose), and the patient is found
again in a crop around their place while MediaPipe still follows the visitor.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from beckon.lab import synthetic
from beckon.lab.faces import load_face
from beckon.vision.choose import FaceBox, FaceChooser
from beckon.vision.frames import ArraySource
from beckon.vision.pipeline import VisionPipeline

SIZE = (640, 480)


def test_the_patients_face_is_the_one_that_continues_the_track() -> None:
    chooser = FaceChooser(keep_s=10.0)
    patient, visitor = FaceBox(200, 240, 120), FaceBox(480, 220, 160)
    assert chooser.choose([patient], 0.0, SIZE) == 0
    moved = FaceBox(230, 250, 120)  # a shake moves the face far less than its width
    assert chooser.choose([visitor, moved], 0.1, SIZE) == 1


def test_only_a_visitor_in_view_is_no_face_until_the_patient_has_been_gone_long() -> None:
    chooser = FaceChooser(keep_s=10.0)
    assert chooser.choose([FaceBox(200, 240, 120)], 0.0, SIZE) == 0
    visitor = FaceBox(480, 220, 160)
    assert chooser.choose([visitor], 1.0, SIZE) is None
    assert chooser.choose([visitor], 9.9, SIZE) is None
    # Gone as long as the neutral pose takes to be relearned: a new patient or a moved tablet.
    assert chooser.choose([visitor], 10.5, SIZE) == 0
    assert chooser.choose([visitor], 10.6, SIZE) == 0


def test_with_no_track_the_face_nearest_the_middle_is_taken() -> None:
    chooser = FaceChooser()
    aside, middle = FaceBox(80, 240, 150), FaceBox(330, 230, 110)
    assert chooser.choose([aside, middle], 0.0, SIZE) == 1


def test_a_camera_that_changes_its_picture_size_starts_a_new_track() -> None:
    chooser = FaceChooser()
    assert chooser.choose([FaceBox(100, 100, 60)], 0.0, (640, 480)) == 0
    assert chooser.choose([FaceBox(900, 500, 180)], 0.1, (1280, 720)) == 0


def _side_by_side(
    patient: list[npt.NDArray[np.uint8]],
    visitor: list[npt.NDArray[np.uint8]],
    roi: tuple[int, int, int, int],
    visitor_from: int,
) -> list[npt.NDArray[np.uint8]]:
    """1280 x 720: the patient's picture on the left; the visitor's face (``roi`` of their
    picture), 1.4 times larger, on the right from frame ``visitor_from`` on."""
    import cv2

    x0, y0, w, h = roi
    out = []
    for i, (a, b) in enumerate(zip(patient, visitor, strict=True)):
        canvas = np.full((720, 1280, 3), 120, np.uint8)
        canvas[120 : 120 + a.shape[0], 60 : 60 + a.shape[1]] = a
        if i >= visitor_from:
            face = cv2.resize(b[y0 : y0 + h, x0 : x0 + w], (int(w * 1.4), int(h * 1.4)))
            face = face[: 720 - 100, : 1280 - 660]
            canvas[100 : 100 + face.shape[0], 660 : 660 + face.shape[1]] = face
        out.append(canvas)
    return out


def test_a_visitor_who_leans_in_while_the_patients_face_is_hidden_is_not_followed(
    face_model: Path,
) -> None:
    fps = 15.0
    patient_rig = synthetic.FaceRig(synthetic.load_demo_face(), face_model, SIZE)
    visitor_rig = synthetic.FaceRig(load_face("hopper"), face_model, SIZE)
    patient_script = [
        synthetic.still(5.0),
        synthetic.hidden(1.5),  # a nurse's arm: MediaPipe finds the visitor meanwhile
        synthetic.still(4.5),  # the visitor nods at 8 s
        synthetic.nod(2, 12.0, 1.0),  # the patient nods at 11 s
        synthetic.still(2.0),
    ]
    visitor_script = [synthetic.still(8.0), synthetic.nod(2, 12.0, 1.0), synthetic.still(5.0)]
    patient = [patient_rig.render(p) for p in synthetic.build_poses(patient_script, fps)]
    visitor = [visitor_rig.render(p) for p in synthetic.build_poses(visitor_script, fps)]
    n = min(len(patient), len(visitor))
    frames = _side_by_side(patient[:n], visitor[:n], visitor_rig.roi, int(3 * fps))
    with VisionPipeline(face_model) as pipeline:
        events = list(pipeline.run(ArraySource(iter(frames), fps)))
    nods = [e.t for e in events if e.gesture == "nod"]
    assert [e.gesture for e in events] == ["nod"], events
    assert 11.0 < nods[0] < 14.0, "the patient's nod, not the visitor's at 8 s"
