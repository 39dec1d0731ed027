"""The tablet's own voice is not the patient's: the microphone is deaf while it speaks.

Why: the bedside speaks its prompts aloud (espeak-ng through the tablet's speaker) right next
to the microphone that listens for the patient. Heard back, "This is an emergency. Please
help!" was recognised as an emergency and sent a second one, and "Please move me" was heard
as "need to pee" and proposed. So while the speaker is busy, and for ``tail_s`` after (the
room's echo and the audio device's delay), the voice worker hears silence instead of the
microphone. The patient's answer to a prompt comes after the prompt, so nothing is lost that
a person would say over it.

Plain Python and thread-safe: the window's speaker is asked from the voice thread.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

TAIL_S = 0.5
"""How long the microphone stays deaf after the speaker has finished."""
LONGEST_S = 30.0
"""The longest the microphone is deaf for one stretch of speaking. A prompt takes seconds; a
speaker "speaking" for longer is stuck (an espeak-ng blocked on the audio device), and the
patient must not go unheard until the next prompt replaces it."""

log = logging.getLogger(__name__)


class EchoGuard:
    """``muted()`` is True while ``busy()`` (the speaker is speaking) and for ``tail_s`` after
    the last call that found it busy (the voice worker asks at every chunk of audio)."""

    def __init__(
        self,
        busy: Callable[[], bool] = lambda: False,
        tail_s: float = TAIL_S,
        clock: Callable[[], float] = time.monotonic,
        longest_s: float = LONGEST_S,
    ) -> None:
        self._lock = threading.Lock()
        self._busy = busy
        self.tail_s = tail_s
        self.longest_s = longest_s
        self._clock = clock
        self._until = -math.inf
        self._busy_since: float | None = None

    def follow(self, busy: Callable[[], bool]) -> None:
        """Ask ``busy`` from now on (the window's speaker, once it exists)."""
        with self._lock:
            self._busy = busy

    def muted(self) -> bool:
        now = self._clock()
        with self._lock:
            if self._busy():
                if self._busy_since is None:
                    self._busy_since = now
                if now - self._busy_since > self.longest_s:
                    if self._until > -math.inf:
                        log.warning(
                            "the speaker has been speaking for %.0f s: stuck? listening again",
                            now - self._busy_since,
                        )
                        self._until = -math.inf
                    return False
                self._until = now + self.tail_s
                return True
            self._busy_since = None
            return now < self._until
