"""``beckon`` with its start held in the middle, so that a test can signal it there.

Run in a subprocess by tests/ui/test_ui_start_interrupted.py and
tests/test_headless_start_interrupted.py::

    python -m tests.helpers.paused_start RELEASE_FILE bedside --config ... --windowed

The command is the real one (``beckon.cli.main`` with these arguments, as ``python -m beckon``
runs it); only one function the start calls waits, the first time it is called: it prints
``PAUSED`` on stderr and goes on when RELEASE_FILE exists. Which function (see
:func:`hold_point`):

* a window command: :func:`beckon.ui.launch.show`, which it calls for each window once the
  window and its threads have started, waits before showing it;
* ``bedside --headless``: :meth:`BedsideHost.start` waits once the service and workers run;
* ``station --headless``: the :class:`StationService` waits once it is built (its threads
  start only when it runs; the claim's broker check comes after).

Nothing in the product knows about this pause.

When the command returns, the Python threads still alive are printed as ``THREADS LEFT
[...]`` (the commands start theirs as daemons: left running, they would die unseen with the
process), then the process exits with the command's status.
"""

from __future__ import annotations

import functools
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import beckon.bedside.host
import beckon.station.service
import beckon.ui.launch
from beckon.cli import main

PAUSED = "PAUSED"
THREADS_LEFT = "THREADS LEFT"
POLL_S = 0.02  # between looks at the release file; the signal's handler runs between two


@dataclass(frozen=True)
class HoldPoint:
    """``owner.name`` waits on its first call: ``before`` it runs, or after it returned."""

    owner: Any
    name: str
    before: bool


def terminate_while_held(
    proc: subprocess.Popen[bytes],
    release: Path,
    log: Path,
    held: Callable[[], bool],
    wait_s: float = 60.0,
) -> str:
    """The test's side: SIGTERM to ``proc`` once it printed PAUSED and ``held()`` holds, then
    let its start go on; its output, once it exited 0 (asserted)."""
    from tests.helpers.rig import wait_until

    try:
        assert wait_until(lambda: PAUSED in log.read_text(errors="replace") and held(), wait_s), (
            f"never paused (alive: {proc.poll() is None}):\n{log.read_text()}"
        )
        assert proc.poll() is None, log.read_text()
        proc.send_signal(signal.SIGTERM)
        release.touch()
        status = proc.wait(wait_s)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    text = log.read_text(errors="replace")
    assert status == 0, f"exit {status}:\n{text}"
    return text


def hold_point(command: Sequence[str]) -> HoldPoint:
    if "--headless" not in command:
        return HoldPoint(beckon.ui.launch, "show", before=True)
    if command[0] == "bedside":
        return HoldPoint(beckon.bedside.host.BedsideHost, "start", before=False)
    if command[0] == "station":
        return HoldPoint(beckon.station.service.StationService, "__init__", before=False)
    raise SystemExit(f"paused_start: no hold point for {list(command)}")


def hold_the_first_call(point: HoldPoint, release: Path) -> None:
    original: Callable[..., Any] = getattr(point.owner, point.name)
    held: list[bool] = []

    def pause() -> None:
        if not held:
            held.append(True)
            print(PAUSED, file=sys.stderr, flush=True)
            while not release.exists():
                time.sleep(POLL_S)

    @functools.wraps(original)
    def held_once(*args: Any, **kwargs: Any) -> Any:
        if point.before:
            pause()
        result = original(*args, **kwargs)
        if not point.before:
            pause()
        return result

    setattr(point.owner, point.name, held_once)


if __name__ == "__main__":
    command = sys.argv[2:]
    hold_the_first_call(hold_point(command), Path(sys.argv[1]))
    status = main(command)
    left = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    print(THREADS_LEFT, left, file=sys.stderr, flush=True)
    raise SystemExit(status)
