"""The bedside and station windows, offscreen, through a real Mosquitto and real services.

Everything a nurse or a patient would do goes through the widgets (clicks on tiles and buttons)
or, for head gestures, through the bedside service's inbox exactly as the vision worker posts
them. Waits are for conditions, never for fixed times.
"""

from __future__ import annotations

from typing import Any

import pytest
from PyQt6.QtCore import Qt

from beckon.bedside.interaction import MenuView
from beckon.bedside.service import Gesture, Submit
from tests.helpers.windows import bed12_window

pytestmark = pytest.mark.mqtt
WAIT_MS = 15_000


def rows_for(station: Any, intent: str) -> list[Any]:
    return [r for r in station.rows.values() if r.view is not None and r.view.intent == intent]


def touch_request(qtbot: Any, bedside: Any, intent: str) -> None:
    """A patient's tap on a tile, then on Yes in the confirmation."""
    qtbot.mouseClick(bedside.tiles[intent], Qt.MouseButton.LeftButton)
    assert bedside.pages.currentIndex() == 2, "a tap asks for confirmation first"
    qtbot.mouseClick(bedside.confirm_yes, Qt.MouseButton.LeftButton)


def test_a_request_reaches_the_station_and_the_named_acknowledgement_reaches_the_bedside(
    qtbot: Any, station_service: Any, open_bedside: Any, open_station: Any, speaker: Any, alarm: Any
) -> None:
    station = open_station(nurse="Nurse Kim", alarm=alarm)
    bedside = open_bedside(speaker=speaker)
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)

    touch_request(qtbot, bedside, "water")
    qtbot.waitUntil(lambda: len(rows_for(station, "water")) == 1, timeout=WAIT_MS)
    row = rows_for(station, "water")[0]
    assert row.request.text() == "Water"
    assert "Bed 12" in row.bed.text() and row.view.source == "touch"
    assert alarm.played == [False]  # a routine request: the soft chime
    assert "New request: bed 12, Water" in station.banner.text()

    qtbot.mouseClick(row.ack, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: bedside.timeline_panel.headline.text() == "Nurse Kim is coming.", timeout=WAIT_MS
    )
    steps = [label.text() for _, label in bedside.timeline_panel.steps if label.isVisible()]
    assert "Acknowledged by Nurse Kim" in steps
    assert steps.index("Received by the nurses' station") < steps.index("Acknowledged by Nurse Kim")
    assert ("Nurse Kim is coming.", "en") in speaker.said
    qtbot.waitUntil(lambda: "Acknowledged by Nurse Kim" in row.state.text(), timeout=WAIT_MS)
    assert not row.ack.isVisible()  # nothing left to acknowledge


def test_a_yes_no_question_from_the_station_is_answered_by_a_nod(
    qtbot: Any, station_service: Any, open_bedside: Any, open_station: Any, speaker: Any
) -> None:
    bedside = open_bedside(speaker=speaker)
    # The quiet after an answer (5 s) runs on the menu's clock, in real time between frames:
    # a busy machine took longer to bring the answer to the station and back, and the menu
    # was offering again before the test looked. A long quiet here.
    bedside.service.menu.settle_after_answer_s = 60.0
    station = open_station(nurse="Nurse Lee")
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)

    station.ask_bed.setCurrentText("12")
    station.ask_text.setCurrentText("Are you in pain?")
    qtbot.mouseClick(station.ask_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == 1, timeout=WAIT_MS)
    assert bedside.question_text.text() == "Are you in pain?"
    assert bedside.question_from.text() == "Nurse Lee asks:"
    assert ("Are you in pain? Nod for yes, shake for no.", "en") in speaker.said
    qtbot.waitUntil(lambda: len(station.question_rows()) == 1, timeout=WAIT_MS)
    assert station.question_rows()[0].answer.property("answer") == "waiting"

    # The patient nods: the vision worker would post exactly this.
    bedside.service.post(Gesture("nod", bedside.service.menu_time(), 0.9))
    qtbot.waitUntil(
        lambda: [r.answer.property("answer") for r in station.question_rows()] == ["yes"],
        timeout=WAIT_MS,
    )
    assert station.question_rows()[0].answer.text() == "YES"
    assert "Bed 12 answered YES" in station.banner.text()
    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == 0, timeout=WAIT_MS)
    # The pause after the answer says what happened: it said "Request chosen. One moment…",
    # and a relative watching thought a call had gone out.
    assert bedside.menu is not None and bedside.menu.stage == "paused"
    assert bedside.stage_banner.text() == "You answered yes."


