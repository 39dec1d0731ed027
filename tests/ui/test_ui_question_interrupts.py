"""A nurse's question that comes while the patient is in the middle of a choice.

Through the real windows and a real Mosquitto. A question never takes the screen from a
request awaiting its confirming gesture: it waits until the confirmation is sent, cancelled
or lapses. Over the pain scale it is shown, and the scale is put aside and taken up again
after it, said as not sent, unless the pain was sent another way meanwhile. Gestures and
frames are posted as the vision worker posts them, on the frames' clock
(tests/bedside/test_question_interrupts.py has the rules).
"""

from __future__ import annotations

from typing import Any

import pytest

from beckon.bedside import events as ev
from beckon.bedside.interaction import MenuView
from beckon.bedside.service import FrameTick, Gesture, Submit, VoiceProposal
from beckon.messaging import protocol as p
from beckon.ui.bedside_model import Prompt, prompt_for
from tests.helpers.question_ward import held_back
from tests.helpers.windows import ask

WAIT_MS = 15_000
QUIET_S = 60.0
"""The quiet after an answer, long enough that the real time the steps take never ends it:
the frames' clock does (as in tests/ui/test_ui_trust.py)."""


def choose_emergency(qtbot: Any, bedside: Any) -> float:
    """Nod at the emergency when the scan offers it (at 4.5 s, the nod at 5.0 s on the frames'
    clock) and wait for its confirmation; returns the clock's start, which the tests count
    their later frames from."""
    t0: float = bedside.service.menu_time()
    bedside.service.post(FrameTick(t0 + 4.5))
    qtbot.waitUntil(lambda: bedside.highlighted == "emergency", timeout=WAIT_MS)
    bedside.service.post(Gesture("nod", t0 + 5.0, 0.9))
    qtbot.waitUntil(lambda: bedside.menu.stage == "confirming", timeout=WAIT_MS)
    return t0


@pytest.mark.mqtt
def test_a_question_waits_behind_an_emergency_awaiting_its_confirmation(
    qtbot: Any, asking_ward: Any
) -> None:
    """Shown over the confirmation (bed44), the question took every gesture as its answer: the
    long blink that confirms the emergency means neither yes nor no and was dropped, for up to
    the question's 120 s. Now the question waits (10 s at most, then the 5 s settle) and the
    blink sends at once."""
    ward = asking_ward(["water", "emergency"])
    bedside, station = ward.bedside, ward.station
    choose_emergency(qtbot, bedside)

    ask(qtbot, station, "12", "Are you comfortable?")
    qtbot.waitUntil(lambda: len(station.question_rows()) == 1, timeout=WAIT_MS)
    held_back(qtbot, bedside)
    assert bedside.pages.currentIndex() == 0, "the question waits behind the confirmation"
    assert bedside.menu.stage == "confirming"

    bedside.service.post(Gesture("long_blink", bedside.service.menu_time() + 0.5, 0.9))
    qtbot.waitUntil(lambda: len(bedside.service.states) == 1, timeout=5_000)
    assert list(bedside.service._asked.values()) == [("emergency", None)]
    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == 1, timeout=WAIT_MS)
    assert bedside.menu.stage == "question", "then the question is shown"


NODS_CONFIRM = """[gestures.long_blink]
action = "none"
"""
"""A profile without a confirming gesture of its own: the nod that chooses confirms too."""


@pytest.mark.mqtt
def test_a_repeat_of_the_confirming_nod_does_not_answer_the_question_that_waited(
    qtbot: Any, asking_ward: Any
) -> None:
    """Shown 0.05-0.22 s after the nod that sent the emergency (rev44b2), the question took
    that nod repeated 1 s later as its "yes", and its words cut "Your request is saved.". Now
    it comes after the settle, once what became of the request has been said."""
    ward = asking_ward(["water", "emergency"], NODS_CONFIRM)
    bedside, station, speaker = ward.bedside, ward.station, ward.speaker
    t0 = choose_emergency(qtbot, bedside)
    ask(qtbot, station, "12", "Do you want the light off?")
    qtbot.waitUntil(lambda: len(station.question_rows()) == 1, timeout=WAIT_MS)
    held_back(qtbot, bedside)
    said_before = len(speaker.said)

    sent = max(bedside.service.menu_time() + 0.3, t0 + 7.5)  # the confirmation counts
    bedside.service.post(FrameTick(sent))
    bedside.service.post(Gesture("nod", sent, 0.9))  # sends the emergency
    qtbot.waitUntil(lambda: len(bedside.service.states) == 1, timeout=5_000)
    bedside.service.post(Gesture("nod", sent + 1.0, 0.9, made=sent + 1.0))  # the nod again
    qtbot.wait(1500)
    assert bedside.pages.currentIndex() == 0, "not yet: the request's news comes first"
    assert not bedside.service._answered

    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == 1, timeout=WAIT_MS)
    assert bedside.service.question is not None, "shown, and not answered by the repeat"
    assert not bedside.service._answered
    assert list(bedside.service._asked.values()) == [("emergency", None)]
    said = [text for text, _ in speaker.said[said_before:]]
    asked = said.index("Do you want the light off? Nod for yes, shake for no.")
    assert "The nurses have your request." in said[:asked], "heard before the question"


