"""Simulated bedsides for fault tests: the real BedsideService (outbox, MQTT link, heartbeat)
for several beds in one process, with touch requests instead of a camera.

    python -m beckon.lab.simbed --broker mqtt://127.0.0.1:PORT --beds 1,2,3 \\
        --outbox-dir DIR [--password-dir DIR] [--requests 2] [--intent water] [--exit-when-done]

Each bed logs in as ``{site}/{unit}/bed/{bed}`` (the shipped ACL's bed user) with the password
in ``--password-dir/{bed}`` when given. Prints one JSON line per event on stdout (``saved``
with the request id, ``state``, ``station``, ``connection``, ``fault``) so that a test can
follow every bed while killing processes around it.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path

from beckon.background import Background
from beckon.bedside import events as ev
from beckon.bedside.service import BedsideService, Submit
from beckon.config import BedsideConfig, BedsideSettings, BrokerConfig

_print_lock = threading.Lock()


def _say(**fields: object) -> None:
    with _print_lock:
        sys.stdout.write(json.dumps(fields) + "\n")
        sys.stdout.flush()


def make_bed(args: argparse.Namespace, bed: str) -> BedsideService:
    password_file = str(Path(args.password_dir) / bed) if args.password_dir else ""
    broker = BrokerConfig(
        url=args.broker,
        username=f"{args.site}/{args.unit}/bed/{bed}" if args.password_dir else "",
        password_file=password_file,
        keepalive=args.keepalive,
    )
    cfg = BedsideConfig(
        site=args.site,
        unit=args.unit,
        bed=bed,
        inputs=("touch",),
        outbox=str(Path(args.outbox_dir) / f"outbox-{bed}.sqlite3"),
    )
    service = BedsideService(BedsideSettings(bedside=cfg, broker=broker))

    def report(e: ev.BedsideEvent) -> None:
        match e:
            case ev.RequestSaved(restored=False):
                _say(event="request_saved", bed=bed, id=e.request_id, state="created", detail="")
            case ev.StateChanged():
                _say(event="state", bed=bed, id=e.request_id, state=e.state, detail="")
            case ev.StationChanged():
                detail = "online" if e.online else "offline"
                _say(event="station", bed=bed, id="", state="", detail=detail)
            case ev.ConnectionChanged():
                detail = "online" if e.online else "offline"
                _say(event="connection", bed=bed, id="", state="", detail=detail)
            case ev.Fault():
                _say(event="fault", bed=bed, id="", state="", detail=e.detail)

    service.listeners.append(report)
    return service


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--broker", required=True)
    ap.add_argument("--site", default="general")
    ap.add_argument("--unit", default="icu-3")
    ap.add_argument("--beds", required=True, help="comma-separated bed names")
    ap.add_argument("--outbox-dir", required=True)
    ap.add_argument("--password-dir", default="")
    ap.add_argument("--keepalive", type=int, default=15)
    ap.add_argument("--requests", type=int, default=0, help="touch requests per bed")
    ap.add_argument("--intent", default="water")
    ap.add_argument("--every", type=float, default=0.2, help="seconds between requests")
    ap.add_argument("--start-after", type=float, default=0.0, help="seconds before the first")
    ap.add_argument("--exit-when-done", action="store_true")
    args = ap.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    beds = [make_bed(args, b) for b in args.beds.split(",")]
    runners = [Background(b.run, f"bed-{b.address.bed}").start() for b in beds]
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(b.outbox is not None for b in beds):
            time.sleep(0.05)
        stop.wait(args.start_after)
        for _ in range(args.requests):
            for b in beds:
                b.post(Submit(args.intent, "touch", again=True))
            if stop.wait(args.every):
                break
        _say(event="submitted", bed="*", id="", state="", detail=str(args.requests))
        while not stop.wait(0.2):
            if args.exit_when_done and all(
                b.waiting == 0 and b.outbox is not None and b.inbox.empty() for b in beds
            ):
                break
    finally:
        for r in runners:
            r.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
