"""``beckon provision`` and ``beckon doctor``: the tools hospital IT uses to set up and check
machines."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from beckon.cli.args import positive, seconds
from beckon.errors import BeckonError


def _unit_options(parser: argparse.ArgumentParser) -> None:
    """What a unit's own user (a console, a bridge) is made from: the CA, the site folder and
    the unit it belongs to, each required (no config to read them from)."""
    parser.add_argument("--ca", type=Path, required=True, metavar="DIR", help="holds ca.crt")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="site folder")
    parser.add_argument("--site", required=True, help="site name")
    parser.add_argument("--unit", required=True, help="unit name")


def add_commands(sub: Any) -> None:
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
    ca.add_argument("--days", type=positive(int), default=3650, help="CA validity in days (3650)")
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
            # No defaults here: a setting not given is the tablet's own default (BedSpec).
            dev.add_argument("--language", choices=["en", "ko"])
            dev.add_argument(
                "--inputs", help="comma-separated, e.g. gesture,touch (default: the tablet's)"
            )
            dev.add_argument("--camera", help="camera index (default: the tablet's)")
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
    _unit_options(console)
    console.add_argument(
        "--name",
        default="",
        help="one user per nurse PC or script (console-SITE-UNIT-NAME, e.g. desk1): two "
        "windows or commands logged in as one user throw each other off the broker",
    )
    console.add_argument(
        "--client-cert",
        action="store_true",
        help="also issue console.crt and console.key signed by the CA (needs ca.key), for a "
        "broker that requires client certificates; use them with --cert-file and --key-file",
    )
    console.add_argument(
        "--renew", action="store_true", help="a new password (and certificate, with --client-cert)"
    )
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
    _unit_options(bridge)
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
    bridge.add_argument(
        "--client-cert",
        action="store_true",
        help="also issue bridge.crt and bridge.key signed by the CA (needs ca.key), for a "
        "hospital broker that requires client certificates",
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
        type=seconds,
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
            print(
                "install both and ca.crt in /etc/mosquitto/certs/, the key owner root, group "
                "mosquitto, mode 0640: Mosquitto reads it as user mosquitto (deployment.md, 9)"
            )
        return 0
    if args.what == "revoke":
        user = pv.revoke(args.out, args.device)
        print(f"{user} revoked; the device is disconnected once the broker has its new files")
        _broker_files_note(args.out)
        return 0
    if args.what == "bridge":
        spec_b = pv.BridgeSpec(args.site, args.unit, args.hospital_broker)
        made = pv.provision_bridge(
            spec_b,
            args.out,
            args.ca,
            install_dir=args.install_dir,
            client_cert=args.client_cert,
            renew=args.renew,
        )
        print(f"{made.username:<32} {made.config} (append to the unit broker's mosquitto.conf)")
        _broker_files_note(args.out, "hospital broker files")
        return 0
    if args.what == "console":
        made = pv.provision_console(
            pv.ConsoleSpec(args.site, args.unit, args.name),
            args.out,
            args.ca,
            client_cert=args.client_cert,
            renew=args.renew,
        )
        note = "new password" if made.new_password else "kept its password"
        extra = ", client certificate" if made.client_cert else ""
        print(f"{made.username:<32} {made.config} ({note}{extra})")
        certs = (
            f" --cert-file /etc/beckon/{pv.CONSOLE_CERT} --key-file /etc/beckon/{pv.CONSOLE_KEY}"
            if made.client_cert
            else ""
        )
        print(
            f"use: beckon station --config station.toml --user {made.username} "
            f"--password-file /etc/beckon/{made.config.name}{certs} list"
        )
        _broker_files_note(args.out)
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
                "language": args.language or "",
                "inputs": (args.inputs or "").replace(",", " "),
                "camera": args.camera or "",
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
    _broker_files_note(args.out)
    return 0


def _broker_files_note(out: Path, what: str = "broker files") -> None:
    """Where the broker's files go, and with which owner: provision writes them 0600 for the
    admin, and Mosquitto, which reads them as user mosquitto, did not start with them as
    they were ("Unable to open pwfile")."""
    broker = out / "broker"
    print(f"{what}: {broker / 'passwd'} and {broker / 'acl'}")
    print(
        "install as /etc/mosquitto/passwd and /etc/mosquitto/acl, owner root, group mosquitto, "
        "mode 0640 (deployment.md, 9), then: systemctl reload mosquitto"
    )


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
