"""A nurse's question that comes while the patient is in the middle of a choice.

Up to session 43 the question dropped a request awaiting its confirming gesture (and the pain
scale) without a word: the patient answered the question, the scan started again, and nothing
ever said that the request had not gone. Now the choice is put aside and taken up again when
the question is over, after the settle that follows an answer, said as not sent
(``MenuView.resumed``); it needs a confirming gesture made once it is back on screen, so the
answer to the question (a nod!) never confirms it.

Time comes from the gesture events. Unless a test says otherwise: nurse, water, emergency
offered 4 s each from t=0; nod selects, shake moves on, long blink confirms, raised brows
cancel; the emergency needs confirming within 8 s; 5 s of quiet after a question's answer.
"""

from __future__ import annotations

from beckon.bedside.interaction import (
    CANCEL_REQUEST,
    Cancelled,
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


def test_a_choice_awaiting_confirmation_comes_back_after_the_question_said_as_not_sent() -> None:
    m = chosen_emergency()
    m.hold(9.5)
    assert m.view(11.0).stage == "paused" and m.view(11.0).highlighted is None
    m.release(12.0)  # answered
    assert m.view(16.9).stage == "paused", "the quiet after an answer comes first"
    back = m.view(17.0)
    assert (back.stage, back.highlighted, back.resumed) == ("confirming", "emergency", True)
    assert back.ready, "the instruction is given at once: the answer is 5 s old"
    assert back.deadline == 17.0 + 8.0, "its whole time to confirm again"
    assert m.on_gesture("long_blink", 18.0) == Selected("emergency", 18.0)
    assert not m.view(18.5).resumed


def test_nothing_during_the_quiet_after_the_answer_confirms_the_choice() -> None:
    m = chosen_emergency()
    m.hold(9.5)
    m.release(12.0)
    assert m.on_gesture("long_blink", 13.0) is None
    assert m.on_gesture("long_blink", 17.5, made=16.5) is None, "made before it was back"
    assert m.view(17.6).stage == "confirming", "and it did not send it"


def test_the_yes_nod_that_answers_the_question_never_confirms_the_request() -> None:
    """The patient's profile confirms with the choosing nod: the answer's nod, its echo and
    the second nod of a "yes, yes" come to the menu too (the service gives it every gesture
    it does not take as the answer); none may send the emergency."""
    m = chosen_emergency(NODS)
    m.hold(9.5)
    assert m.on_gesture("nod", 10.0) is None  # the answer, while the question is on screen
    m.release(10.0)
    for t in (10.9, 11.8, 14.9):  # echoes and "yes, yes"
        assert m.on_gesture("nod", t) is None
    assert m.on_gesture("nod", 15.2, made=14.9) is None, "reported late, made before"
    view = m.view(15.2)
    assert (view.stage, view.resumed, view.ready) == ("confirming", True, True)
    assert m.on_gesture("nod", 16.0) == Selected("emergency", 16.0)


def test_the_choice_comes_back_at_least_confirm_after_s_after_the_question() -> None:
    """However short the quiet after an answer: an echo of the answer must not confirm."""
    m = Interaction(ITEMS, NODS, settle_after_answer_s=0.5, confirm_after_s=2.0)
    assert isinstance(m.on_gesture("nod", 9.0), ConfirmRequested)
    m.hold(9.5)
    m.release(10.0)
    assert m.view(11.9).stage == "paused"
    assert m.on_gesture("nod", 11.5) is None
    assert m.view(12.0).stage == "confirming"


def test_a_choice_taken_up_again_and_left_lapses_as_any_other() -> None:
    """The lapse is reported, so "Not sent: Emergency. Choose it again if you need it." is
    said: the patient learns it even without confirming."""
    m = chosen_emergency()
    m.hold(9.5)
    m.release(130.0)  # the question expired
    assert m.expired(137.0) == []
    assert m.expired(143.1) == [Cancelled("emergency", 143.0, timed_out=True)]
    assert m.view(143.2).stage != "confirming"


def test_the_cancelling_gesture_still_takes_it_back_at_once() -> None:
    m = chosen_emergency()
    m.hold(9.5)
    m.release(12.0)
    assert m.on_gesture("brow_raise", 17.5) == Cancelled("emergency", 17.5)


def test_a_second_question_before_it_came_back_puts_it_off_again() -> None:
    m = chosen_emergency()
    m.hold(9.5)
    m.release(12.0)
    m.hold(13.5)  # the next question, queued behind the first
    assert m.view(20.0).stage == "paused"
    m.release(30.0)
    assert m.view(34.9).stage == "paused"
    assert m.view(35.0).stage == "confirming" and m.view(35.0).resumed


def test_a_question_while_it_is_back_puts_it_aside_again() -> None:
    m = chosen_emergency()
    m.hold(9.5)
    m.release(12.0)
    assert m.view(17.0).stage == "confirming"
    m.hold(18.0)
    m.release(20.0)
    assert m.view(25.0).stage == "confirming" and m.view(25.0).deadline == 33.0


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


def test_the_cancel_entry_comes_back_unless_its_request_closed_meanwhile() -> None:
    m = Interaction(("nurse", "water"), ACTIONS, offer_seconds=4.0)
    m.offer_cancel("water", 0.0, "w1")  # offered third, at 8-12 s
    assert isinstance(m.on_gesture("nod", 9.0), ConfirmRequested)
    m.hold(9.5)
    m.release(12.0)
    back = m.view(17.0)
    assert (back.highlighted, back.resumed, back.cancels_id) == (CANCEL_REQUEST, True, "w1")

    m = Interaction(("nurse", "water"), ACTIONS, offer_seconds=4.0)
    m.offer_cancel("water", 0.0, "w1")
    m.on_gesture("nod", 9.0)
    m.hold(9.5)
    m.offer_cancel(None, 11.0)  # a nurse resolved the water meanwhile
    m.release(12.0)
    assert m.view(17.0).stage == "offering"


def test_staff_relearning_the_rest_drops_a_choice_put_aside_and_says_so() -> None:
    """As for one awaiting confirmation on screen: the posture shift may have made it."""
    m = chosen_emergency()
    m.hold(9.5)
    m.release(12.0)
    assert m.drop_pending(13.0) == Cancelled("emergency", 13.0)
    assert m.view(17.0).stage == "offering"


def test_a_spoken_request_waiting_holds_it_back_until_it_ends() -> None:
    """Its spoken question and the patient's spoken yes or no come first (``listen``)."""
    m = chosen_emergency()
    m.hold(9.5)
    m.release(12.0)
    m.listen(14.0, waiting=True)
    assert m.view(20.0).stage == "paused"
    m.listen(22.0, waiting=False)
    assert m.view(24.9).stage == "paused"  # the pause after a choice
    assert m.view(25.0).stage == "confirming" and m.view(25.0).resumed


def test_a_request_sent_another_way_is_not_taken_up_again_after_the_question() -> None:
    """Asked by voice or touch (or by the station's staff) during the question: taken up
    again, it said "Not sent: Emergency" and one nod sent a second emergency (rev44b)."""
    m = chosen_emergency()
    m.hold(9.5)
    m.forget("emergency", 10.0)  # BedsideService.submit, from any source
    m.release(12.0)
    assert m.view(17.0).stage == "offering" and not m.view(17.0).resumed
    assert m.on_gesture("long_blink", 17.5) is None


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


def test_confirming_is_true_only_while_a_confirmation_is_on_screen_or_coming_back() -> None:
    """What the service asks before it shows a nurse's question (it waits behind one)."""
    m = chosen_emergency()
    assert m.confirming(9.1)
    assert m.on_gesture("long_blink", 9.5) == Selected("emergency", 9.5)
    assert not m.confirming(9.6)
    m = chosen_emergency()
    assert not m.confirming(9.0 + 8.0 + 0.1), "lapsed"
    m = Interaction(("nurse", "pain"), ACTIONS, scale_intents=("pain",))
    m.on_gesture("nod", 5.0)
    assert not m.confirming(6.0), "the scale is not a confirmation: a question is shown over it"


def test_a_spoken_request_ending_in_the_quiet_after_an_answer_does_not_shorten_it() -> None:
    """The quiet after an answer is 5 s (answered at 12 s: nothing before 17 s); a spoken
    request that ends at 13.8 s set the pause to 16.8 s outright (rev44b)."""
    m = chosen_emergency()
    m.hold(9.5)
    m.release(12.0)
    m.listen(13.0, waiting=True)
    m.listen(13.8, waiting=False)
    assert m.view(16.9).stage == "paused"
    assert m.view(17.0).stage == "confirming"

    m = chosen_emergency()  # the spoken request began during the question
    m.hold(9.5)
    m.listen(10.0, waiting=True)
    m.release(12.0)
    m.listen(12.5, waiting=False)
    assert m.view(16.9).stage == "paused"
    assert m.view(17.0).stage == "confirming"
