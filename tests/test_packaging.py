"""What ships: the wheel installs and runs on its own, and the stack's libraries coexist."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_in_pyproject():
    """Code packages and data-only folders alike: setuptools ships a folder's files only as a
    listed package's data, and warns ("Package would be ignored") about any folder it is not
    told of, noise a new user installing Beckon should never see."""
    listed = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )

    def folders(root: Path, prefix: tuple[str, ...]) -> set[str]:
        return {
            ".".join(prefix + d.relative_to(root).parts)
            for d in [root, *root.rglob("*")]
            if d.is_dir() and "__pycache__" not in d.parts and not d.name.endswith(".egg-info")
        }

    on_disk = folders(REPO / "src" / "beckon", ("beckon",))
    on_disk |= folders(REPO / "ui", ("beckon", "assets", "ui"))
    on_disk |= folders(REPO / "models", ("beckon", "assets", "models"))
    assert on_disk <= listed, f"add to pyproject [tool.setuptools] packages: {on_disk - listed}"


@dataclass(frozen=True)
class Build:
    wheels: Path
    done: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The wheel, built once for this module (a build takes seconds): one test reads the
    build's output, the other installs what it made."""
    wheels = tmp_path_factory.mktemp("wheels")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(wheels), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return Build(wheels, done)


def test_building_the_wheel_warns_about_no_folder(build):
    assert build.done.returncode == 0, build.done.stderr[-3000:]
    output = build.done.stdout + build.done.stderr
    assert "would be ignored" not in output and "absent from the `packages`" not in output


def test_the_wheel_installs_and_runs_without_the_checkout(build, tmp_path):
    assert build.done.returncode == 0, build.done.stderr[-3000:]
    (wheel,) = build.wheels.glob("beckon_bedside-*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    for needed in (
        "beckon/assets/models/manifest.toml",
        "beckon/messaging/schemas/request.json",
        "beckon/data/intents.toml",
        "beckon/lab/data/face.jpg",
    ):
        assert (site / needed).is_file(), f"{needed} is missing from the wheel"
    env = {**os.environ, "PYTHONPATH": str(site), "BECKON_MODELS_DIR": str(tmp_path / "m")}
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import beckon, beckon.paths as p; print(beckon.__file__); "
            "print(p.packaged_models() / 'manifest.toml')",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    assert all(line.startswith(str(site)) for line in probe.stdout.split()), probe.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "beckon", "models", "list"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert listed.returncode == 0, listed.stderr
    assert "face_landmarker" in listed.stdout and "Apache-2.0" in listed.stdout


def test_pyqt6_starts_after_opencv_is_imported():
    """mediapipe brings a GUI build of OpenCV that can redirect Qt's plugin path."""
    code = (
        "import cv2, mediapipe\n"
        "from PyQt6.QtWidgets import QApplication, QLabel\n"
        "app = QApplication([])\n"
        "label = QLabel('Beckon'); label.show(); app.processEvents()\n"
        "print('platform', app.platformName(), cv2.__version__)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "platform offscreen" in result.stdout


def test_only_one_opencv_distribution_is_installed():
    from importlib import metadata

    names = {d.metadata["Name"].lower() for d in metadata.distributions()}
    opencv = sorted(n for n in names if n.startswith("opencv"))
    assert len(opencv) == 1, f"several OpenCV distributions fight over cv2: {opencv}"
