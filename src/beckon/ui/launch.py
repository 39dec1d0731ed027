"""Opening the windows from the command line: ``beckon bedside`` and ``beckon station``
(``beckon demo`` builds on these in :mod:`beckon.lab.demo_windows`).

Each function builds the services and workers, opens the window and runs Qt's event loop until
the window closes or the process gets SIGINT/SIGTERM; then it stops every thread it started.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from beckon.background import Background
from beckon.config import BedsideSettings, StationSettings
from beckon.ui.app import Look, application, check_display

log = logging.getLogger(__name__)


def run_until_closed(app: Any, windows: Sequence[Any]) -> int:
    """Qt's loop, with Ctrl-C and SIGTERM closing the windows (Python signal handlers only
    run between Qt events, so a timer wakes the interpreter up)."""
    from PyQt6.QtCore import QTimer

    def close_all(*_: object) -> None:
        for window in windows:
            window.close()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, close_all)
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(200)
    app.setQuitOnLastWindowClosed(True)
    return int(app.exec())


def show(window: Any, fullscreen: bool) -> None:
    if fullscreen:
        window.showFullScreen()
    else:
        window.show()


def bedside_window(
    settings: BedsideSettings,
    look: Look,
    *,
    model: Path | None,
    source: str | None,
    is_file: bool,
    speech: bool,
    voice: bool = True,
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
    mic = MicSpec(look.language) if voice and "voice" in settings.bedside.inputs else None
    return BedsideWindow(
        service,
        language=look.language,
        speaker=EspeakSpeaker() if speech else SilentSpeaker(),
        vision=camera,
        mic=mic,
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
) -> int:
    check_display()
    app = application(look, "bedside")
    window = bedside_window(
        settings, look, model=model, source=source, is_file=is_file, speech=speech
    )
    window.start()
    show(window, fullscreen)
    return run_until_closed(app, [window])


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
    check_display()
    app = application(look, "station")
    with ExitStack() as stack:
        if serve:
            from beckon.station.service import StationService

            stack.enter_context(Background(StationService(settings).run, "station"))
        windows = [station_window(settings, look, u, nurse, sound) for u in settings.station.units]
        for window in windows:
            window.start()
            show(window, fullscreen)
        return run_until_closed(app, windows)
