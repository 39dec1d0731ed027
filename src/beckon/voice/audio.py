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
from math import ceil, gcd
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


class Downsampler:
    """int16 chunks at ``rate`` Hz (at least 16 kHz) to 16 kHz, one chunk after another.

    A low-pass filter that keeps its state across chunks (filtering each chunk alone would click
    at every boundary), then the samples at the 16 kHz instants, interpolated between the two
    nearest input samples when ``rate`` is no whole multiple of 16 kHz (44.1 kHz microphones).
    Output instants are counted in whole samples, so they never drift over a long run.
    """

    def __init__(self, rate: int) -> None:
        if rate < SAMPLE_RATE:
            raise ValueError(f"cannot make {SAMPLE_RATE} Hz from {rate} Hz")
        self.rate = rate
        if rate > SAMPLE_RATE:
            from scipy.signal import firwin, lfilter_zi

            factor = rate / SAMPLE_RATE
            self._taps = firwin(48 * ceil(factor) + 1, 0.9 / factor)
            self._state = lfilter_zi(self._taps, 1.0) * 0.0
        self._seen = 0  # input samples filtered so far
        self._made = 0  # output samples made so far
        self._last = 0.0  # the last filtered input sample (interpolation across chunks)

    def __call__(self, chunk: np.ndarray) -> Int16Array:
        if self.rate == SAMPLE_RATE:
            return np.asarray(chunk, dtype=np.int16).copy()
        from scipy.signal import lfilter

        filtered, self._state = lfilter(
            self._taps, 1.0, np.asarray(chunk, dtype=np.float64), zi=self._state
        )
        n = len(filtered)
        # Output sample j sits at input instant j * rate / 16000; make every j that falls
        # within what has been filtered (its right neighbour may be the chunk's last sample).
        end = ((self._seen + n - 1) * SAMPLE_RATE) // self.rate + 1
        j = np.arange(self._made, max(end, self._made), dtype=np.int64)
        at = j * self.rate
        whole = at // SAMPLE_RATE - self._seen + 1  # index into [last, *filtered]
        frac = (at % SAMPLE_RATE) / SAMPLE_RATE
        padded = np.concatenate(([self._last], filtered, [filtered[-1] if n else self._last]))
        picked = padded[whole] * (1.0 - frac) + padded[whole + 1] * frac
        self._made += len(j)
        self._seen += n
        if n:
            self._last = float(filtered[-1])
        return np.clip(np.round(picked), -32768, 32767).astype(np.int16)


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
        deaf: Callable[[], bool] | None = None,
    ) -> None:
        self.device = device
        self.deaf = deaf
        """Asked as each block is captured: True while the tablet itself speaks
        (``EchoGuard.muted``). Those chunks are silenced here, when captured, not when the voice
        path reaches them: behind a backlog of a second or more, the tablet's own "say yes" was
        judged after it had ended and could confirm its own question."""
        self.stall_timeout_s = stall_timeout_s
        """No sound at all for this long (not even silence: a live microphone always sends
        chunks) means it is gone, like a camera that stops: raise, so that the bedside shows
        it and opens the microphone again, instead of "listening" to nothing forever."""
        self.zeros_timeout_s = zeros_timeout_s
        """Nothing but exact zeros for this long: a muted capture or a mute switch (a live
        microphone always has some noise). It said "listening" while nobody could be heard."""
        self._clock = clock
        self._queue: queue.Queue[tuple[Int16Array, bool]] = queue.Queue(maxsize=max_queued)
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

        down = Downsampler(SAMPLE_RATE)
        pending = np.zeros(0, dtype=np.int16)  # 16 kHz samples short of a whole chunk

        def callback(indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
            nonlocal pending
            if status:
                log.debug("microphone: %s", status)
            deaf = self.deaf is not None and self.deaf()
            pending = np.concatenate((pending, down(indata[:, 0])))
            while len(pending) >= CHUNK:  # a 44.1 kHz block gives 511 to 513 samples
                chunk, pending = pending[:CHUNK], pending[CHUNK:]
                if deaf:
                    chunk = np.zeros_like(chunk)
                try:
                    self._queue.put_nowait((chunk, deaf))
                except queue.Full:
                    self.dropped += 1

        def open_at(rate: int) -> Any:
            stream = sd.InputStream(
                samplerate=rate,
                blocksize=round(CHUNK * rate / SAMPLE_RATE),
                channels=1,
                dtype="int16",
                device=self.device,
                callback=callback,
            )
            stream.start()
            return stream

        try:
            self._stream = open_at(SAMPLE_RATE)
        except Exception as exc:  # PortAudioError and ValueError for a bad device
            # Many USB microphones take only 48 or 44.1 kHz: open at the device's own rate and
            # filter down (it failed for ever before).
            rate = self._device_rate(sd)
            if rate is None or rate <= SAMPLE_RATE:
                raise AudioError(
                    f"cannot open microphone {self.device or '(default)'}: {exc}"
                ) from None
            down = Downsampler(rate)
            try:
                self._stream = open_at(rate)
            except Exception as again:
                raise AudioError(
                    f"cannot open microphone {self.device or '(default)'} at 16 or "
                    f"{rate / 1000:g} kHz: {again}"
                ) from None
            log.info("microphone %s: %d Hz, filtered down to 16 kHz", self.device or "(default)",
                     rate)  # fmt: skip
        return self

    def _device_rate(self, sd: Any) -> int | None:
        try:
            return int(sd.query_devices(self.device, "input")["default_samplerate"])
        except Exception:  # no such device, or a PortAudio without it
            return None

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
                chunk, deaf = self._queue.get(timeout=0.2)
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
            if chunk.any() or deaf:  # silenced on purpose is no muted microphone
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
