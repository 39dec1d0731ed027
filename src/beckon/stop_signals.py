"""SIGINT and SIGTERM caught from the first line of a window command, acted on once it can.

Why: the window commands (``beckon bedside``, ``beckon station``) used to install their
handlers only when Qt's loop was about to run, after the services, workers and windows were
built. A SIGTERM during that build (systemd stopping a kiosk still starting, a CI timeout)
killed the process outright (exit -15): the threads already started were never stopped, the
MQTT session ended without its "offline" message, and the journal did not say why.

A signal that comes before there is anything to stop is remembered; :meth:`StopSignals.arm`
then stops what was built at once, the same way as a signal that comes later.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any, Self

log = logging.getLogger(__name__)

CAUGHT = (signal.SIGINT, signal.SIGTERM)


class StopSignals:
    """``with StopSignals() as signals:`` catches SIGINT and SIGTERM until the block ends,
    then puts the previous handlers back.

    Before :meth:`arm` a signal is only remembered (Python runs the handler on the main
    thread between two bytecodes of whatever the build is doing: stopping from there would
    pull a half-built window out from under its own constructor). After :meth:`arm` it calls
    ``stop``; after :meth:`disarm` it is ignored (``stop`` held windows that are gone)."""

    def __init__(self) -> None:
        self.received: list[signal.Signals] = []
        self._stop: Callable[[], None] | None = None
        self._before: dict[signal.Signals, Any] = {}

    def __enter__(self) -> Self:
        self._before = {sig: signal.signal(sig, self._caught) for sig in CAUGHT}
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for sig, handler in self._before.items():
            signal.signal(sig, handler)
        self._before = {}
        self._stop = None

    @property
    def interrupted(self) -> bool:
        """A signal has come (whether or not anything was armed yet)."""
        return bool(self.received)

    def arm(self, stop: Callable[[], None]) -> bool:
        """From now on a signal calls ``stop``; when one came during the start, ``stop`` runs
        right away (with one line in the log) and this returns True."""
        self._stop = stop
        if not self.received:
            return False
        log.info(
            "start interrupted by %s: stopping what was started",
            ", ".join(dict.fromkeys(sig.name for sig in self.received)),
        )
        stop()
        return True

    def disarm(self) -> None:
        """A later signal no longer calls ``stop`` (it is remembered only)."""
        self._stop = None

    def _caught(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signal.Signals(signum))
        if self._stop is not None:
            self._stop()
