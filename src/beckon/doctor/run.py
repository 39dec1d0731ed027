"""The doctor's check lists for each role, in the order a person would look."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from beckon.config import BedsideSettings, StationSettings
from beckon.doctor import Check, failed, passed, skipped
from beckon.doctor.local import check_camera, check_disk, check_microphone, check_models
from beckon.doctor.remote import (
    check_beds_seen,
    check_clock,
    check_postgres,
    check_station_seen,
    probe_broker,
)
from beckon.errors import EX_CONFIG
from beckon.instance import holder
from beckon.messaging import protocol as p


def bedside_checks(
    settings: BedsideSettings,
    *,
    video: Path | None = None,
    audio: Path | None = None,
    listen_s: float = 3.0,
    broker: bool = True,
) -> list[Check]:
    """Camera and face, microphone, models, disk for the outbox, broker, clock, station."""
    cfg = settings.bedside
    checks: list[Check] = []
    models = check_models(["face_landmarker"] if "gesture" in cfg.inputs or video else [])
    checks.append(models)
    if "gesture" in cfg.inputs or video is not None:
        face_model = None
        if models.outcome == "pass":
            from beckon import modelstore

            face_model = modelstore.require_model("face_landmarker")
        checks += check_camera(str(video) if video else cfg.camera, face_model)
    else:
        checks.append(skipped("camera", "gesture input is off"))
    if "voice" in cfg.inputs or audio is not None:
        checks.append(check_microphone(audio, device=cfg.microphone_device()))
    else:
        checks.append(skipped("microphone", "voice input is off"))
    checks.append(check_disk(cfg.outbox_path(), "outbox"))
    if not broker:
        return [*checks, *_no_broker(("broker", "clock", "station"))]
    running = holder(cfg.outbox_path())
    if running is not None:
        return [
            *checks,
            *_service_running(("broker", "clock", "station"), "bedside", running, "beckon-bedside"),
        ]
    probe = probe_broker(
        settings.broker,
        f"beckon-doctor.{cfg.site}.{cfg.unit}.{cfg.bed}",
        [p.Topics.station_status(cfg.site, cfg.unit, "+")],
        listen_s,
    )
    checks.append(probe.check)
    if probe.connected:
        checks.append(check_clock(probe.heard))
        checks.append(check_station_seen(probe.heard, cfg.site, cfg.unit))
    else:
        checks.append(skipped("clock", probe.unheard))
        checks.append(skipped("station", probe.unheard))
    return checks


def _no_broker(names: tuple[str, ...]) -> list[Check]:
    return [skipped(name, "not checked (--no-broker)") for name in names]


def _service_running(names: tuple[str, ...], role: str, pid: str, unit: str) -> list[Check]:
    """The service is running on this machine with the same credentials: the broker binds
    client ids to usernames, so the doctor's login would take over the service's connection
    (the bed would say DUPLICATE BED and stay offline for a while; a station would drop off
    its unit). Its own screen and log show the connection; the doctor stays away."""
    detail = (
        f"not checked: the {role} service (pid {pid}) is running here with these credentials, "
        f"and logging in as it would take over its connection; see its screen or "
        f"`journalctl -u {unit}`, or stop it (systemctl stop {unit}) and run the doctor again"
    )
    return [skipped(names[0], detail)] + [
        skipped(name, f"not checked: the {role} service is running") for name in names[1:]
    ]


def station_checks(
    settings: StationSettings, *, listen_s: float = 6.0, broker: bool = True
) -> list[Check]:
    """Disk for the database, broker, clock, the unit's beds."""
    cfg = settings.station
    if cfg.store:
        checks: list[Check] = [check_postgres(cfg.store)]
    else:
        checks = [check_disk(cfg.database_path(), "request database")]
    if not broker:
        return [*checks, *_no_broker(("broker", "clock", "beds"))]
    running = holder(cfg.instance_file())  # the station service runs on this machine
    if running is not None:
        return [
            *checks,
            check_station_service(cfg.metrics, running),
            *_service_running(("broker", "clock", "beds"), "station", running, "beckon-station"),
        ]
    if (stopped := check_stopped_unit("beckon-station")) is not None:
        checks.append(stopped)
    subscriptions = [p.Topics.bed_filter(cfg.site, unit, "status") for unit in cfg.units]
    probe = probe_broker(
        settings.broker, f"beckon-doctor.{cfg.site}.{cfg.name}", subscriptions, listen_s
    )
    checks.append(probe.check)
    if probe.connected:
        checks.append(check_clock(probe.heard))
        checks.append(check_beds_seen(probe.heard, cfg.site, cfg.units, listen_s))
    else:
        checks.append(skipped("clock", probe.unheard))
        checks.append(skipped("beds", probe.unheard))
    return checks


HEALTH_WAIT_S = 3.0
"""How long the doctor waits for the running station service's health endpoint."""


