"""After a nurse's question the patient's menu is where it was, and the question does not
turn the patient's next gesture into a choice he did not make.

The real bedside service on a fake clock (tests/helpers/fake_clock_bed.py). Default profile:
a nod chooses (and answers yes), a shake moves on (and answers no); 4 s an offer, 3 s of
pause after a request is sent, 5 s of quiet after an answer, a 5 s echo window before a
question that waits.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from beckon.bedside.service import Submit, TouchConfirming
from beckon.messaging import protocol as p
from tests.helpers.fake_clock_bed import Bed


def sent(bed: Bed) -> list[str]:
    return [r.intent for r in bed.sent("request") if isinstance(r, p.Request)]


def test_the_pointer_comes_back_where_the_patient_put_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pointing mode: the patient moves the pointer to the emergency, a nurse asks, he answers
    no. It came back on the first entry (water): the emergency had to be pointed at again."""
    bed = Bed(tmp_path, monkeypatch)
    bed.pointing()
    bed.make("shake")
    bed.wait(1.0)
    bed.make("shake")  # water -> nurse -> emergency
    assert bed.service.menu.view(bed.t()).highlighted == "emergency"
    bed.ask("Are you comfortable?")
    assert bed.service.question is not None
    bed.wait(1.0)
    bed.make("shake")  # no
    bed.wait(5.5)  # the quiet after the answer
    view = bed.service.menu.view(bed.t())
    assert (view.stage, view.highlighted) == ("pointing", "emergency")


def test_the_scan_waits_after_a_send_until_the_question_that_waits_is_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nurse's call sent, a question comes 1 s later and waits for the echo window (5 s).
    The scan came back after its 3 s pause, on water, and a nod 4 s after the send, meant for
    nothing, sent water and put the question off for another 5 s."""
    bed = Bed(tmp_path, monkeypatch)
    bed.until_offered("nurse")
    bed.make("nod")  # the nurse's call goes
    bed.wait(1.0)
    bed.ask("Do you want the light off?")
    bed.wait(3.0)
    stage = bed.service.menu.view(bed.t()).stage
    bed.make("nod")  # 4 s after the send
    bed.wait(1.1)
    assert (stage, sent(bed), bed.service.question is not None) == ("paused", ["nurse"], True)


def test_a_question_waits_behind_the_touch_confirmation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window's "Send Water?" Yes / No page is a confirmation like the menu's: a question
    waits until it is answered (then the echo window, 5 s) and never longer than the page
    stays (15 s)."""
    bed = Bed(tmp_path, monkeypatch)
    bed.service.handle(TouchConfirming(True, 15.0))
    bed.ask("Are you comfortable?")
    bed.wait(4.0)
    assert bed.service.question is None
    bed.service.handle(Submit("water", "touch"))
    bed.service.handle(TouchConfirming(False))
    bed.wait(4.8)
    assert bed.service.question is None, "the echo window after the tap"
    bed.wait(0.4)
    assert bed.service.question is not None
    assert sent(bed) == ["water"]
    bed.service.handle(TouchConfirming(True, 15.0))  # a page the window never says it closed
    bed.make("shake")  # answers the question: no
    bed.ask("Are you cold?")
    bed.wait(19.0)
    assert bed.service.question is None
    bed.wait(1.5)
    assert bed.service.question is not None, "shown 15 s + 5 s after the page opened"
