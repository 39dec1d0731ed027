"""The intent table: what a patient can ask for, how urgent it is, and how to show it."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

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


def load_intents(path: Path | None = None) -> dict[str, Intent]:
    """Load and validate the intent table (the packaged one unless a path is given)."""
    if path is None:
        source = "beckon/data/intents.toml"
        text = resources.files("beckon").joinpath("data/intents.toml").read_text("utf-8")
    else:
        source, text = str(path), path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    intents: dict[str, Intent] = {}
    for code, entry in data.get("intents", {}).items():
        where = f"{source}: intents.{code}"
        if not _CODE.match(code):
            raise ConfigError(f"{where}: the code must be lower-case letters, digits or '_'")
        priority = entry.get("priority")
        if priority not in PRIORITIES:
            raise ConfigError(f"{where}.priority is {priority!r}; expected one of {PRIORITIES}")
        texts = entry.get("text")
        if not isinstance(texts, dict) or not all(isinstance(v, str) for v in texts.values()):
            raise ConfigError(f'{where}.text must be a table of language = "text"')
        intents[code] = Intent(code, priority, dict(texts))
    if not intents:
        raise ConfigError(f"{source}: no [intents.*] tables")
    return intents
