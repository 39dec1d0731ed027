"""The trained sequence model at run time: a small temporal CNN over the last 2.4 s, in ONNX.

Why a model as well as rules: rules are explainable and calibrate per patient, but each one
looks at one signal. The model looks at all of them together over a window (angles, eyes,
jaw, brows, face found) and has seen hard negatives, so it can tell that a "nod" during which
the jaw moved was a cough, or that a "look down" with half-closed eyes was a yawn. It never
creates an event on its own.

It has to earn a veto: measured on footage it was not trained on (the widened recipe's score
part and real recordings, ``beckon bench gestures``), the shipped model vetoed real brisk nods
and shakes it had never seen (its training nods ran at 0.7 to 1.4 Hz, always after a rest)
and removed no false event the rules let through. So by default (:data:`DEFAULT_MODE`) it only
*scores*: the event's confidence is scaled by how likely the model finds the gesture, and the
event stands. ``mode="veto"`` restores the veto for a model that has shown it helps.

Features are computed identically here and in training (:func:`frame_features`): angles and
expression scores are divided by the patient's own thresholds, so a 4-degree nod of a weak
patient and a 10-degree nod of a strong one look alike to the model. Frames are resampled to
:data:`RATE_HZ` whatever the camera's frame rate.

Only ``onnxruntime`` is needed at run time; training (:mod:`beckon.lab.train`) needs the
optional ``train`` extra (PyTorch).
"""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from beckon.errors import ModelError
from beckon.profile import GESTURES, GestureProfile
from beckon.vision.channels import channels

logger = logging.getLogger(__name__)

RATE_HZ = 15.0
WINDOW = 36
"""Frames per window: 2.4 s at 15 Hz, enough for a two-cycle nod at 1 Hz and its settling."""
CLASSES: tuple[str, ...] = ("none", *GESTURES)
N_FEATURES = 8
FEATURE_NAMES = ("pitch", "yaw", "roll", "blink", "jaw", "brow", "found", "quality")
DEFAULT_MODEL = "gesture_tcn.onnx"


def scales(profile: GestureProfile) -> npt.NDArray[np.float32]:
    """Per-feature divisors from the patient's thresholds (the features' units)."""
    s = profile.setting

    def mean(*names: str) -> float:
        return float(np.mean([s(n).threshold for n in names]))

    return np.array(
        [
            mean("look_up", "look_down"),
            mean("turn_left", "turn_right"),
            mean("tilt_left", "tilt_right"),
            s("long_blink").threshold,
            s("mouth_open").threshold,
            s("brow_raise").threshold,
            1.0,
            1.0,
        ],
        dtype=np.float32,
    )


