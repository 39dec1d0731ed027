"""A bed served by a primary and a standby station believes the one that answers.

It took the newest presence message of any station: the standby's retained "desk2 offline"
arriving after "desk online" (a tablet reconnecting) showed every bed "station away" until the
next heartbeat, and a dead primary's last will after the standby's "online" would do the same.
"""

from __future__ import annotations

from pathlib import Path

from beckon.bedside import events as ev
from beckon.messaging import protocol as p
from tests.helpers.rig import unlinked_bedside


def presence(name: str, online: bool) -> tuple[str, bytes]:
    msg = p.StationStatus("gh", "icu", name, online, p.now_iso())
    return p.Topics.station_status("gh", "icu", name), p.encode(msg)


def test_one_stations_offline_does_not_hide_the_other_that_answers(tmp_path: Path) -> None:
    service = unlinked_bedside(tmp_path)
    seen: list[object] = []
    service.listeners.append(seen.append)
    service._on_message(*presence("desk", True))
    service._on_message(*presence("desk2", False))  # the standby's retained offline, late
    assert service.station_online is True
    service._on_message(*presence("desk", False))  # the primary's last will
    assert service.station_online is False
    service._on_message(*presence("desk2", True))  # the standby takes over
    assert service.station_online is True
    changes = [e.online for e in seen if isinstance(e, ev.StationChanged)]
    assert changes == [True, False, True]
