"""Errors that reach people: each says what is wrong and what to do about it.

The CLI prints ``BeckonError`` as one or two lines (no traceback) and exits with status 2,
so that hospital IT sees the cause instead of a stack dump.
"""

from __future__ import annotations


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
