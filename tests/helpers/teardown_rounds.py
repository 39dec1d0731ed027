"""Open and close the bedside and station windows again and again while MQTT traffic and the
garbage collector run on other threads: the teardown of ``beckon bench ui``, which once died
with -11 in CI (under load, after its windows had closed).

Run in a subprocess by tests/ui/test_ui_teardown.py, so that a crash shows as the exit status::

    python -m tests.helpers.teardown_rounds MQTT_URL ROUNDS FOLDER

Each round opens both windows on a real station service, then a thread submits requests at the
bedside and a nurse resolves them (rows come and go in the station window, queue updates and
receipts arrive on the MQTT threads) while another thread runs the garbage collector over and
over. The windows close while all that goes on, and the round ends the way the applications
end: :func:`beckon.ui.launch.run_until_closed`. After each round, a garbage cycle that still
holds a live Qt object would be destroyed later on whichever thread collects it; the script
counts such objects and exits with 3 when there are any (0: every round clean).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt6 import sip
from PyQt6.QtCore import QEventLoop, QObject, QTimer

from beckon.bedside.events import BedsideEvent, RequestSaved
from beckon.bedside.service import Submit
from beckon.lab.rig import Nurse, Rig
from beckon.station.feed import StationFeed
from beckon.ui.app import Look, application
from beckon.ui.bedside_window import BedsideWindow
from beckon.ui.launch import run_until_closed
from beckon.ui.sound import SilentAlarm
from beckon.ui.speech import SilentSpeaker
from beckon.ui.station_window import StationWindow

SITE, UNIT = "gh", "icu"
OPEN_MS = 600  # how long the windows show the traffic before they close


def collect_all_the_time(stop: threading.Event) -> None:
    """The garbage collector on a thread that is not the GUI thread, as an MQTT thread may
    trigger it at any allocation."""
    while not stop.is_set():
        gc.collect()
        time.sleep(0.001)


def traffic(
    post: Callable[[Any], None], nurse: Nurse, saved: queue.Queue[str], stop: threading.Event
) -> None:
    """Requests from the bed and a nurse resolving them, as fast as they come."""
    while not stop.is_set():
        post(Submit("water", "touch"))
        with contextlib.suppress(queue.Empty):
            nurse.send("resolve", saved.get(timeout=0.02))


def one_round(app: Any, rig: Rig, nurse: Nurse, bed: str) -> None:
    service = rig.bedside(bed, {"bedside.offered_intents": ["water", "nurse", "pain", "toilet"]})
    saved: queue.Queue[str] = queue.Queue()

    def note(event: BedsideEvent) -> None:
        if isinstance(event, RequestSaved):
            saved.put(event.request_id)

    service.listeners.append(note)
    bedside = BedsideWindow(service, speaker=SilentSpeaker())
    station = StationWindow(
        StationFeed(rig.station_settings().broker, SITE, UNIT), alarm=SilentAlarm()
    )
    for window in (bedside, station):
        window.start()
        window.show()
    deadline = time.monotonic() + 20
    while not (station.queue is not None and bedside.timeline.online is True):
        if time.monotonic() > deadline:
            raise SystemExit(4)  # the windows never connected: not the race under test
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    stop = threading.Event()
    threads = [
        threading.Thread(target=traffic, args=(service.post, nurse, saved, stop), name="traffic"),
        threading.Thread(target=collect_all_the_time, args=(stop,), name="collector"),
    ]
    for thread in threads:
        thread.start()

    def close_all() -> None:
        station.close()
        bedside.close()

    QTimer.singleShot(OPEN_MS, close_all)
    try:
        run_until_closed(app, [bedside, station])
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def live_qt_objects_in_garbage() -> list[str]:
    """Qt objects whose C++ side is alive yet reachable only through garbage cycles.

    The default signal handlers come back first: before run_until_closed restored the
    previous ones, its SIGINT/SIGTERM handler held the windows until the next round."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        found = [
            type(o).__name__ for o in gc.garbage if isinstance(o, QObject) and not sip.isdeleted(o)
        ]
        gc.garbage.clear()
    finally:
        gc.set_debug(0)
    gc.collect()
    return found


def main() -> int:
    url, rounds, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    app = application(Look(), "bedside")
    rig = Rig(url, folder, SITE, UNIT)
    live: list[list[str]] = []
    try:
        rig.serve(rig.station())
        nurse = rig.nurse("Nurse Kim")
        for i in range(rounds):
            one_round(app, rig, nurse, str(i + 1))
            live.append(live_qt_objects_in_garbage())
    finally:
        rig.close()
    counts = [len(names) for names in live]
    kinds = sorted({name for names in live for name in names})
    print(json.dumps({"rounds": len(live), "live_qt_objects": counts, "kinds": kinds}))
    return 3 if any(live) else 0


if __name__ == "__main__":
    sys.exit(main())
