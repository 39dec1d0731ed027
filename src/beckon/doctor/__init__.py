"""`beckon doctor`: ask a tablet or station host what is wrong, one check at a time.

Why: when a bed's calls do not arrive, IT needs to know which of a dozen things failed (camera,
face in view, microphone, models, broker, TLS, password, ACL, clock, disk, the station) without
reading logs. Each check says pass, fail or skip, what it saw, and for a failure what to do.
The checks are plain functions returning :class:`Check`; the CLI prints them and exits 1 when
any failed, so scripts and monitoring can run it too (``--json``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

Outcome = Literal["pass", "fail", "skip"]


@dataclass(frozen=True)
class Check:
    """One thing checked: ``skip`` means it does not apply here or could not be decided."""

    name: str
    outcome: Outcome
    detail: str
    fix: str = ""

    @property
    def failed(self) -> bool:
        return self.outcome == "fail"


def passed(name: str, detail: str) -> Check:
    return Check(name, "pass", detail)


def failed(name: str, detail: str, fix: str) -> Check:
    return Check(name, "fail", detail, fix)


def skipped(name: str, detail: str) -> Check:
    return Check(name, "skip", detail)


def as_json(role: str, checks: Sequence[Check]) -> dict[str, Any]:
    return {
        "role": role,
        "ok": not any(c.failed for c in checks),
        "checks": [asdict(c) for c in checks],
    }


def format_text(role: str, checks: Sequence[Check]) -> str:
    marks = {"pass": "PASS", "fail": "FAIL", "skip": "skip"}
    lines = []
    for c in checks:
        lines.append(f"{marks[c.outcome]}  {c.name:<12} {c.detail}")
        if c.fix:
            lines.append(f"      {'':<12} fix: {c.fix}")
    bad = sum(c.failed for c in checks)
    unchecked = [c.name for c in checks if c.outcome == "skip"]
    if bad:
        lines.append(f"{role}: {bad} check(s) failed")
    elif unchecked:
        # "all checks passed" while the broker, clock and beds were skipped (the service
        # running, the broker down) read as a clean bill of health.
        lines.append(
            f"{role}: no check failed; not checked: {', '.join(unchecked)} (see above why)"
        )
    else:
        lines.append(f"{role}: all checks passed")
    return "\n".join(lines)
