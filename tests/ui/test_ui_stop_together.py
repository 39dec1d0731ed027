"""SIGTERM stops the threads of every station window (and of the service beside them)
together, not one window after another.

Why: each window's feed stops its broker link, which may wait 2 s for a hung broker to close
after its DISCONNECT; closed in turn, a station window of three units with ``--serve`` took
13 s to exit on SIGTERM while the broker hung (SIGSTOP), past the tests' and systemd's
patience on a loaded machine."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from typing import Any

import pytest
from PyQt6 import sip
from PyQt6.QtCore import QTimer

from beckon.config import BrokerConfig
from beckon.messaging.mqtt import MqttLink
from tests.helpers.ports import free_port
from tests.ui.conftest import RecordingAlarm

UNITS = ("icu", "ward2")


class _Together:
    """Every MQTT link's stop waits until ``parties`` are stopping, or 8 s (less than a window
    waits for its feed): stopped one after another, the first waits in vain and is listed in
    ``alone``."""

    def __init__(self, parties: int, monkeypatch: pytest.MonkeyPatch) -> None:
        self.barrier = threading.Barrier(parties, timeout=8.0)
        self.alone: list[str] = []
        stop = MqttLink.stop

        def stop_when_all_are_stopping(link: MqttLink) -> None:
            self.wait(link.client_id)
            stop(link)

        monkeypatch.setattr(MqttLink, "stop", stop_when_all_are_stopping)

    def wait(self, who: str) -> None:
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            self.alone.append(who)


def _sigterm_station_windows(qapp: Any, stopping: list[Callable[[], None]]) -> list[Any]:
    """Two station windows whose feeds never connect, run until SIGTERM; returns them."""
    from beckon.station.feed import StationFeed
    from beckon.ui.launch import run_until_closed
    from beckon.ui.station_window import StationWindow

    broker = BrokerConfig(url=f"mqtt://127.0.0.1:{free_port()}")  # nobody listens
    windows = []
    for unit in UNITS:
        window = StationWindow(StationFeed(broker, "gh", unit), alarm=RecordingAlarm())
        window.start()
        window.show()
        windows.append(window)
    old = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    quit_on_close = qapp.quitOnLastWindowClosed()
    safety = QTimer()
    safety.setSingleShot(True)
    safety.timeout.connect(qapp.quit)  # never hang the test run
    safety.start(90_000)
    term = QTimer()  # stopped below: a SIGTERM after the test would end the test run
    term.setSingleShot(True)
    term.timeout.connect(lambda: os.kill(os.getpid(), signal.SIGTERM))
    term.start(300)
    try:
        if stopping:
            run_until_closed(qapp, windows, stopping)
        else:
            run_until_closed(qapp, windows)
    finally:
        for window in windows:
            if not sip.isdeleted(window):
                window.close()
        term.stop()
        safety.stop()
        for sig, handler in old.items():
            signal.signal(sig, handler)
        qapp.setQuitOnLastWindowClosed(quit_on_close)
    return windows


def test_sigterm_stops_the_feeds_of_all_station_windows_at_once(
    qtbot: Any, qapp: Any, look: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    together = _Together(len(UNITS), monkeypatch)
    windows = _sigterm_station_windows(qapp, [])
    assert all(sip.isdeleted(w) for w in windows)
    assert together.alone == [], f"stopped one after another: {together.alone}"


def test_sigterm_asks_the_service_beside_the_windows_to_stop_with_them(
    qtbot: Any, qapp: Any, look: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``beckon station --serve``: the service's thread is asked at the signal too, not only
    after the last window closed."""
    together = _Together(len(UNITS) + 1, monkeypatch)

    def service_asked() -> None:  # the service then stops its links on its own thread
        threading.Thread(target=together.wait, args=("service",), daemon=True).start()

    windows = _sigterm_station_windows(qapp, [service_asked])
    assert all(sip.isdeleted(w) for w in windows)
    assert together.alone == [], f"stopped one after another: {together.alone}"
