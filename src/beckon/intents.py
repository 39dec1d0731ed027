"""The intent table: what a patient can ask for, how urgent it is, and how to show it."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from beckon.errors import ConfigError
from beckon.messaging.protocol import PRIORITIES, Priority

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@dataclass(frozen=True)
class Intent:
    code: str
    priority: Priority
    text: dict[str, str]

    def label(self, language: str) -> str:
        """Display text in the given language, falling back to English, then the code."""
        return self.text.get(language) or self.text.get("en") or self.code


IntentKind = Literal["request", "control"]


def entry_kind(code: str, entry: object, where: str) -> IntentKind:
    """Check what every catalog entry needs (a valid code, a table, a known kind); return the
    kind. Shared with ``beckon.voice.catalog`` so both readers of the file agree."""
    if not _CODE.fullmatch(code):
        raise ConfigError(f"{where}: the code must be lower-case letters, digits or '_'")
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be a table")
    kind = entry.get("kind", "request")
    if kind == "request" or kind == "control":
        return "request" if kind == "request" else "control"
    raise ConfigError(f"{where}.kind is {kind!r}; expected 'request' or 'control'")


def entry_text(entry: dict[str, object], where: str) -> dict[str, str]:
    """The entry's display text per language, checked."""
    texts = entry.get("text")
    if not isinstance(texts, dict) or not all(isinstance(v, str) for v in texts.values()):
        raise ConfigError(f'{where}.text must be a table of language = "text"')
    return dict(texts)


def load_intents(path: Path | None = None) -> dict[str, Intent]:
    """Load and validate the requests of the intent catalog (the packaged one unless a path
    is given).

    Only ``kind = "request"`` entries are returned: the control intents (yes, no, cancel)
    steer the voice dialogue and never become requests. The spoken phrases are read and
    validated by ``beckon.voice.catalog``.
    """
    if path is None:
        source = "beckon/data/intents.toml"
        text = resources.files("beckon").joinpath("data/intents.toml").read_text("utf-8")
    else:
        source, text = str(path), path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    table = data.get("intents", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: intents must be tables such as [intents.water]")
    intents: dict[str, Intent] = {}
    for code, entry in table.items():
        where = f"{source}: intents.{code}"
        if entry_kind(code, entry, where) == "control":
            continue
        priority = entry.get("priority")
        if priority not in PRIORITIES:
            raise ConfigError(f"{where}.priority is {priority!r}; expected one of {PRIORITIES}")
        intents[code] = Intent(code, priority, entry_text(entry, where))
    if not intents:
        raise ConfigError(f"{source}: no [intents.*] tables")
    return intents
