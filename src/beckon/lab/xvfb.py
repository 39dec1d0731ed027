"""A private X server (Xvfb) for windows shown where there is no screen: the README's
screenshots (``scripts/screenshots.py``) and the kiosk test (``tests/deploy``).

Why one function: both started Xvfb the same way, and only the test's copy had learned to
wait until the server answers a client (its socket can exist before it does, or be another
server's, left behind); the screenshots' copy took the socket alone for a running server.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

START_S = 10.0
"""How long one display may take to start before the next is tried."""


class XvfbError(RuntimeError):
    """No X server could be started: Xvfb is missing, or every display asked for is taken."""


def start_xvfb(size: str, displays: range) -> tuple[subprocess.Popen[bytes], str]:
    """An Xvfb of ``size`` ("WIDTHxHEIGHTxDEPTH") on the first free display of ``displays``,
    once it serves a client; the caller terminates it. Callers take separate ranges, so a
    test and a screenshot run on one machine never race for one display."""
    binary = shutil.which("Xvfb")
    if binary is None or shutil.which("xwininfo") is None:
        missing = "Xvfb" if binary is None else "xwininfo"
        raise XvfbError(
            f"{missing} is not installed: apt-get install xvfb x11-utils (scripts/setup.sh does)"
        )
    if not displays:
        raise XvfbError("no X display numbers to try")
    for number in displays:
        if Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists():
            continue
        proc = subprocess.Popen(
            [binary, f":{number}", "-screen", "0", size, "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            # Its socket can exist before it answers (or be another server's, left behind):
            # wait until a client is served, or the window's "could not connect" follows.
            if Path(f"/tmp/.X11-unix/X{number}").exists() and _answers(f":{number}"):
                return proc, f":{number}"
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        proc.terminate()
        proc.wait()
    raise XvfbError(f"no free X display from :{displays[0]} to :{displays[-1]}")


def _answers(display: str) -> bool:
    """Whether a client is served on ``display``; a client that cannot run or hangs on a busy
    machine is "not yet", so the caller's own deadline decides and terminates the server."""
    try:
        done = subprocess.run(
            ["xwininfo", "-root", "-display", display], capture_output=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0
