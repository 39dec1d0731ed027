"""A patient who can only nod can take a request back.

The Cancel button under the request needs a touch, so a patient with gestures alone (or a
tablet whose inputs leave touch out) could not cancel a request once sent. While the bed has a
request open that is not an emergency, the menu offers one more entry, last: "Cancel “Water”"
(the newest such request). Like an emergency it needs a confirming nod; a shake keeps the
request. An emergency is never its target: a nurse clears it at the bed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from beckon.bedside import events as ev
from beckon.bedside.interaction import (
    CANCEL_REQUEST,
    CONFIRM_AFTER_S,
    Cancelled,
    Interaction,
    Selected,
)
from beckon.bedside.service import BedsideService, FrameTick, Gesture, Submit
from beckon.station.store import RequestStore
from tests.helpers.rig import station_and_bedside, unlinked_bedside, wait_until

ITEMS = ("nurse", "water", "pain")


def menu() -> Interaction:
    return Interaction(ITEMS, {"nod": "select", "shake": "next"}, offer_seconds=4.0)


def test_the_cancel_entry_is_offered_last_while_a_request_is_open() -> None:
    m = menu()
    assert m.view(0.0).items == ITEMS
    m.offer_cancel("water", 1.0)
    view = m.view(1.0)
    assert view.items == (*ITEMS, CANCEL_REQUEST) and view.cancels == "water"
    assert m.highlighted(1.0) == "nurse"  # the entries before it keep their places
    assert m.highlighted(12.5) == CANCEL_REQUEST  # after nurse, water and pain
    m.offer_cancel(None, 13.0)  # the request was finished
    assert m.view(13.0).items == ITEMS and m.view(13.0).cancels is None
    assert m.highlighted(13.0) == "nurse"  # not an entry that is gone


def test_the_cancel_entry_needs_a_confirming_nod_and_a_shake_keeps_the_request() -> None:
    m = menu()
    m.offer_cancel("water", 0.0)
    assert m.on_gesture("nod", 12.5) is not None  # chosen: it waits for a second nod
    assert m.view(13.0).stage == "confirming"
    assert m.on_gesture("shake", 14.0) is None  # "next" is no answer here: still waiting
    # The 8 s to confirm count from when a confirming nod counts (CONFIRM_AFTER_S after).
    lapse = 12.5 + CONFIRM_AFTER_S + 8.0
    assert m.expired(lapse + 0.1) == [Cancelled(CANCEL_REQUEST, lapse, timed_out=True)]

    m = menu()
    m.offer_cancel("water", 0.0)
    m.on_gesture("nod", 12.5)
    second = 12.5 + CONFIRM_AFTER_S + 0.5
    assert m.on_gesture("nod", second) == Selected(CANCEL_REQUEST, second)  # no confirm gesture


def test_a_confirmation_for_a_request_that_changed_meanwhile_is_dropped() -> None:
    """The patient's first nod was for "Cancel “Water”"; the nurse resolved water and a newer
    request became the target before the second nod: that nod cancels nothing."""
    m = menu()
    m.offer_cancel("water", 0.0)
    m.on_gesture("nod", 12.5)
    m.offer_cancel("pain", 13.0)
    assert m.view(13.5).stage != "confirming"
    assert not isinstance(m.on_gesture("nod", 14.0), Selected)


def test_the_target_is_the_newest_open_request_and_never_an_emergency(tmp_path: Path) -> None:
    service = unlinked_bedside(tmp_path)
    water = service.submit("water", "gesture")
    assert water is not None and service.menu.cancels == "water"
    pain = service.submit("pain", "gesture")
    assert pain is not None and service.cancel_target() == pain.id
    service.submit("emergency", "gesture")
    assert service.cancel_target() == pain.id and service.menu.cancels == "pain"
    service.cancel(pain.id)  # its cancel is on its way: the entry names the one before
    assert service.cancel_target() == water.id and service.menu.cancels == "water"
    # Asked again after being taken back, it is a new request, not "already asked".
    assert service.submit("pain", "gesture") is not None


def cancels_saved(service: BedsideService) -> list[str]:
    """The cancels in the bed's outbox (saved, to be sent)."""
    assert service.outbox is not None
    return [e.key for e in service.outbox.pending() if e.key.startswith("cancel:")]


