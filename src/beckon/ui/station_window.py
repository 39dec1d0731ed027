"""The nurse-station window: the unit's live queue, nurse actions, questions and history.

A view of the station service, never a second source of truth: it shows the retained queue
and stats the service publishes (through :class:`beckon.station.feed.StationFeed`, on its own
thread, handed over with Qt signals) and sends acknowledge, resolve and ask commands back. That
is why several windows on one unit always agree.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import pairwise
from typing import Literal, assert_never

from PyQt6.QtCore import QEvent, QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QCloseEvent, QResizeEvent
from PyQt6.QtWidgets import (
    QWIDGETSIZE_MAX,
    QBoxLayout,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTabBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from beckon.background import Background
from beckon.intents import Intent, load_intents
from beckon.messaging import protocol as p
from beckon.messaging.protocol import QUESTION_TIMEOUT_S
from beckon.station import lifecycle
from beckon.station.feed import (
    BedHealth,
    CallsClosed,
    Connection,
    Delivery,
    FeedItem,
    StationFeed,
    StationPresence,
)
from beckon.ui import strings
from beckon.ui.sound import Alarm, SilentAlarm
from beckon.ui.station_model import (
    Alert,
    AlertTracker,
    BedBoardRow,
    DoneFirst,
    NameRoom,
    OwnActions,
    PendingActions,
    SoundGate,
    SystemWatch,
    age_seconds,
    age_text,
    bed_board_row,
    bed_sort_key,
    beds_with_nurse,
    clock_text,
    escalation_sound,
    hour_bars,
    intent_bars,
    intent_label,
    known_beds,
    most_urgent,
    outranks,
    place_name,
    question_status,
    request_label,
    row_colours,
    silent_stations,
    slow_calls,
    sort_requests,
    tight_name_width,
)
from beckon.ui.widgets import (
    BarChart,
    CappedLabel,
    FitLabel,
    FlowLayout,
    FocusFollower,
    IconLabel,
    StatusPill,
    one_line_width,
    px,
    set_prop,
    vertical_scroll,
)

log = logging.getLogger(__name__)

SIDE_MARGIN = 18  # the window's own left and right margin, px
NAME_FIELD_W = 240
"""The nurse's name field's narrowest beside its label, px at font scale 1."""
NAME_FIELD_TIGHT_W = 140
"""Its narrowest alone beside tightened tabs, px at font scale 1: "Nurse Lee" whole."""

FAULT_LINES_SHOWN = 5
"""Device-fault lines under the calls at most; the rest are counted (the Beds tab has all)."""

SLOWEST_SHOWN = 5  # slowest calls listed under the charts (the stats carry ten)
SYSTEM_BANNER_SHARE = 0.3
"""The station's own faults (no broker, no station service) take at most this share of the
window's height, their type smaller if need be."""
SOFT_SYSTEM_BANNER_SHARE = 0.125
""""No sound device" alone takes at most this share: one line at any font scale. Its two
lines at 1.5 on a 1280x800 screen left room for one call; the nurse has read it once, and it
stays on screen as long as the sound is gone."""
translate = strings.translate


class FeedBridge(QObject):
    """Carries feed items from the feed's thread to the GUI thread."""

    item = pyqtSignal(object)


RowShape = Literal["one_line", "buttons_below", "stacked", "narrow"]
"""How a queue row is laid out (``QueueRow.shape``), the widest first:

- ``one_line``: bed, icon, the request's name and state, age, then the buttons;
- ``buttons_below``: the buttons on a line of their own under the rest, at its right end;
- ``stacked``: bed, icon and age on the first line, the name and state under them across the
  whole row, then the buttons (which wrap onto one line each when they do not fit side by side);
- ``narrow``: as stacked, with the age on a line of its own under the bed: a call open for
  hours ("10:00:00") beside "14번 침대" at font scale 2 on a 1280x800 screen.
"""