@pytest.mark.mqtt
def test_a_request_chosen_and_confirmed_again_after_a_lapse_starts_the_wait_again(
    qtbot: Any, asking_ward: Any
) -> None:
    """The emergency lapses with a question waiting, and the patient chooses and confirms it
    again within 5 s of the lapse. A wait set once, at the lapse, let the question come
    0.95 s after that confirming nod, and the nod repeated then answered "YES" (rev44b3).
    Every choosing gesture starts the echo window again."""
    ward = asking_ward(["water", "emergency"], NODS_CONFIRM)
    bedside, station = ward.bedside, ward.station
    t0 = choose_emergency(qtbot, bedside)
    ask(qtbot, station, "12", "Do you want the light off?")
    qtbot.waitUntil(lambda: len(station.question_rows()) == 1, timeout=WAIT_MS)
    held_back(qtbot, bedside)
    bedside.service.post(FrameTick(t0 + 5.0 + 2.0 + 8.0 + 0.2))  # the confirmation lapses
    qtbot.waitUntil(lambda: bedside.menu.stage != "confirming", timeout=WAIT_MS)
    qtbot.wait(2000)
    assert bedside.highlighted == "emergency"
    bedside.service.post(Gesture("nod", bedside.service.menu_time(), 0.9))  # chosen again
    qtbot.waitUntil(lambda: bedside.menu.stage == "confirming", timeout=WAIT_MS)
    qtbot.wait(2200)
    bedside.service.post(Gesture("nod", bedside.service.menu_time(), 0.9))  # and confirmed
    qtbot.waitUntil(lambda: len(bedside.service.states) == 1, timeout=WAIT_MS)
    repeat_nod(qtbot, bedside)
    assert not bedside.service._answered, "the repeated nod answered the question"
    assert bedside.pages.currentIndex() == 0, "not within 5 s of the confirming nod"
    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == 1, timeout=WAIT_MS)
    assert "yes" not in station.question_rows()[0].answer.text().lower()


@pytest.mark.mqtt
def test_a_question_arriving_just_after_the_confirming_nod_waits(
    qtbot: Any, asking_ward: Any
) -> None:
    """Shown at once, it took the confirming nod repeated 1 s later as its "yes" (rev44b3:
    which of the nod and the question a few ms apart was handled first decided)."""
    ward = asking_ward(["water", "emergency"], NODS_CONFIRM)
    bedside, station = ward.bedside, ward.station
    t0 = choose_emergency(qtbot, bedside)
    sent = t0 + 7.5  # the confirmation counts
    bedside.service.post(FrameTick(sent))
    bedside.service.post(Gesture("nod", sent, 0.9))  # sends the emergency
    qtbot.waitUntil(lambda: len(bedside.service.states) == 1, timeout=WAIT_MS)
    ask(qtbot, station, "12", "Do you want the light off?")
    service = bedside.service
    qtbot.waitUntil(lambda: bool(service._questions_waiting or service.question), timeout=WAIT_MS)
    repeat_nod(qtbot, bedside)
    assert not bedside.service._answered, "the repeated nod answered the question"
    assert bedside.pages.currentIndex() == 0
    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == 1, timeout=WAIT_MS)
    assert "yes" not in station.question_rows()[0].answer.text().lower()


def repeat_nod(qtbot: Any, bedside: Any) -> None:
    """The nod that chose or confirmed, repeated 1.3 s later (0.8-1.3 s measured, rev44b2),
    and 1 s for whatever it would do to happen."""
    qtbot.wait(1300)
    now = bedside.service.menu_time()
    bedside.service.post(Gesture("nod", now, 0.9, made=now))
    qtbot.wait(1000)


