"""The full bedside interaction: scanning or pointing, select, confirm, cancel, per patient.

Time comes from the gesture events, so these tests need no clock. Unless a test says
otherwise: nurse, water, emergency are offered 4 s each from t=0; nod selects, shake moves on,
long_blink confirms, brow_raise cancels; emergencies need confirming within 8 s (a nod cannot
echo as a long blink, so the confirmation counts at once; where it could, from CONFIRM_AFTER_S,
2 s, after it appeared, and the 8 s count from then).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict, Unpack

import pytest

from beckon.bedside.interaction import (
    CONFIRM_AFTER_S,
    SLEEP,
    Cancelled,
    ConfirmRequested,
    Declined,
    Interaction,
    MenuMode,
    MenuView,
    Moved,
    ScaleOffered,
    Selected,
    Slept,
    Woke,
)
from beckon.profile import GestureProfile, InteractionSettings

ITEMS = ("nurse", "water", "emergency")
ACTIONS = {
    "nod": "select",
    "shake": "next",
    "long_blink": "confirm",
    "brow_raise": "cancel",
    "turn_left": "previous",
    "turn_right": "next",
}


class Options(TypedDict, total=False):
    """The Interaction settings these tests change (typed, so a misspelt one fails mypy)."""

    mode: MenuMode
    offer_seconds: float
    confirm_timeout_s: float
    confirm_after_s: float
    confirm_intents: Sequence[str]
    settle_after_answer_s: float
    pause_after_select_s: float


def machine(actions: dict[str, str] = ACTIONS, **options: Unpack[Options]) -> Interaction:
    return Interaction(ITEMS, actions, **options)


# ---------------------------------------------------------------- scanning


def test_scanning_offers_each_request_in_turn() -> None:
    m = machine()
    assert [m.view(t).highlighted for t in (0.0, 4.0, 8.0, 12.0)] == [
        "nurse",
        "water",
        "emergency",
        "nurse",
    ]
    assert m.view(0.0) == MenuView(ITEMS, "nurse", "offering", mode="scanning")


def test_select_sends_an_ordinary_request_at_once_and_pauses() -> None:
    m = machine()
    assert m.on_gesture("nod", 5.0) == Selected("water", 5.0)
    assert m.view(6.0).stage == "paused"
    assert m.on_gesture("nod", 6.5) is None  # one long nod cannot send twice
    assert m.view(8.0).highlighted == "nurse"


def test_next_declines_and_moves_on() -> None:
    m = machine()
    assert m.on_gesture("shake", 1.0) == Declined("nurse", 1.0)
    assert m.view(1.0).highlighted == "water"


# ---------------------------------------------------------------- confirmation


def test_an_emergency_needs_the_confirming_gesture() -> None:
    m = machine()
    assert m.on_gesture("nod", 9.0) == ConfirmRequested("emergency", 9.0, 17.0)
    view = m.view(10.0)
    assert (view.stage, view.highlighted, view.deadline) == ("confirming", "emergency", 17.0)
    assert view.confirm_with == ("long_blink",)
    assert m.view(20.0 - 4.0).highlighted == "emergency"  # scanning waits while confirming
    assert m.on_gesture("long_blink", 12.0) == Selected("emergency", 12.0)
    assert m.view(12.5).stage == "paused"


def test_cancel_while_confirming_sends_nothing_and_scanning_resumes() -> None:
    m = machine()
    m.on_gesture("nod", 9.0)
    assert m.on_gesture("brow_raise", 10.0) == Cancelled("emergency", 10.0)
    assert m.view(10.0).stage == "offering"
    assert m.on_gesture("long_blink", 10.5) is None


def test_an_unconfirmed_emergency_times_out() -> None:
    m = machine(confirm_timeout_s=5.0)
    m.on_gesture("nod", 9.0)
    assert m.expired(13.9) == []
    assert m.expired(14.0) == [Cancelled("emergency", 14.0, timed_out=True)]
    assert m.expired(15.0) == []
    assert m.view(14.0).stage == "offering"


def test_other_gestures_do_not_confirm() -> None:
    m = machine()
    m.on_gesture("nod", 9.0)
    assert m.on_gesture("shake", 9.5) is None
    assert m.on_gesture("turn_left", 9.6) is None
    assert m.view(9.7).stage == "confirming"


def test_without_a_confirm_gesture_selecting_again_confirms() -> None:
    m = machine(actions={"nod": "select", "shake": "next"})
    m.on_gesture("nod", 9.0)
    assert m.view(9.1).confirm_with == ("nod",)
    assert CONFIRM_AFTER_S == 2.0  # a nod confirming a nod: it counts from 11 s
    assert m.on_gesture("nod", 11.5) == Selected("emergency", 11.5)


def test_which_requests_need_confirming_is_configurable() -> None:
    m = machine(confirm_intents=("water",))
    assert m.on_gesture("nod", 5.0) == ConfirmRequested("water", 5.0, 13.0)
    assert machine(confirm_intents=()).on_gesture("nod", 9.0) == Selected("emergency", 9.0)


# ---------------------------------------------------------------- direct calls and pointing


def test_a_gesture_can_call_a_request_directly() -> None:
    m = machine(actions={**ACTIONS, "mouth_open": "call:nurse", "look_up": "call:emergency"})
    assert m.on_gesture("mouth_open", 5.0) == Selected("nurse", 5.0)
    m2 = machine(actions={**ACTIONS, "look_up": "call:emergency"})
    assert isinstance(m2.on_gesture("look_up", 1.0), ConfirmRequested)


def test_pointing_mode_moves_the_highlight_only_when_the_patient_turns() -> None:
    m = machine(mode="pointing")
    assert m.view(100.0) == MenuView(ITEMS, "nurse", "pointing", mode="pointing")
    assert m.on_gesture("turn_right", 1.0) == Moved("water", 1.0)
    assert m.on_gesture("turn_right", 2.0) == Moved("emergency", 2.0)
    assert m.on_gesture("turn_left", 3.0) == Moved("water", 3.0)
    assert m.view(50.0).highlighted == "water"
    assert m.on_gesture("nod", 51.0) == Selected("water", 51.0)


def test_gestures_without_an_action_change_nothing() -> None:
    m = machine()
    assert m.on_gesture("look_down", 5.0) is None
    assert m.on_gesture("", 5.0) is None
    assert m.view(5.0).highlighted == "water"


# ---------------------------------------------------------------- from a profile


def test_built_from_a_patient_profile() -> None:
    profile = GestureProfile().with_gesture("mouth_open", action="call:water")
    from dataclasses import replace

    profile = replace(
        profile,
        interaction=InteractionSettings(mode="pointing", items=("pain", "water"), offer_seconds=2),
    )
    m = Interaction.from_profile(profile, ("nurse",), 4.0)
    assert m.items == ("pain", "water") and m.mode == "pointing"
    assert m.on_gesture("mouth_open", 1.0) == Selected("water", 1.0)


def test_the_bedside_items_are_used_when_the_profile_names_none() -> None:
    m = Interaction.from_profile(GestureProfile(), ("nurse", "pain"), 3.0)
    assert m.items == ("nurse", "pain") and m.offer_seconds == 3.0
    assert m.actions["nod"] == "select" and m.actions["shake"] == "next"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "wave"}, "mode"),
        ({"offer_seconds": 0.0}, "offer_seconds"),
    ],
)
def test_bad_settings_are_refused(kwargs: Options, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        machine(**kwargs)


# ---------------------------------------------------------------- a nurse's question


def test_the_scan_is_held_during_a_question_and_settles_after_the_answer() -> None:
    """Issue 12, point 3: a second "yes" nod right after answering must choose nothing."""
    m = machine(settle_after_answer_s=5.0)
    m.hold(2.0)
    assert m.held and m.highlighted(9.0) is None
    assert m.on_gesture("nod", 9.0) is None  # the answer itself belongs to the question
    m.release(10.0)
    assert m.on_gesture("nod", 11.0) is None  # the second nod of "yes, yes"
    assert m.view(12.0).stage == "paused"
    assert m.highlighted(15.0) == "nurse"  # the scan starts again from the top
    assert m.on_gesture("nod", 15.5) == Selected("nurse", 15.5)


def test_nothing_confirms_a_choice_behind_a_question() -> None:
    """It comes back after the question (tests/bedside/test_question_interrupts.py)."""
    m = machine()
    assert isinstance(m.on_gesture("nod", 9.0), ConfirmRequested)  # emergency on offer at 8-12
    m.hold(9.5)
    m.release(10.0)
    assert m.on_gesture("long_blink", 10.5) is None  # nothing is confirmed behind the question


def test_the_scan_keeps_quiet_while_a_spoken_request_waits_and_starts_over_after() -> None:
    """Its spoken offers ("Toilet?") cut the tablet's question short and deafened the
    microphone for the patient's "yes"."""
    m = machine(pause_after_select_s=2.0)
    assert m.highlighted(1.0) == "nurse"
    m.listen(1.5, waiting=True)
    assert [m.highlighted(t) for t in (2.0, 6.0, 10.0, 20.0)] == [None] * 4
    m.listen(20.0, waiting=False)
    assert m.highlighted(21.0) is None  # the pause after a choice
    assert m.highlighted(22.5) == "nurse"  # from the top again