def check_station_service(metrics: str, pid: str) -> Check:
    """Whether the station service running here serves its unit, asked through its health
    endpoint (``[station] metrics``): the doctor cannot look at the broker while it runs, and
    a station that runs without serving (holding back while its broker connections keep
    dropping, section 13 of docs/deployment.md) looked the same as one serving."""
    name = "service"
    if not metrics:
        return skipped(
            name,
            f"the station service (pid {pid}) runs here; whether it serves: `systemctl status "
            "beckon-station` (its Status line) or its log; set [station] metrics to let the "
            "doctor ask it",
        )
    host, _, port = metrics.rpartition(":")
    if host in ("", "0.0.0.0", "::", "[::]"):
        host = "127.0.0.1"
    url = f"http://{host}:{port}/health"
    try:
        with urllib.request.urlopen(url, timeout=HEALTH_WAIT_S) as answer:
            body = answer.read()
    except urllib.error.HTTPError as exc:  # 503: unhealthy, with the same JSON
        body = exc.read()
    except (OSError, ValueError) as exc:
        return skipped(name, f"the station service (pid {pid}) did not answer at {url}: {exc}")
    try:
        health = json.loads(body)
    except ValueError:
        return skipped(name, f"the station service (pid {pid}) answered {url} with no JSON")
    problems = [str(problem) for problem in health.get("problems", [])]
    if health.get("status") == "ok" and health.get("starting"):
        return skipped(
            name,
            f"the station service (pid {pid}) is starting: checking that no other station "
            "serves its units; run the doctor again in a minute",
        )
    if health.get("status") == "ok":
        return passed(name, f"the station service (pid {pid}) serves its unit")
    if health.get("standing_by"):
        return passed(name, f"the station service (pid {pid}) stands by for the active one")
    if health.get("split"):  # it serves, and so does another: not a broker or network fault
        return failed(
            name,
            f"the station service (pid {pid}) serves its unit, and so does "
            f"{', '.join(str(s) for s in health['split'])}: the unit's calls are split between "
            "two queues",
            "stop one of the two station services (systemctl stop beckon-station on one "
            "machine); with SQLite a unit has one station (docs/deployment.md)",
        )
    if health.get("announce_owed"):  # it serves; one unit's state is stale, and retried
        return failed(
            name,
            f"the station service (pid {pid}) serves, but "
            + "; ".join(problems or ["a unit's announce failed"]),
            "read its log (journalctl -u beckon-station): ANNOUNCE FAILED has the error, a bug "
            "to report; it retries, backing off to once a minute, and a restart (systemctl restart "
            "beckon-station) announces every unit afresh",
        )
    down = [d for d in health.get("links_down") or [] if isinstance(d, dict)]
    if health.get("waiting"):  # not started yet: what it waits for, not a twin or the broker
        fix = (
            "it starts by itself once that ends, or exits after its wait and systemd starts it "
            "again; end what holds the database if it should not (docs/deployment.md)"
        )
    elif down:  # a link down past not_serving_after_s: the remedy for the cause it showed
        fix = "; ".join(dict.fromkeys(str(d.get("remedy")) for d in down)) + (
            "; its log (journalctl -u beckon-station) has the STATION NOT SERVING line"
        )
    else:
        fix = (
            "read its log (journalctl -u beckon-station): STATION NOT SERVING says whether a "
            "twin or the broker or network drops its connections (docs/deployment.md, section 13)"
        )
    serving = [str(unit) for unit in health.get("units_serving") or []]
    what = (
        f"serves unit {', '.join(serving)} but does not serve all its units"
        if serving
        else "runs but does not serve its unit"
    )
    return failed(
        name,
        f"the station service (pid {pid}) {what}: " + "; ".join(problems or ["unhealthy"]),
        fix,
    )


def systemctl_show(unit: str) -> str | None:
    """``systemctl show`` of the unit's state and last exit, or None where there is no systemd
    (or no such unit) to ask."""
    try:
        shown = subprocess.run(
            ["systemctl", "show", unit, "-p", "LoadState,ActiveState,ExecMainStatus,UnitFileState"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return shown.stdout if shown.returncode == 0 else None


def check_stopped_unit(
    unit: str, show: Callable[[str], str | None] = systemctl_show
) -> Check | None:
    """A failure when the unit, enabled, is stopped with status EX_CONFIG (78), else None
    (nothing to say; a disabled or masked unit is stopped on purpose, though systemd keeps its
    last status). Why: a station that found a twin stops with 78 (also one refused before
    connecting, SECOND STATION) and systemd leaves it stopped; when it was the
    unit's real station (a twin started beside it while it held back, review rev43r), the
    unit has no station once IT removes the twin, until someone starts it, and nothing said
    so: the doctor, seeing no service running here, went on to check the broker."""
    shown = show(unit)
    if shown is None:
        return None
    state = dict(line.split("=", 1) for line in shown.splitlines() if "=" in line)
    if state.get("LoadState") != "loaded" or state.get("ActiveState") not in ("inactive", "failed"):
        return None
    if state.get("UnitFileState", "enabled") not in ("enabled", "enabled-runtime"):
        return None  # disabled or masked: kept stopped on purpose (its last status stays)
    if state.get("ExecMainStatus") != str(EX_CONFIG):
        return None
    return failed(
        "service",
        f"{unit} is stopped: its station exited with status {EX_CONFIG}, which systemd does "
        "not restart; no station service runs here",
        f"read why (journalctl -u {unit} -n 50): DUPLICATE STATION or SECOND STATION means "
        "another station service was running for the unit; once that one is stopped (or if "
        f"it was the wrong one to keep), start this one: systemctl start {unit}. A "
        "configuration key: fix it (beckon config check), then start it",
    )
