"""The bedside tells its window what to highlight, on the frames' own clock."""

from __future__ import annotations

from beckon.bedside.service import BedsideEvent, BedsideService, FrameTick
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
    highlights = [e.menu.highlighted for e in events if e.kind == "menu" and e.menu]
    assert highlights == ["water", "nurse", "pain"]
    assert all(e.menu and e.menu.stage == "offering" for e in events)
    assert events[0].menu is not None and events[0].menu.items == ("water", "nurse", "pain")
