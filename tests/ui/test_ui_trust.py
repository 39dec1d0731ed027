"""Issue 12 (trust): each point reproduced through the real windows and a real Mosquitto.

Gestures are posted to the bedside service's inbox exactly as the vision worker posts them,
with their own frame timestamps, so the menu's clock is the test's and nothing depends on the
machine's speed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QLabel

from beckon.bedside.service import FrameTick, Gesture
from tests.helpers.rig import station_for
from tests.helpers.staff import choose, hold_staff, tap_staff
from tests.helpers.windows import ask

pytestmark = pytest.mark.mqtt
WAIT_MS = 15_000


def test_yes_yes_answers_the_question_and_sends_nothing_else(
    qtbot: Any, station_service: Any, open_bedside: Any, open_station: Any, speaker: Any
) -> None:
    """Point 3: two nods for "yes" sent an urgent request 2.8 s later."""
    bedside = open_bedside(speaker=speaker, offer_seconds=4.0)
    # The quiet after an answer (5 s) runs on the menu's clock, which goes on in real time
    # between frames: once the third nod had moved the clock on, 2.2 s of it were left, and a
    # busy machine took longer to bring the answer to the station: the menu was offering again
    # before the test looked. A long quiet here, ended by the frames' clock below.
    quiet_s = 60.0
    bedside.service.menu.settle_after_answer_s = quiet_s
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
    bedside.service.post(FrameTick(t0 + quiet_s + 1.0))
    qtbot.waitUntil(lambda: bedside.menu.stage == "offering", timeout=WAIT_MS)
    assert bedside.menu.highlighted == "water"
    assert bedside.timeline.tracks == [] and bedside.service.states == {}
    assert not [r for r in station.rows.values() if r.view is not None]


# ---------------------------------------------------------------- point 4: calibration


def run_still_calibration(qtbot: Any, wizard: Any) -> None:
    """A patient who rests and then does not move at all through every take."""
    from dataclasses import dataclass

    import numpy as np

    @dataclass
    class Obs:
        t: float
        found: bool = True
        quality: float = 1.0
        rotation: Any = None
        blendshapes: Any = None

    def obs(t: float) -> Obs:
        return Obs(t, rotation=np.eye(3), blendshapes={"jawOpen": 0.01})

    wizard.observe(obs(0.0))
    qtbot.mouseClick(wizard.start_button, Qt.MouseButton.LeftButton)
    t = 0.0
    while not wizard.flow.done and t < 60:
        t += 0.1
        wizard.observe(obs(t))
        wizard.tick()
    assert wizard.flow.done


def test_calibration_never_switches_off_the_only_gesture_that_chooses(
    qtbot: Any, look: None, tmp_path: Any, speaker: Any
) -> None:
    """Point 4: 'Switched off (not seen): nod, head shake' with Save highlighted left a screen
    that says 'Nod to choose' and ignores nods; and the saved profile was never loaded."""
    from beckon.bedside.service import BedsideService
    from beckon.config import load_bedside
    from beckon.profile import load_profile, profile_path
    from beckon.ui.calibration import CalibrationWizard

    settings = load_bedside(
        None,
        {
            "bedside.site": "gh",
            "bedside.unit": "icu",
            "bedside.bed": "12",
            "bedside.outbox": str(tmp_path / "o.sqlite3"),
        },
    )
    before = BedsideService(settings)
    assert before.profile.source == "<defaults>"
    assert before.profile_path == profile_path("gh", "icu", "12")

    wizard = CalibrationWizard(None, bed="12", speaker=speaker, path=before.profile_path)
    qtbot.addWidget(wizard)
    run_still_calibration(qtbot, wizard)
    assert wizard.result is not None, wizard.error
    assert wizard.kept == ["nod"]
    assert wizard.result.profile.setting("nod").enabled
    assert "nod not seen, but kept on" in wizard.nurse.text()
    assert "Switched off (not seen): head shake" in wizard.nurse.text()
    qtbot.mouseClick(wizard.save_button, Qt.MouseButton.LeftButton)
    assert wizard.saved == before.profile_path
    assert load_profile(wizard.saved).actions().get("nod") == "select"

    # The next start of the bedside uses the saved profile, as the wizard promised.
    after = BedsideService(settings)
    assert after.profile.source == str(before.profile_path)
    assert after.menu.actions.get("nod") == "select"
    assert "shake" not in after.menu.actions


def test_the_menu_is_silent_during_calibration_and_staff_controls_need_a_long_press(
    qtbot: Any, station_service: Any, open_bedside: Any, speaker: Any
) -> None:
    """Point 4: the menu spoke over the calibration instructions; Calibrate and Show camera
    were open to anyone."""
    bedside = open_bedside(speaker=speaker, offer_seconds=4.0)
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    assert not bedside.calibrate_action.isVisible()
    assert not bedside.preview_action.isVisible()
    tap_staff(qtbot, bedside)  # a short tap
    qtbot.wait(300)
    assert not bedside.calibrate_action.isVisible() and not bedside.staff_menu.isVisible()

    hold_staff(qtbot, bedside)  # the same long press, shorter for the test
    assert bedside.calibrate_action.isVisible()
    choose(qtbot, bedside, bedside.calibrate_action)
    assert bedside.wizard is not None
    heard = len(speaker.said)
    t = bedside.service.menu_time()
    for step in range(1, 4):  # three offers go by on the frames' clock
        bedside.service.post(FrameTick(t + 4.0 * step + 0.1))
    # The last tick handled (an empty inbox is one whose item was taken, not yet handled).
    qtbot.waitUntil(lambda: bedside.service.menu_time() >= t + 12.1, timeout=WAIT_MS)
    qtbot.wait(300)
    offers = [text for text, _ in speaker.said[heard:] if text.endswith("?")]
    assert offers == [], "the menu talked over the calibration"
    bedside.wizard.close()
    qtbot.waitUntil(lambda: bedside.wizard is None, timeout=WAIT_MS)
    bedside.service.post(FrameTick(t + 20.1))
    qtbot.waitUntil(lambda: speaker.said[-1][0].endswith("?"), timeout=WAIT_MS)


# ---------------------------------------------------------------- point 9: a misspelt intent


def test_a_misspelt_intent_leaves_a_working_bedside_with_a_visible_fault(
    qtbot: Any, mosquitto: Any, windows: list[Any], look: None, tmp_path: Any
) -> None:
    """Point 9: offered_intents = ["nurse", "watr"] crashed the bedside with a traceback."""
    from beckon.bedside.service import BedsideService
    from beckon.config import load_bedside
    from beckon.ui.bedside_window import BedsideWindow

    settings = load_bedside(
        None,
        {
            "bedside.site": "gh",
            "bedside.unit": "icu",
            "bedside.bed": "12",
            "bedside.outbox": str(tmp_path / "o.sqlite3"),
            "bedside.offered_intents": ["nurse", "watr"],
            "broker.url": mosquitto.url,
        },
    )
    bedside = BedsideWindow(BedsideService(settings))
    qtbot.addWidget(bedside)
    windows.append(bedside)
    bedside.start()
    bedside.show()
    qtbot.waitUntil(lambda: bedside.fault_banner.isVisible(), timeout=WAIT_MS)
    assert "did you mean 'water'?" in bedside.fault_banner.text()
    assert "Call IT" in bedside.fault_banner.text()
    assert list(bedside.tiles) == ["nurse"]


# ---------------------------------------------------------------- point 7: honest outcomes


def rows_for(station: Any, intent: str) -> list[Any]:
    return [r for r in station.rows.values() if r.view is not None and r.view.intent == intent]


def touch_request(qtbot: Any, bedside: Any, intent: str) -> None:
    qtbot.mouseClick(bedside.tiles[intent], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(bedside.confirm_yes, Qt.MouseButton.LeftButton)


def test_an_action_queued_during_an_outage_says_so_and_is_delivered(
    qtbot: Any, mosquitto: Any, station_service: Any, open_bedside: Any, open_station: Any
) -> None:
    """Point 7: "Not connected: the action was not sent." yet the Resolve was delivered."""
    bedside = open_bedside()
    station = open_station(nurse="Nurse Alex")
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    touch_request(qtbot, bedside, "water")
    qtbot.waitUntil(lambda: len(rows_for(station, "water")) == 1, timeout=WAIT_MS)
    row = rows_for(station, "water")[0]

    mosquitto.stop()
    qtbot.waitUntil(lambda: station.connected is False, timeout=WAIT_MS)
    qtbot.mouseClick(row.resolve, Qt.MouseButton.LeftButton)
    assert "queued and will be sent" in station.banner.text()
    assert "not sent" not in station.banner.text()

    mosquitto.start()
    # The queued Resolve arrives (the feed sends it again until the queue shows it done), and
    # the window never claimed it was lost.
    qtbot.waitUntil(lambda: not rows_for(station, "water"), timeout=60_000)
    qtbot.waitUntil(lambda: bedside.timeline.tracks[0].state == "resolved", timeout=WAIT_MS)
    assert "did not arrive" not in station.banner.text()
    assert not station.pending.pending
    qtbot.waitUntil(lambda: not station.feed.unconfirmed, timeout=WAIT_MS)


def test_the_bedside_names_the_nurse_who_acknowledged_not_the_one_who_resolved(
    qtbot: Any, station_service: Any, open_bedside: Any, open_station: Any
) -> None:
    """Point 7: "Acknowledged by Kim Park" when Nurse Alex had acknowledged."""
    bedside = open_bedside()
    alex = open_station(nurse="Nurse Alex")
    kim = open_station(nurse="Kim Park")
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    touch_request(qtbot, bedside, "water")
    qtbot.waitUntil(lambda: len(rows_for(alex, "water")) == 1, timeout=WAIT_MS)
    qtbot.mouseClick(rows_for(alex, "water")[0].ack, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: bedside.timeline_panel.headline.text() == "Nurse Alex is coming.", timeout=WAIT_MS
    )
    qtbot.waitUntil(
        lambda: (
            bool(rows_for(kim, "water")) and rows_for(kim, "water")[0].view.state == "acknowledged"
        ),
        timeout=WAIT_MS,
    )
    qtbot.mouseClick(rows_for(kim, "water")[0].resolve, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bedside.timeline.tracks[0].state == "resolved", timeout=WAIT_MS)
    steps = [label.text() for _, label in bedside.timeline_panel.steps if label.isVisible()]
    assert "Acknowledged by Nurse Alex" in steps
    assert not any("Kim Park" in s for s in steps)


# ---------------------------------------------------------------- point 8: speech


def offers(speaker: Any, since: int = 0) -> list[str]:
    """The spoken offers ("Water?"): the menu's only prompts that end in a question mark."""
    return [text for text, _ in speaker.said[since:] if text.endswith("?")]


