"""The dialogue: confirm before sending, cancel at any point, the emergency fast path."""

from __future__ import annotations

from beckon.intents import CANCEL_REQUEST
from beckon.voice.dialogue import Closed, Dialogue, DialoguePolicy, Prompt, Send


def test_a_request_is_sent_only_after_yes(catalog):
    d = Dialogue(catalog)
    (prompt,) = d.on_intent("water", 1.0, "물 주세요")
    assert isinstance(prompt, Prompt) and prompt.transcript == "물 주세요"
    assert d.tick(2.0) == []
    assert d.on_intent("yes", 3.0) == [Send("water", 3.0)]
    assert d.on_intent("yes", 4.0) == []  # nothing left to confirm


def test_a_nod_confirms_and_a_shake_declines(catalog):
    d = Dialogue(catalog)
    d.on_intent("pain", 0.0)
    assert d.on_gesture("nod", 1.0) == [Send("pain", 1.0)]
    d.on_intent("toilet", 5.0)
    assert d.on_gesture("shake", 6.0) == [Closed("toilet", "declined", 6.0)]
    assert d.on_gesture("nod", 7.0) == []


def test_no_and_cancel_close_without_sending(catalog):
    d = Dialogue(catalog)
    d.on_intent("water", 0.0)
    assert d.on_intent("no", 1.0) == [Closed("water", "declined", 1.0)]
    d.on_intent("lights", 2.0)
    assert d.on_intent("cancel", 2.5) == [Closed("lights", "cancelled", 2.5)]
    assert d.on_intent("cancel", 3.0) == []


def test_an_unanswered_proposal_expires(catalog):
    d = Dialogue(catalog, DialoguePolicy(confirm_timeout_s=5.0))
    d.on_intent("cold", 10.0)
    assert d.tick(14.9) == []
    assert d.tick(15.0) == [Closed("cold", "expired", 15.0)]
    assert d.on_intent("yes", 16.0) == []


def test_a_new_request_replaces_the_pending_one(catalog):
    d = Dialogue(catalog)
    d.on_intent("water", 0.0)
    out = d.on_intent("pain", 1.0)
    assert out[0] == Closed("water", "declined", 1.0) and isinstance(out[1], Prompt)
    assert d.on_intent("yes", 2.0) == [Send("pain", 2.0)]


def test_emergency_policies(catalog):
    immediate = Dialogue(catalog, DialoguePolicy(emergency="immediate"))
    assert immediate.on_intent("emergency", 1.0) == [Send("emergency", 1.0)]

    unless = Dialogue(catalog, DialoguePolicy(emergency="unless_declined", emergency_window_s=3))
    (prompt,) = unless.on_intent("emergency", 1.0)
    assert isinstance(prompt, Prompt) and prompt.deadline == 4.0 and prompt.unless_declined
    assert unless.tick(4.5) == [Send("emergency", 4.0)]
    unless.on_intent("emergency", 10.0)
    assert unless.on_intent("cancel", 11.0) == [Closed("emergency", "cancelled", 11.0)]
    assert unless.tick(20.0) == []

    confirm = Dialogue(catalog, DialoguePolicy(emergency="confirm", confirm_timeout_s=5))
    confirm.on_intent("emergency", 0.0)
    assert confirm.tick(5.0) == [Closed("emergency", "expired", 5.0)]


def test_the_time_the_tablet_speaks_does_not_count_against_the_answer(catalog):
    """The 8 s started at the patient's word while the question took 4 s (English) to 8 s
    (Korean) with the microphone deaf: a "yes" had a second or two left, or none."""
    d = Dialogue(catalog, DialoguePolicy(confirm_timeout_s=8.0))
    d.on_intent("water", 0.0)
    d.wait_longer(6.5)  # the question, spoken, and the echo tail after it
    assert d.tick(10.0) == [], "still 4.5 s to answer after the question ended"
    assert d.on_intent("yes", 14.0) == [Send("water", 14.0)]


def test_a_spoken_no_can_stop_an_unless_declined_emergency_after_its_question(catalog):
    d = Dialogue(catalog, DialoguePolicy(emergency="unless_declined", emergency_window_s=3))
    d.on_intent("emergency", 1.0)
    d.wait_longer(4.0)  # "Emergency? Sending unless you say no." takes 4 s
    assert d.tick(4.5) == [], "sent while the question still played"
    assert d.on_intent("no", 7.0) == [Closed("emergency", "declined", 7.0)]


def test_a_proposal_nobody_can_answer_any_more_is_sent_if_unless_declined_else_closed(catalog):
    """The microphone failed with a proposal waiting: it waited forever and the menu listened
    for a yes nobody could hear (rev46e). An emergency that only a "no" could stop is sent;
    anything else is closed, unheard."""
    unless = Dialogue(catalog, DialoguePolicy(emergency="unless_declined"))
    unless.on_intent("emergency", 1.0)
    assert unless.unheard(2.0) == [Send("emergency", 2.0)]
    assert unless.pending is None

    confirm = Dialogue(catalog, DialoguePolicy(emergency="confirm"))
    confirm.on_intent("emergency", 1.0)
    assert confirm.unheard(2.0) == [Closed("emergency", "unheard", 2.0)]
    water = Dialogue(catalog)
    water.on_intent("water", 1.0)
    assert water.unheard(2.0) == [Closed("water", "unheard", 2.0)]
    assert water.unheard(3.0) == []


def test_tablet_speech_adds_at_most_fifteen_seconds(catalog):
    from beckon.voice.dialogue import MAX_WAIT_LONGER_S

    d = Dialogue(catalog, DialoguePolicy(confirm_timeout_s=8.0))
    d.on_intent("water", 0.0)
    for _ in range(100):
        d.wait_longer(1.0)  # a menu that never stops talking
    assert d.pending is not None and d.pending.deadline == 8.0 + MAX_WAIT_LONGER_S
    assert d.tick(8.0 + MAX_WAIT_LONGER_S) == [Closed("water", "expired", 23.0)]


def test_cancel_with_nothing_proposed_offers_to_take_back_the_open_request(catalog):
    """A patient with voice alone could not take back a request once sent: "cancel" with
    nothing proposed did nothing. With a request open it is proposed like one: "Cancel
    Water?", and only a yes (or a nod) sends the cancel."""
    d = Dialogue(catalog)
    assert d.on_intent("cancel", 1.0) == []  # nothing open: nothing to take back
    d.set_cancellable("water", 2.0)
    (asked,) = d.on_intent("cancel", 3.0, "never mind")
    assert isinstance(asked, Prompt) and asked.intent == CANCEL_REQUEST
    assert d.on_intent("yes", 4.0) == [Send(CANCEL_REQUEST, 4.0)]
    d.on_intent("cancel", 5.0)
    assert d.on_gesture("shake", 6.0) == [Closed(CANCEL_REQUEST, "declined", 6.0)]


def test_a_cancel_proposal_closes_when_its_request_is_finished_meanwhile(catalog):
    """Its yes must not cancel the next request instead."""
    d = Dialogue(catalog)
    d.set_cancellable("water", 0.0)
    d.on_intent("cancel", 1.0)
    assert d.set_cancellable("pain", 2.0) == [Closed(CANCEL_REQUEST, "declined", 2.0)]
    assert d.on_intent("yes", 3.0) == []
