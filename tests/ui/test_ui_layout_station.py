"""Issue 12, point 6, the station's half: the nurse-station window reflows at font scales up to
2.0 on a 1280x800 and a 1920x1080 screen, in English and in Korean; it never grows past the
screen and no text is cut off.

The window runs against a real Mosquitto and a real station service; the unit's beds are real
protocol messages (requests of every priority, a question answered, a tablet that vanished), so
the queue, the faults and the recent questions carry the text they carry on a ward. Then the
broker is stopped for the full-width outage banner. Each state is checked with
tests/helpers/layout.clipped and saved as a screenshot (under tmp, or ``BECKON_SHOTS_DIR``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from beckon.messaging import protocol as p
from tests.helpers.layout import keep_shot, settled_clipping
from tests.helpers.ward import BEDS, publish_ward
from tests.ui.conftest import SITE, UNIT, RecordingAlarm

SCREENS = {"tablet": (1280, 800), "desktop": (1920, 1080)}
WAIT_MS = 20_000

# Every scale up to 1.5 on both screens in English; 2.0 on both; Korean (longer button texts,
# wider glyphs) on the tablet, the narrow case, at the large scales. Each case runs a broker and
# a station for about 6 s, so not every combination.
CASES = [
    *((language, screen, scale) for scale in (1.0, 1.25, 1.5, 2.0) for screen in SCREENS
      for language in ("en",)),
    ("ko", "tablet", 1.5),
    ("ko", "tablet", 2.0),
]  # fmt: skip
QUESTION = {"en": "Would you like the light switched off?", "ko": "불을 꺼 드릴까요?"}
"""A question a nurse typed herself, in the window's language."""


def offline_station(qtbot: Any, size: tuple[int, int], alarm: Any = None) -> Any:
    """Nurse Lee's station window at ``size``, shown, its feed never started (no broker)."""
    from beckon.config import BrokerConfig
    from beckon.station.feed import StationFeed
    from beckon.ui.station_window import StationWindow

    feed = StationFeed(BrokerConfig(url="mqtt://127.0.0.1:9"), SITE, UNIT)
    window = StationWindow(feed, nurse="Nurse Lee", alarm=alarm or RecordingAlarm())
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    return window


