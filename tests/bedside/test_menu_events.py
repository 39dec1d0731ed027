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
