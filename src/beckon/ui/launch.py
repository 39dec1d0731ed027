"""Opening the windows from the command line: ``beckon bedside``, ``beckon station``, ``beckon
demo`` without ``--headless``.

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

DEMO_WIDTH_AT_SCALE_1 = 2900  # the bedside and the station window side by side, in pixels


def _run_until_closed(app: Any, windows: Sequence[Any]) -> int:
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


def _show(window: Any, fullscreen: bool) -> None:
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
    from beckon.bedside.service import BedsideService
    from beckon.ui.bedside_window import BedsideWindow, VisionSpec
    from beckon.ui.speech import EspeakSpeaker, SilentSpeaker

    service = BedsideService(settings)
    vision = None
    if model is not None and source is not None:
        vision = VisionSpec(model, source, realtime=True, is_file=is_file)
    voice_worker = None
    if voice and "voice" in settings.bedside.inputs:
        try:
            from beckon.bedside.voice_worker import VoiceWorker

            voice_worker = VoiceWorker(look.language, service.post, policy=service.profile.voice)
        except Exception as exc:  # the voice path is optional; the window says it is off
            log.error("voice input is off: %s", exc)
    return BedsideWindow(
        service,
        language=look.language,
        speaker=EspeakSpeaker() if speech else SilentSpeaker(),
        vision=vision,
        voice_worker=voice_worker,
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
    _show(window, fullscreen)
    return _run_until_closed(app, [window])


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
            _show(window, fullscreen)
        return _run_until_closed(app, windows)


def run_demo_windows(look: Look, broker_url: str | None) -> int:
    """Both windows side by side on one machine: embedded broker, station service, a bedside
    fed by the demo clip (a nod while "Water" is offered). The user plays the nurse."""
    import tempfile

    from beckon import demo
    from beckon.config import load_bedside, load_station
    from beckon.messaging.broker import EmbeddedBroker
    from beckon.modelstore import require_model

    check_display()
    model = require_model("face_landmarker")
    app = application(look, "bedside")
    # Two windows side by side: shrink the text until both fit the screen.
    area = app.primaryScreen().availableGeometry()  # type: ignore[attr-defined]
    scale = max(0.6, min(look.font_scale, area.width() / DEMO_WIDTH_AT_SCALE_1))
    if scale != look.font_scale:
        look = Look(look.language, look.theme, scale)
        application(look, "bedside")
    with tempfile.TemporaryDirectory(prefix="beckon-demo-") as tmp_name, ExitStack() as stack:
        tmp = Path(tmp_name)
        clip = tmp / "patient.mp4"
        print("Rendering the demo clip (a patient who nods while 'Water' is offered)...")
        demo._render_demo_clip(clip, model)
        if broker_url is None:
            broker = EmbeddedBroker()
            broker.start()
            stack.callback(broker.stop)
            broker_url = broker.url
        station_settings = load_station(
            None,
            {
                "station.site": demo.SITE,
                "station.units": [demo.UNIT],
                "station.name": "desk",
                "station.database": str(tmp / "station.sqlite3"),
                "station.language": look.language,
                "broker.url": broker_url,
            },
        )
        from beckon.station.service import StationService

        stack.enter_context(Background(StationService(station_settings).run, "station"))
        bedside_settings = load_bedside(
            None,
            {
                "bedside.site": demo.SITE,
                "bedside.unit": demo.UNIT,
                "bedside.bed": demo.BED,
                "bedside.outbox": str(tmp / "outbox.sqlite3"),
                "bedside.offer_seconds": 6.0,
                "bedside.offered_intents": ["water", "nurse", "pain"],
                "bedside.language": look.language,
                "broker.url": broker_url,
            },
        )
        bedside = bedside_window(
            bedside_settings, look, model=model, source=str(clip), is_file=True, speech=False
        )
        station = station_window(station_settings, look, demo.UNIT, demo.NURSE, sound=True)
        half = area.width() // 2
        for i, window in enumerate((bedside, station)):
            window.resize(half - 8, min(area.height(), 900))
            window.move(area.x() + i * half, area.y())
        station.start()
        bedside.start()
        bedside.show()
        station.show()
        print(
            "The patient nods at 'Water' about 3 s into the clip. Acknowledge and resolve the "
            "request in the station window as "
            f"{demo.NURSE}; close a window to end."
        )
        return _run_until_closed(app, [bedside, station])
