"""``beckon demo``, ``beckon bedside`` and ``beckon station``: the product's services and
windows (the station's console actions are in ``console.py``)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beckon import modelstore
from beckon.cli.args import positive, role_options, seconds, window_options
from beckon.errors import BeckonError
from beckon.stop_signals import StopSignals

if TYPE_CHECKING:
    from beckon.bedside.host import BedsideHost

log = logging.getLogger("beckon")


def add_commands(sub: Any) -> None:
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
    demo.add_argument(
        "--save-clip",
        type=Path,
        metavar="FILE",
        help="only write the demo's clip of a patient nodding to FILE (an .mp4) and exit: the "
        "video for a tablet's first test call (docs/deployment.md)",
    )
    window_options(demo, "demo")
    demo.set_defaults(func=cmd_demo)

    bedside = sub.add_parser(
        "bedside",
        help="open the bedside window for one bed (--headless: the service alone)",
        description="Watch the patient (camera or video file), offer requests, publish chosen "
        "ones to the nurse station and follow their state. Requests are kept on disk until the "
        "station confirms them.",
    )
    role_options(bedside, "bedside")
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
    window_options(bedside, "bedside")
    bedside.set_defaults(func=cmd_bedside)

    station = sub.add_parser(
        "station",
        help="open the nurse-station window, run the station service (--headless), "
        "or list/ack/resolve/ask",
        description="Without an action: open the nurse-station window, or with --headless run "
        "the station service (receives, stores and tracks requests, escalates unanswered ones). "
        "With an action: talk to the running service.",
    )
    role_options(station, "station")
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
    station.add_argument(
        "--cert-file",
        metavar="FILE",
        help="that user's client certificate, for a broker that requires one (overrides "
        "broker.cert_file; `beckon provision console --client-cert` makes console.crt)",
    )
    station.add_argument(
        "--key-file", metavar="FILE", help="its key (overrides broker.key_file; console.key)"
    )
    window_options(station, "station")
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
            type=positive(float),
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
        type=seconds,
        default=60.0,
        metavar="SECONDS",
        help="how long to wait for the answer (default 60; 0 returns at once)",
    )
    station.set_defaults(func=cmd_station)


def cmd_station(args: argparse.Namespace) -> int:
    from beckon.config import load_station

    units = [u.strip() for u in args.units.split(",")] if args.units else None
    settings = load_station(
        args.config, {"broker.url": args.broker, "station.site": args.site, "station.units": units}
    )
    action = args.action or "run"
    if action != "run":
        from beckon.cli.console import run_action

        return run_action(args, settings, action)
    from beckon.messaging.mqtt import check_broker_files

    if not args.headless:
        from beckon.cli.console import console_login

        settings = console_login(args, settings)  # a nurse PC has the console's files only
    check_broker_files(settings.broker)  # a wrong file is exit 78, before any window

    if not args.headless:
        return _station_window(args, settings)
    return _station_headless(settings)


def _station_headless(settings: Any) -> int:
    # Caught from here on (beckon.stop_signals): a SIGTERM while the service is being built
    # stops it once it is, instead of killing the process with no word in the journal.
    with StopSignals() as signals:
        from beckon.metrics import serve_station
        from beckon.station.exclusive import StationClaim
        from beckon.station.pgstore import redacted
        from beckon.station.service import StationService

        cfg = settings.station
        service = StationService(settings)
        log.info(
            "station %s serving %s at %s",
            cfg.name,
            ", ".join(cfg.units),
            redacted(cfg.store) if cfg.store else cfg.database_path(),
        )
        stop = threading.Event()
        # From here a signal sets it at once: the claim's broker check below waits on it.
        if signals.arm(stop.set):
            return 0  # stopped while starting: nothing runs yet, nothing to claim
        # Refuses a second service (beckon/station/exclusive.py), after waiting lock_wait_s for
        # one on this machine to let go of the unit; SIGTERM cuts the wait and check short.
        claim = StationClaim(settings, stop, lock_wait_s=cfg.lock_wait_s)
        # systemd hears READY=1 and watchdog pings while standing by too, then from the service.
        notifier = systemd_watch(service)
        endpoint = serve_station(service, cfg.metrics, standing_by=lambda: not claim.active)
        try:
            active = claim.wait_active(
                stop, turned=lambda: notifier.beat("standing by"), forget=service.forget_sessions
            )
            if not active:
                return 0  # stopped while standing by
            claim.watch(service)  # PostgreSQL: stop if the unit's lock is lost
            service.run(stop)
        finally:
            # Going: a signal from here on (or a second one during the service's own stop
            # above) cuts the clean shutdown short instead of setting ``stop`` again.
            signals.disarm()
            if endpoint is not None:
                endpoint.stop()
            notifier.stopping()
            claim.release()
        return service.exit_code


def cmd_demo(args: argparse.Namespace) -> int:
    from beckon.lab.demo import render_demo_clip, run_demo

    if args.save_clip is not None:
        from beckon.modelstore import require_model

        print(f"Rendering a clip of a patient nodding to {args.save_clip} ...")
        seconds = render_demo_clip(args.save_clip, require_model("face_landmarker"))
        print(f"Wrote {args.save_clip} ({seconds:.1f} s: still, then a nod at about 3 s).")
        return 0
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
    interrupt_on_sigterm()
    return run_demo(sys.stdout, headless=args.headless, broker_url=args.broker)


def interrupt_on_sigterm() -> None:
    """SIGTERM (a CI job's timeout, ``kill``) unwinds the terminal demo as Ctrl-C does, so its
    embedded broker stops and its temporary folder goes: killed outright, each demo left a
    /tmp/beckon-rig-* folder behind."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


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


def _log_event(e: Any) -> None:
    """The headless bedside's journal: every event at INFO but the menu's own steps (a
    highlight every few seconds, all day: a megabyte of journal a tablet every 12 hours),
    which ``beckon -v`` shows."""
    from beckon.bedside import events as ev

    level = logging.DEBUG if isinstance(e, ev.MenuChanged | ev.PointerMoved) else logging.INFO
    log.log(level, "bedside: %s", ev.describe(e))


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
    # Caught from here on (beckon.stop_signals): a SIGTERM while the service, its link and its
    # workers are being built stops them once they are, instead of killing the process with
    # its threads running, no "offline" for the station and no word in the journal.
    with StopSignals() as signals:
        from beckon.bedside.devices import HeadlessDevices
        from beckon.bedside.host import BedsideHost, CameraSpec, MicSpec
        from beckon.bedside.reach import ReachLog
        from beckon.bedside.service import BedsideService, DeviceFaults
        from beckon.metrics import serve_bedside

        cfg = settings.bedside
        service = BedsideService(settings)
        service.listeners.append(_log_event)
        reach = ReachLog(cfg.receipt_alarm_s)  # no screen: a call that cannot get through is logged
        service.listeners.append(reach.follow)
        notifier = systemd_watch(service)
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
        endpoint = serve_bedside(service, cfg.metrics, host)
        host.voice_listeners.append(lambda item: log.info("voice: %s", item))
        stop = threading.Event()
        try:
            host.start()
            signals.arm(stop.set)  # a signal during the build: set at once
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
            # Going: a signal from here on (a second Ctrl-C, a `kill` after the stop)
            # cuts the clean shutdown short instead of setting ``stop`` again.
            signals.disarm()
            host.stop()
            if endpoint is not None:
                endpoint.stop()
            notifier.stopping()
    return 0


def _files_done(args: argparse.Namespace, host: BedsideHost) -> bool:
    """With --exit-when-done: every file has been read and every request delivered."""
    if args.video and not host.service.source_ended.is_set():
        return False
    if args.audio and (host.voice is None or not host.voice.finished.is_set()):
        return False
    return host.service.waiting == 0


def _look(args: argparse.Namespace, language: str) -> Any:
    """The window's look; first of all, refuse in words when there is no display."""
    from beckon.ui.app import Look, check_display

    check_display()
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

    check_window_logins(settings, serve=args.serve)  # settings: with the console's login

    return run_station(
        settings,
        _look(args, args.language or settings.station.language),
        nurse=args.nurse,
        serve=args.serve,
        fullscreen=bool(args.fullscreen),
        sound=not args.no_sound,
    )


def systemd_watch(service: Any) -> Any:
    """READY=1 and watchdog pings from the service's own main loop (deploy/systemd units use
    Type=notify and WatchdogSec=); does nothing outside systemd."""
    from beckon.systemd import Notifier

    notifier = Notifier()
    if notifier.enabled:
        # STATUS= says why a station that runs does not serve (holding back after losing its
        # broker connections): `systemctl status beckon-station` shows it.
        # (A bedside has no such line: "serving".)
        status = getattr(service, "status_text", lambda: "serving")
        service.beats.append(lambda: notifier.beat(status()))
        log.info("systemd notification on (watchdog every %s s)", notifier.interval_s)
    return notifier
