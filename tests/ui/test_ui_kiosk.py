"""Issue 12, point 1: the kiosk bedside cannot be closed by the patient. Only staff (Exit, shown
after a long press on Staff) or the service manager's SIGTERM close it."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from PyQt6 import sip
from PyQt6.QtCore import QTimer

from beckon.lab.rig import Rig
from tests.helpers.staff import choose, hold_staff, tap_staff
from tests.ui.conftest import RecordingSpeaker

WAIT_MS = 15_000


def kiosk_window(
    rig: Rig, tmp_path: Path, qtbot: Any, windows: list[Any], closed_at_teardown: bool = True
) -> Any:
    from beckon.bedside.service import BedsideService
    from beckon.ui.bedside_window import BedsideWindow

    window = BedsideWindow(
        BedsideService(rig.bedside_settings("12", {})),
        speaker=RecordingSpeaker(),
        profile_dir=tmp_path,
        kiosk=True,
    )
    if closed_at_teardown:
        qtbot.addWidget(window)
        windows.append(window)
    window.start()
    window.showFullScreen()
    qtbot.waitUntil(lambda: window.timeline.online is True, timeout=WAIT_MS)
    return window


def test_the_patient_cannot_close_the_kiosk_window_and_staff_can(
    qtbot: Any, rig: Rig, tmp_path: Path, windows: list[Any], look: None, station_service: Any
) -> None:
    window = kiosk_window(rig, tmp_path, qtbot, windows)
    assert window.close() is False  # what Alt+F4 or a window manager's close asks
    qtbot.wait(300)
    assert window.isVisible() and window.host.service_alive

    assert not window.exit_action.isVisible()
    tap_staff(qtbot, window)  # a short tap
    qtbot.wait(300)
    assert not window.exit_action.isVisible() and not window.staff_menu.isVisible()

    hold_staff(qtbot, window)  # the long press, shorter for the test
    assert window.exit_action.isVisible()
    choose(qtbot, window, window.exit_action)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    assert not window.host.started or not window.host.service_alive


def run_guarded(qapp: Any, app: Any, window: Any, safety_ms: int) -> bool:
    """``run_until_closed(app, [window])`` with the process's signal handlers and quit policy
    put back after it, and a safety timer that ends the loop should the signal not (the test
    run never hangs). Returns whether that timer had to."""
    from beckon.ui.launch import run_until_closed

    old = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    quit_on_close = qapp.quitOnLastWindowClosed()
    rescued: list[bool] = []

    def rescue() -> None:
        rescued.append(True)
        qapp.quit()

    safety = QTimer()
    safety.setSingleShot(True)
    safety.timeout.connect(rescue)
    safety.start(safety_ms)
    try:
        run_until_closed(app, [window])
    finally:
        if not sip.isdeleted(window):
            window.exit_now()
        safety.stop()
        for sig, handler in old.items():
            signal.signal(sig, handler)
        qapp.setQuitOnLastWindowClosed(quit_on_close)
    return bool(rescued)


def test_sigterm_closes_the_kiosk_window(
    qtbot: Any, qapp: Any, rig: Rig, tmp_path: Path, windows: list[Any], look: None
) -> None:
    """systemd stops the kiosk with SIGTERM: the window closes and its service stops."""
    # run_until_closed deletes the window: nothing is left for the fixtures to close.
    window = kiosk_window(rig, tmp_path, qtbot, windows, closed_at_teardown=False)
    QTimer.singleShot(300, lambda: os.kill(os.getpid(), signal.SIGTERM))
    run_guarded(qapp, qapp, window, 30_000)
    # Closed, its threads stopped, and deleted on the GUI thread before the loop's caller goes
    # on (see beckon.ui.app.delete_windows).
    assert sip.isdeleted(window)
    assert not window.host.service_alive


class _SignalledBeforeTheLoop:
    """The application, but SIGTERM comes in after the handlers are installed and before
    ``exec()`` starts the loop (the station window's CI run hung there for good)."""

    def __init__(self, app: Any) -> None:
        self._app = app

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)

    def exec(self) -> int:
        os.kill(os.getpid(), signal.SIGTERM)  # Python runs the handler before the next line
        return int(self._app.exec())


def test_sigterm_just_before_the_loop_starts_still_ends_it(
    qtbot: Any, qapp: Any, rig: Rig, tmp_path: Path, windows: list[Any], look: None
) -> None:
    window = kiosk_window(rig, tmp_path, qtbot, windows, closed_at_teardown=False)
    rescued = run_guarded(qapp, _SignalledBeforeTheLoop(qapp), window, 20_000)
    assert not rescued, "the loop ran on after SIGTERM until the test's safety timer"
    assert sip.isdeleted(window)
    assert not window.host.service_alive


def test_a_kiosk_whose_service_died_exits_to_be_started_again(
    qtbot: Any, rig: Rig, tmp_path: Path, windows: list[Any], look: None
) -> None:
    """It showed "call IT" over a screen that could no longer send anything, until the
    watchdog killed it 30 s or more later; now it exits and systemd starts it again at once."""
    from beckon.bedside.service import BedsideService
    from beckon.ui.bedside_window import BedsideWindow

    folder = tmp_path / "outbox-is-a-folder"
    folder.mkdir()
    window = BedsideWindow(
        BedsideService(rig.bedside_settings("12", {"bedside.outbox": str(folder)})),
        speaker=RecordingSpeaker(),
        profile_dir=tmp_path,
        kiosk=True,
    )
    qtbot.addWidget(window)
    windows.append(window)
    exits: list[int] = []
    window.exit_app = exits.append
    window.service_lost_exit_s = 0.5
    window.start()
    window.show()
    qtbot.waitUntil(lambda: exits == [1], timeout=WAIT_MS)
    assert window.fault == "The bedside service stopped: call IT."
    qtbot.wait(700)
    assert exits == [1], "once"