class QueueRow(QFrame):
    """One open request: bed, what, who has it, how long it waits, and the nurse's buttons.

    The row takes the widest shape (``RowShape``) its width holds with the request's name on one
    line, so at font scale 1 on a desk screen it is one line, and at 2.0 on a 1280x800 screen
    (or in Korean, whose names are wider) it needs little more than its bed, icon and age: the
    row never sets the queue's width, and nothing in it is cut off."""

    def __init__(self, on_action: Callable[[str, str], object]) -> None:
        super().__init__()
        self.setObjectName("queueRow")
        self.request_id = ""
        self._on_action = on_action
        self._colours = ("", "", "")
        self._painted: tuple[str, str, str, bool] | None = None
        outer = QVBoxLayout(self)
        # The coloured stripe at the left (``#queueRow``'s border, @px(14)) is not part of the
        # frame's margins: the text keeps the 2 px gap it has at scale 1 at every scale (at
        # 2.0 the bed's number and the name lay 10 px over the stripe).
        outer.setContentsMargins(px(14) + 2, 10, 16, 10)
        outer.setSpacing(8)
        self._outer = outer
        layout = QHBoxLayout()
        layout.setSpacing(12)
        outer.addLayout(layout)
        self.bed = QLabel()
        self.bed.setObjectName("rowBed")
        self.icon = IconLabel("request", 48)
        self._middle = QVBoxLayout()
        self._middle.setSpacing(2)
        self.request = QLabel()
        self.request.setObjectName("rowRequest")
        self.state = QLabel()
        self.state.setObjectName("rowState")
        for label in (self.request, self.state):
            # Long names wrap inside the row (the shape gives the name its line when it can);
            # they never widen the window.
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            label.setMinimumWidth(px(120))
        self.badge = QLabel()
        self.badge.setObjectName("rowBadge")
        # An escalation badge ("Overdue (level 3): call the whole unit; ...") is the longest
        # text of a row: it takes the row's whole width on a line of its own and wraps there,
        # rather than push the row past the queue or squeeze into the name's column.
        self.badge.setWordWrap(True)
        self.badge.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.badge.setMinimumWidth(px(120))
        self.age = QLabel()
        self.age.setObjectName("rowAge")
        self.age.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.ack = QPushButton(translate("Beckon", "Acknowledge"))
        self.resolve = QPushButton(translate("Beckon", "Resolve"))
        for button in (self.ack, self.resolve):
            button.setObjectName("rowButton")
            button.setAutoDefault(True)  # Enter presses it too, not only Space
            button.installEventFilter(self)  # tabbed to: scrolled into view (eventFilter)
        # Bound methods, not lambdas that capture ``self``: PyQt holds a lambda strongly, so
        # the row would sit in a reference cycle that only the cyclic collector frees, on
        # whichever thread it happens to run (an MQTT thread, say), not the GUI thread.
        self.ack.clicked.connect(self._acknowledge)
        self.resolve.clicked.connect(self._resolve)
        layout.addWidget(self.bed)
        layout.addWidget(self.icon)
        layout.addLayout(self._middle, 1)
        layout.addWidget(self.age)
        self._line = layout
        outer.addWidget(self.badge)
        self._below = FlowLayout(spacing=12, right=True)
        outer.addLayout(self._below)
        self.shape: RowShape | None = None
        # The narrowest shape until the row has its width: a new row never asks for more
        # room than the queue has, not even for a moment.
        self._arrange("stacked")
        self.view: p.RequestView | None = None
        self.shown: tuple[p.RequestView, str, bool] | None = None  # what show_view last had

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        """A button reached with Tab brings its row into view: the focus landed on a call 2,600
        px below the visible ones, and the nurse saw a button without its bed."""
        if event is not None and event.type() == QEvent.Type.FocusIn:
            follower = FocusFollower.of(self)
            if follower is not None:  # and kept there while the list settles
                follower.follow(self)
        return False

    def _acknowledge(self) -> None:
        self._on_action("acknowledge", self.request_id)

    def _resolve(self) -> None:
        self._on_action("resolve", self.request_id)

    def _margins(self) -> int:
        """The row's border and its layout's margins, left and right."""
        frame = self.contentsMargins()
        inner = self._outer.contentsMargins()
        return frame.left() + frame.right() + inner.left() + inner.right()

    def buttons_width(self) -> int:
        """The row's width with its two buttons side by side under the first line, the longer
        of the right-hand button's two texts ("Resolve", "Clear at the bedside")."""
        self.ensurePolished()
        widths = []
        for button in (self.ack, self.resolve):
            button.ensurePolished()
            widths.append(button.sizeHint().width())
        text = self.resolve.text()
        for other in (translate("Beckon", "Resolve"), strings.clear_at_bed_text()):
            self.resolve.setText(other)
            widths[1] = max(widths[1], self.resolve.sizeHint().width())
        self.resolve.setText(text)
        return sum(widths) + self._line.spacing() + self._margins()

    def _line_width(self, *, name: bool, buttons: bool) -> int:
        """The width of a first line of bed, icon and age, with the request's name on one line
        or not, and with the buttons at its end or not."""
        widths = [w.sizeHint().width() for w in (self.bed, self.icon, self.age)]
        if name:
            widths.append(max(one_line_width(self.request), self.request.minimumWidth()))
        if buttons:
            widths += [b.sizeHint().width() for b in (self.ack, self.resolve) if not b.isHidden()]
        return sum(widths) + self._line.spacing() * (len(widths) - 1) + self._margins()

    def _fit(self) -> None:
        """Take the widest shape the row's width holds (see ``RowShape``)."""
        width = self.width()
        if width >= self._line_width(name=True, buttons=True):
            self._arrange("one_line")
        elif width >= self._line_width(name=True, buttons=False):
            self._arrange("buttons_below")
        elif width >= self._line_width(name=False, buttons=False):
            self._arrange("stacked")
        else:
            self._arrange("narrow")

    def _arrange(self, shape: RowShape) -> None:
        if shape == self.shape:
            return
        self.shape = shape
        movable = (self.request, self.state, self.age, self.ack, self.resolve)
        for widget in movable:
            for layout in (self._line, self._middle, self._outer, self._below):
                layout.removeWidget(widget)
        under = [self.request, self.state]  # under the first line, across the row
        if shape == "narrow":
            under.insert(0, self.age)
        else:
            self._line.addWidget(self.age)
        # Stacked, the age takes the line's room and keeps its text at the right end; the name's
        # empty column (stretch 1 as well) took half of it and squeezed a long age. Narrow, that
        # empty column keeps the icon beside the bed.
        stacked = shape in ("stacked", "narrow")
        self._line.setStretchFactor(self._middle, 0 if shape == "stacked" else 1)
        if shape != "narrow":
            self._line.setStretchFactor(self.age, 1 if shape == "stacked" else 0)
        if stacked:
            for index, widget in enumerate(under, start=1):
                self._outer.insertWidget(index, widget)
        else:
            self._middle.addWidget(self.request)
            self._middle.addWidget(self.state)
        for button in (self.ack, self.resolve):
            (self._line if shape == "one_line" else self._below).addWidget(button)

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        self._fit()

    def show_view(self, view: p.RequestView, label: str, high_contrast: bool) -> None:
        self.shown = (view, label, high_contrast)
        self.view = view
        self.request_id = view.id
        self.bed.setText(strings.bed_title(view.bed))
        if self.icon.icon_name != view.intent:
            self.icon.set_icon(view.intent)
        self.request.setText(label)
        self.state.setText(
            f"{strings.priority_text(view.priority)} · {strings.request_state(view.state, view.by)}"
        )
        esc = strings.escalation_text(view.escalation, view.state)
        self.badge.setText(esc)
        self.badge.setVisible(bool(esc))
        self.ack.setVisible(view.state == "received")
        # An emergency is cleared at the bedside only: a Resolve here was refused by the
        # station without a word on screen, and sent again every 5 s.
        remote = lifecycle.resolvable_remotely(view.priority)
        self.resolve.setEnabled(remote)
        self.resolve.setText(
            translate("Beckon", "Resolve") if remote else strings.clear_at_bed_text()
        )
        for button in (self.ack, self.resolve):  # a screen reader heard only "Acknowledge"
            button.setAccessibleName(
                strings.row_action_name(button.text(), strings.bed_title(view.bed), label)
            )
        self._fit()
        colours = row_colours(view.priority, view.escalation, view.state, high_contrast)
        self._colours = (colours.background, colours.text, colours.accent)
        self.paint_colours(False)

    def paint_colours(self, flash: bool) -> None:
        if self._painted == (*self._colours, flash):
            return  # restyling is not free: only when something changed
        self._painted = (*self._colours, flash)
        background, text, accent = self._colours
        on_accent = (
            "#000000" if accent in ("#ffffff", "#ffd700", "#9fffb0", "#ff6e6e") else "#ffffff"
        )
        if flash:
            background, text = accent, on_accent
        self.setStyleSheet(
            f"#queueRow {{ background: {background}; border-left-color: {accent}; }}"
            f"#queueRow QLabel {{ color: {text}; }}"
            f"#queueRow QLabel#rowBadge {{ background: {text if flash else accent}; "
            f"color: {background if flash else on_accent}; }}"
            # The keyboard's frame in the row's own text colour: the theme's amber vanished on
            # a flashing amber row (1.04:1), and yellow on yellow in high contrast.
            f"#queueRow QPushButton:focus {{ border: 4px solid {text}; }}"
        )

    def set_age(self, now: datetime) -> None:
        if self.view is not None:
            before = self.age.text()
            self.age.setText(age_text(age_seconds(self.view, now)))
            if len(self.age.text()) != len(before):
                self._fit()  # "9:59" became "10:00": the first line may no longer hold it


