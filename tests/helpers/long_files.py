"""The order in which the main suite's files go to pytest-xdist's workers (``--dist loadfile``).

xdist hands each worker a whole file and, by default, the files with the most tests first, so
the files with a few long tests (a rendered replay, the demo, a flapping link) went out last
and one worker ran them while the others had finished: the suite's wall time is the last
worker's. The longest files now go first, then the rest as collected (pyproject's
``--no-loadscope-reorder`` keeps this order). Only the order changes, never
what runs; a file missing from LONG_FILES only starts later. Without ``-n`` it is the order
of one process, which no test depends on (each file's tests keep their order)."""

from __future__ import annotations

import pytest

LONG_FILES: tuple[str, ...] = (
    "tests/voice/test_korean_talk.py",  # 984 s
    "tests/vision/test_vision_held_online.py",  # 794 s
    "tests/voice/test_answer_mode.py",  # 619 s
    "tests/ui/test_ui_layout.py",  # 498 s
    "tests/voice/test_catalog_recovery.py",  # 443 s
    "tests/voice/test_vosk_dither_seed.py",  # 437 s
    "tests/vision/test_vision_engine.py",  # 329 s
    "tests/voice/test_keywords.py",  # 317 s
    "tests/voice/test_normalisation.py",  # 275 s
    "tests/vision/test_vision_replay_gestures.py",  # 244 s (see below)
    "tests/hospital/test_single_station.py",  # 244 s
    "tests/test_cli.py",  # 225 s
    "tests/voice/test_request_verifier.py",  # 222 s
    "tests/hospital/test_start_refusals.py",  # 198 s
    "tests/vision/test_vision_missed_face.py",  # 179 s
    "tests/ui/test_ui_staff_bar.py",  # 179 s
    "tests/vision/test_vision_missed_frame_mid_hold.py",  # 173 s
    "tests/voice/test_end_to_end.py",  # 169 s
    "tests/bedside/test_host.py",  # 167 s
    "tests/test_make_sign_recordings.py",  # 161 s
    "tests/voice/test_rejection.py",  # 155 s
    "tests/ui/test_ui_layout_station.py",  # 151 s
    "tests/ui/test_ui_trust.py",  # 134 s
    "tests/vision/test_vision_tremor_lost_frames.py",  # 115 s
    "tests/vision/test_vision_posture_shift.py",  # 108 s
    "tests/hospital/test_pgstore.py",  # 106 s
    "tests/bedside/test_emergency_over_the_menu.py",  # 104 s
    "tests/test_demo.py",  # 92 s (see below)
)
"""The longest files, longest first: each one's summed test durations in the main suite on
four workers on the shared 2-core machine at load 15 to 21 (session 51: 9,966 s in all, 2,700 s
of wall time; about four times the idle figures). The replay and the demo did not run there
(no face model beside that checkout): theirs are from a run of the two alone side by side at
load 14 to 17. Refresh from a run's ``--junitxml`` when files grow."""


def file_of(item: pytest.Item) -> str:
    """The file an item belongs to, as xdist's ``loadfile`` groups it."""
    return item.nodeid.split("::", 1)[0]


def longest_first(items: list[pytest.Item]) -> None:
    """Reorder ``items`` in place: LONG_FILES' files in their order, then every other file as
    collected; each file's own tests keep their order."""
    rank = {path: i for i, path in enumerate(LONG_FILES)}
    # sort() is stable: within a file, and among the files not listed, collection order.
    items.sort(key=lambda item: rank.get(file_of(item), len(rank)))
