"""A nurse's question that comes while the patient is in the middle of a choice.

A question never takes the screen from a request awaiting its confirming gesture: the service
keeps it waiting (``Interaction.confirming``; tests/ui/test_ui_question_interrupts.py). The one
choice it does take the screen from is the pain scale, which lasts a round of 11 offers. Up to
session 43 the question dropped it without a word: the patient answered the question, the
scan started again, and nothing ever said that the request had not gone. Now the scale is put
aside and taken up again at 0 when the question is over, after the settle that follows an
answer, said as not sent (``MenuView.resumed``); the answer to the question (a nod!) never
picks a number.

Time comes from the gesture events. Unless a test says otherwise: nurse and pain offered 4 s
each from t=0 (pain at 4-8 s, then its scale 0-10 4 s each); nod selects, shake moves on,
long blink confirms, raised brows cancel; 5 s of quiet after a question's answer.
"""

from __future__ import annotations

import logging

import pytest

from beckon.bedside.interaction import (
    ConfirmRequested,
    Interaction,
    ScaleOffered,
    Selected,
)

ITEMS = ("nurse", "water", "emergency")
ACTIONS = {"nod": "select", "shake": "next", "long_blink": "confirm", "brow_raise": "cancel"}
NODS = {"nod": "select", "shake": "next"}
"""A profile without a confirming gesture of its own: the nod that chooses confirms too."""


def chosen_emergency(actions: dict[str, str] = ACTIONS) -> Interaction:
    """The emergency chosen at 9 s (on offer from 8 s), awaiting its confirmation."""
    m = Interaction(ITEMS, actions)
    assert isinstance(m.on_gesture("nod", 9.0), ConfirmRequested)
    return m


def on_the_scale(settle_after_answer_s: float = 5.0, confirm_after_s: float = 2.0) -> Interaction:
    """Pain chosen at 5 s: its scale is on screen from then, at 0."""
    m = Interaction(
        ("nurse", "pain"),
        ACTIONS,
        scale_intents=("pain",),
        settle_after_answer_s=settle_after_answer_s,
        confirm_after_s=confirm_after_s,
    )
    assert m.on_gesture("nod", 5.0) == ScaleOffered("pain", 5.0)
    return m


def test_the_pain_scale_comes_back_at_0_and_still_sends_pain_without_a_number() -> None:
    m = Interaction(("nurse", "pain"), ACTIONS, scale_intents=("pain",))
    assert m.on_gesture("nod", 5.0) == ScaleOffered("pain", 5.0)  # pain on offer at 4-8 s
    m.hold(10.0)
    m.release(12.0)
    assert m.view(16.9).stage == "paused"
    back = m.view(17.0)
    assert (back.stage, back.level, back.resumed) == ("scale", 0, True)
    assert m.view(21.0).level == 1
    assert m.expired(17.0 + 11 * 4.0 + 0.1) == [Selected("pain", 61.0)]


def test_a_number_chosen_on_the_scale_taken_up_again_is_sent_with_it() -> None:
    m = Interaction(("nurse", "pain"), ACTIONS, scale_intents=("pain",))
    m.on_gesture("nod", 5.0)
    m.hold(10.0)
    m.release(12.0)
    assert m.on_gesture("nod", 13.0) is None, "the answer's momentum picks no number"
    assert m.on_gesture("nod", 25.5) == Selected("pain", 25.5, level=2)


def test_a_request_sent_another_way_ends_its_confirmation_on_screen() -> None:
    m = chosen_emergency()
    m.forget("water", 9.2)  # another request: the confirmation stays
    assert m.view(9.3).stage == "confirming"
    m.forget("emergency", 9.5)
    assert m.view(9.6).stage != "confirming"
    assert not m.confirming(9.6)
    assert m.on_gesture("long_blink", 10.0) is None, "nothing left to send"


def test_pain_sent_another_way_ends_its_scale_on_screen_or_put_aside() -> None:
    m = Interaction(("nurse", "pain"), ACTIONS, scale_intents=("pain",))
    m.on_gesture("nod", 5.0)
    m.forget("pain", 8.0)
    assert m.view(8.1).stage != "scale"

    m = Interaction(("nurse", "pain"), ACTIONS, scale_intents=("pain",))
    m.on_gesture("nod", 5.0)
    m.hold(10.0)
    m.forget("pain", 11.0)
    m.release(12.0)
    assert m.view(17.0).stage == "offering", "no scale to send pain a second time"
    assert m.expired(17.0 + 11 * 4.0 + 0.1) == []


