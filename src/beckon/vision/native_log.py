"""MediaPipe's C++ start-up lines, kept out of the user's terminal unless asked for.

Why: building a FaceLandmarker prints absl/glog lines ("W0000 ... Sets FaceBlendshapesGraph
acceleration to xnnpack by default", "Feedback manager requires a model with a single
signature inference") and TensorFlow Lite's "Created ... XNNPACK delegate" straight to file
descriptor 2, from C++ threads; GLOG_minloglevel and TF_CPP_MIN_LOG_LEVEL do not silence them
in the MediaPipe we ship. They look like warnings to a nurse or a newcomer and mean nothing to
them. So while the graph is built, fd 2 goes to a temporary file; afterwards those lines are
logged at DEBUG (``beckon -v ...`` or ``BECKON_LOG_LEVEL=DEBUG`` shows them) and anything else
that arrived meanwhile (another thread's log line) is written back to stderr unchanged.
``BECKON_NATIVE_LOG=1`` leaves stderr alone altogether.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from beckon.errors import ModelError

log = logging.getLogger("beckon.vision.mediapipe")

NATIVE_LINE = re.compile(
    r"^(?:[IWEF]\d{4} \d\d:\d\d:\d\d|WARNING: Logging before InitGoogle|INFO: Created TensorFlow"
    r"|(?:INFO|WARNING): \[[\w./-]+\.cc:\d+\] )"
)
"""absl/glog lines, and LiteRT's ("INFO: [environment.cc:36] Creating LiteRT environment ...",
from MediaPipe 0.10.30 on)."""
_lock = threading.Lock()  # fd 2 is one per process: one capture at a time

T = TypeVar("T")


@contextlib.contextmanager
def native_stderr_to_log() -> Iterator[None]:
    """Capture fd 2 for the duration of the block; see the module docstring."""
    if os.environ.get("BECKON_NATIVE_LOG") == "1":
        yield
        return
    with _lock, tempfile.TemporaryFile() as capture:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            text = capture.read().decode(errors="replace")
    replay = []
    for line in text.splitlines():
        if NATIVE_LINE.match(line):
            log.debug("%s", line)
        else:
            replay.append(line)
    if replay:
        sys.stderr.write("\n".join(replay) + "\n")
        sys.stderr.flush()


def load_landmarker(create: Callable[[Any], T], options: Any, path: Path, what: str) -> T:
    """``create(options)`` (a MediaPipe task's ``create_from_options``) with its start-up
    chatter logged as above, and a model file MediaPipe cannot load reported as a
    :class:`ModelError` that names ``what`` (e.g. "face landmarker"), the file and the fix."""
    try:
        with native_stderr_to_log():
            return create(options)
    except (RuntimeError, ValueError) as exc:
        raise ModelError(
            f"Cannot load {what} model {path}: {exc}",
            "the file may be corrupt; reinstall it with `beckon models fetch`",
        ) from exc


class QuietStart:
    """Calls into one MediaPipe graph, the first few with their C++ lines logged as above.

    Why: a graph also speaks on its first frames ("Input tensor memory is not aligned ...",
    "Using NORM_RECT without IMAGE_DIMENSIONS ...") and when it is closed ("DestroyAccelerator"),
    not only while it is built. The hand landmarker runs first when a gesture is checked for a
    hand over the face, so those lines came in the middle of `beckon demo`'s story. Only the
    first ``calls`` calls are captured: capturing fd 2 on every frame would cost each frame a
    temporary file and hold other threads' stderr back.

    A graph with a second stage that runs only when the first finds something (the hand
    landmarker's landmark model runs on the first image with a palm) speaks again on that
    image, which may come after the first ``calls``: ``until`` says from its result whether
    that stage has run, and calls stay captured until it has, at most ``most`` calls in all
    (a loaded machine's local CI run printed the landmark model's "not aligned" line, most
    likely because the first palm came on a later look than usual there).
    """

    def __init__(
        self, calls: int = 2, until: Callable[[Any], bool] | None = None, most: int = 50
    ) -> None:
        self._left = calls
        self._until = until
        self._most = most

    def __call__(self, call: Callable[..., T], *args: Any) -> T:
        if self._left <= 0 and (self._until is None or self._most <= 0):
            return call(*args)
        self._left -= 1
        self._most -= 1
        with native_stderr_to_log():
            result = call(*args)
        if self._until is not None and self._until(result):
            self._until = None  # the later stage has run: nothing more to hear from it
        return result

    @staticmethod
    def close(graph: Any) -> None:
        """``graph.close()`` with what it says logged as above."""
        with native_stderr_to_log():
            graph.close()
