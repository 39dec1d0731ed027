"""A microphone that takes only 48 kHz (many USB ones) is opened at its own rate and filtered
down to 16 kHz; it failed with "Invalid sample rate" on every retry, for ever. PortAudio is
stood in for by a fake ``sounddevice`` module: no sound card here."""

from __future__ import annotations

import sys
import threading
import time
import types
from typing import Any

import numpy as np
import pytest

from beckon.voice.audio import AudioError, Downsampler, Microphone
from beckon.voice.vad import CHUNK, SAMPLE_RATE

TONE_HZ = 1000.0


class Only48k:
    """A stream that refuses every rate but 48 kHz and then sends a 1 kHz tone."""

    def __init__(self, samplerate: int, blocksize: int, callback: Any, **_: Any) -> None:
        if samplerate != 48000:
            raise ValueError("Invalid sample rate")
        self.blocksize, self.callback, self.active = blocksize, callback, False

    def start(self) -> None:
        self.active = True

        def run() -> None:
            n = 0
            for _ in range(30):
                t = (np.arange(self.blocksize) + n) / 48000.0
                block = (8000 * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.int16)
                n += self.blocksize
                self.callback(block[:, None], self.blocksize, None, None)
                time.sleep(0.002)
            self.active = False

        threading.Thread(target=run, daemon=True).start()

    def stop(self) -> None:
        self.active = False

    def close(self) -> None:
        pass


def fake_sounddevice(monkeypatch: pytest.MonkeyPatch, default_rate: float) -> None:
    module = types.ModuleType("sounddevice")
    module.InputStream = Only48k  # type: ignore[attr-defined]
    module.query_devices = lambda device, kind: {"default_samplerate": default_rate}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sounddevice", module)


def test_a_48_khz_only_microphone_is_heard_at_16_khz(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_sounddevice(monkeypatch, 48000.0)
    chunks = []
    with Microphone(stall_timeout_s=60.0) as mic, pytest.raises(AudioError, match="stopped"):
        for chunk in mic:
            chunks.append(chunk)
    assert len(chunks) == 30 and all(len(c) == CHUNK for c in chunks)
    sound = np.concatenate(chunks[5:]).astype(np.float64)  # past the filter's start
    spectrum = np.abs(np.fft.rfft(sound))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / len(sound)
    assert abs(peak_hz - TONE_HZ) < 20
    assert 5000 < np.abs(sound).max() < 9000, "the level is kept"


def test_a_rate_that_is_no_multiple_of_16_khz_is_still_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_sounddevice(monkeypatch, 44100.0)
    with pytest.raises(AudioError, match=r"cannot open microphone .*Invalid sample rate"):
        Microphone().__enter__()


def test_the_downsampler_is_continuous_across_chunks() -> None:
    """Chunk by chunk is the same as all at once: no click at the boundaries."""
    t = np.arange(48000 * 2) / 48000.0
    signal = (6000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    whole = Downsampler(3)(signal)
    down = Downsampler(3)
    pieces = np.concatenate([down(signal[i : i + 1000]) for i in range(0, len(signal), 1000)])
    assert len(pieces) == len(whole) == 32000
    assert np.abs(pieces.astype(int) - whole.astype(int)).max() <= 1
