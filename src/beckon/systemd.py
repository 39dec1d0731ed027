"""Telling systemd the service is ready and still alive (sd_notify), so a hung service is
restarted, not only a dead one.

Why from the service's main loop: ``Restart=always`` catches a process that exits, but a
station whose loop is stuck (a deadlock, a blocking call that never returns) keeps running and
answers nobody. With ``WatchdogSec=`` in the unit, systemd kills and restarts a service that
has not sent ``WATCHDOG=1`` within that time. The pings come from :meth:`Notifier.beat`, which
the services call once per turn of their main loop, so a stuck loop stops them; a timer thread
would keep pinging for a dead loop.

The protocol is one datagram per message to the unix socket named by ``NOTIFY_SOCKET`` (a path,
or ``@name`` for the abstract namespace), as documented in sd_notify(3); no library needed.
Outside systemd (no ``NOTIFY_SOCKET``) everything here does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)


class Notifier:
    """One service's channel to systemd: ``beat()`` from the main loop, ``stopping()`` on exit."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        environ = os.environ if env is None else env
        self._clock = clock
        self._address = _address(environ.get("NOTIFY_SOCKET", ""))
        self.interval_s = _watchdog_interval(environ)
        self._socket: socket.socket | None = None
        self._ready = False
        self._status = ""
        self._last_ping = float("-inf")
        self._warned = False

    @property
    def enabled(self) -> bool:
        return self._address is not None

    def notify(self, *fields: str) -> bool:
        """Send ``FIELD=value`` lines in one datagram; False (logged once) if it cannot."""
        if self._address is None:
            return False
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                # Never block the main loop: if systemd is not reading (its queue of a few
                # datagrams is full), this ping is dropped and the next one tries again.
                self._socket.setblocking(False)
            self._socket.sendto("\n".join(fields).encode(), self._address)
        except BlockingIOError:
            log.debug("systemd's notify queue is full; ping dropped")
            return False
        except OSError as exc:
            if not self._warned:  # never let systemd's socket take the service down
                log.warning("cannot notify systemd at %r: %s", self._address, exc)
                self._warned = True
            return False
        return True

    def beat(self, status: str = "serving") -> None:
        """Call once per turn of the main loop: the first call says READY=1 with ``status``,
        a changed status is told once, and later calls send WATCHDOG=1 about four times per
        watchdog interval (cheap, and robust to a late turn). A standby station beats from its
        standby loop with "standing by": standing by is its job, and without READY=1 systemd
        would kill it at the start timeout and start it again, over and over."""
        if self._address is None:
            return
        now = self._clock()
        if not self._ready:
            self._ready = self.notify("READY=1", f"STATUS={status}")
            self._status = status
            self._last_ping = now
            return
        if status != self._status:
            self.notify(f"STATUS={status}")
            self._status = status
        if self.interval_s is not None and now - self._last_ping >= self.interval_s / 4:
            self.notify("WATCHDOG=1")
            self._last_ping = now

    def status(self, text: str) -> None:
        self.notify(f"STATUS={text}")

    def stopping(self) -> None:
        self.notify("STOPPING=1", "STATUS=stopping")
        if self._socket is not None:
            self._socket.close()
            self._socket = None


class WindowWatch:
    """The kiosk window's watchdog: two loops must both be turning for systemd to hear from it.

    Why two: in the bedside window the request logic runs in the service's own thread and the
    screen in Qt's main loop. A ping from either alone would keep a half-dead kiosk alive (a
    frozen screen over a working service, or a live screen over a stuck service). So the
    service loop only records that it turned (``service_turned``, one of its ``beats``), and
    the Qt loop pings (``window_turned``, from a timer) only while that record is fresh.
    Why the notifier is not called from the service thread: the window's loop must be alive
    too, and the Notifier is then used from one thread only.
    """

    def __init__(
        self,
        notifier: Notifier,
        stale_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.notifier = notifier
        # Half the watchdog interval: a stuck service stops the pings well before systemd acts.
        self.stale_s = stale_s if stale_s is not None else (notifier.interval_s or 30.0) / 2
        self._clock = clock
        self._service_seen = float("-inf")  # written by the service thread, read by Qt's

    def service_turned(self) -> None:
        self._service_seen = self._clock()

    def window_turned(self) -> None:
        if self._clock() - self._service_seen <= self.stale_s:
            self.notifier.beat()


def _address(value: str) -> str | None:
    if not value:
        return None
    if value.startswith("@"):
        return "\0" + value[1:]  # the abstract namespace
    if value.startswith("/"):
        return value
    log.warning("NOTIFY_SOCKET=%r is neither a path nor @name; not notifying systemd", value)
    return None


def _watchdog_interval(environ: Mapping[str, str]) -> float | None:
    """Seconds from ``WATCHDOG_USEC``, if the watchdog is meant for this process."""
    usec = environ.get("WATCHDOG_USEC", "")
    pid = environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and pid.isdigit() and int(pid) not in (os.getpid(), os.getppid()):
        return None  # set for another process (we were started by the service)
    # The unit's main process itself, or its direct child: the kiosk's main process is cage,
    # which passes systemd's WATCHDOG_PID (its own pid) on to the window it starts. Without
    # the child case the window never pinged, and systemd killed the kiosk every WatchdogSec.
    return int(usec) / 1e6
