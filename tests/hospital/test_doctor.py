"""`beckon doctor`: on a provisioned site with a real Mosquitto (production config, TLS, client
certificates), real MediaPipe on a rendered clip standing in for the camera and a sound file
standing in for the microphone. Each check passes when things are right and fails, with a fix,
when one thing is broken."""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypedDict, TypeVar, Unpack

import numpy as np
import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from beckon import provision as pv
from beckon.background import Background
from beckon.bedside.service import BedsideService
from beckon.cli import main
from beckon.config import BedsideSettings, BrokerConfig, StationSettings, load_bedside
from beckon.doctor import Check, remote
from beckon.doctor.run import bedside_checks, check_station_service, station_checks
from beckon.instance import holder
from beckon.lab import synthetic
from beckon.messaging import protocol as p
from beckon.messaging.mqtt import Disconnected, LinkEvent, MqttLink
from beckon.station.exclusive import DatabaseLock
from beckon.station.service import StationService
from beckon.voice.audio import SAMPLE_RATE, write_wav
from tests.conftest import Mosquitto
from tests.helpers.hospital import (
    Site,
    bed_settings,
    events_until,
    installed,
    station_settings,
    wait,
)
from tests.helpers.slow_suback import SubackDelayProxy

BED14 = "bed-general-icu-3-14"


class BrokerChanges(TypedDict, total=False):
    """The broker settings the doctor's broker checks are tried with (typed, unlike **str)."""

    url: str
    password_file: str
    ca_file: str
    cert_file: str
    key_file: str