def test_the_yes_nod_that_answers_the_question_never_picks_a_number() -> None:
    """The answer's nod, its echo and the second nod of a "yes, yes" come to the menu too (the
    service gives it every gesture it does not take as the answer); none may send the pain."""
    m = on_the_scale()
    m.hold(10.0)
    assert m.on_gesture("nod", 10.5) is None  # the answer, while the question is on screen
    m.release(10.5)
    for t in (11.4, 12.3, 15.4):  # echoes and "yes, yes"
        assert m.on_gesture("nod", t) is None
    view = m.view(15.6)
    assert (view.stage, view.level, view.resumed) == ("scale", 0, True)


def test_the_scale_comes_back_at_least_confirm_after_s_after_the_question() -> None:
    """However short the quiet after an answer: an echo of the answer must not pick a number."""
    m = on_the_scale(settle_after_answer_s=0.5, confirm_after_s=2.0)
    m.hold(10.0)
    m.release(10.5)
    assert m.view(12.4).stage == "paused"
    assert m.on_gesture("nod", 12.0) is None
    assert m.view(12.5).stage == "scale"


def test_a_second_question_before_it_came_back_puts_it_off_again() -> None:
    m = on_the_scale()
    m.hold(10.0)
    m.release(12.0)
    m.hold(13.5)  # the next question, queued behind the first
    assert m.view(20.0).stage == "paused"
    m.release(30.0)
    assert m.view(34.9).stage == "paused"
    assert m.view(35.0).stage == "scale" and m.view(35.0).resumed


def test_a_spoken_request_waiting_holds_it_back_until_it_ends() -> None:
    """Its spoken question and the patient's spoken yes or no come first (``listen``)."""
    m = on_the_scale()
    m.hold(10.0)
    m.release(12.0)
    m.listen(14.0, waiting=True)
    assert m.view(20.0).stage == "paused"
    m.listen(22.0, waiting=False)
    assert m.view(24.9).stage == "paused"  # the pause after a choice
    assert m.view(25.0).stage == "scale" and m.view(25.0).resumed


def test_a_spoken_request_ending_in_the_quiet_after_an_answer_does_not_shorten_it() -> None:
    """The quiet after an answer is 5 s (answered at 12 s: nothing before 17 s); a spoken
    request that ends at 13.8 s set the pause to 16.8 s outright (rev44b)."""
    m = on_the_scale()
    m.hold(10.0)
    m.release(12.0)
    m.listen(13.0, waiting=True)
    m.listen(13.8, waiting=False)
    assert m.view(16.9).stage == "paused"
    assert m.view(17.0).stage == "scale"

    m = on_the_scale()  # the spoken request began during the question
    m.hold(10.0)
    m.listen(10.5, waiting=True)
    m.release(12.0)
    m.listen(12.5, waiting=False)
    assert m.view(16.9).stage == "paused"
    assert m.view(17.0).stage == "scale"


def test_staff_relearning_the_rest_leaves_the_scale_put_aside() -> None:
    """``drop_pending`` forgets a choice awaiting its confirming gesture, which a posture
    shift may have made; the scale sends nothing without a nod at a number or a whole round
    (and was never dropped on a relearn), so it comes back after the question as ever."""
    m = on_the_scale()
    m.hold(10.0)
    assert m.drop_pending(11.0) is None
    m.release(12.0)
    assert m.drop_pending(13.0) is None
    assert (m.view(17.0).stage, m.view(17.0).resumed) == ("scale", True)


def test_guard_holding_over_a_confirmation_is_logged_as_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A guard, not a behaviour: the service never holds over a confirmation (a question
    waits: ``BedsideService._question_must_wait``), so this cannot happen through it. Should a
    future caller do it, the error log says so (the confirmation is not put aside)."""
    m = chosen_emergency()
    assert m.confirming(9.5)
    with caplog.at_level(logging.ERROR, logger="beckon.bedside.interaction"):
        m.hold(9.5)
    assert "hold over emergency awaiting confirmation" in caplog.text
    m.release(12.0)
    assert m.view(17.0).stage == "offering"
    assert not m.confirming(17.0)


def test_confirming_is_true_only_while_a_confirmation_is_on_screen() -> None:
    """What the service asks before it shows a nurse's question (it waits behind one)."""
    m = chosen_emergency()
    assert m.confirming(9.1)
    assert m.on_gesture("long_blink", 9.5) == Selected("emergency", 9.5)
    assert not m.confirming(9.6)
    m = chosen_emergency()
    assert not m.confirming(9.0 + 8.0 + 0.1), "lapsed"
    m = on_the_scale()
    assert not m.confirming(6.0), "the scale is not a confirmation: a question is shown over it"