class QuestionRow(QFrame):
    def __init__(self, q: p.QuestionView) -> None:
        super().__init__()
        self.setObjectName("questionRow")
        self.question_id = q.id
        self.view = q
        # The answer sits under the question: side by side, the two set a column wider than
        # a third of a 1280-pixel screen at font scale 1.5.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(6)
        times = strings.question_times(
            clock_text(q.asked_at), clock_text(q.answered_at) if q.answered_at else None
        )
        self.text = QLabel(f"{strings.bed_title(q.bed)}: {q.text}\n{q.asked_by}, {times}")
        self.text.setWordWrap(True)
        # The question wraps to the column's width; it never sets the column's minimum width.
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.text.setMinimumWidth(px(120))
        self.answer = QLabel()
        self.answer.setObjectName("answerBadge")
        self.answer.setWordWrap(True)  # "기다리는 중…" at font scale 2: wider than the column
        self.answer.setToolTip(strings.answer_source(q.source))
        layout.addWidget(self.text)
        layout.addWidget(self.answer, 0, Qt.AlignmentFlag.AlignLeft)
        self.set_age(datetime.now(UTC))

    def set_age(self, now: datetime) -> None:
        """A question nobody answered expires here when it expires at the bedside."""
        status = question_status(self.view, now, QUESTION_TIMEOUT_S)
        if self.answer.property("answer") != status:
            self.answer.setText(strings.answer_text(status))
            set_prop(self.answer, "answer", status)


class BoardCard(QFrame):
    """One bed on the bed board (the Beds tab): its name, then its cells, which wrap onto more
    lines. The name sits beside the cells when the card holds it and the widest cell side by
    side, and above them when not: at font scale 2 on a 1280x800 screen "Calls to station: 2
    NOT ARRIVING (1:35)" (1048 px) and "Bed 14" beside it were wider than the board (1214)."""

    def __init__(self, name: QLabel, cells: list[QLabel]) -> None:
        super().__init__()
        self.setObjectName("boardRow")
        self.name = name
        self.cells = cells
        self._layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._layout.setContentsMargins(px(10), px(6), px(10), px(6))
        self._layout.setSpacing(px(12))
        self._layout.addWidget(name, 0, Qt.AlignmentFlag.AlignTop)
        holder = QWidget()
        holder.setObjectName("boardCells")
        flow = FlowLayout(holder, spacing=px(8))
        flow.setContentsMargins(0, 0, 0, 0)
        for cell in cells:
            flow.addWidget(cell)
        # The cells never set the card's width (the board does), so the card's own width says
        # whether they fit beside the name; with the widest as their minimum, a card too narrow
        # for both grew past the board and stayed side by side.
        holder.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._layout.addWidget(holder, 1)

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        frame, inner = self.contentsMargins(), self._layout.contentsMargins()
        beside = (
            frame.left()
            + frame.right()
            + inner.left()
            + inner.right()
            + self.name.sizeHint().width()
            + self._layout.spacing()
            + max((cell.sizeHint().width() for cell in self.cells), default=0)
        )
        direction = (
            QBoxLayout.Direction.LeftToRight
            if self.width() >= beside
            else QBoxLayout.Direction.TopToBottom
        )
        if self._layout.direction() != direction:
            self._layout.setDirection(direction)


