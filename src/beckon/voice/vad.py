"""Voice activity detection with Silero VAD (ONNX, run by onnxruntime) and utterance cutting.

Why our own VAD in front of Vosk: Vosk waits 0.5 to 1 s of trailing silence before it gives
a final result, which a patient feels as the tablet not listening. Silero scores each 32 ms
chunk; an utterance ends after ``end_silence_s`` of non-speech (a quarter second, not a
second) and the recogniser is asked for its final result at once. Short words ("yes", "no")
start softly and are clipped by every VAD, so ``pre_roll_s`` of audio from before the
detected start is kept and handed to the recogniser with the utterance.

The ``silero-vad`` PyPI package pulls in torch, so only its ONNX file is used (installed with
``pip install --no-deps silero-vad``); the model is small and costs well under a millisecond
per chunk.
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
CHUNK = 512  # samples per VAD step at 16 kHz (32 ms), fixed by the model
_CONTEXT = 64  # Silero v5 expects the last 64 samples of the previous chunk in front
_FULL_SCALE = 32768.0

Int16Array = npt.NDArray[np.int16]
FloatArray = npt.NDArray[np.float32]


def silero_model_path() -> Path:
    """The Silero ONNX file shipped in the ``silero-vad`` package, checked against the
    manifest's SHA-256 (a ModelError says how to install it without torch)."""
    from beckon import modelstore

    return modelstore.require_model("silero_vad")


class SileroVad:
    """Speech probability per 512-sample chunk; keeps the model's recurrent state."""

    def __init__(self, model_path: Path | None = None) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        # One thread: the VAD is tiny and must not fight Vosk for the tablet's two cores.
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(model_path or silero_model_path()), opts, providers=["CPUExecutionProvider"]
        )
        self._sr = np.array(SAMPLE_RATE, dtype=np.int64)
        self.reset()

    def reset(self) -> None:
        self._state = np.zeros((2, 1, 128), dtype=np.float32)
        self._context = np.zeros((1, _CONTEXT), dtype=np.float32)

    def probability(self, chunk: FloatArray) -> float:
        """``chunk``: 512 float samples in -1..1."""
        if chunk.shape != (CHUNK,):
            raise ValueError(f"the VAD takes chunks of {CHUNK} samples, got {chunk.shape}")
        x = np.concatenate([self._context, chunk.reshape(1, CHUNK)], axis=1)
        out, self._state = self._session.run(
            None, {"input": x, "state": self._state, "sr": self._sr}
        )
        self._context = x[:, -_CONTEXT:]
        return float(out[0, 0])


@dataclass(frozen=True)
class VadConfig:
    """Thresholds and timings of the segmenter (seconds).

    ``start``/``stop`` are the speech-probability hysteresis; ``min_speech_s`` drops clicks
    and coughs; ``max_utterance_s`` cuts a patient who keeps talking, since requests are short.

    ``loud_dbfs``/``loud_drop_db``: a sound at least ``loud_dbfs`` (RMS of a chunk, dB below
    full scale) that the VAD does not call speech, followed by a chunk ``loud_drop_db``
    quieter than it, restarts the VAD (:class:`Segmenter`). A full-scale chime or tone leaves
    Silero's recurrent state deaf to speech that follows within a second or two: 26 of the
    train part's 49 course recordings (a 0.5 s 1 kHz beep at full scale, 0.1 s of digital
    silence, then "yes" or "no") gave no utterance, the same speech cut from behind the beep
    2, with the restart 8 (docs/journal/voice.md, session 16, branch vvad).

    ``comfort_noise_rms``/``comfort_min_zeros``: while no utterance is under way, runs of at
    least ``comfort_min_zeros`` exact zero samples reach Silero as faint noise of this RMS
    (int16 units; 0 turns it off). Digital silence (a noise gate, a muted microphone, a file's
    padding) is a sound Silero never met in training: from it, its recurrent state met the
    train part's last 8 course recordings' "yes" and "no" at 0.3 to 0.56 and never started;
    with a -60 dBFS noise floor in the zeros all 8 start (docs/journal/voice.md, session 17, branch
    ven10). Only the VAD hears it; the recogniser gets the zeros. A run must last a chunk
    (32 ms): a quiet recording quantised to a few steps has runs of tens to hundreds of zeros
    between its +-1 samples, and filling those made a choppy noise that cost a Korean talk
    clip its speech.
    """

    start: float = 0.5
    stop: float = 0.35
    end_silence_s: float = 0.224
    pre_roll_s: float = 0.32
    min_speech_s: float = 0.1
    max_utterance_s: float = 6.0
    loud_dbfs: float = -12.0
    loud_drop_db: float = 20.0
    comfort_noise_rms: float = 32.0
    comfort_min_zeros: int = 512


