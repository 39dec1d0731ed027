"""Shared fixtures: a private BECKON_HOME, the models installed from ../shared/models, and a
real Mosquitto broker on a free loopback port.

Nothing here is skipped when a tool is missing: the setup script installs mosquitto, and a
missing tool fails the test with the command that fixes it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from beckon import modelstore
from beckon.messaging.broker import wait_for_port
from tests.helpers.broker_user import broker_data_folder
from tests.helpers.deploy import tool
from tests.helpers.long_files import longest_first
from tests.helpers.ports import free_port, release_ports

REPO = Path(__file__).resolve().parents[1]
SHARED_MODELS = REPO.parent / "shared" / "models"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first, for xdist to hand out first (tests/helpers/long_files.py)."""
    longest_first(items)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Once a test's fixtures are torn down (its brokers stopped), the ports it took are free
    for other test processes again (tests/helpers/ports.py)."""
    try:
        return (yield)
    finally:
        release_ports()


@pytest.fixture(autouse=True)
def beckon_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own state folder; models come from the session-wide install."""
    home = tmp_path / "beckon-home"
    monkeypatch.setenv("BECKON_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The third-party models, installed the way an air-gapped hospital would."""
    if not (SHARED_MODELS / "face_landmarker.task").is_file():
        pytest.fail(
            f"{SHARED_MODELS}/face_landmarker.task is missing; CI provides ../shared/models"
        )
    target = tmp_path_factory.mktemp("models")
    modelstore.install_from(SHARED_MODELS, target=target)
    return target


WHEELS = Path(sys.prefix) / "beckon-wheels"
"""Where ``scripts/setup.sh --test`` keeps the wheel the hand landmarker is built from."""


@pytest.fixture(scope="session")
def hand_wheels() -> Path:
    """The folder holding PyPI's mediapipe 0.10.14 wheel (``models/manifest.toml``)."""
    spec = modelstore.load_manifest()["hand_landmarker"]
    if modelstore.find_wheel(spec, WHEELS) is None:
        pytest.fail(f"no {spec.wheel} wheel in {WHEELS}: run scripts/setup.sh --test")
    return WHEELS


@pytest.fixture(scope="session")
def hand_model(hand_wheels: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand landmarker bundle, built from the wheel as an air-gapped site would."""
    target = tmp_path_factory.mktemp("hand-model")
    [st] = modelstore.install_from(hand_wheels, ["hand_landmarker"], target=target)
    return st.path


@pytest.fixture
def installed_models(models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BECKON_MODELS_DIR", str(models_dir))
    return models_dir


@dataclass
class Mosquitto:
    port: int
    proc: subprocess.Popen[bytes]
    conf: Path
    log: Path

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)

    def start(self) -> None:
        """(Re)start on the same port and persistence folder, as after an outage."""
        self.proc = _spawn_mosquitto(self.conf, self.log)
        if not wait_for_port(self.port, 10):
            pytest.fail(f"mosquitto did not restart on {self.port}: {self.log.read_text()}")


def _spawn_mosquitto(conf: Path, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [tool("mosquitto", "/usr/sbin/mosquitto"), "-c", str(conf)],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    """A real Mosquitto, persistence on, anonymous on loopback only (like the demo); never
    root: as root it runs as an unprivileged user (tests/helpers/broker_user.py)."""
    port = free_port()
    folder = tmp_path / "mosquitto"
    folder.mkdir()
    conf = folder / "mosquitto.conf"  # read before Mosquitto switches user
    log = folder / "mosquitto.log"  # its stdout, opened by this process
    with broker_data_folder(tmp_path) as (data, user):
        conf.write_text(
            f"listener {port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "persistence true\n"
            f"persistence_location {data}/\n"
            "autosave_interval 1\n"
            "autosave_on_changes true\n"
            "log_dest stdout\n" + (f"user {user}\n" if user else "")
        )
        broker = Mosquitto(port, _spawn_mosquitto(conf, log), conf, log)
        try:
            if not wait_for_port(port, 10):
                pytest.fail(f"mosquitto did not start on {port}: {log.read_text()}")
            yield broker
        finally:
            if broker.proc.poll() is None:
                broker.stop()


@pytest.fixture
def beckon_cmd() -> list[str]:
    """How to run the CLI in a subprocess with this interpreter."""
    return [sys.executable, "-m", "beckon"]
