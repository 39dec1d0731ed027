"""``beckon`` with its window build held in the middle, so that a test can signal it there.

Run in a subprocess by tests/ui/test_ui_start_interrupted.py::

    python -m tests.helpers.paused_start RELEASE_FILE bedside --config ... --windowed

The command is the real one (``beckon.cli.main`` with these arguments, as ``python -m beckon``
runs it); only :func:`beckon.ui.launch.show`, which the window commands call for each window
once it and its threads have started, waits the first time: it prints ``PAUSED`` on stderr
and returns when RELEASE_FILE exists. Nothing in the product knows about this pause.

When the command returns, the Python threads still alive are printed as ``THREADS LEFT
[...]`` (the window commands start theirs as daemons: left running, they would die unseen
with the process), then the process exits with the command's status.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

import beckon.ui.launch
from beckon.cli import main

PAUSED = "PAUSED"
THREADS_LEFT = "THREADS LEFT"
POLL_S = 0.02  # between looks at the release file; the signal's handler runs between two


def hold_the_first_show(release: Path) -> None:
    show = beckon.ui.launch.show
    held: list[bool] = []

    def show_after_a_pause(window: Any, fullscreen: bool) -> None:
        if not held:
            held.append(True)
            print(PAUSED, file=sys.stderr, flush=True)
            while not release.exists():
                time.sleep(POLL_S)
        show(window, fullscreen)

    beckon.ui.launch.show = show_after_a_pause


if __name__ == "__main__":
    hold_the_first_show(Path(sys.argv[1]))
    status = main(sys.argv[2:])
    left = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    print(THREADS_LEFT, left, file=sys.stderr, flush=True)
    raise SystemExit(status)
