"""How the windows end: their threads stop first, then Qt deletes them on the GUI thread while
the application still exists, and nothing of them is left for the garbage collector, which
runs on whichever thread allocates (an MQTT thread, the bedside service's thread).

Why: ``beckon bench ui`` once died with -11 in CI after its windows had closed. That crash did
not come back here (see docs/architecture.md, "uiseg"); what these tests pin down is what was
found instead: removed queue rows, and whole closed windows, left in reference cycles with
their Qt objects alive, and seen collected on the bedside and station service threads.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import weakref
from pathlib import Path
from typing import Any

import pytest
from PyQt6 import sip
from PyQt6.QtCore import QCoreApplication, QEvent, QTimer
from PyQt6.QtWidgets import QWidget

from beckon.config import BrokerConfig
from beckon.station.feed import StationFeed
from beckon.ui.station_window import StationWindow
from tests.helpers.station_views import queue, view

ROOT = Path(__file__).resolve().parents[2]


def delete_now() -> None:
    """What the event loop does at its next turn with objects given to deleteLater."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def test_a_row_that_leaves_the_queue_is_freed_on_the_gui_thread(look: None, qtbot: Any) -> None:
    """Qt deletes a resolved request's row on the GUI thread, and that frees it: no reference
    cycle keeps it for the garbage collector (the collector is off here, so a cycle shows)."""
    feed = StationFeed(BrokerConfig(url="mqtt://127.0.0.1:9"), "gh", "icu")  # never started
    window = StationWindow(feed)
    qtbot.addWidget(window)
    window.on_item(queue(view("1")))
    (row,) = window.rows.values()
    row_ref = weakref.ref(row)
    del row
    gc.disable()
    try:
        window.on_item(queue())
        delete_now()
        assert row_ref() is None
    finally:
        gc.enable()


def test_the_loop_ends_with_the_windows_deleted_and_the_signal_handlers_given_back(
    qapp: Any,
) -> None:
    """run_until_closed: after the loop every window is deleted here, on the GUI thread, and
    SIGINT/SIGTERM no longer point at a handler that holds (and would close) the windows."""
    from beckon.ui.launch import run_until_closed

    class Window(QWidget):
        def __init__(self) -> None:
            super().__init__()
            self.shut_down = 0

        def shutdown(self) -> None:
            self.shut_down += 1

    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    quit_on_close = qapp.quitOnLastWindowClosed()
    first, second = Window(), Window()
    first.show()
    second.show()
    QTimer.singleShot(100, first.close)
    QTimer.singleShot(150, second.close)
    try:
        run_until_closed(qapp, [first, second])
    finally:
        qapp.setQuitOnLastWindowClosed(quit_on_close)
    assert sip.isdeleted(first) and sip.isdeleted(second)
    assert first.shut_down == 1 and second.shut_down == 1
    assert {sig: signal.getsignal(sig) for sig in before} == before


@pytest.mark.mqtt
def test_windows_closing_under_traffic_and_a_busy_collector_exit_cleanly(
    mosquitto: Any, tmp_path: Path
) -> None:
    """Both windows on a real station service, closed again and again while requests come and
    go over MQTT and the garbage collector runs on another thread: the process exits 0 (a
    crash would show as -11, with every thread's stack from faulthandler) and no round leaves
    a live Qt object in a garbage cycle."""
    rounds = 4
    result = subprocess.run(
        [sys.executable, "-m", "tests.helpers.teardown_rounds", mosquitto.url, str(rounds),
         str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONFAULTHANDLER": "1"},
        timeout=240,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    report = json.loads(result.stdout)
    assert report == {"rounds": rounds, "live_qt_objects": [0] * rounds, "kinds": []}


def test_a_station_window_listens_to_its_feed_once_and_lets_go_when_closed(
    look: None, qtbot: Any
) -> None:
    """``signal.emit`` is a new object at each read, so "not in listeners" always passed: every
    feed item was handled twice, and a closed window stayed registered with its feed."""
    feed = StationFeed(BrokerConfig(url="mqtt://127.0.0.1:9"), "gh", "icu")
    window = StationWindow(feed)
    qtbot.addWidget(window)
    window.start()
    window.start()  # started twice: still once
    assert len(feed.listeners) == 1
    window.shutdown()
    assert feed.listeners == []


def test_a_closed_bedside_window_lets_go_of_its_service_and_voice(open_bedside: Any) -> None:
    window = open_bedside()
    service, host = window.service, window.host
    assert window._on_service_thread in service.listeners
    assert window._on_voice_thread in host.voice_listeners
    window.close()
    assert window._on_service_thread not in service.listeners
    assert window._on_voice_thread not in host.voice_listeners
