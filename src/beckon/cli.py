"""The ``beckon`` command: one entry point with a subcommand per job.

Heavy imports (MediaPipe, OpenCV, Qt) happen inside the subcommands, so ``beckon --help`` and
the messaging commands start instantly. Errors meant for people (BeckonError) print as one or
two lines and exit with status 2; nothing here prints a traceback for a bad config or model.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beckon import __version__, modelstore, paths
from beckon.errors import BeckonError, ConfigError, ModelError

if TYPE_CHECKING:
    from beckon.bedside.host import BedsideHost

log = logging.getLogger("beckon")

EX_CONFIG = 78  # sysexits.h: a configuration error; the units do not restart on it

EPILOG = """\
Start here: `beckon demo` runs the whole path on this machine with no camera.
Configuration: deploy/bedside.example.toml and deploy/station.example.toml; any key can also be
set as BECKON_<SECTION>_<KEY> (for example BECKON_BROKER_URL) or with the flags below.
"""


# ---------------------------------------------------------------- parser


def _seconds(text: str) -> float:
    """An argparse type: a finite number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value < 86_400:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"{text!r}: give 0 to 86399 seconds")
    return value


def _log_level(default: int) -> int | str:
    """``BECKON_LOG_LEVEL`` when it names a level, else ``default`` (said once on stderr)."""
    wanted = os.environ.get("BECKON_LOG_LEVEL", "")
    if not wanted:
        return default
    if isinstance(logging.getLevelName(wanted.upper()), int):
        return wanted.upper()
    print(
        f"beckon: BECKON_LOG_LEVEL={wanted!r} is not a log level (DEBUG, INFO, WARNING, "
        f"ERROR); using {logging.getLevelName(default)}",
        file=sys.stderr,
    )
    return default


