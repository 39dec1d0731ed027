"""The intent catalog: what a patient can ask for, how urgent it is, how to show and say it.

One file (``beckon/data/intents.toml``), one reader and one model: the menu uses an entry's
code, priority and text; the voice path (``beckon.voice.catalog``) adds the spoken phrases to
the same :class:`Intent`, so the two can never disagree about what an intent is.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from beckon.errors import ConfigError
from beckon.messaging.protocol import PRIORITIES, Priority

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")

IntentKind = Literal["request", "control"]

SLEEP = "sleep"
"""A menu entry that is not an intent and never travels: choosing it puts the bedside menu to
sleep (see bedside/interaction.py). It may be listed in bedside.offered_intents."""

CANCEL_REQUEST = "cancel_request"
"""A menu entry that is not an intent: offered (last) while the bed has a request open that is
not an emergency, it cancels the newest such request after a confirming gesture. Without it a
patient who can only nod could not take back a request (the Cancel button needs a touch)."""


@dataclass(frozen=True)
class Intent:
    """One catalog entry. ``kind`` "control" (yes, no, cancel) steers the voice dialogue and
    is never sent, so it has no priority. ``templates`` and ``sentences`` (the templates
    expanded, per language) are filled by the voice catalog; the menu does not need them."""

    code: str
    priority: Priority | None
    text: dict[str, str]
    kind: IntentKind = "request"
    say: dict[str, str] = field(default_factory=dict, compare=False)
    templates: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    sentences: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def label(self, language: str) -> str:
        """Display text in the given language, falling back to English, then the code."""
        return self.text.get(language) or self.text.get("en") or self.code

    def room_phrase(self, language: str) -> str:
        """What the bedside says aloud to people in the room when the patient chooses this:
        the catalog's ``say`` sentence in the language (then English), else the label."""
        phrase = self.say.get(language) or self.say.get("en") or self.label(language)
        return phrase if phrase[-1:] in ".!?。" else phrase + "."

    @property
    def is_emergency(self) -> bool:
        return self.priority == "emergency"

    @property
    def request_priority(self) -> Priority:
        """The priority a request for this intent carries (only request intents are sent)."""
        if self.priority is None:
            raise ValueError(f"{self.code} is a {self.kind} intent; it is never sent")
        return self.priority


def read_catalog(path: Path | None = None) -> tuple[str, dict[str, Any]]:
    """The catalog file parsed as TOML (the packaged one unless a path is given), with the
    name to use in error messages."""
    if path is None:
        source = "beckon/data/intents.toml"
        text = resources.files("beckon").joinpath("data/intents.toml").read_text("utf-8")
    else:
        source, text = str(path), Path(path).read_text(encoding="utf-8")
    return source, parse_toml(text, source)


def parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None


def parse_entry(code: str, entry: object, where: str) -> Intent:
    """Check what every catalog entry needs (a valid code, a table, a known kind, a priority
    for a request and none for a control, display text) and return it without phrases."""
    if not _CODE.fullmatch(code):
        raise ConfigError(f"{where}: the code must be lower-case letters, digits or '_'")
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be a table")
    kind = entry.get("kind", "request")
    if kind != "request" and kind != "control":
        raise ConfigError(f"{where}.kind is {kind!r}; expected 'request' or 'control'")
    priority = entry.get("priority")
    if kind == "request" and priority not in PRIORITIES:
        raise ConfigError(f"{where}.priority is {priority!r}; expected one of {PRIORITIES}")
    if kind == "control" and priority is not None:
        raise ConfigError(f"{where}: a control intent has no priority (it is never sent)")
    texts = entry.get("text")
    if not isinstance(texts, dict) or not all(isinstance(v, str) for v in texts.values()):
        raise ConfigError(f'{where}.text must be a table of language = "text"')
    say = entry.get("say", {})
    if not isinstance(say, dict) or not all(isinstance(v, str) and v for v in say.values()):
        raise ConfigError(f'{where}.say must be a table of language = "sentence"')
    return Intent(code, priority if kind == "request" else None, dict(texts), kind, dict(say))


def load_intents(path: Path | None = None) -> dict[str, Intent]:
    """Load and validate the requests of the intent catalog (the packaged one unless a path
    is given).

    Only ``kind = "request"`` entries are returned: the control intents (yes, no, cancel)
    steer the voice dialogue and never become requests. The spoken phrases are read and
    validated by ``beckon.voice.catalog``.
    """
    source, data = read_catalog(path)
    table = data.get("intents", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: intents must be tables such as [intents.water]")
    intents: dict[str, Intent] = {}
    for code, entry in table.items():
        intent = parse_entry(code, entry, f"{source}: intents.{code}")
        if intent.kind == "request":
            intents[code] = intent
    if not intents:
        raise ConfigError(f"{source}: no [intents.*] tables")
    return intents
