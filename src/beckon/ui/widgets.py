"""Small Qt widgets shared by the windows: icons, status pills, request tiles, bar charts.

They only draw what they are given; every decision (colours, order, texts) is made in the
view-model modules and the windows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PyQt6.QtCore import QEvent, QObject, QPoint, QRect, QRectF, QSize, Qt, QTimer
from PyQt6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
)
from PyQt6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QScrollArea,
    QSizePolicy,
    QToolTip,
    QWidget,
)

from beckon.ui import theme
from beckon.ui.bedside_model import (
    CHIP_MOST_LINES,
    TileFit,
    TileLook,
    even_look,
    last_name_px,
    least_name_px,
    readable_px,
    wrap_words,
)
from beckon.ui.station_model import (
    Bar,
    axis_text,
    label_boxes,
    nice_ceiling,
    seconds_text,
)

BASE_FONT_PX = 20  # the application font at font scale 1 (beckon.ui.app)
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum" for a widget's width
WRAP_SLACK = 2
"""A word-wrapped label breaks a line a pixel before the text's advance ("Call the nurse" in
38 px bold: 298 px, on one line from 299): measured widths leave it this much."""
WRAPPED = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
"""How a tile's name is measured wrapped (its lines' height and width): top, not vertically
centred, as with AlignCenter a line measured a pixel higher."""


def vertical_scroll(content: QWidget, *, framed: bool = False) -> QScrollArea:
    """A scroll area around ``content`` that scrolls up and down only: the content takes the
    area's width and wraps its text to it, so at a large font scale a panel grows taller (and
    scrolls) instead of wider than the screen."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    if not framed:
        scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(content)
    FocusFollower(scroll)
    return scroll


class FocusFollower(QObject):
    """Keeps a widget brought into view (``follow``) in view while the list around it settles.

    A call reached with Tab was scrolled into view once; then its row took its final shape, or
    an alert band above the list shrank it, and the focused button sat below the fold with
    nobody scrolling it back. The follower brings the widget back into view after each such
    change, for as long as it has the focus and the nurse has not scrolled away from it
    (the scroll bar is where the follower left it)."""

    def __init__(self, area: QScrollArea) -> None:
        super().__init__(area)  # a child of the area: it lives and dies with it
        self._area = area
        self._widget: QWidget | None = None
        self._left_at: int | None = None  # the scroll bar's value after the last bring
        self._bring = QTimer(self)
        self._bring.setSingleShot(True)
        self._bring.setInterval(0)  # once the layout has settled (a row may just have moved)
        self._bring.timeout.connect(self._into_view)
        for watched in (area.viewport(), area.widget()):
            if watched is not None:
                watched.installEventFilter(self)

    @staticmethod
    def of(widget: QWidget) -> FocusFollower | None:
        """The follower of the scroll area ``widget`` lies in, if any."""
        area = widget.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        return area.findChild(FocusFollower) if area is not None else None

    def follow(self, widget: QWidget) -> None:
        """Bring ``widget`` into view now and keep it there while it has the focus."""
        self._widget = widget
        self._left_at = None
        self._bring.start()

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        kind = event.type() if event is not None else None
        if kind in (QEvent.Type.Resize, QEvent.Type.LayoutRequest) and self._still_followed():
            self._bring.start()
        return False

    def _still_followed(self) -> bool:
        widget, bar = self._widget, self._area.verticalScrollBar()
        if widget is None or bar is None or self._left_at is None:
            return False
        if not widget.hasFocus() and not widget.isAncestorOf(QApplication.focusWidget()):
            self._widget = None  # the focus moved on: so does the follower
            return False
        return bar.value() == self._left_at

    def _into_view(self) -> None:
        widget, bar = self._widget, self._area.verticalScrollBar()
        if widget is None or bar is None:
            return
        self._area.ensureWidgetVisible(widget)
        self._left_at = bar.value()


