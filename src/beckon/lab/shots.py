"""Screenshots of every main screen, in defined states, with real services over a real broker.

Run by ``scripts/screenshots.py`` under Xvfb (a real X server, the xcb platform, OpenCV and
MediaPipe in the same process). Nothing on screen is staged by hand: the bedside is a real
BedsideService fed by a rendered clip through the vision worker, the station a real
StationService whose database is seeded with a day of requests (so the history chart has
hours to show), other beds are real protocol messages over MQTT, and every state is reached
the way a patient or a nurse would reach it.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

log = logging.getLogger(__name__)

SITE, UNIT = "general", "icu-3"
MAX_BYTES = 300_000


def _show(stack: ExitStack, window: Any, size: tuple[int, int]) -> None:
    """Start and show ``window`` (a bedside or a station window) at ``size``: a tablet's
    1280x800 or a desk screen's 1440x900; it closes when the scenes end."""
    stack.callback(window.close)
    window.resize(*size)
    window.start()
    window.show()


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _request(bed: str, intent: str, priority: str, source: str, created: str) -> Any:
    from beckon.messaging import protocol as p

    return p.Request(
        p.new_request_id(), SITE, UNIT, bed, intent, cast(Any, priority), cast(Any, source), created
    )


def seed_history(db: Path, now: datetime, seed: int = 7) -> int:
    """A day of closed requests in the station's store, through the store's own API."""
    from beckon.station.store import RequestStore

    rng = random.Random(seed)
    kinds = [
        ("water", "routine", 150),
        ("pain", "urgent", 70),
        ("toilet", "urgent", 90),
        ("reposition", "routine", 240),
        ("nurse", "urgent", 60),
        ("cold", "routine", 200),
    ]
    store = RequestStore(db)
    count = 0
    for hours_ago in range(23, 0, -1):
        busy = 1 + int(2 * (1 + math.sin(hours_ago / 3.5)))
        for _ in range(busy):
            intent, priority, typical = rng.choice(kinds)
            created = now - timedelta(hours=hours_ago, minutes=rng.uniform(0, 55))
            bed = str(rng.choice([3, 5, 7, 8, 12, 14]))
            source = rng.choice(["gesture", "voice", "touch"])
            req = _request(bed, intent, priority, source, _iso(created))
            received = created + timedelta(seconds=0.4)
            store.receive(req, at=_iso(received))
            ack = received + timedelta(seconds=typical * rng.uniform(0.4, 1.8))
            store.change(req.id, "acknowledged", "Nurse Kim", at=_iso(ack))
            done = ack + timedelta(seconds=rng.uniform(120, 900))
            store.change(req.id, "resolved", "Nurse Kim", at=_iso(done))
            count += 1
    store.close()
    return count


def render_still_clip(path: Path, model: Path, seconds: float = 150.0, fps: float = 10.0) -> None:
    """A patient resting in front of the camera (one rendered frame, repeated)."""
    from beckon.lab import synthetic

    face = synthetic.load_demo_face()
    (frame,) = synthetic.render_clip(face, [synthetic.HeadPose()], model_path=model)
    synthetic.write_video(path, (frame for _ in range(int(seconds * fps))), fps)


