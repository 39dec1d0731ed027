"""The station's audible alert: a short chime generated here, played without blocking.

Qt Multimedia plays it when it can; otherwise ``paplay`` or ``aplay`` in a subprocess. The
sound is generated (no audio file to license or ship): two soft tones for a new request, three
higher ones repeated for an emergency or a device fault, and for an escalation a sound per
level: each level higher in pitch and repeated more often, so a nurse hears from across the
ward that a call has gone further up the chain.
"""

from __future__ import annotations

import io
import logging
import math
import shutil
import struct
import subprocess
import tempfile
import wave
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

RATE = 22050


class Alarm(Protocol):
    def play(self, loud: bool, level: int = 0) -> None: ...

    def close(self) -> None:
        """Let go of sound devices; called on the GUI thread when the window shuts down."""


def escalation_tones(level: int) -> list[tuple[float, float]]:
    """(frequency, seconds) of the sound for escalation ``level`` (1 to 3): two rising tones,
    a step higher per level, repeated ``level + 2`` times."""
    step = 2 ** ((level - 1) * 3 / 12)  # three semitones up per level
    return [(880.0 * step, 0.14), (1175.0 * step, 0.14)] * (level + 2)


def chime(loud: bool, level: int = 0) -> bytes:
    """A WAV file (16-bit mono) of a gentle chime, an insistent one when ``loud``, or the
    sound of escalation ``level`` when it is 1 or more."""
    if level > 0:
        tones = escalation_tones(level)
    elif loud:
        tones = [(880.0, 0.16), (1175.0, 0.16)] * 3
    else:
        tones = [(660.0, 0.22), (880.0, 0.3)]
    samples: list[int] = []
    for freq, seconds in tones:
        n = int(RATE * seconds)
        for i in range(n):
            envelope = min(1.0, i / (0.01 * RATE)) * (1.0 - i / n) ** 1.5
            samples.append(int(0.45 * 32767 * envelope * math.sin(2 * math.pi * freq * i / RATE)))
        samples.extend([0] * int(RATE * 0.04))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return buffer.getvalue()


def sound_name(loud: bool, level: int = 0) -> str:
    """Which of the generated sounds plays: soft, loud, or escalation-1 to escalation-3."""
    if level > 0:
        return f"escalation-{min(level, 3)}"
    return "loud" if loud else "soft"


class SilentAlarm:
    """Sound switched off: the station shows that alarms are silent."""

    working = False

    def play(self, loud: bool, level: int = 0) -> None:
        return None

    def close(self) -> None:
        return None


def sound_device_present(cards: Path = Path("/proc/asound/cards")) -> bool:
    """Whether the machine has a sound card ALSA knows (PulseAudio and PipeWire play through
    one too). Without one every alarm is silent, which the station must show as a fault."""
    try:
        text = cards.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(text.strip()) and "no soundcards" not in text


class ChimeAlarm:
    """Plays the chimes through Qt Multimedia, or a command-line player as a fallback."""

    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="beckon-sound-"))
        self._files: dict[str, Path] = {}  # by sound_name()
        for loud, level in ((False, 0), (True, 0), (True, 1), (True, 2), (True, 3)):
            name = sound_name(loud, level)
            self._files[name] = self._dir / f"{name}.wav"
            self._files[name].write_bytes(chime(loud, level))
        self._effects: dict[str, Any] = {}
        self._player = shutil.which("paplay") or shutil.which("aplay")
        self._qt = True
        self.working = self._qt_outputs() or (self._player is not None and sound_device_present())

    @staticmethod
    def _qt_outputs() -> bool:
        try:
            from PyQt6.QtMultimedia import QMediaDevices
        except ImportError:
            return False
        return bool(QMediaDevices.audioOutputs())

    def play(self, loud: bool, level: int = 0) -> None:
        name = sound_name(loud, level)
        if self._qt and self._play_qt(name):
            return
        if self._player is not None:
            try:
                subprocess.Popen(
                    [self._player, str(self._files[name])],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            except OSError as exc:
                log.warning("cannot play the alert sound: %s", exc)

    def close(self) -> None:
        """Delete the Qt sound effects now, on the GUI thread: they belong to Python, and
        left to the garbage collector (the window that holds this alarm sits in reference
        cycles) they could be destroyed on another thread. The generated sound files go
        too, so a station restarted every night leaves no folders behind in /tmp."""
        effects, self._effects = list(self._effects.values()), {}
        if effects:
            from PyQt6 import sip

            for effect in effects:
                effect.stop()
                sip.delete(effect)
        self._player = None  # the files are gone: nothing left to play
        self._qt = False
        shutil.rmtree(self._dir, ignore_errors=True)

    def _play_qt(self, name: str) -> bool:
        try:
            from PyQt6.QtCore import QUrl
            from PyQt6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError:
            self._qt = False
            return False
        if not QMediaDevices.audioOutputs():
            self._qt = False  # no sound card Qt can use: fall back for good
            return False
        effect = self._effects.get(name)
        if effect is None:
            effect = QSoundEffect()
            effect.setSource(QUrl.fromLocalFile(str(self._files[name])))
            effect.setVolume(0.8)
            self._effects[name] = effect
        effect.play()
        return True
