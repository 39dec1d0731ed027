"""Audio in: WAV files and the microphone, both as 16 kHz mono int16 in 512-sample chunks.

Everything downstream (VAD, recognisers) runs at 16 kHz, so conversion happens once, here.
Audio never leaves this module except as chunks handed to the voice path on the device.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from math import gcd
from pathlib import Path
from typing import Any

import numpy as np

from beckon.errors import BeckonError
from beckon.voice.vad import CHUNK, SAMPLE_RATE, Int16Array

log = logging.getLogger(__name__)


class AudioError(BeckonError):
    """A sound file cannot be read or a microphone cannot be opened."""


def to_int16_mono_16k(data: np.ndarray, rate: int) -> Int16Array:
    """Mix to mono, resample to 16 kHz (polyphase, anti-aliased) and convert to int16."""
    x = np.asarray(data, dtype=np.float64)
    if x.ndim == 2:
        x = x.mean(axis=1)
    if rate != SAMPLE_RATE:
        from scipy.signal import resample_poly

        g = gcd(rate, SAMPLE_RATE)
        x = resample_poly(x, SAMPLE_RATE // g, rate // g)
    return np.clip(np.round(x * 32768.0), -32768, 32767).astype(np.int16)


def read_wav(path: Path) -> Int16Array:
    """Read a sound file (WAV, FLAC, ...) as 16 kHz mono int16."""
    import soundfile as sf

    if not Path(path).exists():
        raise AudioError(f"{path}: sound file not found", "check the path")
    if Path(path).is_dir():
        raise AudioError(f"{path} is a folder, not a sound file", "give a WAV or FLAC file")
    try:
        data, rate = sf.read(str(path), dtype="float64", always_2d=False)
    except (RuntimeError, sf.LibsndfileError) as exc:
        raise AudioError(f"{path}: cannot read this sound file ({exc})") from None
    return to_int16_mono_16k(data, int(rate))


def write_wav(path: Path, samples: Int16Array) -> None:
    """Write 16 kHz mono int16 (used by the benchmark and tests for temporary files only)."""
    import soundfile as sf

    sf.write(str(path), samples, SAMPLE_RATE, subtype="PCM_16")


class Microphone:
    """The default (or a named) input device as an iterator of 512-sample int16 chunks.

    PortAudio calls back on its own thread; chunks are passed through a bounded queue so a
    slow consumer loses old audio (logged) rather than growing memory without end.
    """

    def __init__(
        self,
        device: str | int | None = None,
        max_queued: int = 200,
        stall_timeout_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        zeros_timeout_s: float = 30.0,
    ) -> None:
        self.device = device
        self.stall_timeout_s = stall_timeout_s
        self.zeros_timeout_s = zeros_timeout_s
        """Nothing but exact zeros for this long: a muted capture or a mute switch (a live
        microphone always has some noise). It said "listening" while nobody could be heard."""
        """No sound at all for this long (not even silence: a live microphone always sends
        chunks) means it is gone, like a camera that stops: raise, so that the bedside shows
        it and opens the microphone again, instead of "listening" to nothing forever."""
        self._clock = clock
        self._queue: queue.Queue[Int16Array] = queue.Queue(maxsize=max_queued)
        self._stream: Any = None
        self._stopped = threading.Event()
        self.dropped = 0

    def __enter__(self) -> Microphone:
        try:
            import sounddevice as sd
        except OSError as exc:  # "PortAudio library not found"
            raise AudioError(
                f"cannot use the microphone: {exc}", "apt-get install libportaudio2"
            ) from None

        def callback(indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
            if status:
                log.debug("microphone: %s", status)
            try:
                self._queue.put_nowait(indata[:, 0].copy())
            except queue.Full:
                self.dropped += 1

        try:
            self._stream = sd.InputStream(
                samplerate=SAMPLE_RATE,
                blocksize=CHUNK,
                channels=1,
                dtype="int16",
                device=self.device,
                callback=callback,
            )
            self._stream.start()
        except Exception as exc:  # PortAudioError and ValueError for a bad device
            raise AudioError(
                f"cannot open microphone {self.device or '(default)'}: {exc}"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopped.set()
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None

    def __iter__(self) -> Iterator[Int16Array]:
        last = self._clock()
        sound = last  # when a chunk last held anything but zeros
        reported = 0
        while not self._stopped.is_set():
            try:
                chunk = self._queue.get(timeout=0.2)
            except queue.Empty:
                stream = self._stream
                if stream is not None and not stream.active:
                    raise AudioError(
                        f"microphone {self.device or '(default)'} stopped",
                        "check that it is plugged in; it is opened again by itself",
                    ) from None
                if self._clock() - last > self.stall_timeout_s:
                    raise AudioError(
                        f"microphone {self.device or '(default)'} stopped delivering sound "
                        f"(none for {self.stall_timeout_s:.0f} s)",
                        "check that it is plugged in; it is opened again by itself",
                    ) from None
                continue
            last = self._clock()
            if chunk.any():
                sound = last
            elif last - sound > self.zeros_timeout_s:
                raise AudioError(
                    f"microphone {self.device or '(default)'} sends only silence (exact zeros "
                    f"for {self.zeros_timeout_s:.0f} s): it is muted or switched off",
                    "unmute it (a switch on the microphone, or the system's sound settings)",
                ) from None
            if self.dropped > reported:
                log.warning("microphone: %d chunks dropped (the voice path is too slow)",
                            self.dropped - reported)  # fmt: skip
                reported = self.dropped
            yield chunk
