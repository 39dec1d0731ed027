"""Where Beckon keeps its files on a machine.

Models and state default to the XDG data folder so that a non-root service user works;
``BECKON_HOME`` moves everything at once (tests use it), ``BECKON_MODELS_DIR`` moves only models.
"""

from __future__ import annotations

import os
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path


def beckon_home() -> Path:
    """The folder for models, outboxes and station databases."""
    if home := os.environ.get("BECKON_HOME"):
        return Path(home)
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "beckon"


def models_dir() -> Path:
    """The folder where installed third-party models live."""
    if override := os.environ.get("BECKON_MODELS_DIR"):
        return Path(override)
    return beckon_home() / "models"


def state_dir() -> Path:
    """The folder for SQLite files (bedside outbox, station store)."""
    return beckon_home() / "state"


def _asset_folder(name: str) -> Traversable:
    """A top-level repo folder that the wheel ships as ``beckon.assets.<name>``.

    An editable install (``pip install -e .``) cannot map those folders into the package,
    so there we read them straight from the checkout, two levels above ``src/beckon``.
    """
    try:
        return resources.files(f"beckon.assets.{name}")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / name


def packaged_models() -> Traversable:
    """The repo's top-level ``models/`` folder: the manifest and the models we train."""
    return _asset_folder("models")


def packaged_ui() -> Traversable:
    """The repo's top-level ``ui/`` folder: stylesheets, icons, translations."""
    return _asset_folder("ui")