def test_the_same_request_again_is_not_sent_and_the_patient_is_told(
    qtbot: Any, station_service: Any, open_bedside: Any, open_station: Any, speaker: Any
) -> None:
    bedside = open_bedside(speaker=speaker)
    station = open_station()
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    bedside.service.post(Submit("water", "touch"))
    qtbot.waitUntil(lambda: len(station.rows) == 1, timeout=WAIT_MS)
    bedside.service.post(Submit("water", "touch"))
    told = "You already asked for Water. It is still open."
    qtbot.waitUntil(lambda: (told, "en") in speaker.said, timeout=WAIT_MS)
    qtbot.wait(500)
    assert len(station.rows) == 1 and len(bedside.timeline.tracks) == 1


def test_without_touch_in_the_inputs_the_screen_sends_nothing_and_a_nod_still_answers(
    qtbot: Any, station_service: Any, open_bedside: Any, open_station: Any
) -> None:
    """IT leaves "touch" out for a patient whose stray hand keeps touching the screen."""
    bedside = open_bedside(inputs=("gesture",))
    station = open_station(nurse="Nurse Lee")
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)

    qtbot.mouseClick(bedside.tiles["water"], Qt.MouseButton.LeftButton)
    assert bedside.pages.currentIndex() == 0, "no confirmation: the tap is not an input"

    station.ask_bed.setCurrentText("12")
    station.ask_text.setCurrentText("Are you in pain?")
    qtbot.mouseClick(station.ask_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == 1, timeout=WAIT_MS)
    assert not bedside.yes_button.isVisible() and not bedside.no_button.isVisible()
    bedside.service.post(Gesture("nod", bedside.service.menu_time(), 0.9))
    qtbot.waitUntil(
        lambda: [r.answer.property("answer") for r in station.question_rows()] == ["yes"],
        timeout=WAIT_MS,
    )
    assert rows_for(station, "water") == [], "the tap on Water never became a request"


def test_an_offline_bedside_says_saved_and_will_be_sent_then_delivers(
    qtbot: Any, mosquitto: Any, station_service: Any, open_bedside: Any, open_station: Any
) -> None:
    bedside = open_bedside()
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    mosquitto.stop()
    qtbot.waitUntil(lambda: bedside.timeline.online is False, timeout=WAIT_MS)
    assert bedside.link_pill.text == "Not connected"

    touch_request(qtbot, bedside, "toilet")
    message = "Not connected. Your request is saved and will be sent."
    qtbot.waitUntil(lambda: bedside.timeline_panel.headline.text() == message, timeout=WAIT_MS)
    assert bedside.timeline_panel.headline.isVisible()
    # and, the whole width of the screen, that calls cannot get through meanwhile
    qtbot.waitUntil(lambda: bedside.reach_banner.isVisible(), timeout=WAIT_MS)
    assert bedside.reach_banner.text().startswith("Calls cannot reach the nurses right now.")
    # On disk, in the outbox: counted once the service has handled the request, a moment
    # after the window showed it (the broker is down: the count cannot drop back meanwhile).
    qtbot.waitUntil(lambda: bedside.service.waiting == 1, timeout=WAIT_MS)

    mosquitto.start()
    station = open_station()
    qtbot.waitUntil(lambda: len(rows_for(station, "toilet")) == 1, timeout=30_000)
    qtbot.waitUntil(lambda: not bedside.reach_banner.isVisible(), timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: bedside.timeline_panel.headline.text() == "The nurses have your request.",
        timeout=WAIT_MS,
    )


