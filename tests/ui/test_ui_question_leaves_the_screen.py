"""After a nurse's question the patient's screen is where it was: a touch confirmation is not
covered and dropped, and a spoken request's lapse does not cut the question.

Real windows (offscreen), the real bedside service and a real station asking over Mosquitto
(tests/helpers/question_ward.py); frames posted on the frames' clock as the vision worker
posts them. tests/bedside/test_question_leaves_the_menu.py has the rules on a fake clock.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from PyQt6.QtCore import Qt

from beckon.bedside.service import (
    AnswerQuestion,
    FrameTick,
    Gesture,
    TouchConfirming,
    VoiceProposal,
)
from beckon.voice.dialogue import Closed, Prompt
from tests.helpers.question_ward import held_back
from tests.helpers.windows import ask

WAIT_MS = 15_000
QUESTION, TOUCH = 1, 2
"""The window's pages: the nurse's question, the touch confirmation ("Send Water?")."""


@pytest.mark.mqtt
def test_a_question_waits_behind_the_touch_confirmation_and_the_tap_is_sent(
    qtbot: Any, asking_ward: Any
) -> None:
    """The patient taps Water: "Send Water?" Yes / No. A nurse asks meanwhile. The question
    replaced the page, which never came back: the tap was dropped without a word. Now the
    question waits, as behind a gesture's confirmation, and comes after the Yes."""
    ward = asking_ward(["water", "nurse"])
    bedside = ward.bedside
    qtbot.mouseClick(bedside.tiles["water"], Qt.MouseButton.LeftButton)
    assert bedside.pages.currentIndex() == TOUCH
    ask(qtbot, ward.station, "12", "Are you comfortable?")
    qtbot.waitUntil(lambda: len(ward.station.question_rows()) == 1, timeout=WAIT_MS)
    held_back(qtbot, bedside)
    assert bedside.pages.currentIndex() == TOUCH, "the Yes / No page stays"

    qtbot.mouseClick(bedside.confirm_yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(bedside.service.states) == 1, timeout=WAIT_MS)
    assert list(bedside.service._asked.values()) == [("water", None)]
    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == QUESTION, timeout=WAIT_MS)


@pytest.mark.mqtt
def test_a_touch_confirmation_a_question_crossed_comes_back_after_it(
    qtbot: Any, asking_ward: Any
) -> None:
    """The tap and the question cross on their way to the service (the question was shown
    before the service heard of the Yes / No page): the question is on screen, and when it is
    over the page comes back, not the tiles."""
    bedside = asking_ward(["water", "nurse"]).bedside
    qtbot.mouseClick(bedside.tiles["water"], Qt.MouseButton.LeftButton)
    menu = bedside.menu
    bedside.show_menu(replace(menu, highlighted=None, stage="question", question="Cold?"))
    assert bedside.pages.currentIndex() == QUESTION
    bedside.show_menu(menu)  # the question answered
    assert bedside.pages.currentIndex() == TOUCH
    assert bedside.stage_banner.text() == "Touch Yes or No."


@pytest.mark.mqtt
def test_a_spoken_request_lapsing_during_a_question_is_said_after_it(
    qtbot: Any, asking_ward: Any
) -> None:
    """The patient's "Did you ask for: Water?" waits for its yes; a nurse's question comes
    and the proposal lapses. Its "Not sent: Water." cut the question aloud and took its banner;
    now the question stays whole and the lapse is said when the menu offers again."""
    ward = asking_ward(["water", "nurse"])
    bedside, speaker = ward.bedside, ward.speaker
    bedside.on_voice(Prompt("water", "water please", 1.0, 9.0))
    bedside.service.post(VoiceProposal(True))
    ask(qtbot, ward.station, "12", "Are you comfortable?")
    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == QUESTION, timeout=WAIT_MS)
    asked = len(speaker.said)

    bedside.on_voice(Closed("water", "expired", 9.0))  # the proposal lapses
    bedside.service.post(VoiceProposal(False))
    qtbot.wait(500)
    assert [text for text, _ in speaker.said[asked:]] == [], "nothing cuts the question"
    assert bedside.pages.currentIndex() == QUESTION

    bedside.service.post(AnswerQuestion("no", "touch"))
    qtbot.waitUntil(lambda: bedside.menu.stage == "paused", timeout=WAIT_MS)
    now = bedside.service.menu_time()
    bedside.service.post(FrameTick(now + 6.0))  # the quiet after the answer is over
    qtbot.waitUntil(lambda: bedside.menu.stage == "offering", timeout=WAIT_MS)
    lapse = "Not sent: Water. Say it again if you need it."
    said = [text for text, _ in speaker.said[asked:]]
    assert said[-1] == lapse, "said once the menu offers again, not cut by the offer"
    assert said.count(lapse) == 1
    assert bedside.stage_banner.text() == lapse


@pytest.mark.mqtt
def test_a_spoken_request_lapsing_during_a_question_is_shown_after_it_when_pointing(
    qtbot: Any, asking_ward: Any
) -> None:
    """The same with the head pointer: "Not sent: Water." was said when the pointer came
    back, but the banner showed only how to move it (rev45b)."""
    ward = asking_ward(["water", "nurse"], '[interaction]\nmode = "pointing"\n')
    bedside = ward.bedside
    bedside.on_voice(Prompt("water", "water please", 1.0, 9.0))
    bedside.service.post(VoiceProposal(True))
    ask(qtbot, ward.station, "12", "Are you comfortable?")
    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == QUESTION, timeout=WAIT_MS)
    bedside.on_voice(Closed("water", "expired", 9.0))
    bedside.service.post(VoiceProposal(False))
    qtbot.wait(300)
    bedside.service.post(AnswerQuestion("no", "touch"))
    qtbot.waitUntil(lambda: bedside.menu.stage == "paused", timeout=WAIT_MS)
    bedside.service.post(FrameTick(bedside.service.menu_time() + 6.0))
    qtbot.waitUntil(lambda: bedside.menu.stage == "pointing", timeout=WAIT_MS)
    lapse = "Not sent: Water. Say it again if you need it."
    assert ward.speaker.said[-1][0] == lapse
    assert bedside.stage_banner.text() == lapse


