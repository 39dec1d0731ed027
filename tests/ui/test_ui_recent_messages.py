"""Issue 12 (AAC): the patient's own recent messages on the bedside, each with its time
(HH:MM) and where it stands, through a real Mosquitto, station service and station window."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from PyQt6.QtCore import Qt

from beckon.bedside.service import Submit

pytestmark = pytest.mark.mqtt
WAIT_MS = 20_000


def test_the_bedside_shows_the_patients_five_newest_messages_with_time_and_state(
    qtbot: Any, station_service: Any, open_bedside: Any, open_station: Any
) -> None:
    station = open_station(nurse="Nurse Lee")
    bedside = open_bedside()
    bedside.resize(1280, 800)  # the tablet: all four earlier messages in view at scale 1
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    # Six different ones (the same request open twice is not sent again): the oldest drops off.
    asked = ["cold", "pain", "toilet", "water", "nurse", "lights"]
    for intent in asked:
        before = {t.request_id for t in bedside.timeline.tracks}
        bedside.service.post(Submit(intent, "touch"))

        def arrived(before: set[str] = before) -> bool:
            newest = bedside.timeline.tracks[0] if bedside.timeline.tracks else None
            return newest is not None and newest.request_id not in before

        qtbot.waitUntil(arrived, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: bedside.timeline.tracks[0].state == "received", timeout=WAIT_MS)
    # A nurse takes the second newest (nurse): it reads "Nurse Lee is coming." on its line.
    second = bedside.timeline.tracks[1].request_id
    qtbot.waitUntil(lambda: second in station.rows, timeout=WAIT_MS)
    qtbot.mouseClick(station.rows[second].ack, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bedside.timeline.get(second).state == "acknowledged", timeout=WAIT_MS)

    panel = bedside.timeline_panel
    now = datetime.now().astimezone().strftime("%H:%M")
    qtbot.waitUntil(
        lambda: panel.recent[0].text().endswith("Nurse Lee is coming."), timeout=WAIT_MS
    )
    assert panel.intent.text() == "Lights"  # the newest, step by step
    assert re.fullmatch(r"Asked at \d\d:\d\d", panel.when.text())
    assert panel.recent_title.isVisible()
    lines = [line.text() for line in panel.recent if line.isVisible()]
    assert len(lines) == 4, "the newest and four before it: five of the six"
    labels = ["Call the nurse", "Water", "Toilet", "I am in pain"]
    for line, label in zip(lines, labels, strict=True):
        assert re.fullmatch(rf"\d\d:\d\d  {re.escape(label)}: .+", line), line
    assert lines[0] == f"{lines[0][:5]}  Call the nurse: Nurse Lee is coming."
    assert lines[1].endswith("Water: The nurses have your request.")
    assert all(line[:5] <= now or now < "00:05" for line in lines)  # today's times, not later
    assert panel.recent[0].property("open") is True