def kim_and_park_on_one_call(
    qtbot: Any, open_bedside: Any, open_station: Any, bed: str, intent: str
) -> tuple[Any, tuple[Any, Any], tuple[Any, Any]]:
    """A bed's request by touch, shown in Nurse Kim's and Nurse Park's windows: the bedside
    window, then each station window with its row of the call."""
    bedside = open_bedside(bed=bed)
    kim = open_station(nurse="Nurse Kim")
    park = open_station(nurse="Nurse Park")
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    touch_request(qtbot, bedside, intent)
    for window in (kim, park):
        qtbot.waitUntil(lambda w=window: len(rows_for(w, intent)) == 1, timeout=WAIT_MS)
    (row_kim,) = rows_for(kim, intent)
    (row_park,) = rows_for(park, intent)
    assert row_kim.request_id == row_park.request_id
    return bedside, (kim, row_kim), (park, row_park)


def test_two_station_windows_stay_consistent_and_the_history_follows(
    qtbot: Any, station_service: Any, open_bedside: Any, open_station: Any
) -> None:
    bedside, (first, row_a), (second, row_b) = kim_and_park_on_one_call(
        qtbot, open_bedside, open_station, "7", "pain"
    )

    qtbot.mouseClick(row_a.ack, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Acknowledged by Nurse Kim" in row_b.state.text(), timeout=WAIT_MS)
    qtbot.mouseClick(row_b.resolve, Qt.MouseButton.LeftButton)
    for window in (first, second):
        qtbot.waitUntil(lambda w=window: not w.rows, timeout=WAIT_MS)
        assert window.empty.isVisible()
    qtbot.waitUntil(lambda: bedside.timeline_panel.headline.text() == "Done.", timeout=WAIT_MS)

    # The station's stats reach every window: one pain request, answered.
    for window in (first, second):
        qtbot.waitUntil(
            lambda w=window: (
                [(b.label, b.count, b.answered) for b in w.intent_chart.bars]
                == [("I am in pain", 1, 1)]
            ),
            timeout=WAIT_MS,
        )
        assert window.intent_chart.bars[0].value is not None
        assert len(window.hour_chart.bars) == 1


def test_a_nurse_who_resolves_a_call_a_colleague_just_resolved_is_told_who_did(
    qtbot: Any, station_service: Any, open_bedside: Any, open_station: Any
) -> None:
    """Kim and Park press Resolve on the same call at once; the station takes one of them
    (whichever command reaches it first: the two windows have links of their own). The call
    leaves the queue, and the other nurse's window used to say nothing: she believed her own
    resolution went through. Her window now learns from the bed's state who closed it and
    says so; the winner's says nothing."""
    _, (kim, row_kim), (park, row_park) = kim_and_park_on_one_call(
        qtbot, open_bedside, open_station, "9", "water"
    )
    qtbot.mouseClick(row_kim.resolve, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(row_park.resolve, Qt.MouseButton.LeftButton)  # before any reply
    for window in (kim, park):
        qtbot.waitUntil(lambda w=window: not w.rows, timeout=WAIT_MS)
    told = {
        "Nurse Park": "Bed 9, Water: already resolved by Nurse Kim.",
        "Nurse Kim": "Bed 9, Water: already resolved by Nurse Park.",
    }
    qtbot.waitUntil(
        lambda: park.banner.text() == told["Nurse Park"] or kim.banner.text() == told["Nurse Kim"],
        timeout=WAIT_MS,
    )
    loser, winner = (park, kim) if park.banner.text() == told["Nurse Park"] else (kim, park)
    assert loser.banner.isVisible()
    assert "already" not in winner.banner.text(), "her own resolution is not news to the winner"


def test_acting_without_a_name_asks_for_it_and_sends_nothing(
    qtbot: Any, station_service: Any, open_bedside: Any, open_station: Any
) -> None:
    bedside = open_bedside(bed="3")
    station = open_station(nurse="")
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    touch_request(qtbot, bedside, "nurse")
    qtbot.waitUntil(lambda: len(rows_for(station, "nurse")) == 1, timeout=WAIT_MS)
    (row,) = rows_for(station, "nurse")
    assert not station.act("acknowledge", row.request_id)
    assert station.banner.text() == "Enter your name first."


def test_the_korean_translation_loads_and_both_windows_speak_korean(
    qtbot: Any, look: None, tmp_path: Any
) -> None:
    from beckon.bedside.service import BedsideService
    from beckon.config import BrokerConfig, load_bedside
    from beckon.station.feed import StationFeed
    from beckon.ui import strings
    from beckon.ui.app import install_translation
    from beckon.ui.bedside_window import BedsideWindow
    from beckon.ui.station_window import StationWindow

    assert install_translation("ko")
    settings = load_bedside(
        None,
        {
            "bedside.site": "gh",
            "bedside.unit": "icu",
            "bedside.bed": "12",
            "bedside.language": "ko",
            "bedside.outbox": str(tmp_path / "o.sqlite3"),
        },
    )
    bedside = BedsideWindow(BedsideService(settings), language="ko")
    qtbot.addWidget(bedside)
    bedside.show_menu(MenuView(("nurse", "water", "pain"), "water", "offering"))
    assert bedside.title.text() == "12번 침대"
    assert (
        bedside.stage_banner.text()
        == "고르려면 고개를 끄덕이세요. 다음으로 넘기려면 고개를 저으세요."
    )
    assert bedside.tiles["water"].label.text() == "물"
    assert (
        strings.headline("saved_offline") == "연결되지 않았습니다. 요청은 저장되었고 곧 전송됩니다."
    )
    station = StationWindow(StationFeed(BrokerConfig(), "gh", "icu"), language="ko")
    qtbot.addWidget(station)
    assert station.title.text() == "icu 병동"
    assert station.tabs.tabText(1) == "기록"


def test_an_unknown_interaction_stage_still_shows_the_tiles_and_the_highlight(
    qtbot: Any, look: None, tmp_path: Any
) -> None:
    bedside = bed12_window(qtbot, tmp_path)
    seen: list[str | None] = []
    bedside.highlight_listeners.append(seen.append)
    newer = MenuView(("nurse", "water", "pain"), "pain", "pointing_with_dwell")  # type: ignore[arg-type]
    bedside.show_menu(newer)
    assert bedside.pages.currentIndex() == 0
    assert bedside.highlighted == "pain" and seen == ["pain"]
    assert bedside.stage_banner.text() == "Please wait…"
    bedside.show_menu(MenuView(("nurse", "water", "pain"), "nurse", "confirming"))
    assert bedside.highlighted == "nurse"
    assert bedside.stage_banner.text() == "Nod to send it. Or wait to cancel."


def test_the_confirmation_names_the_gestures_of_the_patients_profile(
    qtbot: Any, look: None, tmp_path: Any
) -> None:
    """The default profile confirms with a long blink and cancels with raised eyebrows, yet the
    screen said "Nod again to send it. Shake to cancel." and the voice "Send Emergency? Nod
    again.": a patient who nodded as told never sent the emergency (a nod does nothing while
    it waits). The words now come from the menu's own gestures."""
    from beckon.bedside import events as ev
    from beckon.bedside.interaction import CONFIRM_AFTER_S, Interaction
    from beckon.profile import GestureProfile
    from beckon.ui import strings
    from beckon.ui.bedside_model import prompt_for

    menu = Interaction(("water", "emergency"), GestureProfile().actions())
    assert menu.on_gesture("nod", 4.5) is not None  # emergency offered second: chosen
    ready = 4.5 + CONFIRM_AFTER_S  # the instruction is given when the gesture counts
    view = menu.view(ready)
    assert view.stage == "confirming" and view.confirm_with == ("long_blink",) and view.ready
    bedside = bed12_window(qtbot, tmp_path)
    bedside.show_menu(view)
    assert bedside.stage_banner.text() == (
        "Close your eyes for a moment to send it. Raise your eyebrows to cancel."
    )
    said = prompt_for(ev.MenuChanged(view, ready), "Emergency")
    assert said is not None
    assert strings.spoken(said) == "Send Emergency? Close your eyes for a moment to send it."
    tile = bedside.tiles["emergency"]
    assert tile.accessibleDescription() == (
        "Chosen: Close your eyes for a moment to send it. Raise your eyebrows to cancel."
    )
    # And what it says is what works: the nod the old words asked for sends nothing.
    assert menu.on_gesture("nod", ready + 0.5) is None
    assert menu.on_gesture("long_blink", ready + 1.0) is not None
    # A patient who cannot nod: the profile chooses with the mouth and moves on looking up.
    custom = Interaction(("water", "nurse"), {"mouth_open": "select", "look_up": "next"})
    assert strings.stage_banner(custom.view(0.0)) == (
        "Open your mouth to choose. Look up for the next one."
    )
    assert strings.tile_for_reader(custom.view(0.0)) == "Offered now: Open your mouth to choose"


def test_the_calibration_wizard_walks_through_and_reports_what_it_could_not_measure(
    qtbot: Any, look: None, tmp_path: Any, speaker: Any
) -> None:
    from dataclasses import dataclass

    from beckon.ui.calibration import CalibrationWizard

    @dataclass
    class Obs:  # a face without a head rotation: nothing the routine can measure
        t: float
        found: bool = True
        quality: float = 1.0
        rotation: Any = None
        blendshapes: Any = None

    wizard = CalibrationWizard(None, bed="12", speaker=speaker, profile_dir=tmp_path)
    qtbot.addWidget(wizard)
    wizard.observe(Obs(0.0))
    qtbot.mouseClick(wizard.start_button, Qt.MouseButton.LeftButton)
    assert wizard.flow.phase.kind == "rest"
    assert wizard.patient.text() == "Rest your head and look at the screen."
    t = 0.0
    while not wizard.flow.done and t < 60:
        t += 0.25
        wizard.observe(Obs(t))
        wizard.tick()
    assert (
        wizard.flow.done and [tk.gesture for tk in wizard.flow.takes] == ["nod"] * 2 + ["shake"] * 2
    )
    assert wizard.result is None and "no steady face" in wizard.error
    assert not wizard.save_button.isEnabled()
    assert ("Nod gently, as if to say yes.", "en") in speaker.said


@pytest.mark.parametrize(
    ("language", "fix", "ready"),
    [
        ("en", "Move the tablet closer to the face", "Face found"),
        ("ko", "태블릿을 얼굴에 더 가까이 옮기세요", "얼굴 인식됨"),
    ],
)
def test_a_small_face_shows_the_fix_on_the_bedside_screen(
    qtbot: Any, look: None, tmp_path: Any, language: str, fix: str, ready: str
) -> None:
    """Issue 9: a face too small for full confidence is shown with the fix, in both languages."""
    from beckon.bedside.host import CameraSpec
    from beckon.bedside.service import BedsideService
    from beckon.bedside.vision_worker import VisionWorker
    from beckon.config import load_bedside
    from beckon.ui.app import install_translation
    from beckon.ui.bedside_window import BedsideWindow
    from beckon.vision.pipeline import FaceStatus

    assert install_translation(language)
    settings = load_bedside(
        None,
        {
            "bedside.site": "gh",
            "bedside.unit": "icu",
            "bedside.bed": "12",
            "bedside.outbox": str(tmp_path / "o.sqlite3"),
        },
    )
    camera = CameraSpec(tmp_path / "face.task", "0")
    bedside = BedsideWindow(BedsideService(settings), language=language, vision=camera)
    qtbot.addWidget(bedside)
    # No camera on this machine: a vision worker that is never started stands in for the
    # running one, so the window shows the face pill; the FaceStatus arrives through the same
    # queued signal the worker uses.
    bedside.host.vision = VisionWorker(camera.model_path, camera.source, post=lambda item: None)
    bedside.bridge.face.emit(FaceStatus(1.0, True, True, 0.6, "move_closer"))
    qtbot.waitUntil(lambda: bedside.face_pill.text == fix, timeout=5_000)
    assert bedside.face_pill.property("state") == "warn"
    bedside.bridge.face.emit(FaceStatus(2.0, True, True, 1.0, None))
    qtbot.waitUntil(lambda: bedside.face_pill.text == ready, timeout=5_000)
    assert bedside.face_pill.property("state") == "ok"
    bedside.host.vision = None


def test_the_station_names_a_poor_view_fault_with_its_fix(look: None) -> None:
    from beckon.ui import strings

    line = strings.bed_fault_text("12", ("poor_view",))
    assert line == "Bed 12: face too small or turned away: move the tablet"


def test_a_question_to_a_bed_with_no_tablet_is_not_sent(
    qtbot: Any, station_service: Any, open_bedside: Any, open_station: Any
) -> None:
    """A mistyped bed number showed "waiting" for a tablet that does not exist, and the
    patient the nurse meant was never asked. A bed with a tablet but no call is offered."""
    bedside = open_bedside(bed="3")
    station = open_station()
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: station.ask_bed.findText("3") >= 0, timeout=WAIT_MS)
    station.ask_bed.setCurrentText("33")
    station.ask_text.setCurrentText("Are you in pain?")
    assert not station.ask()
    assert station.banner.text() == "No tablet at bed 33 on this unit: check the number."
    assert station.question_rows() == []
    station.ask_bed.setCurrentText("3")
    assert station.ask()
    qtbot.waitUntil(lambda: bool(station.question_rows()), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bedside.question_text.text() == "Are you in pain?", timeout=WAIT_MS)


def test_a_cancel_question_goes_when_a_nurse_finishes_the_request_meanwhile(
    qtbot: Any, station_service: Any, open_bedside: Any, open_station: Any
) -> None:
    """It stayed on screen after the nurse resolved the request, and its Yes did nothing."""
    bedside = open_bedside()
    station = open_station()
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    bedside.service.post(Submit("water", "touch"))
    qtbot.waitUntil(lambda: len(station.rows) == 1, timeout=WAIT_MS)
    (request_id,) = station.rows
    bedside.timeline_panel.cancel.click()  # "Cancel this request"
    assert bedside.pages.currentIndex() == 2
    assert station.act("resolve", request_id)
    qtbot.waitUntil(lambda: bedside.pages.currentIndex() != 2, timeout=6_000)  # not its own
    track = bedside.timeline.get(request_id)  # time-out (CONFIRM_TIMEOUT_MS)
    assert track is not None and track.state == "resolved"


def test_a_screen_reader_is_told_what_is_offered_and_which_steps_are_done(
    qtbot: Any, station_service: Any, open_bedside: Any
) -> None:
    """Which tile is offered was only its border, and a step done only its icon and colour;
    nothing in the window had an accessible name or description."""
    bedside = open_bedside()
    qtbot.waitUntil(lambda: bedside.timeline.online is True, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: any(t.highlighted for t in bedside.tiles.values()), timeout=WAIT_MS)
    for code, tile in bedside.tiles.items():
        assert tile.accessibleName() == bedside.label(code)
        offered = "Offered now: Nod to choose" if tile.highlighted else ""
        assert tile.accessibleDescription() == offered
    assert bedside.link_pill.accessibleName() == bedside.link_pill.text != ""
    bedside.service.post(Submit("water", "touch"))
    qtbot.waitUntil(lambda: bool(bedside.timeline.tracks), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bedside.timeline.tracks[0].state == "received", timeout=WAIT_MS)
    bedside._show_timeline()
    names = [label.accessibleName() for _, label in bedside.timeline_panel.steps]
    assert names[0].endswith(": done") and names[-1].endswith(": not yet"), names
