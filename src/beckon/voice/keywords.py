"""A second opinion on "yes", "no" and "cancel": a small classifier on speech embeddings.

Why: PocketSphinx's bundled US model hears real one-second answers badly ("no" as "now",
"stop" as "that"), and these few words confirm every spoken request. Google's
``speech_embedding`` model (a general speech representation trained on a large amount of real
speech, published on TF Hub under Apache-2.0 and carried as two ONNX files by the
``openwakeword`` wheel) turns audio into one 96-number vector per 80 ms; a tiny classifier on
top of it, trained by ``beckon.lab.train_keywords`` on synthetic speech and the real tune
recordings, says whether an utterance is "yes", "no", "cancel" or something else. It never
decides alone: ``beckon.voice.answers`` combines its verdict with the decoder's.

Framing (learned from openWakeWord's documentation and code, written here anew): the
mel-spectrogram model takes int16-valued float samples and gives 32 mel bands per 10 ms,
scaled by ``x / 10 + 2``; the embedding model takes 76 such frames (0.76 s). openWakeWord
steps it by 8 frames (80 ms); a whole short utterance needs less detail, so it is stepped by
16 frames here (160 ms), which halves the cost. An utterance is centred in a fixed 1.91 s
window (8 embeddings); one whose speech lasts longer than :data:`MAX_SPEECH_S` is not a single
answer and is "other" without running the classifier.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from beckon.errors import ModelError
from beckon.voice.vad import SAMPLE_RATE, Int16Array

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]

CLASSES: tuple[str, ...] = ("other", "yes", "no", "cancel")
"""The classifier's outputs, in order; "cancel" covers "stop" (the catalog's synonym)."""
N_EMBEDDINGS = 8
EMBEDDING_SIZE = 96
MEL_WINDOW = 76  # mel frames per embedding
MEL_STEP = 16  # mel frames between embeddings (160 ms)
WINDOW = (MEL_WINDOW + (N_EMBEDDINGS - 1) * MEL_STEP + 3) * 160
"""Samples the classifier looks at (30,560 = 1.91 s): 188 mel frames, 8 embeddings."""
MAX_SPEECH_S = 1.6
"""Loud speech longer than this is no single answer ("no thank you" takes about 1.2 s)."""
MODEL_FILE = "answer_kws.onnx"
_FRAME = 160  # 10 ms, for the loudness envelope


@dataclass(frozen=True)
class KeywordVerdict:
    """What the verifier heard: ``label`` is one of :data:`CLASSES`; ``probability`` its
    probability; ``probabilities`` all four (empty when the classifier did not run)."""

    label: str
    probability: float
    probabilities: tuple[float, ...] = ()
    reason: str = ""

    def of(self, label: str) -> float:
        """The probability the classifier gave ``label`` (0 when it did not run)."""
        if not self.probabilities:
            return 1.0 if label == self.label else 0.0
        return self.probabilities[CLASSES.index(label)]


def _session(path: Path) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    # One thread: the tablet's two cores belong to the decoder and the camera.
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def speech_span(samples: Int16Array) -> tuple[int, int]:
    """First and last sample of the loud part (10 ms frames louder than the quiet floor by
    30% of the way, in dB, to the loud level); (0, 0) for silence."""
    n = len(samples) // _FRAME
    if n == 0:
        return 0, 0
    x = samples[: n * _FRAME].astype(np.float64).reshape(n, _FRAME)
    db = 10 * np.log10(np.mean(x**2, axis=1) + 1.0)
    floor, top = float(np.percentile(db, 10)), float(np.max(db))
    if top - floor < 6.0:
        return 0, 0
    loud = np.nonzero(db > floor + 0.3 * (top - floor))[0]
    return int(loud[0]) * _FRAME, int(loud[-1] + 1) * _FRAME


def fixed_window(samples: Int16Array) -> Int16Array:
    """The utterance centred on its loud part in :data:`WINDOW` samples; the padding is a
    faint fixed dither (never exact zeros, which have no spectrum)."""
    a, b = speech_span(samples)
    centre = (a + b) // 2 if b > a else len(samples) // 2
    start = centre - WINDOW // 2
    out = np.random.default_rng(0).normal(0.0, 3.0, WINDOW)
    src_a, src_b = max(0, start), min(len(samples), start + WINDOW)
    if src_b > src_a:
        out[src_a - start : src_b - start] = samples[src_a:src_b]
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)


class SpeechEmbedder:
    """Google's speech_embedding via its two ONNX files: int16 audio -> (n, 96) vectors."""

    def __init__(self, melspec: Path, embedding: Path) -> None:
        self._mel = _session(melspec)
        self._emb = _session(embedding)

    def mel(self, windows: Int16Array) -> FloatArray:
        """(batch, samples) int16 -> (batch, frames, 32) scaled mel frames."""
        x = np.atleast_2d(windows).astype(np.float32)
        out = self._mel.run(None, {"input": x})[0]  # (batch*frames?, 1, frames, 32) squeezed
        spec = np.asarray(out, dtype=np.float32).reshape(len(x), -1, 32)
        return (spec / 10.0 + 2.0).astype(np.float32)

    def embed(self, windows: Int16Array) -> FloatArray:
        """(batch, WINDOW) int16 -> (batch, N_EMBEDDINGS, 96)."""
        spec = self.mel(windows)
        starts = range(0, spec.shape[1] - MEL_WINDOW + 1, MEL_STEP)
        stack = np.stack([spec[:, s : s + MEL_WINDOW, :] for s in starts], axis=1)
        batch, n = stack.shape[0], stack.shape[1]
        flat = stack.reshape(batch * n, MEL_WINDOW, 32, 1)
        emb = self._emb.run(None, {"input_1": flat})[0]
        return np.asarray(emb, dtype=np.float32).reshape(batch, n, EMBEDDING_SIZE)


