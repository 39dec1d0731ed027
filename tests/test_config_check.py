"""``beckon config check`` catches configurations that load but fail (issue 12, point 9), and
the bedside never crash-loops on one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from beckon.config import load_bedside
from beckon.config_check import check_bedside
from beckon.intents import load_intents


def bedside_file(tmp_path: Path, bed: str, broker: str, intents: str) -> Path:
    path = tmp_path / "bedside.toml"
    path.write_text(
        f'[bedside]\nsite = "gh"\nunit = "icu"\nbed = "{bed}"\n'
        f'outbox = "{tmp_path / "outbox.sqlite3"}"\n'
        f"offered_intents = {intents}\n[broker]\n{broker}\n"
    )
    return path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "beckon", *args], capture_output=True, text=True, timeout=120
    )


BAD_BROKER = (
    'url = "mqtts://broker.no-such-ward.invalid:8883"\n'
    'username = "gh/icu/bed/13"\n'
    'password_file = "/etc/beckon/no-such-password"\n'
    'ca_file = "/etc/beckon/no-such-ca.crt"'
)


def test_the_check_names_every_configuration_that_would_fail(tmp_path: Path) -> None:
    path = bedside_file(tmp_path, "12", BAD_BROKER, '["nurse", "watr"]')
    findings = check_bedside(load_bedside(path), load_intents())
    by_key = {f.key: f for f in findings}
    assert "did you mean 'water'?" in by_key["bedside.offered_intents"].message
    assert "'gh/icu/bed/12'" in by_key["broker.username"].message
    assert by_key["broker.username"].level == "error"
    assert by_key["broker.password_file"].level == "error"
    assert by_key["broker.ca_file"].level == "error"
    assert by_key["broker.url"].level == "warning"  # the check may not run on the tablet

    result = run("config", "check", "bedside", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for key in ("offered_intents", "username", "password_file", "ca_file", "broker.url"):
        assert key in result.stderr, key
    assert "would fail" in result.stderr


def test_a_good_bedside_file_still_passes(tmp_path: Path) -> None:
    path = bedside_file(
        tmp_path,
        "12",
        'url = "mqtt://127.0.0.1:1883"\nusername = "gh/icu/bed/12"\npassword = "x"',
        '["nurse", "water"]',
    )
    result = run("config", "check", "bedside", str(path))
    assert result.returncode == 0, result.stderr
    assert "valid bedside configuration" in result.stderr


def test_an_empty_password_file_fails_the_check_as_it_fails_the_bedside(tmp_path: Path) -> None:
    """The check said "valid", and the bedside then stopped with exit 78 on the same file."""
    empty = tmp_path / "mqtt-password"
    empty.write_text("\n")
    broker = f'url = "mqtt://127.0.0.1:1883"\nusername = "bed-gh-icu-12"\npassword_file = "{empty}"'
    path = bedside_file(tmp_path, "12", broker, '["nurse", "water"]')
    by_key = {f.key: f for f in check_bedside(load_bedside(path), load_intents())}
    assert by_key["broker.password_file"].level == "error"
    assert "is empty" in by_key["broker.password_file"].message
    result = run("config", "check", "bedside", str(path))
    assert result.returncode == 2 and "password_file" in result.stderr


def test_a_profile_the_bedside_would_refuse_fails_the_check(tmp_path: Path) -> None:
    """It passed ("valid") and the tablet then stopped with exit 78, not restarted."""
    profile = tmp_path / "patient.toml"
    profile.write_text("[voice]\nlanguage = 'en'\n")
    path = bedside_file(
        tmp_path, "12", 'url = "mqtt://127.0.0.1:1883"\npassword = "x"', '["nurse", "water"]'
    )
    path.write_text(path.read_text().replace("[broker]", f'profile = "{profile}"\n[broker]'))
    by_key = {f.key: f for f in check_bedside(load_bedside(path), load_intents())}
    assert by_key["bedside.profile"].level == "error"
    assert "unknown key language" in by_key["bedside.profile"].message
    assert str(profile) in by_key["bedside.profile"].message


def test_a_profile_naming_an_unknown_request_fails_the_check_and_is_left_out(
    tmp_path: Path,
) -> None:
    """The check said "valid bedside configuration" and the bedside then stopped with exit 78
    (not restarted): its profile's menu named "watr", a gesture called "emergancy". Now the
    check names both, and the bedside leaves them out as a fault, like offered_intents."""
    from beckon.bedside.service import BedsideService

    profile = tmp_path / "patient.toml"
    profile.write_text(
        '[interaction]\nitems = ["nurse", "watr"]\n'
        '[gestures.mouth_open]\nenabled = true\naction = "call:emergancy"\n'
    )
    path = bedside_file(
        tmp_path, "12", 'url = "mqtt://127.0.0.1:9"\npassword = "x"', '["nurse", "water"]'
    )
    path.write_text(path.read_text().replace("[broker]", f'profile = "{profile}"\n[broker]'))
    messages = [
        f.message for f in check_bedside(load_bedside(path), load_intents()) if f.level == "error"
    ]
    assert any("'watr'" in m and "did you mean 'water'?" in m for m in messages), messages
    assert any("'emergancy'" in m for m in messages), messages
    assert run("config", "check", "bedside", str(path)).returncode == 2

    service = BedsideService(load_bedside(path))  # raised ConfigError: exit 78
    assert service.menu.items == ("nurse",)
    assert "mouth_open" not in service.menu.actions
    assert len(service.config_faults) == 2


def test_the_bedside_stops_with_ex_config_when_no_offered_intent_is_known(tmp_path: Path) -> None:
    """Under Restart=always a traceback at start is a crash loop; 78 stops systemd instead."""
    path = bedside_file(tmp_path, "12", 'url = "mqtt://127.0.0.1:9"', '["watr"]')
    result = run("bedside", "--headless", "--config", str(path))
    assert result.returncode == 78, result.stderr
    assert "Traceback" not in result.stderr
    assert "did you mean 'water'?" in result.stderr
    unit = (Path(__file__).parents[1] / "deploy/systemd/beckon-bedside.service").read_text()
    assert "RestartPreventExitStatus=78" in unit


def test_a_misspelt_intent_is_left_out_and_shown_as_a_fault(tmp_path: Path) -> None:
    from beckon.bedside.service import BedsideService

    settings = load_bedside(
        bedside_file(tmp_path, "12", 'url = "mqtt://127.0.0.1:9"', '["nurse", "watr"]')
    )
    service = BedsideService(settings)  # used to raise ValueError: a crash loop
    assert service.menu.items == ("nurse",)
    assert len(service.config_faults) == 1 and "'water'" in service.config_faults[0]


def test_a_camera_that_is_no_camera_or_file_is_named(tmp_path: Path) -> None:
    """camera = "frontcam" passed the check; the bedside then retried it every 10 s."""
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"")
    named = {}
    for camera in ("frontcam", "0", "/dev/video2", str(video)):
        path = bedside_file(tmp_path, "12", 'url = "mqtt://127.0.0.1:9"', '["nurse"]')
        path.write_text(path.read_text().replace("[broker]", f'camera = "{camera}"\n[broker]'))
        findings = check_bedside(load_bedside(path), load_intents())
        named[camera] = [f.message for f in findings if f.key == "bedside.camera"]
    assert named["frontcam"] and "'frontcam' is not a camera number" in named["frontcam"][0]
    assert named["0"] == named["/dev/video2"] == named[str(video)] == []


def test_a_hook_program_that_cannot_be_run_is_named(tmp_path: Path) -> None:
    path = tmp_path / "station.toml"
    path.write_text(
        '[station]\nsite = "gh"\nunits = ["icu"]\n'
        '[escalation]\nhook_command = ["/nonexistent/pager", "--ward", "icu"]\n'
    )
    result = run("config", "check", "station", str(path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "escalation.hook_command" in result.stdout + result.stderr
    out = result.stdout + result.stderr
    assert "'/nonexistent/pager', which is not a program this user can run" in out
    path.write_text(path.read_text().replace("/nonexistent/pager", "cat"))
    assert run("config", "check", "station", str(path)).returncode == 0


def test_a_hook_the_station_would_refuse_fails_the_check_too(tmp_path: Path) -> None:
    """Under RestartPreventExitStatus=78 a refused hook leaves the unit with no station: the
    check must say so before the restart, not pass it as valid."""
    path = tmp_path / "station.toml"
    for line, key in (
        ('hook_url = "pager-gateway.hospital.example/beckon"', "escalation.hook_url"),
        ('hook_url = "ftp://pager/beckon"', "escalation.hook_url"),
        ("hook_timeout_s = 0", "escalation.hook_timeout_s"),
    ):
        path.write_text(f'[station]\nsite = "gh"\nunits = ["icu"]\n[escalation]\n{line}\n')
        result = run("config", "check", "station", str(path))
        out = result.stdout + result.stderr
        assert result.returncode == 2, out
        assert key in out and "valid station configuration" not in out