@pytest.mark.mqtt
def test_a_confirmation_that_lapses_is_said_and_shown_before_the_question_that_waited(
    qtbot: Any, asking_ward: Any
) -> None:
    """Shown in the same tick as the lapse (rev44b2), the question cut "Not sent: Emergency."
    and its banner replaced it at once."""
    ward = asking_ward(["water", "emergency"])
    bedside, station, speaker = ward.bedside, ward.station, ward.speaker
    t0 = choose_emergency(qtbot, bedside)
    ask(qtbot, station, "12", "Are you comfortable?")
    qtbot.waitUntil(lambda: len(station.question_rows()) == 1, timeout=WAIT_MS)
    held_back(qtbot, bedside)
    said_before = len(speaker.said)

    bedside.service.post(FrameTick(t0 + 5.0 + 2.0 + 8.0 + 0.2))  # the confirmation lapses
    qtbot.waitUntil(lambda: bedside.stage_banner.text().startswith("Not sent"), timeout=WAIT_MS)
    qtbot.wait(1500)
    assert bedside.pages.currentIndex() == 0
    assert bedside.stage_banner.text().startswith("Not sent: Emergency.")
    assert [text for text, _ in speaker.said[said_before:]] == [
        "Not sent: Emergency. Choose it again if you need it."
    ]
    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == 1, timeout=WAIT_MS)
    assert not bedside.service._asked, "nothing sent"


@pytest.mark.mqtt
@pytest.mark.parametrize("source", ["voice", "touch"])
def test_pain_asked_another_way_during_a_question_is_sent_once(
    qtbot: Any, asking_ward: Any, source: p.Source
) -> None:
    """The pain scale on screen, a nurse's question puts it aside; meanwhile the patient
    asks for pain by voice (or a visitor taps it). bed44 took the scale up again after the
    question and a nod at 0 sent the pain a second time (rev44b BLOCKER); now the request
    sent forgets the choice of it under way (``Interaction.forget``)."""
    ward = asking_ward(["pain", "water"])
    bedside, station = ward.bedside, ward.station
    bedside.service.menu.settle_after_answer_s = QUIET_S
    t0 = bedside.service.menu_time()
    bedside.service.post(FrameTick(t0 + 0.5))
    qtbot.waitUntil(lambda: bedside.highlighted == "pain", timeout=WAIT_MS)
    bedside.service.post(Gesture("nod", t0 + 1.0, 0.9))
    qtbot.waitUntil(lambda: bedside.menu.stage == "scale", timeout=WAIT_MS)

    ask(qtbot, station, "12", "Are you comfortable?")
    qtbot.waitUntil(lambda: bedside.pages.currentIndex() == 1, timeout=WAIT_MS)
    if source == "voice":
        bedside.service.post(VoiceProposal(True))
    bedside.service.post(Submit("pain", source))
    if source == "voice":
        bedside.service.post(VoiceProposal(False))
    qtbot.waitUntil(lambda: len(bedside.service.states) == 1, timeout=WAIT_MS)
    answered = bedside.service.menu_time() + 1.0
    bedside.service.post(Gesture("nod", answered, 0.9))  # yes
    qtbot.waitUntil(lambda: bedside.menu.stage == "paused", timeout=WAIT_MS)

    back_at = bedside.service.menu_time() + QUIET_S + 0.5  # the quiet over
    bedside.service.post(FrameTick(back_at))
    qtbot.waitUntil(lambda: bedside.menu.stage != "paused", timeout=WAIT_MS)
    assert not bedside.menu.resumed, "no scale taken up again: the pain went"
    assert not bedside.stage_banner.text().startswith("Not sent")
    bedside.service.post(Gesture("nod", back_at + 0.5, 0.9))
    qtbot.wait(2500)
    assert list(bedside.service._asked.values()) == [("pain", None)], "pain sent once"


def test_the_words_for_the_scale_taken_up_again_after_a_question(qapp: object) -> None:
    """Said and shown: "Not sent yet" first (the scale sends the request without a number
    after a round), then the scale as ever."""
    from beckon.ui import strings

    scale = MenuView(("pain",), "pain", "scale", level=0, resumed=True)
    said = prompt_for(ev.MenuChanged(scale, 0.0), "Pain")
    assert said == Prompt("scale_resumed", ("Pain",))
    assert strings.spoken(said) == "Not sent yet: Pain. How strong, from 0 to 10? 0?"
    assert strings.stage_banner(scale, "Pain") == (
        "Not sent yet: Pain. How strong, 0 to 10? Nod at 0."
    )
    # Further numbers are offered as ever.
    later = MenuView(("pain",), "pain", "scale", level=1, resumed=True)
    assert prompt_for(ev.MenuChanged(later, 0.0), "Pain") == Prompt("scale", ("1",))