@pytest.mark.parametrize(("language", "screen", "scale"), CASES)
def test_the_station_fits_the_screen_at_large_font_scales(
    qtbot: Any,
    scaled: Any,
    mosquitto: Any,
    rig: Any,
    windows: list[Any],
    tmp_path: Path,
    language: str,
    scale: float,
    screen: str,
) -> None:
    from beckon.config import BrokerConfig
    from beckon.station.feed import StationFeed
    from beckon.ui.station_window import StationWindow

    scaled(scale, "station", language)
    # Calls escalate within a second, so the rows carry their longest text: the overdue badge
    # (the emergency at level 3 after 0.9 s, the two urgent calls overdue after 0.6 s).
    rig.serve(rig.station({"escalation.emergency_s": 0.3, "escalation.urgent_s": 0.6}))
    width, height = SCREENS[screen]
    feed = StationFeed(BrokerConfig(url=mosquitto.url, keepalive=2), SITE, UNIT)
    window = StationWindow(
        feed, language=language, nurse="Nurse Alexandra Kim", alarm=RecordingAlarm()
    )
    qtbot.addWidget(window)
    windows.append(window)
    window.resize(width, height)
    window.start()
    window.show()
    publish_ward(mosquitto.port, SITE, UNIT)
    qtbot.waitUntil(lambda: len(window.rows) == len(BEDS), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(window.queue and window.queue.offline_beds), timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: any(
            row.view is not None and row.view.escalation >= 3 for row in window.rows.values()
        ),
        timeout=WAIT_MS,
    )
    window.ask_bed.setCurrentText("12")
    window.ask_text.setCurrentText(QUESTION[language])
    assert window.ask()
    qtbot.waitUntil(lambda: bool(window.question_rows()), timeout=WAIT_MS)
    out = Path(os.environ.get("BECKON_SHOTS_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)

    failures: list[str] = []

    def check(state: str) -> None:
        qtbot.wait(50)
        if (window.width(), window.height()) != (width, height):
            failures.append(f"{state}: the window grew to {window.width()}x{window.height()}")
        hint = window.minimumSizeHint()
        if hint.width() > width or hint.height() > height:
            failures.append(f"{state}: the window needs at least {hint.width()}x{hint.height()}")
        failures.extend(f"{state}: {problem}" for problem in settled_clipping(qtbot, window))
        tongue = "" if language == "en" else f"_{language}"
        keep_shot(window, out / f"station_{state}_{screen}_x{scale:g}{tongue}.png")

    check("queue")
    window.tabs.setCurrentIndex(1)
    check("history")
    window.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: len(window.board) == len(BEDS) + 1, timeout=WAIT_MS)
    check("beds")
    if window.questions_apart():  # 2.0 on the tablet: the question column has a tab
        window.tabs.setCurrentWidget(window.questions_page)
        check("questions")
    window.tabs.setCurrentIndex(0)
    mosquitto.stop()  # the broker is lost: the full-width banner
    qtbot.waitUntil(lambda: window.system_banner.isVisible(), timeout=WAIT_MS)
    check("outage")
    assert failures == [], "\n".join(failures)


def test_the_alert_band_says_no_alerts_in_one_line_and_gives_the_queue_the_rest(
    qtbot: Any, scaled: Any
) -> None:
    """The height kept for the alert banner (so rows never move under a click, point 10) was an
    empty two-line gap, 165 px at scale 1.5 on 1280x800. Now it is one banner line at the
    current scale, says "No alerts" when there is none, and the queue gets the rest."""
    from PyQt6.QtCore import QPoint

    scaled(1.5, "station")
    window = offline_station(qtbot, SCREENS["tablet"])
    qtbot.wait(50)
    assert not window.banner.isVisible()
    assert window.alert_calm.isVisible() and window.alert_calm.text() == "No alerts"
    # Beds with device faults are counted there: their lines sit under the calls, out of view.
    window.queue = p.UnitQueue(SITE, UNIT, p.now_iso(), offline_beds=("7", "9"))
    window._show_queue()
    assert window.alert_calm.text() == "device faults at 2 bed(s): see below"
    assert window.alert_calm.sizeHint().width() <= window.alert_band.width()
    # And the calls that wait, overdue or not: it said "No alerts" with 23 below the fold.
    calls = tuple(
        p.RequestView(
            p.new_request_id(),
            SITE,
            UNIT,
            bed,
            "water",
            "routine",
            "touch",
            "received",
            p.now_iso(),
            p.now_iso(),
            escalation=level,
        )
        for bed, level in (("3", 0), ("4", 2))
    )
    window.queue = p.UnitQueue(SITE, UNIT, p.now_iso(), calls, offline_beds=("7", "9"))
    window._show_queue()
    calm = window.alert_calm.text()
    assert calm == "2 waiting · 1 overdue · device faults at 2 bed(s): see below"
    assert window.alert_calm.sizeHint().width() <= window.alert_band.width()
    window.queue = p.UnitQueue(SITE, UNIT, p.now_iso(), offline_beds=("7", "9"))
    window._show_queue()
    one_line = window.banner.fontMetrics().lineSpacing()
    band = window.alert_band.height()
    assert band < 2 * one_line, f"the band is {band} px, two lines are {2 * one_line}"
    assert window.tabs.height() >= 503  # was 453 with the empty two-line band
    tabs_at = window.tabs.mapTo(window, QPoint(0, 0))
    window._banner("Bed 12 pressed EMERGENCY: Emergency, escalated (level 3)", True)
    qtbot.wait(50)
    assert window.banner.isVisible() and not window.alert_calm.isVisible()
    assert window.alert_band.height() == band
    assert window.tabs.mapTo(window, QPoint(0, 0)) == tabs_at  # the rows stay where they were
    assert settled_clipping(qtbot, window) == []


def test_no_sound_alone_takes_one_line_and_a_lost_station_may_take_more(
    qtbot: Any, scaled: Any
) -> None:
    """At 1.5 on 1280x800 "No sound device: alarms are silent. Watch this screen." took two
    lines (153 px) and, with the name's row, the alert band and the tabs, left room for one
    call. Alone, it is one line now; a lost broker or station still gets up to 3/10 of the
    window, its words whole."""
    import time

    from beckon.ui.sound import SilentAlarm
    from beckon.ui.station_window import SYSTEM_BANNER_SHARE
    from beckon.ui.widgets import px

    scaled(1.5, "station")
    window = offline_station(qtbot, SCREENS["tablet"], SilentAlarm())
    window.connected, window.stations = True, {"station-a": True}
    window._show_system(time.monotonic())
    banner = window.system_banner
    qtbot.waitUntil(banner.isVisible)
    assert window.system_faults == ["no_sound"]
    line = banner.fontMetrics().lineSpacing()
    text_h = banner.heightForWidth(banner.width()) - 2 * px(14) - 6  # padding and border
    assert text_h < 2 * line, f"{text_h} px of text, a line is {line}"
    assert banner.height() <= 800 // 8
    assert settled_clipping(qtbot, window) == []

    window.stations = {"station-a": False}  # the station service is gone: loud, more room
    window._show_system(time.monotonic())
    assert window.system_faults == ["station_lost", "no_sound"]
    qtbot.waitUntil(lambda: banner.height() > 800 // 8)
    assert banner.height() <= int(800 * SYSTEM_BANNER_SHARE)
    assert settled_clipping(qtbot, window) == []


@pytest.mark.parametrize(
    ("screen", "scale", "beside_tabs", "labelled"),
    [
        ("desktop", 1.0, False, True),
        ("tablet", 1.0, False, True),
        ("tablet", 1.5, True, True),
        ("tablet", 2.0, True, False),
    ],
)
def test_the_nurses_name_leaves_its_own_line_when_it_fits_beside_the_tabs(
    qtbot: Any, scaled: Any, screen: str, scale: float, beside_tabs: bool, labelled: bool
) -> None:
    """At 1.5 on 1280x800 "Your name:" and its field took a line of their own under the title
    and the chips, 75 px the calls did not get (one whole call showed). It goes beside the
    tabs when it does not fit beside the chips; where it fits there it stays. At 2.0 the four
    tabs ("Questions" has its own there) left it 60 px, and its own line took 100 px: there
    the tabs' sides tighten and the field goes alone, named by its placeholder, tooltip and
    accessible name, the typed name whole in it."""
    from beckon.ui.widgets import px

    scaled(scale, "station")
    window = offline_station(qtbot, SCREENS[screen])
    name = window.nurse
    qtbot.waitUntil(name.isVisible)
    assert (window.tabs.cornerWidget() is window.name_box) is beside_tabs
    assert window.name_label.isHidden() is not labelled, "the label goes only at 2.0"
    if not labelled:
        assert name.accessibleName() == "Your name" and name.toolTip() == "Your name"
        assert name.placeholderText() == "Nurse name"
    assert name.fontMetrics().horizontalAdvance(name.text()) < name.width() - px(20)
    on_tabs_line = name.mapTo(window, name.rect().center()).y()
    tabs = window.tabs.tabBar()
    tabs_line = tabs.mapTo(window, tabs.rect().center()).y()
    title_line = window.title.mapTo(window, window.title.rect().center()).y()
    line = tabs_line if beside_tabs else title_line
    assert abs(on_tabs_line - line) < name.height(), "the name shares its line"
    qtbot.wait(50)
    shown = name.visibleRegion().boundingRect()
    assert shown == name.rect(), f"the field is cut: {shown} of {name.rect()}"
    assert name.height() >= name.minimumSizeHint().height()
    assert settled_clipping(qtbot, window) == []
    name.setText("Nurse Alexandra Kim")  # still a field a nurse can type in
    assert name.text() == "Nurse Alexandra Kim"
    name.editingFinished.emit()
    assert name.cursorPosition() == 0, "a long name shows its beginning"


@pytest.mark.parametrize(
    ("screen", "scale", "apart"),
    [
        ("tablet", 1.0, False),
        ("tablet", 1.5, False),
        ("desktop", 2.0, False),
        ("tablet", 2.0, True),
    ],
)
def test_the_questions_get_a_tab_of_their_own_when_the_queue_cannot_hold_a_calls_buttons(
    qtbot: Any, scaled: Any, screen: str, scale: float, apart: bool
) -> None:
    """At 2.0 on 1280x800 the question column took 500 px: the queue beside it, 740 px wide,
    broke "Acknowledge" and "Clear at the bedside" onto two lines, and the first call's buttons
    lay below the window's edge. There the column moves to a tab of its own, the call's buttons
    share one line in view, and on that tab the question and its Ask button share a line in
    view too. Where the buttons fit beside the column, it stays, and it comes back when the
    window is wide enough again."""
    from dataclasses import replace

    from tests.helpers.station_views import queue, view

    scaled(scale, "station")
    window = offline_station(qtbot, SCREENS[screen])
    window.on_item(queue(replace(view("8", "emergency"), intent="emergency")))
    qtbot.wait(50)
    row = next(iter(window.rows.values()))
    assert window.questions_apart() is apart
    assert (window.tabs.indexOf(window.questions_page) >= 0) is apart
    assert row.ack.y() == row.resolve.y(), "the call's two buttons share a line"
    for button in (row.ack, row.resolve):
        assert button.visibleRegion().boundingRect() == button.rect(), "a button is cut off"
    if not apart:
        assert window.side_scroll.isVisible() and window.ask_button.isVisible()
        assert window.side_scroll.x() > row.mapTo(window, row.rect().topRight()).x()
        return
    assert window.tabs.tabText(window.tabs.indexOf(window.questions_page)) == "Questions"
    assert not window.ask_button.isVisible()
    window.tabs.setCurrentWidget(window.questions_page)
    qtbot.waitUntil(window.ask_button.isVisible)
    qtbot.wait(50)
    middle = window.ask_text.geometry().center().y()
    assert window.ask_button.geometry().top() < middle < window.ask_button.geometry().bottom()
    for widget in (window.ask_bed, window.ask_text, window.ask_button):
        assert widget.visibleRegion().boundingRect() == widget.rect(), "the form is cut off"
    assert settled_clipping(qtbot, window) == []
    window.tabs.setCurrentIndex(0)
    window.resize(*SCREENS["desktop"])
    qtbot.waitUntil(lambda: not window.questions_apart())
    qtbot.waitUntil(window.ask_button.isVisible)  # beside the queue again
    window.resize(*SCREENS[screen])
    qtbot.waitUntil(window.questions_apart)


def tab_from(widget: Any) -> Any:
    """The widget Tab moves the focus to from ``widget``."""
    from PyQt6.QtCore import Qt

    after = widget.nextInFocusChain()
    while not (
        after.isVisible()
        and after.isEnabled()
        and after.focusPolicy() & Qt.FocusPolicy.TabFocus == Qt.FocusPolicy.TabFocus
    ):
        after = after.nextInFocusChain()
    return after


def test_a_row_is_one_line_on_a_desk_screen_and_stacks_on_a_tablet_at_scale_2(
    qtbot: Any, scaled: Any
) -> None:
    """At 2.0 on 1280x800 a row's first line needed up to 935 px and its buttons 836, in a
    queue 780 wide. A row now takes the widest shape its width holds: one line at scale 1 on a
    desk screen, as before; stacked at 2.0 on the tablet in Korean (the question column beside
    the queue: its buttons fit there), with nothing cut off. The shape follows the width both
    ways (a row too wide for the queue never gets stuck there), and the buttons keep their Tab
    order. A call open for months ("15000:00:00") puts its age on a line of its own rather
    than cut it. (In English the column takes a tab of its own there, and the rows the
    window's width: the test above.)"""
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta

    from beckon.ui.station_window import StationWindow
    from tests.helpers.station_views import iso, queue, view

    now = datetime.now(UTC)
    fresh = (
        replace(view("8", "emergency"), intent="emergency"),
        replace(view("5", "urgent"), intent="pain"),
        replace(view("12", state="acknowledged"), intent="reposition"),
    )
    old = replace(view("14"), created_at=iso(now - timedelta(hours=15_000)))
    calls = (*(replace(c, created_at=iso(now - timedelta(seconds=30))) for c in fresh), old)

    def station(scale: float, size: tuple[int, int], language: str = "en") -> StationWindow:
        scaled(scale, "station", language)
        window: StationWindow = offline_station(qtbot, size)
        window.on_item(queue(*calls))
        return window

    def shapes(window: StationWindow) -> list[str | None]:
        qtbot.wait(50)
        return [window.rows[c.id].shape for c in calls]

    desk = station(1.0, SCREENS["desktop"])
    assert shapes(desk) == ["one_line"] * 4
    desk.close()

    tablet = station(2.0, SCREENS["tablet"], "ko")
    assert not tablet.questions_apart()
    assert shapes(tablet) == ["stacked"] * 3 + ["narrow"]
    assert settled_clipping(qtbot, tablet) == []
    assert tablet.minimumSizeHint().width() <= SCREENS["tablet"][0]
    tablet.resize(*SCREENS["desktop"])
    assert "stacked" not in shapes(tablet)
    tablet.resize(*SCREENS["tablet"])
    assert shapes(tablet) == ["stacked"] * 3 + ["narrow"]
    rows = sorted(tablet.rows.values(), key=lambda row: row.y())  # as shown
    chain = [b for row in rows for b in (row.ack, row.resolve) if b.isVisible() and b.isEnabled()]
    assert [tab_from(b) for b in chain[:-1]] == chain[1:]  # the buttons moved, not their order
    assert rows[0].ack.accessibleName().startswith(f"{rows[0].ack.text()}: 8")


def test_a_chosen_preset_question_shows_its_beginning_in_a_narrow_field(
    qtbot: Any, scaled: Any
) -> None:
    """At 1.5 on a tablet the question field is a few words wide: a chosen preset showed its
    end ("comfortable?"), because the field keeps its cursor after the text. The nurse reads
    the question from its first word; what she types herself still goes where she types."""
    scaled(1.5, "station")
    window = offline_station(qtbot, SCREENS["tablet"])
    field = window.ask_text
    if window.questions_apart():
        window.tabs.setCurrentWidget(window.questions_page)
    qtbot.waitUntil(field.isVisible)
    edit = field.lineEdit()
    longest = max(range(field.count()), key=lambda i: len(field.itemText(i)))
    assert edit.fontMetrics().horizontalAdvance(field.itemText(longest)) > edit.width(), (
        "the field is wide enough for every preset: this test checks nothing"
    )
    field.setCurrentIndex(longest)
    assert edit.text() == field.itemText(longest)
    assert edit.cursorPosition() == 0
    edit.end(False)
    qtbot.keyClicks(edit, " now")
    assert edit.text().endswith(" now")


@pytest.mark.parametrize("scale", [1.75, 2.0])
def test_on_a_1024_px_screen_the_tabs_tighten_even_when_the_name_has_its_own_line(
    qtbot: Any, scaled: Any, scale: float
) -> None:
    """A nurse's PC with a 1024 x 768 screen at 1.75 or 2.0: the four tabs with their usual
    padding were wider than the window (cut off at the right), because only a name placed
    beside them tightened them; here the name has a line of its own."""
    scaled(scale, "station")
    window = offline_station(qtbot, (1024, 768))
    qtbot.waitUntil(window.nurse.isVisible)
    assert window.tabs.cornerWidget() is not window.name_box
    assert settled_clipping(qtbot, window) == []
