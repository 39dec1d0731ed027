"""The history's hour chart never cuts a label ("4:0" in the old station_history.png): each
label is drawn in a box at least as wide as its text, inside the chart, not overlapping the
next, at every width the station window gives it and at font scales 1 to 1.5."""

from __future__ import annotations

from typing import Any

import pytest
from PyQt6.QtGui import QFontMetrics, QImage

from beckon.ui.station_model import Bar


@pytest.mark.parametrize("scale", [1.0, 1.5])
def test_hour_labels_are_never_cut_off(qtbot: Any, scaled: Any, scale: float) -> None:
    from beckon.ui.widgets import BarChart

    scaled(scale, "station")
    chart = BarChart(horizontal=False)
    qtbot.addWidget(chart)
    chart.set_bars([Bar(f"{h:02d}:00", 60.0 * (h % 7), 3, 3) for h in range(24)])
    chart.show()
    metrics = QFontMetrics(chart.font())
    labelled = set()
    for width in range(300, 1900, 37):
        chart.resize(width, 260)
        qtbot.wait(1)
        boxes = chart.column_labels(metrics, 60.0, 200.0, metrics.height())
        assert boxes, f"no hour labelled at {width} px"
        for (box, text), (after, _) in zip(boxes, [*boxes[1:], (None, "")], strict=True):
            assert metrics.horizontalAdvance(text) <= box.width(), (width, text)
            assert box.left() >= 0 and box.right() <= width + 1e-6, (width, text)
            if after is not None:
                assert box.right() <= after.left() + 1e-6, f"{text} overlaps the next at {width}"
        labelled.add(len(boxes))
        image = QImage(chart.size(), QImage.Format.Format_ARGB32)
        chart.render(image)  # paints through the same boxes without error
    assert max(labelled) >= 12 and min(labelled) <= 6  # more hours when wide, fewer when narrow