def test_offers_are_not_spoken_to_an_empty_bed_and_back_off_when_nobody_answers(
    qtbot: Any, station_service: Any, open_bedside: Any, speaker: Any
) -> None:
    """Point 8: "Call the nurse? Water? ..." every 4 s forever, even with no face in view."""
    from beckon.vision.pipeline import FaceStatus

    bedside = open_bedside(speaker=speaker, offer_seconds=4.0)
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    service = bedside.service
    t = service.menu_time()

    def ticks(n: int) -> None:
        nonlocal t
        for _ in range(n):
            t += 4.0
            service.post(FrameTick(t))
        # The last tick handled (an empty inbox is one whose item was taken, not yet handled).
        qtbot.waitUntil(lambda: service.menu_time() >= t, timeout=WAIT_MS)
        qtbot.wait(200)  # the queued signals reach the window

    bedside.on_face(FaceStatus(t, False, False, 0.0))  # the vision worker: no face in view
    start = len(speaker.said)
    ticks(8)
    assert offers(speaker, start) == [], "nobody is there to answer"

    bedside.on_face(FaceStatus(t, True, True, 1.0))
    start = len(speaker.said)
    ticks(14)  # three and a half rounds of four offers, and no gesture
    assert len(offers(speaker, start)) == 8, "two rounds, then quiet"
    assert bedside.menu is not None and bedside.menu.stage == "offering"  # still on screen

    service.post(Gesture("shake", t + 0.5, 0.9))  # the patient moves: speech comes back
    start = len(speaker.said)
    qtbot.waitUntil(lambda: offers(speaker, start) != [], timeout=WAIT_MS)