def ui_scale() -> float:
    """The font scale in force, read from the application font, for sizes set in code."""
    app = QApplication.instance()
    size = app.font().pixelSize() if isinstance(app, QApplication) else -1
    return size / BASE_FONT_PX if size > 0 else 1.0


def px(n: float) -> int:
    """``n`` pixels at font scale 1, scaled like the stylesheet's sizes."""
    return max(1, round(n * ui_scale()))


def repolish(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property changed (Qt does not by itself)."""
    style = widget.style()
    if style is not None:
        style.unpolish(widget)
        style.polish(widget)
    widget.update()


def set_prop(widget: QWidget, name: str, value: object) -> None:
    if widget.property(name) != value:
        widget.setProperty(name, value)
        repolish(widget)


def cap_type(widget: QWidget, size: int | None) -> None:
    """The widget's type no larger than ``size`` px (None: the stylesheet's size again), by
    its own stylesheet: what yields to the tiles' names in a cramped bedside window."""
    widget.setStyleSheet("")
    if size is not None and widget.font().pixelSize() > size:
        widget.setStyleSheet(f"font-size: {size}px;")


def icon_pixmap(name: str, size: int) -> QPixmap:
    return QIcon(theme.icon_path(name)).pixmap(QSize(size, size))


class IconLabel(QLabel):
    def __init__(self, name: str, size: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._size = px(size)
        self.set_icon(name)
        self.setFixedSize(self._size, self._size)

    def set_icon(self, name: str) -> None:
        self.setPixmap(icon_pixmap(name, self._size))
        self.icon_name = name

    def set_size(self, size: int) -> None:
        """Redraw at ``size`` pixels (already scaled): a tile shrinks its icon to fit its
        label at large font scales rather than letting the two overlap."""
        if size != self._size:
            self._size = size
            self.setFixedSize(size, size)
            self.set_icon(self.icon_name)


def one_line_width(label: QLabel) -> int:
    """Pixels the label's text takes on one line in its current font, with the label's own
    margins: what a word-wrapped label needs so as not to wrap (its size hint is not that)."""
    label.ensurePolished()
    metrics = QFontMetrics(label.font())
    margins = label.contentsMargins()
    return (
        metrics.horizontalAdvance(label.text())
        + margins.left()
        + margins.right()
        + 2 * max(0, label.margin())
    )


def longest_word(label: QLabel) -> int:
    """Pixels of the label's longest word in its current font: wrapping cannot break it."""
    metrics = QFontMetrics(label.font())
    return max((metrics.horizontalAdvance(w) for w in label.text().split()), default=0)


class FitLabel(QLabel):
    """A word-wrapped label that takes the height its layout can give and steps its type down
    (never below ``floor`` of the stylesheet's size) until the text fits: a long question at
    font scale 1.5 on a small tablet is shown whole, a little smaller, never cut off."""

    def __init__(self, floor: float = 0.6, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.floor = floor
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.setMinimumHeight(px(40))

    def setText(self, text: str | None) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        self.setStyleSheet("")
        size = self.font().pixelSize()
        floor = int(size * self.floor)
        while size > floor and (
            self.heightForWidth(self.width()) > self.height() or longest_word(self) > self.width()
        ):
            size -= 2
            self.setStyleSheet(f"font-size: {size}px;")


class CappedLabel(QLabel):
    """A word-wrapped label that takes the height its text needs, up to ``cap()`` pixels (None:
    no cap); past that its type steps down (never below ``floor`` of the stylesheet's size)
    until the text fits. For a banner that must stay whole without pushing what is under it off
    a short screen: unlike :class:`FitLabel`, its height comes from its text, not from its
    layout."""

    def __init__(self, cap: Callable[[], int] | None = None, floor: float = 0.65) -> None:
        super().__init__()
        self.cap = cap
        self.floor = floor
        self.most: int | None = None
        """Its largest type in px (None: the stylesheet's), as :func:`cap_type` sets it."""
        self.on_height: Callable[[], None] | None = None
        """Called when a new text changes its height (what is beside it gets or gives up room);
        not when ``set_most`` or ``fit`` do, so what answers by capping it makes no loop."""
        self.setWordWrap(True)

    def setText(self, text: str | None) -> None:
        before = self.heightForWidth(self.width())
        super().setText(text)
        self.fit()
        if self.on_height is not None and self.heightForWidth(self.width()) != before:
            self.on_height()

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        if event is None or event.oldSize().width() != event.size().width():
            self.fit()  # not on a change of height only: that is what fit() itself causes

    def set_most(self, size: int | None) -> None:
        """No type larger than ``size`` px (None: the stylesheet's size), then fit."""
        self.most = size
        self.fit()

    def fit(self) -> None:
        """From the stylesheet's size (or ``most``, if smaller), step down while the text is
        higher than the cap (call it when the cap changes: the window's height); never below
        ``floor`` of the stylesheet's size."""
        self.setStyleSheet("")
        floor = int(self.font().pixelSize() * self.floor)
        cap_type(self, self.most)
        size = self.font().pixelSize()
        if self.cap is None:
            return
        cap = self.cap()
        while size > floor and self.heightForWidth(self.width()) > cap:
            size -= 2
            self.setStyleSheet(f"font-size: {size}px;")


class FoldingNotice(CappedLabel):
    """A notice that can give way to the tiles' names by folding to one line (``set_folded``):
    its text elided in the middle, so the start still says what is wrong and the end what to
    do ("Configuration: bedside.offe…left out. Call IT."), in its own type (never smaller: a
    smaller notice would go below the 24 px read at 1 m). The whole text stays its tooltip and
    what a screen reader hears, and a tap shows it whole for ``OPEN_MS`` (a nurse reads it;
    the names may be cut meanwhile). A fold changes no text: it does not call ``on_height``."""

    OPEN_MS = 30_000

    def __init__(self) -> None:
        super().__init__()
        self.full = ""
        """The whole text, folded or not."""
        self.folded = False
        self._open = QTimer(self)
        self._open.setSingleShot(True)
        self._open.setInterval(self.OPEN_MS)
        self._open.timeout.connect(self._show_text)

    def setText(self, text: str | None) -> None:
        self.full = text or ""
        self.setToolTip(self.full)
        self.setAccessibleName(self.full)
        super().setText(self._shown())

    def set_folded(self, on: bool) -> bool:
        """One line (``on``) or the whole text; whether that changed. A text a tap opened
        stays whole for the rest of its ``OPEN_MS`` across a fold: stopped there, a nurse
        reading it lost it to the next status change."""
        if on == self.folded:
            return False
        self.folded = on
        self._show_text()
        return True

    def stop(self) -> None:
        """Forget a tap's open text (the window closes): its timer no longer runs."""
        self._open.stop()

    def whole_height(self) -> int:
        """Its height with its whole text at its width and type (folded or not): what it
        takes back if it unfolds."""
        self.ensurePolished()
        margin = 2 * max(0, self.margin())
        room = QRect(0, 0, max(1, self.contentsRect().width() - margin), 1 << 20)
        flags = int(self.alignment().value) | Qt.TextFlag.TextWordWrap.value
        text = self.fontMetrics().boundingRect(room, flags, self.full).height()
        return text + margin + self.height() - self.contentsRect().height()

    def _shown(self) -> str:
        if not self.folded or self._open.isActive():
            return self.full
        self.ensurePolished()
        width = self.contentsRect().width() - 2 * max(0, self.margin()) - 2
        return self.fontMetrics().elidedText(self.full, Qt.TextElideMode.ElideMiddle, max(1, width))

    def _show_text(self) -> None:
        QLabel.setText(self, self._shown())  # not CappedLabel's: no new text, no on_height
        self.fit()

    def fit(self) -> None:
        """Its type as :class:`CappedLabel` fits it, then folded, elided again to that type
        and its width (``fit`` follows a new width or cap)."""
        super().fit()
        if self.folded:
            QLabel.setText(self, self._shown())

    def mousePressEvent(self, event: QMouseEvent | None) -> None:
        """Folded, a tap shows the whole text for a while; a second tap folds it again."""
        if self.folded:
            if self._open.isActive():
                self._open.stop()
            else:
                self._open.start()
            self._show_text()
        super().mousePressEvent(event)


class FlowLayout(QLayout):
    """Lays widgets out left to right and wraps to a new line when the width runs out, so a
    row of status chips never pushes the window wider than the screen at large font scales.
    ``right``: each line ends at the right edge (a call's buttons, where they were before)."""

    def __init__(
        self, parent: QWidget | None = None, spacing: int = 10, *, right: bool = False
    ) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._right = right

    def addItem(self, item: QLayoutItem | None) -> None:
        if item is not None:
            self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def height_with(self, width: int, shown: Callable[[QWidget], bool]) -> int:
        """Its height at ``width`` were the widgets for which ``shown`` holds the ones in view
        (a header's chips all back: ``BedsideWindow._names_whole_unfolded``)."""
        return self._place(QRect(0, 0, width, 0), move=False, shown=shown)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _place(
        self, rect: QRect, move: bool, shown: Callable[[QWidget], bool] | None = None
    ) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        lines: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        used = 0  # the width the current line takes so far
        for item in self._items:
            widget = item.widget()
            if widget is not None and not (shown(widget) if shown else not widget.isHidden()):
                continue
            hint = item.sizeHint()
            if lines[-1] and used + hint.width() > area.width():
                lines.append([])
                used = 0
            lines[-1].append((item, hint))
            used += hint.width() + self._spacing
        y, height = area.y(), 0
        for line in lines:
            if not line:
                continue
            if height:
                y += height + self._spacing
            width = sum(hint.width() for _, hint in line) + self._spacing * (len(line) - 1)
            x = area.x() + (max(0, area.width() - width) if self._right else 0)
            height = max(hint.height() for _, hint in line)
            for item, hint in line:
                if move:
                    item.setGeometry(QRect(QPoint(x, y), hint))
                x += hint.width() + self._spacing
        return y + height - rect.y() + m.bottom()


class StatusPill(QFrame):
    """An icon and a short text on a coloured pill: ``state`` is ok, warn, bad or off."""

    def __init__(self, parent: QWidget | None = None, icon_size: int = 26) -> None:
        super().__init__(parent)
        self.setObjectName("statusPill")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 14, 4)
        layout.setSpacing(8)
        self.icon = IconLabel("pending", icon_size)
        self.label = QLabel()
        self.label.setObjectName("statusPillText")
        layout.addWidget(self.icon)
        layout.addWidget(self.label)
        self.wanted = True  # False: what it reports is not there (no camera, no microphone)
        self.only_problems = False
        self._text = ""
        self._cap: int | None = None  # the pill's widest (``set_cap``); None: no limit

    def set_cap(self, width: int | None) -> None:
        """The pill is never wider than ``width``: its text wraps onto a second line and past
        that ends in an ellipsis (``bedside_model.wrap_words``, ``CHIP_MOST_LINES``). "Too
        dark to see the face: turn on a light or uncover the camera" ran past an 800 px window
        at font scale 1 and 2. The whole text is the pill's tooltip when it is shortened, and
        always its accessible name (a screen reader hears it on one line)."""
        if width != self._cap:
            self._cap = width
            self._wrap()

    def _wrap(self) -> None:
        """The label's text, broken into lines no wider than the cap leaves it: the cap less
        what the pill takes besides its text (margins, the icon and the gap)."""
        text = self._text
        if self._cap is not None:
            self.ensurePolished()
            self.label.ensurePolished()  # the stylesheet's type, to measure with
            metrics = self.label.fontMetrics()
            layout = self.layout()
            besides = self.icon.sizeHint().width() + 2 * self.frameWidth()
            if layout is not None:
                m = layout.contentsMargins()
                besides += m.left() + m.right() + layout.spacing()
            room = max(1, self._cap - besides - 2)  # 2: a label's hint is a little wider
            text = wrap_words(text, metrics.horizontalAdvance, room, CHIP_MOST_LINES)
        if text != self.label.text():
            self.label.setText(text)
        self.setToolTip(self._text if text != self._text else "")  # wrapped or shortened

    def show_state(self, state: str, text: str, icon: str) -> None:
        if text != self._text:
            self._text = text
            self._wrap()
        self.setAccessibleName(text)  # a screen reader reads the pill as one thing
        self.label.setAccessibleName(text)  # ... and one reading its parts the whole text
        if self.icon.icon_name != icon:
            self.icon.set_icon(icon)
        set_prop(self, "state", state)
        self._show()

    def mousePressEvent(self, event: QMouseEvent | None) -> None:
        """A tap on a shortened chip shows its whole text: a touch screen has no hover for the
        tooltip, and the fix ("... turn on a light or uncover the camera") may lie past the
        ellipsis (review rev42v)."""
        if event is not None and self.label.text() != self._text:
            # Not tied to the chip: a tip that names its widget kept a bare pointer to it,
            # and a window closed while it showed crashed the next style change.
            QToolTip.showText(event.globalPosition().toPoint(), self._text)
        super().mousePressEvent(event)

    def set_wanted(self, wanted: bool) -> None:
        self.wanted = wanted
        self._show()

    def set_only_problems(self, on: bool, *, smaller: bool | None = None) -> None:
        """``on``: shown only while it reports a problem (warn, bad), in smaller type (unless
        ``smaller`` is False): in a window too short for its font scale a header of every chip
        took three lines (175 of the 800 px of a tablet at scale 2) from the patient's tiles."""
        self.only_problems = on
        set_prop(self, "compact", on if smaller is None else smaller)
        repolish(self.label)  # its type follows the pill's property
        self._wrap()  # in its new type
        self._show()

    def _show(self) -> None:
        problem = self.property("state") in ("warn", "bad")
        self.setVisible(self.wanted and (problem or not self.only_problems))

    @property
    def text(self) -> str:
        """The whole text, on one line (the label may show it wrapped)."""
        return self._text


class Tile(QFrame):
    """One request the patient can choose: a large icon and its name. Touch selects it, unless
    ``on_touch`` is None (the bed's inputs leave touch out)."""

    def __init__(
        self,
        code: str,
        label: str,
        on_touch: Callable[[str], None] | None,
        icon_size: int = 120,
        icon: str = "",
    ) -> None:
        """``icon``: the icon's name, when it is not the code's."""
        super().__init__()
        self.code = code
        self.setObjectName("tile")
        self.setProperty("highlighted", False)
        self.setProperty("stage", "")
        self._on_touch = on_touch
        layout = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        # Little beside the name: the border and its padding already keep it 12 px from the
        # edge, and three tiles side by side on a 1280 x 800 tablet need every pixel for it.
        layout.setContentsMargins(2, 8, 2, 8)
        layout.setSpacing(8)
        self._layout = layout
        self.icon = IconLabel(icon or code, icon_size)
        self._icon_full = px(icon_size)
        self.icon.setMinimumSize(px(32), px(32))
        self.setAccessibleName(label)  # its description says when it is offered (the window)
        self.label = QLabel(label)
        self.label.setObjectName("tileLabel")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.label)
        layout.addStretch(1)
        if on_touch is not None:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._font = QFont()  # the name's font in the stylesheet's type (set by each measure)
        self.fit: TileFit | None = None
        """What its name and icon have room for at its size (set by each fit)."""
        self.even: TileLook | None = None
        """The look every request's tile shares (the window's), None: its own."""
        self.on_fitted: Callable[[], None] | None = None
        """Called after each fit: the window then evens the tiles' look."""

    @property
    def highlighted(self) -> bool:
        return bool(self.property("highlighted"))

    def set_highlight(self, on: bool, stage: str) -> None:
        if self.property("highlighted") == on and self.property("stage") == stage:
            return
        self.setProperty("highlighted", on)
        self.setProperty("stage", stage)
        repolish(self)
        repolish(self.label)
        self._fit()  # the highlight's thicker border leaves less room

    def mousePressEvent(self, event: QMouseEvent | None) -> None:
        if self._on_touch is not None:
            self._on_touch(self.code)

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        """The icon takes what the label leaves: at a large font scale a two-line label and a
        full-size icon would overlap in a short tile."""
        super().resizeEvent(event)
        self._fit()

    def set_even(self, look: TileLook) -> None:
        """Show the name and the icon as every request's tile does (no larger than it has
        room for: the cancel entry's longer name may need less)."""
        if look != self.even:
            self.even = look
            self._fit()

    def _room(self) -> tuple[int, int, int]:
        """The width and height inside the border and padding, and the gap between icon and
        name: the same highlighted or not (the stylesheet gives the highlight's thicker
        border the padding's room)."""
        margins = self._layout.contentsMargins()
        inner = self.contentsRect()
        width = max(1, inner.width() - margins.left() - margins.right())
        return width, inner.height() - margins.top() - margins.bottom(), self._layout.spacing()

    def fit_at(self, size: QSize) -> TileFit:
        """What the name and the icon would have room for in a tile of ``size`` (another
        column count); what it shows stays as it is."""
        self.ensurePolished()
        frame = self.rect().size() - self.contentsRect().size()
        margins = self._layout.contentsMargins()
        width = size.width() - frame.width() - margins.left() - margins.right()
        height = size.height() - frame.height() - margins.top() - margins.bottom()
        shown = self.label.styleSheet()
        fit = self._measure(max(1, width), height, self._layout.spacing())
        self.label.setStyleSheet(shown)
        return fit

    def _fit(self) -> None:
        """Measure what the name and the icon have room for (``TileFit``), then show the look
        the window chose for every tile (``even_look``), or its own."""
        width, height, gap = self._room()
        self.fit = self._measure(width, height, gap)
        look = self.even or even_look([self.fit])
        own = self.fit.beside if look.beside else self.fit.above
        name = min(look.name_px, own[0] if own else self.fit.bare_px)
        icon = min(look.icon_px, self._icon(name, look.beside, width, height, gap)) if own else 0
        self.label.setStyleSheet(f"font-size: {name}px;")
        self._place_icon(look.beside and icon > 0)
        if icon:
            self.icon.set_size(icon)
            self.icon.show()
            if look.beside:  # the name takes what the icon leaves, no wider than its lines
                text = self._beside_width(name, width - px(32) - gap)
                self.label.setFixedWidth(max(1, min(text, width - icon - gap)))
        else:
            self.icon.hide()
        if self.on_fitted is not None:
            self.on_fitted()

    def _place_icon(self, beside: bool) -> None:
        """The icon above the name, or beside it (the name then as wide as it needs)."""
        direction = QBoxLayout.Direction.LeftToRight if beside else QBoxLayout.Direction.TopToBottom
        if self._layout.direction() != direction:
            self._layout.setDirection(direction)
        if not beside:
            self.label.setMinimumWidth(0)
            self.label.setMaximumWidth(QWIDGETSIZE_MAX)

    def _measure(self, width: int, height: int, gap: int) -> TileFit:
        """The name's largest type from the stylesheet's size down, with no icon (down to
        ``least_name_px``; not whole if it has no room around it there: then that type where
        it still fits the tile's whole height, else lower if that alone keeps it whole,
        ``last_name_px``), and with the icon above or
        beside it (never below the readable size: else no icon there)."""
        self.label.setStyleSheet("")
        self.label.ensurePolished()
        self._font = QFont(self.label.font())
        style = self._font.pixelSize()
        floor = least_name_px(style, ui_scale())
        readable = min(style, readable_px(ui_scale()))
        least = px(32)
        text = self.label.text()
        sizes = [*range(style, floor, -2), floor]  # the least too (45 px steps to 22)

        def word(size: int) -> int:
            return max((self._advance(size, w) for w in text.split()), default=0)

        def fits(size: int, w: int, h: int) -> bool:
            return word(size) <= w and self._text_height(size, w) <= h

        bare = next((s for s in sizes if fits(s, width, height - 2 * gap)), None)
        whole = bare is not None
        if bare is None:  # in the tile's whole height, else smaller rather than cut
            lowest = last_name_px(style, ui_scale())
            lower = [floor, *range(floor - 2, lowest, -2), lowest] if lowest < floor else [floor]
            bare = next((s for s in lower if fits(s, width, height)), None)
        above = beside = None
        for size in (s for s in sizes if s >= readable and word(s) <= width):
            icon = self._icon(size, False, width, height, gap)
            if icon >= least:
                above = (size, icon)
                break
        side = width - least - gap
        for size in (s for s in sizes if s >= readable and least <= height):
            if fits(size, side, height):
                beside = (size, self._icon(size, True, width, height, gap))
                break
        return TileFit(floor if bare is None else bare, above, beside, whole=whole)

    def icon_for(self, look: TileLook) -> int:
        """The icon's size with the name in ``look``'s type and place, at its size now: the
        window evens the icons at the names' common type, not at each name's own (larger)."""
        return self._icon(look.name_px, look.beside, *self._room())

    def _icon(self, name: int, beside: bool, width: int, height: int, gap: int) -> int:
        """The icon's room beside the name in ``name`` px (wrapped if need be, leaving the
        icon its least), or above it."""
        if beside:
            text = self._beside_width(name, width - px(32) - gap)
            return min(self._icon_full, height, width - gap - text)
        room = height - self._text_height(name, width) - 3 * gap - 2
        return min(self._icon_full, room, width)

    def _advance(self, size: int, text: str) -> int:
        font = QFont(self._font)
        font.setPixelSize(size)
        return QFontMetrics(font).horizontalAdvance(text)

    def _one_line(self, size: int) -> int:
        """The width the name needs on one line in ``size`` px."""
        return self._advance(size, self.label.text()) + WRAP_SLACK

    def _beside_width(self, size: int, room: int) -> int:
        """The width the name takes in ``size`` px beside the icon, ``room`` being what the
        least icon leaves: one line if it fits there, else as wide as its widest line wrapped
        there. The icon takes the rest: a wrapped name took all of ``room`` and left the icon
        its least (at scale 1.25 on a 1280 x 800 tablet in Korean, offline, 40 px icons beside
        "간호사 불러 / 주세요" in 37 px type; 88 px now)."""
        one_line = self._one_line(size)
        if one_line <= room:
            return one_line
        font = QFont(self._font)
        font.setPixelSize(size)
        lines = QRect(0, 0, max(1, room - WRAP_SLACK), 1 << 20)
        widest = QFontMetrics(font).boundingRect(lines, WRAPPED, self.label.text()).width()
        return min(room, widest + WRAP_SLACK)

    def _text_height(self, size: int, width: int) -> int:
        """The name's height wrapped to ``width`` in ``size`` px, as the label measures it."""
        font = QFont(self._font)
        font.setPixelSize(size)
        room = QRect(0, 0, max(1, width - WRAP_SLACK), 1 << 20)
        return QFontMetrics(font).boundingRect(room, WRAPPED, self.label.text()).height()


