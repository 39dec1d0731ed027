"""A patient's direct call gesture (a profile's ``call:INTENT``, e.g. a long blink for the
emergency) never waits on a nurse's question, and the menu's wait for a question ends with
the question.

The real bedside service on a fake clock (tests/helpers/fake_clock_bed.py), with a profile
where a long blink asks for the emergency at once and a nod chooses (and confirms, and
answers yes); 3 s of pause after a request is sent, a 5 s echo window before a question that
waits.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import beckon.bedside.service as service_module
from beckon.messaging import protocol as p
from tests.helpers.fake_clock_bed import Bed


def sent(bed: Bed) -> list[str]:
    return [r.intent for r in bed.sent("request") if isinstance(r, p.Request)]


def nurse_sent_then_asked(bed: Bed) -> p.Question:
    """The nurse's call goes by a nod; a nurse asks 0.5 s later (the question waits for the
    echo window, 5 s after the send)."""
    bed.until_offered("nurse")
    bed.make("nod")
    bed.wait(0.5)
    return bed.ask("Do you want the light off?")


def paused_for_the_question(bed: Bed) -> None:
    """The nurse's call sent and a question asked: 4 s after the send the menu waits for the
    question (nothing offered) until the echo window ends at 5 s."""
    nurse_sent_then_asked(bed)
    bed.wait(3.5)
    assert bed.service.menu.view(bed.t()).stage == "paused"


def test_a_direct_emergency_gesture_goes_while_the_menu_waits_for_a_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """4 s after the send the menu waits for the question (no entry offered); the long blink
    was dropped there, and then the question took every gesture (rev45b: the emergency not
    reached within 120 s)."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    paused_for_the_question(bed)
    bed.make("long_blink")
    view = bed.service.menu.view(bed.t())
    assert (view.stage, view.highlighted) == ("confirming", "emergency")


def test_a_direct_emergency_gesture_puts_the_question_on_screen_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The question is on screen: a long blink answers nothing, and it did nothing for the
    question's whole life. Now the emergency is asked for, confirmed and sent, and the same
    question comes back after it (the echo window after the send)."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    question = nurse_sent_then_asked(bed)
    bed.wait(5.0)
    assert bed.service.question is not None
    bed.make("long_blink")
    assert bed.service.question is None
    assert bed.service.menu.view(bed.t()).stage == "confirming"
    bed.wait(2.5)
    bed.make("nod")  # after the 2 s wait: confirms the emergency, answers nothing
    assert sent(bed) == ["nurse", "emergency"]
    assert bed.sent("answer") == []
    bed.wait(5.2)
    assert bed.service.question is not None
    assert bed.service.question.id == question.id