def test_a_restarted_bedside_does_not_announce_old_requests_again(
    qtbot: Any, station_service: Any, open_bedside: Any, open_station: Any
) -> None:
    """Point 8: after a restart, "Your request is done." and "The nurses have your request."
    were said several times for old requests."""
    from tests.ui.conftest import RecordingSpeaker

    first = open_bedside()
    station = open_station(nurse="Nurse Kim")
    qtbot.waitUntil(lambda: first.timeline.online is True, timeout=WAIT_MS)
    for intent in ("water", "pain"):
        touch_request(qtbot, first, intent)
        qtbot.waitUntil(lambda i=intent: len(rows_for(station, i)) == 1, timeout=WAIT_MS)
    qtbot.mouseClick(rows_for(station, "water")[0].resolve, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: first.timeline.get(first.timeline.tracks[1].request_id).state == "resolved",
        timeout=WAIT_MS,
    )
    first.close()

    heard = RecordingSpeaker()
    second = open_bedside(speaker=heard)
    qtbot.waitUntil(lambda: second.timeline.online is True, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: second.timeline.get(rows_for(station, "pain")[0].request_id) is not None,
        timeout=WAIT_MS,
    )
    said = [text for text, _ in heard.said]
    assert "Your request is done." not in said
    assert "The nurses have your request." not in said
    # A change that happens now is news, and is said once.
    qtbot.mouseClick(rows_for(station, "pain")[0].ack, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ("Nurse Kim is coming.", "en") in heard.said, timeout=WAIT_MS)
    assert [t for t, _ in heard.said].count("Nurse Kim is coming.") == 1


