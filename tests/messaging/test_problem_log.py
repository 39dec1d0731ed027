"""What a broker link logs about its failed attempts (``ProblemLog``): each new state once,
a reminder at most once a minute with the count of attempts since, and the count when the
link connects. The times are given, as the link gives ``time.monotonic()``: a minute of
attempts takes no minute here (tests/station/test_cut_off_said.py runs it with real brokers)."""

from __future__ import annotations

import logging

from beckon.messaging.link_problem import REMIND_S, LinkProblem, LinkTrouble, ProblemLog

REFUSED_5 = LinkProblem(
    LinkTrouble.REFUSED, "Not authorized (reason code 135, MQTTv5)", reason="Not authorized"
)
REFUSED_311 = LinkProblem(LinkTrouble.REFUSED, "Not authorized (MQTTv311)", reason="Not authorized")
NO_ANSWER = LinkProblem(LinkTrouble.UNREACHABLE, "no connection to 127.0.0.1:1883")
CLOSED = LinkProblem(
    LinkTrouble.UNREACHABLE, "the connection to 127.0.0.1:1883 closed before the broker answered"
)


def test_a_refusal_retried_every_second_is_said_once_then_once_a_minute_with_its_count() -> None:
    """Its MQTT 5 and 3.1.1 attempts word the refusal apart: one state all the same."""
    said = ProblemLog()
    notes = [said.note(REFUSED_5 if t % 2 == 0 else REFUSED_311, float(t)) for t in range(121)]
    lines = [(t, n) for t, n in enumerate(notes) if n is not None]
    assert [t for t, _ in lines] == [0, 60, 120]
    first, reminder = lines[0][1], lines[1][1]
    assert first is not None and reminder is not None
    assert not first.reminder and reminder.reminder and reminder.attempts == 60
    assert reminder.over_s == REMIND_S
    assert first.problem.level == logging.WARNING
    text = reminder.text("mqtts://broker:8883", "desk")
    assert text.startswith("broker mqtts://broker:8883 refused the connection of desk: Not")
    assert "still: 60 more failed attempt(s) in 60 s" in text
    # What a Status line and health word it from: its first attempt's, not each attempt's.
    assert said.state_problem == REFUSED_5
    assert said.connected(121.0) == (121, 121.0)
    assert said.state_problem is None
    assert said.note(REFUSED_5, 122.0) is not None  # after a connection: new again


def test_a_new_state_is_said_at_once_and_no_answer_is_one_state_however_it_ends() -> None:
    said = ProblemLog()
    assert said.note(NO_ANSWER, 0.0) is not None
    assert said.note(CLOSED, 1.0) is None  # still no broker answering
    refused = said.note(REFUSED_5, 2.0)
    assert refused is not None and not refused.reminder  # the broker answers now: said
    assert said.note(NO_ANSWER, 3.0) is not None
    assert said.failed == 4


def test_no_answer_held_back_is_said_when_confirmed_and_a_loss_is_no_attempt() -> None:
    """A TLS link's "no answer" waits for the look at its handshake (``confirm``)."""
    said = ProblemLog()
    assert said.note(NO_ANSWER, 0.0, say=False) is None
    assert said.note(NO_ANSWER, 1.0, say=False) is None
    confirmed = said.confirm(2.0)
    assert confirmed is not None and confirmed.problem is NO_ANSWER
    assert said.confirm(3.0) is None  # said once
    assert said.connected(4.0) == (2, 4.0)
    lost = said.note(LinkProblem(LinkTrouble.DROPPED, "Unspecified error"), 10.0)
    assert lost is not None and said.failed == 0  # said, not counted as an attempt


def test_a_reminder_held_back_is_given_by_confirm_and_a_look_is_no_attempt() -> None:
    """A held-back attempt gives no reminder (a look may find TLS): ``confirm`` gives it. A
    look at the handshake changes the state without counting an attempt."""
    said = ProblemLog()
    assert said.note(NO_ANSWER, 0.0) is not None
    assert said.note(CLOSED, 30.0, say=False) is None
    assert said.note(CLOSED, 61.0, say=False) is None  # a reminder is due, but held back
    reminder = said.confirm(61.1)
    assert reminder is not None and reminder.reminder and reminder.attempts == 2
    assert said.confirm(61.2) is None  # said once
    tls = LinkProblem(LinkTrouble.TLS, "not trusted", reason="not trusted")
    found = said.note(tls, 62.0, attempt=False)
    assert found is not None and found.problem is tls  # a new state: said at once
    assert said.note(tls, 70.0, attempt=False) is None
    assert said.failed == 3 and said.state_problem is tls
    assert said.note(NO_ANSWER, 75.0, attempt=False) is not None
    assert said.failed == 3 and said.state_problem is NO_ANSWER
