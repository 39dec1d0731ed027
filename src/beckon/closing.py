"""Bases for objects used in a ``with`` block: ``Closing`` releases something on ``close()``,
``Started`` starts on the way in and stops on the way out.

Why: the face and hand landmarkers, the small-face finder, the vision pipeline and the frame
sources all hold native resources (MediaPipe graphs, cameras, files) that must be released
even when a frame raises; each used to spell out the same ``__enter__``/``__exit__`` pair, as
did the services' background thread and the embedded broker.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Closing:
    """``with obj:`` returns ``obj`` and calls ``obj.close()`` on the way out."""

    def close(self) -> None:
        """Release resources (nothing to do here; subclasses override)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class Started(Closing):
    """``with obj:`` calls ``obj.start()``, returns ``obj`` and calls ``obj.stop()`` on the
    way out (a service's background thread, the embedded broker)."""

    def start(self) -> object:
        """Begin running (nothing to do here; subclasses override)."""
        return self

    def stop(self) -> None:
        """Stop running (nothing to do here; subclasses override)."""

    def close(self) -> None:
        """Leaving the ``with`` block stops it."""
        self.stop()

    def __enter__(self) -> Self:
        self.start()
        return self