class Shooter:
    """Drives the Qt loop until a condition holds, and saves windows as PNG files."""

    def __init__(self, app: Any, out: Path) -> None:
        from PyQt6.QtCore import QTimer

        self.app = app
        self.out = out
        self.saved: list[Path] = []
        self._wake = QTimer()
        self._wake.start(30)

    def wait(self, check: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
        from PyQt6.QtCore import QEventLoop

        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise TimeoutError(f"screenshots: timed out waiting for {what or check}")
            self.app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)

    def settle(self, seconds: float = 0.6) -> None:
        end = time.monotonic() + seconds
        self.wait(lambda: time.monotonic() > end, seconds + 5)

    def shot(self, widget: Any, name: str) -> Path:
        self.settle()
        path = self.out / f"{name}.png"
        pixmap = widget.grab()
        if not pixmap.save(str(path), "PNG", 9):
            raise RuntimeError(f"could not save {path}")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise RuntimeError(f"{path} is {size} bytes, over {MAX_BYTES}")
        log.info("saved %s (%d KB)", path, size // 1024)
        print(f"{path}  {pixmap.width()}x{pixmap.height()}  {size // 1024} KB")
        self.saved.append(path)
        return path


def rows_of(window: Any, bed: str) -> list[Any]:
    return [r for r in window.rows.values() if r.view is not None and r.view.bed == bed]


def escalated(window: Any) -> list[Any]:
    return [r for r in window.rows.values() if r.view is not None and r.view.escalation >= 1]


def answered(window: Any) -> bool:
    return any(r.answer.property("answer") == "yes" for r in window.question_rows())


def take_screenshots(out: Path, model: Path | None) -> list[Path]:
    from beckon import __version__
    from beckon.bedside.host import CameraSpec
    from beckon.bedside.service import BedsideService, Gesture, Submit
    from beckon.config import BrokerConfig
    from beckon.lab.rig import one_machine
    from beckon.messaging import protocol as p
    from beckon.messaging.broker import free_port
    from beckon.messaging.mqtt import MqttLink
    from beckon.station.feed import StationFeed
    from beckon.station.service import StationService
    from beckon.ui import strings, theme
    from beckon.ui.app import Look, application, install_translation
    from beckon.ui.bedside_window import BedsideWindow
    from beckon.ui.station_window import StationWindow

    out.mkdir(parents=True, exist_ok=True)
    app = cast(Any, application(Look("en"), "bedside"))
    shoot = Shooter(app, out)
    with ExitStack() as stack:
        rig = stack.enter_context(one_machine(site=SITE, unit=UNIT))
        tmp, url = rig.folder, rig.url
        print(f"broker: {rig.broker} at {url}")
        now = datetime.now(UTC)
        seeded = seed_history(tmp / "station.sqlite3", now)
        print(f"seeded the station with {seeded} requests of the last 24 hours")
        station_settings = rig.station_settings({"station.name": "desk"})
        rig.serve(StationService(station_settings))

        # Other beds of the unit, as real protocol messages: requests made a while ago (so
        # one has escalated), and a tablet that vanished (its last will: a device fault).
        beds = MqttLink(BrokerConfig(url=url), "beckon-shots-beds", [], persistent=False)
        beds.start(wait_s=10)
        stack.callback(beds.stop)
        others = [
            ("3", "water", "routine", 140),
            ("5", "pain", "urgent", 290),
            ("8", "emergency", "emergency", 12),
            ("14", "toilet", "urgent", 45),
        ]
        # Their health as the bed board shows it: speech recognisers, a face out of view, a
        # tablet whose camera and microphone failed and whose calls do not reach the station.
        health: dict[str, tuple[tuple[str, ...], str, int, int, str]] = {
            "3": ((), "vosk:en", 0, 0, __version__),
            "5": (("no_face",), "pocketsphinx:en", 0, 0, __version__),
            "8": ((), "off", 0, 0, __version__),
            "14": (("camera_lost", "mic_error"), "failed", 2, 95, "0.1.0"),
        }

        def beat(retain: bool) -> None:
            for bed, (faults, voice, backlog, waited, version) in health.items():
                status = p.BedStatus(
                    SITE, UNIT, bed, True, _iso(datetime.now(UTC)), ("gesture", "voice", "touch"),
                    version, faults, voice, backlog, waited,
                )  # fmt: skip
                topic = p.BedAddress(SITE, UNIT, bed).topic("status")
                beds.publish(topic, p.encode(status), retain)

        # The other tablets' heartbeat, as a running bedside sends it every 5 s: without it the
        # station counts them offline after 15 s.
        stop_beats = threading.Event()

        def beats() -> None:
            while not stop_beats.wait(4.0):
                beat(False)

        beat(True)
        threading.Thread(target=beats, name="shots-beds", daemon=True).start()
        stack.callback(stop_beats.set)
        for bed, intent, priority, age in others:
            address = p.BedAddress(SITE, UNIT, bed)
            made = _iso(now - timedelta(seconds=age))
            req = _request(bed, intent, priority, "gesture", made)
            beds.publish(address.topic("request"), p.encode(req))
        nine = p.BedAddress(SITE, UNIT, "9")
        for online in (True, False):
            st = p.BedStatus(SITE, UNIT, "9", online, _iso(now), ("gesture",), "0.1.0")
            beds.publish(nine.topic("status"), p.encode(st), retain=True)

        station_window = StationWindow(
            StationFeed(station_settings.broker, SITE, UNIT), nurse="Nurse Kim"
        )
        _show(stack, station_window, (1440, 900))

        def bedside_settings(bed: str, broker: str, language: str = "en") -> Any:
            return rig.bedside_settings(
                bed,
                {
                    "bedside.language": language,
                    "bedside.offered_intents": [
                        "water",
                        "nurse",
                        "pain",
                        "toilet",
                        "reposition",
                        "emergency",
                    ],
                    "bedside.offer_seconds": 8.0,
                    "broker.url": broker,
                },
            )

        vision = None
        if model is not None:
            clip = tmp / "patient.mp4"
            render_still_clip(clip, model)
            vision = CameraSpec(model, str(clip), realtime=True, is_file=True)
        bedside = BedsideWindow(
            BedsideService(bedside_settings("12", url)), vision=vision, profile_dir=tmp
        )
        _show(stack, bedside, (1280, 800))

        shoot.wait(lambda: bedside.timeline.online is True, what="bedside online")
        if vision is not None:
            shoot.wait(lambda: bedside.face_state == "ready", 30, "the face to be found")
        shoot.wait(lambda: bedside.highlighted == "water", 30, "'Water' on offer")
        shoot.shot(bedside, "bedside_idle")

        bedside.staff.unlock()
        bedside.toggle_preview()
        shoot.wait(
            lambda: bedside.preview.pixmap() is not None and not bedside.preview.pixmap().isNull(),
            what="preview",
        )
        shoot.shot(bedside, "bedside_camera_preview")
        bedside.toggle_preview()

        if vision is not None:
            bedside.open_calibration()
            wizard = bedside.wizard
            shoot.wait(lambda: wizard.flow.face_found, what="face in the wizard")
            wizard.start()
            shoot.wait(lambda: wizard.flow.phase.kind == "take", 15, "the first take")
            shoot.wait(lambda: wizard.flow.progress(wizard.flow.last_t) > 0.4, 10, "progress")
            shoot.shot(wizard, "calibration_wizard")
            wizard.close()
            shoot.wait(lambda: bedside.wizard is None, what="wizard closed")

        # The patient nods while 'Water' is offered; a nurse acknowledges at the station.
        # Nod just after 'Water' comes on offer, well before the menu moves on.
        offered: list[tuple[str | None, float]] = [(bedside.highlighted, 0.0)]
        bedside.highlight_listeners.append(lambda h: offered.append((h, time.monotonic())))
        shoot.wait(
            lambda: offered[-1][0] == "water" and time.monotonic() - offered[-1][1] < 2,
            60,
            "'Water' newly on offer",
        )
        bedside.service.post(Gesture("nod", bedside.service.menu_time(), 0.9))
        shoot.wait(lambda: bool(rows_of(station_window, "12")), what="bed 12 at the station")
        row12 = rows_of(station_window, "12")[0]
        station_window.act("acknowledge", row12.request_id)
        shoot.wait(
            lambda: bedside.timeline_panel.headline.text() == "Nurse Kim is coming.",
            what="acknowledged at the bedside",
        )
        shoot.shot(bedside, "bedside_acknowledged")

        shoot.wait(lambda: bool(escalated(station_window)), 40, "an escalation")
        shoot.wait(
            lambda: bool(station_window.queue and station_window.queue.offline_beds),
            what="the offline bed",
        )
        shoot.wait(lambda: len(station_window.rows) == 5, what="five open requests")
        shoot.shot(station_window, "station_queue")

        station_window.ask_bed.setCurrentText("12")
        station_window.ask_text.setCurrentText("Are you in pain?")
        station_window.ask()
        shoot.wait(lambda: bedside.pages.currentIndex() == 1, what="the question at the bedside")
        shoot.shot(bedside, "bedside_question")
        bedside.service.post(Gesture("nod", bedside.service.menu_time(), 0.9))
        shoot.wait(lambda: answered(station_window), what="the answer")
        shoot.shot(station_window, "station_question_answered")

        station_window.tabs.setCurrentIndex(1)
        shoot.wait(lambda: len(station_window.hour_chart.bars) > 12, what="the history chart")
        shoot.shot(station_window, "station_history")
        station_window.tabs.setCurrentIndex(2)
        shoot.wait(lambda: len(station_window.board) >= 6, what="the bed board")
        shoot.shot(station_window, "station_beds")
        station_window.tabs.setCurrentIndex(0)

        # The patient asks twice more by touch; the nurse resolves the water and the pain: the
        # tablet shows the newest as done and, under it, the earlier ones with their times.
        for intent in ("toilet", "pain"):
            known = {t.request_id for t in bedside.timeline.tracks}

            def saved(known: set[str] = known) -> bool:
                tracks = bedside.timeline.tracks
                return bool(tracks) and tracks[0].request_id not in known

            bedside.service.post(Submit(intent, "touch"))
            shoot.wait(saved, what=f"{intent} saved")
            shoot.wait(lambda: bedside.timeline.tracks[0].state == "received", what="received")
        newest = bedside.timeline.tracks[0].request_id
        for done in (row12.request_id, newest):
            station_window.act("resolve", done)

        def resolved() -> bool:
            tracks = [bedside.timeline.get(r) for r in (row12.request_id, newest)]
            return all(t is not None and t.state == "resolved" for t in tracks)

        shoot.wait(resolved, what="water and pain resolved")
        shoot.shot(bedside, "bedside_recent_messages")

        # High contrast, same state.
        app.setStyleSheet(theme.stylesheet("bedside", "high_contrast", 1.0))
        shoot.shot(bedside, "bedside_high_contrast")
        app.setStyleSheet(theme.stylesheet("bedside", "calm", 1.0))

        # A tablet that cannot reach the broker: the request is saved and will be sent.
        dead = f"mqtt://127.0.0.1:{free_port()}"
        offline = BedsideWindow(BedsideService(bedside_settings("4", dead)), profile_dir=tmp)
        _show(stack, offline, (1280, 800))
        shoot.wait(lambda: offline.timeline.online is False, 15, "offline")
        offline.touch_tile("toilet")
        offline._confirm_yes()
        saved_text = strings.headline("saved_offline")
        shoot.wait(
            lambda: offline.timeline_panel.headline.text() == saved_text, 15, "saved offline"
        )
        shoot.shot(offline, "bedside_offline")
        offline.close()

        # The same bed in Korean: the window restarts in the patient's language and shows the
        # open request from the station's retained state.
        bedside.close()
        install_translation("ko")
        korean = BedsideWindow(
            BedsideService(bedside_settings("12", url, "ko")),
            language="ko",
            vision=vision,
            profile_dir=tmp,
        )
        _show(stack, korean, (1280, 800))
        shoot.wait(lambda: bool(korean.timeline.tracks), what="the Korean timeline")
        shoot.wait(lambda: korean.highlighted is not None, 20, "the Korean menu")
        shoot.shot(korean, "bedside_korean")
        station_ko = StationWindow(
            StationFeed(station_settings.broker, SITE, UNIT), language="ko", nurse="김간호사"
        )
        _show(stack, station_ko, (1440, 900))
        shoot.wait(lambda: len(station_ko.rows) >= 5, what="the Korean station")
        shoot.shot(station_ko, "station_korean")
        install_translation("en")
        korean.close()
        station_ko.close()

        # Large text (--font-scale 1.5) on the reference 1280x800 tablet, both windows: the
        # layouts reflow instead of growing past the screen (docs/ui.md). Sizes in code are
        # read at construction, so new windows are opened at the new scale.
        application(Look("en", "calm", 1.5), "bedside")
        big = BedsideWindow(
            BedsideService(bedside_settings("12", url)), vision=vision, profile_dir=tmp
        )
        _show(stack, big, (1280, 800))
        shoot.wait(lambda: bool(big.timeline.tracks), what="the large-text timeline")
        shoot.wait(lambda: big.highlighted is not None, 20, "the large-text menu")
        shoot.shot(big, "bedside_large_text")
        big.close()
        application(Look("en", "calm", 1.5), "station")
        station_big = StationWindow(
            StationFeed(station_settings.broker, SITE, UNIT), nurse="Nurse Kim"
        )
        _show(stack, station_big, (1280, 800))
        shoot.wait(lambda: len(station_big.rows) >= 5, what="the large-text station")
        shoot.shot(station_big, "station_large_text")
        application(Look("en"), "bedside")
    return shoot.saved