def embedding_paths() -> tuple[Path, Path]:
    """The two speech_embedding ONNX files, verified against the manifest; a ModelError
    names the missing file and the command that installs it."""
    from beckon import modelstore

    return modelstore.require_model("speech_melspec"), modelstore.require_model("speech_embedding")


def packaged_classifier(
    file: str = MODEL_FILE,
    role: str = "answer verifier",
    trainer: str = "beckon.lab.train_keywords",
) -> Path:
    """A shipped classifier on the speech embedding (``models/answer_kws.onnx`` unless
    ``file`` names another); a ModelError naming the ``role``, the file and the ``trainer``
    module that rebuilds it if it is missing."""
    from beckon import paths

    path = Path(str(paths.packaged_models() / file))
    if not path.is_file():
        raise ModelError(
            f"the {role} {file} is missing (looked for {path})",
            f"reinstall Beckon, or rebuild it with `python -m {trainer}` (docs/voice.md)",
        )
    return path


def short_utterance(samples: Int16Array, too_long: str) -> tuple[Int16Array | None, str]:
    """The utterance framed for the embedding (:func:`fixed_window`), or None and why: no
    speech, or loud speech longer than :data:`MAX_SPEECH_S` (``too_long`` is that reason),
    which is no single word or short phrase and is not worth classifying."""
    a, b = speech_span(samples)
    if b <= a:
        return None, "no speech"
    if (b - a) / SAMPLE_RATE > MAX_SPEECH_S:
        return None, too_long
    return fixed_window(samples), ""


class KeywordVerifier:
    """Classifies one utterance (int16, 16 kHz) as yes, no, cancel or other."""

    def __init__(
        self,
        classifier: Path | None = None,
        melspec: Path | None = None,
        embedding: Path | None = None,
    ) -> None:
        if melspec is None or embedding is None:
            melspec, embedding = embedding_paths()
        self.embedder = SpeechEmbedder(melspec, embedding)
        self._clf = _session(classifier or packaged_classifier())

    def probabilities(self, embeddings: FloatArray) -> FloatArray:
        """(batch, N_EMBEDDINGS, 96) embeddings -> (batch, 4) class probabilities."""
        out = self._clf.run(None, {"embeddings": embeddings.astype(np.float32)})[0]
        return np.asarray(out, dtype=np.float32)

    def verdict(self, samples: Int16Array) -> KeywordVerdict:
        window, why = short_utterance(samples, "too long for one answer")
        if window is None:
            return KeywordVerdict("other", 1.0, reason=why)
        probs = self.probabilities(self.embedder.embed(window[None, :]))[0]
        best = int(np.argmax(probs))
        return KeywordVerdict(CLASSES[best], float(probs[best]), tuple(float(p) for p in probs))


def open_verifier() -> KeywordVerifier | None:
    """The verifier with the installed models, or None (logged, with the fix) when its
    speech-embedding files are not installed: the decoder then answers alone, as before."""
    try:
        return KeywordVerifier()
    except ModelError as exc:
        log.warning("answer verifier off: %s", exc)
        return None
