"""A station window never logs in twice with one broker username.

The shipped broker binds client ids to usernames: a second connection with the same username
throws the first off. A window opens one connection per unit it shows, and with ``--serve``
its service opens one more, so with a username either would keep throwing itself off the
broker. Such a window is refused at start with the fix; without a username (a broker on one
machine, the demo) nothing changes.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from beckon.config import BrokerConfig, StationConfig, StationSettings
from beckon.errors import EX_CONFIG, BeckonError
from beckon.station.exclusive import check_window_logins
from tests.helpers.systemd import restarts


def settings(units: tuple[str, ...], username: str = "") -> StationSettings:
    return StationSettings(StationConfig("gh", units), BrokerConfig(username=username))


def test_a_window_with_its_own_user_for_one_unit_is_fine() -> None:
    check_window_logins(settings(("icu",), "console-gh-icu"), serve=False)


def test_without_a_username_nothing_is_taken_over() -> None:
    check_window_logins(settings(("icu", "ward-2")), serve=True)


def test_a_window_for_two_units_with_one_user_is_refused() -> None:
    with pytest.raises(BeckonError, match=r"log in 2 times as one broker user") as err:
        check_window_logins(settings(("icu", "ward-2"), "console-gh"), serve=False)
    assert "one window per unit" in str(err.value)


def test_serving_in_the_window_with_a_username_is_refused() -> None:
    with pytest.raises(BeckonError, match=r"--serve would log the window and the station") as err:
        check_window_logins(settings(("icu",), "station-gh-icu"), serve=True)
    assert "beckon station --headless" in str(err.value)


def test_the_command_refuses_before_opening_a_window(tmp_path: Path, beckon_cmd: list[str]) -> None:
    config = tmp_path / "station.toml"
    config.write_text(
        '[station]\nsite = "gh"\nunits = ["icu", "ward-2"]\n'
        '[broker]\nurl = "mqtt://127.0.0.1:9"\nusername = "console-gh"\npassword = "x"\n'
    )
    done = subprocess.run(
        [*beckon_cmd, "station", "--config", str(config)],
        env=os.environ | {"QT_QPA_PLATFORM": "offscreen"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    # The same at every start: the window's unit does not start it again (it exited 2, and
    # the unit restarted it every 2 s, a refusal every 3.7 s for as long as the nurse was
    # logged in).
    assert done.returncode == EX_CONFIG, done.stderr
    assert not restarts("beckon-station-window.service", done.returncode)
    assert "would log in 2 times as one broker user (console-gh)" in done.stderr
    # One unit, and --user for the window: with --serve its service would log in as that
    # user too, so it is still refused.
    config.write_text(config.read_text().replace('"icu", "ward-2"', '"icu"'))
    done = subprocess.run(
        [*beckon_cmd, "station", "--serve", "--config", str(config), "--user", "console-gh-icu"],
        env=os.environ | {"QT_QPA_PLATFORM": "offscreen"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == EX_CONFIG and "--serve would log the window" in done.stderr


def test_a_console_command_refuses_the_services_user_but_not_a_console_user_from_the_env() -> None:
    """console.env (the nurse window's unit) gives the login as BECKON_BROKER_USERNAME; `beckon
    station list` on that PC refused it as "the station service's own user" for want of --user."""
    import argparse

    from beckon.cli.console import refuse_service_user

    plain = argparse.Namespace(user=None, password_file=None)
    refuse_service_user(plain, "console-gh-icu-desk1", "list")  # from the environment
    refuse_service_user(plain, "", "list")  # no login at all (one machine)
    given = argparse.Namespace(user="console-gh-icu", password_file=None)
    refuse_service_user(given, "console-gh-icu", "list")
    with pytest.raises(BeckonError, match="station service's own user") as refused:
        refuse_service_user(plain, "station-gh-icu", "list")
    assert "--user console-SITE-UNIT" in str(refused.value.hint)
