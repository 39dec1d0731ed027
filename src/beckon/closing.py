"""One base for objects used in a ``with`` block that release something on ``close()``.

Why: the face and hand landmarkers, the small-face finder, the vision pipeline and the frame
sources all hold native resources (MediaPipe graphs, cameras, files) that must be released
even when a frame raises; each used to spell out the same ``__enter__``/``__exit__`` pair.
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