# ---------------------------------------------------------------- point 2: loud, honest failure


def test_the_station_window_cannot_lose_its_broker_or_service_quietly(
    qtbot: Any, mosquitto: Any, tmp_path: Any, open_station: Any, alarm: Any
) -> None:
    """Point 2: a small "Not connected" chip, "Station online" stayed green, no sound."""
    from beckon.background import Background
    from beckon.config import load_station
    from beckon.station.service import StationService

    settings = load_station(
        None,
        {
            "station.site": "gh",
            "station.units": ["icu"],
            "station.database": str(tmp_path / "station.sqlite3"),
            "broker.url": mosquitto.url,
        },
    )
    service = StationService(settings)
    background = Background(service.run, "station").start()
    assert service.ready.wait(10)
    station = open_station(alarm=alarm)
    station.watch.repeat_s = 1.0
    qtbot.waitUntil(
        lambda: bool(station.stations) and all(station.stations.values()), timeout=WAIT_MS
    )
    assert not station.system_banner.isVisible()

    background.stop()  # the station service goes away
    qtbot.waitUntil(lambda: station.system_banner.isVisible(), timeout=WAIT_MS)
    assert "STATION SERVICE DOWN" in station.system_banner.text()
    assert station.system_banner.width() >= station.width() * 0.9  # full width
    sounded = len([loud for loud in alarm.played if loud])
    qtbot.waitUntil(lambda: len([x for x in alarm.played if x]) >= sounded + 2, timeout=WAIT_MS)

    mosquitto.stop()  # and then the broker
    qtbot.waitUntil(lambda: "NOT CONNECTED" in station.system_banner.text(), timeout=WAIT_MS)
    # Its own link is gone, so the station's state is unknown: not green, and not "offline"
    # either, which sent nurses looking for a failed station service.
    assert station.station_pill.text == "Station: unknown"
    assert station.station_pill.property("state") == "off"

    mosquitto.start()
    background = Background(StationService(settings).run, "station").start()
    try:
        qtbot.waitUntil(lambda: not station.system_banner.isVisible(), timeout=60_000)
        played = len(alarm.played)
        qtbot.wait(1500)
        assert len(alarm.played) == played, "the alarm stops when calls arrive again"
    finally:
        background.stop()


def test_a_station_without_a_sound_device_says_its_alarms_are_silent(
    qtbot: Any, station_service: Any, open_station: Any
) -> None:
    from beckon.ui.sound import SilentAlarm

    station = open_station(alarm=SilentAlarm())
    qtbot.waitUntil(lambda: station.system_banner.isVisible(), timeout=WAIT_MS)
    assert station.system_banner.text() == "No sound device: alarms are silent. Watch this screen."