@pytest.mark.mqtt
def test_a_direct_emergency_gesture_puts_the_question_on_screen_aside(
    qtbot: Any, asking_ward: Any
) -> None:
    """A profile where a long blink asks for the emergency at once (``call:emergency``). A
    nurse's question on screen took every gesture, and the long blink, which answers nothing,
    did nothing for the question's whole life (rev45b). Now the question leaves the screen
    for the emergency's confirmation, and comes back, still unanswered, after it is sent."""
    ward = asking_ward(["water", "emergency"], '[gestures.long_blink]\naction = "call:emergency"\n')
    bedside, station = ward.bedside, ward.station
    ask(qtbot, station, "12", "Are you comfortable?")
    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == QUESTION, timeout=WAIT_MS)
    bedside.service.post(Gesture("long_blink", bedside.service.menu_time(), 0.9))
    qtbot.waitUntil(lambda: bedside.menu.stage == "confirming", timeout=WAIT_MS)
    assert bedside.pages.currentIndex() != QUESTION
    assert bedside.menu.highlighted == "emergency"
    bedside.service.post(Gesture("nod", bedside.service.menu_time() + 2.5, 0.9))  # after the wait
    qtbot.waitUntil(lambda: len(bedside.service.states) == 1, timeout=WAIT_MS)
    assert [intent for intent, _ in bedside.service._asked.values()] == ["emergency"]
    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == QUESTION, timeout=WAIT_MS)
    assert bedside.service._answered == {}, "the emergency answered nothing"


@pytest.mark.mqtt
def test_a_crossed_touch_confirmation_waits_behind_a_call_gestures_confirmation(
    qtbot: Any, asking_ward: Any
) -> None:
    """A tap's "Send Water?" page and a question crossed; a long blink (``call:emergency``)
    over the question: the page came back over the emergency's confirmation while the speaker
    asked for a nod (rev45b2). Now the confirmation is on screen, and the page comes back
    after it."""
    ward = asking_ward(["water", "emergency"], '[gestures.long_blink]\naction = "call:emergency"\n')
    bedside = ward.bedside
    qtbot.mouseClick(bedside.tiles["water"], Qt.MouseButton.LeftButton)
    menu = bedside.menu
    bedside.show_menu(replace(menu, highlighted=None, stage="question", question="Cold?"))
    bedside.service.post(TouchConfirming(False))  # as if the service had not heard of it
    ask(qtbot, ward.station, "12", "Are you comfortable?")
    qtbot.waitUntil(lambda: bedside.service.question is not None, timeout=WAIT_MS)
    bedside.service.post(Gesture("long_blink", bedside.service.menu_time(), 0.9))
    qtbot.waitUntil(lambda: bedside.menu.stage == "confirming", timeout=WAIT_MS)
    assert bedside.pages.currentIndex() not in (QUESTION, TOUCH)
    assert bedside.stage_banner.text() != "Touch Yes or No."

    bedside.service.post(FrameTick(bedside.service.menu_time() + 11.0))  # it lapses
    qtbot.waitUntil(lambda: bedside.menu.stage != "confirming", timeout=WAIT_MS)
    assert bedside.pages.currentIndex() == TOUCH, "the tap's page comes back after it"


@pytest.mark.mqtt
def test_a_nod_in_the_wait_of_an_emergency_over_a_question_answers_it_and_keeps_the_emergency(
    qtbot: Any, asking_ward: Any
) -> None:
    """A long blink (``call:emergency``) over a question, and a nod 1 s later, inside the
    wait: the nod answered the question and the emergency was dropped; the speaker said "Not
    sent: Emergency." and cut it at once with "You answered yes." (rev45b4). Now the answer
    goes, "Emergency?" stays, and the patient hears the answer, then "Send Emergency? Nod to
    send it." when a nod counts; that nod sends the emergency."""
    ward = asking_ward(["water", "emergency"], '[gestures.long_blink]\naction = "call:emergency"\n')
    bedside, speaker = ward.bedside, ward.speaker
    ask(qtbot, ward.station, "12", "Are you comfortable?")
    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == QUESTION, timeout=WAIT_MS)
    start = bedside.service.menu_time()
    bedside.service.post(Gesture("long_blink", start, 0.9))
    qtbot.waitUntil(lambda: bedside.menu.stage == "confirming", timeout=WAIT_MS)
    asked = len(speaker.said)
    bedside.service.post(Gesture("nod", start + 1.0, 0.9))
    qtbot.waitUntil(lambda: len(bedside.service._answered) == 1, timeout=WAIT_MS)
    bedside.service.post(FrameTick(start + 3.2))  # the wait, 2 s from the answer, is over
    qtbot.waitUntil(lambda: bedside.menu.ready, timeout=WAIT_MS)
    bedside.service.post(Gesture("nod", start + 3.4, 0.9))
    qtbot.waitUntil(lambda: len(bedside.service.states) == 1, timeout=WAIT_MS)
    assert [intent for intent, _ in bedside.service._asked.values()] == ["emergency"]
    said = [text for text, _ in speaker.said[asked:]]
    assert said[:2] == ["You answered yes.", "Send Emergency? Nod to send it."], said
    assert not any(text.startswith("Not sent") for text in said), said