def test_a_yes_that_comes_after_its_request_finished_cancels_no_other(tmp_path: Path) -> None:
    """Pain, then water: the entry says "Cancel “Water”". The patient taps it; while "Cancel
    Water?" waits for Yes (up to 15 s), a nurse resolves water. The Yes took back pain, the
    newest open request by then: a lost call."""
    service = unlinked_bedside(tmp_path)
    pain = service.submit("pain", "touch")
    water = service.submit("water", "touch")
    assert pain is not None and water is not None
    view = service.menu.view(0.0)
    assert (view.cancels, view.cancels_id) == ("water", water.id)
    service._update(water.id, "resolved", "Nurse Kim", "water")
    service.handle(Submit(CANCEL_REQUEST, "touch", cancels=view.cancels_id))
    assert service.states[pain.id] != "cancelled"
    assert cancels_saved(service) == []
    assert service.cancel_target() == pain.id, "pain is still open, and still offered"


def test_a_yes_for_the_request_the_entry_named_cancels_it(tmp_path: Path) -> None:
    service = unlinked_bedside(tmp_path)
    pain = service.submit("pain", "touch")
    water = service.submit("water", "touch")
    assert pain is not None and water is not None
    service.handle(Submit(CANCEL_REQUEST, "touch", cancels=water.id))
    assert cancels_saved(service) == [f"cancel:{water.id}"]
    assert service.cancel_target() == pain.id


def test_a_new_request_of_the_same_name_drops_a_confirmation_under_way() -> None:
    """The entry names the request, not only its name: a nod for one water's cancel must not
    take back another water asked since."""
    m = menu()
    m.offer_cancel("water", 0.0, "first")
    m.on_gesture("nod", 12.5)
    m.offer_cancel("water", 13.0, "second")
    assert m.view(13.5).stage != "confirming" and m.view(13.5).cancels_id == "second"
    assert not isinstance(m.on_gesture("nod", 14.0), Selected)


def test_with_only_an_emergency_open_there_is_no_cancel_entry(tmp_path: Path) -> None:
    service = unlinked_bedside(tmp_path)
    service.submit("emergency", "gesture")
    assert service.cancel_target() is None
    assert CANCEL_REQUEST not in service.menu.view(0.0).items


@pytest.mark.mqtt
def test_a_patient_cancels_a_sent_request_by_gestures(mosquitto: Any, tmp_path: Path) -> None:
    """Through the real service, broker and station: water asked, then the scan reaches
    "Cancel “Water”", a nod, and the confirming gesture; the station has the request cancelled
    by the patient, and the patient was told."""
    with station_and_bedside(mosquitto.url, tmp_path) as (_, bedside, seen):
        bedside.post(Submit("water", "touch"))
        assert wait_until(lambda: "received" in bedside.states.values())
        (water,) = bedside.states

        def offered() -> float | None:
            for e in seen.events:
                if isinstance(e, ev.MenuChanged) and e.menu.highlighted == CANCEL_REQUEST:
                    return e.t
            return None

        def confirming() -> Any:
            for e in seen.events:
                if isinstance(e, ev.MenuChanged) and e.menu.stage == "confirming":
                    return e.menu
            return None

        t = 0.0
        while offered() is None and t < 60.0:  # the frames' clock, 0.5 s a tick
            t += 0.5
            bedside.post(FrameTick(t))
            time.sleep(0.02)
        assert offered() is not None, "the scan never offered the cancel entry"
        menu = next(
            e.menu
            for e in seen.events
            if isinstance(e, ev.MenuChanged) and e.menu.highlighted == CANCEL_REQUEST
        )
        assert menu.cancels == "water" and menu.items[-1] == CANCEL_REQUEST
        bedside.post(Gesture("nod", t, 0.9))
        assert wait_until(lambda: confirming() is not None)
        confirm = confirming()
        assert confirm is not None and confirm.cancels == "water"
        # A nod chose, a long blink confirms (the default profile): no echo, so no wait.
        assert confirm.ready and not confirm.waits
        # The profile's own confirming gesture (a long blink by default), as the screen says.
        bedside.post(Gesture(confirm.confirm_with[0], t + 1.5, 0.9))
        assert wait_until(lambda: bedside.states.get(water) == "cancelled")
        asked = seen.events.index(ev.CancelAsked("water", water, "gesture"))
        # Nothing left to cancel: the entry is gone from the menu.
        assert any(
            isinstance(e, ev.MenuChanged) and CANCEL_REQUEST not in e.menu.items
            for e in seen.events[asked:]
        )
    store = RequestStore(tmp_path / "station.sqlite3")
    assert store.open_requests() == []
    stored = store.get(water)
    assert stored is not None and (stored.state, stored.by) == ("cancelled", "patient")