def test_the_bedside_tells_the_patient_when_calls_cannot_reach_the_nurses(
    qtbot: Any, mosquitto: Any, station_service: Any, open_bedside: Any, speaker: Any, alarm: Any
) -> None:
    """Point 2: the bedside did not tell the patient to call for help another way."""
    bedside = open_bedside(speaker=speaker)
    bedside.alarm = alarm
    bedside.reach.receipt_alarm_s = 2.0
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    assert not bedside.reach_banner.isVisible()

    mosquitto.stop()
    qtbot.waitUntil(lambda: bedside.reach_banner.isVisible(), timeout=WAIT_MS)
    assert bedside.reach_banner.text().startswith("Calls cannot reach the nurses right now.")
    assert [t for t, _ in speaker.said].count(bedside.reach_banner.text()) == 1

    touch_request(qtbot, bedside, "water")
    qtbot.waitUntil(lambda: True in alarm.played, timeout=WAIT_MS)  # the local alarm
    assert bedside.reach_banner.text().startswith("Your request has not reached the nurses yet.")
    assert any(t.startswith("Your request has not reached") for t, _ in speaker.said)

    mosquitto.start()
    qtbot.waitUntil(lambda: not bedside.reach_banner.isVisible(), timeout=60_000)


# ---------------------------------------------------------------- point 10: the history


def test_an_alert_banner_never_moves_the_rows_under_a_nurses_click(
    qtbot: Any, station_service: Any, open_bedside: Any, open_station: Any
) -> None:
    """Point 10: alert banners pushed the rows, so a click could land on the wrong row."""
    from PyQt6.QtCore import QPoint

    bedside = open_bedside()
    station = open_station()
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    touch_request(qtbot, bedside, "water")
    qtbot.waitUntil(lambda: len(rows_for(station, "water")) == 1, timeout=WAIT_MS)
    row = rows_for(station, "water")[0]
    assert station.banner.isVisible()  # "New request: bed 12, Water"
    qtbot.wait(100)
    shown = row.ack.mapTo(station, QPoint(0, 0))
    station._banner_until = 0.0  # the banner's time is up: the next tick hides it
    qtbot.waitUntil(lambda: not station.banner.isVisible(), timeout=WAIT_MS)
    qtbot.wait(100)
    assert row.ack.mapTo(station, QPoint(0, 0)) == shown
    touch_request(qtbot, bedside, "pain")  # and a new alert appears again
    qtbot.waitUntil(lambda: station.banner.isVisible(), timeout=WAIT_MS)
    qtbot.wait(100)
    assert rows_for(station, "water")[0].ack.mapTo(station, QPoint(0, 0)).y() >= shown.y()


def test_the_history_shows_the_slowest_calls_and_the_90th_percentile(
    qtbot: Any, station_service: Any, open_station: Any
) -> None:
    from beckon.messaging import protocol as p
    from beckon.station import history
    from beckon.station.store import ResponseRow

    rows = [
        ResponseRow(
            f"w{m}",
            "water",
            "routine",
            f"2025-03-01T09:{m:02d}:00.000Z",
            f"2025-03-01T09:{m:02d}:20.000Z",
            None,
        )
        for m in range(0, 40, 2)
    ]
    rows.append(ResponseRow("t1", "toilet", "urgent", "2025-03-01T09:40:00.000Z", None, None))
    station = open_station()
    stats = history.summarize(rows, "gh", "icu", "2025-03-01T09:58:00.000Z")
    station.on_item(p.decode(p.encode(stats)))  # as the feed hands over the retained stats
    first = station.slowest.text().splitlines()[0]
    assert first.startswith("18.0 min: Toilet at ") and first.endswith("NO NURSE ANSWERED")
    titles = [label.text() for label in station.findChildren(QLabel)]
    assert any("(90th percentile)" in t for t in titles)
    assert not any("Median" in t for t in titles)


def test_escalation_labels_claim_no_page_either_way() -> None:
    """Point 10: "Escalated: primary nurse" while nothing was sent to anyone. The opposite
    ("nobody was paged") was as wrong once the station's hook paged every level: the window
    cannot see the hook, so the label says what the nurse should do, not who was paged."""
    from beckon.ui import strings

    labels = [strings.escalation_text(level) for level in (1, 2, 3)]
    assert all(text.startswith(f"Overdue (level {n})") for n, text in enumerate(labels, 1))
    assert not any("paged" in text or "primary nurse" in text for text in labels)


