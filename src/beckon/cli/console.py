"""``beckon station list|ack|resolve|ask``: a nurse's console on one unit, talking to the
running station service over the broker as a console user."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from beckon.errors import BeckonError, ConfigError


def console_login(args: argparse.Namespace, settings: Any) -> Any:
    """The settings with the console user's login (--user, --password-file, --cert-file,
    --key-file) in place of the station service's own. Applied before any file is checked: a
    nurse's PC holds the console user's files only, and the window refused to start there
    because the station's own password file, which it would not even use, was missing. The
    certificate flags let that PC log in where the broker requires client certificates
    without a copy of the station service's key."""
    from dataclasses import replace

    if not (args.user or args.password_file or args.cert_file or args.key_file):
        return settings
    broker = replace(
        settings.broker,
        username=args.user or settings.broker.username,
        password_file=args.password_file or settings.broker.password_file,
        cert_file=args.cert_file or settings.broker.cert_file,
        key_file=args.key_file or settings.broker.key_file,
    )
    return replace(settings, broker=broker)


def refuse_service_user(args: argparse.Namespace, username: str, action: str) -> None:
    """Refuse to log in as the station service's own user: the broker ties client ids to
    usernames, so the console would throw the running station off. A console user's name
    from the environment (console.env, as the nurse window's unit sets it) is not that: it
    was refused for want of --user."""
    from beckon.provision import CONSOLE_USER_PREFIX

    if not username or args.user or args.password_file:
        return
    if username.startswith(CONSOLE_USER_PREFIX):
        return
    raise BeckonError(
        f"`beckon station {action}` would log in as {username}, the station service's own "
        "user: the broker ties client ids to usernames, so it would throw the running "
        "station off",
        "log in as a console user: --user console-SITE-UNIT --password-file FILE",
    )


def run_action(args: argparse.Namespace, settings: Any, action: str) -> int:
    from beckon.station.client import NotConfirmed, StationClient

    cfg = settings.station
    broker = console_login(args, settings).broker
    refuse_service_user(args, broker.username, action)
    from beckon.messaging.protocol import SEGMENT, SEGMENT_HELP

    if action == "ask" and not SEGMENT.fullmatch(args.bed):
        raise BeckonError(f"bed {args.bed!r} is not a bed name", SEGMENT_HELP)
    _check_console_files(broker, args)
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


def _check_console_files(broker: Any, args: argparse.Namespace) -> None:
    """A console's password (or TLS) file that cannot be read is said as such, naming the flag
    when it came from one: otherwise it surfaces as "cannot reach the MQTT broker"."""
    from beckon.messaging.mqtt import check_broker_files

    flags = {
        "password_file": (
            args.password_file,
            "a readable file holding the console user's password",
        ),
        "cert_file": (args.cert_file, "the console user's certificate (console.crt)"),
        "key_file": (args.key_file, "the console user's key (console.key)"),
    }
    try:
        check_broker_files(broker)
    except ConfigError as exc:
        for key, (given, what) in flags.items():
            if given and f"[broker] {key}" in exc.message:
                flag = "--" + key.replace("_", "-")
                raise BeckonError(
                    exc.message.replace(f"[broker] {key}", flag), f"give {flag} {what}"
                ) from None
        raise


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
