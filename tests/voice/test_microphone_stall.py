"""A microphone that stops sending sound is noticed, like a camera that stops sending frames.

A live microphone sends chunks all the time, silence included. Unplugged (USB) or taken by
another program, PortAudio may just stop calling back: the bedside then "listened" to
nothing forever and the bed reported voice as working. Now no chunk for ``stall_timeout_s``,
or a stream PortAudio reports inactive, raises :class:`AudioError`, and the voice worker
stops with it (the host opens the microphone again and the bed reports the fault).
PortAudio is stood in for by a fake ``sounddevice`` module: no sound card here.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from beckon.bedside.voice_worker import VoiceWorker
from beckon.voice.audio import AudioError, Microphone
from beckon.voice.recognizer import VoicePipeline
from beckon.voice.vad import CHUNK
from tests.helpers.portaudio import FakeInputStream, install_sounddevice


class FakeStream(FakeInputStream):
    """Calls back ``chunks`` times, 32 ms apart, then falls silent (``active`` stays True
    unless ``goes_inactive``), like a microphone pulled out of its socket."""

    def __init__(
        self, chunks: int, goes_inactive: bool, callback: Any, noise: bool = False, **_: Any
    ) -> None:
        super().__init__(callback)
        self.chunks, self.goes_inactive = chunks, goes_inactive
        self.noise = noise  # a live microphone's noise floor, else exact zeros (muted)

    def blocks(self) -> Iterator[npt.NDArray[np.int16]]:
        rng = np.random.default_rng(0)
        for _ in range(self.chunks):
            chunk = rng.integers(-3, 4, (CHUNK, 1)) if self.noise else np.zeros((CHUNK, 1))
            yield chunk.astype(np.int16)

    def ended(self) -> None:
        if self.goes_inactive:
            self.active = False


def fake_sounddevice(
    monkeypatch: pytest.MonkeyPatch, chunks: int, goes_inactive: bool, noise: bool = False
) -> None:
    install_sounddevice(
        monkeypatch, lambda **kw: FakeStream(chunks, goes_inactive, noise=noise, **kw)
    )


def test_a_microphone_that_falls_silent_is_an_error_after_the_stall_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_sounddevice(monkeypatch, chunks=10, goes_inactive=False)
    got = 0
    with (
        Microphone(stall_timeout_s=0.5) as mic,
        pytest.raises(AudioError, match=r"stopped delivering sound \(none for"),
    ):
        for _ in mic:
            got += 1
    assert got == 10


def test_a_stream_portaudio_reports_stopped_is_an_error_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_sounddevice(monkeypatch, chunks=3, goes_inactive=True)
    with (
        Microphone(stall_timeout_s=60.0) as mic,
        pytest.raises(AudioError, match=r"microphone \(default\) stopped"),
    ):
        for _ in mic:
            pass


def test_the_voice_worker_stops_with_the_microphones_error(
    monkeypatch: pytest.MonkeyPatch, english: VoicePipeline
) -> None:
    fake_sounddevice(monkeypatch, chunks=3, goes_inactive=True)
    worker = VoiceWorker("en", lambda item: None, source=None, pipeline=english)
    worker.start()
    assert worker.finished.wait(30), "the worker kept listening to a dead microphone"
    assert isinstance(worker.error, AudioError)


def test_a_muted_microphone_sending_only_zeros_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A muted capture delivers chunks of exact zeros: the screen said "Listening" forever
    and the station saw voice working while nobody could be heard."""
    fake_sounddevice(monkeypatch, chunks=40, goes_inactive=False)
    with (
        Microphone(stall_timeout_s=60.0, zeros_timeout_s=0.5) as mic,
        pytest.raises(AudioError, match=r"sends only silence .*muted"),
    ):
        for _ in mic:
            pass


def test_a_quiet_room_is_not_a_muted_microphone(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_sounddevice(monkeypatch, chunks=40, goes_inactive=False, noise=True)
    got = 0
    with (
        Microphone(stall_timeout_s=0.5, zeros_timeout_s=0.5) as mic,
        pytest.raises(AudioError, match=r"stopped delivering sound"),  # only once it stops
    ):
        for _ in mic:
            got += 1
    assert got == 40


def test_what_was_captured_while_the_tablet_spoke_stays_silent_when_read_late(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The echo guard is asked when each block is captured, not when the voice path gets to
    it: behind a backlog, the tablet's own "say yes" was read after the speaker had finished
    and heard as the patient's answer. Here the tablet speaks during the first 15 blocks and
    the reader starts only once all 40 are captured; nor is that silence a muted microphone."""
    fake_sounddevice(monkeypatch, chunks=40, goes_inactive=False, noise=True)
    captured = 0

    def speaking() -> bool:  # asked once per block, on the capture thread
        nonlocal captured
        captured += 1
        return captured <= 15

    chunks = []
    with (
        Microphone(stall_timeout_s=0.5, zeros_timeout_s=0.2, deaf=speaking) as mic,
        pytest.raises(AudioError, match=r"stopped delivering sound"),
    ):
        deadline = time.monotonic() + 30
        while captured < 40 and time.monotonic() < deadline:
            time.sleep(0.05)  # a backlog: nothing read until the tablet has long finished
        for chunk in mic:
            chunks.append(chunk)
    assert len(chunks) == 40
    assert not any(c.any() for c in chunks[:15]), "the tablet's own speech is not heard"
    assert all(c.any() for c in chunks[15:]), "the patient after it is"