def _positive(kind: type[int] | type[float]) -> Any:
    """An argparse type: a finite number above 0 (a timeout of nan or -1, or -5 beds, ran and
    reported nonsense)."""

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not (value > 0 and value != float("inf")):
            raise argparse.ArgumentTypeError(f"{text} must be a number above 0")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def _not_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} must be 0 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="beckon",
        description="Beckon: a bedside assistant that turns a patient's head gestures and short "
        "spoken requests into nurse calls.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"beckon {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser(
        "demo",
        help="run the whole path on one machine (no camera, no services needed)",
        description="Start an embedded broker, the station and a bedside fed by a rendered clip "
        "of a patient nodding, and tell the story of one request from nod to resolution.",
    )
    demo.add_argument(
        "--headless",
        action="store_true",
        help="no windows, process the clip as fast as possible (for CI)",
    )
    demo.add_argument("--broker", metavar="URL", help="use this broker instead of an embedded one")
    _window_options(demo, "demo")
    demo.set_defaults(func=cmd_demo)

    bedside = sub.add_parser(
        "bedside",
        help="open the bedside window for one bed (--headless: the service alone)",
        description="Watch the patient (camera or video file), offer requests, publish chosen "
        "ones to the nurse station and follow their state. Requests are kept on disk until the "
        "station confirms them.",
    )
    _role_options(bedside, "bedside")
    bedside.add_argument("--bed", help="bed name (overrides bedside.bed)")
    bedside.add_argument("--unit", help="unit name (overrides bedside.unit)")
    bedside.add_argument("--site", help="site name (overrides bedside.site)")
    src = bedside.add_mutually_exclusive_group()
    src.add_argument(
        "--video", metavar="FILE", help="read frames from a video file instead of the camera"
    )
    src.add_argument(
        "--camera", metavar="INDEX", help="camera device index (overrides bedside.camera)"
    )
    bedside.add_argument(
        "--audio",
        metavar="FILE",
        help="with --headless: hear speech from a WAV file instead of the microphone "
        "(turns voice input on)",
    )
    bedside.add_argument(
        "--exit-when-done",
        action="store_true",
        help="with --video or --audio: exit once the files have ended and the outbox is empty",
    )
    _window_options(bedside, "bedside")
    bedside.set_defaults(func=cmd_bedside)

    station = sub.add_parser(
        "station",
        help="open the nurse-station window, run the station service (--headless), "
        "or list/ack/resolve/ask",
        description="Without an action: open the nurse-station window, or with --headless run "
        "the station service (receives, stores and tracks requests, escalates unanswered ones). "
        "With an action: talk to the running service.",
    )
    _role_options(station, "station")
    station.add_argument("--site", help="site name (overrides station.site)")
    station.add_argument("--units", help="comma-separated units served (overrides station.units)")
    station.add_argument(
        "--user",
        metavar="NAME",
        help="MQTT username for the window and list/ack/resolve/ask (overrides broker.username): "
        "the broker ties client ids to usernames, so these must not log in as the running "
        "station service",
    )
    station.add_argument(
        "--password-file",
        metavar="FILE",
        help="file holding that user's password (overrides broker.password_file)",
    )
    _window_options(station, "station")
    actions = station.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser(
        "run", help="the default: open the nurse window (with --headless: run the service)"
    )
    lst = actions.add_parser("list", help="show the open requests of the unit")
    lst.add_argument("--json", action="store_true", help="print the queue as JSON")
    for name, verb in (("ack", "acknowledge"), ("resolve", "resolve")):
        act = actions.add_parser(name, help=f"{verb} a request (a window does this later)")
        act.add_argument("request_id", metavar="ID", help="request id, or its first characters")
        act.add_argument(
            "--nurse", required=True, help="name of the nurse, recorded with the change"
        )
        act.add_argument(
            "--timeout",
            type=_positive(float),
            default=30.0,
            metavar="S",
            help="seconds to wait for the station to show it done, sending it again meanwhile "
            "(default 30); then exit 1 saying it may not have been applied",
        )
    ask = actions.add_parser("ask", help="ask a bed a yes/no question; the patient nods or shakes")
    ask.add_argument("bed", metavar="BED", help="bed name")
    ask.add_argument("text", metavar="QUESTION", help='for example "Are you in pain?"')
    ask.add_argument("--nurse", required=True, help="name of the nurse asking")
    ask.add_argument(
        "--wait",
        type=_seconds,
        default=60.0,
        metavar="SECONDS",
        help="how long to wait for the answer (default 60; 0 returns at once)",
    )
    station.set_defaults(func=cmd_station)

    replay = sub.add_parser(
        "replay",
        help="run the vision path on a video file and print the gestures",
        description="Print one line per gesture found in VIDEO. With --json each line is "
        '{"type": "gesture", "gesture": NAME, "t": SECONDS, "confidence": 0..1}, t counted '
        "from the start of the video.",
    )
    replay.add_argument("video", metavar="VIDEO", type=Path)
    replay.add_argument("--json", action="store_true", help="JSON lines (a stable contract)")
    replay.add_argument(
        "--profile", type=Path, metavar="FILE", help="patient profile (from `beckon calibrate`)"
    )
    replay.add_argument(
        "--no-model", action="store_true", help="rule-based detection only (no sequence model)"
    )
    replay.set_defaults(func=cmd_replay)

    calibrate_p = sub.add_parser(
        "calibrate",
        help="calibrate a patient's gestures from a calibration video into a profile",
        description="Measure the patient's neutral pose, resting face and how far they move for "
        "each gesture, and write per-patient thresholds to a profile. VIDEO follows the "
        "standard calibration timeline (3 s rest, then each gesture twice in 3.2 s slots, in "
        "the order nod, shake, tilt_left, tilt_right, turn_left, turn_right, look_up, "
        "look_down, long_blink, mouth_open, brow_raise) unless --takes gives another.",
    )
    calibrate_p.add_argument("video", metavar="VIDEO", type=Path)
    calibrate_p.add_argument("--out", type=Path, required=True, metavar="FILE", help="profile")
    calibrate_p.add_argument(
        "--takes",
        type=Path,
        metavar="JSON",
        help='[{"gesture": "nod", "start": 3.0, "end": 6.2}, ...] instead of the standard plan',
    )
    calibrate_p.add_argument(
        "--base", type=Path, metavar="FILE", help="start from this profile (actions, menu)"
    )
    calibrate_p.add_argument("--name", default="", help="patient label stored in the profile")
    calibrate_p.set_defaults(func=cmd_calibrate)

    models = sub.add_parser(
        "models",
        help="list, fetch, install or verify third-party models",
        description="Models are listed in models/manifest.toml with URL, SHA-256, size and "
        f"licence, and live in {paths.models_dir()} (set BECKON_MODELS_DIR to move them).",
    )
    msub = models.add_subparsers(dest="action", metavar="ACTION", required=True)
    msub.add_parser("list", help="show each model and whether it is installed and intact")
    fetch = msub.add_parser("fetch", help="download from the published address and verify")
    fetch.add_argument("names", nargs="*", help="models to fetch (default: all)")
    fetch.add_argument(
        "--wheels",
        type=Path,
        metavar="DIR",
        help="keep the wheels that bundles are built from (hand_landmarker) in DIR, and reuse "
        "them from there: a folder to copy to an air-gapped site for `install --from`",
    )
    inst = msub.add_parser("install", help="install from a local folder (air-gapped sites, CI)")
    inst.add_argument(
        "--from",
        dest="folder",
        required=True,
        type=Path,
        metavar="DIR",
        help="folder holding the model files named as in the manifest",
    )
    inst.add_argument("names", nargs="*", help="models to install (default: all found)")
    msub.add_parser("verify", help="check every installed model's SHA-256; exit 1 if any is bad")
    models.set_defaults(func=cmd_models)

    bench = sub.add_parser("bench", help="measure speed and accuracy (prints the figures)")
    bsub = bench.add_subparsers(dest="what", metavar="WHAT", required=True)
    bv = bsub.add_parser("vision", help="milliseconds per 640x480 frame of the vision path")
    bv.add_argument(
        "--seconds", type=_positive(float), default=10.0, help="length of the rendered clip"
    )
    bv.add_argument(
        "--no-hands",
        action="store_true",
        help="without the hand gate (as when the hand landmarker is not installed)",
    )
    bv.add_argument("--json", action="store_true", help="print the figures as JSON")
    bvoice = bsub.add_parser(
        "voice",
        help="intent accuracy, false accepts, latency, speed and memory of the voice path",
        description="Speak the catalog's phrasings, paraphrases and ordinary talk with "
        "espeak-ng (several voices and speeds), mix them with ward-like noise at 20, 10 and "
        "5 dB SNR, and run them through the voice path of each language.",
    )
    bvoice.add_argument(
        "--lang", action="append", metavar="CODE", help="language to measure (default: all)"
    )
    bvoice.add_argument(
        "--engine",
        choices=["auto", "vosk", "pocketsphinx"],
        default="auto",
        help="recogniser (auto: Vosk, or PocketSphinx for English without a Vosk model)",
    )
    bvoice.add_argument("--model", metavar="DIR", help="use this Vosk model folder")
    bvoice.add_argument("--quick", action="store_true", help="fewer voices and phrases")
    bvoice.add_argument("--clean", action="store_true", help="clean speech only, no noise levels")
    bvoice.add_argument(
        "--recordings",
        metavar="DIR",
        help="score the WAV files of DIR listed in DIR/labels.csv instead of synthetic speech "
        "(columns file,language,expected[,group]; see docs/voice.md)",
    )
    bvoice.add_argument("--json", action="store_true", help="print the figures as JSON")
    bvoice.set_defaults(func=cmd_bench_voice)
    bgest = bsub.add_parser(
        "gestures",
        help="per-gesture precision, recall, F1, false events per hour, latency, speed, memory",
        description="Render labelled synthetic footage (real face photos re-rendered at "
        "scripted head poses and expressions) and measure the detectors on it. The widened "
        "recipe draws speed (0.5-3.5 Hz), cycles, amplitude, hold, face size, frame rate, "
        "onset, idle sway and lighting per performance, has a tune part and a score part, and "
        "is scored as an uncalibrated bedside, per condition; the classic recipe calibrates "
        "each patient first. Faces held out of training are reported apart, real videos "
        "(--recordings) separately. Observations are cached, so only the first run renders "
        "(that takes a while on two cores).",
    )
    bgest.add_argument("--cache", type=Path, metavar="DIR", help="observation cache folder")
    bgest.add_argument(
        "--workers", type=_positive(int), default=2, help="rendering processes (default 2)"
    )
    bgest.add_argument(
        "--quick", action="store_true", help="a smaller classic recipe (minutes, not hours)"
    )
    bgest.add_argument(
        "--recipe",
        choices=("wide", "classic", "all", "none"),
        default="wide",
        help="wide: the widened recipe's score and tune parts, scored as an uncalibrated "
        "bedside, per condition (default); classic: the first recipe with calibrated patients; "
        "all: both; none: only --recordings",
    )
    bgest.add_argument(
        "--recordings",
        type=Path,
        metavar="DIR",
        help="also score real videos in DIR, labelled in DIR/labels.toml (see docs/gestures.md)",
    )
    bgest.add_argument(
        "--no-model", action="store_true", help="rule-based detection only (no sequence model)"
    )
    bgest.add_argument(
        "--no-small-face",
        action="store_true",
        help="no second look in a crop for frames where the full frame shows no face "
        "(MediaPipe alone, as before the retry; cached apart)",
    )
    bgest.add_argument(
        "--no-hands",
        action="store_true",
        help="score real recordings without the hand gate (as when the hand landmarker is not "
        "installed; synthetic clips have no hands and never use it)",
    )
    bgest.add_argument("--json", action="store_true", help="print the figures as JSON")
    bgest.set_defaults(func=cmd_bench_gestures)
    bui = bsub.add_parser(
        "ui",
        help="milliseconds from a gesture to the highlight, and from a request to the station",
        description="Offscreen windows over a real broker (a private Mosquitto when installed, "
        "else the embedded one): time from a posted gesture to the highlighted tile repainted, "
        "and from a request published at the bedside to its row painted in the station window.",
    )
    bui.add_argument(
        "-n", "--repeat", type=_positive(int), default=50, help="repetitions (default 50)"
    )
    bui.add_argument("--broker", metavar="URL", help="use this broker instead of a private one")
    bui.add_argument("--json", action="store_true", help="print the figures as JSON")
    bui.set_defaults(func=cmd_bench_ui)
    bload = bsub.add_parser(
        "load",
        help="request -> stored/receipt latency, loss, station CPU and memory under load",
        description="Simulated beds (one MQTT client and one durable outbox each) against a "
        "private Mosquitto and a `beckon station` process on loopback: a steady rate, then a "
        "burst of one request per bed. Bounded in time; mind other work on the machine.",
    )
    bload.add_argument(
        "--beds", type=_positive(int), default=500, help="simulated beds (default 500)"
    )
    bload.add_argument(
        "--rate", type=_positive(float), default=15.0, help="steady requests/s (default 15)"
    )
    bload.add_argument("--seconds", type=_positive(float), default=60.0, help="steady phase length")
    bload.add_argument("--burst", type=_not_negative, default=500, help="requests in the burst")
    bload.add_argument(
        "--autosave",
        type=int,
        default=10,
        metavar="N",
        help="Mosquitto autosave_interval (changes between database saves; 10 as shipped)",
    )
    bload.add_argument(
        "--store",
        metavar="URL",
        help="run the station on this PostgreSQL store (postgresql://...; default: SQLite)",
    )
    bload.add_argument(
        "--postgres",
        action="store_true",
        help="run the station on a throwaway PostgreSQL server started for the run",
    )
    bload.add_argument("--json", action="store_true", help="print the figures as JSON")
    bload.set_defaults(func=cmd_bench_load)
    bench.set_defaults(func=cmd_bench)

    transcribe = sub.add_parser(
        "transcribe",
        help="run the voice path on sound files and print the intents",
        description="Print one line per FILE. With --json each line is "
        '{"file": ..., "text": ..., "intent": CODE or null, "score": 0..1, "lang": CODE} '
        "(a stable contract). Audio never leaves the machine.",
    )
    transcribe.add_argument("files", nargs="+", type=Path, metavar="FILE")
    transcribe.add_argument("--lang", default="en", metavar="CODE", help="language (default en)")
    transcribe.add_argument(
        "--engine",
        choices=["auto", "vosk", "pocketsphinx"],
        default="auto",
        help="recogniser (auto: Vosk, or PocketSphinx for English without a Vosk model)",
    )
    transcribe.add_argument("--model", type=Path, metavar="DIR", help="use this Vosk model folder")
    transcribe.add_argument("--json", action="store_true", help="JSON lines (a stable contract)")
    transcribe.set_defaults(func=cmd_transcribe)

    config = sub.add_parser("config", help="check a configuration file")
    csub = config.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = csub.add_parser("check", help="validate a bedside or station file and print it")
    check.add_argument("role", choices=["bedside", "station"])
    check.add_argument("file", type=Path)
    config.set_defaults(func=cmd_config)
    _add_hospital_commands(sub)
    return parser


def _window_options(p: argparse.ArgumentParser, role: str) -> None:
    """How a window looks (not used with --headless)."""
    win = p.add_argument_group("window (without --headless)")
    screen = win.add_mutually_exclusive_group()
    default = "full screen" if role == "bedside" else "a normal window"
    screen.add_argument(
        "--fullscreen", dest="fullscreen", action="store_true", default=None,
        help=f"fill the screen (default: {default})",
    )  # fmt: skip
    screen.add_argument("--windowed", dest="fullscreen", action="store_false", help="a window")
    win.add_argument(
        "--language",
        choices=["en", "ko"],
        help="language of the window, its speech and the speech it hears (default: the config's)",
    )
    win.add_argument("--high-contrast", action="store_true", help="black, white and yellow")
    win.add_argument(
        "--font-scale",
        type=_positive(float),
        default=1.0,
        metavar="F",
        help="text size factor (1.0)",
    )
    if role == "bedside":
        win.add_argument("--no-speech", action="store_true", help="do not speak prompts aloud")
        win.add_argument(
            "--kiosk",
            action="store_true",
            help="the tablet's only application (deploy/systemd/beckon-bedside.service): "
            "full screen, and only staff can close it (Exit, after holding Staff)",
        )
    if role == "station":
        win.add_argument("--nurse", default="", help="the nurse's name, filled in the window")
        win.add_argument(
            "--serve", action="store_true", help="also run the station service in this process"
        )
        win.add_argument("--no-sound", action="store_true", help="visible alerts only")


def _role_options(p: argparse.ArgumentParser, role: str) -> None:
    p.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help=f"{role} TOML file (see deploy/{role}.example.toml)",
    )
    p.add_argument("--broker", metavar="URL", help="broker URL, mqtt://HOST:PORT or mqtts://...")
    p.add_argument("--headless", action="store_true", help="no window (servers, tests)")


