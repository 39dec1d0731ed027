"""Stylesheets scale with the font scale; the calibration flow produces the routine's takes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from beckon.profile import profile_path
from beckon.ui import theme
from beckon.ui.calibration_flow import PAUSE_S, REST_S, TAKE_S, CalibrationFlow


def test_sizes_scale_with_the_font_scale() -> None:
    assert theme.render_stylesheet("a { font-size: @px(20); margin: @px(3); }", 1.5) == (
        "a { font-size: 30px; margin: 4px; }"
    )
    assert theme.render_stylesheet("@px(1)", 0.2) == "1px"
    with pytest.raises(ValueError):
        theme.render_stylesheet("@px(1)", 0)


@pytest.mark.parametrize("name", theme.THEMES)
def test_every_theme_loads_with_no_size_left_unscaled(name: str) -> None:
    for role in ("bedside", "station"):
        css = theme.stylesheet(role, name, 1.25)
        assert "@px" not in css and "#tile" in css


def test_every_offered_intent_has_an_icon_and_unknown_ones_fall_back() -> None:
    from beckon.intents import load_intents

    for code in load_intents():
        assert theme.icon_path(code).endswith(f"{code}.svg"), code
    assert theme.icon_path("no_such_intent").endswith("request.svg")


def test_korean_is_shipped_compiled_and_english_is_the_source() -> None:
    path = theme.translation_file("ko")
    assert path is not None and path.endswith("beckon_ko.qm")
    assert theme.translation_file("en") is None


@dataclass
class Obs:
    t: float
    found: bool = True


def feed(flow: CalibrationFlow, start: float, end: float, step: float = 0.1) -> float:
    t = start
    while t <= end:
        flow.observe(Obs(t))
        flow.advance(t)
        t = round(t + step, 3)
    return t


def test_the_flow_waits_for_a_face_then_times_rest_and_each_take() -> None:
    flow = CalibrationFlow(("nod", "shake"))
    assert not flow.start(None)
    flow.observe(Obs(0.0, found=False))
    assert not flow.start(0.0)  # no face: stays on placing the tablet
    flow.observe(Obs(0.1))
    assert flow.start(0.1) and flow.phase.kind == "rest"
    feed(flow, 0.2, 0.1 + REST_S + 4 * (TAKE_S + PAUSE_S) + 1)
    assert flow.done
    assert [tk.gesture for tk in flow.takes] == ["nod", "nod", "shake", "shake"]
    first = flow.takes[0]
    assert first.start == pytest.approx(0.1 + REST_S, abs=0.11)
    assert first.end - first.start == pytest.approx(TAKE_S, abs=0.11)
    # Only what happened after the start is handed to the calibration routine.
    assert min(o.t for o in flow.observations()) >= 0.1


def test_a_gesture_the_patient_cannot_do_is_skipped() -> None:
    flow = CalibrationFlow(("nod", "shake"))
    flow.observe(Obs(0.0))
    flow.start(0.0)
    end = feed(flow, 0.1, REST_S + TAKE_S + 0.2)  # rest, then the first nod take
    assert flow.phase.gesture == "nod"
    flow.skip_gesture(end)
    assert flow.phase.gesture == "shake" and flow.phase.kind == "take"
    assert flow.skipped == ["nod"] and all(tk.gesture != "nod" for tk in flow.takes)
    flow.restart()
    assert flow.phase.kind == "position" and not flow.takes and not flow.observations()


def test_the_profile_is_saved_per_bed(tmp_path: Path) -> None:
    assert profile_path("gh", "icu", "12", tmp_path) == tmp_path / "profile-gh-icu-12.toml"
