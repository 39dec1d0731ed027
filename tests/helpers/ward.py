"""A unit's beds as real protocol messages on a real broker, for the station window tests:
requests of every priority, a tablet that vanished (a device fault at the station), and the
beds' health (speech recognisers, one bed whose calls do not reach the station)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from beckon.messaging import protocol as p
from tests.helpers.rig import send_raw

HEALTH = {
    "3": ((), "vosk:ko", 0, 0),
    "5": (("no_face",), "pocketsphinx:en", 0, 0),
    "8": ((), "off", 0, 0),
    "14": (("camera_lost", "mic_error"), "failed", 2, 95),
    "12": ((), "vosk:en", 1, 2),
}
"""Per bed: device faults, speech recogniser, outbox backlog and its age (seconds)."""

BEDS: list[tuple[str, str, p.Priority, int]] = [
    ("3", "water", "routine", 140),
    ("5", "pain", "urgent", 290),
    ("8", "emergency", "emergency", 12),
    ("14", "toilet", "urgent", 45),
    ("12", "reposition", "routine", 20),
]


def publish_ward(port: int, site: str, unit: str) -> None:
    now = datetime.now(UTC)
    for bed, intent, priority, age in BEDS:
        address = p.BedAddress(site, unit, bed)
        made = (now - timedelta(seconds=age)).isoformat(timespec="milliseconds")
        faults, voice, backlog, age_s = HEALTH[bed]
        status = p.BedStatus(
            site, unit, bed, True, p.now_iso(), ("gesture", "voice", "touch"), "0.4.0",
            faults, voice, backlog, age_s,
        )  # fmt: skip
        send_raw(port, address.topic("status"), p.encode(status), retain=True)
        request = p.Request(
            p.new_request_id(), site, unit, bed, intent, priority, "gesture",
            made.replace("+00:00", "Z"),
        )  # fmt: skip
        send_raw(port, address.topic("request"), p.encode(request))
    nine = p.BedAddress(site, unit, "9")
    for online in (True, False):  # a tablet that vanished: a device fault at the station
        status = p.BedStatus(site, unit, "9", online, p.now_iso(), ("gesture",), "0.1.0")
        send_raw(port, nine.topic("status"), p.encode(status), retain=True)