# ---------------------------------------------------------------- commands


def cmd_demo(args: argparse.Namespace) -> int:
    from beckon.lab.demo import run_demo

    if not args.headless:
        from beckon.ui.app import check_display

        try:
            check_display()
        except BeckonError as exc:
            # A newcomer on a server over SSH still gets the whole story, in the terminal.
            print(f"beckon: {exc.message}; telling the story here instead", file=sys.stderr)
        else:
            from beckon.lab.demo_windows import run_demo_windows

            return run_demo_windows(_look(args, args.language or "en"), args.broker)
    return run_demo(sys.stdout, headless=args.headless, broker_url=args.broker)


def cmd_bedside(args: argparse.Namespace) -> int:
    from beckon.config import load_bedside

    if args.audio and not args.headless:
        raise BeckonError("--audio works with --headless only", "add --headless")
    if args.kiosk and args.headless:
        raise BeckonError("--kiosk opens the bedside window", "drop --headless or --kiosk")
    settings = load_bedside(
        args.config,
        {
            "broker.url": args.broker,
            "bedside.bed": args.bed,
            "bedside.unit": args.unit,
            "bedside.site": args.site,
            "bedside.camera": args.camera,
        },
    )
    from beckon.messaging.mqtt import check_broker_files

    check_broker_files(settings.broker)  # on this thread: a wrong file is exit 78, once
    lock = _exclusive_bedside(settings)
    try:
        if not args.headless:
            return _bedside_window(args, settings)
        return _bedside_headless(args, settings)
    finally:
        lock.release()


