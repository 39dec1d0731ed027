"""One station service per unit with SQLite, one *active* per unit with PostgreSQL.

Why: each station service keeps its own SQLite file. Two of them for the same unit would both
receive every call, each store it, each answer the bed, each escalate on its own: nurses would
see two queues that drift apart, and acknowledging in one leaves the other escalating. So before
serving, a station checks two things and refuses, with the reason and the fix, if either fails:

* on this machine, nobody else holds its database file (:mod:`beckon.instance`);
* on the broker, no station service of another name announces itself online for any unit this
  one serves (their retained presence). A station of the *same* name is the service's own
  business: its start-up probe tells a live twin from its own previous run (see
  ``refuse_second_station``).

With PostgreSQL, stations of any name may stand by: the unit's advisory lock in the database
(:class:`beckon.station.pgstore.Leadership`) makes one of them active. They still hold a lock
on this machine (a file of their own in the state folder, :meth:`StationConfig.instance_file`)
so that ``beckon doctor`` knows the service runs here and stays off the broker, and a second
service with the same configuration on the same machine (the same broker user) refuses.

:class:`StationClaim` is all of it, for every way a station service is started: ``beckon
station --headless`` and the window's ``--serve``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from beckon.config import StationConfig, StationSettings
from beckon.errors import ConfigError
from beckon.instance import InstanceHeld, InstanceLock
from beckon.messaging import protocol as p
from beckon.station.pgstore import Leadership
from beckon.station.refresh import REFRESH_LISTEN_S, PresenceRefreshes

if TYPE_CHECKING:
    from beckon.station.service import StationService

log = logging.getLogger(__name__)

LEADERSHIP_CHECK_S = 5.0
"""How often an active PostgreSQL station checks that the unit's lock is still its own."""

LOCK_POLL_S = 0.5
"""How often a station waiting for a lock (``station.lock_wait_s``, at most LOCK_WAIT_S)
tries it again."""


class DatabaseLock(InstanceLock):
    """The station's lock on its SQLite database (see :mod:`beckon.instance`)."""

    def __init__(self, database: Path) -> None:
        super().__init__(
            database,
            "station service",
            "stop it first (systemctl stop beckon-station); one station service per "
            'unit with SQLite, or use store = "postgresql://..." for standby stations',
        )


def station_lock(cfg: StationConfig) -> InstanceLock:
    """This station service's lock on this machine (raises InstanceHeld when another holds it)."""
    if not cfg.store:
        return DatabaseLock(cfg.database_path())
    return InstanceLock(
        cfg.instance_file(),
        "station service",
        "stop it first (systemctl stop beckon-station); a standby station belongs on another "
        "machine, or under another station name with its own broker user",
    )


def take_station_lock(
    cfg: StationConfig, stop: threading.Event, wait_s: float
) -> InstanceLock | None:
    """``station_lock``, waiting up to ``wait_s`` for another station service on this machine
    to let go of it (LOCK_WAIT_S says why); None when ``stop`` is set meanwhile. Raises the
    holder's InstanceHeld (exit 2, restarted) once the wait is over; a folder the service
    cannot use (ConfigError) at once."""
    deadline = time.monotonic() + wait_s
    said = False
    while True:
        try:
            return station_lock(cfg)
        except InstanceHeld as held:
            if time.monotonic() >= deadline:
                raise
            if not said:
                said = True
                log.warning(
                    "%s; waiting up to %.0f s for it to stop before giving up (%s)",
                    held.message, wait_s, held.hint,
                )  # fmt: skip
        if stop.wait(LOCK_POLL_S):
            return None