def test_a_gesture_choice_awaiting_confirmation_survives_a_spoken_request() -> None:
    m = machine()
    assert isinstance(m.on_gesture("nod", 9.0), ConfirmRequested)  # emergency at 8-12
    m.listen(9.5, waiting=True)
    m.listen(10.0, waiting=False)
    assert m.on_gesture("long_blink", 10.5) is not None, "the emergency can still be confirmed"


def test_a_spoken_request_whose_end_is_never_heard_quiets_the_scan_for_30_s_at_most() -> None:
    from beckon.bedside.interaction import LISTEN_MAX_S

    m = machine()
    m.listen(0.0, waiting=True)
    assert m.highlighted(LISTEN_MAX_S - 0.1) is None
    assert m.highlighted(LISTEN_MAX_S + 0.1) is not None


# ---------------------------------------------------------------- sleep


def test_a_sleep_gesture_pauses_the_menu_and_only_the_sleep_gesture_wakes_it() -> None:
    m = machine(actions={**ACTIONS, "look_up": "sleep"})
    assert m.on_gesture("look_up", 1.0) == Slept(1.0)
    assert m.view(2.0) == MenuView(ITEMS, None, "asleep", confirm_with=("look_up",))
    assert [m.view(t).highlighted for t in (5.0, 9.0, 30.0)] == [None, None, None]
    assert m.on_gesture("nod", 31.0) is None  # asleep: a nod chooses nothing
    assert m.on_gesture("shake", 31.5) is None
    assert m.on_gesture("look_up", 32.0) == Woke(32.0)
    assert m.view(33.0).stage == "paused"  # the waking gesture's momentum chooses nothing
    assert m.view(35.0).highlighted == "nurse"  # then the scan starts from the first item


