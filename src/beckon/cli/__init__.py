"""The ``beckon`` command: one entry point with a subcommand per job.

Heavy imports (MediaPipe, OpenCV, Qt) happen inside the subcommands, so ``beckon --help`` and
the messaging commands start instantly. Errors meant for people (BeckonError) print as one or
two lines and exit with status 2; nothing here prints a traceback for a bad config or model.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from beckon import __version__
from beckon.cli import bench, hospital, run, tools
from beckon.errors import EX_CONFIG, BeckonError, ConfigError, ModelError

log = logging.getLogger("beckon")

EPILOG = """\
Start here: `beckon demo` runs the whole path on this machine with no camera.
Configuration: deploy/bedside.example.toml and deploy/station.example.toml; any key can also be
set as BECKON_<SECTION>_<KEY> (for example BECKON_BROKER_URL) or with the flags below.
"""


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

    run.add_commands(sub)
    hospital.add_commands(sub)
    tools.add_commands(sub)
    bench.add_commands(sub)
    return parser


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
    elif args.command == "doctor":
        # The checklist is the output: the vision path's progress ("neutral head pose fixed")
        # came above it; a warning still shows.
        logging.getLogger().setLevel(logging.DEBUG if args.verbose else logging.WARNING)
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
            # A service whose configuration is wrong (a key, a file, a second station set up
            # for its unit, a window logging in twice as one user), or whose model is missing
            # or corrupt, fails the same way on every restart: EX_CONFIG tells systemd
            # (RestartPreventExitStatus=78) not to loop on it. Everything else (a lock that
            # frees when its holder stops) exits 2, which the units restart.
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