# ---------------------------------------------------------------- point 5: questions


def test_a_question_expires_at_both_ends_and_shows_when_it_was_asked(
    qtbot: Any,
    monkeypatch: Any,
    station_service: Any,
    open_bedside: Any,
    open_station: Any,
) -> None:
    """Point 5: a question expired at the bedside after 120 s but stayed "waiting..." at the
    station; recent questions had no time."""
    import beckon.bedside.service as bedside_service
    import beckon.ui.station_window as station_window

    monkeypatch.setattr(bedside_service, "QUESTION_TIMEOUT_S", 3.0)
    monkeypatch.setattr(station_window, "QUESTION_TIMEOUT_S", 3.0)
    bedside = open_bedside()
    station = open_station(nurse="Nurse Lee")
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    ask(qtbot, station, "12", "Are you cold?")
    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(station.question_rows()) == 1, timeout=WAIT_MS)
    row = station.question_rows()[0]
    assert "Nurse Lee, asked " in row.text.text()
    assert row.answer.property("answer") == "waiting"

    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == 0, timeout=WAIT_MS)  # expired
    qtbot.waitUntil(
        lambda: station.question_rows()[0].answer.property("answer") == "expired",
        timeout=WAIT_MS,
    )
    assert station.question_rows()[0].answer.text() == "no answer"


def test_a_question_delivered_after_it_expired_is_not_asked() -> None:
    from datetime import UTC, datetime, timedelta

    from beckon.bedside.service import QUESTION_TIMEOUT_S, question_time_left

    old = (datetime.now(UTC) - timedelta(seconds=QUESTION_TIMEOUT_S + 5)).isoformat()
    assert question_time_left(old) <= 0
    fresh = datetime.now(UTC).isoformat()
    assert 0 < question_time_left(fresh) <= QUESTION_TIMEOUT_S


def test_the_station_sees_a_bed_whose_devices_fail(
    qtbot: Any, station_service: Any, open_bedside: Any, open_station: Any
) -> None:
    """Point 5: "Camera off" and "Face not found" showed only on the tablet."""
    from beckon.ui.sound import SilentAlarm

    station = open_station()
    bedside = open_bedside()
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    bedside.alarm = SilentAlarm()  # a tablet with no sound device
    qtbot.waitUntil(
        lambda: any("Bed 12: no sound" in line for line in station.fault_lines), timeout=WAIT_MS
    )
    bedside.alarm = None
    qtbot.waitUntil(lambda: station.fault_lines == [], timeout=WAIT_MS)


def test_camera_and_face_faults_are_reported_after_a_grace_time() -> None:
    from beckon.bedside.devices import CameraState, DeviceWatch, MicState

    watch = DeviceWatch(no_face_s=30.0)
    mic = MicState("off")
    assert watch.faults(CameraState("lost"), True, None, mic, True, 0.0) == ("camera_lost",)
    assert watch.faults(CameraState("off"), True, None, mic, True, 0.0) == ("camera_off",)
    assert watch.faults(CameraState("on", 15.0), True, "no_face", mic, True, 10.0) == ()
    assert watch.faults(CameraState("on", 15.0), True, "no_face", mic, True, 39.0) == ()
    assert watch.faults(CameraState("on", 15.0), True, "no_face", mic, True, 40.0) == ("no_face",)
    assert watch.faults(CameraState("on", 15.0), True, "ready", mic, True, 41.0) == ()
    assert watch.faults(CameraState("off"), False, None, MicState("error"), False, 0.0) == (
        "mic_error",
        "no_sound",
    )
    assert watch.faults(CameraState("off"), False, None, MicState("failed"), True, 0.0) == (
        "voice_error",
    )


def test_a_dark_room_is_reported_as_such_not_as_a_tablet_to_move() -> None:
    """The station said "face too small or turned away: move the tablet" (or "face not found")
    for a bed whose room was dark."""
    from beckon.bedside.devices import CameraState, DeviceWatch, MicState
    from beckon.ui.station_model import bed_board_row
    from beckon.ui.strings import bed_fault_text

    watch = DeviceWatch(no_face_s=30.0, poor_view_s=30.0)
    on, mic = CameraState("on", 15.0), MicState("off")
    for t in (0.0, 31.0):
        seen = watch.faults(on, True, "ready", mic, True, t, face_hint="too_dark")
    assert seen == ("too_dark",)
    blind = DeviceWatch(no_face_s=30.0)
    for t in (0.0, 31.0):
        seen = blind.faults(on, True, "no_face", mic, True, t, face_hint="too_dark")
    assert seen == ("too_dark",)
    assert bed_board_row("3", True, ("too_dark",), "0.1.0").face == ("warn", "too_dark")
    assert "turn on a light" in bed_fault_text("3", ("too_dark",))