class StationWindow(QWidget):
    """One nurse's view of one unit. ``start()`` starts the feed; closing stops it."""

    def __init__(
        self,
        feed: StationFeed,
        *,
        language: str = "en",
        nurse: str = "",
        alarm: Alarm | None = None,
        high_contrast: bool = False,
        intents: dict[str, Intent] | None = None,
    ) -> None:
        super().__init__()
        self.feed = feed
        self.language = language
        self.alarm: Alarm = alarm or SilentAlarm()
        self.high_contrast = high_contrast
        self.intents = intents or load_intents()
        self.tracker = AlertTracker()
        self.bed_faults: dict[str, tuple[str, ...]] = {}
        self.bed_health: dict[str, BedHealth] = {}
        self.board: list[BedBoardRow] = []
        self.fault_lines: list[str] = []
        self._faulty = 0  # beds with a fault line (the calm alert band counts them)
        self.watch = SystemWatch(time.monotonic())
        self.system_faults: list[str] = []
        self.pending = PendingActions()
        self.own = OwnActions()  # this window's actions, to tell a nurse who was first
        self.queue: p.UnitQueue | None = None
        self.stats: p.UnitStats | None = None
        self.rows: dict[str, QueueRow] = {}
        self._tab_order: list[str] = []  # request ids in the focus chain's order
        self.alerts: list[Alert] = []
        self.connected: bool | None = None
        self.stations: dict[str, bool] = {}
        self._station_heard: dict[str, float] = {}  # online stations -> last heard (monotonic)
        self.row_listeners: list[Callable[[set[str]], None]] = []
        # A child of the window, so Qt deletes it with the window on the GUI thread.
        self.bridge = FeedBridge(self)
        self._background: Background | None = None
        self._flash_phase = False
        self._banner_until = 0.0
        self._banner_loud = False
        self._banner_alert: Alert | None = None  # the alert the banner shows, while it is up
        self.sound_gate = SoundGate()
        self.setObjectName("stationRoot")  # also the themes' keyboard focus frame
        self.setWindowTitle(f"Beckon · {feed.unit}")
        self.resize(1440, 900)
        self._build(nurse)
        self.bridge.item.connect(self.on_item)  # queued: the feed emits on its own thread
        # Kept: each ``signal.emit`` read is a new object, never equal to the last, so a check
        # "not in listeners" always passed and every feed item was handled twice.
        self._on_feed_thread = self.bridge.item.emit
        self.clock = QTimer(self)
        self.clock.setInterval(500)
        self.clock.timeout.connect(self._tick)
        self._show_queue()
        self._show_link()

    # ------------------------------------------------------------ layout

    def _build(self, nurse: str) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(SIDE_MARGIN, 12, SIDE_MARGIN, 12)
        root.setSpacing(10)
        # The title, the status chips and the nurse's name wrap onto a second line rather than
        # push the window past the screen at large font scales.
        top = QWidget()
        top_layout = FlowLayout(top, spacing=12)
        top_layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(translate("Beckon", "Unit {unit}").format(unit=self.feed.unit))
        self.title.setObjectName("unitTitle")
        top_layout.addWidget(self.title)
        self.link_pill = StatusPill()
        self.station_pill = StatusPill()
        top_layout.addWidget(self.link_pill)
        top_layout.addWidget(self.station_pill)
        name = self.name_box = QWidget()
        name_layout = self._name_layout = QHBoxLayout(name)
        name_layout.setContentsMargins(0, 0, 0, 0)
        self.name_label = QLabel(translate("Beckon", "Your name:"))
        name_layout.addWidget(self.name_label)
        self.nurse = QLineEdit(nurse)
        self.nurse.setPlaceholderText(translate("Beckon", "Nurse name"))
        # Said when the label is hidden beside tightened tabs (``_place_name``).
        self.nurse.setAccessibleName(translate("Beckon", "Your name"))
        self.nurse.setToolTip(self.nurse.accessibleName())
        self.nurse.setMinimumWidth(px(NAME_FIELD_W))
        # A name longer than a narrow field shows its beginning once typed ("Nurse Alexandr",
        # not "lexandra Kim"): the field keeps its cursor after the text.
        self.nurse.editingFinished.connect(lambda: self.nurse.setCursorPosition(0))
        self.nurse.setCursorPosition(0)
        name_layout.addWidget(self.nurse)
        self._top_layout = top_layout
        top_layout.addWidget(name)
        top.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        root.addWidget(top)

        # The station's own faults (no broker, no station service, no sound): full width,
        # loud, and there until the fault is gone. At most 3/10 of the window's height, its
        # type smaller if need be: at font scale 2 on a 1280x800 screen "NOT CONNECTED: ..."
        # took four lines, 342 px, and the layout cut it to 274 (the queue kept its minimum).
        # "No sound device" alone (soft) gets 1/8: at 1.5 on 1280x800 its two lines left room
        # for one call.
        self._system_share = SYSTEM_BANNER_SHARE
        self.system_banner = CappedLabel(lambda: int(self.height() * self._system_share))
        self.system_banner.setObjectName("systemBanner")
        self.system_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.system_banner.hide()
        root.addWidget(self.system_banner)

        # The alert band has a fixed height, one banner line at the current font scale, so an
        # alert that comes or goes never moves a row under a nurse's finger or pointer. With no
        # alert it says so calmly instead of leaving an empty gap; a long alert steps its type
        # down to fit the line (FitLabel) rather than grow the band.
        self.banner = FitLabel(floor=0.65)  # 18 px at scale 1, the station's smallest text
        self.banner.setObjectName("alertBanner")
        # Its count of what waits steps down too: at font scale 2 it set the window 1530 px
        # wide ("5 waiting · 5 overdue · device faults at 1 bed(s): see below").
        self.alert_calm = FitLabel(floor=0.65)
        self.alert_calm.setText(translate("Beckon", "No alerts"))
        self.alert_calm.setObjectName("alertCalm")
        self.alert_calm.setAlignment(Qt.AlignmentFlag.AlignVCenter)
        self.alert_band = QStackedWidget()
        self.alert_band.addWidget(self.alert_calm)
        self.alert_band.addWidget(self.banner)
        self.banner.setText("X")
        self.banner.ensurePolished()
        self.alert_band.setFixedHeight(self.banner.sizeHint().height())
        self.banner.setText("")
        self._show_alert(False)
        root.addWidget(self.alert_band)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_requests_tab(), translate("Beckon", "Requests"))
        self.tabs.addTab(self._build_history_tab(), translate("Beckon", "History"))
        self.tabs.addTab(self._build_beds_tab(), translate("Beckon", "Beds"))
        root.addWidget(self.tabs, 1)
        # Measures the tabs' width with and without tightened sides (``_place_name``); never
        # shown. A child of the window, so it goes with it.
        self._probe_tabs = QTabBar(self)
        self._probe_tabs.hide()

    def _build_requests_tab(self) -> QWidget:
        page = QWidget()
        layout = QHBoxLayout(page)
        layout.setContentsMargins(0, 10, 0, 0)
        layout.setSpacing(18)
        holder = QWidget()
        holder.setObjectName("rows")
        self.rows_layout = QVBoxLayout(holder)
        self.rows_layout.setContentsMargins(0, 0, 6, 0)
        self.rows_layout.setSpacing(10)
        # Beds where a nurse marked "nurse in room" at the bed's screen (hidden when none).
        self.presence_label = QLabel()
        self.presence_label.setObjectName("presenceLine")
        self.presence_label.setWordWrap(True)
        self.presence_label.hide()
        self.rows_layout.addWidget(self.presence_label)
        self.queue_layout = QVBoxLayout()
        self.queue_layout.setSpacing(10)
        self.rows_layout.addLayout(self.queue_layout)
        self.empty = QLabel(translate("Beckon", "No open requests."))
        self.empty.setObjectName("emptyQueue")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.rows_layout.addWidget(self.empty)
        # Device faults under the calls, a few lines at most: when an access point failed, 40
        # "device fault" boxes above them pushed an emergency 4,000 px down the list.
        self.faults_layout = QVBoxLayout()
        self.faults_layout.setSpacing(8)
        self.rows_layout.addLayout(self.faults_layout)
        self.rows_layout.addStretch(1)
        scroll = vertical_scroll(holder, framed=True)
        self._queue_scroll = scroll
        layout.addWidget(scroll, 3)

        side = QVBoxLayout()
        side.setSpacing(10)
        title = QLabel(translate("Beckon", "Ask a bed a yes/no question"))
        title.setObjectName("sectionTitle")
        title.setWordWrap(True)
        side.addWidget(title)
        form = QHBoxLayout()
        form.addWidget(QLabel(translate("Beckon", "Bed")))
        self.ask_bed = QComboBox()
        self.ask_bed.setEditable(True)
        self.ask_bed.setMinimumWidth(px(110))
        form.addWidget(self.ask_bed, 1)
        side.addLayout(form)
        self.ask_text = QComboBox()
        self.ask_text.setEditable(True)
        self.ask_text.addItems(strings.preset_questions())
        # A long preset question must not widen the column: the field scrolls its text.
        self.ask_text.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.ask_text.setMinimumContentsLength(8)
        # A chosen preset shows its beginning: the field keeps its cursor at the end of the
        # text, so "Are you comfortable?" in a narrow field read "comfortable?".
        self.ask_text.currentIndexChanged.connect(self._show_question_start)
        self._show_question_start()
        self.ask_button = QPushButton(translate("Beckon", "Ask"))
        self.ask_button.setObjectName("primary")
        self.ask_button.clicked.connect(self.ask)
        # Under the question in the column; beside it on the questions' own tab, where the
        # button under it lay below a 1280 x 800 window's edge at font scale 2.
        self._ask_line = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._ask_line.setSpacing(10)
        self._ask_line.addWidget(self.ask_text, 1)
        self._ask_line.addWidget(self.ask_button)
        side.addLayout(self._ask_line)
        recent = QLabel(translate("Beckon", "Recent questions"))
        recent.setObjectName("sectionTitle")
        recent.setWordWrap(True)
        side.addWidget(recent)
        self.questions_layout = QVBoxLayout()
        self.questions_layout.setSpacing(8)
        side.addLayout(self.questions_layout)
        side.addStretch(1)
        side_widget = QWidget()
        side_widget.setLayout(side)
        # Recent questions scroll inside the side column instead of setting the window's
        # minimum height (a large font scale on a 1280x800 screen).
        side_scroll = vertical_scroll(side_widget)
        self.side_scroll = side_scroll
        self._requests_layout = layout
        layout.addWidget(side_scroll)
        # Where the question column goes when the queue beside it cannot hold a call's two
        # buttons side by side (``_place_questions``): a tab of its own.
        self.questions_page = QWidget(self)  # the window's own, on its tab or not
        self.questions_page.hide()
        questions_layout = QVBoxLayout(self.questions_page)
        questions_layout.setContentsMargins(0, 10, 0, 0)
        # Measures the buttons' room (``_place_questions``); never shown. A child of the page,
        # so it goes with the window.
        self._probe_row = QueueRow(lambda action, request_id: None)
        self._probe_row.setParent(self.questions_page)
        self._probe_row.hide()
        self._fit_side()
        return page

    def _side_width(self) -> int:
        """The question column takes 400 px at font scale 1, but only a third of the window at
        large font scales, so the queue keeps the room it needs; more (up to two fifths) only
        when what it holds needs it: a question's one-word answer ("waiting…") at scale 2 on a
        1280x800 screen was wider than the third."""
        bar = self.side_scroll.verticalScrollBar()
        content = self.side_scroll.widget()
        needed = (content.minimumSizeHint().width() if content else 0) + (
            bar.sizeHint().width() if bar else 0
        )
        share = max(self.width() // 3, min(needed, self.width() * 2 // 5))
        return min(px(400) + px(16), max(px(200), share))

    def _fit_side(self) -> None:
        if self.questions_apart():
            self.side_scroll.setMinimumWidth(0)
            self.side_scroll.setMaximumWidth(QWIDGETSIZE_MAX)
        else:
            self.side_scroll.setFixedWidth(self._side_width())

    def _show_question_start(self) -> None:
        edit = self.ask_text.lineEdit()
        if edit is not None:
            edit.setCursorPosition(0)

    def questions_apart(self) -> bool:
        """Whether the question column is on its own tab rather than beside the queue."""
        return self.tabs.indexOf(self.questions_page) >= 0

    def _place_questions(self) -> None:
        """The question column beside the queue when the queue there still holds a call's two
        buttons side by side; else on a tab of its own ("Questions"), and the queue takes the
        window's width. At font scale 2 on a 1280 x 800 screen the column took 500 px: the
        queue, 740 px wide, broke "Acknowledge" and "Clear at the bedside" onto two lines, and
        the first call's buttons lay below the window's edge. An answer still shows in the
        alert band on every tab. Decided from the window's width and the widgets' own widths,
        never from where the column is now, so a move cannot undo itself."""
        room = self.width() - 2 * SIDE_MARGIN
        queue = room - self._side_width() - self._requests_layout.spacing()
        bar = self._queue_scroll.verticalScrollBar()
        queue -= (bar.sizeHint().width() if bar is not None else 0) + 6  # rows' right margin
        apart = queue < self._probe_row.buttons_width()
        if apart == self.questions_apart():
            return
        if apart:
            self._requests_layout.removeWidget(self.side_scroll)
            layout = self.questions_page.layout()
            if layout is not None:
                layout.addWidget(self.side_scroll)
            self.tabs.addTab(self.questions_page, translate("Beckon", "Questions"))
            self._ask_line.setDirection(QBoxLayout.Direction.LeftToRight)
        else:
            self._ask_line.setDirection(QBoxLayout.Direction.TopToBottom)
            self.tabs.removeTab(self.tabs.indexOf(self.questions_page))
            self._requests_layout.addWidget(self.side_scroll)
        self.side_scroll.show()
        self._fit_side()

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        self._place_questions()
        self._fit_side()
        self._place_name()
        self.system_banner.fit()  # its cap follows the window's height

    def _name_room(self) -> NameRoom:
        """The widths ``place_name`` decides from: the window's and the widgets' own, never
        where the name is now, so a move cannot undo itself."""
        gap = 12
        chips = [self.title, self.link_pill, self.station_pill]
        first_line = sum(w.sizeHint().width() + gap for w in chips if not w.isHidden())
        probe, tabs = self._probe_tabs, self.tabs.tabBar()
        texts = [tabs.tabText(i) for i in range(tabs.count())] if tabs is not None else []
        while probe.count() > len(texts):
            probe.removeTab(probe.count() - 1)
        for index, text in enumerate(texts):
            if index < probe.count():
                probe.setTabText(index, text)
            else:
                probe.addTab(text)
        set_prop(probe, "tight", False)
        roomy = probe.sizeHint().width()
        set_prop(probe, "tight", True)
        tight = probe.sizeHint().width()
        label = self.name_label.sizeHint().width() + self._name_layout.spacing()
        return NameRoom(
            room=self.width() - 2 * SIDE_MARGIN,
            first_line=first_line,
            tabs=roomy,
            tight_tabs=tight,
            name=label + self._name_field_width(),
            field=px(NAME_FIELD_TIGHT_W),
            gap=gap,
        )

    def _name_field_width(self) -> int:
        """The name field's usual width: what its text asks for, at least ``NAME_FIELD_W``."""
        return max(self.nurse.sizeHint().width(), px(NAME_FIELD_W))

    def _place_name(self) -> None:
        """The nurse's name beside the title and the status chips when they fit on one line,
        else beside the tabs when it fits there, else beside the tabs with their sides
        tightened and the field alone, else on a line of its own under the chips
        (``station_model.place_name``). At font scale 1.5 on a 1280 x 800 screen its own line
        took 75 px from the calls, which then showed one whole call; at 2.0 100 px."""
        room = self._name_room()
        place = place_name(room)
        corner = place in ("tabs", "tight_tabs")
        tight = place == "tight_tabs"
        tabs = self.tabs.tabBar()
        if tabs is not None:
            # Tightened too whenever their usual padding does not fit the window, wherever the
            # name goes: on a 1024 px wide screen at 1.75 the four tabs did not fit their bar.
            set_prop(tabs, "tight", tight or room.tabs > room.room)
        self.name_label.setHidden(tight)
        if tight:
            self.nurse.setFixedWidth(tight_name_width(room, self._name_field_width()))
        else:
            self.nurse.setMaximumWidth(QWIDGETSIZE_MAX)
            self.nurse.setMinimumWidth(px(NAME_FIELD_W))
        # Beside the tabs the field is as high as a tab, not more (its padding smaller): the
        # tab bar gives a corner widget its own height and cut the field's lower edge.
        set_prop(self.nurse, "compact", corner)
        if corner == (self.tabs.cornerWidget() is self.name_box):
            return
        if corner:
            self._top_layout.removeWidget(self.name_box)
            self.tabs.setCornerWidget(self.name_box, Qt.Corner.TopRightCorner)
        else:
            self.tabs.setCornerWidget(None, Qt.Corner.TopRightCorner)
            self._top_layout.addWidget(self.name_box)
        self.name_box.show()

    def _build_history_tab(self) -> QWidget:
        """The history scrolls when two charts and the slowest calls do not fit the height."""
        page = QWidget()
        scroll = vertical_scroll(page)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 14, 8, 8)
        layout.setSpacing(10)
        self.history_note = QLabel()
        self.history_note.setObjectName("sectionTitle")
        self.history_note.setWordWrap(True)
        layout.addWidget(self.history_note)
        by_type = QLabel(
            translate(
                "Beckon",
                "Time to a nurse's answer, per request type (last 24 h): 9 of 10 calls were "
                "answered within the bar (90th percentile)",
            )
        )
        by_type.setWordWrap(True)
        by_type.setObjectName("chartTitle")
        layout.addWidget(by_type)
        self.intent_chart = BarChart(horizontal=True)
        layout.addWidget(self.intent_chart, 1)
        by_hour = QLabel(
            translate("Beckon", "Time to a nurse's answer, per hour (90th percentile)")
        )
        by_hour.setObjectName("chartTitle")
        by_hour.setWordWrap(True)
        layout.addWidget(by_hour)
        self.hour_chart = BarChart(horizontal=False)
        # The slowest calls beside the hourly chart: what a median or percentile still hides.
        lower = QHBoxLayout()
        lower.addWidget(self.hour_chart, 3)
        slow = QVBoxLayout()
        slow_title = QLabel(translate("Beckon", "Slowest calls (last 24 h)"))
        slow_title.setObjectName("chartTitle")
        slow_title.setWordWrap(True)
        slow.addWidget(slow_title)
        self.slowest = QLabel()
        self.slowest.setObjectName("slowestCalls")
        self.slowest.setWordWrap(True)
        self.slowest.setAlignment(Qt.AlignmentFlag.AlignTop)
        slow.addWidget(self.slowest, 1)
        lower.addLayout(slow, 2)
        layout.addLayout(lower, 1)
        for chart in (self.intent_chart, self.hour_chart):
            chart.empty_text = translate("Beckon", "No requests in the last 24 hours.")
            if self.high_contrast:
                chart.set_colours("#ffd700", "#ffffff", "#444444")
        return scroll

    def _build_beds_tab(self) -> QWidget:
        """The bed board: every bed's tablet, camera, face, microphone, speech recogniser,
        calls waiting to reach the station and software version, without going to the bed.
        One card per bed whose cells wrap (never a wide table): it fits at font scale 1.5."""
        page = QWidget()
        scroll = vertical_scroll(page)
        outer = QVBoxLayout(page)
        outer.setContentsMargins(8, 14, 8, 8)
        outer.setSpacing(px(8))
        self.board_layout = QVBoxLayout()
        self.board_layout.setSpacing(px(8))
        outer.addLayout(self.board_layout)
        self.board_empty = QLabel(translate("Beckon", "No bed has reported yet."))
        self.board_empty.setObjectName("emptyQueue")
        self.board_empty.setWordWrap(True)
        outer.addWidget(self.board_empty)
        outer.addStretch(1)
        self.board_rows: dict[str, list[QLabel]] = {}
        self._board_cards: dict[str, QFrame] = {}
        return scroll

    def board_cells(self, bed: str) -> list[QLabel]:
        """One bed's cells on the board in column order (``strings.board_headers()`` after
        the bed): each shows "Title: value" and holds the value in its ``value`` property."""
        return self.board_rows.get(bed, [])

    def _show_board(self, offline: tuple[str, ...] | list[str]) -> None:
        beds = sorted({*self.bed_health, *offline}, key=bed_sort_key)
        board = []
        for bed in beds:
            h = self.bed_health.get(bed)
            if h is None or bed in offline:
                board.append(bed_board_row(bed, False, software=h.software if h else ""))
            else:
                board.append(
                    bed_board_row(
                        bed, h.online, h.faults, h.software, h.voice, h.backlog, h.backlog_age_s
                    )
                )
        self.bed_faults = {r.bed: r.faults for r in board}
        if board == self.board:
            return
        # Only the cards that changed are built again: rebuilding every card for each bed's
        # status froze a 200-bed window for a minute as it opened (and 0.3 s every 5 s after).
        before = {r.bed: r for r in self.board}
        self.board = board
        wanted = {r.bed for r in board}
        for bed in [b for b in self._board_cards if b not in wanted]:
            self._drop_board_card(bed)
        for index, entry in enumerate(board):
            if before.get(entry.bed) == entry and entry.bed in self._board_cards:
                continue
            self._drop_board_card(entry.bed)
            card, cells = self._board_card(entry)
            self.board_layout.insertWidget(index, card)
            self._board_cards[entry.bed] = card
            self.board_rows[entry.bed] = cells
        self.board_empty.setVisible(not board)

    def _drop_board_card(self, bed: str) -> None:
        card = self._board_cards.pop(bed, None)
        self.board_rows.pop(bed, None)
        if card is not None:
            self.board_layout.removeWidget(card)
            card.hide()
            card.deleteLater()

    def _board_card(self, entry: BedBoardRow) -> tuple[QFrame, list[QLabel]]:
        name = QLabel(strings.bed_title(entry.bed))
        name.setObjectName("boardBed")
        age = age_text(entry.waiting_s or 0)
        tablet = ("ok", "online") if entry.online else ("bad", "offline")
        values = [
            tablet,
            entry.camera,
            entry.face,
            entry.mic,
            entry.voice,
            entry.backlog,
            ("off", entry.software or "unknown"),
        ]
        cells = []
        for title, (tone, code) in zip(strings.board_headers()[1:], values, strict=True):
            value = strings.board_text(code, entry.waiting, age)
            cell = QLabel(translate("Beckon", "{what}: {value}").format(what=title, value=value))
            cell.setObjectName("boardCell")
            cell.setProperty("value", value)
            set_prop(cell, "state", tone)
            cells.append(cell)
        return BoardCard(name, cells), cells

    # ------------------------------------------------------------ running

    def start(self) -> None:
        if self._on_feed_thread not in self.feed.listeners:
            self.feed.listeners.append(self._on_feed_thread)
        if self._background is None:
            self._background = Background(self.feed.run, f"feed-{self.feed.unit}").start()
        self.clock.start()

    def request_stop(self) -> None:
        """Ask the feed's thread to stop, without waiting (see ``run_until_closed``)."""
        if self._background is not None:
            self._background.request_stop()

    def shutdown(self) -> None:
        """Stop the feed's thread (its MQTT link with it) and detach from the feed: after
        this no other thread holds anything of the window, so it can be deleted."""
        self.clock.stop()
        if self._background is not None:
            self._background.stop()
            self._background = None
        if self._on_feed_thread in self.feed.listeners:
            self.feed.listeners.remove(self._on_feed_thread)
        self.alarm.close()

    def closeEvent(self, event: QCloseEvent | None) -> None:
        self.shutdown()
        super().closeEvent(event)

    # ------------------------------------------------------------ feed (GUI thread)

    def on_item(self, item: FeedItem) -> None:
        match item:
            case p.UnitQueue():
                self.queue = item
                self.pending.settle(item)
                # Two nurses pressed at once and the station took the other's first.
                self._tell_done_first(self.own.settle(item, time.monotonic()))
                alerts = self.tracker.update(item, time.monotonic())
                self._show_queue()
                if alerts:
                    self._alert(alerts)
            case p.UnitStats():
                self.stats = item
                self._show_stats()
            case Connection(online=online):
                self.connected = online
                self.pending.connection(online, time.monotonic())
                self._show_link()
            case StationPresence(name=name, online=online):
                self.stations[name] = online
                if online:
                    self._station_heard[name] = time.monotonic()
                else:
                    self._station_heard.pop(name, None)
                self._show_link()
            case BedHealth():
                if self.bed_health.get(item.bed) == item:
                    return  # a heartbeat that changes nothing (every 5 s from every bed)
                new_bed = item.bed not in self.bed_health
                self.bed_health[item.bed] = item
                self._show_faults(self.queue.offline_beds if self.queue else ())
                if new_bed:
                    self._show_ask_beds()
            case CallsClosed(views=views):
                # A call that left the queue: a colleague resolved it or the patient cancelled.
                self._tell_done_first(self.own.closed(views))
            case _:
                assert_never(item)

    def _tell_done_first(self, done: list[DoneFirst]) -> None:
        for first in done:
            self._banner(strings.done_first_text(first.what, first.state, first.by), False)

    def label(self, code: str) -> str:
        return intent_label(self.intents, code, self.language)

    # ------------------------------------------------------------ nurse actions

    def act(self, action: str, request_id: str) -> bool:
        """Acknowledge or resolve, in the nurse's name; the result shows in the next queue."""
        nurse = self._nurse_name()
        if not nurse:
            return False
        if action == "acknowledge":
            delivery = self.feed.acknowledge(request_id, nurse)
        else:
            delivery = self.feed.resolve(request_id, nurse)
        view = self.rows[request_id].view if request_id in self.rows else None
        what = (
            strings.bed_title(view.bed) + ", " + self.label(view.intent)
            if view is not None
            else request_id[:8]
        )
        if delivery != "not_sent":
            self.own.add(request_id, action, nurse, what)
        if delivery == "queued":
            self.pending.add(request_id, action, what, time.monotonic())
        return self._delivered(
            delivery,
            queued=translate(
                "Beckon",
                "Not connected: the action is queued and will be sent when the connection "
                "is back. Keep this window open.",
            ),
            not_sent=translate("Beckon", "Not connected: the action was not sent."),
        )

    def ask(self) -> bool:
        # One line each (a pasted tab or newline is a control character the protocol refuses).
        nurse = self._nurse_name()
        bed = self.ask_bed.currentText().strip()
        text = " ".join(self.ask_text.currentText().split())
        if not nurse:
            return False
        if not bed or not text:
            self._banner(translate("Beckon", "Choose a bed and a question."), loud=False)
            return False
        beds = known_beds(self.queue, self.bed_health)
        if beds and bed not in beds:
            # A mistyped bed number was accepted and showed "waiting" for a tablet that does
            # not exist, while the patient meant was never asked.
            self._banner(
                translate(
                    "Beckon", "No tablet at bed {bed} on this unit: check the number."
                ).format(bed=bed),
                loud=False,
            )
            self.ask_bed.setFocus()
            return False
        delivery = self.feed.ask(bed, text[:200], nurse)
        return self._delivered(
            delivery,
            queued=translate(
                "Beckon",
                "Not connected: the question is queued and will be asked when the "
                "connection is back.",
            ),
            not_sent=translate("Beckon", "Not connected: the question was not sent."),
        )

    def _nurse_name(self) -> str:
        """The nurse's name as one line; "" when none is entered, told on the banner with the
        name field focused: every action and question goes out in a nurse's name."""
        nurse = p.one_line_name(self.nurse.text())
        if not nurse:
            self._banner(translate("Beckon", "Enter your name first."), loud=False)
            self.nurse.setFocus()
        return nurse

    def _delivered(self, delivery: Delivery, *, queued: str, not_sent: str) -> bool:
        """Tell the nurse, loud, when an action or question did not go out at once (``queued``
        waits for the connection, ``not_sent`` is lost); whether it was sent or queued."""
        if delivery == "queued":
            self._banner(queued, True)
        elif delivery == "not_sent":
            self._banner(not_sent, True)
        return delivery != "not_sent"

    # ------------------------------------------------------------ showing

    def _show_queue(self) -> None:
        queue = self.queue
        views = sort_requests(queue.requests) if queue else []
        seen = {v.id for v in views}
        for request_id in list(self.rows):
            if request_id not in seen:
                # Hidden and out of the layout now, deleted by Qt on this thread at the next
                # turn of the loop. Never setParent(None): a row without a parent belongs to
                # Python, and the garbage collector may destroy it on another thread.
                gone = self.rows.pop(request_id)
                self.queue_layout.removeWidget(gone)
                gone.hide()
                gone.deleteLater()
        now = datetime.now(UTC)
        # Only the rows that changed are restyled, and only rows out of place are moved: with
        # 250 open calls, redoing every row for each call message held a new call 1.5 s.
        for position, view in enumerate(views):
            row = self.rows.get(view.id) or QueueRow(self.act)
            self.rows[view.id] = row
            label = request_label(self.intents, view, self.language)
            if row.shown != (view, label, self.high_contrast):
                row.show_view(view, label, self.high_contrast)
            row.set_age(now)
            placed = self.queue_layout.itemAt(position)
            if placed is None or placed.widget() is not row:
                self.queue_layout.insertWidget(position, row)
        order = [v.id for v in views]
        if order != self._tab_order:
            # Tab follows the rows as shown: a new row joined the end of the focus chain, so
            # an emergency shown second was reached last.
            self._tab_order = order
            chain = [b for i in order for b in (self.rows[i].ack, self.rows[i].resolve)]
            for before, after in pairwise(chain):
                QWidget.setTabOrder(before, after)
        self.empty.setVisible(not views)
        self._show_faults(queue.offline_beds if queue else ())  # and the calm alert band
        presence = strings.nurse_in_room_line(beds_with_nurse(queue))
        self.presence_label.setText(presence)
        self.presence_label.setVisible(bool(presence))
        self._show_questions(queue.questions if queue else ())
        self._show_ask_beds()
        for listener in self.row_listeners:
            listener(seen)

    def _show_ask_beds(self) -> None:
        """The beds a question can go to: every bed heard of, with or without a call (only
        beds with a call were listed, so a nurse typed the others)."""
        beds = known_beds(self.queue, self.bed_health)
        current = self.ask_bed.currentText()
        if [self.ask_bed.itemText(i) for i in range(self.ask_bed.count())] != beds:
            self.ask_bed.clear()
            self.ask_bed.addItems(beds)
            self.ask_bed.setCurrentText(current or (beds[0] if beds else ""))

    def _show_calm(self) -> None:
        """The alert band between alerts counts what waits: "No alerts" showed while 23 calls
        waited below the fold, six of them overdue; and beds offline, their fault lines under
        the calls, out of view."""
        views = self.queue.requests if self.queue is not None else ()
        waiting = [v for v in views if v.state == "received"]
        overdue = sum(1 for v in views if v.escalation > 0)
        text = strings.calm_alert_text(self._faulty, len(waiting), overdue)
        if self.alert_calm.text() != text:
            self.alert_calm.setText(text)

    def _show_faults(self, beds: tuple[str, ...] | list[str]) -> None:
        """Offline beds, then beds that are online but cannot see or hear their patient or
        whose calls do not reach the station; and the bed board."""
        self._show_board(beds)
        lines = [strings.alert_text("device_fault", bed) for bed in beds]
        lines += [
            strings.bed_fault_text(bed, faults)
            for bed, faults in sorted(self.bed_faults.items(), key=lambda i: bed_sort_key(i[0]))
            if faults and bed not in beds
        ]
        self._faulty = len(lines)  # one line per bed
        self._show_calm()
        if len(lines) > FAULT_LINES_SHOWN:
            more = len(lines) - FAULT_LINES_SHOWN + 1
            summary = translate("Beckon", "{n} more beds have device faults: see the Beds tab.")
            lines = [*lines[: FAULT_LINES_SHOWN - 1], summary.format(n=more)]
        if lines == self.fault_lines:
            return
        self.fault_lines = lines
        while self.faults_layout.count():
            item = self.faults_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # gone from the screen now, not at the next event loop turn
                widget.deleteLater()
        for line in lines:
            row = QFrame()
            row.setObjectName("faultRow")
            layout = QHBoxLayout(row)
            layout.addWidget(IconLabel("fault", 40))
            text = QLabel(line)
            text.setObjectName("faultRow")
            text.setStyleSheet("border: none;")
            text.setWordWrap(True)
            layout.addWidget(text, 1)
            self.faults_layout.addWidget(row)

    def _show_questions(self, questions: tuple[p.QuestionView, ...]) -> None:
        while self.questions_layout.count():
            item = self.questions_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for q in questions[:6]:
            row = QuestionRow(q)
            self.questions_layout.addWidget(row)
            # Shown and styled now, not at the next turn: _fit_side counts shown widgets only.
            row.show()
            row.ensurePolished()
        self._fit_side()  # a question's answer may need the column wider (scale 2)

    def question_rows(self) -> list[QuestionRow]:
        rows = []
        for i in range(self.questions_layout.count()):
            item = self.questions_layout.itemAt(i)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QuestionRow):
                rows.append(widget)
        return rows

    def _show_stats(self) -> None:
        stats = self.stats
        if stats is None:
            return
        self.intent_chart.set_bars(intent_bars(stats, self.intents, self.language, p90=True))
        self.hour_chart.set_bars(hour_bars(stats, p90=True))
        self.slowest.setText(
            "\n".join(
                strings.slow_call_text(*call)
                for call in slow_calls(stats, self.intents, self.language)[:SLOWEST_SHOWN]
            )
            or translate("Beckon", "No requests in the last 24 hours.")
        )
        total = sum(s.requests for s in stats.by_intent)
        self.history_note.setText(
            translate("Beckon", "{n} requests in the last {h} hours").format(
                n=total, h=stats.window_h
            )
        )

    def _show_link(self) -> None:
        online = self.connected
        self.link_pill.show_state(
            "ok" if online else ("off" if online is None else "bad"),
            strings.connection_text(online),
            "link" if online else "link_off",
        )
        # Without the broker the stations' last known state is stale: unknown, never green.
        station = any(self.stations.values()) if self.stations and online else None
        self.station_pill.show_state(
            "ok" if station else ("off" if station is None else "bad"),
            strings.station_text(station, linked=online),
            "link" if station else "link_off",
        )
        self._place_name()  # the chips' words changed their width

    def _show_system(self, now: float) -> None:
        sound = bool(getattr(self.alarm, "working", True))
        faults = self.watch.faults(self.connected, self.stations, sound, now)
        if faults != self.system_faults:
            self.system_faults = faults
            soft = faults == ["no_sound"]
            self._system_share = SOFT_SYSTEM_BANNER_SHARE if soft else SYSTEM_BANNER_SHARE
            set_prop(self.system_banner, "level", "soft" if soft else "loud")
            self.system_banner.setText("\n".join(strings.system_fault_text(f) for f in faults))
            self.system_banner.setVisible(bool(faults))
        if self.watch.sound_due(faults, now):
            self.alarm.play(True)

    def _alert(self, alerts: list[Alert]) -> None:
        shown = most_urgent(alerts)
        loud = any(a.loud for a in alerts)
        now = time.monotonic()
        # A banner still up is replaced only by an alert as urgent (an emergency neither by
        # "I am cold" nor by a routine call's escalation).
        up = self._banner_alert if now < self._banner_until else None
        if outranks(shown, up):
            self._banner(
                strings.alert_text(shown.kind, shown.bed, self.label(shown.intent), shown.detail),
                loud,
            )
            self._banner_alert = shown
        self.alerts.extend(alerts)
        level = escalation_sound(alerts)
        if any(a.audible for a in alerts) and self.sound_gate.allow(loud, now, level):
            self.alarm.play(loud, level)

    def _banner(self, text: str, loud: bool) -> None:
        self.banner.setText(text)
        set_prop(self.banner, "level", "loud" if loud else "soft")
        self._show_alert(True)
        self._banner_until = time.monotonic() + 20.0
        self._banner_loud = loud
        self._banner_alert = None  # a note of the window's own; ``_alert`` names its alert

    def _show_alert(self, shown: bool) -> None:
        """The alert banner, or "No alerts" in its place (same height: nothing below moves)."""
        self.alert_band.setCurrentWidget(self.banner if shown else self.alert_calm)

    def _tick(self) -> None:
        now = datetime.now(UTC)
        mono = time.monotonic()
        self._flash_phase = not self._flash_phase
        for request_id, row in self.rows.items():
            row.set_age(now)
            flashing = self.tracker.flashing(request_id, mono)
            row.paint_colours(flashing and self._flash_phase)
        for question in self.question_rows():
            question.set_age(now)
        if self.banner.isVisible() and mono > self._banner_until:
            self._show_alert(False)
        if self.tracker.reminder_due(mono):
            self.alarm.play(True)
        elif self.tracker.chime_due(mono):
            self.alarm.play(False)
        for name in silent_stations(self._station_heard, mono):
            log.warning("station %s not heard for %g s: calls may not arrive", name,
                        p.PRESENCE_FRESH_S)  # fmt: skip
            del self._station_heard[name]
            self.stations[name] = False
            self._show_link()
        self._show_system(mono)
        for lost in self.pending.lost(mono):
            verb = (
                translate("Beckon", "Acknowledge")
                if lost.action == "acknowledge"
                else translate("Beckon", "Resolve")
            )
            self._banner(
                translate("Beckon", "{action} for {what} did not arrive: press it again.").format(
                    action=verb, what=lost.what
                ),
                True,
            )
            self.alarm.play(False)
