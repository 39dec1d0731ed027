"""Files a person got wrong stop a service with one line, never a traceback, and exit 78.

Exit 78 (EX_CONFIG) is the one status the systemd units do not restart on: a folder given for
the configuration file, a file saved in a Windows code page, a keep-alive of 0, a CA file
that holds no certificate or a missing password file fail the same way on every restart, so
restarting every two seconds only fills the journal. A byte-order mark (Notepad) is accepted.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from beckon.config import BrokerConfig, load_bedside, load_station
from beckon.config_check import check_broker
from beckon.errors import ConfigError
from beckon.messaging.mqtt import check_broker_files
from beckon.profile import load_profile
from tests.helpers.deploy import make_certs

BEDSIDE = '[bedside]\nsite = "gh"\nunit = "icu"\nbed = "12"\ninputs = ["touch"]\n'
STATION = '[station]\nsite = "gh"\nunits = ["icu"]\n'
NO_ENV: dict[str, str] = {}


def test_a_folder_given_for_the_configuration_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"is a folder, not a file") as err:
        load_bedside(tmp_path, env=NO_ENV)
    assert "path of the TOML file itself" in str(err.value)


def test_a_file_not_in_utf8_is_named_with_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "station.toml"
    path.write_bytes((STATION + 'name = "Station Süd"\n').encode("latin-1"))
    with pytest.raises(ConfigError, match=r"not UTF-8 text \(byte \d+ is 0xfc\)") as err:
        load_station(path, env=NO_ENV)
    assert "save the file as UTF-8" in str(err.value)
    profile = tmp_path / "profile.toml"
    profile.write_bytes(b'[patient]\nname = "J\xf6rg"\n')
    with pytest.raises(ConfigError, match=r"profile.toml: not UTF-8 text"):
        load_profile(profile)


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bedside.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BEDSIDE.encode())
    assert load_bedside(path, env=NO_ENV).bedside.bed == "12"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[broker]\nkeepalive = 0\n", r"broker\.keepalive is 0; expected 1 to 65535"),
        ("[broker]\nkeepalive = -5\n", r"broker\.keepalive is -5; expected 1 to 65535"),
        ("[broker]\nkeepalive = 100000\n", r"broker\.keepalive is 100000; expected 1 to 65535"),
        ("offer_seconds = 0\n", r"bedside\.offer_seconds is 0\.0; expected 0\.5 to 60"),
        ("offer_seconds = inf\n", r"bedside\.offer_seconds is inf; expected a finite number"),
    ],
    ids=["keepalive-0", "keepalive-negative", "keepalive-too-long", "offer-0", "offer-inf"],
)
def test_numbers_outside_their_range_are_refused_when_loaded(
    tmp_path: Path, line: str, expected: str
) -> None:
    path = tmp_path / "bedside.toml"
    path.write_text(BEDSIDE + line)
    with pytest.raises(ConfigError, match=expected):
        load_bedside(path, env=NO_ENV)


def test_the_ends_of_the_ranges_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "bedside.toml"
    path.write_text(BEDSIDE + "offer_seconds = 0.5\n[broker]\nkeepalive = 65535\n")
    settings = load_bedside(path, env=NO_ENV)
    assert settings.broker.keepalive == 65535 and settings.bedside.offer_seconds == 0.5


def test_tls_files_that_are_not_what_tls_needs_are_refused_at_start(tmp_path: Path) -> None:
    ca, crt, key = make_certs(tmp_path)
    good = BrokerConfig(url="mqtts://127.0.0.1:8883", ca_file=str(ca))
    check_broker_files(good)
    check_broker_files(BrokerConfig(url=good.url, ca_file=str(ca), cert_file=str(crt),
                                    key_file=str(key)))  # fmt: skip
    garbage = tmp_path / "ca.pem"
    garbage.write_text("this is not a certificate\n")
    with pytest.raises(ConfigError, match=r"ca_file .*ca\.pem' holds no usable certificate"):
        check_broker_files(BrokerConfig(url=good.url, ca_file=str(garbage)))
    other = tmp_path / "other"
    other.mkdir()
    _, other_crt, _ = make_certs(other)  # a certificate whose key is not ``key``
    with pytest.raises(ConfigError, match=r"do not make a client certificate"):
        check_broker_files(BrokerConfig(url=good.url, cert_file=str(other_crt),
                                        key_file=str(key)))  # fmt: skip
    findings = check_broker(BrokerConfig(url=good.url, ca_file=str(garbage)), lambda host: True)
    assert [(f.level, f.key) for f in findings] == [("error", "broker.ca_file")]


def test_a_missing_password_file_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match=r"password_file '/nowhere/pw' cannot be read"):
        check_broker_files(BrokerConfig(username="bed-gh-icu-12", password_file="/nowhere/pw"))


@pytest.mark.parametrize(
    ("role", "config", "expected"),
    [
        ("bedside", "FOLDER", "is a folder, not a file"),
        ("station", "LATIN1", "not UTF-8 text"),
        ("bedside", BEDSIDE + "[broker]\nkeepalive = 0\n", "broker.keepalive is 0"),
        ("station", STATION + '[broker]\nurl = "mqtts://127.0.0.1:9"\nca_file = "GARBAGE"\n',
         "holds no usable certificate"),
        ("bedside", BEDSIDE + '[broker]\nusername = "bed-gh-icu-12"\n'
         'password_file = "/nowhere/pw"\n', "password_file '/nowhere/pw' cannot be read"),
    ],
    ids=["folder", "not-utf8", "keepalive-0", "garbage-ca", "no-password-file"],
)  # fmt: skip
def test_the_services_stop_with_one_line_and_exit_78(
    role: str, config: str, expected: str, tmp_path: Path, beckon_cmd: list[str]
) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    if config == "FOLDER":
        path = tmp_path / "folder.toml"
        path.mkdir()
    else:
        path = tmp_path / f"{role}.toml"
        if config == "LATIN1":
            path.write_bytes((STATION + 'name = "Süd"\n').encode("latin-1"))
        else:
            path.write_text(config.replace("GARBAGE", str(garbage)))
    done = subprocess.run(
        [*beckon_cmd, role, "--headless", "--config", str(path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 78, done.stderr
    assert expected in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "url", ["mqtt://", "mqtt://:1883", "mqtt://broker:0", "mqtt://bro ker:1883"]
)
def test_a_broker_url_without_a_usable_host_is_refused(tmp_path: Path, url: str) -> None:
    path = tmp_path / "bedside.toml"
    path.write_text(BEDSIDE + f'[broker]\nurl = "{url}"\n')
    with pytest.raises(ConfigError, match=r"broker\.url is .*; expected mqtt://HOST:PORT"):
        load_bedside(path, env=NO_ENV)


def test_a_wrong_flag_is_blamed_on_the_command_line_not_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bedside.toml"
    path.write_text(BEDSIDE)
    with pytest.raises(ConfigError) as err:
        load_bedside(path, {"broker.url": "tcp://x"}, env=NO_ENV)
    assert str(err.value).startswith("the command line's value for broker.url is 'tcp://x'")
    assert str(path) not in str(err.value)


def test_no_configuration_file_at_all_says_to_pass_one() -> None:
    with pytest.raises(ConfigError, match=r"<defaults>: bedside\.site is missing") as err:
        load_bedside(None, env=NO_ENV)
    assert "pass --config FILE" in str(err.value)