def _exclusive_bedside(settings: Any) -> Any:
    """One bedside service per bed on this machine: a second one would send the same requests
    and fight the first over the broker session (beckon/instance.py)."""
    from beckon.instance import InstanceLock

    return InstanceLock(
        settings.bedside.outbox_path(),
        "bedside service",
        "stop it first (systemctl stop beckon-bedside, or beckon-bedside-headless); each bed "
        "runs one bedside service",
    )


def _bedside_headless(args: argparse.Namespace, settings: Any) -> int:
    from beckon.bedside.devices import HeadlessDevices
    from beckon.bedside.events import describe
    from beckon.bedside.host import BedsideHost, CameraSpec, MicSpec
    from beckon.bedside.reach import ReachLog
    from beckon.bedside.service import BedsideService, DeviceFaults
    from beckon.metrics import serve_bedside

    cfg = settings.bedside
    service = BedsideService(settings)
    service.listeners.append(lambda e: log.info("bedside: %s", describe(e)))
    reach = ReachLog(cfg.receipt_alarm_s)  # no screen: a call that cannot get through is logged
    service.listeners.append(reach.follow)
    notifier = _systemd_watch(service)
    camera = mic = None
    if "gesture" in cfg.inputs or args.video:
        model = modelstore.require_model("face_landmarker")
        camera = CameraSpec(
            model, args.video or cfg.camera, realtime=False, is_file=bool(args.video)
        )
    if "voice" in cfg.inputs or args.audio:
        audio = Path(args.audio) if args.audio else None
        mic = MicSpec(cfg.language, audio, realtime=False, device=cfg.microphone_device())
    host = BedsideHost(service, camera, mic)
    devices = HeadlessDevices()  # camera and face faults for the station, as the window's
    devices.attach(host)
    serve_bedside(service, cfg.metrics, host)
    host.voice_listeners.append(lambda item: log.info("voice: %s", item))
    stop = _stop_on_signals()
    host.start()
    try:
        while not stop.wait(0.2):
            if not host.service_alive:
                raise BeckonError(f"the bedside service stopped: {host.service_error}")
            host.supervise()
            reach.check()
            faults = devices.check(host)
            if faults is not None:
                service.post(DeviceFaults(faults))
            if host.file_error is not None:
                raise BeckonError(host.file_error)
            if args.exit_when_done and _files_done(args, host):
                break
    finally:
        host.stop()
        notifier.stopping()
    return 0


def _check_console_files(broker: Any, password_file: str | None) -> None:
    """A console's password (or TLS) file that cannot be read is said as such, naming the flag
    when it came from one: otherwise it surfaces as "cannot reach the MQTT broker"."""
    from beckon.messaging.mqtt import check_broker_files

    try:
        check_broker_files(broker)
    except ConfigError as exc:
        if password_file and "password_file" in exc.message:
            raise BeckonError(
                exc.message.replace("[broker] password_file", "--password-file"),
                "give a readable file holding the console user's password",
            ) from None
        raise


def _files_done(args: argparse.Namespace, host: BedsideHost) -> bool:
    """With --exit-when-done: every file has been read and every request delivered."""
    if args.video and not host.service.source_ended.is_set():
        return False
    if args.audio and (host.voice is None or not host.voice.finished.is_set()):
        return False
    return host.service.waiting == 0


