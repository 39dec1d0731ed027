"""Small Qt widgets shared by the windows: icons, status pills, request tiles, bar charts.

They only draw what they are given; every decision (colours, order, texts) is made in the
view-model modules and the windows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PyQt6.QtCore import QRectF, QSize, Qt
from PyQt6.QtGui import QColor, QFont, QIcon, QMouseEvent, QPainter, QPaintEvent, QPixmap
from PyQt6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from beckon.ui import theme
from beckon.ui.station_model import Bar, axis_text, nice_ceiling, seconds_text

BASE_FONT_PX = 20  # the application font at font scale 1 (beckon.ui.app)


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

    def show_state(self, state: str, text: str, icon: str) -> None:
        self.label.setText(text)
        if self.icon.icon_name != icon:
            self.icon.set_icon(icon)
        set_prop(self, "state", state)

    @property
    def text(self) -> str:
        return self.label.text()


class Tile(QFrame):
    """One request the patient can choose: a large icon and its name. Touch selects it."""

    def __init__(
        self, code: str, label: str, on_touch: Callable[[str], None], icon_size: int = 120
    ) -> None:
        super().__init__()
        self.code = code
        self.setObjectName("tile")
        self.setProperty("highlighted", False)
        self.setProperty("stage", "")
        self._on_touch = on_touch
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 16, 8, 16)
        layout.setSpacing(12)
        self.icon = IconLabel(code, icon_size)
        self.label = QLabel(label)
        self.label.setObjectName("tileLabel")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.label)
        layout.addStretch(1)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

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

    def mousePressEvent(self, event: QMouseEvent | None) -> None:
        self._on_touch(self.code)


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
        self.setMinimumHeight(px(260))

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
            painter.drawText(
                QRectF(x, plot_top + plot_h + 4, col_w, text_h),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                bar.label if len(self.bars) <= 12 or i % 2 == 0 else "",
            )
