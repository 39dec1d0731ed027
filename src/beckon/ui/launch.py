"""Opening the windows from the command line: ``beckon bedside`` and ``beckon station``
(``beckon demo`` builds on these in :mod:`beckon.lab.demo_windows`).

Each function builds the services and workers, opens the window and runs Qt's event loop until
the window closes or the process gets SIGINT/SIGTERM; then it stops every thread it started.
The signals are caught from the function's first line: one that comes while the windows are
being built closes them as soon as they are (:mod:`beckon.stop_signals`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from beckon.background import Background
from beckon.config import BedsideSettings, StationSettings
from beckon.metrics import serve_bedside, serve_station
from beckon.stop_signals import StopSignals
from beckon.systemd import Notifier, WindowWatch
from beckon.ui.app import Look, application, check_display, delete_windows

log = logging.getLogger(__name__)


def run_until_closed(
    app: Any,
    windows: Sequence[Any],
    stopping: Sequence[Callable[[], None]] = (),
    signals: StopSignals | None = None,
) -> int:
    """Qt's loop, with Ctrl-C and SIGTERM closing the windows (Python signal handlers only
    run between Qt events, so a timer wakes the interpreter up).

    ``signals``: the handlers the caller installed before it built anything (a signal during
    the build was remembered there, and closes the windows here before the loop starts);
    without it they are installed here, for the loop only.

    On a signal, every window's threads (``request_stop``) and whatever ``stopping`` asks
    to stop are told first, then the windows close one by one: each close waits for its
    own threads, and a thread may wait 2 s for a hung broker, so asked in turn a station
    window of three units (and its service) took 13 s to exit."""
    from PyQt6.QtCore import QTimer

    def close_all() -> None:
        for ask in stopping:
            ask()
        for window in windows:
            request_stop = getattr(window, "request_stop", None)
            if request_stop is not None:
                request_stop()
        for window in windows:
            # A kiosk bedside refuses a plain close(); a signal from the service manager wins.
            exit_now = getattr(window, "exit_now", None)
            if exit_now is not None:
                exit_now()
            else:
                window.close()
        # Closing the last window quits a loop that runs, not one about to start: a signal
        # caught before app.exec() (during the build, or just before the loop) would leave
        # the process running with no window, forever. A posted quit ends the loop either way.
        QTimer.singleShot(0, app.quit)

    with ExitStack() as stack:
        if signals is None:
            signals = stack.enter_context(StopSignals())
        wake = QTimer()
        wake.timeout.connect(lambda: None)
        wake.start(200)
        app.setQuitOnLastWindowClosed(True)
        signals.arm(close_all)
        try:
            status = int(app.exec())
        finally:
            wake.stop()
            # The handlers held the windows (and would close deleted ones): they let go of
            # them (and ours, if installed here, give way to the previous ones) before the
            # windows go.
            signals.disarm()
    # Every thread stopped and every window deleted here, on the GUI thread, before the
    # QApplication goes (the caller's frame holds it): see delete_windows.
    delete_windows(windows)
    return status


def show(window: Any, fullscreen: bool) -> None:
    from PyQt6.QtCore import QTimer
    from PyQt6.QtWidgets import QApplication

    if fullscreen:
        window.showFullScreen()
    else:
        window.show()

    def report() -> None:
        # One line in the journal that says the screen shows the window (IT's first check of
        # a kiosk, and what tests/deploy/test_kiosk.py waits for).
        screen = window.screen().size()
        log.info(
            "window shown on %s: %dx%d of a %dx%d screen%s",
            QApplication.platformName(),
            window.width(),
            window.height(),
            screen.width(),
            screen.height(),
            " (full screen)" if window.isFullScreen() else "",
        )

    QTimer.singleShot(1000, report)


def bedside_window(
    settings: BedsideSettings,
    look: Look,
    *,
    model: Path | None,
    source: str | None,
    is_file: bool,
    speech: bool,
    voice: bool = True,
    kiosk: bool = False,
) -> Any:
    """A BedsideWindow with its service, vision (when ``model``) and voice (when configured)."""
    from beckon.bedside.host import CameraSpec, MicSpec
    from beckon.bedside.service import BedsideService
    from beckon.ui.bedside_window import BedsideWindow
    from beckon.ui.speech import EspeakSpeaker, SilentSpeaker

    service = BedsideService(settings)
    camera = None
    if model is not None and source is not None:
        camera = CameraSpec(model, source, realtime=True, is_file=is_file)
    mic = None
    if voice and "voice" in settings.bedside.inputs:
        mic = MicSpec(look.language, device=settings.bedside.microphone_device())
    from beckon.ui.sound import ChimeAlarm

    return BedsideWindow(
        service,
        language=look.language,
        # The chime for calls that cannot get through is no spoken prompt: --no-speech
        # (a quiet ward at night) must not silence it.
        alarm=ChimeAlarm(),
        speaker=EspeakSpeaker() if speech else SilentSpeaker(),
        vision=camera,
        mic=mic,
        kiosk=kiosk,
    )


def run_bedside(
    settings: BedsideSettings,
    look: Look,
    *,
    model: Path | None,
    source: str | None,
    is_file: bool,
    fullscreen: bool,
    speech: bool,
    kiosk: bool = False,
) -> int:
    from PyQt6.QtCore import QTimer

    # Caught from here on: a SIGTERM while the window and its threads are being built stops
    # them as soon as they are (see beckon.stop_signals).
    with StopSignals() as signals:
        check_display()
        app = application(look, "bedside")
        window = bedside_window(
            settings,
            look,
            model=model,
            source=source,
            is_file=is_file,
            speech=speech,
            kiosk=kiosk,
        )
        endpoint = serve_bedside(window.service, settings.bedside.metrics, window.host)
        window.start()
        show(window, fullscreen)
        notifier = Notifier()
        if notifier.enabled:  # under systemd (the kiosk unit): READY=1, then watchdog pings
            watch = WindowWatch(notifier)
            window.service.beats.append(watch.service_turned)
            timer = QTimer()  # kept alive by this frame until the window closes
            timer.timeout.connect(watch.window_turned)
            timer.start(1000)
            log.info("systemd notification on (watchdog every %s s)", notifier.interval_s)
        try:
            return run_until_closed(app, [window], signals=signals)
        finally:
            notifier.stopping()
            if endpoint is not None:
                endpoint.stop()


def run_fault_screen(message: str, look: Look) -> int:
    """A kiosk bedside that cannot start (a wrong configuration, a missing model) shows why on
    its screen and stays there until stopped, instead of exiting into a restart loop behind a
    blank screen (cage does not pass the exit status on, so systemd cannot tell it apart)."""
    from PyQt6.QtCore import Qt, QTimer
    from PyQt6.QtGui import QCloseEvent
    from PyQt6.QtWidgets import QLabel

    from beckon.ui import strings

    class FaultScreen(QLabel):
        def __init__(self) -> None:
            super().__init__()
            self._may_close = False

        def exit_now(self) -> None:
            self._may_close = True
            self.close()

        def closeEvent(self, event: QCloseEvent | None) -> None:
            if not self._may_close and event is not None:
                event.ignore()
                return
            super().closeEvent(event)

    with StopSignals() as signals:
        check_display()
        app = application(look, "bedside")
        screen = FaultScreen()
        screen.setObjectName("faultScreen")
        screen.setWordWrap(True)
        screen.setAlignment(Qt.AlignmentFlag.AlignCenter)
        screen.setText(f"{strings.kiosk_fault_text()}\n\n{message}")
        log.error("kiosk: the bedside cannot start, showing why on screen: %s", message)
        show(screen, True)
        # Under the kiosk unit (Type=notify): ready and alive while the screen shows the
        # fault, so systemd neither times out its start nor restarts it behind the message.
        notifier = Notifier()
        timer = QTimer()  # kept alive by this frame until the window closes
        timer.timeout.connect(notifier.beat)
        timer.start(1000)
        notifier.beat()
        try:
            return run_until_closed(app, [screen], signals=signals)
        finally:
            notifier.stopping()


def station_window(
    settings: StationSettings, look: Look, unit: str, nurse: str, sound: bool
) -> Any:
    from beckon.station.feed import StationFeed
    from beckon.ui.sound import ChimeAlarm, SilentAlarm
    from beckon.ui.station_window import StationWindow

    cfg = settings.station
    feed = StationFeed(settings.broker, cfg.site, unit, name=f"window-{cfg.name}")
    return StationWindow(
        feed,
        language=look.language,
        nurse=nurse,
        alarm=ChimeAlarm() if sound else SilentAlarm(),
        high_contrast=look.theme == "high_contrast",
    )


def run_station(
    settings: StationSettings,
    look: Look,
    *,
    nurse: str,
    serve: bool,
    fullscreen: bool,
    sound: bool,
) -> int:
    """One window per unit the configuration serves; with ``serve`` the station service runs
    in this process too (a one-desk setup), otherwise the windows view a service elsewhere."""
    stopping: list[Callable[[], None]] = []  # on SIGTERM, with the windows' own threads
    with ExitStack() as stack:
        # Caught from here on: a SIGTERM while the service and windows are being built stops
        # them as soon as they are (see beckon.stop_signals).
        signals = stack.enter_context(StopSignals())
        check_display()
        app = application(look, "station")
        if serve:
            from beckon.station.exclusive import StationClaim
            from beckon.station.service import StationService

            # Refused here, before any window, when another station service holds the unit.
            # A signal during the claim (it can wait up to 31 s for a dead station's presence)
            # stops it at once; it was acted on only once the windows were built and the
            # service connected, 3.9 s after it came (review rev44r2).
            claiming = threading.Event()
            if signals.arm(claiming.set):
                return 0  # stopped while starting: nothing built, nothing to claim
            claim = StationClaim(settings, claiming)
            stack.callback(claim.release)
            signals.hold()
            if claiming.is_set():
                return 0  # stopped while claiming: no window, nothing served
            service = StationService(settings)
            endpoint = serve_station(
                service, settings.station.metrics, standing_by=lambda: not claim.active
            )
            if endpoint is not None:
                stack.callback(endpoint.stop)

            def serve_when_active(stop: threading.Event) -> None:
                why = ""
                try:
                    # With PostgreSQL, stand by until active.
                    if claim.wait_active(stop, forget=service.forget_sessions):
                        claim.watch(service)
                        service.run(stop)
                except Exception as exc:  # told in one line below; the windows stay
                    why = str(exc)
                finally:
                    # Stopped by a fault while the windows stay open: give the unit up at
                    # once, so that a standby station takes over (the windows say offline).
                    claim.release()
                if not stop.is_set():
                    log.error(
                        "the station service in this window stopped (%s); the windows show "
                        "the unit but no longer serve it: close and start again, or let a "
                        "standby station take over",
                        why or f"exit code {service.exit_code}",
                    )

            served = stack.enter_context(Background(serve_when_active, "station"))
            stopping.append(served.request_stop)
        windows = [station_window(settings, look, u, nurse, sound) for u in settings.station.units]
        for window in windows:
            window.start()
            show(window, fullscreen)
        return run_until_closed(app, windows, stopping, signals)
