"""The product never depends on its tools: runtime packages do not import ``beckon.lab``.

Why: the bedside tablet and the station server must run without benchmark footage, training
code or screenshot rigs, and a reader of ``src/beckon/vision`` must see only what runs at the
bedside. Only the CLI (lazily, for ``beckon demo`` and ``beckon bench``) and ``beckon.lab``
itself may import the tools.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "beckon"
RUNTIME = ("vision", "voice", "messaging", "station", "bedside", "ui", "doctor")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at top level or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def runtime_files() -> list[Path]:
    files = [f for pkg in RUNTIME for f in sorted((SRC / pkg).rglob("*.py"))]
    files += [f for f in sorted(SRC.glob("*.py")) if f.name != "__main__.py"]
    return files


def test_runtime_packages_exist_and_have_code() -> None:
    files = runtime_files()
    assert len(files) > 40, "the layering check found too few files to mean anything"


def test_no_runtime_module_imports_the_lab() -> None:
    offenders = {
        str(f.relative_to(SRC)): sorted(
            m for m in imported_modules(f) if m.startswith("beckon.lab")
        )
        for f in runtime_files()
    }
    assert {k: v for k, v in offenders.items() if v} == {}


CORE = (
    "vision",
    "voice",
    "bedside/interaction.py",
    "station/lifecycle.py",
    "station/escalation.py",
)
"""The core: detectors, the interaction state machine, the request lifecycle. Plain Python."""


def files_of(parts: tuple[str, ...]) -> list[Path]:
    return [f for part in parts for f in sorted((SRC / part).rglob("*.py")) or [SRC / part]]


def test_qt_stays_in_the_windows_and_mqtt_out_of_the_core() -> None:
    """docs/architecture.md: Qt only in ``ui/`` (and the lab's screenshot tools); the core free
    of Qt and MQTT, so it runs and is tested without a screen or a broker; only the CLI
    outside ``ui/`` reaches into it."""
    qt = {
        str(f.relative_to(SRC))
        for f in SRC.rglob("*.py")
        if f.parent.name not in ("ui", "lab")
        and any(m.startswith("PyQt6") for m in imported_modules(f))
    }
    assert qt == set()
    mqtt = {
        str(f.relative_to(SRC))
        for f in files_of(CORE)
        if any(m.startswith(("paho", "beckon.messaging.mqtt")) for m in imported_modules(f))
    }
    assert mqtt == set()
    into_ui = {
        str(f.relative_to(SRC))
        for f in SRC.rglob("*.py")
        if f.parent.name not in ("ui", "lab", "cli")
        and any(m.startswith("beckon.ui") for m in imported_modules(f))
    }
    assert into_ui == set()


def test_the_check_catches_an_import_of_the_lab(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from beckon.lab import synthetic\n", encoding="utf-8")
    assert "beckon.lab" in imported_modules(bad)


TESTS = Path(__file__).resolve().parent


def test_tests_share_helpers_not_test_modules_and_use_one_import_style() -> None:
    """Shared code lives in conftest.py or tests/helpers; a test module imported by another
    would run its tests twice and couple files by accident. Every folder is a package, so
    helpers are imported one way: ``from tests.helpers... import``."""
    folders = {f.parent for f in TESTS.rglob("*.py")}
    assert all((folder / "__init__.py").is_file() for folder in folders), sorted(folders)
    local = {f.stem for f in TESTS.rglob("*.py")}
    offenders = {
        str(f.relative_to(TESTS)): sorted(
            m
            for m in imported_modules(f)
            if m.split(".")[-1].startswith("test_") or m.split(".")[0] in local
        )
        for f in TESTS.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
