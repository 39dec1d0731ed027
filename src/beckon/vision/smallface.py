"""A second look, in a crop, when MediaPipe finds no face in the whole frame.

Why: MediaPipe's face detector sees the whole picture shrunk to 128 x 128, so a small face
turned from the camera (70 to 90 px wide in 640 x 480, turned 25 to 32 degrees: a tablet on a
bed arm about 1 m away, to one side of the bed) is sometimes not found for seconds or for a
whole clip, although the landmark model tracks such a face well once it has it. The same
frame cropped around where the face was (or, with no face seen yet, a window of the picture
in turn) shows the detector the face about three times larger, and it is found.

Only frames without a face pay for it. The landmarks map back to the full frame exactly (a
scale and a shift; depth scales with the width), so face width, blink, mouth and brow
measures keep their scale; the head pose is recomputed from the mapped landmarks with
MediaPipe's own geometry for the full frame (:mod:`beckon.vision.geometry`), because the
matrix MediaPipe gives for a crop places the face in the crop's own virtual camera (up to 4
degrees of pitch away).

The crop landmarker is a second FaceLandmarker in VIDEO mode: it tracks the face between
frames in crop coordinates, so the crop follows the face (centred on its last landmarks) and
keeps its size while it tracks. The search for a face never seen (or lost for
``search_after_s``) uses a third one in IMAGE mode, as its window changes every frame.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mediapipe as mp
import numpy as np
import numpy.typing as npt
from mediapipe.tasks.python import vision as mp_vision
from mediapipe.tasks.python.core.base_options import BaseOptions

from beckon.closing import Closing
from beckon.vision.geometry import CanonicalFace, pose_matrix
from beckon.vision.native_log import QuietStart, native_stderr_to_log

logger = logging.getLogger(__name__)

Window = tuple[int, int, int, int]
"""(x0, y0, width, height) of a crop, in pixels of the full frame."""


@dataclass(frozen=True, slots=True)
class SmallFaceParams:
    """When and where to look again for a face the full frame missed."""

    enabled: bool = True
    crop_faces: float = 3.0
    """Crop width in face widths (the face then fills a third of the crop: about what the
    detector needs, with room for the head to move between frames)."""
    min_crop_px: int = 160
    """Smallest crop width (a smaller crop would cut a face that moved)."""
    search_share: float = 0.5
    """Search windows are this share of the frame on each side (a 320 x 240 window of a 640 x
    480 frame shows an 80 px face as a quarter of its width)."""
    search_after_s: float = 2.0
    """Seconds without a face anywhere before the crop leaves the last place the face was and
    searches the picture again."""


@dataclass(frozen=True, slots=True)
class FaceFound:
    """A face found in a crop, in full-frame terms (as the full-frame landmarker gives it)."""

    points: npt.NDArray[np.float64]
    """(N, 3) landmarks normalised to the full frame (x, y in 0..1; z in the x scale)."""
    matrix: npt.NDArray[np.float64]
    """4x4 facial transformation matrix for the full frame."""
    blendshapes: dict[str, float]
    window: Window


def search_windows(width: int, height: int, share: float) -> list[Window]:
    """Windows that cover the frame with overlap: the centre first, then a 3 x 3 grid."""
    w, h = round(width * share), round(height * share)
    out: list[Window] = [((width - w) // 2, (height - h) // 2, w, h)]
    for fy in (0.0, 0.5, 1.0):
        for fx in (0.0, 0.5, 1.0):
            win = (round((width - w) * fx), round((height - h) * fy), w, h)
            if win not in out:
                out.append(win)
    return out


def face_window(points: npt.NDArray[np.float64], width: int, height: int, crop_w: int) -> Window:
    """A ``crop_w`` wide window with the frame's aspect, centred on the face, inside the frame."""
    crop_w = min(crop_w, width)
    crop_h = min(round(crop_w * height / width), height)
    xs, ys = points[:, 0] * width, points[:, 1] * height
    cx, cy = (xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2
    x0 = int(np.clip(round(cx - crop_w / 2), 0, width - crop_w))
    y0 = int(np.clip(round(cy - crop_h / 2), 0, height - crop_h))
    return (x0, y0, crop_w, crop_h)


def to_frame(
    points: npt.NDArray[np.float64], window: Window, width: int, height: int
) -> npt.NDArray[np.float64]:
    """Landmarks normalised to ``window`` as normalised to the full frame (depth with x)."""
    x0, y0, w, h = window
    out = np.empty_like(points)
    out[:, 0] = (x0 + points[:, 0] * w) / width
    out[:, 1] = (y0 + points[:, 1] * h) / height
    out[:, 2] = points[:, 2] * w / width
    return out


class SmallFaceFinder(Closing):
    """Looks again, in a crop, for the face the full-frame landmarker did not find.

    :meth:`seen` is told where the full frame found the face; :meth:`find` is called on a
    frame where it found none. Timestamps must increase (the crop tracker is in VIDEO mode).
    """

    def __init__(
        self,
        model_path: str | Path,
        params: SmallFaceParams | None = None,
        *,
        min_detection_confidence: float = 0.5,
        min_presence_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        self.params = params or SmallFaceParams()
        self.canonical = CanonicalFace.from_model(model_path)

        def options(mode: Any) -> Any:
            return mp_vision.FaceLandmarkerOptions(
                base_options=BaseOptions(model_asset_path=str(model_path)),
                running_mode=mode,
                num_faces=1,
                min_face_detection_confidence=min_detection_confidence,
                min_face_presence_confidence=min_presence_confidence,
                min_tracking_confidence=min_tracking_confidence,
                output_face_blendshapes=True,
                output_facial_transformation_matrixes=False,
            )

        with native_stderr_to_log(), ExitStack() as loaded:  # the second fails: close the first
            self._tracker: Any = mp_vision.FaceLandmarker.create_from_options(
                options(mp_vision.RunningMode.VIDEO)
            )
            loaded.callback(self._tracker.close)
            self._searcher: Any = mp_vision.FaceLandmarker.create_from_options(
                options(mp_vision.RunningMode.IMAGE)
            )
            loaded.pop_all()
        self._closed = False
        self._quiet_tracker = QuietStart()
        self._quiet_searcher = QuietStart()
        self._last_points: npt.NDArray[np.float64] | None = None
        self._last_seen_t = -1e9
        self._crop_w = 0
        self._search_i = 0
        self.last_window: Window | None = None
        """The crop tried on the last :meth:`find` (for tests and debugging)."""

    def close(self) -> None:
        """Release both landmarkers; safe to call twice. Each is closed even when the other
        raises."""
        if self._closed:
            return
        self._closed = True
        with ExitStack() as graphs:
            graphs.callback(QuietStart.close, self._searcher)
            graphs.callback(QuietStart.close, self._tracker)

    def seen(self, points: npt.NDArray[np.float64], width: int, t: float) -> None:
        """The full frame found the face (normalised landmarks): look there next time."""
        self._remember(points, width, t, keep_size=False)

    def _remember(
        self, points: npt.NDArray[np.float64], width: int, t: float, *, keep_size: bool
    ) -> None:
        self._last_points = points
        self._last_seen_t = t
        if not keep_size or not self._crop_w:
            face_w = float(points[:, 0].max() - points[:, 0].min()) * width
            self._crop_w = max(self.params.min_crop_px, round(self.params.crop_faces * face_w))

    def find(self, rgb: npt.NDArray[np.uint8], t: float, timestamp_ms: int) -> FaceFound | None:
        """The face in a crop of ``rgb`` (the frame the full landmarker missed it in), or None."""
        if self._closed:
            raise RuntimeError("SmallFaceFinder is closed")
        height, width = rgb.shape[:2]
        tracking = (
            self._last_points is not None and t - self._last_seen_t <= self.params.search_after_s
        )
        if tracking and self._last_points is not None:
            window = face_window(self._last_points, width, height, self._crop_w)
        else:
            windows = search_windows(width, height, self.params.search_share)
            window = windows[self._search_i % len(windows)]
            self._search_i += 1
        self.last_window = window
        x0, y0, w, h = window
        image = mp.Image(
            image_format=mp.ImageFormat.SRGB,
            data=np.ascontiguousarray(rgb[y0 : y0 + h, x0 : x0 + w]),
        )
        if tracking:
            result = self._quiet_tracker(self._tracker.detect_for_video, image, timestamp_ms)
        else:
            result = self._quiet_searcher(self._searcher.detect, image)
        if not result.face_landmarks:
            return None
        crop_points = np.array(
            [(lm.x, lm.y, lm.z) for lm in result.face_landmarks[0]], dtype=np.float64
        )
        points = to_frame(crop_points, window, width, height)
        self._remember(points, width, t, keep_size=tracking)
        blendshapes: dict[str, float] = {}
        if result.face_blendshapes:
            blendshapes = {c.category_name: float(c.score) for c in result.face_blendshapes[0]}
        matrix = pose_matrix(points, (width, height), self.canonical)
        logger.debug("face found in a crop %s at t=%.2f", window, t)
        return FaceFound(points, matrix, blendshapes, window)
