"""The kiosk bedside (issue 12, point 1): deploy/systemd/beckon-bedside.service starts the bedside
*window* at boot in cage, a Wayland compositor that shows one application and nothing else,
instead of the window-less `beckon bedside --headless` that left the tablet blank.

Here the unit's own command runs, cage included: ExecStart is read from the unit file and only
two paths are swapped (this checkout's `beckon` for /opt/beckon/venv/bin/beckon, a test config
pointing at a real Mosquitto for /etc/beckon/bedside.toml). Two things differ from a tablet,
because this machine has no GPU, seat or screen: cage uses wlroots' headless backend
(WLR_BACKENDS=headless), and cage refuses to start as root (which these tests are here), so it
starts in a user namespace as uid 1000 (`unshare --user --map-user=1000`), which reads the same
files. What cannot be tested here is logind handing cage a real seat (PAMName= on tty1): that
needs a tablet. tests/deploy/test_kiosk_under_xvfb.py runs the window command under Xvfb.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from beckon.messaging import protocol as p
from tests.conftest import Mosquitto
from tests.helpers.deploy import DEPLOY
from tests.helpers.systemd import kiosk_command, systemd_unit

KIOSK_UNIT = DEPLOY / "systemd" / "beckon-bedside.service"
BECKON = str(Path(sys.executable).with_name("beckon"))
BED = p.BedAddress("general", "icu-3", "12")


def exec_start(config: Path) -> list[str]:
    """The unit's ExecStart with this checkout's beckon and the given config."""
    swap = {"/opt/beckon/venv/bin/beckon": BECKON, "/etc/beckon/bedside.toml": str(config)}
    return [swap.get(arg, arg) for arg in kiosk_command()]


def unit_environment(home: Path) -> dict[str, str]:
    env = dict(kv.split("=", 1) for kv in systemd_unit(KIOSK_UNIT.name)["Environment"])
    env["BECKON_HOME"] = str(home)
    return env


def test_systemd_accepts_the_kiosk_unit(tmp_path: Path) -> None:
    """`systemd-analyze verify` exits 0 even for unknown keys; its complaints go to stderr."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze is missing; run scripts/setup.sh --test (apt: systemd)")
    copy = tmp_path / KIOSK_UNIT.name
    copy.write_text(KIOSK_UNIT.read_text(encoding="utf-8"), encoding="utf-8")
    done = subprocess.run(
        [analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    complaints = [line for line in done.stderr.splitlines() if KIOSK_UNIT.name in line]
    assert done.returncode == 0 and complaints == [], done.stderr


# ---------------------------------------------------------------- running the command


class StatusWatch:
    """Records the bed's presence messages (the bedside says online/offline)."""

    def __init__(self, broker: Mosquitto) -> None:
        self.online: list[bool] = []
        self.lock = threading.Lock()
        self.mqtt = paho.Client(CallbackAPIVersion.VERSION2, client_id="kiosk-test-watch")
        self.mqtt.on_message = self._message
        self.mqtt.connect("127.0.0.1", broker.port)
        self.mqtt.subscribe(BED.topic("status"), qos=1)
        self.mqtt.loop_start()

    def _message(self, c: paho.Client, u: object, msg: paho.MQTTMessage) -> None:
        status = p.decode(bytes(msg.payload))
        assert isinstance(status, p.BedStatus)
        with self.lock:
            self.online.append(status.online)

    def stop(self) -> None:
        self.mqtt.loop_stop()
        self.mqtt.disconnect()


def write_config(folder: Path, broker: Mosquitto) -> Path:
    config = folder / "bedside.toml"
    config.write_text(
        f'[bedside]\nsite = "{BED.site}"\nunit = "{BED.unit}"\nbed = "{BED.bed}"\n'
        # No camera on this machine: touch only (the window is what is under test).
        'inputs = ["touch"]\n'
        f'outbox = "{folder / "outbox.sqlite3"}"\n'
        f'[broker]\nurl = "{broker.url}"\n',
        encoding="utf-8",
    )
    return config


def wait_for(check: Callable[[], object], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def run_until_shown(
    argv: list[str],
    env: dict[str, str],
    log: Path,
    broker: Mosquitto,
    shown: str,
    also: Callable[[], bool] = lambda: True,
) -> str:
    """Start the command, wait until the window says it is shown and the bed is online, then
    stop it the way systemd does (SIGTERM to the whole group) and check it went offline."""
    watch = StatusWatch(broker)
    proc = subprocess.Popen(
        argv, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        up = wait_for(
            lambda: shown in log.read_text(errors="replace") and True in watch.online and also(),
            90,
        )
        text = log.read_text(errors="replace")
        assert up, f"no {shown!r} / bed online within 90 s (alive: {proc.poll() is None}):\n{text}"
        assert proc.poll() is None, text
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(30) is not None
        assert wait_for(lambda: watch.online[-1] is False, 15), (
            f"the bedside did not say offline on SIGTERM: {watch.online}\n{text}"
        )
        return text
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        watch.stop()


def test_the_kiosk_units_command_shows_the_window_full_screen_in_cage(
    tmp_path: Path, mosquitto: Mosquitto
) -> None:
    cage = shutil.which("cage")
    if cage is None:
        pytest.fail("cage is missing; run scripts/setup.sh --test (apt: cage)")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "XDG_RUNTIME_DIR": str(runtime),  # logind's /run/user/UID on a tablet
        "WLR_BACKENDS": "headless",  # no GPU and no seat here
        "WLR_LIBINPUT_NO_DEVICES": "1",
        **unit_environment(tmp_path / "home"),
    }
    # What systemd listens on (Type=notify): an abstract unix datagram socket, which the
    # window behind cage (a child, hence NotifyAccess=all) can reach from the user namespace.
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    name = f"beckon-kiosk-test-{os.getpid()}-{time.monotonic_ns()}"
    notify.bind("\0" + name)
    notify.setblocking(False)
    env["NOTIFY_SOCKET"] = "@" + name
    env["WATCHDOG_USEC"] = "2000000"  # a ping every half second
    heard: list[str] = []

    def ready() -> bool:
        with contextlib.suppress(BlockingIOError):
            while True:
                heard.append(notify.recv(4096).decode())
        return any("READY=1" in m for m in heard)

    def pinging() -> bool:
        return ready() and "WATCHDOG=1" in heard

    # systemd sets WATCHDOG_PID to the unit's main process, which is cage: the window is its
    # child, and must still ping (it once took the watchdog for someone else's).
    argv = ["sh", "-c", 'export WATCHDOG_PID=$$; exec "$@"', "sh"]
    argv += exec_start(write_config(tmp_path, mosquitto))
    if os.geteuid() == 0:  # cage will not run as root
        argv = ["unshare", "--user", "--map-user=1000", "--map-group=1000", *argv]
    try:
        text = run_until_shown(
            argv, env, tmp_path / "kiosk.log", mosquitto, "window shown on wayland: ", pinging
        )
        ready()
    finally:
        notify.close()
    assert heard[0] == "READY=1\nSTATUS=serving", heard
    # No STOPPING=1 check: the group's SIGTERM also ends cage, whose going away can end the
    # window before it says so (systemd is stopping the unit anyway).
    # cage's headless output is 1280x720; the window covers all of it (cage sizes its only
    # window to the screen; it does not report Wayland's full-screen state back).
    line = next(x for x in text.splitlines() if "window shown on wayland" in x)
    assert "1280x720 of a 1280x720 screen" in line, line


def test_a_kiosk_that_cannot_start_says_why_on_screen_and_does_not_loop(tmp_path: Path) -> None:
    """Under cage the exit status is lost (cage 0.1.4 exits 0), so `RestartPreventExitStatus=78`
    cannot stop a restart loop behind a blank screen: the kiosk shows the error and stays."""
    config = tmp_path / "bedside.toml"
    config.write_text(
        '[bedside]\nsite = "general"\nunit = "icu-3"\nbed = "12"\ninputs = ["touch"]\n'
        'offered_intents = ["watr"]\n',
        encoding="utf-8",
    )
    argv = exec_start(config)
    beckon = argv[argv.index("--") + 1 :]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        **unit_environment(tmp_path / "home"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    log = tmp_path / "fault.log"
    proc = subprocess.Popen(
        beckon, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        assert wait_for(
            lambda: "window shown on offscreen" in log.read_text(errors="replace"), 60
        ), log.read_text(errors="replace")
        text = log.read_text(errors="replace")
        assert "showing why on screen" in text and "did you mean 'water'?" in text, text
        time.sleep(1)
        assert proc.poll() is None, "the kiosk exited (a restart loop under systemd)"
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
