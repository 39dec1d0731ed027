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

A signal once the shutdown has begun (``stop`` ran, or the command disarmed) is someone
insisting: a second Ctrl-C, a ``kill`` or ``systemctl kill`` after the stop (a second
``systemctl stop`` sends nothing: it joins the stop job), a clean shutdown that hangs on a broker
that does not answer. It ends the process at once, with one line in the log that says the clean
shutdown was cut short. The headless services used to call ``stop`` again (setting an Event
already set): nothing happened until systemd's SIGKILL.
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
    stopping from there would pull a half-built window out from under its own constructor.
    After :meth:`arm` a signal calls ``stop``, saying ``signal N: stopping`` in the log (the
    journal tells a stop apart from a crash).

    One rule for someone insisting: a second signal during the build, or any signal once the
    shutdown has begun (``stop`` ran for a signal, or :meth:`disarm` said the command is
    going), gives way to the previous handler, as if this object were not there, so a build
    or a shutdown that hangs still ends (:meth:`_give_way`). A signal remembered but never
    acted on (the build failed before :meth:`arm`) is raised again when the block ends, for
    the previous handler."""

    def __init__(self) -> None:
        self.received: list[signal.Signals] = []
        self._stop: Callable[[], None] | None = None
        self._acted = False  # ``stop`` ran for a signal (or a signal was passed on)
        self._stopping = False  # the shutdown has begun: the next signal gives way
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
        self._acted = self._stopping = True
        log.info(
            "start interrupted by %s: stopping what was started",
            ", ".join(dict.fromkeys(sig.name for sig in self.received)),
        )
        stop()
        return True

    def hold(self) -> None:
        """Back to remembering a signal, as before :meth:`arm`, for a command that arms for
        one step of its start that waits (the station window's claim on its unit, which can
        wait for a dead station's presence) and builds more after it: a signal during that
        build is acted on by the next :meth:`arm`. Only once no signal came (``interrupted``
        is False), since one that came has run ``stop`` already."""
        self._stop = None

    def disarm(self) -> None:
        """The shutdown begins: a later signal no longer calls ``stop`` (it held windows that
        are going, or set an Event already set) but gives way to the previous handler."""
        self._stop = None
        self._stopping = True

    def _restore(self) -> None:
        for sig, handler in self._before.items():
            signal.signal(sig, handler)
        self._before = {}

    def _caught(self, signum: int, frame: FrameType | None) -> None:
        sig = signal.Signals(signum)
        self.received.append(sig)
        if self._stopping or (self._stop is None and len(self.received) > 1):
            self._give_way(sig)
        elif self._stop is not None:
            self._acted = self._stopping = True
            log.info("signal %d: stopping", signum)
            self._stop()

    def _give_way(self, sig: signal.Signals) -> None:
        """Someone insists: say so, then the previous handler has the signal. When that is
        Python's own SIGINT handler, the signal's default action instead (the process ends
        by SIGINT, status 130 in a shell): a KeyboardInterrupt would unwind through the very
        build or shutdown that hangs, and out of a Qt slot (a window's stop runs in one)
        PyQt aborts the process. Likewise when the signal was ignored before: a process
        started in the background by a shell inherits SIGINT ignored, this object took it
        over for the clean stop, and someone who sends it again wants the process to end
        (left ignored, a second SIGINT to a station started that way did nothing).

        The handlers go back before the log line: a shutdown can hang on logging itself (a
        thread holding the handler's lock while it writes to a full pipe), and the line would
        then block this handler; a further signal still ends the process."""
        self._acted = True
        previous = self._before.get(sig)
        self._restore()
        if previous is signal.default_int_handler or previous == signal.SIG_IGN:
            signal.signal(sig, signal.SIG_DFL)
        if self._stopping:
            log.warning("%s during the shutdown: clean shutdown cut short, ending now", sig.name)
        else:
            log.warning("%s again during the start: ending now", sig.name)
        signal.raise_signal(sig)
