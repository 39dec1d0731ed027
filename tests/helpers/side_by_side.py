"""Run independent CLI commands at the same time, one core each.

Used where a test needs several runs of a slow command that only read their inputs (replays
of one clip, benches of one folder): side by side they cost the time of the slowest instead
of the sum."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path


def run_side_by_side(
    commands: Sequence[Sequence[str]], timeout: float, cwd: Path | None = None
) -> list[subprocess.CompletedProcess[str]]:
    """Start every command, wait for all, and return their results in order (text output).

    Any command still running when this returns (a timeout, an interrupt) is killed."""
    started = [
        subprocess.Popen(
            list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd
        )
        for cmd in commands
    ]
    try:
        outputs = [proc.communicate(timeout=timeout) for proc in started]
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    return [
        subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        for proc, (out, err) in zip(started, outputs, strict=True)
    ]