class BarChart(QWidget):
    """Bars of seconds with their labels and values, drawn with QPainter.

    ``horizontal``: one row per bar (request types); otherwise columns (hours of the day).
    """

    def __init__(self, horizontal: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.horizontal = horizontal
        self.bars: list[Bar] = []
        self.bar_colour = QColor("#2f6fb5")
        self.text_colour = QColor("#14202b")
        self.grid_colour = QColor("#c9d3dc")
        self.empty_text = ""
        self.setMinimumHeight(px(200))

    def set_bars(self, bars: Sequence[Bar]) -> None:
        self.bars = list(bars)
        self.update()

    def set_colours(self, bar: str, text: str, grid: str) -> None:
        self.bar_colour, self.text_colour, self.grid_colour = (
            QColor(bar),
            QColor(text),
            QColor(grid),
        )
        self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        painter.setFont(font)
        painter.setPen(self.text_colour)
        if not self.bars:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.end()
            return
        top = nice_ceiling([b.value for b in self.bars])
        if self.horizontal:
            self._paint_rows(painter, top)
        else:
            self._paint_columns(painter, top)
        painter.end()

    def _paint_rows(self, painter: QPainter, top: float) -> None:
        metrics = painter.fontMetrics()
        label_w = max(metrics.horizontalAdvance(b.label) for b in self.bars) + 16
        value_w = metrics.horizontalAdvance("00.0 min  (000)") + 12
        row_h = min(56.0, (self.height() - 8) / len(self.bars))
        span = max(10.0, self.width() - label_w - value_w)
        for i, bar in enumerate(self.bars):
            y = 4 + i * row_h
            painter.setPen(self.text_colour)
            painter.drawText(
                QRectF(0, y, label_w - 8, row_h),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                bar.label,
            )
            width = span * (bar.value or 0.0) / top
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.grid_colour)
            painter.drawRoundedRect(QRectF(label_w, y + row_h * 0.2, span, row_h * 0.6), 6, 6)
            if bar.value is not None:
                painter.setBrush(self.bar_colour)
                painter.drawRoundedRect(
                    QRectF(label_w, y + row_h * 0.2, max(6.0, width), row_h * 0.6), 6, 6
                )
            painter.setPen(self.text_colour)
            painter.drawText(
                QRectF(label_w + span + 8, y, value_w, row_h),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"{seconds_text(bar.value)}  ({bar.count})",
            )

    def _paint_columns(self, painter: QPainter, top: float) -> None:
        metrics = painter.fontMetrics()
        ticks = [(frac, axis_text(top * frac)) for frac in (0.0, 0.5, 1.0)]
        axis_w = max(metrics.horizontalAdvance(text) for _, text in ticks) + 14
        text_h = metrics.height() + 6
        plot_h = max(10.0, self.height() - 2 * text_h - 8)
        plot_top = text_h
        painter.setPen(self.grid_colour)
        for frac, text in ticks:
            y = plot_top + plot_h * (1 - frac)
            painter.drawLine(int(axis_w), int(y), self.width(), int(y))
            painter.setPen(self.text_colour)
            painter.drawText(
                QRectF(0, y - text_h / 2, axis_w - 8, text_h),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
            painter.setPen(self.grid_colour)
        col_w = (self.width() - axis_w) / len(self.bars)
        for i, bar in enumerate(self.bars):
            x = axis_w + i * col_w
            if bar.value is not None:
                h = max(3.0, plot_h * bar.value / top)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(self.bar_colour)
                painter.drawRoundedRect(
                    QRectF(x + col_w * 0.18, plot_top + plot_h - h, col_w * 0.64, h), 4, 4
                )
        painter.setPen(self.text_colour)
        for rect, text in self.column_labels(metrics, axis_w, plot_top + plot_h + 4, text_h):
            painter.drawText(rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)

    def column_labels(
        self, metrics: QFontMetrics, axis_w: float, y: float, text_h: float
    ) -> list[tuple[QRectF, str]]:
        """Where each column label goes: only as many as fit whole (every hour, every other,
        every third...), each in a box at least as wide as its text, inside the chart."""
        if not self.bars:
            return []
        col_w = (self.width() - axis_w) / len(self.bars)
        text_w = max(metrics.horizontalAdvance(b.label) for b in self.bars)
        placed = []
        for i, left in label_boxes(len(self.bars), axis_w, col_w, text_w, self.width()):
            placed.append((QRectF(left, y, text_w, text_h), self.bars[i].label))
        return placed
