"""Issue 12, point 6: the bedside window reflows at font scales up to 1.5 on a 1280x800 tablet
and a 1920x1080 screen: it never grows past the screen and no text is cut off.

Each case renders the real window (offscreen) in the states that carry the most text, grabs a
screenshot (kept under tmp, or in ``BECKON_SHOTS_DIR`` to refresh docs/screenshots/) and checks
every visible label and button against its own size hint: a word-wrapped label must get the
height its text needs at its width, anything else its full hint, and all of it inside the
screen. What scrolls (the request's steps at large scales) is exempt, Cancel is not.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from beckon.bedside import events as ev
from beckon.bedside.interaction import MenuView
from beckon.bedside.timeline import RequestTrack
from tests.helpers.layout import clipped, clipped_inside, keep_shot, settle, settled_clipping
from tests.helpers.windows import bed12_window, rest_away

LONG_QUESTION = "Would you like us to call your daughter and tell her you are awake?"
"""A nurse's longer question: at font scale 1.5 on 1280 x 800 its last word was cut off."""
SCREENS = {"tablet": (1280, 800), "desktop": (1920, 1080)}
ITEMS = ["nurse", "water", "pain", "toilet", "reposition", "emergency"]


def out_of_view(window: Any) -> list[str]:
    """The patient's earlier messages shown on the timeline that need scrolling to be seen."""
    viewport = window.timeline_scroll.viewport()
    at = window.timeline_scroll.verticalScrollBar().value()
    late = []
    for line in [line for line in window.timeline_panel.recent if line.isVisible()]:
        bottom = line.mapTo(viewport, line.rect().bottomLeft()).y()
        if bottom > viewport.height() or at:
            late.append(f"{line.text()[:20]!r} needs scrolling ({bottom} px)")
    return late


def hidden_tiles(window: Any) -> list[str]:
    """The request tiles not shown whole while the menu is on screen (a rebuilt grid once left
    its new tiles hidden, which no clipping check can see)."""
    if window.pages.currentWidget() is not window.tiles_page:
        return []
    area = window.tiles_page.rect()
    problems = []
    for code, tile in window.tiles.items():
        box = tile.geometry()
        if not tile.isVisible() or box.isEmpty() or not area.contains(box):
            problems.append(f"the {code} tile is not shown whole ({box}, in {area})")
    return problems


def newest_out_of_view(window: Any, *, headline: bool = True) -> list[str]:
    """The newest request's name and (with ``headline``) its headline's first line, if not
    inside the viewport."""
    viewport = window.timeline_scroll.viewport()
    panel = window.timeline_panel
    late = []
    for label in (panel.intent, panel.headline) if headline else (panel.intent,):
        top = label.mapTo(viewport, label.rect().topLeft()).y()
        first_line = top + label.fontMetrics().lineSpacing()
        if top < 0 or first_line > viewport.height():
            late.append(f"the newest request's {label.text()[:20]!r} is out of view ({top} px)")
    return late


def offline_bedside(
    qtbot: Any, tmp_path: Path, width: int, height: int, language: str = "en"
) -> Any:
    """Bed 12's window at ``width`` x ``height``, shown, its broker unreachable (nothing
    listens: the offline states)."""
    window = bed12_window(
        qtbot,
        tmp_path,
        language=language,
        bedside_offered_intents=ITEMS,
        broker_url="mqtt://127.0.0.1:9",
    )
    window.resize(width, height)
    window.show()
    return window


def show_config_fault(window: Any) -> None:
    """The offline states' configuration fault, in its banner."""
    window.fault = "Configuration: bedside.offered_intents 'watr' left out. Call IT."
    window.fault_banner.setText(window.fault)
    window._show_banner(window.fault_banner, True)


