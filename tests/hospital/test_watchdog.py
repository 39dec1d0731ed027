"""systemd: the units pass `systemd-analyze verify`, and the services speak the sd_notify
protocol over a real unix datagram socket: READY=1 once the main loop runs, WATCHDOG=1 from
that loop (so a hung loop stops the pings), STOPPING=1 on the way out."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from beckon.background import Background
from beckon.config import BrokerConfig, StationConfig, StationSettings
from beckon.station.service import StationService
from beckon.systemd import Notifier, WindowWatch
from tests.helpers.hospital import station_process, wait
from tests.helpers.metrics import health
from tests.helpers.ports import free_port

REPO = Path(__file__).resolve().parents[2]
UNITS = REPO / "deploy" / "systemd"


class NotifySocket:
    """What systemd listens on: a unix datagram socket; collects what arrives."""

    def __init__(self, address: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        bind_to = "\0" + address[1:] if address.startswith("@") else address
        self.sock.bind(bind_to)
        self.sock.settimeout(0.1)
        self.address = address
        self.messages: list[tuple[float, str]] = []

    def collect(self, seconds: float) -> list[str]:
        deadline = time.monotonic() + seconds
        got: list[str] = []
        while time.monotonic() < deadline:
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            text = data.decode()
            self.messages.append((time.monotonic(), text))
            got.append(text)
        return got

    def wait_for(self, text: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in m for m in self.collect(0.2)):
                return True
        return False

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[NotifySocket]:
    sock = NotifySocket(str(tmp_path / "notify"))
    yield sock
    sock.close()


# ---------------------------------------------------------------- the units


def _verified_copy(name: str, tmp_path: Path) -> Path:
    """The unit with ExecStart pointing at this checkout's beckon (verify checks that the
    program exists; /opt/beckon does not here). Nothing else changes."""
    text = (UNITS / name).read_text(encoding="utf-8")
    assert "/opt/beckon/venv/bin/beckon " in text
    beckon = Path(sys.executable).parent / "beckon"
    assert beckon.exists(), beckon
    copy = tmp_path / name
    copy.write_text(text.replace("/opt/beckon/venv/bin/beckon ", f"{beckon} "), encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    "name",
    [
        "beckon-station.service",
        "beckon-bedside.service",
        "beckon-bedside-headless.service",
        "beckon-station-window.service",  # a user unit; verify reads its keys all the same
    ],
)
def test_systemd_analyze_verify_accepts_the_unit_without_a_warning(
    name: str, tmp_path: Path
) -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.fail("systemd-analyze is missing; run scripts/setup.sh (apt-get install systemd)")
    unit = _verified_copy(name, tmp_path)
    done = subprocess.run(
        [tool, "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    # verify only warns (exit 0) about unknown keys or bad values: any output is a finding.
    assert done.stderr.strip() == "", done.stderr


def test_the_verify_test_would_catch_a_typo(tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    assert tool is not None
    unit = _verified_copy("beckon-station.service", tmp_path)
    unit.write_text(unit.read_text().replace("WatchdogSec=30", "WatchdogSecs=30"))
    done = subprocess.run(
        [tool, "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert "WatchdogSecs" in done.stderr


@pytest.mark.parametrize("name", ["beckon-station.service", "beckon-bedside-headless.service"])
def test_units_use_the_watchdog_and_notify(name: str) -> None:
    lines = (UNITS / name).read_text(encoding="utf-8").splitlines()
    assert any(" --headless " in line for line in lines if line.startswith("ExecStart="))
    assert "Type=notify" in lines
    assert "NotifyAccess=main" in lines
    (watchdog,) = [line for line in lines if line.startswith("WatchdogSec=")]
    assert 10 <= int(watchdog.partition("=")[2]) <= 120


def test_the_kiosk_unit_accepts_the_notification_from_the_window_under_cage() -> None:
    """Its main process is cage, not beckon: the window's READY=1 and pings come from a child,
    which systemd ignores unless NotifyAccess=all."""
    lines = (UNITS / "beckon-bedside.service").read_text(encoding="utf-8").splitlines()
    (start,) = [line for line in lines if line.startswith("ExecStart=")]
    assert "/cage " in start and " --kiosk " in start
    assert "Type=notify" in lines
    assert "NotifyAccess=all" in lines
    (watchdog,) = [line for line in lines if line.startswith("WatchdogSec=")]
    assert 10 <= int(watchdog.partition("=")[2]) <= 120


# ---------------------------------------------------------------- the protocol


def test_ready_then_rate_limited_watchdog_pings(notify_socket: NotifySocket) -> None:
    now = [100.0]
    notifier = Notifier(
        {"NOTIFY_SOCKET": notify_socket.address, "WATCHDOG_USEC": "2000000"}, clock=lambda: now[0]
    )
    assert notifier.interval_s == 2.0
    notifier.beat()
    got = notify_socket.collect(0.2)
    for _ in range(20):  # 5 s of loop turns every 0.25 s: a ping every 0.5 s (2 s / 4)
        now[0] += 0.25
        notifier.beat()
        got += notify_socket.collect(0.02)
    notifier.stopping()
    got += notify_socket.collect(0.2)
    assert got[0] == "READY=1\nSTATUS=serving"
    assert got[-1] == "STOPPING=1\nSTATUS=stopping"
    assert got[1:-1] == ["WATCHDOG=1"] * 10


def test_a_standby_is_ready_and_alive_then_says_when_it_serves(
    notify_socket: NotifySocket,
) -> None:
    now = [100.0]
    notifier = Notifier(
        {"NOTIFY_SOCKET": notify_socket.address, "WATCHDOG_USEC": "2000000"}, clock=lambda: now[0]
    )
    got: list[str] = []
    for _ in range(4):  # the standby loop turns every 0.5 s: a ping each turn (2 s / 4)
        notifier.beat("standing by")
        now[0] += 0.5
        got += notify_socket.collect(0.05)
    for _ in range(2):
        notifier.beat()  # the service's own loop, now active
        now[0] += 0.5
        got += notify_socket.collect(0.05)
    assert got[0] == "READY=1\nSTATUS=standing by"
    assert got[1:4] == ["WATCHDOG=1"] * 3
    assert got[4:] == ["STATUS=serving", "WATCHDOG=1", "WATCHDOG=1"]


def test_the_watchdog_is_ours_as_the_main_process_or_its_child_not_a_stranger() -> None:
    """The kiosk's main process is cage; the window it starts inherits WATCHDOG_PID=cage."""
    env = {"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "2000000"}
    assert Notifier(env | {"WATCHDOG_PID": str(os.getpid())}).interval_s == 2.0
    assert Notifier(env | {"WATCHDOG_PID": str(os.getppid())}).interval_s == 2.0
    assert Notifier(env | {"WATCHDOG_PID": "4194305"}).interval_s is None  # above pid_max


def test_a_systemd_that_does_not_read_never_blocks_the_loop(notify_socket: NotifySocket) -> None:
    notifier = Notifier({"NOTIFY_SOCKET": notify_socket.address, "WATCHDOG_USEC": "4"})
    start = time.monotonic()
    for _ in range(1000):  # far more than the socket's queue holds
        notifier.notify("WATCHDOG=1")
    assert time.monotonic() - start < 10
    assert notify_socket.collect(0.3)  # what fitted arrived


def test_the_abstract_namespace_address_works(tmp_path: Path) -> None:
    name = f"@beckon-test-{os.getpid()}-{time.monotonic_ns()}"
    sock = NotifySocket(name)
    try:
        notifier = Notifier({"NOTIFY_SOCKET": name})
        notifier.beat()
        assert sock.collect(0.3) == ["READY=1\nSTATUS=serving"]
    finally:
        sock.close()


def test_no_socket_no_watchdog_and_a_vanished_socket_never_raise(tmp_path: Path) -> None:
    quiet = Notifier({})
    assert not quiet.enabled
    quiet.beat()
    quiet.stopping()
    assert (
        Notifier({"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "5", "WATCHDOG_PID": "1"}).interval_s
        is None
    )
    gone = Notifier({"NOTIFY_SOCKET": str(tmp_path / "nobody-listens")})
    gone.beat()
    assert not gone.notify("WATCHDOG=1")


@pytest.mark.mqtt
def test_a_hung_station_loop_stops_the_pings_while_its_threads_live_on(
    notify_socket: NotifySocket, mosquitto: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = StationSettings(
        StationConfig("gh", ("icu",), database=str(tmp_path / "station.sqlite3")),
        BrokerConfig(url=mosquitto.url),
    )
    service = StationService(settings)
    notifier = Notifier({"NOTIFY_SOCKET": notify_socket.address, "WATCHDOG_USEC": "400000"})
    service.beats.append(notifier.beat)
    release = threading.Event()
    hang = threading.Event()
    original = service.check_escalations

    def maybe_hang(now: datetime) -> None:
        if hang.is_set():
            release.wait(30)  # a deadlock, as far as the loop can tell
        original(now)

    monkeypatch.setattr(service, "check_escalations", maybe_hang)
    with Background(service.run, "station"):
        assert notify_socket.wait_for("READY=1", 10)
        assert notify_socket.collect(1.5).count("WATCHDOG=1") >= 2
        hang.set()
        notify_socket.collect(1.5)  # the turn in progress may still ping
        silent = notify_socket.collect(2.0)
        assert "WATCHDOG=1" not in silent
        assert all(link.connected for link in service.links.values())  # MQTT thread is alive
        release.set()
        hang.clear()
        assert notify_socket.wait_for("WATCHDOG=1", 5)


@pytest.mark.mqtt
def test_the_station_process_notifies_systemd(
    notify_socket: NotifySocket, mosquitto: Any, tmp_path: Path, beckon_cmd: list[str]
) -> None:
    """The real `beckon station --headless` as systemd runs it (Type=notify, WatchdogSec)."""
    config = tmp_path / "station.toml"
    config.write_text(
        f'[station]\nsite = "gh"\nunits = ["icu"]\ndatabase = "{tmp_path / "st.sqlite3"}"\n'
        f'[broker]\nurl = "{mosquitto.url}"\n'
    )
    env = dict(os.environ, NOTIFY_SOCKET=notify_socket.address, WATCHDOG_USEC="1000000")
    proc = subprocess.Popen(
        [*beckon_cmd, "station", "--headless", "--config", str(config)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert notify_socket.wait_for("READY=1", 30)
        assert notify_socket.collect(2.0).count("WATCHDOG=1") >= 3
        # A stopped process (as good as hung) sends nothing.
        proc.send_signal(signal.SIGSTOP)
        notify_socket.collect(0.5)
        assert notify_socket.collect(2.0) == []
        proc.send_signal(signal.SIGCONT)
        assert notify_socket.wait_for("WATCHDOG=1", 5)
        proc.send_signal(signal.SIGTERM)
        assert notify_socket.wait_for("STOPPING=1", 20)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        if proc.stderr is not None:
            proc.stderr.close()


@pytest.mark.mqtt
def test_a_standby_station_process_keeps_systemd_from_killing_it(
    notify_socket: NotifySocket, mosquitto: Any, pg_url: str, tmp_path: Path, beckon_cmd: list[str]
) -> None:
    """A PostgreSQL standby under Type=notify: READY=1 and watchdog pings while it stands by
    (without them systemd would kill it at the start timeout, again and again), then
    "serving" once the active station is gone and it takes over."""

    def station(name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        return station_process(beckon_cmd, tmp_path, name, mosquitto.url, pg_url, env)

    active = station("desk-a", dict(os.environ))
    standby: subprocess.Popen[bytes] | None = None
    try:
        assert wait(lambda: b"active station" in (tmp_path / "desk-a.log").read_bytes(), 30)
        port = free_port()
        env = dict(
            os.environ,
            NOTIFY_SOCKET=notify_socket.address,
            WATCHDOG_USEC="1000000",
            BECKON_STATION_METRICS=f"127.0.0.1:{port}",
        )
        standby = station("desk-b", env)
        assert notify_socket.wait_for("READY=1\nSTATUS=standing by", 30), (
            tmp_path / "desk-b.log"
        ).read_text()
        assert notify_socket.collect(2.0).count("WATCHDOG=1") >= 2
        # Monitoring sees a standby, not a station that is down (connection refused).
        code, detail = health(port)
        assert code == 503 and detail.get("standing_by") is True, detail
        active.terminate()
        assert active.wait(20) == 0
        assert notify_socket.wait_for("STATUS=serving", 30), (tmp_path / "desk-b.log").read_text()
        assert wait(lambda: health(port)[0] == 200, 20), health(port)
        assert notify_socket.collect(1.0).count("WATCHDOG=1") >= 1
        standby.send_signal(signal.SIGTERM)
        assert notify_socket.wait_for("STOPPING=1", 20)
        assert standby.wait(20) == 0
    finally:
        for proc in (active, standby):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(10)


def test_the_window_pings_only_while_the_service_loop_turns_too(
    notify_socket: NotifySocket,
) -> None:
    """WindowWatch: the Qt loop's timer pings, but only while the service loop's beat is fresh;
    a stuck service (or no service turn yet) means no READY and no WATCHDOG."""
    now = [50.0]
    notifier = Notifier(
        {"NOTIFY_SOCKET": notify_socket.address, "WATCHDOG_USEC": "8000000"}, clock=lambda: now[0]
    )
    watch = WindowWatch(notifier, clock=lambda: now[0])
    assert watch.stale_s == 4.0
    watch.window_turned()  # the window runs, the service has not turned yet
    assert notify_socket.collect(0.2) == []
    watch.service_turned()
    watch.window_turned()
    assert notify_socket.collect(0.2) == ["READY=1\nSTATUS=serving"]
    got: list[str] = []
    for _ in range(8):  # both loops turning for 8 s: a ping every 2 s (8 s / 4)
        now[0] += 1.0
        watch.service_turned()
        watch.window_turned()
        got += notify_socket.collect(0.02)
    assert got == ["WATCHDOG=1"] * 4
    for _ in range(10):  # the service is stuck; the window's timer keeps firing
        now[0] += 1.0
        watch.window_turned()
        got += notify_socket.collect(0.02)
    assert got == ["WATCHDOG=1"] * 6  # two more while its last turn was fresh (4 s), then none
