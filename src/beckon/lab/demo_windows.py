"""``beckon demo`` with a display: the bedside and station windows side by side on one machine.

A tool, not the product: it renders the demo clip and builds the one-machine rig (embedded
broker, station service, bedside) that a ward gets from its own servers.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from beckon.background import Background
from beckon.lab import demo
from beckon.ui.app import Look, application, check_display
from beckon.ui.launch import bedside_window, run_until_closed, station_window

DEMO_WIDTH_AT_SCALE_1 = 2900  # the bedside and the station window side by side, in pixels


def run_demo_windows(look: Look, broker_url: str | None) -> int:
    """Both windows side by side on one machine: embedded broker, station service, a bedside
    fed by the demo clip (a nod while "Water" is offered). The user plays the nurse."""
    import tempfile

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
        demo.render_demo_clip(clip, model)
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
        return run_until_closed(app, [bedside, station])