def frame_features(
    obs: Any, rest: Mapping[str, float], scale: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """One frame's feature vector (see :data:`FEATURE_NAMES`); zeros when no face."""
    if not obs.found or obs.pitch is None or obs.yaw is None or obs.roll is None:
        return np.zeros(N_FEATURES, dtype=np.float32)
    c = channels(obs.blendshapes)
    raw = np.array(
        [
            obs.pitch,
            obs.yaw,
            obs.roll,
            c["blink"] - rest.get("blink", 0.0),
            c["jaw"] - rest.get("jaw", 0.0),
            c["brow"] - rest.get("brow", 0.0),
            1.0,
            obs.quality,
        ],
        dtype=np.float32,
    )
    return np.clip(raw / scale, -8.0, 8.0).astype(np.float32)


class FeatureWindow:
    """The last :data:`WINDOW` frames resampled to :data:`RATE_HZ` (latest frame wins)."""

    def __init__(self) -> None:
        self._frames: deque[npt.NDArray[np.float32]] = deque(maxlen=WINDOW)
        self._next_t: float | None = None

    def push(self, t: float, features: npt.NDArray[np.float32]) -> None:
        if self._next_t is None:
            self._next_t = t
        if t + 1e-6 < self._next_t:
            if self._frames:
                self._frames[-1] = features  # a faster camera: keep the newest in this slot
            return
        while self._next_t <= t + 1e-6:
            self._frames.append(features)
            self._next_t += 1.0 / RATE_HZ

    def array(self) -> npt.NDArray[np.float32]:
        """(WINDOW, N_FEATURES), zero-padded at the start while the window fills."""
        out = np.zeros((WINDOW, N_FEATURES), dtype=np.float32)
        if self._frames:
            stack = np.stack(list(self._frames))
            out[WINDOW - len(stack) :] = stack
        return out


class SequenceModel:
    """The ONNX classifier: (batch, WINDOW, N_FEATURES) in, class probabilities out."""

    def __init__(self, path: str | Path) -> None:
        import onnxruntime as ort

        self.path = Path(path)
        if not self.path.is_file():
            raise ModelError(
                f"gesture sequence model not found: {self.path}",
                "it ships in the repo's models/ folder; reinstall Beckon or retrain it with "
                "`python -m beckon.lab.train`",
            )
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        try:
            self.session = ort.InferenceSession(
                str(self.path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ModelError(f"cannot load {self.path}: {exc}") from exc
        self._input = self.session.get_inputs()[0].name
        meta = self.session.get_modelmeta().custom_metadata_map
        self.classes = tuple(json.loads(meta.get("classes", json.dumps(CLASSES))))
        self.threshold = float(meta.get("veto_threshold", "0.8"))

    def probabilities(self, windows: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        (logits,) = self.session.run(None, {self._input: windows.astype(np.float32)})
        z = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(z)
        return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float32)


VETOED: tuple[str, ...] = GESTURES
"""Gestures the model may veto: all of them. (A first model trained without the augmentation
of :func:`beckon.lab.train.augment` vetoed real turns and mouth openings of the held-out
face; with it, the benchmark shows no real gesture vetoed. Narrow this, e.g. to nod and
shake, if a new model is less sure of itself.)"""


VerifierMode = Literal["score", "veto"]
DEFAULT_MODE: VerifierMode = "score"
"""The shipped model scores events and vetoes none (see the module docstring)."""


class SequenceVerifier:
    """Scores (or, in ``veto`` mode, vetoes) rule-based events; see the module docstring.

    One verifier per patient stream; :meth:`fresh` gives another that shares the ONNX session.
    """

    def __init__(
        self,
        model: str | Path | SequenceModel,
        profile: GestureProfile | None = None,
        threshold: float | None = None,
        vetoed: tuple[str, ...] = VETOED,
        mode: VerifierMode = DEFAULT_MODE,
    ) -> None:
        self.model = model if isinstance(model, SequenceModel) else SequenceModel(model)
        self.threshold = self.model.threshold if threshold is None else threshold
        self.vetoed = vetoed
        self.mode = mode
        self.window = FeatureWindow()
        self._scale = scales(profile or GestureProfile())
        self.last: dict[str, float] = {}

    def fresh(self, profile: GestureProfile | None = None) -> SequenceVerifier:
        return SequenceVerifier(self.model, profile, self.threshold, self.vetoed, self.mode)

    def rate(self, gesture: str, confidence: float) -> float:
        """The event's confidence scaled by the model's probability of the gesture (in
        ``score`` mode; unchanged in ``veto`` mode, where :meth:`agrees` decides)."""
        if self.mode != "score":
            return confidence
        probs = self.model.probabilities(self.window.array()[None])[0]
        self.last = {c: float(p) for c, p in zip(self.model.classes, probs, strict=True)}
        p = self.last.get(gesture, 0.0)
        return round(confidence * (0.7 + 0.3 * p), 4)

    def set_profile(self, profile: GestureProfile) -> None:
        self._scale = scales(profile)

    def push(self, obs: Any, rest: Mapping[str, float]) -> None:
        self.window.push(float(obs.t), frame_features(obs, rest, self._scale))

    def agrees(self, gesture: str) -> bool:
        """False only when the model is sure that nothing deliberate happened: "none" at
        least ``threshold`` likely and the rules' gesture less likely than that. A model
        unsure between gestures defers to the rules. Always True in ``score`` mode."""
        if self.mode != "veto" or gesture not in self.vetoed:
            return True
        probs = self.model.probabilities(self.window.array()[None])[0]
        self.last = {c: float(p) for c, p in zip(self.model.classes, probs, strict=True)}
        p = self.last.get(gesture, 0.0)
        ok = not (self.last.get("none", 0.0) >= self.threshold and p < self.threshold)
        if not ok:
            top = max(self.last, key=lambda k: self.last[k])
            logger.info(
                "model: %s has p=%.2f (most likely %s, %.2f)", gesture, p, top, self.last[top]
            )
        return ok


def packaged_model() -> Path | None:
    """The shipped model in the repo's models/ folder (None if it is not there)."""
    from beckon import paths

    candidate = paths.packaged_models() / DEFAULT_MODEL
    try:
        return Path(str(candidate)) if candidate.is_file() else None
    except OSError:
        return None


def default_verifier(profile: GestureProfile | None = None) -> SequenceVerifier | None:
    """The shipped model as a verifier, or None (rules alone) when it is not installed."""
    path = packaged_model()
    if path is None:
        logger.warning(
            "gesture sequence model %s not found: rule-based detection only", DEFAULT_MODEL
        )
        return None
    return SequenceVerifier(path, profile)
