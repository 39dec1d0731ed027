"""The same request twice is one call.

A quick double nod (the second nod ran on past the pause after the first choice, and the menu
had started again at the same item) and the same tile chosen twice each put two identical
calls from one bed in front of the nurses. Now a request this bed has open is not sent again:
the patient is told it is still open. Pain at another level is new (the patient says it
changed), and once the first call is closed the same request goes again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from beckon.bedside import events as ev
from beckon.bedside.service import Submit
from beckon.messaging import protocol as p
from beckon.station.store import RequestStore
from tests.helpers.rig import send_raw, station_and_bedside, unlinked_bedside, wait_until


@pytest.mark.mqtt
def test_a_request_that_is_open_is_not_sent_again(mosquitto: Any, tmp_path: Path) -> None:
    with station_and_bedside(mosquitto.url, tmp_path) as (_, bedside, seen):
        bedside.post(Submit("water", "gesture"))
        assert wait_until(lambda: "received" in bedside.states.values())
        bedside.post(Submit("water", "gesture"))
        assert wait_until(lambda: any(isinstance(e, ev.AlreadyAsked) for e in seen.events))
        (first,) = bedside.states
        already = [e for e in seen.events if isinstance(e, ev.AlreadyAsked)]
        assert already == [ev.AlreadyAsked("water", first, "received")]

        bedside.post(Submit("nurse", "gesture"))  # another request still goes
        assert wait_until(lambda: len(bedside.states) == 2 and bedside.waiting == 0)
        resolve = p.StationCommand(p.new_request_id(), "resolve", first, "Kim", p.now_iso())
        send_raw(mosquitto.port, p.Topics.unit("gh", "icu", "command"), p.encode(resolve))
        assert wait_until(lambda: bedside.states[first] == "resolved")
        bedside.post(Submit("water", "gesture"))  # closed: asked again, it is a new call
        assert wait_until(lambda: len(bedside.states) == 3 and bedside.waiting == 0)
    store = RequestStore(tmp_path / "station.sqlite3")
    assert store.count() == 3
    assert sorted(v.intent for v in store.open_requests()) == ["nurse", "water"]


def test_pain_at_another_level_is_a_new_request(tmp_path: Path) -> None:
    """The pain scale's level: the same level again is the same call, another is news."""
    service = unlinked_bedside(tmp_path)
    assert service.outbox is not None
    seen: list[object] = []
    service.listeners.append(seen.append)
    first = service.submit("pain", "gesture", level=4)
    assert first is not None
    assert service.submit("pain", "gesture", level=4) is None
    assert service.submit("pain", "gesture", level=8) is not None
    assert [e for e in seen if isinstance(e, ev.AlreadyAsked)] == [
        ev.AlreadyAsked("pain", first.id, "created")
    ]
    assert len(service.outbox.pending()) == 2


@pytest.mark.mqtt
def test_a_load_generator_can_still_repeat_on_purpose(mosquitto: Any, tmp_path: Path) -> None:
    with station_and_bedside(mosquitto.url, tmp_path) as (_, bedside, _seen):
        for _ in range(3):
            bedside.post(Submit("water", "touch", again=True))
        assert wait_until(lambda: len(bedside.states) == 3 and bedside.waiting == 0)
    assert RequestStore(tmp_path / "station.sqlite3").count() == 3


def test_pain_chosen_and_left_without_a_number_is_still_sent(tmp_path: Path) -> None:
    """The 0-10 scale gave up after 88 s and sent nothing, without a word, while the menu and
    "Call the nurse" were gone. Now, after one round with no number, "pain" goes without one."""
    from beckon.bedside.interaction import SCALE, Interaction

    service = unlinked_bedside(tmp_path)
    assert service.outbox is not None
    seen: list[object] = []
    service.listeners.append(seen.append)
    service.menu = Interaction(
        ("pain", "nurse"), service.profile.actions(), scale_intents=("pain",)
    )
    now = [0.0]
    service.menu_time = lambda: now[0]  # type: ignore[method-assign]
    assert service.menu.on_gesture("nod", 1.0) is not None  # pain chosen: the scale opens
    now[0] = 1.0 + 3.0 + len(SCALE) * 4.0 + 0.1  # past one round of the scale
    service._update_menu()
    (entry,) = service.outbox.pending()
    request = p.decode_as(entry.payload, p.Request)
    assert (request.intent, request.level) == ("pain", None)
    assert ev.IntentSelected("pain", now[0] - 0.1, "timeout") in seen


