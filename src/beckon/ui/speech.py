"""Spoken prompts at the bedside, for patients who cannot read the screen.

espeak-ng runs in a subprocess, so the window never waits for speech; a new prompt interrupts
the one still speaking (the highlight has moved on, the old word is stale). Speech can be
switched off, and tests inject a recorder instead of making noise.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from typing import Protocol

log = logging.getLogger(__name__)

VOICES = {"en": "en-gb", "ko": "ko"}


class Speaker(Protocol):
    def say(self, text: str, language: str) -> None: ...

    def speaking(self) -> bool: ...

    def close(self) -> None: ...


class SilentSpeaker:
    """Speech switched off."""

    def say(self, text: str, language: str) -> None:
        return None

    def speaking(self) -> bool:
        return False

    def close(self) -> None:
        return None


class EspeakSpeaker:
    """Speaks with espeak-ng in the patient's language, one prompt at a time."""

    def __init__(self, rate_wpm: int = 140, binary: str | None = None) -> None:
        self.rate_wpm = rate_wpm
        self.binary = binary or shutil.which("espeak-ng")
        self._proc: subprocess.Popen[bytes] | None = None
        if self.binary is None:
            log.warning("espeak-ng is not installed: spoken prompts are off")

    def say(self, text: str, language: str) -> None:
        if not text or self.binary is None:
            return
        self._stop_current()
        voice = VOICES.get(language, language)
        try:
            self._proc = subprocess.Popen(
                [self.binary, "-v", voice, "-s", str(self.rate_wpm), "--", text],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            log.warning("cannot speak: %s", exc)
            self._proc = None

    def speaking(self) -> bool:
        """Whether a prompt is in the air now (asked from the voice thread too: the
        microphone is deaf meanwhile, :mod:`beckon.bedside.echo`)."""
        proc = self._proc
        return proc is not None and proc.poll() is None

    def _stop_current(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(0.5)
            except subprocess.TimeoutExpired:
                proc.kill()

    def close(self) -> None:
        self._stop_current()