def cmd_station(args: argparse.Namespace) -> int:
    from beckon.config import load_station

    units = [u.strip() for u in args.units.split(",")] if args.units else None
    settings = load_station(
        args.config, {"broker.url": args.broker, "station.site": args.site, "station.units": units}
    )
    action = args.action or "run"
    if action == "run":
        from beckon.messaging.mqtt import check_broker_files
        from beckon.station.service import StationService

        check_broker_files(settings.broker)  # a wrong file is exit 78, before any window

        if not args.headless:
            return _station_window(args, settings)
        from beckon.metrics import serve_station
        from beckon.station.exclusive import StationClaim
        from beckon.station.pgstore import redacted

        cfg = settings.station
        service = StationService(settings)
        log.info(
            "station %s serving %s at %s",
            cfg.name,
            ", ".join(cfg.units),
            redacted(cfg.store) if cfg.store else cfg.database_path(),
        )
        stop = _stop_on_signals()
        claim = StationClaim(settings)  # refuses a second service (beckon/station/exclusive.py)
        # systemd hears READY=1 and watchdog pings while standing by too, then from the service.
        notifier = _systemd_watch(service)
        endpoint = serve_station(service, cfg.metrics, standing_by=lambda: not claim.active)
        try:
            if not claim.wait_active(stop, turned=lambda: notifier.beat("standing by")):
                return 0  # stopped while standing by
            claim.watch(service)  # PostgreSQL: stop if the unit's lock is lost
            service.run(stop)
        finally:
            if endpoint is not None:
                endpoint.stop()
            notifier.stopping()
            claim.release()
        return service.exit_code

    from dataclasses import replace

    from beckon.station.client import NotConfirmed, StationClient

    cfg = settings.station
    broker = settings.broker
    if args.user or args.password_file:
        broker = replace(
            broker,
            username=args.user or broker.username,
            password_file=args.password_file or broker.password_file,
        )
    elif broker.username:
        raise BeckonError(
            f"`beckon station {action}` would log in as {broker.username}, the station "
            "service's own user: the broker ties client ids to usernames, so it would throw "
            "the running station off",
            "log in as a console user: --user console-SITE-UNIT --password-file FILE",
        )
    from beckon.messaging.protocol import SEGMENT, SEGMENT_HELP

    if action == "ask" and not SEGMENT.fullmatch(args.bed):
        raise BeckonError(f"bed {args.bed!r} is not a bed name", SEGMENT_HELP)
    _check_console_files(broker, args.password_file)
    if len(cfg.units) > 1:
        # It took the first unit and said "no open request" for a call of the second.
        raise BeckonError(
            f"`beckon station {action}` works on one unit; this station serves "
            f"{', '.join(cfg.units)}",
            f"name the unit: --units {cfg.units[1]}",
        )
    with StationClient(broker, cfg.site, cfg.units[0]) as client:
        if action == "list":
            current = client.wait_queue()
            if args.json:
                from dataclasses import asdict

                print(json.dumps(asdict(current), indent=2))
                return 0
            _print_queue(current)
            return 0
        if action == "ask":
            q = client.ask(args.bed, args.text, args.nurse, wait_s=args.wait)
            if q.answer is None:
                print(f"bed {q.bed} has not answered {q.text!r} yet")
                return 1 if args.wait > 0 else 0
            print(f"bed {q.bed} answered {q.answer.upper()} to {q.text!r} (by {q.source})")
            return 0
        verb = "acknowledge" if action == "ack" else "resolve"
        try:
            view = client.send(verb, args.request_id, args.nurse, timeout=args.timeout)
        except NotConfirmed as exc:  # not a usage error: exit 1, as `station list` does
            print(f"beckon: {exc}", file=sys.stderr)
            return 1
        print(outcome_text(view, verb, args.nurse, args.request_id))
        return 0


def outcome_text(view: Any, verb: str, nurse: str, request_id: str) -> str:
    """What a nurse's ack or resolve came to, truthfully: done by this nurse, or already done
    by someone else (a colleague's console, the patient's cancel) and this one not applied.
    A nurse who lost a race was told she had resolved a call a colleague resolved, or that
    the patient had cancelled."""
    if view is None:
        return f"{request_id[:8]}: closed meanwhile (resolved or cancelled, by whom unknown)"
    head = f"{view.id[:8]}  bed {view.bed}  {view.intent}"
    wanted = "acknowledged" if verb == "acknowledge" else "resolved"
    if view.state == wanted and view.by == nurse:
        return f"{head}: {view.state} by {view.by}"
    by = f" by {view.by}" if view.by else ""
    return f"{head}: already {view.state}{by}; your {verb} was not needed"


def _print_queue(q: Any) -> None:
    print(f"Unit {q.site}/{q.unit}, as of {q.at}")
    if not q.requests:
        print("  no open requests")
    for r in q.requests:
        esc = f"  ESCALATED x{r.escalation}" if r.escalation else ""
        who = f" by {r.by}" if r.by else ""
        print(
            f"  {r.id[:8]}  bed {r.bed:<6} {r.priority:<9} {r.intent:<11} {r.state}{who}"
            f"  since {r.created_at}{esc}"
        )
    for bed in q.offline_beds:
        print(f"  DEVICE FAULT: bed {bed} is offline")


def cmd_replay(args: argparse.Namespace) -> int:
    model = modelstore.require_model("face_landmarker")
    from beckon.profile import load_profile
    from beckon.vision.hands import installed_model as installed_hand_model
    from beckon.vision.replay import replay

    profile = load_profile(args.profile) if args.profile else None
    use_model = not args.no_model
    if args.json:
        replay(args.video, model, sys.stdout, profile, use_model, installed_hand_model())
        return 0
    import io

    buffer = io.StringIO()
    count = replay(args.video, model, buffer, profile, use_model, installed_hand_model())
    for line in buffer.getvalue().splitlines():
        event = json.loads(line)
        print(f"{event['t']:7.2f} s  {event['gesture']:<12} confidence {event['confidence']:.2f}")
    print(f"{count} gesture(s) in {args.video}")
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    if args.action == "list" or args.action == "verify":
        bad = 0
        for spec in modelstore.load_manifest().values():
            st = modelstore.status(spec)
            bad += st.problem
            state = st.state if spec.required or st.state != "missing" else "optional"
            print(
                f"{spec.name:<18} {state:<8} {spec.size / 1e6:6.1f} MB  {spec.license:<12} "
                f"{st.path}"
            )
        if bad:
            print("fix with `beckon models fetch` or `beckon models install --from DIR`")
        return 1 if (bad and args.action == "verify") else 0
    if args.action == "install":
        results = modelstore.install_from(args.folder, args.names or None)
    else:
        results = modelstore.fetch(
            args.names or None, progress=_download_progress, wheels=args.wheels
        )
    for st in results:
        print(f"{st.spec.name:<18} {st.state:<8} {st.path}")
    return 1 if any(st.problem for st in results) else 0


def _download_progress(spec: Any, done: int, total: int) -> None:
    pct = 100 * done / total if total else 0
    sys.stderr.write(f"\r{spec.name}: {done / 1e6:.1f} of {total / 1e6:.1f} MB ({pct:.0f}%)")
    if done >= total:
        sys.stderr.write("\n")


def cmd_bench(args: argparse.Namespace) -> int:
    from beckon.lab.vision_bench import bench_vision

    model = modelstore.require_model("face_landmarker")
    hand_model = None
    if not args.no_hands:
        from beckon.vision.hands import installed_model

        hand_model = installed_model()
    print(f"Rendering a {args.seconds:.0f} s clip and timing the vision path...", file=sys.stderr)
    result = bench_vision(model, seconds=args.seconds, hand_model=hand_model)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:<28} {value:.2f}" if isinstance(value, float) else f"{key:<28} {value}")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from beckon.vision.calibration import calibrate_video

    model = modelstore.require_model("face_landmarker")
    result = calibrate_video(args.video, model, args.out, args.takes, args.base, args.name)
    print(json.dumps(result.summary(), indent=2))
    print(f"profile written to {args.out}", file=sys.stderr)
    return 0


