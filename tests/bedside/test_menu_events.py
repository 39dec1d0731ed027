"""The bedside tells its window what to highlight, on the frames' own clock."""

from __future__ import annotations

from beckon.bedside import events as ev
from beckon.bedside.events import BedsideEvent
from beckon.bedside.service import BedsideService, FrameTick, Gesture, Submit
from beckon.config import load_bedside


def a_bedside() -> BedsideService:
    settings = load_bedside(
        None,
        {
            "bedside.site": "gh",
            "bedside.unit": "icu",
            "bedside.bed": "1",
            "bedside.offered_intents": ["water", "nurse", "pain"],
            "bedside.offer_seconds": 4.0,
        },
    )
    return BedsideService(settings)


def test_a_menu_event_is_sent_only_when_the_highlight_moves():
    bedside = a_bedside()
    events: list[BedsideEvent] = []
    bedside.listeners.append(events.append)
    for t in (0.0, 0.1, 1.0, 3.9, 4.0, 4.5, 8.2):
        bedside.handle(FrameTick(t))
    assert all(isinstance(e, ev.MenuChanged) for e in events)
    highlights = [e.menu.highlighted for e in events if isinstance(e, ev.MenuChanged)]
    assert highlights == ["water", "nurse", "pain"]
    assert all(isinstance(e, ev.MenuChanged) and e.menu.stage == "offering" for e in events)
    assert isinstance(events[0], ev.MenuChanged) and events[0].menu.items == (
        "water",
        "nurse",
        "pain",
    )


def test_the_sleep_entry_in_the_offered_list_pauses_the_menu_and_sends_nothing():
    settings = load_bedside(
        None,
        {
            "bedside.site": "gh",
            "bedside.unit": "icu",
            "bedside.bed": "1",
            "bedside.offered_intents": ["water", "sleep"],
            "bedside.offer_seconds": 4.0,
        },
    )
    bedside = BedsideService(settings)
    assert bedside.config_faults == []  # "sleep" is a menu entry, not a misspelt intent
    events: list[BedsideEvent] = []
    bedside.listeners.append(events.append)
    bedside.handle(FrameTick(0.0))
    bedside.handle(Submit("sleep", "touch"))  # its tile touched: no outbox needed, no request
    menus = [e.menu for e in events if isinstance(e, ev.MenuChanged)]
    assert menus[-1].stage == "asleep" and menus[-1].highlighted is None
    bedside.handle(FrameTick(30.0))
    assert not any(isinstance(e, ev.RequestSaved) for e in events)
    bedside.handle(Gesture("nod", 31.0, 0.9))
    bedside.handle(FrameTick(40.0))
    menus = [e.menu for e in events if isinstance(e, ev.MenuChanged)]
    assert menus[-1].stage == "offering"


def test_the_scan_starts_from_the_top_when_a_slow_camera_sends_its_first_frame(monkeypatch):
    """The menu runs on the service's own clock until the first frame; the camera and
    MediaPipe took 10 s to start (a busy tablet), longer than one offer. The first frame,
    at the frames' time 0.1, starts the scan again from "water" for a whole offer: a nod
    made in the first 4 s of what the camera sees chooses water, as it would on a quick
    start."""
    clock = [100.0]
    monkeypatch.setattr("beckon.bedside.service.time.monotonic", lambda: clock[0])
    bedside = a_bedside()
    bedside.menu_time()  # the service starts: its own clock
    clock[0] += 10.0
    bedside._update_menu()  # before any frame, the offer moved on to "pain" (8 s)
    assert bedside.menu.highlighted(bedside.menu_time()) == "pain"
    bedside.handle(FrameTick(0.1))
    assert bedside.menu.highlighted(bedside.menu_time()) == "water"
    clock[0] += 3.5
    bedside.handle(FrameTick(3.6))
    assert bedside.menu.highlighted(3.6) == "water"
    clock[0] += 0.6
    bedside.handle(FrameTick(4.2))
    assert bedside.menu.highlighted(4.2) == "nurse"


def test_a_camera_reopened_from_zero_does_not_freeze_the_scan(monkeypatch):
    """Frames counted to 30 s, then the camera was reopened and counts from 0 again: the
    scan goes on every 4 s instead of staying on one item until the new clock reaches 30."""
    clock = [0.0]
    monkeypatch.setattr("beckon.bedside.service.time.monotonic", lambda: clock[0])
    bedside = a_bedside()
    ticks = [0.0, 10.0, 20.0, 30.0]
    for t in ticks:
        clock[0] = t
        bedside.handle(FrameTick(t))
    on_offer = bedside.menu.highlighted(30.0)
    clock[0] = 31.0
    bedside.handle(FrameTick(0.5))  # reopened: half a second into the new clock
    assert bedside.menu.highlighted(bedside.menu_time()) == on_offer
    seen = set()
    for step in range(1, 13):
        clock[0] = 31.0 + step
        bedside.handle(FrameTick(0.5 + step))
        seen.add(bedside.menu.highlighted(0.5 + step))
    assert seen == {"water", "nurse", "pain"}


def test_frames_a_little_behind_the_service_clock_change_nothing(monkeypatch):
    """A busy vision thread delivers frames up to a second late: no jump, no restart."""
    clock = [0.0]
    monkeypatch.setattr("beckon.bedside.service.time.monotonic", lambda: clock[0])
    bedside = a_bedside()
    bedside.handle(FrameTick(0.0))
    clock[0] = 3.9
    bedside._update_menu()
    clock[0] = 4.5
    bedside.handle(FrameTick(3.8))  # 0.7 s late
    assert bedside.menu.highlighted(bedside.menu_time()) == "water"
    clock[0] = 5.0
    bedside.handle(FrameTick(4.3))
    assert bedside.menu.highlighted(4.3) == "nurse"