@pytest.mark.parametrize(
    ("scale", "resting_away"),
    [
        (1.0, False),
        (1.25, False),
        (1.5, False),
        (2.0, False),
        (1.0, True),
        (1.25, True),
        (1.5, True),
        (2.0, True),
    ],
)
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_the_bedside_fits_the_screen_at_large_font_scales(
    qtbot: Any,
    scaled: Any,
    tmp_path: Path,
    scale: float,
    screen: str,
    resting_away: bool,
) -> None:
    """``resting_away``: the patient rests far from his learned rest, and the large calm line
    that says so (``rest_note``) gives way where it would push anything off: on 1280 x 800 at 1.5
    it pushed Yes and No to 693-822 px of 800 and cut the nurse's question (rev45a)."""
    scaled(scale, "bedside")
    width, height = SCREENS[screen]
    window = offline_bedside(qtbot, tmp_path, width, height)
    if resting_away:
        rest_away(window, qtbot, tmp_path)
    window.staff.unlock()
    out = Path(os.environ.get("BECKON_SHOTS_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)

    states: dict[str, list[ev.BedsideEvent]] = {
        "offering": [ev.MenuChanged(MenuView(tuple(ITEMS), "water", "offering"), 0.0)],
        "question": [
            ev.QuestionAsked("q1", LONG_QUESTION, "Nurse Alexandra"),
            ev.MenuChanged(
                MenuView(
                    tuple(ITEMS),
                    None,
                    "question",
                    question=LONG_QUESTION,
                ),
                0.0,
            ),
        ],
        "done": [ev.MenuChanged(MenuView(tuple(ITEMS), "pain", "offering"), 0.0)],
        "offline": [
            ev.MenuChanged(MenuView(tuple(ITEMS), "toilet", "offering"), 0.0),
            ev.ConnectionChanged(False),
            ev.StationChanged(False),
        ],
    }
    failures = []
    for state, events in states.items():
        # The newest step by step and the patient's four messages before it, with times.
        window.timeline.tracks = [
            RequestTrack("r1", "reposition", "acknowledged", "Nurse Alexandra Kim"),
            RequestTrack("r0", "water", "resolved"),
            RequestTrack("r-1", "pain", "acknowledged", "Nurse Alexandra Kim"),
            RequestTrack("r-2", "toilet", "cancelled"),
            RequestTrack("r-3", "nurse", "resolved"),
        ]
        for e in events:
            window.on_event(e)
        if state == "done":  # the newest is resolved: the earlier messages move up
            window.timeline.tracks[0].state = "resolved"
        if state == "offline":
            window.timeline.tracks.insert(0, RequestTrack("r2", "toilet", "saved"))
            del window.timeline.tracks[5:]
            window.timeline.online = False
            show_config_fault(window)
        window._show_timeline()
        window._poll()
        qtbot.wait(50)
        assert (window.width(), window.height()) == (width, height), (
            f"{state}: the window grew to {window.width()}x{window.height()}"
        )
        problems = settled_clipping(qtbot, window, scrolled=(window.timeline_scroll,))
        failures += [f"{state}: {p}" for p in problems + hidden_tiles(window)]
        # The timeline scrolls down at large scales, but nothing in it may be cut off at the
        # side or squeezed below the height its text needs: the recent messages included.
        failures += [f"{state}: {p}" for p in clipped_inside(window.timeline_scroll, window)]
        # Without touching the screen: the earlier messages are inside the timeline's visible
        # part in every state, also while the newest request is open (its steps come after). All
        # four at scale 1; at larger scales at least the newest of them, and whatever is shown.
        # Not met yet: the offline state on the tablet above scale 1 with a configuration fault,
        # where the fault and the cannot-reach banners leave the timeline about 160 px (77 px
        # while a second banner repeated "saved and will be sent"). There the newest request
        # itself must be in view: its name, and the first line of what is happening to it.
        # At scale 2 the same on the tablet in every state and on the desktop offline; on the
        # tablet offline only the newest's name is in view (its headline needs scrolling),
        # whole like everything else in the timeline.
        gap = state == "offline" and screen == "tablet" and scale > 1.0
        gap = gap or (scale >= 2.0 and (screen == "tablet" or state == "offline"))
        if gap:
            headline = not (state == "offline" and screen == "tablet" and scale >= 2.0)
            failures += [f"{state}: {p}" for p in newest_out_of_view(window, headline=headline)]
        # The lines are fitted once the panel's layout has settled (a few event loop turns).
        deadline = time.monotonic() + 5.0
        while not gap and out_of_view(window) and time.monotonic() < deadline:
            qtbot.wait(50)
        failures += [f"{state}: {p}" for p in ([] if gap else out_of_view(window))]
        recent = window.timeline_panel.recent
        shown = [line for line in recent if line.isVisible()]
        # Older ones may give way at large scales, and while the offline notices take the height.
        wanted = 4 if scale == 1.0 and state != "offline" else 1
        if len(shown) < wanted or not recent[0].isVisible():
            failures.append(f"{state}: {len(shown)} of the four earlier messages are shown")
        if not all(line.text()[:5].count(":") == 1 for line in shown):
            failures.append(f"{state}: the earlier messages are shown without their times")
        if resting_away and state == "question" and window.rest_note.isVisible():
            failures.append("question: the rest note is shown above the nurse's question")
        shot = f"bedside_{state}_{screen}_x{scale:g}{'_away' if resting_away else ''}.png"
        keep_shot(window, out / shot)
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize(
    ("scale", "resting_away"), [(1.0, False), (1.5, False), (1.0, True), (1.25, True), (1.5, True)]
)
def test_a_portrait_tablet_shows_the_request_panel_below_the_tiles(
    qtbot: Any, scaled: Any, tmp_path: Path, scale: float, resting_away: bool
) -> None:
    """An 800 x 1280 tablet on a bed arm: side by side, the window needed 864 px at scale 1 and
    1251 at 1.5, so the request panel, Cancel and Staff were off the screen. The body now turns:
    tiles above, the patient's request below, the window as wide as the screen, and the tiles,
    a long question and its Yes and No whole. ``resting_away``: the rest note must not push the
    newest request's status out of view ("Nurse ..." went at 1.25 and 1.5, rev45a2)."""
    from PyQt6.QtWidgets import QBoxLayout

    scaled(scale, "bedside")
    window = offline_bedside(qtbot, tmp_path, 800, 1280)
    if resting_away:
        rest_away(window, qtbot, tmp_path)
    window.timeline.tracks = [
        RequestTrack("r1", "reposition", "acknowledged", "Nurse Alexandra Kim"),
        RequestTrack("r0", "water", "resolved"),
        RequestTrack("r-1", "pain", "acknowledged", "Nurse Alexandra Kim"),
    ]
    window._show_timeline()
    failures: list[str] = []
    states: dict[str, list[ev.BedsideEvent]] = {
        "offering": [ev.MenuChanged(MenuView(tuple(ITEMS), "water", "offering"), 0.0)],
        "question": [
            ev.QuestionAsked("q1", LONG_QUESTION, "Nurse Lee"),
            ev.MenuChanged(MenuView(tuple(ITEMS), None, "question", question=LONG_QUESTION), 0.0),
        ],
    }
    for state, events in states.items():
        for e in events:
            window.on_event(e)
        qtbot.wait(50)
        assert window.width() == 800, f"{state}: the window grew to {window.width()} px"
        assert window.body.direction() == QBoxLayout.Direction.TopToBottom
        panel = window.timeline_scroll.mapTo(window, window.timeline_scroll.rect().topLeft())
        assert panel.x() >= 0 and panel.x() + window.timeline_scroll.width() <= 800
        cancel = window.timeline_panel.cancel
        assert cancel.mapTo(window, cancel.rect().bottomRight()).x() <= 800
        deadline = time.monotonic() + 5.0
        while clipped(window, only=window.pages) and time.monotonic() < deadline:
            qtbot.wait(50)
        failures += [f"{state}: {p}" for p in clipped(window, only=window.pages)]
        if state == "offering" and scale < 1.5:
            failures += [f"{state}: {p}" for p in newest_out_of_view(window)]
        keep_shot(window, tmp_path / f"bedside_{state}_portrait_x{scale:g}.png")
    assert failures == [], "\n".join(failures)


def overlaps(window: Any, widgets: list[Any]) -> list[str]:
    """Pairs of ``widgets`` drawn over each other, or one reaching outside the page area."""
    from PyQt6.QtCore import QRect

    def rect(w: Any) -> Any:
        return QRect(w.mapTo(window, w.rect().topLeft()), w.size())

    area = rect(window.pages)
    found = [
        f"{w.text()!r} reaches outside the page" for w in widgets if not area.contains(rect(w))
    ]
    for i, a in enumerate(widgets):
        found += [
            f"{a.text()!r} over {b.text()!r}"
            for b in widgets[i + 1 :]
            if rect(a).intersects(rect(b))
        ]
    return found


@pytest.mark.parametrize("resting_away", [False, True])
@pytest.mark.parametrize("scale", [1.0, 1.5])
@pytest.mark.parametrize("size", [(1024, 600), (1280, 800)])
def test_a_short_tablet_shows_a_question_and_its_yes_and_no_whole(
    qtbot: Any,
    scaled: Any,
    tmp_path: Path,
    scale: float,
    size: tuple[int, int],
    resting_away: bool,
) -> None:
    """A 1024 x 600 tablet at font scale 1.5: the banner above the question took two lines,
    Yes and No were pushed off the screen, over each other and over "Nod for yes, shake your
    head for no.". On a short window the banner now gives way and Yes and No get smaller; the
    same for the touch confirmation ("Send “Water”?"). ``resting_away``: with the patient
    resting far from his rest, whose large calm line (``rest_note``) put Yes and No at 480-609
    px of 600 at 1.5 (rev45a): it gives way to a question and a confirmation."""
    from PyQt6.QtWidgets import QLabel

    scaled(scale, "bedside")
    window = offline_bedside(qtbot, tmp_path, *size)
    if resting_away:
        rest_away(window, qtbot, tmp_path)
    window.timeline.tracks = [
        RequestTrack("r1", "reposition", "acknowledged", "Nurse Alexandra Kim"),
        RequestTrack("r0", "water", "resolved"),
        RequestTrack("r-1", "pain", "acknowledged", "Nurse Alexandra Kim"),
    ]
    window._show_timeline()
    window.on_event(ev.QuestionAsked("q1", LONG_QUESTION, "Nurse Lee"))
    window.on_event(
        ev.MenuChanged(MenuView(tuple(ITEMS), None, "question", question=LONG_QUESTION), 0.0)
    )
    question_page = window.pages.currentWidget()
    hint = [
        label
        for label in question_page.findChildren(QLabel)
        if label.text().startswith("Nod for yes")
    ]
    failures: list[str] = []
    for state, widgets in (
        ("question", [window.question_text, window.yes_button, window.no_button, *hint]),
        ("confirm", [window.confirm_text, window.confirm_yes, window.confirm_no]),
    ):
        if state == "confirm":
            window.touch_tile("water")
        deadline = time.monotonic() + 5.0
        while (clipped(window, only=window.pages) or overlaps(window, widgets)) and (
            time.monotonic() < deadline
        ):
            qtbot.wait(50)
        assert (window.width(), window.height()) == size
        failures += [f"{state}: {p}" for p in clipped(window, only=window.pages)]
        failures += [f"{state}: {p}" for p in overlaps(window, widgets)]
        if window.rest_note.isVisible():
            failures.append(f"{state}: the rest note is shown above Yes and No")
        keep_shot(window, tmp_path / f"bedside_{state}_{size[0]}_x{scale:g}.png")
    assert len(hint) == 1
    assert failures == [], "\n".join(failures)


SHORT_TABLET_CASES = [
    (scale, language, fault)
    for scale in (1.0, 1.25, 1.5)
    for language in ("en", "ko")
    for fault in (True, False)
]


@pytest.mark.parametrize(
    ("scale", "language", "requests", "fault"),
    [
        (1.0, "en", False, False),
        (1.5, "en", False, False),
        *((scale, language, True, fault) for scale, language, fault in SHORT_TABLET_CASES),
    ],
)
def test_a_short_tablet_shows_every_tile_whole_with_the_cancel_entry(
    qtbot: Any,
    qapp: Any,
    tmp_path: Path,
    scale: float,
    language: str,
    requests: bool,
    fault: bool,
) -> None:
    """1024 x 600 at font scale 1.5 with six requests and "Cancel “Move me”": the banner took
    two lines and the tiles' names were cut ("mergenc", "Cancel Move" half out). On a short
    window the banner's type is smaller. At scale 1 offline with two requests, "Cancel “Move
    me”" and "자세를 바꿔 주세요 요청 취소" were cut at 24 px (two lines in 33 px) once no
    name went below 24: a name steps lower rather than be cut (``last_name_px``). At 1.25
    offline the cancel entry was cut on two lines of 22 px in one column beside two empty
    cells (it takes the rest of its row now), and without the fault "Call the nurse" at 22 px
    and "간호사 불러 주세요" at 24 (the window gives way as for a folded fault notice); at
    1.5 with the fault "Call the nurse" and the cancel entry, on two lines of 24 px in 49."""
    from beckon.bedside.interaction import CANCEL_REQUEST
    from beckon.ui.app import Look, application, install_translation

    application(Look(language, "calm", scale), "bedside")
    try:
        if requests:
            window = offline_with_requests(qtbot, tmp_path, (1024, 600), language, fault)
        else:
            window = offline_bedside(qtbot, tmp_path, 1024, 600, language=language)
        items = (*ITEMS, CANCEL_REQUEST)
        view = MenuView(items, CANCEL_REQUEST, "offering", cancels="reposition")
        window.on_event(ev.MenuChanged(view, 0.0))
        # New tiles are shown a turn of the event loop later; until then nothing is checked.
        qtbot.waitUntil(lambda: all(tile.isVisible() for tile in window.tiles.values()))
        settle(qtbot, window)
        # A cut that lasts folds the fault notice or gives way (``_fold``): checked after it.
        qtbot.waitUntil(lambda: not window._fold_timer.isActive())
        assert settled_clipping(qtbot, window, scrolled=(window.timeline_scroll,)) == []
        assert not window._fold_timer.isActive(), "settled: no cut pending"
        # Given all it can, a name still under 24 px (22 at 1.25) starts no fold again: each
        # new fit of the tiles started the timer for nothing, and a loaded CI machine caught
        # it pending here.
        window._even_tiles()
        assert not window._fold_timer.isActive(), "a new fit: no fold pending"
        if language == "en":
            assert window.tiles[CANCEL_REQUEST].label.text() == "Cancel “Move me”"
        shot = f"bedside_cancel_entry_1024_x{scale:g}_{language}_{requests}_{fault}.png"
        keep_shot(window, tmp_path / shot)
    finally:
        application(Look("en"), "bedside")
        install_translation("en")


@pytest.mark.parametrize(("scale", "language", "fault"), SHORT_TABLET_CASES)
def test_a_short_tablet_shows_every_tile_name_whole_offline_with_or_without_the_fault(
    qtbot: Any, qapp: Any, tmp_path: Path, scale: float, language: str, fault: bool
) -> None:
    """1024 x 600 at font scale 1.5 in Korean, offline with the configuration fault: the
    notices left the tiles 204 px, three columns of tiles 96 px high, and "간호사 불러 주세요"
    and "자세를 바꿔 주세요" took two lines at the names' least (27 px) and were cut. A cut
    name cannot be read: the names step down to the size read at 1 m (24 px) or take another
    column count, whichever shows each whole (``least_name_px``, ``columns_with_icons``).
    At 1.25 with the fault "Call the nurse" was cut at 22 px in every column count: the fault
    notice folds to one line there (``test_where_a_name_would_be_cut_the_fault_notice_...``)."""
    from beckon.ui.app import Look, application, install_translation

    application(Look(language, "calm", scale), "bedside")
    try:
        window = offline_with_requests(qtbot, tmp_path, (1024, 600), language, fault)
        qtbot.waitUntil(lambda: not window._fold_timer.isActive())  # folded, if it folds
        assert settled_clipping(qtbot, window, scrolled=(window.timeline_scroll,)) == []
        # Lower only where 24 px would cut a name and nothing gives way (``last_name_px``).
        assert name_px(window) >= 24, "read at 1 m (bedside_model.READABLE_PX)"
        keep_shot(window, tmp_path / f"bedside_names_1024_{scale:g}_{language}_{fault}.png")
    finally:
        application(Look("en"), "bedside")
        install_translation("en")


@pytest.mark.parametrize("language", ["en", "ko"])
def test_where_a_name_would_be_cut_the_fault_notice_folds_to_one_line_and_opens_on_a_tap(
    qtbot: Any, qapp: Any, tmp_path: Path, language: str
) -> None:
    """1024 x 600 at font scale 1.25, offline with the configuration fault: "Call the nurse"
    (and "간호사 불러 주세요") was cut at 22 px in every column count, below the 24 px read at
    1 m; the window is not cramped there, and cramped the notices' 3/4 type would be 22 px.
    The fault notice gives way instead: one line in its own type, the start (what is wrong)
    and the end (what to do) in view, the whole text its tooltip and what a screen reader
    hears, and shown whole again on a tap. The patient's notice and line stay whole.

    In Korean the fault is still the service's English one: the faults that take lines are
    the configuration's and the outbox's, for IT, in the configuration's own words; the one
    fault the bedside translates ("The bedside service stopped: call IT.") takes one line
    there and never folds (its elision in Korean: ``test_a_folded_notice_keeps_...``)."""
    from PyQt6.QtCore import Qt

    from beckon.ui.app import Look, application, install_translation

    application(Look(language, "calm", 1.25), "bedside")
    try:
        window = offline_with_requests(qtbot, tmp_path, (1024, 600), language, True)
        notice = window.fault_banner
        # Cut at 24 px, a name steps lower for the moment until the notice folds.
        qtbot.waitUntil(lambda: notice.folded and name_px(window) >= 24)
        assert settled_clipping(qtbot, window, scrolled=(window.timeline_scroll,)) == []
        assert name_px(window) >= 24, "read at 1 m (bedside_model.READABLE_PX)"
        padding = notice.height() - notice.contentsRect().height()

        def lines() -> float:
            text = notice.heightForWidth(notice.width()) - padding
            return text / notice.fontMetrics().lineSpacing()

        assert lines() < 1.5, notice.text()
        assert notice.text().startswith("Configuration: ") and notice.text().endswith("Call IT.")
        assert notice.toolTip() == notice.accessibleName() == window.fault
        assert notice.font().pixelSize() == round(24 * 1.25), "its own type, not smaller"
        for beside in (window.reach_banner, window.stage_banner):
            assert readable_at_1m(beside) and "…" not in beside.text()
        out = Path(os.environ.get("BECKON_SHOTS_DIR") or tmp_path)
        out.mkdir(parents=True, exist_ok=True)
        keep_shot(window, out / f"bedside_fault_folded_1024_x1.25_{language}.png")
        qtbot.mouseClick(notice, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: notice.text() == window.fault)
        assert lines() > 1.5, "whole, on two lines"
    finally:
        application(Look("en"), "bedside")
        install_translation("en")


def folds_of(notice: Any) -> list[bool]:
    """Every fold (True) and unfold (False) of ``notice`` from now on."""
    changes: list[bool] = []
    set_folded = notice.set_folded

    def spy(on: bool) -> bool:
        changed: bool = set_folded(on)
        if changed:
            changes.append(on)
        return changed

    notice.set_folded = spy
    return changes


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_folded_fault_notice_stays_folded_as_requests_move_on_and_the_cancel_entry_comes(
    qtbot: Any, qapp: Any, tmp_path: Path, language: str
) -> None:
    """1024 x 600 at 1.25, offline with the fault, the notice folded: every change of the
    tiles' room unfolded it and 250 ms later it folded again, so for 300 ms the notice took
    its lines, the chips came back, the request panel widened and the names were cut, at
    each status of a request ("acknowledged", "resolved": the panel's new width) and when
    the cancel entry came. It unfolds only where the names would be whole with it whole."""
    from beckon.bedside.interaction import CANCEL_REQUEST
    from beckon.ui.app import Look, application, install_translation

    application(Look(language, "calm", 1.25), "bedside")
    try:
        window = offline_with_requests(qtbot, tmp_path, (1024, 600), language, True)
        notice = window.fault_banner
        qtbot.waitUntil(lambda: notice.folded and not window._fold_timer.isActive())
        changes = folds_of(notice)
        earlier = [RequestTrack("r2", "toilet", "saved"), RequestTrack("r1", "water", "resolved")]
        for state in ("sent", "received", "acknowledged", "resolved"):
            by = "Nurse Lee" if state in ("acknowledged", "resolved") else None
            window.timeline.tracks = [RequestTrack("r3", "nurse", state, by=by), *earlier]
            window._show_timeline()
            settle(qtbot, window)
            assert changes == [], f"{state}: unfolded"
        view = MenuView((*ITEMS, CANCEL_REQUEST), CANCEL_REQUEST, "offering", cancels="toilet")
        window.on_event(ev.MenuChanged(view, 0.0))
        qtbot.waitUntil(lambda: all(tile.isVisible() for tile in window.tiles.values()))
        settle(qtbot, window)
        assert changes == [], "the cancel entry: unfolded"
        assert notice.folded
    finally:
        application(Look("en"), "bedside")
        install_translation("en")


def test_where_the_names_fit_the_fault_notice_stays_whole(
    qtbot: Any, qapp: Any, tmp_path: Path
) -> None:
    """1280 x 800 at 1.5, offline with the fault: the names are whole beside the whole notice
    (a cut for a moment as the window settled folded it once)."""
    from beckon.ui.app import Look, application, install_translation

    application(Look("en", "calm", 1.5), "bedside")
    try:
        window = offline_with_requests(qtbot, tmp_path, (1280, 800), "en", True)
        qtbot.waitUntil(lambda: not window._fold_timer.isActive())
        assert not window.fault_banner.folded
        assert window.fault_banner.text() == window.fault
        assert settled_clipping(qtbot, window, scrolled=(window.timeline_scroll,)) == []
        assert name_px(window) >= 24
    finally:
        application(Look("en"), "bedside")
        install_translation("en")


def test_a_tap_keeps_the_folded_notice_whole_across_a_refold_until_a_second_tap(
    qtbot: Any,
) -> None:
    """A nurse taps the folded notice to read it (``FoldingNotice.OPEN_MS``): the next fold
    (after any change of the tiles' room) elided it again mid-read. It stays whole until its
    time is up or a second tap folds it."""
    from PyQt6.QtCore import Qt

    text = "Configuration: bedside.offered_intents 'watr' left out. Call IT."
    notice = folded_notice(qtbot, text, 300)
    assert "…" in notice.text()
    qtbot.mouseClick(notice, Qt.MouseButton.LeftButton)
    assert notice.text() == text
    notice.set_folded(False)
    notice.set_folded(True)
    assert notice.text() == text, "still open"
    qtbot.mouseClick(notice, Qt.MouseButton.LeftButton)
    assert "…" in notice.text(), "a second tap folds it"
    notice.stop()


def folded_notice(qtbot: Any, text: str, width: int) -> Any:
    """A fault notice alone, ``width`` px wide, showing ``text`` folded."""
    from beckon.ui.widgets import FoldingNotice

    notice = FoldingNotice()
    qtbot.addWidget(notice)
    notice.setText(text)
    notice.resize(width, 60)
    notice.show()
    notice.set_folded(True)
    return notice


def test_a_folded_notice_keeps_the_start_and_end_of_a_korean_text(qtbot: Any) -> None:
    """The one fault the bedside translates, folded in a narrow notice: elided in the middle,
    its start and end in view, the whole text its tooltip."""
    text = "침상 서비스가 멈췄습니다. 전산실에 연락하세요."
    notice = folded_notice(qtbot, text, 200)
    start, _, end = notice.text().partition("…")
    assert start and end and text.startswith(start) and text.endswith(end)
    assert notice.toolTip() == notice.accessibleName() == text


def test_closing_the_bedside_stops_the_notice_timers(qtbot: Any, qapp: Any, tmp_path: Path) -> None:
    """``shutdown`` leaves no timer of the folding notice running: a fold pending and a tap's
    open text, as after a window left at 1024 x 600 at 1.25 with the fault."""
    from PyQt6.QtCore import Qt

    from beckon.ui.app import Look, application, install_translation

    application(Look("en", "calm", 1.25), "bedside")
    try:
        window = offline_with_requests(qtbot, tmp_path, (1024, 600), "en", True)
        notice = window.fault_banner
        qtbot.waitUntil(lambda: notice.folded)
        qtbot.mouseClick(notice, Qt.MouseButton.LeftButton)
        window._fold_timer.start()
        window.shutdown()
        assert not window._fold_timer.isActive()
        assert not notice._open.isActive()
    finally:
        application(Look("en"), "bedside")
        install_translation("en")


@pytest.mark.parametrize(
    ("scale", "language", "fault"), [(1.25, "ko", True), (1.25, "en", True), (2.0, "en", False)]
)
def test_a_name_wrapped_beside_its_icon_leaves_the_icon_the_width_its_lines_do_not_take(
    qtbot: Any, qapp: Any, tmp_path: Path, scale: float, language: str, fault: bool
) -> None:
    """On the 1280 x 800 tablet offline, two columns with the icons beside the names: a name
    that wraps ("간호사 불러 주세요", "Call the nurse") took the whole width the least icon
    left, its lines centred in it, and every icon was the least, 32 px at scale 1 (40 px at
    1.25 in Korean, beside names of 37 px; 64 at 2.0). The name is as wide as its widest
    line, and the icon takes the rest: larger than its least, the names as large as before."""
    from PyQt6.QtCore import Qt
    from PyQt6.QtGui import QFontMetrics

    from beckon.ui.app import Look, application, install_translation
    from beckon.ui.widgets import px

    application(Look(language, "calm", scale), "bedside")
    try:
        window = offline_with_requests(qtbot, tmp_path, (1280, 800), language, fault)
        qtbot.waitUntil(lambda: len(icon_sizes(window)) == 1, timeout=3000)
        wrapped = []
        for tile in window.tiles.values():
            label = tile.label
            lines = QFontMetrics(label.font()).boundingRect(
                0, 0, label.width(), 1 << 20, Qt.TextFlag.TextWordWrap.value, label.text()
            )
            if (
                tile.even is not None
                and tile.even.beside
                and lines.height() > 1.5 * (label.fontMetrics().lineSpacing())
            ):
                wrapped.append(label.text())
                assert label.width() <= lines.width() + px(4), f"{label.text()!r}: empty width"
        assert wrapped, "a name wraps beside its icon here"
        icons = icon_sizes(window)
        assert min(icons) > px(32), f"the icons {icons} beside the wrapped names {wrapped}"
        keep_shot(window, tmp_path / f"bedside_wrapped_{scale:g}_{language}_{fault}.png")
    finally:
        application(Look("en"), "bedside")
        install_translation("en")


def tile_name_sizes(
    qtbot: Any, window: Any, highlighted: str, items: tuple[str, ...] = tuple(ITEMS)
) -> dict[str, int]:
    """The tiles' name sizes (px) once the menu offers ``highlighted`` and they are even."""
    window.on_event(ev.MenuChanged(MenuView(items, highlighted, "offering"), 0.0))
    qtbot.waitUntil(lambda: window.highlighted == highlighted)

    def sizes() -> dict[str, int]:
        return {code: tile.label.font().pixelSize() for code, tile in window.tiles.items()}

    # The window reflows a few times as it settles (the panel takes its compact type, the tiles
    # their room): what counts is the size once it has stopped changing.
    seen = [sizes()]
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and not (
        len(seen) > 2
        and seen[-1] == seen[-2] == seen[-3]
        and len({size for code, size in seen[-1].items() if code in ITEMS}) == 1
    ):
        qtbot.wait(100)
        seen.append(sizes())
    return seen[-1]


@pytest.mark.parametrize("size", [(1024, 600), (1280, 800)])
def test_every_tile_name_has_one_size_that_stays_as_the_highlight_moves(
    qtbot: Any, scaled: Any, tmp_path: Path, size: tuple[int, int]
) -> None:
    """Each tile fitted its own name: at font scale 2 on a 1024 x 600 tablet "Toilet" was 58 px,
    "Emergency" 36 and "Call the nurse" 28, and the highlighted tile's name shrank under its
    thicker border as the highlight moved. Now one size for all, the largest that fits every
    name, the same wherever the highlight is; and a larger font scale never makes it smaller
    on the tablet it was made for."""
    by_scale = {}
    for scale in (1.0, 2.0):
        scaled(scale, "bedside")
        window = offline_bedside(qtbot, tmp_path, *size)
        first = tile_name_sizes(qtbot, window, "water")
        assert len(set(first.values())) == 1, f"one size for every name at {scale}: {first}"
        for code in ("emergency", "nurse"):
            assert tile_name_sizes(qtbot, window, code) == first, f"highlight on {code}"
        assert clipped(window, only=window.pages) == []
        by_scale[scale] = next(iter(first.values()))
    if size == (1280, 800):
        # Three columns at scale 1 ("Emergency" was 32 px there), two at scale 2.
        assert by_scale[2.0] > by_scale[1.0] >= 32
    else:  # three rows in 600 px at scale 2 keep the names on one line ("Call the nurse" was 28)
        assert by_scale[2.0] >= 30


def test_the_cancel_entry_does_not_make_the_requests_names_smaller(
    qtbot: Any, scaled: Any, tmp_path: Path
) -> None:
    """At font scale 1.5 on 1280 x 800, "Cancel “Toilet”" fits in less type than the requests;
    evened with them it pulled every request's name down to 36 px. The requests keep their
    size; the command is no larger."""
    from beckon.bedside.interaction import CANCEL_REQUEST

    scaled(1.5, "bedside")
    window = offline_bedside(qtbot, tmp_path, 1280, 800)
    alone = tile_name_sizes(qtbot, window, "water", (*ITEMS, "cold"))
    with_cancel = tile_name_sizes(qtbot, window, "water", (*ITEMS, CANCEL_REQUEST))
    assert {with_cancel[code] for code in ITEMS} == {alone["water"]}
    assert with_cancel[CANCEL_REQUEST] <= alone["water"]


def icon_sizes(window: Any) -> set[int]:
    """The sizes of the tiles' icons in view (0: a tile without one)."""
    return {t.icon.width() if t.icon.isVisible() else 0 for t in window.tiles.values()}


@pytest.mark.parametrize("scale", [1.0, 1.5])
def test_every_request_shows_its_icon_in_one_size_or_none_does(
    qtbot: Any, scaled: Any, tmp_path: Path, scale: float
) -> None:
    """Seven requests in three rows on a 1280 x 800 tablet: "Call the nurse" takes two lines
    and left its icon 40 px, "Water" beside it kept 70. One size for all (or no icon at all,
    where one tile has no room for it)."""
    scaled(scale, "bedside")
    window = offline_bedside(qtbot, tmp_path, 1280, 800)
    tile_name_sizes(qtbot, window, "water", (*ITEMS, "cold"))
    qtbot.waitUntil(lambda: len(icon_sizes(window)) == 1, timeout=3000)
    assert clipped(window, only=window.pages) == []


def test_a_cramped_korean_bedside_keeps_its_prompt_on_one_line(
    qtbot: Any, qapp: Any, tmp_path: Path
) -> None:
    """Korean at scale 2 on the 1280 x 800 tablet, with a configuration fault and the
    cannot-reach notice: the prompt ("고르려면 고개를 끄덕이세요. ...") took two lines and the
    newest request's name went out of view beside the tiles. In a cramped window it keeps to
    one line, its type smaller if need be."""
    from beckon.ui.app import Look, application, install_translation

    application(Look("ko", "calm", 2.0), "bedside")
    try:
        window = offline_bedside(qtbot, tmp_path, 1280, 800, language="ko")
        window.on_event(ev.MenuChanged(MenuView(tuple(ITEMS), "toilet", "offering"), 0.0))
        window.on_event(ev.ConnectionChanged(False))
        window.on_event(ev.StationChanged(False))
        window.timeline.tracks = [RequestTrack("r2", "toilet", "saved")]
        window.timeline.online = False
        show_config_fault(window)
        window._show_timeline()
        window._poll()
        problems = settled_clipping(qtbot, window, scrolled=(window.timeline_scroll,))
        banner = window.stage_banner
        one_line = banner.fontMetrics().lineSpacing() * 1.5
        assert banner.text().startswith("고르려면")
        assert banner.height() < one_line + banner.contentsMargins().top() * 2, banner.height()
        assert newest_out_of_view(window, headline=False) == []
        assert problems == []
        assert hidden_tiles(window) == []
        keep_shot(window, tmp_path / "bedside_offline_tablet_x2_ko.png")
    finally:
        application(Look("en"), "bedside")
        install_translation("en")


def test_tiles_move_to_a_new_column_count_without_leaving_the_screen(
    qtbot: Any, tmp_path: Path
) -> None:
    """Turning the tablet changes how many tiles fit side by side. The tiles move to their new
    places and stay shown throughout: rebuilt, they left the tile area empty for an event-loop
    turn (a widget added to a shown window appears a turn later)."""
    window = offline_bedside(qtbot, tmp_path, 1280, 800)
    window.on_event(ev.MenuChanged(MenuView(tuple(ITEMS), "water", "offering"), 0.0))
    qtbot.waitUntil(lambda: hidden_tiles(window) == [], timeout=5000)
    tiles = dict(window.tiles)
    before = window._tile_columns
    window.resize(560, 1000)
    qtbot.waitUntil(lambda: window._tile_columns != before, timeout=5000)
    assert window.tiles == tiles  # the same widgets, moved
    assert all(tile.isVisible() for tile in window.tiles.values())
    assert window.tiles["water"].highlighted
    settled_clipping(qtbot, window, scrolled=(window.timeline_scroll,))
    assert hidden_tiles(window) == []


def panel_text_px(window: Any) -> dict[str, int]:
    """The request panel's shown texts (Cancel too) and their type, in px."""
    from PyQt6.QtWidgets import QLabel

    panel = window.timeline_panel
    return shown_px(window, [*panel.findChildren(QLabel), panel.cancel])


def notice_px(window: Any) -> dict[str, int]:
    """The notices (a fault, calls cannot reach the nurses) and the instruction line shown
    above the tiles, and their type, in px."""
    return shown_px(window, [window.fault_banner, window.reach_banner, window.stage_banner])


def shown_px(window: Any, widgets: list[Any]) -> dict[str, int]:
    return {
        f"{w.objectName()} {w.text()[:20]!r}": w.font().pixelSize()
        for w in widgets
        if w.isVisibleTo(window) and w.text()
    }


def readable_at_1m(widget: Any) -> bool:
    """Its capitals subtend 10 minutes of arc at 1 m on the reference tablet (docs/ui.md)."""
    from PyQt6.QtGui import QFontMetricsF

    from beckon.ui import theme

    cap = QFontMetricsF(widget.font()).capHeight()
    return theme.BEDSIDE.cap_mm(cap) >= theme.BEDSIDE.needed_cap_mm()


def name_px(window: Any) -> int:
    names = {tile.label.font().pixelSize() for tile in window.tiles.values()}
    assert len(names) == 1, f"one size for every name: {names}"
    return names.pop()


@pytest.mark.parametrize(
    ("scale", "language", "fault"),
    [(2.0, "en", True), (2.0, "en", False), (2.0, "ko", False), (1.75, "ko", True)],
)
def test_in_a_cramped_window_the_tiles_keep_their_icons_beside_readable_names(
    qtbot: Any, qapp: Any, tmp_path: Path, scale: float, language: str, fault: bool
) -> None:
    """At scale 2 on the 1280 x 800 tablet, offline, no tile had room for its icon above its
    name, and every icon went; at 1.75 the window was not even cramped: 27 px names without
    icons beside 42 px notices, and two Korean names cut. A patient who cannot read chooses
    by the pictures: the icons stay, beside the names when the tiles are wide and low, as long
    as the names stay readable (36 px: 4.4 mm capitals, read at 1.5 m), one size for all; the
    notices no larger than the names, and nothing cut."""
    from beckon.ui.app import Look, application, install_translation
    from beckon.ui.widgets import px

    application(Look(language, "calm", scale), "bedside")
    try:
        window = cramped_offline(qtbot, tmp_path, language, fault)
        names = name_px(window)
        qtbot.waitUntil(lambda: len(icon_sizes(window)) == 1, timeout=3000)
        icons = icon_sizes(window)
        assert min(icons) >= px(32), f"the icons {icons} beside names of {names} px"
        assert names >= 36, "readable at the foot of the bed (bedside_model.readable_px)"
        larger = {text: size for text, size in notice_px(window).items() if size > names}
        assert larger == {}, f"the tiles' names are {names} px, the notices larger"
        keep_shot(window, tmp_path / f"bedside_icons_{scale:g}_{language}_{fault}.png")
    finally:
        application(Look("en"), "bedside")
        install_translation("en")


def cramped_offline(qtbot: Any, tmp_path: Path, language: str, fault: bool) -> Any:
    """The 1280 x 800 tablet offline (the notices take the height) at the font scale in force,
    cramped, settled, nothing clipped, every tile shown."""
    window = offline_with_requests(qtbot, tmp_path, (1280, 800), language, fault)
    assert window._cramped
    return window


def offline_with_requests(
    qtbot: Any, tmp_path: Path, size: tuple[int, int], language: str, fault: bool
) -> Any:
    """A bedside of ``size`` offline with two requests (the notices take the height) and the
    configuration fault if ``fault``, at the font scale in force: settled, nothing clipped,
    every tile shown."""
    window = offline_bedside(qtbot, tmp_path, *size, language=language)
    window.on_event(ev.MenuChanged(MenuView(tuple(ITEMS), "toilet", "offering"), 0.0))
    window.on_event(ev.ConnectionChanged(False))
    window.on_event(ev.StationChanged(False))
    window.timeline.tracks = [
        RequestTrack("r2", "toilet", "saved"),
        RequestTrack("r1", "water", "resolved"),
    ]
    window.timeline.online = False
    if fault:
        show_config_fault(window)
    window._show_timeline()
    window._poll()
    problems = settled_clipping(qtbot, window, scrolled=(window.timeline_scroll,))
    assert problems == []
    assert hidden_tiles(window) == []
    return window


@pytest.mark.parametrize(("language", "fault"), [("en", True), ("ko", True), ("en", False)])
def test_in_a_cramped_window_the_notices_yield_to_the_tile_names_and_stay_readable(
    qtbot: Any, qapp: Any, tmp_path: Path, language: str, fault: bool
) -> None:
    """At scale 2 on the 1280 x 800 tablet, offline: the notices kept 3/4 of their type (36
    px) and the instruction line 46 px beside names stepped down to 30, and they took the
    height the tiles' icons needed. For a patient with poor sight the names come first: the
    notices and the line are no larger than the names (as at scale 1), still readable from
    the bed (capitals of 10 minutes of arc at 1 m) and whole (nothing clipped)."""
    from beckon.ui.app import Look, application, install_translation

    application(Look(language, "calm", 2.0), "bedside")
    try:
        window = cramped_offline(qtbot, tmp_path, language, fault)
        names = name_px(window)
        notices = notice_px(window)
        assert window.reach_banner.isVisible() and len(notices) == 2 + fault
        larger = {text: size for text, size in notices.items() if size > names}
        assert larger == {}, f"the tiles' names are {names} px, the notices larger"
        shown = [w for w in (window.fault_banner, window.reach_banner, window.stage_banner)]
        small = [w.text()[:20] for w in shown if w.isVisible() and not readable_at_1m(w)]
        assert small == [], f"not readable from the bed at {notices}"
        keep_shot(window, tmp_path / f"bedside_cramped_notices_{language}_{fault}.png")
    finally:
        application(Look("en"), "bedside")
        install_translation("en")


@pytest.mark.parametrize(("language", "fault"), [("ko", True), ("en", True), ("ko", False)])
def test_in_a_cramped_window_the_tile_names_are_the_largest_text_beside_the_request_panel(
    qtbot: Any, qapp: Any, tmp_path: Path, language: str, fault: bool
) -> None:
    """At scale 2 on the 1280 x 800 tablet, offline (the notices take the height): the request
    panel kept its 3/4 type (a 48 px headline and Cancel, 40 px steps) while the tiles' names
    stepped down to 30 px in Korean (28 in English) and lost their icons. For a patient the
    names matter most: the panel yields first, its text never larger than theirs; every name
    stays whole, and an icon shows wherever a tile has room for it. When the notices go and a
    shorter menu gives the names more room, the panel takes its type back up to theirs (it
    kept the smallest it had ever had: 30 px beside 72 px names)."""
    from beckon.ui.app import Look, application, install_translation
    from beckon.ui.widgets import px

    application(Look(language, "calm", 2.0), "bedside")
    try:
        window = cramped_offline(qtbot, tmp_path, language, fault)
        names = name_px(window)
        panel = panel_text_px(window)
        assert window.timeline_panel.cancel.isVisibleTo(window)
        larger = {text: size for text, size in panel.items() if size > names}
        assert larger == {}, f"the tiles' names are {names} px, the panel's text larger"
        for code, tile in window.tiles.items():
            room = tile.even is not None and tile.even.icon_px >= px(32)
            assert tile.icon.isVisible() is room, f"the {code} tile's icon"
        keep_shot(window, tmp_path / f"bedside_cramped_{language}_{fault}.png")
        if not fault:
            return
        smallest = max(panel.values())
        window.fault = None
        window._show_banner(window.fault_banner, False)
        window.on_event(ev.ConnectionChanged(True))
        window.on_event(ev.StationChanged(True))
        window.on_event(
            ev.MenuChanged(MenuView(("water", "nurse", "pain"), "water", "offering"), 0.0)
        )
        window._poll()
        settled_clipping(qtbot, window, scrolled=(window.timeline_scroll,))
        names = name_px(window)
        panel = panel_text_px(window)
        assert names > smallest, "the shorter menu's names have more room"
        assert smallest < max(panel.values()) <= names, f"names {names} px; the panel kept {panel}"
    finally:
        application(Look("en"), "bedside")
        install_translation("en")


def counted_relayouts(window: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The caps the texts beside the names take from now on (each ``NamesFirst.follow`` that
    changed the cap), to tell a change that settles from a relayout loop."""
    relayouts: list[int] = []
    follow = window.names_first.follow

    def counted(names_px: int) -> bool:
        changed = follow(names_px)
        if changed:
            relayouts.append(names_px)
        return changed

    monkeypatch.setattr(window.names_first, "follow", counted)
    return relayouts


def settled_beside_names(
    qtbot: Any, window: Any, relayouts: list[int]
) -> tuple[int, list[int], list[int]]:
    """Once the window settled in a few relayouts (no loop): the names, the notices and the
    instruction line, the request panel's texts (px), none beside larger than the names."""
    settle(qtbot, window)
    assert len(relayouts) <= 8, f"no relayout loop: capped at {relayouts}"
    names = name_px(window)
    beside = sorted(notice_px(window).values()), sorted(panel_text_px(window).values())
    assert max(max(sizes) for sizes in beside) <= names, f"{beside} beside {names} px"
    return names, *beside


@pytest.mark.parametrize("language", ["ko", "en"])
def test_in_a_cramped_window_the_texts_beside_the_names_take_their_size_back_after_a_longer_line(
    qtbot: Any, qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    """In Korean at scale 2 on the 1280 x 800 tablet, offline with the configuration fault: the
    instruction line changes at every stage, and each time a longer one ("Not sent: ...", two
    lines) pushed the names down and the menu's own words came back, the texts beside the names
    came back 1 px smaller (40, 39, 38 px beside 40 px names) until the window's size, the menu
    or a notice changed. A new text that takes more or fewer lines changes the tiles' room as a
    notice shown or gone does: afterwards the texts beside the names are as large as after a
    fresh layout with that text, and each change settles in a few relayouts (no loop). In
    English the texts took the names' size where the cap was held below it: 36 px notices
    beside 34 px names."""
    from beckon.ui.app import Look, application, install_translation

    application(Look(language, "calm", 2.0), "bedside")
    try:
        window = cramped_offline(qtbot, tmp_path, language, True)
        short = window.stage_banner.text()  # the menu's own words, on one line
        long = "Not sent: Call the nurse. Say it again if you need it, or touch the tile you want."
        relayouts = counted_relayouts(window, monkeypatch)

        def shown(text: str, *, fresh: bool = False) -> tuple[int, list[int], list[int]]:
            """The names, the notices and line, the panel's texts (px) once ``text`` settled."""
            relayouts.clear()
            window.stage_banner.setText(text)
            if fresh:
                window._release_yielded()
            return settled_beside_names(qtbot, window, relayouts)

        fresh = {text: shown(text, fresh=True) for text in (long, short)}
        for _ in range(3):
            for text in (long, short):
                assert shown(text) == fresh[text], f"after {text[:9]!r}, as after a fresh layout"
    finally:
        application(Look("en"), "bedside")
        install_translation("en")


@pytest.mark.parametrize("language", ["ko", "en"])
def test_in_a_cramped_window_the_texts_beside_the_names_take_their_size_back_after_a_new_request(
    qtbot: Any, qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    """At scale 2 on the 1280 x 800 tablet, offline with the configuration fault: a new text in
    the request panel (a request, or none: "Your requests show here.") makes the panel, as
    wide as its longest words, wider or narrower, and so the tiles; unlike a notice's it
    changes no height, and the names' cap was not released. Back to no request after one, the
    English names were 36 px with 34 px texts beside them (38 and 36 to 37 after a fresh
    layout), and in Korean the panel kept the request's 360 px where its words needed 388. A
    change of the panel's width releases the cap as other changes of the tiles' room do:
    afterwards all is as after a fresh layout, settled in a few relayouts (no loop)."""
    from beckon.ui.app import Look, application, install_translation

    application(Look(language, "calm", 2.0), "bedside")
    try:
        window = cramped_offline(qtbot, tmp_path, language, True)
        relayouts = counted_relayouts(window, monkeypatch)
        requests = {
            "no": [],
            "one": [RequestTrack("r3", "reposition", "acknowledged", by="Nurse Lee")],
        }

        def shown(which: str, *, fresh: bool = False) -> tuple[Any, ...]:
            relayouts.clear()
            window.timeline.tracks = requests[which]
            window._show_timeline()
            if fresh:
                window._release_yielded()
            return *settled_beside_names(qtbot, window, relayouts), window.timeline_scroll.width()

        fresh = {which: shown(which, fresh=True) for which in requests}
        for _ in range(2):
            for which in requests:
                assert shown(which) == fresh[which], f"after the {which} request, as fresh"
    finally:
        application(Look("en"), "bedside")
        install_translation("en")
