"""SIGINT and SIGTERM caught from the first line of a command that runs until stopped, acted on
once it can: the window commands (``beckon bedside``, ``beckon station``) and the headless
services (``--headless``).

Why: these commands used to install their handlers only once everything was built (the
windows: when Qt's loop was about to run; the headless services: after the service, its
MQTT link and its workers). A SIGTERM during that build (systemd stopping a unit still
starting, a CI timeout) killed the process outright (exit -15): the threads already started
were never stopped, the MQTT session ended without its "offline" message, and the journal did
not say why.

A signal that comes before there is anything to stop is remembered; :meth:`StopSignals.arm`
then stops what was built at once, the same way as a signal that comes later. A window command
arms it with closing its windows, a headless service with setting the Event its loop waits on.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any, Self

from beckon.closing import Closing

log = logging.getLogger(__name__)

CAUGHT = (signal.SIGINT, signal.SIGTERM)


class StopSignals(Closing):
    """``with StopSignals() as signals:`` catches SIGINT and SIGTERM until the block ends,
    then puts the previous handlers back.

    While the build runs (before :meth:`arm`) a signal is only remembered: Python runs the
    handler on the main thread between two bytecodes of whatever the build is doing, and
    stopping from there would pull a half-built window out from under its own constructor. A
    second signal then is someone insisting (a second Ctrl-C, a build that hangs): it goes to
    the previous handler, as if this object were not there. After :meth:`arm` a signal calls
    ``stop``, saying ``signal N: stopping`` in the log (the journal tells a stop apart from a
    crash); after :meth:`disarm` (the windows are going) it goes straight to the previous
    handler, so a shutdown that hangs still gives way. A signal remembered but never acted on
    (the build failed before :meth:`arm`) is raised again when the block ends, for the
    previous handler."""

    def __init__(self) -> None:
        self.received: list[signal.Signals] = []
        self._stop: Callable[[], None] | None = None
        self._acted = False  # ``stop`` ran for a signal (or a signal was passed on)
        self._closing = False  # disarmed: signals go to the previous handlers
        self._before: dict[signal.Signals, Any] = {}

    def __enter__(self) -> Self:
        self._before = {sig: signal.signal(sig, self._caught) for sig in CAUGHT}
        return self

    def close(self) -> None:
        """The block ends: the previous handlers come back."""
        self._restore()
        self._stop = None
        if self.received and not self._acted:
            self._acted = True
            signal.raise_signal(self.received[0])  # what it would have done without us

    @property
    def interrupted(self) -> bool:
        """A signal has come (whether or not anything was armed yet)."""
        return bool(self.received)

    def arm(self, stop: Callable[[], None]) -> bool:
        """From now on a signal calls ``stop``; when one came during the start, ``stop`` runs
        right away (with one line in the log) and this returns True."""
        self._stop = stop
        # A signal that lands between the line above and the check below has run ``stop``
        # itself (handlers run between bytecodes): it is not run twice.
        if not self.received or self._acted:
            return False
        self._acted = True
        log.info(
            "start interrupted by %s: stopping what was started",
            ", ".join(dict.fromkeys(sig.name for sig in self.received)),
        )
        stop()
        return True

    def disarm(self) -> None:
        """A later signal no longer calls ``stop`` (it held windows that are going): it goes to
        the previous handler."""
        self._stop = None
        self._closing = True

    def _restore(self) -> None:
        for sig, handler in self._before.items():
            signal.signal(sig, handler)
        self._before = {}

    def _caught(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signal.Signals(signum))
        if self._stop is not None:
            self._acted = True
            log.info("signal %d: stopping", signum)
            self._stop()
        elif self._closing or len(self.received) > 1:
            self._acted = True
            self._restore()
            signal.raise_signal(signum)