class ComfortNoise:
    """Faint noise in place of runs of exact digital zeros, for the VAD's ears only.

    A run counts from ``min_zeros`` consecutive zero samples, also across chunks. The noise is
    drawn from a generator seeded at every :meth:`reset`, so the same recording is cut the same
    way each time (a bench repeats exactly)."""

    def __init__(self, rms: float, min_zeros: int, seed: int = 0) -> None:
        self.rms = rms
        self.min_zeros = max(1, min_zeros)
        self._seed = seed
        self.reset()

    def reset(self) -> None:
        self._rng = np.random.default_rng(self._seed)
        self._zeros = 0  # zero samples that ended the previous chunk

    def __call__(self, chunk: Int16Array, fill: bool = True) -> FloatArray:
        """``chunk`` as floats in -1..1, its long zero runs filled when ``fill`` (the run
        count is kept either way)."""
        x = chunk.astype(np.float32) / _FULL_SCALE
        zero = chunk == 0
        if not zero.any():
            self._zeros = 0
            return x
        edges = np.diff(np.concatenate([[0], zero.astype(np.int8), [0]]))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        carried = self._zeros
        self._zeros = int(ends[-1] - starts[-1]) if ends[-1] == len(chunk) else 0
        if self._zeros == len(chunk):
            self._zeros += carried
        if not fill or self.rms <= 0:
            return x
        mask = np.zeros(len(chunk), dtype=bool)
        for a, b in zip(starts, ends, strict=True):
            if b - a + (carried if a == 0 else 0) >= self.min_zeros:
                mask[a:b] = True
        n = int(mask.sum())
        if n:
            x[mask] = self._rng.normal(0.0, self.rms / _FULL_SCALE, n).astype(np.float32)
        return x


@dataclass
class SegmentEvent:
    """What the segmenter says after a chunk.

    kind: "start" (``audio`` holds the pre-roll and the first speech chunk), "audio" (one more
    chunk of an utterance), "end" (the utterance is over; ``speech_end`` is the stream time in
    seconds where speech stopped) or "drop" (it was too short to be speech).
    """

    kind: str
    t: float
    audio: Int16Array = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    speech_end: float = 0.0


