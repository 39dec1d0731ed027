"""``beckon bench ui``: how quickly the windows show what happened.

Two figures, each over N repetitions, with real services over a real broker and offscreen
windows that paint with the real stylesheet:

* **gesture → highlight**: from a recognised gesture posted to the bedside service (as the
  vision worker posts it) until the newly highlighted tile starts repainting;
* **request → station row**: from a request saved at the bedside (the ``request_saved``
  event; the MQTT publish follows at once) until its row starts painting in the station
  window, with the part until the station service stored it.

Camera and recognition time are not included: ``beckon bench vision`` measures those.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summary(values_s: list[float]) -> dict[str, float | int]:
    ms = [v * 1000 for v in values_s]
    if not ms:
        return {"n": 0}
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(_percentile(ms, 0.95), 2),
        "max_ms": round(max(ms), 2),
    }


def bench_ui(repeat: int = 50, broker_url: str | None = None) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtCore import QEvent, QEventLoop, QObject, QTimer
    from PyQt6.QtWidgets import QApplication, QWidget

    from beckon.bedside.events import BedsideEvent, RequestSaved
    from beckon.bedside.service import Gesture, Submit
    from beckon.lab.rig import one_machine
    from beckon.station.events import RequestChanged, StationEvent
    from beckon.station.feed import StationFeed
    from beckon.ui.app import Look, application, delete_windows
    from beckon.ui.bedside_window import BedsideWindow
    from beckon.ui.station_window import StationWindow

    app = application(Look(), "bedside")
    assert isinstance(app, QApplication)
    wake = QTimer()
    wake.start(20)  # lets the wait below re-check its condition

    def wait_until(check: Callable[[], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                return False
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        return True

    class PaintClock(QObject):
        """Notes when a widget starts painting."""

        def __init__(self) -> None:
            super().__init__()
            self.painted: dict[int, float] = {}

        def watch(self, widget: QWidget) -> None:
            widget.installEventFilter(self)

        def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:
            if event is not None and event.type() == QEvent.Type.Paint:
                self.painted[id(obj)] = time.perf_counter()
            return False

    clock = PaintClock()
    sent: dict[str, float] = {}
    stored: dict[str, float] = {}
    results: dict[str, Any] = {"repeat": repeat}
    with ExitStack() as stack:
        rig = stack.enter_context(one_machine(broker_url, site="bench", unit="ward"))
        results["broker"] = rig.broker
        station = rig.station()

        def note_stored(e: StationEvent) -> None:
            if isinstance(e, RequestChanged) and e.change == "received":
                stored.setdefault(e.view.id, time.perf_counter())

        station.listeners.append(note_stored)
        rig.serve(station)
        service = rig.bedside(
            "1",
            {
                "bedside.offered_intents": ["water", "nurse", "pain", "toilet"],
                "bedside.offer_seconds": 600.0,  # the most allowed: it never moves by itself
            },
        )

        def note_sent(e: BedsideEvent) -> None:
            # Saved to the outbox and about to be published: request_sent comes only after
            # the outbox has also recorded the publish (an fsync), often after the station
            # has the request already.
            if isinstance(e, RequestSaved):
                sent.setdefault(e.request_id, time.perf_counter())

        service.listeners.append(note_sent)
        bedside = BedsideWindow(service)
        window = StationWindow(StationFeed(station.settings.broker, "bench", "ward"))
        # Before the rig stops: both windows' threads joined and the windows deleted on this
        # thread while the QApplication (``app``, held by this frame) still exists.
        stack.callback(delete_windows, [window, bedside])
        for w in (bedside, window):
            w.start()
            w.show()
        if not wait_until(lambda: window.queue is not None and bedside.timeline.online is True):
            raise RuntimeError("the windows did not connect")
        if not wait_until(lambda: bedside.highlighted is not None):
            raise RuntimeError("the bedside menu did not start")
        for tile in bedside.tiles.values():
            clock.watch(tile)

        # 1. gesture -> highlighted tile repainting
        highlight: list[float] = []
        misses = 0
        for _ in range(repeat):
            before = bedside.highlighted
            clock.painted.clear()
            start = time.perf_counter()
            service.post(Gesture("shake", service.menu_time(), 1.0))

            def moved(before: str | None = before) -> bool:
                now = bedside.highlighted
                return now not in (None, before) and id(bedside.tiles[now]) in clock.painted

            if wait_until(moved, 5.0):
                tile = bedside.tiles[bedside.highlighted or ""]
                highlight.append(clock.painted[id(tile)] - start)
            else:
                misses += 1
            wait_until(lambda: False, 0.05)  # let the bedside settle between gestures
        results["gesture_to_highlight"] = {**summary(highlight), "missed": misses}

        # 2. request published at the bedside -> its row painting in the station window
        row_painted: dict[str, float] = {}

        def watch_rows(ids: set[str]) -> None:
            for request_id in ids:
                row = window.rows.get(request_id)
                if row is not None and request_id not in watched:
                    watched.add(request_id)
                    clock.painted.pop(id(row), None)  # ids of deleted rows are reused
                    clock.watch(row)

        watched: set[str] = set()
        window.row_listeners.append(watch_rows)
        to_row: list[float] = []
        to_store: list[float] = []
        for _ in range(repeat):
            count = len(sent)
            service.post(Submit("water", "touch", again=True))

            def saved(count: int = count) -> bool:
                return len(sent) > count

            if not wait_until(saved):
                continue
            request_id = next(reversed(sent))

            def shown(request_id: str = request_id) -> bool:
                row = window.rows.get(request_id)
                if row is None or id(row) not in clock.painted:
                    return False
                row_painted[request_id] = clock.painted[id(row)]
                return True

            if wait_until(shown):
                to_row.append(row_painted[request_id] - sent[request_id])
                if request_id in stored:
                    to_store.append(stored[request_id] - sent[request_id])
            window.feed.resolve(request_id, "bench")

            def gone(request_id: str = request_id) -> bool:
                return request_id not in window.rows

            wait_until(gone)
        results["request_to_station_row"] = summary(to_row)
        results["request_to_station_stored"] = summary(to_store)
    return results


def format_report(result: dict[str, Any]) -> str:
    lines = [f"broker: {result['broker']}, {result['repeat']} repetitions"]
    names = {
        "gesture_to_highlight": "gesture -> highlighted tile repaints",
        "request_to_station_stored": "request saved at bedside -> station stored it",
        "request_to_station_row": "request saved at bedside -> station row paints",
    }
    for key, label in names.items():
        s = result[key]
        if not s.get("n"):
            lines.append(f"{label:<48} no measurement")
            continue
        extra = f"  (missed {s['missed']})" if s.get("missed") else ""
        lines.append(
            f"{label:<48} median {s['median_ms']:7.2f} ms   p95 {s['p95_ms']:7.2f} ms   "
            f"max {s['max_ms']:7.2f} ms   n={s['n']}{extra}"
        )
    return "\n".join(lines)
