"""A microphone that takes only 48 or 44.1 kHz (many USB ones) is opened at its own rate and
filtered down to 16 kHz; it failed with "Invalid sample rate" on every retry, for ever. PortAudio is
stood in for by a fake ``sounddevice`` module: no sound card here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from beckon.voice.audio import AudioError, Downsampler, Microphone
from beckon.voice.vad import CHUNK, SAMPLE_RATE
from tests.helpers.portaudio import FakeInputStream, install_sounddevice

TONE_HZ = 1000.0


class OnlyOneRate(FakeInputStream):
    """A stream that refuses every rate but ``RATE`` and then sends a 1 kHz tone."""

    RATE = 48000
    interval_s = 0.002

    def __init__(self, samplerate: int, blocksize: int, callback: Any, **_: Any) -> None:
        if samplerate != self.RATE:
            raise ValueError("Invalid sample rate")
        super().__init__(callback)
        self.blocksize = blocksize

    def blocks(self) -> Iterator[npt.NDArray[np.int16]]:
        n = 0
        for _ in range(30):
            t = (np.arange(self.blocksize) + n) / self.RATE
            block = (8000 * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.int16)
            n += self.blocksize
            yield block[:, None]


def fake_sounddevice(monkeypatch: pytest.MonkeyPatch, rate: int) -> None:
    stream = type("Only", (OnlyOneRate,), {"RATE": rate})
    install_sounddevice(
        monkeypatch,
        stream,
        query_devices=lambda device, kind: {"default_samplerate": float(rate)},
    )


@pytest.mark.parametrize("rate", [48000, 44100, 96000])
def test_a_microphone_that_takes_only_its_own_rate_is_heard_at_16_khz(
    monkeypatch: pytest.MonkeyPatch, rate: int
) -> None:
    fake_sounddevice(monkeypatch, rate)
    chunks = []
    with Microphone(stall_timeout_s=60.0) as mic, pytest.raises(AudioError, match="stopped"):
        for chunk in mic:
            chunks.append(chunk)
    assert all(len(c) == CHUNK for c in chunks), "whole 512-sample chunks, whatever the rate"
    assert len(chunks) in (29, 30), "30 blocks of 32 ms make 30 chunks (less what is short)"
    sound = np.concatenate(chunks[5:]).astype(np.float64)  # past the filter's start
    spectrum = np.abs(np.fft.rfft(sound))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / len(sound)
    assert abs(peak_hz - TONE_HZ) < 20
    assert 5000 < np.abs(sound).max() < 9000, "the level is kept"


def test_a_rate_below_16_khz_is_still_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_sounddevice(monkeypatch, 8000)
    with pytest.raises(AudioError, match=r"cannot open microphone .*Invalid sample rate"):
        Microphone().__enter__()


@pytest.mark.parametrize("rate", [48000, 44100])
def test_the_downsampler_is_continuous_across_chunks(rate: int) -> None:
    """Chunk by chunk is the same as all at once: no click at the boundaries, no drift."""
    t = np.arange(rate * 2) / rate
    signal = (6000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    whole = Downsampler(rate)(signal)
    down = Downsampler(rate)
    pieces = np.concatenate([down(signal[i : i + 1000]) for i in range(0, len(signal), 1000)])
    assert len(pieces) == len(whole) == 32000
    assert np.abs(pieces.astype(int) - whole.astype(int)).max() <= 1


def test_a_44_1_khz_tone_keeps_its_pitch_and_shape() -> None:
    """Interpolated instants, not the nearest sample: the 16 kHz tone matches an ideal one."""
    rate = 44100
    t = np.arange(rate) / rate
    down = Downsampler(rate)(5000 * np.sin(2 * np.pi * 440 * t))
    delay = (48 * 3) // 2 / rate  # the filter's group delay, in seconds
    ideal = 5000 * np.sin(2 * np.pi * 440 * (np.arange(len(down)) / SAMPLE_RATE - delay))
    settled = slice(200, len(down))
    assert np.abs(down[settled] - ideal[settled]).max() < 60, "within about 1% of the tone"