class Segmenter:
    """Cuts a stream of 512-sample int16 chunks into utterances with the VAD.

    Streaming by design: a recogniser fed from the "start" and "audio" events has already
    decoded nearly everything when "end" arrives, which keeps end-of-speech to intent short.
    """

    def __init__(self, vad: SileroVad, config: VadConfig | None = None) -> None:
        self.vad = vad
        self.config = config or VadConfig()
        c = self.config
        step = CHUNK / SAMPLE_RATE
        self._pre_chunks = max(1, round(c.pre_roll_s / step))
        self._end_chunks = max(1, round(c.end_silence_s / step))
        self._min_chunks = max(1, round(c.min_speech_s / step))
        self._max_chunks = max(1, round(c.max_utterance_s / step))
        self._comfort = ComfortNoise(c.comfort_noise_rms, c.comfort_min_zeros)
        self.reset()

    def reset(self) -> None:
        self.vad.reset()
        self._comfort.reset()
        self._history: collections.deque[Int16Array] = collections.deque(maxlen=self._pre_chunks)
        self._in_speech = False
        self._silent = 0
        self._speech_chunks = 0
        self._chunks = 0
        self._n = 0  # chunks seen since reset
        self._loud = 0.0  # RMS of the loudest non-speech chunk since the VAD last started
        self.restarts = 0  # times a loud non-speech sound restarted the VAD (for logs, tests)
        self.last_probability = 0.0

    def push(self, chunk: Int16Array) -> list[SegmentEvent]:
        """Feed one chunk of ``CHUNK`` int16 samples; returns 0 to 2 events."""
        t_end = (self._n + 1) * CHUNK / SAMPLE_RATE
        self._n += 1
        level = float(np.sqrt(np.mean(chunk.astype(np.float64) ** 2)))
        if not self._in_speech:
            self._after_loud_sound(level)
        # Comfort noise only before an utterance: in one, zeros end it as they always did.
        p = self.vad.probability(self._comfort(chunk, fill=not self._in_speech))
        self.last_probability = p
        events: list[SegmentEvent] = []
        if not self._in_speech:
            if p < self.config.start and level >= _FULL_SCALE * 10 ** (self.config.loud_dbfs / 20):
                self._loud = max(self._loud, level)
            if p >= self.config.start:
                self._loud = 0.0
                self._in_speech = True
                self._silent = 0
                self._speech_chunks = 1
                self._chunks = 1
                audio = np.concatenate([*self._history, chunk])
                events.append(SegmentEvent("start", t_end, audio))
            self._history.append(chunk)
            return events
        self._chunks += 1
        events.append(SegmentEvent("audio", t_end, chunk))
        if p >= self.config.stop:
            self._silent = 0
            self._speech_chunks += 1
        else:
            self._silent += 1
        if self._silent >= self._end_chunks or self._chunks >= self._max_chunks:
            speech_end = t_end - self._silent * CHUNK / SAMPLE_RATE
            kind = "end" if self._speech_chunks >= self._min_chunks else "drop"
            events.append(SegmentEvent(kind, t_end, speech_end=speech_end))
            self._in_speech = False
            self._history.clear()
        return events

    def _after_loud_sound(self, level: float) -> None:
        """Restart the VAD when a loud sound it did not call speech has stopped (``level``,
        the RMS of the chunk about to be scored, is ``loud_drop_db`` under it).

        Why: Silero's recurrent state after a loud tone stays deaf for a second or more, so
        a patient who answers right after the tablet's own chime, a monitor's alarm close to
        the microphone or a door is not heard at all. A fresh state hears speech from its
        first chunks (a file starts with one). The pre-roll is dropped with it: the loud
        sound is no soft onset of the word, and it would be the loudest part of the
        utterance the decoder and the verifiers are given."""
        if self._loud <= 0.0 or level > self._loud * 10 ** (-self.config.loud_drop_db / 20):
            return
        log.debug("a loud sound (%.0f RMS) stopped: the VAD restarts", self._loud)
        self.vad.reset()
        self._history.clear()
        self._loud = 0.0
        self.restarts += 1


def chunks(samples: Int16Array) -> Iterator[Int16Array]:
    """Split audio into VAD chunks; the tail is padded with silence."""
    n = len(samples)
    for i in range(0, n, CHUNK):
        part = samples[i : i + CHUNK]
        if len(part) < CHUNK:
            part = np.concatenate([part, np.zeros(CHUNK - len(part), dtype=np.int16)])
        yield part


@dataclass(frozen=True)
class Segment:
    """One utterance found in a recording (times in seconds)."""

    start: float
    end: float
    speech_end: float
    audio: Int16Array


def segment(samples: Int16Array, vad: SileroVad, config: VadConfig | None = None) -> list[Segment]:
    """All utterances in a recording (for files and tests). Trailing silence is added so an
    utterance that runs to the end of the file still ends."""
    seg = Segmenter(vad, config)
    tail = np.zeros(int(SAMPLE_RATE * (seg.config.end_silence_s + 0.1)), dtype=np.int16)
    found: list[Segment] = []
    parts: list[Int16Array] = []
    start = 0.0
    for chunk in chunks(np.concatenate([samples, tail])):
        for ev in seg.push(chunk):
            if ev.kind == "start":
                parts = [ev.audio]
                start = ev.t - len(ev.audio) / SAMPLE_RATE
            elif ev.kind == "audio":
                parts.append(ev.audio)
            elif ev.kind == "end":
                found.append(Segment(start, ev.t, ev.speech_end, np.concatenate(parts)))
    return found
