"""A step reported long after it was made does not move the patient's screen; a call does go.

Since session 47 the engine may report a turn seconds after it was made: one whose face was
lost while it waited is decided once the face is back (docs/gestures.md "missed faces"). The
menu applied such a step from what was on offer when it was made, so the highlight jumped
from the request on screen back to one the patient had left, just as the face came back,
and the patient's next nod chose it (review rev47a, bedlate.py). A step older than
``late_step_max_s`` (default :data:`LATE_STEP_MAX_S`, 5 s, a little over the 4.53 s the
longest step a patient means was measured held back with the face in view) is not applied:
nothing moves, nor does a step made before it that is reported with it. A ``call:`` gesture
is never dropped for lateness; the request it sends is dated from when it was made, and the
tablet's no-receipt alarm still counts from when it was saved.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from beckon.bedside import events as ev
from beckon.bedside.interaction import (
    LATE_STEP_MAX_S,
    Declined,
    Interaction,
    Moved,
    Selected,
)
from beckon.bedside.reach import ReachLog
from beckon.bedside.service import BedsideService, FrameTick, Gesture
from beckon.config import BedsideConfig, BedsideSettings, load_bedside
from beckon.errors import ConfigError
from beckon.messaging import protocol as p
from tests.helpers.rig import unlinked_bedside

# Review rev47a's bedlate.py: five requests offered 4 s each from 0 s ("nurse" 12-16 s,
# "water" 20-24 s, "pain" 24-28 s), a turn left ("previous") made at 15.87 s.
ITEMS = ("water", "pain", "toilet", "nurse", "blanket")
STEPS = {"nod": "select", "turn_left": "previous", "turn_right": "next"}
MADE = 15.87


def scan() -> Interaction:
    return Interaction(ITEMS, STEPS, offer_seconds=4.0)


@pytest.mark.parametrize(
    ("late", "on_screen"),
    [
        (5.66, "water"),  # fix47a's longest lost-face release (late_sweep.py)
        (6.80, "water"),  # rev47a's late.py: face lost at 16.9 s for 5.4 s
        (9.86, "pain"),  # rev47a's bedlate.py: face lost at 20.0 s for 5.4 s
    ],
)
def test_a_step_reported_long_after_made_moves_nothing_and_a_nod_then_chooses_what_is_on_screen(
    late: float, on_screen: str
) -> None:
    menu = scan()
    reported = MADE + late
    assert menu.highlighted(MADE) == "nurse", "what the patient stepped back from"
    assert menu.highlighted(reported) == on_screen
    assert menu.on_gesture("turn_left", reported, made=MADE) is None
    assert menu.highlighted(reported) == on_screen, "the highlight did not jump back to toilet"
    # The patient, face back, nods at what they see: it is what is chosen.
    assert menu.on_gesture("nod", reported + 0.6) == Selected(on_screen, reported + 0.6)


def test_a_step_is_applied_from_what_the_patient_saw_up_to_the_bound_and_not_after() -> None:
    # Held back as long as the longest deliberate step measured with the face in view ("previous,
    # previous", the first let out with the second 4.53 s after it was made), it still
    # steps back from "nurse" to "toilet" (session 45's re-aim).
    within = scan()
    assert within.highlighted(MADE + 4.53) == "water", "the scan moved on twice meanwhile"
    assert within.on_gesture("turn_left", MADE + 4.53, made=MADE) == Moved("toilet", MADE + 4.53)
    # Just over the bound it is dropped, and the scan goes on as it was.
    beyond = scan()
    assert beyond.on_gesture("turn_left", MADE + LATE_STEP_MAX_S + 0.1, made=MADE) is None
    assert beyond.highlighted(MADE + LATE_STEP_MAX_S + 0.1) == "water", "the scan alone"
    # A "next" likewise: it would decline what was on offer when it was made.
    assert beyond.on_gesture("turn_right", MADE + 6.0, made=MADE) is None
    assert beyond.highlighted(MADE + 6.0) == "water"


def test_pointing_a_step_reported_long_after_it_was_made_leaves_the_pointer_where_it_is() -> None:
    # Nothing moves by itself in pointing mode: the pointer sat on "water" for 6 s, and
    # the patient, seeing no step, looks at "water"; a late "next" must not move it now.
    point = Interaction(ITEMS, STEPS, mode="pointing")
    assert point.on_gesture("turn_right", 8.0, made=2.0) is None
    assert point.highlighted(8.0) == "water"
    # A step made now moves it as ever.
    assert point.on_gesture("turn_right", 8.5) == Moved("pain", 8.5)
    assert point.on_gesture("turn_right", 10.0, made=9.0) == Moved("toilet", 10.0)


def test_the_bound_is_a_setting_checked_when_the_menu_is_made() -> None:
    patient = Interaction(ITEMS, STEPS, offer_seconds=4.0, late_step_max_s=7.0)
    assert patient.on_gesture("turn_left", MADE + 6.8, made=MADE) == Moved("toilet", MADE + 6.8)
    assert patient.on_gesture("turn_right", MADE + 14.0, made=MADE + 6.9) is None
    for wrong in (0.5, 12.0):
        with pytest.raises(ValueError, match="late_step_max_s must be from 1 to 10 s"):
            Interaction(ITEMS, STEPS, late_step_max_s=wrong)


def test_the_bedside_config_sets_the_bound_and_names_the_key_when_it_is_wrong(
    tmp_path: Path,
) -> None:
    toml = tmp_path / "bedside.toml"
    toml.write_text('[bedside]\nsite = "gh"\nunit = "icu"\nbed = "12"\nlate_step_max_s = 6\n')
    settings = load_bedside(toml)
    assert settings.bedside.late_step_max_s == 6.0
    assert BedsideService(settings).menu.late_step_max_s == 6.0
    assert load_bedside(None, {"bedside.site": "gh", "bedside.unit": "icu", "bedside.bed": "12"})
    toml.write_text('[bedside]\nsite = "gh"\nunit = "icu"\nbed = "12"\nlate_step_max_s = 0.2\n')
    with pytest.raises(ConfigError, match=r"bedside\.late_step_max_s is 0\.2; expected 1 to 10"):
        load_bedside(toml)
    default = BedsideService(BedsideSettings(BedsideConfig("gh", "icu", "12")))
    assert default.menu.late_step_max_s == LATE_STEP_MAX_S


def nurse_call_bedside(tmp_path: Path) -> tuple[BedsideService, list[object]]:
    """A bedside (no broker) whose turn right is "call:nurse", and the events it emits."""
    service = unlinked_bedside(tmp_path)
    service.menu = Interaction(ITEMS, {**STEPS, "turn_right": "call:nurse"})
    seen: list[object] = []
    service.listeners.append(seen.append)
    return service, seen


def test_a_call_reported_long_after_it_was_made_is_sent_dated_from_when_it_was_made(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A held turn mapped to "call:nurse", decided 9.86 s after it was made once the face was
    # back: a missed call costs more than a late one, so it goes, and the station is told
    # when the patient asked (``created_at``, "when the patient chose it").
    service, seen = nurse_call_bedside(tmp_path)
    now = service.menu_time()
    before = time.time()
    with caplog.at_level(logging.WARNING, logger="beckon.bedside.service"):
        service.handle(Gesture("turn_right", now, 0.9, made=now - 9.86))
    after = time.time()
    saved = [e for e in seen if isinstance(e, ev.RequestSaved)]
    assert [e.intent for e in saved] == ["nurse"], "sent, however late"
    asked = p.parse_iso(saved[0].created_at).timestamp()
    assert before - 9.86 - 0.002 <= asked <= after - 9.86 + 0.002
    assert asked < datetime.now(UTC).timestamp() - 9.0
    assert "reported 9.86 s after it was made" in caplog.text


def test_a_nod_reported_late_at_the_same_offer_sends_a_request_dated_when_it_was_made(
    tmp_path: Path,
) -> None:
    # The same rule for any request a late gesture sends: a nod held back 3 s while the
    # same request stayed on offer (pointing: the pointer never moved) is the patient's
    # choice, made 3 s before it was reported.
    service = unlinked_bedside(tmp_path)
    service.menu = Interaction(ITEMS, STEPS, mode="pointing")
    seen: list[object] = []
    service.listeners.append(seen.append)
    service.handle(FrameTick(1.0))  # the camera's first frame: the menu from the top
    before = time.time()
    service.handle(Gesture("nod", 4.5, 0.9, made=1.5))
    after = time.time()
    saved = [e for e in seen if isinstance(e, ev.RequestSaved)]
    assert [e.intent for e in saved] == ["water"]
    asked = p.parse_iso(saved[0].created_at).timestamp()
    assert before - 3.0 - 0.002 <= asked <= after - 3.0 + 0.002
    assert not [e for e in seen if isinstance(e, Declined)]


@pytest.mark.parametrize("late", [5.66, 9.86])
def test_a_late_call_waits_the_whole_receipt_alarm_from_when_this_tablet_saved_it(
    tmp_path: Path, late: float
) -> None:
    # ``created_at`` is when the patient chose it, dated back by the report's lateness; the
    # no-receipt alarm is how long the request may wait for the station once this tablet has
    # it. Counted from ``created_at`` it sounded as the request was saved (review rev48b).
    service = unlinked_bedside(tmp_path)
    service.menu = Interaction(ITEMS, {**STEPS, "turn_right": "call:nurse"})
    reach = ReachLog(receipt_alarm_s=5.0)  # the window-less bedside's alarm, the same rule
    service.listeners.append(reach.follow)
    now = service.menu_time()
    before = time.monotonic()
    service.handle(Gesture("turn_right", now, 0.9, made=now - late))
    saved = time.monotonic()
    assert "no_receipt" not in reach.check(saved + 0.5)
    assert "no_receipt" not in reach.check(before + 4.9)
    assert reach.check(saved + 5.1) == ["no_receipt"], "it still sounds when the time is up"
    track = reach.timeline.tracks[0]
    assert track.created >= before, "counted from the save, not from when it was made"
    assert abs(datetime.now(UTC).timestamp() - track.made_at.timestamp() - late) < 0.5, (
        '"Asked at" stays when the patient chose it'
    )


def test_a_step_made_before_a_late_step_was_dropped_goes_with_it_one_made_after_moves() -> None:
    # "previous, previous" made at 15.87 s on "nurse" and 17.30 s on "blanket", both reported
    # at 20.90 s with "water" on screen: the first is over the bound. The second was the
    # patient's second step back from "nurse"; applied alone, from "blanket", it jumped the
    # highlight to "nurse" and the nod then chose it (review rev48b, pairlate.py).
    menu = scan()
    assert menu.highlighted(20.9) == "water"
    assert menu.on_gesture("turn_left", 20.9, made=MADE) is None
    assert menu.on_gesture("turn_left", 20.9, made=17.30) is None
    assert menu.highlighted(20.9) == "water", "nothing moved"
    # One let out just after the drop, made before it, goes too.
    assert menu.on_gesture("turn_right", 21.1, made=20.5) is None
    assert menu.highlighted(21.1) == "water"
    # The patient, seeing nothing move, steps again: made after the drop, it moves as ever.
    assert menu.on_gesture("turn_left", 21.4) == Moved("blanket", 21.4)
    assert menu.on_gesture("turn_right", 22.5, made=21.8) == Declined("blanket", 22.5)
    assert menu.on_gesture("nod", 23.0) == Selected("water", 23.0)


@pytest.mark.parametrize("why", ["asleep", "paused after a call"])
def test_a_late_call_the_menu_does_not_take_is_not_logged_as_sent(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, why: str
) -> None:
    # Not sending it is right (the menu asleep; the pause after a call, one long gesture must
    # not send twice); the log must not then say "lateness never drops a call" (rev48b).
    service, seen = nurse_call_bedside(tmp_path)
    now = service.menu_time()
    if why == "asleep":
        service.menu.sleep(now - 7.0)
    else:
        service.handle(Gesture("turn_right", now, 0.9))
    saved_before = len([e for e in seen if isinstance(e, ev.RequestSaved)])
    with caplog.at_level(logging.INFO, logger="beckon.bedside.service"):
        service.handle(Gesture("turn_right", now + 0.1, 0.9, made=now - 6.0))
    assert len([e for e in seen if isinstance(e, ev.RequestSaved)]) == saved_before
    assert "never drops a call" not in caplog.text


def test_a_late_call_that_opens_the_pain_scale_is_logged_as_taken(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A held turn mapped to "call:pain", decided 6.1 s late once the face was back: the menu
    # takes it and opens the pain scale (nothing sent yet), so IT must see how late it came
    # (review rev48b2: only a send or a confirmation was logged).
    service = unlinked_bedside(tmp_path)
    service.menu = Interaction(ITEMS, {**STEPS, "turn_right": "call:pain"}, scale_intents=["pain"])
    seen: list[object] = []
    service.listeners.append(seen.append)
    now = service.menu_time()
    with caplog.at_level(logging.INFO, logger="beckon.bedside.service"):
        service.handle(Gesture("turn_right", now, 0.9, made=now - 6.1))
    assert service.menu.view(now).stage == "scale", "taken: the pain scale is open"
    assert not [e for e in seen if isinstance(e, ev.RequestSaved)], "nothing sent yet"
    assert "turn_right (a call) reported 6.10 s after it was made, taken" in caplog.text