class StationClaim:
    """This process's right to run the station service: the local lock, taken at once or
    within ``lock_wait_s`` (refused, with the reason and the fix, when another service holds
    it longer or, with SQLite, when another station already serves a unit); then
    :meth:`wait_active` (PostgreSQL: stand by until the unit's advisory lock is ours).
    :meth:`release` gives up both."""

    def __init__(
        self,
        settings: StationSettings,
        stop: threading.Event | None = None,
        lock_wait_s: float = 0.0,
    ) -> None:
        """``stop`` (the service's SIGTERM) cuts the broker check and the lock's wait short;
        ``lock_wait_s``: how long to wait for another station service on this machine to let
        go of the lock (LOCK_WAIT_S for the headless service; a window refuses at once)."""
        self.settings = settings
        self._releasing = threading.Lock()  # the service's thread and the window's may both
        stop = stop if stop is not None else threading.Event()
        self._lock: InstanceLock | None = take_station_lock(settings.station, stop, lock_wait_s)
        self._leadership: Leadership | None = None
        self.active = False
        """True once this station is the active one (at once with SQLite)."""
        # With a broker user, the check waits for the service's own connection (its start-up
        # probe, StationService._check_other_station): logging in here as that user would
        # take the service's session over and drop what the broker queued for it.
        if self._lock is not None and not settings.station.store and not settings.broker.username:
            try:
                refuse_second_station(settings, stop=stop)
            except BaseException:
                self.release()
                raise

    def wait_active(
        self,
        stop: threading.Event,
        turned: Callable[[], None] | None = None,
        forget: Callable[[], None] | None = None,
    ) -> bool:
        """Block until this station is the active one (True), or ``stop`` is set (False).
        With SQLite it is active at once (the checks were made when the claim was taken).
        ``turned`` is called at every turn of the standby loop (systemd's watchdog); ``forget``
        once before standing by (``StationService.forget_sessions``)."""
        cfg = self.settings.station
        if stop.is_set():
            return False  # stopped during the start-up checks: serve nothing
        if not cfg.store:
            self.active = True
            return True
        if forget is not None:
            forget()
        leadership = Leadership(cfg.store, cfg.site, cfg.units)
        self._leadership = leadership
        if not leadership.wait(stop.is_set, turned=turned):
            return False
        log.info("active station for %s/%s", cfg.site, ", ".join(cfg.units))
        self.active = True
        return True

    def watch(self, service: StationService, every_s: float = LEADERSHIP_CHECK_S) -> None:
        """With PostgreSQL, check from the service's loop (one of its ``beats``) that the
        unit's advisory lock is still ours; once lost, stop the service with a fault (exit 1,
        restarted by systemd into standing by) rather than serve beside the new leader."""
        leadership = self._leadership
        if leadership is None:
            return
        due = [time.monotonic() + every_s]

        def check() -> None:
            if time.monotonic() < due[0] or service.fault is not None:
                return
            due[0] = time.monotonic() + every_s
            if not leadership.held():
                service.fail(
                    "LEADERSHIP LOST: the PostgreSQL session holding this unit's lock ended; "
                    "another station may be active now"
                )

        service.beats.append(check)

    def release(self) -> None:
        """Give the unit up (idempotent, from any thread)."""
        with self._releasing:
            if self._leadership is not None:
                self._leadership.release()
            self._leadership = None
            if self._lock is not None:
                self._lock.release()
                self._lock = None


def stations_heard(
    settings: StationSettings, listen_s: float = 1.0, stop: threading.Event | None = None
) -> list[p.StationStatus]:
    """The station presences the broker gives for our units within ``listen_s``, in the order
    heard (the retained one first, then heartbeats); empty when the broker is not reachable."""
    from beckon.doctor.remote import CLOSED, probe_broker

    cfg = settings.station
    probe = probe_broker(
        settings.broker,
        f"beckon-station-check.{cfg.site}.{cfg.name}",
        [p.Topics.station_status(cfg.site, unit, "+") for unit in cfg.units],
        listen_s,
        stop,
    )
    if not probe.connected and probe.unheard != CLOSED:
        # Not reachable now: the service itself retries the broker; nothing to compare with.
        log.info("station check skipped: %s", probe.check.detail)
        return []
    # Closed during the window (CLOSED), what came before the close still counts: a station
    # heard serving is real, whatever happened to the connection afterwards.
    heard: list[p.StationStatus] = []
    for message in probe.heard:
        try:
            msg = p.decode(message.payload) if message.payload else None
        except p.ProtocolError:
            continue
        if isinstance(msg, p.StationStatus) and msg.unit in cfg.units:
            heard.append(msg)
    return heard


def _where(status: p.StationStatus) -> str:
    return f"{status.name} on {status.site}/{status.unit}"