def test_the_menu_offers_again_when_the_question_it_waited_for_expires(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A question that expires 1 s after the send while it waits: the menu offers again when
    its own 3 s pause after the send ends, not at the end of the 5 s echo window."""
    bed = Bed(tmp_path, monkeypatch)
    bed.until_offered("nurse")
    bed.make("nod")
    bed.wait(0.5)
    bed.ask("Do you want the light off?", asked_s_ago=p.QUESTION_TIMEOUT_S - 0.5)
    bed.wait(2.7)  # 3.2 s after the send
    view = bed.service.menu.view(bed.t())
    assert (view.stage, bed.service.question) == ("offering", None)


def shown_then_set_aside(bed: Bed, lifetime: float = p.QUESTION_TIMEOUT_S) -> p.Question:
    """A question that lives ``lifetime`` s is shown at once; 1 s later a long blink puts it
    aside for the emergency's confirmation."""
    question = bed.ask("Do you want the light off?", asked_s_ago=p.QUESTION_TIMEOUT_S - lifetime)
    bed.tick()
    assert bed.service.question is not None
    bed.wait(1.0)
    bed.make("long_blink")
    assert bed.service.question is None
    assert bed.service.menu.view(bed.t()).stage == "confirming"
    return question


def test_a_scale_comes_back_when_the_question_set_aside_expires_while_it_waits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pain scale, interrupted by a question; a long blink sets the question aside and
    the emergency lapses unconfirmed; the question expires while it waits. The scale was lost
    ("Not sent yet" never said) and came up minutes later after another question (rev45b2).
    Now it comes back, taken up again, once the confirmation is over."""
    bed = Bed(tmp_path, monkeypatch, offered=("water", "pain", "emergency"))
    bed.calls(scale_intents=("pain",))
    bed.until_offered("pain")
    bed.make("nod")
    bed.wait(5.5)  # the echo window over: the question is shown at once, over the scale
    assert bed.service.menu.view(bed.t()).stage == "scale"
    shown_then_set_aside(bed, lifetime=4.0)
    bed.wait(12.0)  # the question expired at 4 s, the emergency lapsed at about 9 s
    view = bed.service.menu.view(bed.t())
    assert (view.stage, view.highlighted, view.resumed) == ("scale", "pain", True)
    assert sent(bed) == []


def test_a_false_call_gesture_does_not_push_the_same_question_off_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A long blink for water (confirmed, as an emergency is) misread every 5 s while a
    question is asked, never confirmed:
    the question was on screen 0.1 s of 130 (rev45b2). After the first call lapses, the same
    question is not set aside again (the menu's entry is there after it), and its expiry says
    how often it was set aside."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls(call="water")
    bed.wait(2.0)
    shown_then_set_aside(bed)
    on_screen = 0.0
    for _ in range(24):  # 120 s
        for _ in range(50):
            bed.wait(0.1)
            on_screen += 0.1 if bed.service.question is not None else 0.0
        bed.make("long_blink")
    assert on_screen > 90.0
    assert sent(bed) == []
    assert "set aside 1 time(s) for call gestures" in caplog.text


def test_an_emergency_gesture_is_taken_over_a_question_even_after_a_false_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A false long blink over a question lapses; the question comes back; a second long
    blink, a real emergency this time, is taken at once and sent: an emergency never waits on
    a nurse's question, false calls before it or not (the lead, after rev45b2's fixer held it
    back for the question's whole life)."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    bed.wait(2.0)
    question = shown_then_set_aside(bed)
    for _ in range(300):  # the false call's confirmation lapses; the question comes back
        bed.wait(0.1)
        if bed.service.question is not None:
            break
    assert bed.service.question is not None
    assert bed.service.question.id == question.id
    bed.make("long_blink")
    assert bed.service.question is None
    assert bed.service.menu.view(bed.t()).stage == "confirming"
    bed.wait(2.5)  # after the 2 s wait a nod confirms; before it, it answers
    bed.make("nod")
    assert sent(bed) == ["emergency"]
    assert bed.sent("answer") == []


def test_a_call_gesture_while_asleep_leaves_the_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asleep, the menu cannot show a confirmation (its view stays "asleep", and the nod only
    woke it): a long blink over a question took the question away for an emergency that
    lapsed unseen (rev45b2). Now it does nothing, as without a question."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    bed.service.handle(service_module.Submit("sleep", "touch"))
    bed.wait(1.0)
    bed.ask("Do you want the light off?")
    bed.wait(0.5)
    assert bed.service.question is not None
    bed.make("long_blink")
    assert bed.service.question is not None
    assert bed.service.menu.view(bed.t()).stage == "asleep"


def test_a_call_gesture_while_a_spoken_request_waits_leaves_the_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spoken "Water?" waits for its yes: a long blink over a question gave "Emergency?" on
    screen while a spoken "yes" went to the water (rev45b2). For a call that is not an
    emergency the question stays, as such a call does nothing while a spoken request waits
    (an emergency's ends the spoken request: tests/bedside/test_emergency_over_the_menu.py)."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls(call="nurse")
    bed.wait(2.0)
    bed.service.handle(service_module.VoiceProposal(True))
    bed.wait(0.5)
    bed.ask("Do you want the light off?")
    bed.wait(0.5)
    assert bed.service.question is not None
    bed.make("long_blink")
    assert bed.service.question is not None
    assert bed.service.menu.view(bed.t()).stage != "confirming"


def answers(bed: Bed) -> list[str]:
    return [a.answer for a in bed.sent("answer") if isinstance(a, p.Answer)]


@pytest.mark.parametrize("call", ["emergency", "nurse"])
@pytest.mark.parametrize("after_s", [0.2, 0.5, 1.0, 1.5])
def test_a_misread_call_then_the_questions_yes_answers_the_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str, after_s: float
) -> None:
    """One long blink misread as a call over a question, then the nod the patient meant as
    the question's "yes": it confirmed the call, which was sent, and the answer was dropped
    (rev45b3 BLOCKER: a false emergency 6 of 6). A nod inside the confirmation's 2 s wait is
    the question's answer: the question comes back, "yes" goes once; the call's confirmation
    stays on screen (it may be real, rev45b4) and, never confirmed, lapses with nothing sent."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls(call=call)
    question = shown_then_set_aside(bed)
    bed.wait(after_s)
    bed.make("nod")
    bed.wait(0.5)
    assert sent(bed) == []
    assert answers(bed) == ["yes"]
    assert [a.question_id for a in bed.sent("answer") if isinstance(a, p.Answer)] == [question.id]
    assert bed.service.question is None
    view = bed.service.menu.view(bed.t())
    assert (view.stage, view.highlighted) == ("confirming", call)
    bed.wait(15.0)  # it lapses; the answered question does not come back
    assert sent(bed) == [] and answers(bed) == ["yes"]
    assert bed.service.question is None
    assert bed.service.menu.view(bed.t()).stage != "confirming"


@pytest.mark.parametrize("first_nod_s", [0.5, 1.0, 1.9])
def test_a_real_emergency_nodded_early_over_a_question_is_still_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first_nod_s: float
) -> None:
    """A deliberate long blink over a question, then a nod before the 2 s wait is over (the
    default profile confirms a long blink's call at once everywhere else): the nod answered
    the question and the emergency was DROPPED; a second nod after the wait did nothing
    (rev45b4). Now the nod answers the question once and "Emergency?" stays: a nod 2 s after
    the answer sends it, and no second answer goes."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    shown_then_set_aside(bed)
    bed.wait(first_nod_s)
    bed.make("nod")
    assert (sent(bed), answers(bed)) == ([], ["yes"])
    assert bed.service.menu.view(bed.t()).stage == "confirming"
    bed.wait(2.1)
    bed.make("nod")
    assert (sent(bed), answers(bed)) == (["emergency"], ["yes"])


def test_the_answers_repeated_nod_does_not_confirm_the_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A "yes, yes" to the question just before the call's wait ends (nods at 1.9 and 2.5 s
    after a misread long blink): the second nod is the answer's repeat, not "send the
    emergency". The wait starts again at the answer, so it is too soon and nothing is sent."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    shown_then_set_aside(bed)
    bed.wait(1.9)
    bed.make("nod")
    bed.wait(0.6)
    bed.make("nod")
    assert (sent(bed), answers(bed)) == ([], ["yes"])
    assert bed.service.menu.view(bed.t()).stage == "confirming"


@pytest.mark.parametrize("after_s", [0.3, 1.0])
def test_a_profile_without_a_confirm_wait_still_waits_over_a_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, after_s: float
) -> None:
    """A profile may set ``confirm_after_s`` to 0; the wait of a call over a question was
    that setting, so a nod 0.3 or 1 s after a misread long blink sent an EMERGENCY and the
    question's "yes" was lost (rev45b4). That wait is at least 2 s whatever the profile."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls(confirm_after_s=0.0)
    shown_then_set_aside(bed)
    bed.wait(after_s)
    bed.make("nod")
    assert (sent(bed), answers(bed)) == ([], ["yes"])


