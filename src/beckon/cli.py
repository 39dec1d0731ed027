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
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from beckon import __version__, modelstore, paths
from beckon.errors import BeckonError

log = logging.getLogger("beckon")

EPILOG = """\
Start here: `beckon demo` runs the whole path on this machine with no camera.
Configuration: deploy/bedside.example.toml and deploy/station.example.toml; any key can also be
set as BECKON_<SECTION>_<KEY> (for example BECKON_BROKER_URL) or with the flags below.
"""


# ---------------------------------------------------------------- parser


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
    demo.set_defaults(func=cmd_demo)

    bedside = sub.add_parser(
        "bedside",
        help="run the bedside service for one bed",
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
        "--exit-when-done",
        action="store_true",
        help="with --video: exit once the video has ended and the outbox is empty",
    )
    bedside.set_defaults(func=cmd_bedside)

    station = sub.add_parser(
        "station",
        help="run the nurse-station service, or list/acknowledge/resolve requests",
        description="Without an action: run the station service (receives, stores and tracks "
        "requests, escalates unanswered ones). With an action: talk to the running service.",
    )
    _role_options(station, "station")
    station.add_argument("--site", help="site name (overrides station.site)")
    station.add_argument("--units", help="comma-separated units served (overrides station.units)")
    actions = station.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("run", help="run the service (the default)")
    lst = actions.add_parser("list", help="show the open requests of the unit")
    lst.add_argument("--json", action="store_true", help="print the queue as JSON")
    for name, verb in (("ack", "acknowledge"), ("resolve", "resolve")):
        act = actions.add_parser(name, help=f"{verb} a request (a window does this later)")
        act.add_argument("request_id", metavar="ID", help="request id, or its first characters")
        act.add_argument(
            "--nurse", required=True, help="name of the nurse, recorded with the change"
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
    replay.set_defaults(func=cmd_replay)

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
    bv.add_argument("--seconds", type=float, default=10.0, help="length of the rendered clip")
    bv.add_argument("--json", action="store_true", help="print the figures as JSON")
    bench.set_defaults(func=cmd_bench)

    config = sub.add_parser("config", help="check a configuration file")
    csub = config.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = csub.add_parser("check", help="validate a bedside or station file and print it")
    check.add_argument("role", choices=["bedside", "station"])
    check.add_argument("file", type=Path)
    config.set_defaults(func=cmd_config)
    return parser


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
    from beckon.demo import run_demo

    if not args.headless:
        log.info("the windows arrive with the UI work; the demo prints its story here")
    return run_demo(sys.stdout, headless=args.headless, broker_url=args.broker)


def cmd_bedside(args: argparse.Namespace) -> int:
    from beckon.background import Background
    from beckon.bedside.service import BedsideService
    from beckon.bedside.vision_worker import VisionWorker
    from beckon.config import load_bedside

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
    _headless_note(args)
    cfg = settings.bedside
    service = BedsideService(settings)
    service.listeners.append(lambda e: log.info("bedside: %s", _describe_bedside_event(e)))
    stop = _stop_on_signals()
    source = args.video or cfg.camera
    model = None
    if "gesture" in cfg.inputs or args.video:
        model = modelstore.require_model("face_landmarker")
    worker: VisionWorker | None = None
    retry_at = 0.0
    with Background(service.run, "bedside") as bg:
        while not stop.wait(0.2):
            if not bg.alive:
                raise BeckonError(f"the bedside service stopped: {bg.error}")
            if model is not None and worker is None and time.monotonic() >= retry_at:
                worker = VisionWorker(model, source, service.post).start()
            if worker is None or not worker.finished.is_set():
                continue
            if worker.error is not None:
                if args.video:
                    raise BeckonError(f"vision stopped: {worker.error}")
                # A lost camera must not stop the bedside: requests already made still need
                # delivering, and touch or voice may still work. Say so and try again.
                log.error("camera %s failed (%s); retrying in %d s", source, worker.error, 10)
                worker, retry_at = None, time.monotonic() + 10
                continue
            if args.exit_when_done and service.waiting == 0:
                break
        if worker is not None:
            worker.stop()
    return 0


def _describe_bedside_event(e: Any) -> str:
    parts = [e.kind]
    for name in ("intent", "state", "by", "detail"):
        if getattr(e, name):
            parts.append(f"{name}={getattr(e, name)}")
    if e.request_id:
        parts.append(f"id={e.request_id[:8]}")
    return " ".join(parts)


def cmd_station(args: argparse.Namespace) -> int:
    from beckon.config import load_station

    units = [u.strip() for u in args.units.split(",")] if args.units else None
    settings = load_station(
        args.config, {"broker.url": args.broker, "station.site": args.site, "station.units": units}
    )
    action = args.action or "run"
    if action == "run":
        from beckon.station.service import StationService

        _headless_note(args)
        service = StationService(settings)
        log.info(
            "station %s serving %s at %s",
            settings.station.name,
            ", ".join(settings.station.units),
            settings.station.database_path(),
        )
        service.run(_stop_on_signals())
        return 0

    from beckon.station.client import StationClient

    cfg = settings.station
    with StationClient(settings.broker, cfg.site, cfg.units[0]) as client:
        if action == "list":
            current = client.wait_queue()
            if args.json:
                from dataclasses import asdict

                print(json.dumps(asdict(current), indent=2))
                return 0
            _print_queue(current)
            return 0
        verb = "acknowledge" if action == "ack" else "resolve"
        view = client.send(verb, args.request_id, args.nurse)
        print(f"{view.id[:8]}  bed {view.bed}  {view.intent}: {view.state} by {view.by}")
        return 0


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
    from beckon.vision.replay import replay

    if args.json:
        replay(args.video, model, sys.stdout)
        return 0
    import io

    buffer = io.StringIO()
    count = replay(args.video, model, buffer)
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
            bad += st.state != "ok"
            print(
                f"{spec.name:<18} {st.state:<8} {spec.size / 1e6:6.1f} MB  {spec.license:<12} "
                f"{st.path}"
            )
        if bad:
            print("fix with `beckon models fetch` or `beckon models install --from DIR`")
        return 1 if (bad and args.action == "verify") else 0
    if args.action == "install":
        results = modelstore.install_from(args.folder, args.names or None)
    else:
        results = modelstore.fetch(args.names or None, progress=_download_progress)
    for st in results:
        print(f"{st.spec.name:<18} {st.state:<8} {st.path}")
    return 0 if all(st.state == "ok" for st in results) else 1


def _download_progress(spec: Any, done: int, total: int) -> None:
    pct = 100 * done / total if total else 0
    sys.stderr.write(f"\r{spec.name}: {done / 1e6:.1f} of {total / 1e6:.1f} MB ({pct:.0f}%)")
    if done >= total:
        sys.stderr.write("\n")


def cmd_bench(args: argparse.Namespace) -> int:
    from beckon.vision.bench import bench_vision

    model = modelstore.require_model("face_landmarker")
    print(f"Rendering a {args.seconds:.0f} s clip and timing the vision path...", file=sys.stderr)
    result = bench_vision(model, seconds=args.seconds)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:<28} {value:.2f}" if isinstance(value, float) else f"{key:<28} {value}")
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from beckon.config import load_bedside, load_station

    loaded: Any = (load_bedside if args.role == "bedside" else load_station)(args.file)
    data = asdict(loaded)
    if data.get("broker", {}).get("password"):
        data["broker"]["password"] = "***"
    print(json.dumps(data, indent=2, default=str))
    print(f"{args.file}: valid {args.role} configuration", file=sys.stderr)
    return 0


# ---------------------------------------------------------------- plumbing


def _headless_note(args: argparse.Namespace) -> None:
    if not args.headless:
        log.info("no window yet (it arrives with the UI work); running headless")


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
    level = logging.DEBUG if args.verbose else logging.INFO
    logging.basicConfig(
        level=os.environ.get("BECKON_LOG_LEVEL", logging.getLevelName(level)),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    if args.command == "demo":
        # The story is the output; keep the service logs to warnings.
        logging.getLogger().setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        return int(args.func(args))
    except BeckonError as exc:
        print(f"beckon: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