def test_quiet_prompts_keep_the_chime_for_calls_that_cannot_get_through(
    rig: Any, windows: list[Any], look: None
) -> None:
    """``--no-speech`` (a quiet ward at night) silences the spoken prompts, not the local
    alarm that sounds when a call gets no receipt from the station."""
    from beckon.ui.app import Look
    from beckon.ui.launch import bedside_window
    from beckon.ui.sound import ChimeAlarm
    from beckon.ui.speech import SilentSpeaker

    window = bedside_window(
        rig.bedside_settings("12", {}), Look("en"), model=None, source=None, is_file=False,
        speech=False,
    )  # fmt: skip
    windows.append(window)
    assert isinstance(window.alarm, ChimeAlarm)
    assert isinstance(window.speaker, SilentSpeaker)


def test_the_window_keeps_the_microphone_deaf_while_it_speaks(
    open_bedside: Callable[..., Any],
) -> None:
    """The window's speaker tells the voice path when the tablet itself is talking
    (beckon/bedside/echo.py): its own "This is an emergency" was heard as a second one."""
    from tests.ui.conftest import RecordingSpeaker

    speaker = RecordingSpeaker()
    bedside = open_bedside(speaker=speaker)
    assert not bedside.host.echo.muted()
    speaker.busy = True
    assert bedside.host.echo.muted()


def test_a_station_that_hangs_with_its_connection_up_is_called_down_within_seconds(
    qtbot: Any, mosquitto: Any, tmp_path: Any, open_station: Any, alarm: Any
) -> None:
    """Its connection stays up (the MQTT thread answers the broker's pings), so no last will
    ever fires; the window said "Station online" while calls went nowhere. Its 5 s heartbeat
    stopping is the sign: down within PRESENCE_FRESH_S (15 s), and back when it is heard."""
    import threading
    import time

    from beckon.background import Background

    service = station_for(mosquitto.url, tmp_path / "station.sqlite3")
    hang, hung = threading.Event(), threading.Event()

    def stuck_loop() -> None:
        if hang.is_set():
            hung.set()
            while hang.is_set():  # the service's loop is stuck; its MQTT thread is not
                time.sleep(0.1)

    service.beats.append(stuck_loop)
    with Background(service.run, "station"):
        assert service.ready.wait(10)
        station = open_station(alarm=alarm)
        qtbot.waitUntil(
            lambda: bool(station.stations) and all(station.stations.values()), timeout=WAIT_MS
        )
        hang.set()
        assert hung.wait(5)
        qtbot.waitUntil(lambda: station.system_banner.isVisible(), timeout=30_000)
        assert "STATION SERVICE DOWN" in station.system_banner.text()
        hang.clear()
        qtbot.waitUntil(lambda: not station.system_banner.isVisible(), timeout=WAIT_MS)


def test_the_bedsides_station_pill_is_unknown_while_its_own_link_is_down(
    qtbot: Any, tmp_path: Any
) -> None:
    """Not green from a stale "online", and not "Station offline" (the station may be fine:
    it is this tablet that lost the broker, which the connection pill already says)."""
    from beckon.bedside import events as ev
    from tests.helpers.windows import bed12_window

    window = bed12_window(qtbot, tmp_path)
    pill = window.station_pill
    window.on_event(ev.ConnectionChanged(True))
    window.on_event(ev.StationChanged(True))
    assert (pill.text, pill.property("state")) == ("Station online", "ok")
    window.on_event(ev.ConnectionChanged(False))
    assert (pill.text, pill.property("state")) == ("Station: unknown", "off")
    window.on_event(ev.ConnectionChanged(True))
    window.on_event(ev.StationChanged(False))  # now the station itself is known to be gone
    assert (pill.text, pill.property("state")) == ("Station offline", "bad")
