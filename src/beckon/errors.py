"""Errors that reach people: each says what is wrong and what to do about it.

The CLI prints ``BeckonError`` as one or two lines (no traceback) and exits with status 2,
so that hospital IT sees the cause instead of a stack dump.
"""

from __future__ import annotations

EX_CONFIG = 78
"""The exit status of a service that restarting cannot fix (sysexits.h's EX_CONFIG): a wrong
configuration key or missing file (:class:`ConfigError`), a missing model, and a station that
found another station service set up for its unit (DUPLICATE STATION, SECOND STATION, before
or after connecting). The shipped units do not restart on it (``RestartPreventExitStatus=78``)
and ``beckon doctor`` names a unit stopped with it. Why not restart: each start fails the same
way and logs the same refusal every few seconds for ever (a second station refused before
connecting: every 5.5 s), and a twin started again logged in as the running station and threw
it off the broker. Defined here once: the CLI, the station service and the doctor read it."""


class BeckonError(Exception):
    """An error with a message for a person and, where there is one, the fix."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  -> {self.hint}"


class ConfigError(BeckonError):
    """A configuration file, variable or flag is missing or has the wrong value."""


class ModelError(BeckonError):
    """A model file is missing, corrupt, or cannot be fetched."""


class FrameSourceError(BeckonError):
    """A camera or video file cannot be opened or stopped delivering frames."""