def test_the_sleep_menu_entry_pauses_and_the_select_gesture_wakes() -> None:
    m = Interaction(("nurse", SLEEP), {"nod": "select", "shake": "next"})
    assert m.view(4.0).highlighted == SLEEP
    assert m.on_gesture("nod", 4.5) == Slept(4.5)  # never a Selected: sleep is not sent
    assert m.view(20.0).stage == "asleep"
    assert m.on_gesture("shake", 21.0) is None
    assert m.on_gesture("nod", 22.0) == Woke(22.0)
    assert m.view(25.0).highlighted == "nurse"


def test_sleep_forgets_an_emergency_awaiting_confirmation() -> None:
    m = machine(actions={**ACTIONS, "look_up": "sleep"})
    m.sleep(1.0)
    assert m.on_gesture("look_up", 2.0) == Woke(2.0)
    assert isinstance(m.on_gesture("nod", 13.5), ConfirmRequested)  # emergency at 13.5
    m.sleep(14.0)
    assert m.view(15.0).stage == "asleep"
    assert m.on_gesture("long_blink", 15.5) is None  # the confirmation was forgotten


# ---------------------------------------------------------------- the 0-10 pain scale


def scale_machine(**options: Unpack[Options]) -> Interaction:
    return Interaction(("nurse", "pain"), ACTIONS, scale_intents=("pain",), **options)


def test_choosing_pain_offers_0_to_10_and_the_chosen_number_travels_with_it() -> None:
    m = scale_machine()
    assert m.on_gesture("nod", 5.0) == ScaleOffered("pain", 5.0)  # nothing sent yet
    assert m.on_gesture("nod", 6.0) is None  # the choosing nod's momentum picks no number
    assert m.view(8.0) == MenuView(("nurse", "pain"), "pain", "scale", level=0)
    assert [m.view(8.0 + 4 * n).level for n in (1, 7, 10)] == [1, 7, 10]
    assert m.on_gesture("nod", 8.0 + 4 * 7 + 1) == Selected("pain", 37.0, level=7)
    assert m.view(38.0).stage == "paused"


def test_on_the_scale_next_and_previous_move_and_cancel_gives_up() -> None:
    m = scale_machine(mode="pointing")
    m.on_gesture("turn_right", 0.5)  # to "pain"
    assert m.on_gesture("nod", 1.0) == ScaleOffered("pain", 1.0)
    assert m.view(30.0).level == 0  # pointing: the number waits for the patient
    m.on_gesture("turn_right", 31.0)
    m.on_gesture("turn_right", 32.0)
    m.on_gesture("turn_left", 33.0)
    assert m.view(34.0).level == 1
    assert m.on_gesture("brow_raise", 35.0) == Cancelled("pain", 35.0)
    assert m.view(36.0).stage == "pointing"


def test_a_scale_nobody_answers_sends_the_request_without_a_number_after_one_round() -> None:
    """Pain was chosen; only its strength is missing. The scale gave up and sent nothing."""
    m = scale_machine()
    m.on_gesture("nod", 5.0)  # the scale starts at 8.0
    give_up = 8.0 + 11 * 4.0
    assert m.view(give_up - 0.1).stage == "scale"
    assert m.expired(give_up + 0.1) == [Selected("pain", give_up)]
    assert m.view(give_up + 0.2).stage == "paused"


def test_without_scale_intents_pain_is_sent_at_once() -> None:
    m = Interaction(("nurse", "pain"), ACTIONS)
    assert m.on_gesture("nod", 5.0) == Selected("pain", 5.0)


def test_staff_change_the_scan_speed_and_the_item_on_offer_stays() -> None:
    m = machine()
    assert m.view(5.0).highlighted == "water"
    m.set_timing(10.0, 1.0, 5.0)
    assert [m.view(t).highlighted for t in (14.9, 15.0, 25.0)] == ["water", "emergency", "nurse"]
    assert m.on_gesture("nod", 26.0) == Selected("nurse", 26.0)
    assert m.view(26.9).stage == "paused" and m.view(27.0).stage == "offering"
    with pytest.raises(ValueError):
        m.set_timing(0.0, 1.0, 30.0)