def refuse_second_station(
    settings: StationSettings,
    *,
    listen_s: float = 1.0,
    stop: threading.Event | None = None,
    refresh_listen_s: float = REFRESH_LISTEN_S,
) -> None:
    """Raise ConfigError (exit 78, not restarted: SECOND STATION, as when the service's own
    start-up probe finds it) when a station service of another name serves one of our units
    and is alive: its presence, fresh, is refreshed while this one listens. Two station
    services set up for one unit cannot be fixed by a restart; restarted (status 2), it logged
    the refusal every 5.5 s for as long as the other ran.

    A fresh presence that is NOT refreshed within ``refresh_listen_s`` (past one heartbeat) is
    a station that just died without its last will reaching the broker (power cut, pulled
    cable: its TCP connection looks open for a while): this one waits, in-process, until that
    presence is stale by this machine's clock (``stale_in_s``: what the service's start-up
    probe judges, whatever the dead station's clock said) and then starts. Taken for a
    running station, it stopped the unit's only station for good with 78 (review rev44r: no
    station at all after A's power cut).

    ``station.presence_fresh_s`` shortens only that wait, for a presence already seen NOT
    refreshed: which presences count at all, and whether one is refreshed, always go by
    PRESENCE_FRESH_S (15 s), as the start-up probe and the serving station's alarms do. The
    freshness window is also the clock difference tolerated between two stations (``serving``
    compares either way): judged by 10 s, a running station whose clock was 12 s behind looked
    stopped, and a second station served beside it with no alarm (review rev47t). A presence
    that refreshes is a running station whatever its clock says; one that does not is dead,
    and waiting less for it splits nothing: the start-up probe still listens for it to refresh.

    A station of the *same* name is left to the service's own start-up probe
    (``StationService._check_twin``), which tells a live twin from this service's previous run
    by its instance id and, by the same rule as here (:mod:`beckon.station.refresh`), whether
    its presence is refreshed, and stops with "DUPLICATE STATION"; waiting
    here for its presence to go would only keep taking over the running twin's session (the
    broker ties client ids to usernames) until the twin looked gone."""
    cfg = settings.station
    stop = stop if stop is not None else threading.Event()
    began = time.monotonic()
    first = [
        s for s in stations_heard(settings, listen_s, stop) if s.name != cfg.name and s.serving()
    ]
    if not first:
        return
    seen = PresenceRefreshes()  # the one rule for "alive", shared with the start-up probe
    for s in first:
        seen.heard(_where(s), s)
    again = stations_heard(settings, refresh_listen_s, stop)
    alive = sorted({_where(s) for s in again if s.name != cfg.name and seen.heard(_where(s), s)})
    if alive:
        raise ConfigError(
            f"SECOND STATION: another station service already serves this unit: "
            f"{', '.join(alive)}; this one ({cfg.name}) stops instead of starting: with "
            "SQLite a second one would split the unit into two queues",
            "stop the other station service first (or give each unit one station); for a "
            "standby station that takes over by itself, use the PostgreSQL store",
        )
    if stop.is_set() or not seen.newest:
        return  # stopped, or each of them said offline meanwhile
    last = max(seen.newest.values())
    wait_s = stale_in_s(last, datetime.now(UTC), cfg.presence_fresh_s)
    log.warning(
        "station %s announced itself serving but has not refreshed its presence in %.1f s of "
        "listening (one heartbeat is %.0f s): taken for a station that stopped without saying "
        "so (power cut, pulled cable); this one starts once that presence is stale by this "
        "machine's clock, in %.1f s",
        ", ".join(sorted(_where(s) for s in first)), time.monotonic() - began, p.HEARTBEAT_S,
        wait_s,
    )  # fmt: skip
    if wait_s > 0:
        stop.wait(wait_s)


def stale_in_s(stamp: datetime, now: datetime, fresh_s: float = p.PRESENCE_FRESH_S) -> float:
    """Seconds until a presence stamped ``stamp`` (by ITS station's clock) is no longer
    fresh by ``fresh_s`` by THIS machine's clock ``now`` (PRESENCE_FRESH_S, as the service's
    start-up probe judges it; shorter with ``station.presence_fresh_s``, then the probe still
    hears it and waits REFRESH_LISTEN_S for a refresh that does not come): at most
    2 * fresh_s + 0.5 (a stamp fresh_s ahead). Why not capped
    at fresh_s + 1: with the dead station's clock 12 s ahead, the wait ended while its
    presence was still fresh here, and the start-up probe stopped this station with 78 for
    good (review rev44r2: no station at 27 s)."""
    left = (stamp - now).total_seconds() + fresh_s + 0.5
    return min(max(0.0, left), 2 * fresh_s + 1.0)


def check_window_logins(settings: StationSettings, serve: bool) -> None:
    """Refuse a station window that would log in twice with one broker username: a
    ConfigError (exit 78, which the window's unit does not restart: its flags or console user
    are wrong, the same at every start).

    The shipped broker binds client ids to usernames, so two connections with one username
    keep throwing each other off: the window (one connection per unit it shows) would flicker
    between units, and with ``--serve`` the window and its own service would, so calls would
    be received late or not at all. Without a username (a broker on one machine, the demo)
    there is nothing to take over."""
    broker = settings.broker
    units = settings.station.units
    if not broker.username:
        return
    if serve:
        raise ConfigError(
            f"--serve would log the window and the station service in as one broker user "
            f"({broker.username}), and the broker lets one connection per user stay",
            "run the service on its own (beckon station --headless, systemd's "
            "beckon-station) and give the window a console user: --user console-SITE-UNIT "
            "--password-file FILE",
        )
    if len(units) > 1:
        raise ConfigError(
            f"a window for {len(units)} units would log in {len(units)} times as one broker "
            f"user ({broker.username}), and the broker lets one connection per user stay",
            "open one window per unit, each with its own console user: --units UNIT --user "
            "console-SITE-UNIT --password-file FILE",
        )
