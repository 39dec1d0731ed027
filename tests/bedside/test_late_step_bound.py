"""A step reported long after it was made does not move the patient's screen; a call does go.

Since session 47 the engine may report a turn seconds after it was made: one whose face was
lost while it waited is decided once the face is back (docs/gestures.md "missed faces"). The
menu applied such a step from what was on offer when it was made, so the highlight jumped
from the request on screen back to one the patient had left, just as the face came back,
and the patient's next nod chose it (review rev47a, bedlate.py). A step older than
``late_step_max_s`` (default :data:`LATE_STEP_MAX_S`, 5 s, a little over the 4.53 s a step
whose face stayed in view was measured held back) is not applied: nothing moves.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from beckon.bedside.interaction import (
    LATE_STEP_MAX_S,
    Interaction,
    Moved,
    Selected,
)
from beckon.bedside.service import BedsideService
from beckon.config import BedsideConfig, BedsideSettings, load_bedside
from beckon.errors import ConfigError

# Review rev47a's bedlate.py: five requests offered 4 s each from 0 s ("nurse" 12-16 s,
# "water" 20-24 s, "pain" 24-28 s), a turn left ("previous") made at 15.87 s.
ITEMS = ("water", "pain", "toilet", "nurse", "blanket")
STEPS = {"nod": "select", "turn_left": "previous", "turn_right": "next"}
MADE = 15.87


def scan() -> Interaction:
    return Interaction(ITEMS, STEPS, offer_seconds=4.0)


@pytest.mark.parametrize(
    ("late", "on_screen"),
    [
        (5.66, "water"),  # fix47a's longest lost-face release (late_sweep.py)
        (6.80, "water"),  # rev47a's late.py: face lost at 16.9 s for 5.4 s
        (9.86, "pain"),  # rev47a's bedlate.py: face lost at 20.0 s for 5.4 s
    ],
)
def test_a_step_reported_long_after_made_moves_nothing_and_a_nod_then_chooses_what_is_on_screen(
    late: float, on_screen: str
) -> None:
    menu = scan()
    reported = MADE + late
    assert menu.highlighted(MADE) == "nurse", "what the patient stepped back from"
    assert menu.highlighted(reported) == on_screen
    assert menu.on_gesture("turn_left", reported, made=MADE) is None
    assert menu.highlighted(reported) == on_screen, "the highlight did not jump back to toilet"
    # The patient, face back, nods at what they see: it is what is chosen.
    assert menu.on_gesture("nod", reported + 0.6) == Selected(on_screen, reported + 0.6)


def test_a_step_is_applied_from_what_the_patient_saw_up_to_the_bound_and_not_after() -> None:
    # Held back as long as the longest step measured with the face in view ("previous,
    # previous", the first let out with the second 4.53 s after it was made), it still
    # steps back from "nurse" to "toilet" (session 45's re-aim).
    within = scan()
    assert within.highlighted(MADE + 4.53) == "water", "the scan moved on twice meanwhile"
    assert within.on_gesture("turn_left", MADE + 4.53, made=MADE) == Moved("toilet", MADE + 4.53)
    # Just over the bound it is dropped, and the scan goes on as it was.
    beyond = scan()
    assert beyond.on_gesture("turn_left", MADE + LATE_STEP_MAX_S + 0.1, made=MADE) is None
    assert beyond.highlighted(MADE + LATE_STEP_MAX_S + 0.1) == "water", "the scan alone"
    # A "next" likewise: it would decline what was on offer when it was made.
    assert beyond.on_gesture("turn_right", MADE + 6.0, made=MADE) is None
    assert beyond.highlighted(MADE + 6.0) == "water"


def test_pointing_a_step_reported_long_after_it_was_made_leaves_the_pointer_where_it_is() -> None:
    # Nothing moves by itself in pointing mode: the pointer sat on "water" for 6 s, and
    # the patient, seeing no step, looks at "water"; a late "next" must not move it now.
    point = Interaction(ITEMS, STEPS, mode="pointing")
    assert point.on_gesture("turn_right", 8.0, made=2.0) is None
    assert point.highlighted(8.0) == "water"
    # A step made now moves it as ever.
    assert point.on_gesture("turn_right", 8.5) == Moved("pain", 8.5)
    assert point.on_gesture("turn_right", 10.0, made=9.0) == Moved("toilet", 10.0)


def test_the_bound_is_a_setting_checked_when_the_menu_is_made() -> None:
    patient = Interaction(ITEMS, STEPS, offer_seconds=4.0, late_step_max_s=7.0)
    assert patient.on_gesture("turn_left", MADE + 6.8, made=MADE) == Moved("toilet", MADE + 6.8)
    assert patient.on_gesture("turn_right", MADE + 14.0, made=MADE + 6.9) is None
    for wrong in (0.5, 12.0):
        with pytest.raises(ValueError, match="late_step_max_s must be from 1 to 10 s"):
            Interaction(ITEMS, STEPS, late_step_max_s=wrong)


def test_the_bedside_config_sets_the_bound_and_names_the_key_when_it_is_wrong(
    tmp_path: Path,
) -> None:
    toml = tmp_path / "bedside.toml"
    toml.write_text('[bedside]\nsite = "gh"\nunit = "icu"\nbed = "12"\nlate_step_max_s = 6\n')
    settings = load_bedside(toml)
    assert settings.bedside.late_step_max_s == 6.0
    assert BedsideService(settings).menu.late_step_max_s == 6.0
    assert load_bedside(None, {"bedside.site": "gh", "bedside.unit": "icu", "bedside.bed": "12"})
    toml.write_text('[bedside]\nsite = "gh"\nunit = "icu"\nbed = "12"\nlate_step_max_s = 0.2\n')
    with pytest.raises(ConfigError, match=r"bedside\.late_step_max_s is 0\.2; expected 1 to 10"):
        load_bedside(toml)
    default = BedsideService(BedsideSettings(BedsideConfig("gh", "icu", "12")))
    assert default.menu.late_step_max_s == LATE_STEP_MAX_S
