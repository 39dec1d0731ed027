"""``beckon demo`` with a display: the bedside and station windows side by side on one machine.

A tool, not the product: it renders the demo clip and builds the one-machine rig (embedded
broker, station service, bedside) that a ward gets from its own servers.
"""

from __future__ import annotations

from beckon.lab import demo
from beckon.lab.rig import one_machine
from beckon.stop_signals import StopSignals
from beckon.ui.app import Look, application, check_display
from beckon.ui.launch import bedside_window, run_until_closed, station_window

DEMO_WIDTH_AT_SCALE_1 = 2900  # the bedside and the station window side by side, in pixels


def run_demo_windows(look: Look, broker_url: str | None) -> int:
    """Both windows side by side on one machine: embedded broker, station service, a bedside
    fed by the demo clip (a nod while "Water" is offered). The user plays the nurse."""
    from beckon.modelstore import require_model
    from beckon.station.service import StationService

    # Caught from here on: Ctrl-C while the clip renders ends the demo once its windows are
    # up, through the rig's own clean-up (see beckon.stop_signals).
    with StopSignals() as signals:
        check_display()
        model = require_model("face_landmarker")
        app = application(look, "bedside")
        # Two windows side by side: shrink the text until both fit the screen.
        area = app.primaryScreen().availableGeometry()  # type: ignore[attr-defined]
        scale = max(0.6, min(look.font_scale, area.width() / DEMO_WIDTH_AT_SCALE_1))
        if scale != look.font_scale:
            look = Look(look.language, look.theme, scale)
            application(look, "bedside")
        with one_machine(broker_url, broker="embedded", site=demo.SITE, unit=demo.UNIT) as rig:
            clip = rig.folder / "patient.mp4"
            print("Rendering the demo clip (a patient who nods while 'Water' is offered)...")
            demo.render_demo_clip(clip, model)
            station_settings = rig.station_settings(
                {**demo.DEMO_STATION, "station.language": look.language}
            )
            rig.serve(StationService(station_settings))
            bedside = bedside_window(
                rig.bedside_settings(
                    demo.BED, {**demo.DEMO_BEDSIDE, "bedside.language": look.language}
                ),
                look,
                model=model,
                source=str(clip),
                is_file=True,
                speech=False,
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
            return run_until_closed(app, [bedside, station], signals=signals)
