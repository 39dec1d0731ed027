"""Issue 12, "For the patient (AAC)": sleep, the chosen phrase said aloud, the pain scale,
staff-set scan speed and the patient's own recent messages, through the real bedside window
and a real Mosquitto. Gestures are posted exactly as the vision worker posts them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtWidgets import QLabel

from beckon.bedside.service import FrameTick, Gesture
from tests.helpers.staff import hold_staff, tap_staff
from tests.helpers.windows import bedside_with

pytestmark = pytest.mark.mqtt
WAIT_MS = 15_000


def test_the_patient_puts_the_menu_to_sleep_and_wakes_it(
    qtbot: Any,
    rig: Any,
    station_service: Any,
    tmp_path: Path,
    windows: list[Any],
    look: None,
    speaker: Any,
) -> None:
    bedside = bedside_with(rig, tmp_path, windows, qtbot, speaker, ["water", "sleep"])
    assert bedside.tiles["sleep"].label.text() == "Rest (pause the menu)"
    t0 = bedside.service.menu_time()
    bedside.service.post(FrameTick(t0 + 4.5))  # "sleep" is on offer
    qtbot.waitUntil(
        lambda: bedside.menu is not None and bedside.menu.highlighted == "sleep", timeout=WAIT_MS
    )
    bedside.service.post(Gesture("nod", t0 + 5.0, 0.9))
    qtbot.waitUntil(
        lambda: bedside.menu is not None and bedside.menu.stage == "asleep", timeout=WAIT_MS
    )
    assert "Nod to wake" in bedside.stage_banner.text()
    assert speaker.said[-1][0] == "Resting. Nod to wake the menu."
    spoken = len(speaker.said)
    for t in (10.0, 14.0, 18.0, 40.0):  # time passes: nothing is offered, shown or said
        bedside.service.post(FrameTick(t0 + t))
    bedside.service.post(Gesture("shake", t0 + 41.0, 0.9))
    qtbot.waitUntil(lambda: bedside.service.menu_time() >= t0 + 41.0, timeout=WAIT_MS)
    qtbot.wait(300)  # the queued signals reach the window
    assert bedside.menu.stage == "asleep" and len(speaker.said) == spoken
    assert not any(tile.property("highlighted") for tile in bedside.tiles.values())
    assert bedside.service.states == {}  # "sleep" was never sent as a request
    bedside.service.post(Gesture("nod", t0 + 42.0, 0.9))  # wake
    bedside.service.post(FrameTick(t0 + 45.5))
    qtbot.waitUntil(
        lambda: bedside.menu is not None and bedside.menu.highlighted == "water", timeout=WAIT_MS
    )
    assert bedside.service.states == {}


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "I would like some water, please. Your request is saved."),
        ("ko", "물 좀 주세요."),
    ],
)
def test_the_chosen_phrase_is_said_aloud_to_the_people_in_the_room(
    qtbot: Any,
    rig: Any,
    station_service: Any,
    tmp_path: Path,
    windows: list[Any],
    look: None,
    speaker: Any,
    language: str,
    said: str,
) -> None:
    bedside = bedside_with(rig, tmp_path, windows, qtbot, speaker, ["water", "nurse"])
    bedside.language = language
    t0 = bedside.service.menu_time()
    bedside.service.post(Gesture("nod", t0 + 0.5, 0.9))  # "water" is on offer
    qtbot.waitUntil(lambda: bool(bedside.service.states), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: any(said in text for text, _ in speaker.said), timeout=WAIT_MS)
    assert (said_in := [lang for text, lang in speaker.said if said in text]) == [language]
    assert said_in


def test_the_patient_rates_pain_with_nods_and_the_station_shows_pain_7_of_10(
    qtbot: Any,
    rig: Any,
    station_service: Any,
    tmp_path: Path,
    windows: list[Any],
    look: None,
    speaker: Any,
    open_station: Any,
) -> None:
    station = open_station()
    bedside = bedside_with(rig, tmp_path, windows, qtbot, speaker, ["pain", "water"])
    t0 = bedside.service.menu_time()
    bedside.service.post(Gesture("nod", t0 + 0.5, 0.9))  # "pain" is on offer
    qtbot.waitUntil(
        lambda: bedside.menu is not None and bedside.menu.stage == "scale", timeout=WAIT_MS
    )
    assert bedside.service.states == {}  # nothing is sent before the number
    bedside.service.post(FrameTick(t0 + 3.6))  # the pause after the choice is over
    qtbot.waitUntil(lambda: ("How strong, from 0 to 10? 0?", "en") in speaker.said, timeout=WAIT_MS)
    bedside.service.post(FrameTick(t0 + 3.5 + 7 * 4.0 + 0.1))
    qtbot.waitUntil(lambda: bedside.menu is not None and bedside.menu.level == 7, timeout=WAIT_MS)
    assert "Nod at 7" in bedside.stage_banner.text()
    assert speaker.said[-1] == ("7?", "en")
    bedside.service.post(Gesture("nod", t0 + 3.5 + 7 * 4.0 + 1.0, 0.9))
    qtbot.waitUntil(
        lambda: any(r.view is not None and r.view.level == 7 for r in station.rows.values()),
        timeout=WAIT_MS,
    )
    row = next(r for r in station.rows.values() if r.view is not None)
    texts = [label.text() for label in row.findChildren(QLabel)]
    assert "I am in pain: 7/10" in texts


def test_staff_set_the_scan_speed_and_pause_behind_the_long_press_and_it_is_saved(
    qtbot: Any,
    rig: Any,
    station_service: Any,
    tmp_path: Path,
    windows: list[Any],
    look: None,
    speaker: Any,
) -> None:
    from beckon.profile import load_profile

    bedside = bedside_with(rig, tmp_path, windows, qtbot, speaker, ["water", "nurse"])
    tap_staff(qtbot, bedside)  # a patient's tap
    qtbot.wait(300)
    assert not bedside.staff_menu.isVisible()  # the patient's screen has no timing controls
    hold_staff(qtbot, bedside)  # the same long press, shorter for the test
    qtbot.waitUntil(lambda: bedside.staff_menu.isVisible(), timeout=WAIT_MS)  # the hold opened it
    bedside.staff_menu.close()
    tap_staff(qtbot, bedside)  # staff tap: again
    qtbot.waitUntil(lambda: bedside.staff_menu.isVisible(), timeout=WAIT_MS)
    assert bedside.scan_action.text() == "Scan: 4 s"
    bedside.scan_action.trigger()
    bedside.pause_action.trigger()
    assert (bedside.scan_action.text(), bedside.pause_action.text()) == ("Scan: 5 s", "Pause: 5 s")
    qtbot.waitUntil(lambda: bedside.service.menu.offer_seconds == 5.0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bedside.service.menu.pause_after_select_s == 5.0, timeout=WAIT_MS)
    # The choice holds after a restart: it is in the patient's profile. The menu takes it
    # first and the file follows (the service applies, then saves), so wait for the file too.

    def saved() -> tuple[float, float] | None:
        if not bedside.service.profile_path.is_file():
            return None
        interaction = load_profile(bedside.service.profile_path).interaction
        return (interaction.offer_seconds, interaction.pause_after_select_s)

    qtbot.waitUntil(lambda: saved() == (5.0, 5.0), timeout=WAIT_MS)