def test_a_cancel_made_offline_does_not_say_a_request_was_saved(tmp_path: Path) -> None:
    """The words "Your request is saved and will be sent" followed a cancel (and an answer)
    made while the tablet was offline: only a request says that."""
    service = unlinked_bedside(tmp_path)
    assert service.outbox is not None
    seen: list[object] = []
    service.listeners.append(seen.append)
    made = service.submit("water", "touch")
    assert made is not None
    service.cancel(made.id)
    offline = [e for e in seen if isinstance(e, ev.ConnectionChanged)]
    assert [e.request_saved for e in offline] == [True, False]


@pytest.mark.mqtt
def test_a_tablet_restarted_offline_shows_the_requests_the_station_last_had(
    mosquitto: Any, tmp_path: Path
) -> None:
    """It showed "Your requests show here." instead of "Water: Kim is coming", and the
    patient asked again."""
    from beckon.background import Background
    from tests.helpers.ports import free_port
    from tests.helpers.rig import Recorder, bedside_for

    with station_and_bedside(mosquitto.url, tmp_path) as (_, bedside, _seen):
        bedside.post(Submit("water", "touch"))
        assert wait_until(lambda: "received" in bedside.states.values())
        (water,) = bedside.states
        ack = p.StationCommand(p.new_request_id(), "acknowledge", water, "Kim", p.now_iso())
        send_raw(mosquitto.port, p.Topics.unit("gh", "icu", "command"), p.encode(ack))
        assert wait_until(lambda: bedside.states[water] == "acknowledged")
    offline = bedside_for(f"mqtt://127.0.0.1:{free_port()}", tmp_path / "outbox.sqlite3")
    seen = Recorder()
    offline.listeners.append(seen)
    with Background(offline.run, "bedside"):
        assert wait_until(lambda: any(isinstance(e, ev.StateChanged) for e in seen.events))
    shown = [e for e in seen.events if isinstance(e, ev.StateChanged)]
    assert [(e.request_id, e.state, e.by, e.intent) for e in shown] == [
        (water, "acknowledged", "Kim", "water")
    ]
    # Old news: the same request asked again now is sent (it may have been resolved meanwhile).
    assert offline.open_request("water") is None


def test_an_emergency_asked_again_always_goes(tmp_path: Path) -> None:
    """A patient whose emergency is open and who asks again is worse, not repeating."""
    service = unlinked_bedside(tmp_path)
    assert service.outbox is not None
    assert service.submit("emergency", "touch") is not None
    assert service.submit("emergency", "touch") is not None
    assert len(service.outbox.pending()) == 2


def test_a_tablet_remembers_the_latest_closed_requests_not_all_of_its_life(
    tmp_path: Path,
) -> None:
    """Its request states grew by one per request for as long as the tablet ran (a soak: 120
    an hour per bed). The latest KEPT_CLOSED closed ones stay, so a late message about one
    still cannot move it back; open ones always stay."""
    from beckon.bedside.service import KEPT_CLOSED

    service = unlinked_bedside(tmp_path)
    kept_open = service.submit("nurse", "touch")
    assert kept_open is not None
    newest = ""
    for _ in range(KEPT_CLOSED + 40):
        made = service.submit("water", "touch")
        assert made is not None
        service._update(made.id, "resolved", "Kim", "water")
        newest = made.id
    closed = [s for s in service.states.values() if s in p.CLOSED_STATES]
    assert len(closed) == KEPT_CLOSED
    assert service.states[kept_open.id] == "created"
    assert service.states[newest] == "resolved"  # the newest is among those kept