def cmd_bench_gestures(args: argparse.Namespace) -> int:
    from beckon.lab.gesture_bench import bench_gestures, format_report
    from beckon.vision.sequence import packaged_model

    model = modelstore.require_model("face_landmarker")
    sequence = None if args.no_model else packaged_model()
    hand_model = None
    if not args.no_hands:
        from beckon.vision.hands import installed_model

        hand_model = installed_model()

    def progress(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    result = bench_gestures(
        model,
        cache=args.cache,
        workers=args.workers,
        sequence_model=sequence,
        quick=args.quick,
        recipe=args.recipe,
        recordings=args.recordings,
        progress=progress,
        small_face=not args.no_small_face,
        hand_model=hand_model,
    )
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(format_report(result))
    return 0


def cmd_bench_voice(args: argparse.Namespace) -> int:
    from beckon.lab.voice_bench import bench_voice, format_report
    from beckon.voice.catalog import load_catalog

    if args.recordings:
        from beckon.lab.voice_recordings import bench_recordings, format_recordings

        model = Path(args.model) if args.model else None
        found = bench_recordings(Path(args.recordings), args.lang, args.engine, model)
        print(
            json.dumps(found, indent=2, ensure_ascii=False)
            if args.json
            else format_recordings(found)
        )
        return 0
    languages = args.lang or list(load_catalog().languages)
    print(f"Speaking, mixing and recognising ({', '.join(languages)})...", file=sys.stderr)
    results = bench_voice(
        languages, args.engine, quick=args.quick, model_dir=args.model, clean_only=args.clean
    )
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        print(format_report(results))
    return 0


def cmd_transcribe(args: argparse.Namespace) -> int:
    from beckon.voice.recognizer import build_pipeline
    from beckon.voice.transcribe import transcribe, transcribe_file

    pipeline = build_pipeline(args.lang, model_dir=args.model, engine=args.engine)
    if pipeline.engine.note:
        print(f"note: {pipeline.engine.note}", file=sys.stderr)
    if args.json:
        transcribe(pipeline, args.files, sys.stdout)
        return 0
    for path in args.files:
        row = transcribe_file(pipeline, path)
        print(f'{row["file"]}: {row["intent"] or "-"} ({row["score"]:.2f}) "{row["text"]}"')
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from beckon.config import load_bedside, load_station
    from beckon.config_check import check_bedside, check_station
    from beckon.intents import load_intents

    loaded: Any = (load_bedside if args.role == "bedside" else load_station)(args.file)
    data = asdict(loaded)
    if data.get("broker", {}).get("password"):
        data["broker"]["password"] = "***"
    print(json.dumps(data, indent=2, default=str))
    if args.role == "bedside":
        findings = check_bedside(loaded, load_intents())
    else:
        findings = check_station(loaded)
    for finding in findings:
        print(f"{args.file}: {finding}", file=sys.stderr)
    if any(f.level == "error" for f in findings):
        print(
            f"{args.file}: this {args.role} configuration would fail; fix the errors above",
            file=sys.stderr,
        )
        return 2
    print(f"{args.file}: valid {args.role} configuration", file=sys.stderr)
    return 0


def _look(args: argparse.Namespace, language: str) -> Any:
    """The window's look; first of all, refuse in words when there is no display."""
    from beckon.ui.app import Look, check_display

    check_display()
    if args.font_scale <= 0:
        raise BeckonError("--font-scale must be above 0")
    return Look(language, "high_contrast" if args.high_contrast else "calm", args.font_scale)


def _bedside_window(args: argparse.Namespace, settings: Any) -> int:
    from beckon.ui.launch import run_bedside

    cfg = settings.bedside
    look = _look(args, args.language or cfg.language)
    model = None
    if "gesture" in cfg.inputs or args.video:
        model = modelstore.require_model("face_landmarker")
    return run_bedside(
        settings,
        look,
        model=model,
        source=args.video or cfg.camera,
        is_file=bool(args.video),
        fullscreen=args.kiosk or args.fullscreen is not False,
        speech=not args.no_speech,
        kiosk=args.kiosk,
    )


def _station_window(args: argparse.Namespace, settings: Any) -> int:
    from beckon.station.exclusive import check_window_logins
    from beckon.ui.launch import run_station

    if args.user or args.password_file:  # the window's own console user
        from dataclasses import replace

        broker = replace(
            settings.broker,
            username=args.user or settings.broker.username,
            password_file=args.password_file or settings.broker.password_file,
        )
        settings = replace(settings, broker=broker)
    check_window_logins(settings, serve=args.serve)

    return run_station(
        settings,
        _look(args, args.language or settings.station.language),
        nurse=args.nurse,
        serve=args.serve,
        fullscreen=bool(args.fullscreen),
        sound=not args.no_sound,
    )


def cmd_bench_load(args: argparse.Namespace) -> int:
    from beckon.lab.load_bench import bench_load, format_report

    if args.store and args.postgres:
        raise BeckonError("--store and --postgres both choose the store", "give one of them")
    from beckon.config import is_postgres_url

    if args.store and not is_postgres_url(args.store):
        raise BeckonError(
            f"--store {args.store!r} is not a PostgreSQL URL",
            "give postgresql://USER@HOST:PORT/DATABASE (leave it out for SQLite)",
        )
    result = bench_load(
        args.beds,
        args.rate,
        args.seconds,
        args.burst,
        args.autosave,
        store=args.store or "",
        postgres=args.postgres,
    )
    print(json.dumps(result, indent=2) if args.json else format_report(result))
    return 0


def cmd_bench_ui(args: argparse.Namespace) -> int:
    from beckon.lab.ui_bench import bench_ui, format_report

    print(f"Timing the windows over {args.repeat} repetitions...", file=sys.stderr)
    result = bench_ui(args.repeat, broker_url=args.broker)
    print(json.dumps(result, indent=2) if args.json else format_report(result))
    return 0


# ---------------------------------------------------------------- hospital IT (issue 14)


def _add_hospital_commands(sub: Any) -> None:
    """provision, doctor: the tools hospital IT uses to set up and check machines."""
    prov = sub.add_parser(
        "provision",
        help="make a site CA, or a bed's/station's config, broker credentials and ACL lines",
        description="Set up devices in one step. `provision ca` makes a site CA (and the "
        "broker's certificate); `provision bed` and `provision station` write, under --out, "
        "each device's folder (config, password, CA certificate, optional client certificate; "
        "copy it to the machine's /etc/beckon) and the broker's passwd and acl files; "
        "`provision console` makes a user per nurse PC, `provision bridge` a unit's bridge to "
        "the hospital broker, and `provision revoke` takes a device's user out again.",
    )
    psub = prov.add_subparsers(dest="what", metavar="WHAT", required=True)
    ca = psub.add_parser("ca", help="make a site CA for tests and small sites")
    ca.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the CA")
    ca.add_argument("--name", default="Beckon site CA", help="the CA's common name")
    ca.add_argument("--days", type=_positive(int), default=3650, help="CA validity in days (3650)")
    ca.add_argument(
        "--broker-name",
        action="append",
        default=[],
        metavar="DNS",
        help="also make the broker's certificate for this name (repeatable)",
    )
    ca.add_argument(
        "--broker-ip", action="append", default=[], metavar="IP", help="... and this address"
    )
    for what in ("bed", "station"):
        dev = psub.add_parser(what, help=f"provision {'beds' if what == 'bed' else 'a station'}")
        dev.add_argument(
            "--ca", type=Path, required=True, metavar="DIR", help="folder holding ca.crt (+ ca.key)"
        )
        dev.add_argument(
            "--out", type=Path, required=True, metavar="DIR", help="the site's output folder"
        )
        dev.add_argument(
            "--broker-url", required=True, metavar="URL", help="mqtts://HOST:PORT the device uses"
        )
        dev.add_argument("--site", help="site name")
        dev.add_argument("--unit", help="unit name")
        dev.add_argument(
            "--client-cert",
            action="store_true",
            help="also issue a client certificate signed by the CA (needs ca.key)",
        )
        dev.add_argument(
            "--install-dir",
            default="/etc/beckon",
            metavar="DIR",
            help="where the files will live on the device (default /etc/beckon)",
        )
        dev.add_argument(
            "--renew", action="store_true", help="new password/certificate even if one exists"
        )
        if what == "bed":
            dev.add_argument("--bed", help="bed name")
            dev.add_argument("--language", choices=["en", "ko"], default="en")
            dev.add_argument(
                "--inputs", default="gesture,touch", help="comma-separated (gesture,touch)"
            )
            dev.add_argument("--camera", default="0", help="camera index (0)")
            dev.add_argument(
                "--csv",
                type=Path,
                metavar="FILE",
                help="many beds: columns site,unit,bed[,language,inputs,camera]",
            )
        else:
            dev.add_argument("--name", default="station", help="station service name")
            dev.add_argument(
                "--standby",
                action="store_true",
                help="a second station service for the same unit (PostgreSQL failover): its "
                "own broker user and folder, station-SITE-UNIT-NAME",
            )
    console = psub.add_parser(
        "console",
        help="a unit's console user, for station windows and `beckon station list|ack|...`",
        description="The password file and ACL block of console-SITE-UNIT: station windows on "
        "nurses' PCs and the console commands log in as it (--user, --password-file) with the "
        "station's config, never as the station service's own user.",
    )
    console.add_argument("--ca", type=Path, required=True, metavar="DIR", help="holds ca.crt")
    console.add_argument("--out", type=Path, required=True, metavar="DIR", help="site folder")
    console.add_argument("--site", required=True, help="site name")
    console.add_argument("--unit", required=True, help="unit name")
    console.add_argument(
        "--name",
        default="",
        help="one user per nurse PC or script (console-SITE-UNIT-NAME, e.g. desk1): two "
        "windows or commands logged in as one user throw each other off the broker",
    )
    console.add_argument("--renew", action="store_true", help="a new password")
    revoke = psub.add_parser(
        "revoke",
        help="take a device's broker user out of the site's passwd and ACL (a lost tablet)",
        description="Removes DEVICE (a folder name under SITE/devices, e.g. "
        "bed-general-icu-3-15) from SITE/broker/passwd and SITE/broker/acl and moves its folder "
        "to SITE/revoked. Install both files on the broker and reload it, as after provisioning.",
    )
    revoke.add_argument("--out", type=Path, required=True, metavar="DIR", help="site folder")
    revoke.add_argument("device", help="the device's folder name under DIR/devices")
    bridge = psub.add_parser(
        "bridge", help="bridge a unit's Mosquitto to the hospital broker (config and user)"
    )
    bridge.add_argument("--ca", type=Path, required=True, metavar="DIR", help="holds ca.crt")
    bridge.add_argument("--out", type=Path, required=True, metavar="DIR", help="site folder")
    bridge.add_argument("--site", required=True, help="site name")
    bridge.add_argument("--unit", required=True, help="unit name")
    bridge.add_argument(
        "--hospital-broker",
        required=True,
        metavar="HOST:PORT",
        help="the hospital broker's TLS listener, e.g. mqtt.hospital.example:8883",
    )
    bridge.add_argument(
        "--install-dir",
        default="/etc/mosquitto/certs",
        metavar="DIR",
        help="where ca.crt will live on the unit broker host (default /etc/mosquitto/certs)",
    )
    bridge.add_argument("--renew", action="store_true", help="a new password")
    prov.set_defaults(func=cmd_provision)

    doctor = sub.add_parser(
        "doctor",
        help="check a tablet or station host: each thing with pass or fail and the fix",
        description="Check the camera (frame rate, a face in view), microphone, models, disk, "
        "the broker (TLS, credentials), the clock against the other side's, and that the "
        "station (or the unit's beds) is online. Exit status 1 when any check fails.",
    )
    doctor.add_argument("role", choices=["bedside", "station"])
    doctor.add_argument(
        "--config", type=Path, required=True, metavar="FILE", help="the role's TOML file"
    )
    doctor.add_argument("--video", type=Path, metavar="FILE", help="a video instead of the camera")
    doctor.add_argument(
        "--audio", type=Path, metavar="FILE", help="a sound file instead of the microphone"
    )
    doctor.add_argument(
        "--listen",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="how long to listen to the broker for the other side (default: 3 for a bed; 6 for "
        "a station, longer than a bed's 5 s heartbeat, so that a silent bed is told apart)",
    )
    doctor.add_argument(
        "--no-broker",
        action="store_true",
        help="skip the broker, clock and other-side checks (skipped anyway while this "
        "machine's service runs: logging in with its credentials would take over its "
        "connection)",
    )
    doctor.add_argument("--json", action="store_true", help="print the results as JSON")
    doctor.set_defaults(func=cmd_doctor)


def cmd_provision(args: argparse.Namespace) -> int:
    from beckon import provision as pv

    if args.what == "ca":
        cert = pv.make_ca(args.out, args.name, args.days, args.broker_name, args.broker_ip)
        print(f"site CA written to {cert} (keep {args.out / pv.CA_KEY} offline)")
        if args.broker_name or args.broker_ip:
            server = args.out / pv.SERVER_CERT
            print(f"broker certificate: {server}, key {args.out / pv.SERVER_KEY}")
        return 0
    if args.what == "revoke":
        user = pv.revoke(args.out, args.device)
        broker = args.out / "broker"
        print(f"{user} revoked: install {broker / 'passwd'} and {broker / 'acl'} on the broker")
        print("and reload it (systemctl reload mosquitto); the device is disconnected then")
        return 0
    if args.what == "bridge":
        spec_b = pv.BridgeSpec(args.site, args.unit, args.hospital_broker)
        made = pv.provision_bridge(
            spec_b, args.out, args.ca, install_dir=args.install_dir, renew=args.renew
        )
        print(f"{made.username:<32} {made.config} (append to the unit broker's mosquitto.conf)")
        broker = args.out / "broker"
        print(f"hospital broker files: {broker / 'passwd'} and {broker / 'acl'}")
        return 0
    if args.what == "console":
        made = pv.provision_console(
            pv.ConsoleSpec(args.site, args.unit, args.name), args.out, args.ca, renew=args.renew
        )
        note = "new password" if made.new_password else "kept its password"
        print(f"{made.username:<32} {made.config} ({note})")
        print(
            f"use: beckon station --config station.toml --user {made.username} "
            f"--password-file /etc/beckon/{made.config.name} list"
        )
        broker = args.out / "broker"
        print(f"broker files: {broker / 'passwd'} and {broker / 'acl'} (install; reload mosquitto)")
        return 0
    options = {
        "client_cert": args.client_cert,
        "install_dir": args.install_dir,
        "renew": args.renew,
    }
    done: list[pv.Provisioned] = []
    if args.what == "station":
        if not (args.site and args.unit):
            raise BeckonError("provision station needs --site and --unit")
        spec = pv.StationSpec(args.site, args.unit, args.name, args.standby)
        done.append(pv.provision_station(spec, args.out, args.ca, args.broker_url, **options))
    else:
        if args.csv:
            if args.bed:
                raise BeckonError("give either --csv or --bed, not both")
            beds = pv.read_beds_csv(args.csv)
        elif args.site and args.unit and args.bed:
            row = {
                "site": args.site,
                "unit": args.unit,
                "bed": args.bed,
                "language": args.language,
                "inputs": args.inputs.replace(",", " "),
                "camera": args.camera,
            }
            beds = [pv.bed_from_row(row, "command line")]
        else:
            raise BeckonError("provision bed needs --site, --unit and --bed, or --csv FILE")
        for bed in beds:
            done.append(pv.provision_bed(bed, args.out, args.ca, args.broker_url, **options))
    for item in done:
        note = "new password" if item.new_password else "kept its password"
        extra = ", client certificate" if item.client_cert else ""
        print(f"{item.username:<32} {item.folder} ({note}{extra})")
    broker = args.out / "broker"
    print(f"broker files: {broker / 'passwd'} and {broker / 'acl'} (install; reload mosquitto)")
    return 0


def _systemd_watch(service: Any) -> Any:
    """READY=1 and watchdog pings from the service's own main loop (deploy/systemd units use
    Type=notify and WatchdogSec=); does nothing outside systemd."""
    from beckon.systemd import Notifier

    notifier = Notifier()
    if notifier.enabled:
        service.beats.append(notifier.beat)
        log.info("systemd notification on (watchdog every %s s)", notifier.interval_s)
    return notifier


def cmd_doctor(args: argparse.Namespace) -> int:
    from beckon import doctor
    from beckon.config import load_bedside, load_station
    from beckon.doctor.run import bedside_checks, station_checks

    if args.role == "bedside":
        checks = bedside_checks(
            load_bedside(args.config),
            video=args.video,
            audio=args.audio,
            listen_s=3.0 if args.listen is None else args.listen,
            broker=not args.no_broker,
        )
    else:
        if args.video or args.audio:
            raise BeckonError("--video and --audio are for `beckon doctor bedside`")
        listen_s = 6.0 if args.listen is None else args.listen
        checks = station_checks(
            load_station(args.config), listen_s=listen_s, broker=not args.no_broker
        )
    if args.json:
        print(json.dumps(doctor.as_json(args.role, checks), indent=2))
    else:
        print(doctor.format_text(args.role, checks))
    return 1 if any(c.failed for c in checks) else 0


# ---------------------------------------------------------------- plumbing


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handler(signum: int, frame: object) -> None:
        log.info("signal %d: stopping", signum)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handler)
    return stop


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # MediaPipe's C++ start-up lines go to the debug log (beckon.vision.native_log), so
    # --verbose shows them and a plain run does not.
    level = logging.DEBUG if args.verbose else logging.INFO
    logging.basicConfig(
        level=_log_level(level),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    if args.command == "demo":
        # The story is the output; the services' own logs only when something is wrong.
        logging.getLogger().setLevel(logging.DEBUG if args.verbose else logging.ERROR)
    try:
        return int(args.func(args))
    except BeckonError as exc:
        print(f"beckon: {exc}", file=sys.stderr)
        if getattr(args, "kiosk", False) and not getattr(args, "headless", False):
            # The kiosk's screen is the only place anyone looks: say it there, and stay.
            from beckon.ui.app import Look
            from beckon.ui.launch import run_fault_screen

            try:
                return run_fault_screen(str(exc), Look(font_scale=args.font_scale))
            except BeckonError as no_screen:  # no display either: only the journal is left
                print(f"beckon: {no_screen}", file=sys.stderr)
        if isinstance(exc, ConfigError | ModelError) and args.command in ("bedside", "station"):
            # A service whose configuration is wrong, or whose model is missing or corrupt,
            # fails the same way on every restart: EX_CONFIG tells systemd
            # (RestartPreventExitStatus=78) not to loop on it.
            return EX_CONFIG
        return 2
    except ValueError as exc:
        from beckon.messaging.protocol import ProtocolError

        if not isinstance(exc, ProtocolError):
            raise
        # What the command would send breaks the protocol (an empty question, a nurse name
        # of 200 characters): say which rule, not a traceback.
        print(f"beckon: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        # A file or folder the command cannot write or read (provision --out /proc/x).
        print(f"beckon: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