@pytest.fixture(scope="module")
def face_clip(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Path:
    """Two seconds of the demo face holding still, at 25 fps, with camera noise."""
    path = tmp_path_factory.mktemp("clips") / "face.mp4"
    poses = synthetic.build_poses([synthetic.still(2.0)], 25.0)
    frames = synthetic.render_clip(
        synthetic.load_demo_face(),
        poses,
        model_path=models_dir / "face_landmarker.task",
        noise_sigma=2.0,
    )
    synthetic.write_video(path, frames, 25.0)
    return path


@pytest.fixture(scope="module")
def empty_room_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two seconds of an empty grey wall: a camera pointing away from the patient."""
    path = tmp_path_factory.mktemp("clips") / "wall.mp4"
    rng = np.random.default_rng(3)
    frames = (
        np.clip(120 + rng.normal(0, 3, (480, 640, 3)), 0, 255).astype(np.uint8) for _ in range(50)
    )
    synthetic.write_video(path, frames, 25.0)
    return path


@pytest.fixture
def sound(tmp_path: Path) -> Path:
    """A second of ward noise with a voice-band tone, about -20 dBFS."""
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    rng = np.random.default_rng(5)
    wave = 0.1 * np.sin(2 * np.pi * 220 * t) + 0.02 * rng.normal(size=t.size)
    path = tmp_path / "room.wav"
    write_wav(path, (wave * 32767).astype(np.int16))
    return path


@pytest.fixture
def silence(tmp_path: Path) -> Path:
    path = tmp_path / "silence.wav"
    write_wav(path, np.zeros(SAMPLE_RATE, np.int16))
    return path


def as_env(overrides: dict[str, str]) -> dict[str, str]:
    """Config overrides ("broker.ca_file") as the environment variables that set them."""
    return {"BECKON_" + key.replace(".", "_").upper(): value for key, value in overrides.items()}


@pytest.fixture
def installed_bed14(site: Site, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Bed 14's provisioned folder, installed: the doctor reads the file as the service would."""
    folder = site.device(BED14)
    for key, value in as_env(installed(folder)).items():
        monkeypatch.setenv(key, value)
    return folder / "bedside.toml"


@pytest.fixture
def installed_station(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, Path]:
    """The station's provisioned config, installed, with its database under ``tmp_path``:
    (the config file, the database)."""
    folder = site.device("station-general-icu-3")
    database = tmp_path / "state" / "station.sqlite3"
    overrides = installed(folder) | {"station.database": str(database)}
    for key, value in as_env(overrides).items():
        monkeypatch.setenv(key, value)
    return str(folder / "station.toml"), database


@pytest.fixture
def running_station(site: Site, tmp_path: Path) -> Iterator[StationService]:
    station = StationService(station_settings(site, tmp_path))
    with Background(station.run, "station"):
        assert station.ready.wait(15), site.broker.log_text()
        yield station


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Check]]:
    code = main(["doctor", *args, "--listen", "1", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] == (code == 0)
    return code, {c["name"]: Check(**c) for c in out["checks"]}


# ---------------------------------------------------------------- bedside


@pytest.mark.mqtt
@pytest.mark.vision
def test_a_healthy_bedside_passes_every_check(
    site: Site,
    installed_models: Path,
    installed_bed14: Path,
    running_station: StationService,
    face_clip: Path,
    sound: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, checks = doctor(
        capsys, "bedside", "--config", str(installed_bed14), "--video", str(face_clip),
        "--audio", str(sound),
    )  # fmt: skip
    outcomes = {name: c.outcome for name, c in checks.items()}
    assert outcomes == {
        "models": "pass",
        "camera": "pass",
        "face": "pass",
        "microphone": "pass",
        "disk": "pass",
        "broker": "pass",
        # The station's presence is retained from its start: an old time cannot prove the
        # clock right, so the doctor says it cannot tell rather than pass.
        "clock": "skip",
        "station": "pass",
    }, checks
    assert code == 0
    assert "TLS" in checks["broker"].detail
    assert "station desk online" in checks["station"].detail


@pytest.mark.mqtt
@pytest.mark.vision
def test_each_broken_thing_fails_with_its_fix(
    site: Site,
    installed_models: Path,
    installed_bed14: Path,
    empty_room_clip: Path,
    silence: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # A corrupt model, a camera seeing a wall, a muted microphone, and no station running.
    broken_models = tmp_path / "models"
    shutil.copytree(installed_models, broken_models)
    with (broken_models / "face_landmarker.task").open("r+b") as fh:
        fh.seek(1000)
        fh.write(b"\0" * 64)
    monkeypatch.setenv("BECKON_MODELS_DIR", str(broken_models))
    code, checks = doctor(
        capsys, "bedside", "--config", str(installed_bed14), "--video", str(empty_room_clip),
        "--audio", str(silence),
    )  # fmt: skip
    assert code == 1
    assert checks["models"].outcome == "fail"
    assert "face_landmarker corrupt" in checks["models"].detail
    assert "beckon models" in checks["models"].fix
    assert checks["camera"].outcome == "pass"  # frames arrive, ...
    assert checks["face"].outcome == "skip"  # ... but no intact model to look with
    assert checks["microphone"].outcome == "fail"
    assert "silence" in checks["microphone"].detail
    assert checks["broker"].outcome == "pass"
    assert checks["station"].outcome == "fail"
    assert "no station service" in checks["station"].detail
    for name in ("models", "microphone", "station"):
        assert checks[name].fix, name

    # With the models intact, the wall is looked at and no face is found.
    monkeypatch.setenv("BECKON_MODELS_DIR", str(installed_models))
    code, checks = doctor(
        capsys, "bedside", "--config", str(installed_bed14), "--video", str(empty_room_clip)
    )
    assert code == 1
    assert checks["face"].outcome == "fail"
    assert "0 of" in checks["face"].detail
    assert "face" in checks["face"].fix


@pytest.mark.mqtt
def test_broker_problems_are_told_apart(site: Site, tmp_path: Path) -> None:
    settings = bed_settings(site, "12", tmp_path)

    def broker_check(**changes: Unpack[BrokerChanges]) -> Check:
        changed = dataclasses.replace(
            settings, broker=dataclasses.replace(settings.broker, **changes)
        )
        checks = bedside_checks(changed, listen_s=0.2)
        return next(c for c in checks if c.name == "broker")

    wrong = tmp_path / "wrong-password"
    wrong.write_text("nope\n")
    other_ca = tmp_path / "other-ca"
    pv.make_ca(other_ca)
    closed_port = site.broker.tls_port + 0
    site_plain = f"mqtt://10.1.2.3:{site.broker.plain_port}"

    refused = broker_check(password_file=str(wrong))
    assert refused.outcome == "fail" and "refused" in refused.detail, refused
    untrusted = broker_check(ca_file=str(other_ca / pv.CA_CERT))
    assert untrusted.outcome == "fail" and "not trusted" in untrusted.detail, untrusted
    no_cert = broker_check(cert_file="", key_file="")
    assert no_cert.outcome == "fail" and "requires a client certificate" in no_cert.detail, no_cert
    assert "cert_file and key_file" in no_cert.fix, no_cert
    missing_pw = broker_check(password_file=str(tmp_path / "absent"))
    assert missing_pw.outcome == "fail" and "password_file" in missing_pw.detail
    plain = broker_check(url=site_plain)
    assert plain.outcome == "fail" and "mqtts://" in plain.fix
    site.broker.stop()
    nobody = broker_check(url=f"mqtts://127.0.0.1:{closed_port}")
    assert nobody.outcome == "fail" and "nothing answers" in nobody.detail, nobody


def _publish_repeatedly(site: Site, topic: str, payload: bytes, stop: threading.Event) -> None:
    """As the station user, publish (not retained) until stopped."""
    folder = site.device("station-general-icu-3")
    client = paho.Client(
        CallbackAPIVersion.VERSION2, client_id="test-clock", protocol=MQTTProtocolVersion.MQTTv5
    )
    client.username_pw_set("station-general-icu-3", (folder / pv.PASSWORD_FILE).read_text().strip())
    client.tls_set(
        ca_certs=str(folder / pv.CA_CERT),
        certfile=str(folder / pv.CLIENT_CERT) if (folder / pv.CLIENT_CERT).exists() else None,
        keyfile=str(folder / pv.CLIENT_KEY) if (folder / pv.CLIENT_KEY).exists() else None,
    )
    client.connect("127.0.0.1", site.broker.tls_port)
    client.loop_start()
    try:
        while not stop.wait(0.2):
            client.publish(topic, payload, qos=1)
    finally:
        client.disconnect()
        client.loop_stop()


@pytest.mark.mqtt
@pytest.mark.parametrize(("skew_s", "outcome"), [(0.0, "pass"), (-120.0, "fail"), (120.0, "fail")])
def test_the_clock_is_compared_with_a_live_message_from_the_station(
    site: Site, tmp_path: Path, skew_s: float, outcome: str
) -> None:
    from datetime import UTC, datetime, timedelta

    at = (datetime.now(UTC) + timedelta(seconds=skew_s)).isoformat(timespec="milliseconds")
    status = p.StationStatus("general", "icu-3", "desk", True, at.replace("+00:00", "Z"))
    topic = p.Topics.station_status("general", "icu-3", "desk")
    stop = threading.Event()
    sender = threading.Thread(
        target=_publish_repeatedly, args=(site, topic, p.encode(status), stop), daemon=True
    )
    sender.start()
    try:
        checks = bedside_checks(bed_settings(site, "12", tmp_path), listen_s=2.0)
    finally:
        stop.set()
        sender.join(10)
    clock = next(c for c in checks if c.name == "clock")
    assert clock.outcome == outcome, clock
    if skew_s > 0:
        assert "behind station desk" in clock.detail
    if skew_s < 0:
        assert "ahead of station desk" in clock.detail
    if outcome == "fail":
        assert "timedatectl set-ntp" in clock.fix


# ---------------------------------------------------------------- station


@pytest.mark.mqtt
def test_the_station_doctor_sees_which_beds_are_online(
    site: Site,
    tmp_path: Path,
    installed_station: tuple[str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    config, _ = installed_station
    code, checks = doctor(capsys, "station", "--config", config)
    assert code == 1
    assert checks["beds"].outcome == "fail" and "has ever connected" in checks["beds"].detail
    assert checks["disk"].outcome == "pass"

    bedside = BedsideService(bed_settings(site, "12", tmp_path))
    with Background(bedside.run, "bedside"):
        assert wait(lambda: bedside.link is not None and bedside.link.connected)
        code, checks = doctor(capsys, "station", "--config", config)
        assert checks["beds"].outcome == "pass", checks["beds"]
        assert "icu-3/12" in checks["beds"].detail
        # What the bed publishes about itself: its speech recogniser and its outbox backlog.
        assert "icu-3/12 (speech " in checks["beds"].detail
        assert "no calls waiting)" in checks["beds"].detail, checks["beds"].detail
        assert code == 0, checks
    # The tablet goes away cleanly ("offline" retained): now the station doctor says so.
    code, checks = doctor(capsys, "station", "--config", config)
    assert code == 1
    assert "offline: icu-3/12" in checks["beds"].detail


def test_the_station_doctor_reports_each_beds_speech_and_backlog() -> None:
    """Per bed the status fields the bed publishes (voice, backlog, backlog_age_s): a bed whose
    calls wait in its outbox past the station's 30 s, or whose recogniser failed, fails the
    check by name; a bed on older software that sends neither is "not reported", not a fault."""
    from beckon.doctor.remote import Heard, check_beds_seen

    def heard(
        bed: str, voice: str | None = None, backlog: int | None = None, age: int | None = None
    ) -> Heard:
        status = p.BedStatus("gh", "icu", bed, True, p.now_iso(), ("touch",), "1.0")
        status = dataclasses.replace(status, voice=voice, backlog=backlog, backlog_age_s=age)
        return Heard(f"beckon/v1/gh/icu/bed/{bed}/status", p.encode(status), True, 0.0)

    fine = [heard("12", voice="vosk:ko", backlog=0, age=0), heard("14")]
    check = check_beds_seen(fine, "gh", ("icu",))
    assert check.outcome == "pass", check
    assert "icu/12 (speech vosk:ko, no calls waiting)" in check.detail
    assert "icu/14 (speech not reported, calls waiting: not reported)" in check.detail

    brief = heard("15", voice="pocketsphinx:en", backlog=2, age=5)  # resending
    check = check_beds_seen([*fine, brief], "gh", ("icu",))
    assert (
        check.outcome == "pass"
        and "icu/15 (speech pocketsphinx:en, 2 call(s) waiting 5 s)" in check.detail
    )

    stuck = heard("15", voice="vosk:en", backlog=3, age=p.BACKLOG_STUCK_S + 15)
    deaf = heard("16", voice="failed", backlog=0, age=0)
    check = check_beds_seen([*fine, stuck, deaf], "gh", ("icu",))
    assert check.outcome == "fail"
    assert "icu/15: calls are not reaching the station" in check.detail
    assert "3 call(s) waiting 45 s" in check.detail
    assert "icu/16: its speech recogniser failed" in check.detail
    assert "beckon-station" in check.fix and "beckon doctor bedside" in check.fix


def _bed_without_broker(tmp_path: Path, *inputs: str) -> Path:
    """A valid bedside.toml of bed g/u/1 with ``inputs``, its outbox under ``tmp_path`` and a
    broker nothing answers at (mqtt://127.0.0.1:1)."""
    config = tmp_path / "bedside.toml"
    listed = ", ".join(f'"{i}"' for i in inputs)
    config.write_text(
        f'[bedside]\nsite = "g"\nunit = "u"\nbed = "1"\ninputs = [{listed}]\n'
        f'outbox = "{tmp_path / "outbox.sqlite3"}"\n'
        '[broker]\nurl = "mqtt://127.0.0.1:1"\n'
    )
    return config


def test_the_text_report_names_each_failure_and_its_fix(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, installed_models: Path
) -> None:
    config = _bed_without_broker(tmp_path, "touch")
    code = main(["doctor", "bedside", "--config", str(config), "--listen", "0"])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL  broker" in out and "nothing answers" in out
    assert "fix: check the broker runs" in out
    assert "skip  camera       gesture input is off" in out
    assert "bedside: 1 check(s) failed" in out
    load_bedside(config, env={})  # the file itself is valid: only the broker is missing


def test_no_broker_leaves_the_running_service_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, installed_models: Path
) -> None:
    """With the shipped broker config (client ids bound to usernames) the doctor's login would
    replace the running service's connection for a moment; --no-broker checks the rest."""
    config = _bed_without_broker(tmp_path, "touch")
    code = main(["doctor", "bedside", "--config", str(config), "--no-broker", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    outcomes = {c["name"]: c["outcome"] for c in out["checks"]}
    assert outcomes["broker"] == outcomes["clock"] == outcomes["station"] == "skip"
    assert outcomes["models"] == outcomes["disk"] == "pass"


@pytest.mark.vision
def test_the_checklist_is_all_a_plain_run_prints(
    tmp_path: Path, installed_models: Path, face_clip: Path
) -> None:
    """The vision path's progress ("neutral head pose fixed ...") and MediaPipe's lines came
    above the checklist on a terminal; only warnings may (--verbose shows the rest)."""
    config = _bed_without_broker(tmp_path, "gesture", "touch")
    command = ["doctor", "bedside", "--config", str(config), "--video", str(face_clip)]
    done = subprocess.run(
        [sys.executable, "-m", "beckon", *command, "--no-broker"],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS  face" in done.stdout
    assert done.stderr == ""


def _bed12_connections(site: Site) -> list[str]:
    """The broker's own log lines about bed 12's client id (bound to its username)."""
    log = (site.broker.folder / "mosquitto.log").read_text(errors="replace")
    return [line for line in log.splitlines() if "general/icu-3/bed/12" in line]


def _bedside(config: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "beckon", "bedside", "--headless", "--config", str(config)],
        env=os.environ | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.mqtt
def test_the_doctor_stays_off_the_broker_while_this_machines_bedside_runs(
    site: Site,
    installed_models: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shipped broker binds client ids to usernames, so a doctor logging in as the bed
    would take over the running service's session (the bed would say DUPLICATE BED). The
    service's lock on its outbox tells the doctor it runs here; a second service for the same
    bed refuses to start; once the service is stopped, the doctor checks the broker again."""
    folder = site.device("bed-general-icu-3-12")
    outbox = tmp_path / "outbox-12.sqlite3"
    env = as_env(installed(folder) | {"bedside.outbox": str(outbox)})
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config = folder / "bedside.toml"
    service = _bedside(config, env)
    try:
        assert wait(lambda: any("New client" in line for line in _bed12_connections(site)), 60), (
            site.broker.log_text()
        )
        assert holder(outbox) == str(service.pid)

        code, checks = doctor(capsys, "bedside", "--config", str(config))
        assert {n: checks[n].outcome for n in ("disk", "broker", "clock", "station")} == {
            "disk": "pass",
            "broker": "skip",
            "clock": "skip",
            "station": "skip",
        }, checks
        assert f"pid {service.pid}" in checks["broker"].detail
        assert "systemctl stop beckon-bedside" in checks["broker"].detail
        assert code == 0, checks

        second = subprocess.run(
            [sys.executable, "-m", "beckon", "bedside", "--headless", "--config", str(config)],
            env=os.environ | env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode != 0
        assert f"another bedside service (pid {service.pid})" in second.stderr, second.stderr
        assert "systemctl stop beckon-bedside" in second.stderr

        # The running service kept its one connection all along.
        lines = _bed12_connections(site)
        assert sum("New client" in line for line in lines) == 1, lines
        assert not any("already connected" in line for line in lines), lines
        assert service.poll() is None, service.stderr.read() if service.stderr else ""
    finally:
        service.terminate()
        service.wait(60)

    assert holder(outbox) is None  # the kernel dropped the lock with the process
    code, checks = doctor(capsys, "bedside", "--config", str(config))
    assert checks["broker"].outcome == "pass", checks["broker"]


@pytest.mark.mqtt
def test_the_station_doctor_stays_off_the_broker_while_this_machines_station_runs(
    installed_station: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config, database = installed_station
    served = DatabaseLock(database)  # what `beckon station` holds while it serves
    try:
        code, checks = doctor(capsys, "station", "--config", config)
    finally:
        served.release()
    assert {n: checks[n].outcome for n in ("broker", "clock", "beds")} == dict.fromkeys(
        ("broker", "clock", "beds"), "skip"
    ), checks
    assert f"pid {os.getpid()}" in checks["broker"].detail
    assert "systemctl stop beckon-station" in checks["broker"].detail
    assert code == 0

    code, checks = doctor(capsys, "station", "--config", config)
    assert checks["broker"].outcome == "pass", checks["broker"]


class _Connected:
    """What the station's metrics read of a link."""

    connected = True
    connections = 1


def test_the_station_doctor_says_when_the_station_running_here_does_not_serve(
    tmp_path: Path,
) -> None:
    """A station holding back (its broker connections keep dropping soon after the broker
    confirms them: a twin or the network) runs without serving; the doctor, which stays off
    the broker while it runs, showed it as running and nothing more. It asks the service's
    health endpoint now, and without one says where to look."""
    from beckon.config import StationConfig
    from beckon.metrics import Endpoint, StationMetrics
    from beckon.station.pgstore import open_configured_store

    station = StationConfig("gh", ("icu",), database=str(tmp_path / "s.db"))
    service = StationService(StationSettings(station))
    service.links = {"icu": _Connected()}  # type: ignore[dict-item]
    service._store = open_configured_store(station.database_path(), station.store)
    metrics = StationMetrics(service)
    metrics.beat()
    endpoint = Endpoint("127.0.0.1:0", metrics.registry, metrics.health).start()
    try:
        address = f"127.0.0.1:{endpoint.port}"
        # Its first start-up probe: not serving yet (it said "serves its unit", review rev43r).
        starting = check_station_service(address, "4242")
        assert starting.outcome == "skip" and "is starting" in starting.detail, starting
        assert service.status_text().startswith("starting")
        service._served = True
        assert check_station_service(address, "4242").outcome == "pass"
        assert service.status_text() == "serving"
        service._served = False
        service.not_serving = "not serving: 3 broker connections lost within 1.5 s"
        check = check_station_service(address, "4242")
        assert check.outcome == "fail", check
        assert "pid 4242" in check.detail and service.not_serving in check.detail
        assert "STATION NOT SERVING" in check.fix
        assert service.status_text() == service.not_serving
    finally:
        endpoint.stop()
    unasked = check_station_service("", "4242")
    assert unasked.outcome == "skip" and "systemctl status beckon-station" in unasked.detail


class _Lost:
    """A link whose broker connection dropped."""

    connected = False
    connections = 1


def test_a_split_station_that_also_lost_its_broker_is_not_told_only_to_stop_one(
    tmp_path: Path,
) -> None:
    """Another station heard serving this unit (a split) while this one serves: the doctor
    says to stop one of the two. If this one has also lost its broker (a split comes from
    network trouble), saying only that could make IT stop the one station still connected
    (review rev44L): the split is then listed with the broker fault instead."""
    import time

    from beckon.config import StationConfig
    from beckon.metrics import Endpoint, StationMetrics
    from beckon.station.pgstore import open_configured_store

    station = StationConfig("gh", ("icu",), database=str(tmp_path / "s.db"))
    service = StationService(StationSettings(station))
    service.links = {"icu": _Connected()}  # type: ignore[dict-item]
    service._store = open_configured_store(station.database_path(), station.store)
    service._served = True
    service._split_seen["desk on gh/icu"] = time.monotonic()
    metrics = StationMetrics(service)
    metrics.beat()
    endpoint = Endpoint("127.0.0.1:0", metrics.registry, metrics.health).start()
    try:
        address = f"127.0.0.1:{endpoint.port}"
        split = check_station_service(address, "4242")
        assert split.outcome == "fail" and "so does desk on gh/icu" in split.detail, split
        assert "stop one of the two" in split.fix, split
        service.links = {"icu": _Lost()}  # type: ignore[dict-item]
        lost = check_station_service(address, "4242")
        assert lost.outcome == "fail" and "does not serve its unit" in lost.detail, lost
        assert "SECOND STATION serving this unit too" in lost.detail, lost
        assert "stop one of the two" not in lost.fix, lost
    finally:
        endpoint.stop()


def test_a_bed_whose_status_says_online_but_which_says_nothing_is_silent() -> None:
    """A tablet gone without its last will reaching the broker kept a retained "online":
    the station doctor passed it while the station showed the bed offline. A connected bed
    repeats its status every 5 s (not retained), so after 6 s of listening one that said
    nothing is silent; with too short a listen nothing can be told and it passes as before."""
    from beckon.doctor.remote import Heard, check_beds_seen

    def heard(bed: str, retained: bool) -> Heard:
        status = p.BedStatus("gh", "icu", bed, True, p.now_iso(), ("touch",), "1.0")
        return Heard(f"beckon/v1/gh/icu/bed/{bed}/status", p.encode(status), retained, 0.0)

    messages = [heard("12", True), heard("12", False), heard("14", True)]
    check = check_beds_seen(messages, "gh", ("icu",), listened_s=6.0)
    assert check.outcome == "fail"
    assert "1 bed(s) online: icu/12" in check.detail
    assert "said online but silent for 6 s: icu/14" in check.detail
    assert check_beds_seen(messages, "gh", ("icu",), listened_s=3.0).outcome == "pass"


def test_the_summary_says_what_was_not_checked() -> None:
    """With the broker, clock and beds skipped, it said "all checks passed"."""
    from beckon import doctor as d

    checks = [d.passed("disk", "ok"), d.skipped("broker", "the service runs")]
    assert d.format_text("station", checks).splitlines()[-1] == (
        "station: no check failed; not checked: broker (see above why)"
    )
    assert d.format_text("station", checks[:1]).endswith("station: all checks passed")


# ---------------------------------------------------------------- a broker slow to subscribe


DeviceSettings = TypeVar("DeviceSettings", StationSettings, BedsideSettings)


def _through(settings: DeviceSettings, proxy: SubackDelayProxy) -> DeviceSettings:
    """A station's or a bed's settings with the broker reached through ``proxy`` (plain MQTT
    on loopback, in front of the site broker's loopback listener: same users, same ACL)."""
    broker = dataclasses.replace(settings.broker, url=f"mqtt://127.0.0.1:{proxy.port}")
    return dataclasses.replace(settings, broker=broker)


def _station_checks_through(
    site: Site, tmp_path: Path, proxy: SubackDelayProxy
) -> dict[str, Check]:
    """The station doctor's checks by name, over a 1 s window, with the broker reached
    through ``proxy`` (started here, stopped after)."""
    proxy.start()
    try:
        settings = _through(station_settings(site, tmp_path), proxy)
        return {c.name: c for c in station_checks(settings, listen_s=1)}
    finally:
        proxy.stop()


@pytest.mark.mqtt
def test_a_live_bed_is_seen_when_the_broker_confirms_the_subscription_late(
    site: Site, tmp_path: Path
) -> None:
    """The probe listened from its SUBSCRIBE on, not from the broker's SUBACK: the broker
    delivers the bed's retained status and heartbeats only after the SUBACK, so with the
    SUBACK later than the whole window the station doctor heard nothing and failed a live,
    heartbeating bed ("no bed ... has ever connected"; with a SUBACK a little less late, the
    window's rest could miss its heartbeat: "said online but silent"). It now waits for the
    SUBACK (up to SUBACK_WAIT_S) and then listens the whole window.

    The SUBACK comes 1.5 s after the window would have ended and 2.5 s before the wait gives
    up, whatever the machine's speed: before the fix nothing can be heard, after it the
    retained status and at least the heartbeats sent during the hold always are."""
    listen_s = 6.0  # the station doctor's default
    hold_s = listen_s + 1.5
    assert hold_s + 2.0 < remote.SUBACK_WAIT_S
    bedside = BedsideService(bed_settings(site, "12", tmp_path))
    proxy = SubackDelayProxy(site.broker.plain_port, hold_s).start()
    try:
        with Background(bedside.run, "bedside"):
            assert wait(lambda: bedside.link is not None and bedside.link.connected)
            settings = _through(station_settings(site, tmp_path), proxy)
            checks = {c.name: c for c in station_checks(settings, listen_s=listen_s)}
    finally:
        proxy.stop()
    assert proxy.held.is_set()
    assert checks["broker"].outcome == "pass", checks["broker"]
    assert checks["beds"].outcome == "pass", checks["beds"]
    assert "1 bed(s) online: icu-3/12" in checks["beds"].detail


@pytest.mark.mqtt
def test_no_bed_is_judged_when_the_subscription_is_never_confirmed(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SUBACK later than SUBACK_WAIT_S: the broker check fails and says why; no bed is
    reported missing from a window that could hear nothing."""
    monkeypatch.setattr(remote, "SUBACK_WAIT_S", 1.0)
    checks = _station_checks_through(
        site, tmp_path, SubackDelayProxy(site.broker.plain_port, hold_s=6.0)
    )
    broker = checks["broker"]
    assert broker.outcome == "fail"
    assert "did not confirm the subscription within 1 s" in broker.detail, broker
    assert "overloaded" in broker.fix and "/var/log/mosquitto/mosquitto.log" in broker.fix
    assert checks["beds"].outcome == checks["clock"].outcome == "skip", checks
    # Connected it was: "no broker connection" sent IT looking at the wrong thing.
    assert checks["beds"].detail == checks["clock"].detail == remote.UNCONFIRMED
    assert remote.UNCONFIRMED == "subscription not confirmed (see the broker check)"


@pytest.mark.mqtt
def test_a_refused_subscription_fails_the_broker_check_naming_topic_and_user(
    site: Site, tmp_path: Path
) -> None:
    """A broker whose ACL is checked at SUBSCRIBE answers 0x87 (not authorised) for a topic
    the user may not read; the shipped Mosquitto grants every subscription and withholds the
    messages instead (deploy/mosquitto/acl), so the proxy stands for such a broker. The
    doctor said the bed never connected; it now names the topic, the user and the ACL."""
    refusing = SubackDelayProxy(site.broker.plain_port, hold_s=0.0, refuse_with=0x87)
    checks = _station_checks_through(site, tmp_path, refusing)
    broker = checks["broker"]
    assert broker.outcome == "fail", broker
    assert (
        "the broker refused the subscription to beckon/v1/general/icu-3/bed/+/status for "
        "station-general-icu-3" in broker.detail
    ), broker
    assert "ACL" in broker.fix
    assert checks["beds"].outcome == "skip", checks
    assert checks["beds"].detail == "subscription not confirmed (see the broker check)"


def test_the_probe_never_needs_a_pingresp_while_it_waits_and_listens() -> None:
    """A broker late with the SUBACK is as late with the PINGRESP queued behind it: with the
    keep-alive (max(10, listen + 5)) no longer than SUBACK_WAIT_S + listen, paho could ping
    during the probe and drop the connection for want of an answer, and the check would say
    "the connection closed" instead of "did not confirm the subscription"."""
    for listen_s in (1.0, 3.0, 6.0, 30.0):
        assert remote.probe_keepalive(listen_s) > remote.SUBACK_WAIT_S + listen_s


@pytest.mark.mqtt
def test_an_anonymous_connection_closed_during_the_check_fails_it_and_judges_nothing(
    mosquitto: Mosquitto,
) -> None:
    """The demo's broker takes anonymous clients. Closed during the listen window, the
    check passed ("connected to ... as anonymous") and the beds and clock were judged from the
    part of the window before the close, so a live bed could be called silent. Now the broker
    check fails, names the close, and nothing is judged from a cut window."""
    proxy = SubackDelayProxy(
        mosquitto.port, hold_s=0.0, cut_after_s=1.0, cut_only=1, cut_from="suback"
    ).start()
    try:
        broker = BrokerConfig(url=f"mqtt://127.0.0.1:{proxy.port}")
        result = remote.probe_broker(broker, "doctor", ["beckon/v1/+/+/bed/+/status"], 6.0)
    finally:
        proxy.stop()
    # The cut is timed from the SUBACK, not the accept: a loaded machine cannot move it ahead
    # of the SUBACK, and the window was listening when it came.
    assert proxy.held.is_set()
    assert proxy.cuts == 1
    # The proxy let new connections through after the cut, and the probe made none: paho's
    # own reconnect (a second later, while the window ran on) was one more client.
    assert proxy.accepted == 1
    assert result.check.outcome == "fail", result.check
    assert "closed during the check" in result.check.detail
    assert "/var/log/mosquitto/mosquitto.log" in result.check.fix
    assert result.unheard == remote.CLOSED


@pytest.mark.mqtt
@pytest.mark.parametrize("during", [True, False], ids=["during-the-window", "before-the-suback"])
def test_a_doctor_cut_off_never_logs_in_again_over_the_device_with_its_credentials(
    site: Site, tmp_path: Path, during: bool
) -> None:
    """The shipped broker binds client ids to usernames, so every connection the doctor
    makes as bed 12 takes the session of a bed 12 that is connected. Cut during its listen
    window, the doctor's probe reconnected by itself a second later (paho) while the window
    ran on: the real bed, back on the broker after the same blip, was thrown off, threw the
    doctor off in turn, and so on to the window's end. Now the probe makes one connection:
    the proxy, which lets new connections through after its one cut, sees only that one; the
    check fails as before, naming the close; the bed stays connected through the rest of
    the window and a reconnect's delay after it. ``during-the-window`` cuts 1 s after the
    SUBACK reached the doctor (timed from the SUBACK, so a loaded machine cannot put the cut
    ahead of it).

    ``before-the-suback`` is a guard, and passed before this change too: a cut 1 s after the
    accept while the broker's SUBACK is held back 5 s ended the probe at once already (no
    window had begun); it keeps that single connection so."""
    listen_s = 6.0
    settings = bed_settings(site, "12", tmp_path)
    proxy = (
        SubackDelayProxy(
            site.broker.plain_port, hold_s=0.0, cut_after_s=1.0, cut_only=1, cut_from="suback"
        )
        if during
        else SubackDelayProxy(site.broker.plain_port, hold_s=5.0, cut_after_s=1.0, cut_only=1)
    ).start()
    through = _through(settings, proxy)
    events: queue.Queue[LinkEvent] = queue.Queue()
    # The real bed 12 (another tablet with these credentials, or its service just started),
    # straight to the broker.
    device = MqttLink(settings.broker, settings.broker.username, [], events=events)
    checks: dict[str, Check] = {}

    def run_doctor() -> None:
        checks.update((c.name, c) for c in bedside_checks(through, listen_s=listen_s))

    doctor_thread = threading.Thread(target=run_doctor, name="doctor", daemon=True)
    try:
        doctor_thread.start()
        assert proxy.cut_done.wait(30)
        assert device.start(wait_s=15), site.broker.log_text()
        doctor_thread.join(60)
        assert not doctor_thread.is_alive()
        # Had the doctor gone on (its window, then a reconnect's delay), it would be now.
        lost = [
            e
            for e in events_until(events, Disconnected, listen_s + 3.0)
            if isinstance(e, Disconnected)
        ]
        assert lost == [], site.broker.log_text()
        assert device.connected
    finally:
        device.stop()
        proxy.stop()
    if during:
        assert proxy.held.is_set()  # the cut came after the SUBACK, by construction
    assert proxy.cuts == 1
    assert proxy.accepted == 1  # the doctor's one connection; new ones were let through
    broker = checks["broker"]
    assert broker.outcome == "fail", broker
    assert "then the broker closed the connection during the check" in broker.detail, broker
    assert "most likely another client connected as general/icu-3/bed/12" in broker.detail
    assert checks["clock"].detail == checks["station"].detail == remote.CLOSED


def test_the_station_doctor_says_when_the_unit_stopped_on_a_twin() -> None:
    """A station that found a twin exits 78 and systemd leaves it stopped: once the twin is
    gone the unit has no station, and the doctor (no service running here) said nothing of it
    (review rev43r, risk 4)."""
    from beckon.doctor.run import check_stopped_unit

    def shown(active: str, status: str, file: str = "enabled") -> Callable[[str], str | None]:
        return lambda unit: (
            f"LoadState=loaded\nActiveState={active}\nExecMainStatus={status}\n"
            f"UnitFileState={file}\n"
        )

    check = check_stopped_unit("beckon-station", shown("failed", "78"))
    assert check is not None and check.outcome == "fail"
    assert "status 78" in check.detail
    assert "systemctl start beckon-station" in check.fix and "DUPLICATE STATION" in check.fix
    assert check_stopped_unit("beckon-station", shown("inactive", "0")) is None  # stopped by IT
    assert check_stopped_unit("beckon-station", shown("active", "78")) is None  # started again
    assert check_stopped_unit("beckon-station", lambda unit: None) is None  # no systemd
    # kept stopped on purpose: systemd keeps the last status of a disabled or masked unit
    assert check_stopped_unit("beckon-station", shown("inactive", "78", "disabled")) is None
    assert check_stopped_unit("beckon-station", shown("inactive", "78", "masked")) is None
