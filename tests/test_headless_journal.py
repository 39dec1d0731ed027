"""What ``beckon bedside --headless`` writes to the journal: every event a person may need at
INFO, the menu's own steps only with ``-v`` (a highlight every few seconds, all day long,
filled about a megabyte every 12 hours)."""

from __future__ import annotations

import logging

import pytest

from beckon.bedside import events as ev
from beckon.bedside.interaction import MenuView
from beckon.cli.run import _log_event


def test_menu_steps_are_debug_and_requests_info(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, "beckon"):
        _log_event(ev.MenuChanged(MenuView(("water",), "water", "offering"), 0.0))
        _log_event(ev.RequestSaved("water", "3f2b8c1e-6a4d-4e0b-9c57-2d1e8f4a7b90"))
    levels = {r.getMessage().split()[1]: r.levelno for r in caplog.records}
    assert levels == {"MenuChanged": logging.DEBUG, "RequestSaved": logging.INFO}
