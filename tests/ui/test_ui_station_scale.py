"""The station window with a unit's worth of beds: calls stay on top of device faults, and a
bed's status rebuilds only that bed's card. Fed directly (no broker): what is under test is
what the window does with what arrives."""

from __future__ import annotations

from typing import Any

from beckon.config import BrokerConfig
from beckon.station.feed import BedHealth, StationFeed
from beckon.ui.station_window import FAULT_LINES_SHOWN, StationWindow
from tests.helpers.station_views import queue, view


def window(qtbot: Any) -> StationWindow:
    feed = StationFeed(BrokerConfig(url="mqtt://127.0.0.1:9"), "gh", "icu")  # never started
    made = StationWindow(feed)
    qtbot.addWidget(made)
    made.show()
    return made


def test_forty_beds_going_offline_do_not_push_an_emergency_off_the_screen(
    look: None, qtbot: Any
) -> None:
    """An access point failed: 40 "device fault" boxes above the calls put an emergency
    4,000 px down the list."""
    station = window(qtbot)
    for bed in range(1, 121):
        station.on_item(BedHealth(str(bed), True, ()))
    for bed in range(1, 41):
        station.on_item(BedHealth(str(bed), False, ()))
    emergency = view("100", "emergency")
    station.on_item(queue(emergency, offline=tuple(str(b) for b in range(1, 41))))
    assert len(station.fault_lines) == FAULT_LINES_SHOWN
    assert "36 more beds have device faults" in station.fault_lines[-1]
    assert station.fault_lines[0].startswith("Device fault: bed 1")
    assert station.fault_lines[1].startswith("Device fault: bed 2"), "in bed order, not 1, 10"
    row = station.rows[emergency.id]
    qtbot.waitUntil(row.isVisible)
    assert row.mapTo(station, row.rect().topLeft()).y() < station.height() // 2


def test_a_bed_status_rebuilds_only_that_beds_card(look: None, qtbot: Any) -> None:
    """Every card was rebuilt for each status: a 200-bed window froze for a minute opening."""
    station = window(qtbot)
    for bed in range(1, 201):
        station.on_item(BedHealth(str(bed), True, ()))
    cards = dict(station._board_cards)
    assert list(cards) == [str(b) for b in range(1, 201)]
    station.on_item(BedHealth("57", True, ("camera_lost",)))
    changed = [bed for bed, card in station._board_cards.items() if card is not cards[bed]]
    assert changed == ["57"]
    assert station.board_cells("57")[1].property("state") == "bad"
    items = [station.board_layout.itemAt(i) for i in range(station.board_layout.count())]
    order = [item.widget() for item in items if item is not None]
    assert order == [station._board_cards[str(b)] for b in range(1, 201)], "still in bed order"


def test_an_emergency_row_says_it_is_cleared_at_the_bedside_instead_of_offering_resolve(
    look: None, qtbot: Any
) -> None:
    """The station refuses Resolve on an emergency (someone must be in the room); the button
    was there, pressing it changed nothing on screen, and the window sent it every 5 s."""
    station = window(qtbot)
    emergency, routine = view("3", "emergency"), view("4")
    station.on_item(queue(emergency, routine))
    refused = station.rows[emergency.id].resolve
    assert not refused.isEnabled() and refused.text() == "Clear at the bedside"
    allowed = station.rows[routine.id].resolve
    assert allowed.isEnabled() and allowed.text() == "Resolve"


def test_a_new_call_among_250_restyles_only_its_own_row(
    look: None, qtbot: Any, monkeypatch: Any
) -> None:
    from beckon.ui.station_window import QueueRow

    station = window(qtbot)
    calls = [view(str(b % 120 + 1), age_s=1000 - b) for b in range(250)]
    station.on_item(queue(*calls))
    restyled: list[str] = []
    show_view = QueueRow.show_view

    def counting(row: QueueRow, v: Any, label: str, high_contrast: bool) -> None:
        restyled.append(v.id)
        show_view(row, v, label, high_contrast)

    monkeypatch.setattr(QueueRow, "show_view", counting)
    newest = view("7", "urgent", age_s=1)
    station.on_item(queue(*calls, newest))
    assert restyled == [newest.id]
    shown = [station.queue_layout.itemAt(i) for i in range(station.queue_layout.count())]
    widgets = [item.widget() for item in shown if item is not None]
    ids = [w.request_id for w in widgets if isinstance(w, QueueRow)]
    assert ids[0] == newest.id, "an urgent call goes above routine ones"
    assert len(ids) == 251


def test_tab_reaches_the_rows_in_the_order_they_are_shown(look: None, qtbot: Any) -> None:
    """A new row joined the end of the focus chain: an emergency shown second came last."""
    station = window(qtbot)
    older = view("1", "routine", age_s=300)
    station.on_item(queue(older))
    emergency = view("2", "emergency", age_s=1)
    station.on_item(queue(older, emergency))
    top, second = station.rows[emergency.id], station.rows[older.id]
    assert top.ack.nextInFocusChain() is top.resolve
    assert top.resolve.nextInFocusChain() is second.ack
