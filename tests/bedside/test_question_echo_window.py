"""The one rule for when a nurse's question may take the screen (``_question_must_wait``):
never over a confirmation, and never within the echo window (5 s by default) after the
patient's last choosing, confirming or cancelling gesture, or a request sent. A question that
comes meanwhile waits, and every such gesture starts the wait again: shown sooner, a repeat
of the gesture that chose or confirmed (0.8-1.3 s later) answered it "yes" at the station
(rev44b3: after a lapse, the emergency chosen and confirmed again within the wait; a question
that arrived just after the confirming gesture). The menu is never paused for it, but its pause
after a request sent lasts until the question is shown (test_question_leaves_the_menu.py).

The service runs on a fake monotonic clock in 0.1 s ticks, as its loop does (handle an item,
then expire, update the menu, ask a waiting question). Default profile: nod chooses, long
blink confirms, an emergency's confirmation lapses 2 + 8 s after it is chosen.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from beckon.messaging import protocol as p
from tests.helpers.fake_clock_bed import Bed

ECHO_S = 1.3
"""A repeat of the choosing or confirming movement comes 0.8-1.3 s after it (rev44b2)."""


def test_a_choice_confirmed_again_within_the_wait_after_a_lapse_restarts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bed = Bed(tmp_path, monkeypatch)
    bed.until_offered("emergency")
    bed.make("nod")
    bed.ask("Do you want the light off?")
    assert bed.service.question is None, "waits behind the confirmation"
    while bed.service.menu.confirming(bed.t()):
        bed.wait(0.1)  # until the confirmation lapses (10 s); the emergency stays on offer
    bed.wait(1.5)
    bed.make("nod")  # the emergency chosen again, 1.5 s after the lapse
    bed.wait(2.5)
    bed.make("long_blink")  # and confirmed, 4.0 s after the lapse
    assert [r.intent for r in bed.sent("request") if isinstance(r, p.Request)] == ["emergency"]
    bed.wait(ECHO_S)
    bed.make("nod")  # the repeat of a nod: not an answer
    assert bed.sent("answer") == []
    assert bed.service.question is None
    bed.wait(5.2 - ECHO_S)
    assert bed.service.question is not None, "shown once the echo window after the blink passed"


def test_a_question_arriving_just_after_the_confirming_gesture_waits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bed = Bed(tmp_path, monkeypatch)
    bed.until_offered("emergency")
    bed.make("nod")
    bed.wait(2.5)
    bed.make("long_blink")  # the emergency is sent
    bed.wait(0.1)
    bed.ask("Do you want the light off?")
    assert bed.service.question is None
    bed.wait(ECHO_S)
    bed.make("nod")
    assert bed.sent("answer") == []
    bed.wait(4.0 - ECHO_S)
    assert bed.service.question is None, "still within 5 s of the blink"
    bed.wait(1.2)
    assert bed.service.question is not None


def test_a_question_that_expires_while_waiting_is_logged_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    bed = Bed(tmp_path, monkeypatch)
    bed.until_offered("emergency")
    bed.make("nod")
    q = bed.ask("Are you cold?")
    question, _ = bed.service._questions_waiting[q.id]
    bed.service._questions_waiting[q.id] = (question, bed.now + 1.0)  # 1 s of its life left
    with caplog.at_level(logging.INFO, logger="beckon.bedside.service"):
        bed.wait(16.0)
    assert "'Are you cold?' expired while waiting" in caplog.text
    assert bed.service.question is None and not bed.service._questions_waiting


def test_a_question_arriving_just_after_a_lapse_waits_and_the_nod_choosing_again_chooses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No question within the echo window after a confirmation was last on screen, even when
    none waited during it: shown at once after the lapse, it cut "Not sent: Emergency." and the
    nod that chose the emergency again answered it "yes" (review rev44b4)."""
    bed = Bed(tmp_path, monkeypatch)
    bed.until_offered("emergency")
    bed.make("nod")  # chosen, awaiting its long blink; no question waits meanwhile
    while bed.service.menu.confirming(bed.t()):
        bed.wait(0.1)  # it lapses: "Not sent: Emergency. Choose it again if you need it."
    bed.wait(0.2)
    bed.ask("Do you want the light off?")
    bed.tick()
    shown_at_once = bed.service.question is not None
    bed.wait(0.8)
    bed.make("nod")  # chooses the emergency again, as told
    answers = [a.answer for a in bed.sent("answer") if isinstance(a, p.Answer)]
    stage = bed.service.menu.view(bed.t()).stage
    assert (shown_at_once, answers, stage) == (False, [], "confirming")
