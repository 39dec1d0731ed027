"""The scanning menu (the Interaction with its default gestures): requests are offered one at
a time; a nod selects the one on offer, a shake declines it and moves on, and after a selection
the menu pauses so one long nod cannot send two requests. Time comes from the gesture events,
so these tests need no clock.
"""

from __future__ import annotations

from typing import TypedDict, Unpack

import pytest

from beckon.bedside.interaction import Declined, Interaction, Selected

INTENTS = ("nurse", "water", "pain")


class Timing(TypedDict, total=False):
    """The menu's clock settings a test may change (typed, so a misspelt one fails mypy)."""

    offer_seconds: float
    pause_after_select_s: float
    start_t: float


def menu(**timing: Unpack[Timing]) -> Interaction:
    """Nod selects, shake declines. Offers nurse, water, pain for 4 s each from t=0; pauses
    3 s after a selection."""
    return Interaction(INTENTS, **timing)


# ---------------------------------------------------------------- offering


@pytest.mark.parametrize(
    ("t", "offered"),
    [
        (0.0, "nurse"),
        (3.99, "nurse"),
        (4.0, "water"),
        (7.5, "water"),
        (8.0, "pain"),
        (12.0, "nurse"),
        (4.0 * 3 * 10 + 5, "water"),
    ],
)
def test_each_intent_is_offered_in_turn_for_offer_seconds(t: float, offered: str) -> None:
    assert menu().highlighted(t) == offered


def test_the_menu_starts_offering_at_start_t() -> None:
    late = menu(start_t=100.0)
    assert late.highlighted(100.0) == "nurse"
    assert late.highlighted(104.0) == "water"


def test_the_offer_length_is_configurable() -> None:
    quick = menu(offer_seconds=1.5)
    assert [quick.highlighted(t) for t in (0.0, 1.5, 3.0, 4.5)] == [
        "nurse",
        "water",
        "pain",
        "nurse",
    ]


def test_asking_what_is_offered_does_not_change_the_menu() -> None:
    m = menu()
    for _ in range(5):
        assert m.highlighted(5.0) == "water"


def test_a_single_intent_is_offered_for_ever() -> None:
    only = Interaction(["nurse"])
    assert [only.highlighted(t) for t in (0.0, 4.0, 100.0)] == ["nurse", "nurse", "nurse"]


# ---------------------------------------------------------------- nod


def test_a_nod_selects_the_intent_on_offer() -> None:
    assert menu().on_gesture("nod", 5.0) == Selected("water", 5.0)


def test_after_a_selection_the_menu_pauses_and_offers_nothing() -> None:
    m = menu()
    m.on_gesture("nod", 5.0)
    assert m.highlighted(5.0) is None
    assert m.highlighted(7.99) is None


@pytest.mark.parametrize("gesture", ["nod", "shake"])
def test_gestures_during_the_pause_are_ignored(gesture: str) -> None:
    m = menu()
    m.on_gesture("nod", 5.0)
    assert m.on_gesture(gesture, 6.0) is None
    assert m.on_gesture(gesture, 7.9) is None
    assert m.highlighted(8.0) == "nurse"


def test_one_long_nod_reported_twice_sends_one_request() -> None:
    m = menu()
    outcomes = [m.on_gesture("nod", t) for t in (5.0, 5.2, 5.4)]
    assert outcomes == [Selected("water", 5.0), None, None]


def test_after_the_pause_the_menu_starts_again_from_the_first_intent() -> None:
    m = menu()
    m.on_gesture("nod", 9.0)  # pain selected; paused until 12
    assert m.highlighted(12.0) == "nurse"
    assert m.highlighted(16.0) == "water"


def test_the_pause_length_is_configurable() -> None:
    m = menu(pause_after_select_s=10.0)
    m.on_gesture("nod", 1.0)
    assert m.highlighted(10.9) is None
    assert m.highlighted(11.0) == "nurse"


def test_a_nod_after_the_pause_selects_again() -> None:
    m = menu()
    m.on_gesture("nod", 1.0)
    assert m.on_gesture("nod", 4.5) == Selected("nurse", 4.5)


# ---------------------------------------------------------------- shake


def test_a_shake_declines_the_intent_on_offer_and_offers_the_next() -> None:
    m = menu()
    assert m.on_gesture("shake", 1.0) == Declined("nurse", 1.0)
    assert m.highlighted(1.0) == "water"


def test_the_next_intent_gets_a_full_offer_after_a_shake() -> None:
    m = menu()
    m.on_gesture("shake", 1.0)
    assert m.highlighted(4.99) == "water"
    assert m.highlighted(5.0) == "pain"


def test_a_shake_on_the_last_intent_wraps_to_the_first() -> None:
    m = menu()
    assert m.on_gesture("shake", 9.0) == Declined("pain", 9.0)
    assert m.highlighted(9.0) == "nurse"


def test_shake_then_nod_selects_the_next_intent() -> None:
    m = menu()
    m.on_gesture("shake", 1.0)
    assert m.on_gesture("nod", 2.0) == Selected("water", 2.0)


# ---------------------------------------------------------------- other gestures


@pytest.mark.parametrize("gesture", ["blink", "tilt_left", "", "NOD", "none"])
def test_other_gestures_are_ignored_and_change_nothing(gesture: str) -> None:
    m = menu()
    assert m.on_gesture(gesture, 5.0) is None
    assert m.highlighted(5.0) == "water"
    assert m.highlighted(8.0) == "pain"


# ---------------------------------------------------------------- construction


def test_a_menu_without_intents_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one intent"):
        Interaction([])


@pytest.mark.parametrize("offer_seconds", [0.0, -1.0])
def test_a_menu_needs_a_positive_offer_time(offer_seconds: float) -> None:
    with pytest.raises(ValueError, match="offer_seconds must be positive"):
        Interaction(INTENTS, offer_seconds=offer_seconds)


def test_the_menu_keeps_its_own_copy_of_the_intents() -> None:
    intents = ["nurse", "water"]
    m = Interaction(intents)
    intents.append("pain")
    assert m.items == ("nurse", "water")