def test_a_shake_in_the_wait_after_a_misread_call_answers_no(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The patient's moving-on gesture is the question's "no": made in the wait after a
    misread call, it answers the question as the nod answers "yes"."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    shown_then_set_aside(bed)
    bed.wait(0.5)
    bed.make("shake")
    assert (sent(bed), answers(bed)) == ([], ["no"])


def test_a_call_while_the_menu_waits_for_a_question_is_confirmed_only_after_the_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long blink in the menu's pause for a waiting question: the nod that follows at once
    may be meant for the question about to come, so it does not confirm (shown as too soon);
    a nod after the 2 s wait sends the emergency."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    paused_for_the_question(bed)
    bed.make("long_blink")
    bed.wait(1.0)
    bed.make("nod")
    assert sent(bed) == ["nurse"]
    assert bed.service.menu.view(bed.t()).stage == "confirming"
    bed.wait(1.5)
    bed.make("nod")
    assert sent(bed) == ["nurse", "emergency"]


def test_a_call_over_a_question_sent_by_voice_leaves_no_doubt_on_the_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long blink for the nurse over a question, and the patient says "nurse": sent, its
    confirmation forgotten. The service still took the call as under way over the question,
    so a later, unrelated "Nurse?" that lapsed marked the question doubted, and a real
    call:nurse over it did nothing (rev45b3). Now the real call is taken."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls(call="nurse")
    shown_then_set_aside(bed)
    bed.service.handle(service_module.Submit("nurse", "voice"))
    bed.tick()
    bed.wait(1.0)
    bed.make("long_blink")  # misread, in the wait for the question: "Nurse?" again
    assert bed.service.menu.view(bed.t()).stage == "confirming"
    for _ in range(300):  # it lapses; the question comes back
        bed.wait(0.1)
        if bed.service.question is not None:
            break
    assert bed.service.question is not None
    bed.make("long_blink")  # a real call for the nurse now
    assert bed.service.question is None
    assert bed.service.menu.view(bed.t()).stage == "confirming"
