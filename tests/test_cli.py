"""The ``beckon`` command as hospital IT and nurses use it: real processes, real broker."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from beckon.background import Background
from beckon.bedside.events import QuestionAsked
from beckon.cli import build_parser
from beckon.messaging import protocol as p
from beckon.station.events import BedPresence, RequestChanged
from beckon.station.store import RequestStore
from tests.helpers.rig import bedside_for, send_raw, station_for, wait_until

REPO = Path(__file__).resolve().parents[1]


def run(
    args: list[str], env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "beckon", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env={**os.environ, **(env or {})},
    )


def subcommands() -> list[list[str]]:
    """Every command and sub-action the parser knows, so new ones get a --help test too."""
    found: list[list[str]] = []

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    found.append([*prefix, name])
                    walk(child, [*prefix, name])

    walk(build_parser(), [])
    return found


def test_top_level_help_lists_every_command():
    result = run(["--help"])
    assert result.returncode == 0
    for command in ("demo", "bedside", "station", "replay", "models", "bench", "config"):
        assert command in result.stdout


@pytest.mark.parametrize("command", subcommands(), ids=" ".join)
def test_every_subcommand_explains_itself(command):
    result = run([*command, "--help"])
    assert result.returncode == 0, result.stderr
    assert "usage: beckon " + " ".join(command) in result.stdout
    assert len(result.stdout.splitlines()) >= 4


def test_config_check_names_the_file_and_the_wrong_key(tmp_path):
    bad = tmp_path / "bedside.toml"
    bad.write_text('[bedside]\nsite = "gh"\nunit = "icu"\nbed = "12"\nlanguag = "en"\n')
    result = run(["config", "check", "bedside", str(bad)])
    assert result.returncode == 2
    assert result.stderr.count("\n") <= 2, result.stderr
    assert str(bad) in result.stderr and "bedside.languag" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_check_accepts_a_good_file_and_hides_the_password(tmp_path):
    good = tmp_path / "station.toml"
    good.write_text('[station]\nsite = "gh"\nunits = ["icu"]\n[broker]\npassword = "secret"\n')
    result = run(["config", "check", "station", str(good)])
    assert result.returncode == 0, result.stderr
    assert '"units": [\n      "icu"' in result.stdout and "secret" not in result.stdout


def test_models_install_from_folder_then_verify(tmp_path):
    env = {"BECKON_MODELS_DIR": str(tmp_path / "models")}
    listed = run(["models", "list"], env)
    assert listed.returncode == 0 and "missing" in listed.stdout
    # The Korean model comes in a package: its size is what is on disk, not the manifest's 0.
    [korean] = [line for line in listed.stdout.splitlines() if line.startswith("vosk_ko ")]
    assert " ok " in korean and float(korean.split()[2]) > 10, korean
    assert run(["models", "verify"], env).returncode == 1
    installed = run(["models", "install", "--from", str(REPO.parent / "shared" / "models")], env)
    assert installed.returncode == 0, installed.stderr
    assert "face_landmarker" in installed.stdout and "ok" in installed.stdout
    assert run(["models", "verify"], env).returncode == 0
    model = tmp_path / "models" / "face_landmarker.task"
    data = bytearray(model.read_bytes())
    data[1000] ^= 0xFF
    model.write_bytes(bytes(data))
    verify = run(["models", "verify"], env)
    assert verify.returncode == 1 and "corrupt" in verify.stdout


def test_a_missing_model_says_which_command_fixes_it(tmp_path):
    clip = tmp_path / "none.mp4"
    clip.write_bytes(b"")
    result = run(["replay", str(clip), "--json"], {"BECKON_MODELS_DIR": str(tmp_path / "empty")})
    assert result.returncode == 2
    assert "beckon models fetch" in result.stderr and "install --from" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.mqtt
def test_station_list_ack_and_resolve_from_the_command_line(mosquitto, tmp_path):
    station = station_for(mosquitto.url, tmp_path / "s.sqlite3")
    received = threading.Event()
    station.listeners.append(lambda e: received.set() if isinstance(e, RequestChanged) else None)
    flags = ["--broker", mosquitto.url, "--site", "gh", "--units", "icu"]
    req = p.Request(p.new_request_id(), "gh", "icu", "4", "pain", "urgent", "gesture", p.now_iso())
    with Background(station.run, "station"):
        assert station.ready.wait(10)
        send_raw(mosquitto.port, req.address.topic("request"), p.encode(req))
        assert received.wait(10)
        listed = run(["station", *flags, "list"])
        assert listed.returncode == 0, listed.stderr
        assert (
            req.id[:8] in listed.stdout and "pain" in listed.stdout and "received" in listed.stdout
        )
        acked = run(["station", *flags, "ack", req.id[:8], "--nurse", "Nurse Kim"])
        assert acked.returncode == 0, acked.stderr
        assert "acknowledged by Nurse Kim" in acked.stdout
        resolved = run(["station", *flags, "resolve", req.id[:8], "--nurse", "Nurse Kim"])
        assert resolved.returncode == 0, resolved.stderr
        assert "resolved" in resolved.stdout
        again = run(["station", *flags, "resolve", req.id[:8], "--nurse", "Nurse Kim"])
        assert again.returncode == 2 and "no open request" in again.stderr
    store = RequestStore(tmp_path / "s.sqlite3")
    assert [e[0] for e in store.events(req.id)] == ["received", "acknowledged", "resolved"]
    assert store.events(req.id)[1][2] == "Nurse Kim"


@pytest.mark.mqtt
def test_a_bedside_that_dies_is_marked_offline_through_its_last_will(mosquitto, tmp_path):
    station = station_for(mosquitto.url, tmp_path / "s.sqlite3")
    presence: list[tuple[str, bool]] = []
    station.listeners.append(
        lambda e: presence.append((e.bed.bed, e.online)) if isinstance(e, BedPresence) else None
    )
    env = {
        **os.environ,
        "BECKON_BEDSIDE_INPUTS": "touch",
        "BECKON_BROKER_KEEPALIVE": "2",
        "BECKON_BEDSIDE_OUTBOX": str(tmp_path / "outbox.sqlite3"),
    }
    with Background(station.run, "station"):
        assert station.ready.wait(10)
        bedside = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "beckon",
                "bedside",
                "--headless",
                "--broker",
                mosquitto.url,
                "--site",
                "gh",
                "--unit",
                "icu",
                "--bed",
                "9",
            ],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            assert wait_until(lambda: ("9", True) in presence, 20), presence
            bedside.send_signal(signal.SIGKILL)  # a crash: no clean disconnect
            bedside.wait(10)
            assert wait_until(lambda: ("9", False) in presence, 20), presence
        finally:
            if bedside.poll() is None:
                bedside.kill()


@pytest.mark.mqtt
def test_a_station_serving_two_units_that_dies_shows_offline_in_both(mosquitto, tmp_path):
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    seen: dict[str, bool] = {}
    watcher = paho.Client(CallbackAPIVersion.VERSION2, client_id="watcher")

    def on_message(client: paho.Client, userdata: object, msg: paho.MQTTMessage) -> None:
        status = p.decode_as(bytes(msg.payload), p.StationStatus)
        seen[status.unit] = status.online

    watcher.on_message = on_message
    watcher.connect("127.0.0.1", mosquitto.port)
    watcher.subscribe("beckon/v1/gh/+/station/+/status", qos=1)
    watcher.loop_start()
    env = {
        **os.environ,
        "BECKON_BROKER_KEEPALIVE": "2",
        "BECKON_STATION_DATABASE": str(tmp_path / "s.sqlite3"),
    }
    station = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "beckon",
            "station",
            "--headless",
            "--broker",
            mosquitto.url,
            "--site",
            "gh",
            "--units",
            "icu,er",
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_until(lambda: seen == {"icu": True, "er": True}, 20), seen
        station.send_signal(signal.SIGKILL)
        station.wait(10)
        assert wait_until(lambda: seen == {"icu": False, "er": False}, 20), seen
    finally:
        if station.poll() is None:
            station.kill()
        watcher.loop_stop()
        watcher.disconnect()


@pytest.mark.mqtt
def test_station_ask_waits_for_the_patients_answer(mosquitto, tmp_path):
    from beckon.bedside.service import Gesture

    station = station_for(mosquitto.url, tmp_path / "s.sqlite3")
    bedside = bedside_for(mosquitto.url, tmp_path / "o.sqlite3", bed="8")
    bedside.listeners.append(
        lambda e: bedside.post(Gesture("nod", 1.0, 0.9)) if isinstance(e, QuestionAsked) else None
    )
    flags = ["--broker", mosquitto.url, "--site", "gh", "--units", "icu"]
    with Background(station.run, "station"), Background(bedside.run, "bedside"):
        assert station.ready.wait(10)
        assert wait_until(lambda: bedside.link is not None and bedside.link.connected)
        result = run(
            ["station", *flags, "ask", "8", "Are you cold?", "--nurse", "Nurse Kim", "--wait", "30"]
        )
        assert result.returncode == 0, result.stderr
        assert "bed 8 answered YES to 'Are you cold?' (by gesture)" in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["doctor", "bedside", "--listen", "-5"], "'-5': give 0 to 86399 seconds"),
        (["doctor", "station", "--listen", "nan"], "'nan': give 0 to 86399 seconds"),
        (["doctor", "station", "--listen", "inf"], "'inf': give 0 to 86399 seconds"),
        (["station", "ask", "12", "pain?", "--nurse", "Kim", "--wait", "-5"], "give 0 to"),
        (["provision", "ca", "--out", "/tmp/never", "--days", "-5"], "must be a number above 0"),
        # Above 2.0 the patient's tiles and the nurses' calls were cut off without a word.
        (["bedside", "--font-scale", "2.5"], "2.5 is outside 0.5 to 2.0"),
        (["station", "--font-scale", "0"], "must be a number above 0"),
    ],
    ids=[
        "listen-negative",
        "listen-nan",
        "listen-inf",
        "wait-negative",
        "days-negative",
        "font-too-large",
        "font-zero",
    ],
)
def test_impossible_numbers_on_the_command_line_are_refused_by_name(
    args: list[str], expected: str
) -> None:
    result = run(args)
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_a_bed_that_is_no_bed_name_is_refused_before_asking(tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    config.write_text(
        '[station]\nsite = "gh"\nunits = ["icu"]\n[broker]\nurl = "mqtt://127.0.0.1:9"\n'
    )
    result = run(["station", "--config", str(config), "ask", "12/x", "pain?", "--nurse", "Kim"])
    assert result.returncode == 2, result.stderr
    assert "bed '12/x' is not a bed name" in result.stderr and "Traceback" not in result.stderr


def test_a_log_level_that_is_no_level_is_said_and_the_default_used() -> None:
    result = run(["models", "list"], {"BECKON_LOG_LEVEL": "LOUD"})
    assert result.returncode == 0, result.stderr
    assert "BECKON_LOG_LEVEL='LOUD' is not a log level" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_or_folder_media_files_are_named_as_such(
    tmp_path: Path, installed_models: Path
) -> None:
    missing = run(["transcribe", str(tmp_path / "nothere.wav")])
    assert missing.returncode == 2 and "nothere.wav: sound file not found" in missing.stderr
    folder = run(["replay", str(tmp_path), "--json"])
    assert folder.returncode == 2 and "is a folder, not a video file" in folder.stderr
    assert "Traceback" not in missing.stderr + folder.stderr


def test_a_bedside_without_its_face_model_stops_with_exit_78(tmp_path: Path) -> None:
    """Restarting cannot install a model: systemd must not restart the service every 2 s."""
    config = tmp_path / "bedside.toml"
    config.write_text(
        '[bedside]\nsite = "gh"\nunit = "icu"\nbed = "12"\ninputs = ["gesture", "touch"]\n'
        f'outbox = "{tmp_path / "outbox.db"}"\n[broker]\nurl = "mqtt://127.0.0.1:9"\n'
    )
    result = run(
        ["bedside", "--headless", "--config", str(config)],
        {"BECKON_MODELS_DIR": str(tmp_path / "empty")},
    )
    assert result.returncode == 78, result.stderr
    assert "beckon models fetch" in result.stderr and "Traceback" not in result.stderr


def test_kiosk_with_headless_is_one_usage_error_not_a_second_about_the_display() -> None:
    result = run(
        ["bedside", "--headless", "--kiosk", "--config", str(REPO / "deploy/bedside.example.toml")],
        {"DISPLAY": "", "WAYLAND_DISPLAY": ""},
    )
    assert result.returncode == 2, result.stderr
    assert "--kiosk opens the bedside window" in result.stderr
    assert "no display" not in result.stderr and result.stderr.count("beckon:") == 1


def test_a_console_password_file_that_cannot_be_read_is_named_not_a_broker_outage(
    tmp_path: Path,
) -> None:
    config = tmp_path / "station.toml"
    config.write_text(
        '[station]\nsite = "gh"\nunits = ["icu"]\n[broker]\nurl = "mqtt://127.0.0.1:9"\n'
    )
    missing = tmp_path / "console-password"
    result = run(
        ["station", "--config", str(config), "--user", "console-gh-icu", "--password-file",
         str(missing), "list"]
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert f"--password-file '{missing}' cannot be read" in result.stderr
    assert "cannot reach" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.mqtt
def test_what_the_protocol_refuses_is_one_line_not_a_traceback(mosquitto, tmp_path):
    station = station_for(mosquitto.url, tmp_path / "s.sqlite3")
    flags = ["--broker", mosquitto.url, "--site", "gh", "--units", "icu"]
    with Background(station.run, "station"):
        assert station.ready.wait(10)
        empty = run(["station", *flags, "ask", "12", "", "--nurse", "Kim", "--wait", "1"])
        nobody = run(["station", *flags, "ack", "1234", "--nurse", ""])
    for result in (empty, nobody):
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert any(line.startswith("beckon: ") for line in result.stderr.splitlines())


@pytest.mark.parametrize(
    "args",
    [
        ["station", "ack", "1234", "--nurse", "Kim", "--timeout", "nan"],
        ["station", "ack", "1234", "--nurse", "Kim", "--timeout", "-1"],
        ["bench", "load", "--beds", "-5"],
        ["bench", "ui", "-n", "-3"],
    ],
    ids=["timeout-nan", "timeout-negative", "beds-negative", "repeat-negative"],
)
def test_a_number_that_makes_no_sense_is_refused_before_anything_runs(args):
    """A --timeout of nan resolved the call and then said it may not have been applied; -5
    beds ran and printed figures."""
    result = run(args)
    assert result.returncode == 2 and "must be a number above 0" in result.stderr


def test_a_folder_that_cannot_be_written_is_named(tmp_path):
    result = run(["provision", "ca", "--out", "/proc/beckon-test"])
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "/proc/beckon-test" in result.stderr


def test_a_command_for_one_call_on_a_station_of_two_units_asks_which_unit():
    """`station ack` took the first unit and said "no open request" for a call of the second;
    `station list` hid the second unit. It now asks for the unit before connecting."""
    flags = ["--broker", "mqtt://127.0.0.1:9", "--site", "gh", "--units", "icu,ward3"]
    result = run(["station", *flags, "list"])
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "serves icu, ward3" in result.stderr and "--units ward3" in result.stderr
