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


def test_a_direct_emergency_gesture_goes_while_the_menu_waits_for_a_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """4 s after the send the menu waits for the question (no entry offered); the long blink
    was dropped there, and then the question took every gesture (rev45b: the emergency not
    reached within 120 s)."""
    bed = Bed(tmp_path, monkeypatch)
    bed.calls()
    nurse_sent_then_asked(bed)
    bed.wait(3.5)
    assert bed.service.menu.view(bed.t()).stage == "paused"
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
    bed.wait(1.5)
    bed.make("nod")  # confirms the emergency, answers nothing
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
