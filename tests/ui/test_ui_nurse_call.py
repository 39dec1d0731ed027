"""Issue 12, "Nurse-call behaviour": escalation sounds per level at the station window, through
a real station service and a real Mosquitto."""

from __future__ import annotations

from typing import Any

import pytest
from PyQt6.QtCore import Qt

from tests.helpers.staff import hold_staff

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


def test_an_emergency_is_cleared_at_the_bed_by_a_nurse_in_the_room_and_the_station_sees_it(
    qtbot: Any, rig: Any, open_bedside: Any, open_station: Any
) -> None:
    from beckon.bedside.service import Submit

    rig.serve(rig.station())
    station = open_station()
    bedside = open_bedside()
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    bedside.service.post(Submit("emergency", "touch"))
    qtbot.waitUntil(lambda: any(r.view is not None for r in station.rows.values()), timeout=WAIT_MS)
    # The staff menu (behind the long press) offers presence; Clear only once a nurse is in.
    hold_staff(qtbot, bedside)
    assert not bedside.clear_action.isEnabled()
    assert not station.presence_label.isVisible()
    bedside.presence_action.trigger()
    qtbot.waitUntil(lambda: station.presence_label.isVisible(), timeout=WAIT_MS)
    assert station.presence_label.text() == "Nurse in room: bed 12"
    # The service marks presence once the message went: the station may show it first (on a
    # loaded machine it did, and the menu below still read "absent").
    qtbot.waitUntil(lambda: bedside.service.nurse_present is not None, timeout=WAIT_MS)
    bedside._show_nurse_actions()  # as when the menu opens again
    assert bedside.presence_action.isChecked() and bedside.clear_action.isEnabled()
    bedside.clear_action.trigger()
    qtbot.waitUntil(lambda: not any(r.view for r in station.rows.values()), timeout=WAIT_MS)
    track = bedside.timeline.tracks[0]
    qtbot.waitUntil(lambda: track.state == "resolved", timeout=WAIT_MS)
    bedside.presence_action.trigger()  # the nurse leaves
    qtbot.waitUntil(lambda: not station.presence_label.isVisible(), timeout=WAIT_MS)


def test_a_spoken_request_that_lapses_or_is_declined_says_it_was_not_sent(
    qtbot: Any, rig: Any, open_bedside: Any
) -> None:
    """The question ("Did you ask for: Water?") stayed on screen 40 s after it lapsed, and
    the patient believed the request had gone."""
    from beckon.voice.dialogue import Closed, Prompt
    from tests.ui.conftest import RecordingSpeaker

    speaker = RecordingSpeaker()
    bedside = open_bedside(speaker=speaker)
    bedside.on_voice(Prompt("water", "water please", 1.0, 9.0))
    assert "Water" in bedside.stage_banner.text()
    bedside.on_voice(Closed("water", "expired", 9.0))
    assert bedside.stage_banner.text() == "Not sent: Water. Say it again if you need it."
    assert speaker.said[-1] == ("Not sent: Water. Say it again if you need it.", "en")
    bedside.on_voice(Prompt("pain", "pain", 10.0, 18.0))
    bedside.on_voice(Closed("pain", "declined", 11.0))
    assert bedside.stage_banner.text().startswith("Not sent: ")
    assert not bedside.stage_banner.text().endswith("if you need it.")


def test_an_emergency_sent_unless_declined_says_so_instead_of_asking_for_a_nod(
    qtbot: Any, rig: Any, open_bedside: Any
) -> None:
    """It said "Nod or say yes" while it would be sent anyway unless the patient said no."""
    from beckon.voice.dialogue import Prompt
    from tests.ui.conftest import RecordingSpeaker

    speaker = RecordingSpeaker()
    bedside = open_bedside(speaker=speaker)
    bedside.on_voice(Prompt("emergency", "help", 1.0, 4.0, unless_declined=True))
    said = speaker.said[-1][0]
    assert said.endswith(": sending now unless you say no.") and "Nod" not in said
    bedside.on_voice(Prompt("water", "water", 5.0, 13.0))
    assert speaker.said[-1][0].endswith("Nod or say yes.")
