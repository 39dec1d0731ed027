"""One station service per unit with SQLite: a second one refuses to start.

Why: each station service keeps its own SQLite file. Two of them for the same unit would both
receive every call, each store it, each answer the bed, each escalate on its own: nurses would
see two queues that drift apart, and acknowledging in one leaves the other escalating. So before
serving, a station checks two things and refuses, with the reason and the fix, if either fails:

* on this machine, nobody else holds its database file (:mod:`beckon.instance`);
* on the broker, no station service of another name announces itself online for any unit this
  one serves (their retained presence). A station of the *same* name is the service's own
  business: its start-up probe tells a live twin from its own previous run (see
  ``refuse_second_station``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from beckon.config import StationSettings
from beckon.errors import BeckonError
from beckon.instance import InstanceLock
from beckon.messaging import protocol as p

log = logging.getLogger(__name__)


class DatabaseLock(InstanceLock):
    """The station's lock on its SQLite database (see :mod:`beckon.instance`)."""

    def __init__(self, database: Path) -> None:
        super().__init__(
            database,
            "station service",
            "stop it first (systemctl stop beckon-station); one station service per "
            'unit with SQLite, or use store = "postgresql://..." for standby stations',
        )


def other_stations_online(settings: StationSettings, listen_s: float = 1.0) -> list[str]:
    """Station services (``name on site/unit``) the broker shows online for our units."""
    from beckon.doctor.remote import probe_broker

    cfg = settings.station
    probe = probe_broker(
        settings.broker,
        f"beckon-station-check.{cfg.site}.{cfg.name}",
        [p.Topics.station_status(cfg.site, unit, "+") for unit in cfg.units],
        listen_s,
    )
    if not probe.connected:
        # Not reachable now: the service itself retries the broker; nothing to compare with.
        log.info("station check skipped: %s", probe.check.detail)
        return []
    latest: dict[tuple[str, str], p.StationStatus] = {}
    for heard in probe.heard:
        try:
            msg = p.decode(heard.payload) if heard.payload else None
        except p.ProtocolError:
            continue
        if isinstance(msg, p.StationStatus) and msg.unit in cfg.units:
            latest[(msg.unit, msg.name)] = msg
    return sorted(f"{name} on {cfg.site}/{unit}" for (unit, name), s in latest.items() if s.online)


def refuse_second_station(settings: StationSettings, *, listen_s: float = 1.0) -> None:
    """Raise BeckonError when a station service of another name already serves one of our
    units. A station of the *same* name is left to the service's own start-up probe
    (``StationService._check_twin``), which tells a live twin from this service's previous run
    by its instance id and the age of its presence, and stops with "DUPLICATE STATION"; waiting
    here for its presence to go would only keep taking over the running twin's session (the
    broker ties client ids to usernames) until the twin looked gone."""
    cfg = settings.station
    others = [
        o for o in other_stations_online(settings, listen_s) if not o.startswith(f"{cfg.name} on ")
    ]
    if others:
        raise BeckonError(
            f"another station service already serves this unit: {', '.join(others)}; with "
            "SQLite a second one would split the unit into two queues",
            "stop the other station service first (or give each unit one station); for a "
            "standby station that takes over by itself, use the PostgreSQL store",
        )
