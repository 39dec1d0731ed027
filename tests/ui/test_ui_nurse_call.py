"""Issue 12, "Nurse-call behaviour": escalation sounds per level at the station window, through
a real station service and a real Mosquitto."""

from __future__ import annotations

from typing import Any

import pytest
from PyQt6.QtCore import Qt

pytestmark = pytest.mark.mqtt
WAIT_MS = 30_000


def test_the_station_sounds_each_escalation_level_with_its_own_sound(
    qtbot: Any, rig: Any, open_bedside: Any, open_station: Any, alarm: Any
) -> None:
    rig.serve(rig.station({"escalation.urgent_s": 2.0}))
    open_station(alarm=alarm)
    bedside = open_bedside()
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    qtbot.mouseClick(bedside.tiles["nurse"], Qt.MouseButton.LeftButton)  # urgent
    qtbot.mouseClick(bedside.confirm_yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: 3 in alarm.levels, timeout=WAIT_MS)
    levels = [lv for lv in alarm.levels if lv]
    # one sound per level reached, in order (a level skipped on a busy machine is skipped here)
    assert levels == sorted(set(levels)) and levels[-1] == 3, levels
    assert all(alarm.played[i] for i, lv in enumerate(alarm.levels) if lv)  # all loud
