"""Hands in a still frame: MediaPipe's HandLandmarker in IMAGE mode, reduced to 2-D landmarks.

Why a separate, still-image landmarker: the hand gate (:mod:`beckon.vision.handgate`) asks
"was a hand over the face?" only when a gesture event is about to be reported, on a few frames
kept from the gesture's window. Running the hand landmarker on every frame would cost two to
three times the face landmarker (40 to 50 ms a frame against 16 to 20 on these machines); on a
few kept frames per event it costs nothing per frame. IMAGE mode has no tracking state, so the
frames may be taken in any order and from any moment.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import mediapipe as mp
import numpy as np
import numpy.typing as npt
from mediapipe.tasks.python import vision as mp_vision
from mediapipe.tasks.python.core.base_options import BaseOptions

from beckon.closing import Closing
from beckon.modelstore import existing_model
from beckon.vision.handgate import Hand
from beckon.vision.native_log import QuietStart, load_landmarker

logger = logging.getLogger(__name__)


class HandFinder(Closing):
    """MediaPipe HandLandmarker in IMAGE mode: up to ``max_hands`` hands per frame.

    Use as a context manager (or call :meth:`close`). Raises :class:`ModelError` for a missing
    or unreadable model (``beckon models fetch`` builds it; see ``models/manifest.toml``).
    """

    def __init__(
        self,
        model_path: str | Path,
        *,
        max_hands: int = 2,
        min_detection_confidence: float = 0.5,
        min_presence_confidence: float = 0.5,
    ) -> None:
        path = existing_model(model_path, "Hand landmarker")
        options = mp_vision.HandLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=mp_vision.RunningMode.IMAGE,
            num_hands=max_hands,
            min_hand_detection_confidence=min_detection_confidence,
            min_hand_presence_confidence=min_presence_confidence,
        )
        self._landmarker: Any = load_landmarker(
            mp_vision.HandLandmarker.create_from_options, options, path, "hand landmarker"
        )
        # The landmark stage first runs on the first image with a palm: quiet until then.
        self._quiet = QuietStart(until=lambda result: bool(result.hand_landmarks))
        self._closed = False

    def close(self) -> None:
        """Release the landmarker; safe to call twice."""
        if not self._closed:
            QuietStart.close(self._landmarker)
            self._closed = True

    def find(self, rgb: npt.NDArray[np.uint8]) -> list[Hand]:
        """The hands in one RGB image (H x W x 3, uint8), best first."""
        if self._closed:
            raise RuntimeError("HandFinder is closed")
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        result = self._quiet(self._landmarker.detect, image)
        hands: list[Hand] = []
        for i, marks in enumerate(result.hand_landmarks):
            points = np.array([(p.x, p.y) for p in marks], dtype=np.float64)
            label = result.handedness[i][0] if result.handedness else None
            score = float(label.score) if label is not None else 1.0
            side = str(label.category_name or "") if label is not None else ""
            hands.append(Hand(points, score, side))
        return sorted(hands, key=lambda h: -h.score)


MODEL_NAME = "hand_landmarker"
"""The hand landmarker's entry in ``models/manifest.toml`` (optional)."""


def installed_model() -> Path | None:
    """The installed, verified hand landmarker bundle, or None (the hand gate is then off,
    and the log says why and how to install it)."""
    from beckon import modelstore

    spec = modelstore.load_manifest()[MODEL_NAME]
    st = modelstore.status(spec)
    if st.state == "ok":
        return st.path
    said = (st.state, str(st.path))
    # Once per process: asked at every start of the camera, it filled a tablet's log (every
    # 10 s while the camera was missing).
    level = logging.DEBUG if said in _SAID else logging.WARNING
    _SAID.add(said)
    logger.log(
        level,
        "hand landmarker %s (%s): gestures are not checked for a hand over the face; %s",
        st.state,
        st.path,
        modelstore.fix_for(spec),
    )
    return None


_SAID: set[tuple[str, str]] = set()
"""The missing-model warnings already logged by this process."""
