"""Every fault test lives in tests/faults and is marked ``faults``; nothing else is.

Why: ``scripts/test.sh`` runs the main suite with ``-m "not faults"`` over the whole tree and
the fault suite from tests/faults alone (two at a time, then the ``window`` tests alone). A
``faults`` or ``window`` test anywhere else would run in neither phase, and a test in
tests/faults without the ``faults`` mark would run in the main suite beside three workers,
where its kills and cuts could blur a neighbour's timing. Read from the source (as
tests/test_layering.py reads imports) so the rule fails readably under xdist too.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
FAULTS = TESTS / "faults"
MARKS = {"faults", "window"}


def marks_used(path: Path) -> set[str]:
    """The ``pytest.mark.<name>`` names a test file uses, of ``faults`` and ``window``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in MARKS
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "mark"
    }


def module_marks(path: Path) -> set[str]:
    """The marks named in the module's own ``pytestmark`` (every test in the file gets them)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            return {
                n.attr
                for n in ast.walk(node.value)
                if isinstance(n, ast.Attribute)
                and isinstance(n.value, ast.Attribute)
                and n.value.attr == "mark"
            }
    return set()


def all_test_files() -> list[Path]:
    return sorted(TESTS.rglob("test_*.py"))


def test_the_fault_suite_is_found() -> None:
    faults = [f for f in all_test_files() if f.is_relative_to(FAULTS)]
    assert len(faults) >= 5, f"too few fault test files to mean anything: {faults}"


def test_no_fault_or_window_test_outside_tests_faults() -> None:
    strays = [
        str(f.relative_to(TESTS))
        for f in all_test_files()
        if not f.is_relative_to(FAULTS) and f != Path(__file__).resolve() and marks_used(f)
    ]
    assert strays == [], f"fault tests belong in tests/faults (scripts/test.sh): {strays}"


def test_every_file_in_tests_faults_is_marked_faults_as_a_whole() -> None:
    unmarked = [
        str(f.relative_to(TESTS))
        for f in all_test_files()
        if f.is_relative_to(FAULTS) and "faults" not in module_marks(f)
    ]
    assert unmarked == [], f"set pytestmark = [pytest.mark.faults, ...] in: {unmarked}"
