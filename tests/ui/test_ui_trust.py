"""Issue 12 (trust): each point reproduced through the real windows and a real Mosquitto.

Gestures are posted to the bedside service's inbox exactly as the vision worker posts them,
with their own frame timestamps, so the menu's clock is the test's and nothing depends on the
machine's speed.
"""

from __future__ import annotations

from typing import Any

import pytest
from PyQt6.QtCore import Qt

from beckon.bedside.service import FrameTick, Gesture

pytestmark = pytest.mark.mqtt
WAIT_MS = 15_000


def ask(qtbot: Any, station: Any, bed: str, text: str) -> None:
    station.ask_bed.setCurrentText(bed)
    station.ask_text.setCurrentText(text)
    qtbot.mouseClick(station.ask_button, Qt.MouseButton.LeftButton)


def test_yes_yes_answers_the_question_and_sends_nothing_else(
    qtbot: Any, station_service: Any, open_bedside: Any, open_station: Any, speaker: Any
) -> None:
    """Point 3: two nods for "yes" sent an urgent request 2.8 s later."""
    bedside = open_bedside(speaker=speaker, offer_seconds=4.0)
    station = open_station(nurse="Nurse Lee")
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    ask(qtbot, station, "12", "Are you comfortable?")
    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == 1, timeout=WAIT_MS)

    t0 = bedside.service.menu_time() + 1.0
    bedside.service.post(Gesture("nod", t0, 0.9))  # yes
    bedside.service.post(Gesture("nod", t0 + 1.2, 0.9))  # yes again, as people do
    bedside.service.post(Gesture("nod", t0 + 2.8, 0.9))
    qtbot.waitUntil(
        lambda: [r.answer.property("answer") for r in station.question_rows()] == ["yes"],
        timeout=WAIT_MS,
    )
    qtbot.waitUntil(lambda: bedside.menu is not None and bedside.menu.stage == "paused")
    said = [text for text, _ in speaker.said]
    assert said[-1] == "You answered yes.", "nothing may talk over the answer"
    # The settle time passes on the frames' clock: the scan starts again from the top.
    bedside.service.post(FrameTick(t0 + 6.0))
    qtbot.waitUntil(lambda: bedside.menu.stage == "offering", timeout=WAIT_MS)
    assert bedside.menu.highlighted == "water"
    assert bedside.timeline.tracks == [] and bedside.service.states == {}
    assert not [r for r in station.rows.values() if r.view is not None]
