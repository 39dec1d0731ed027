"""Per-patient gesture profiles: which gestures are on, their thresholds, what each one does.

Why per patient: a stroke patient may nod 3 degrees, another cannot close one eye, a third
smiles with eyes half shut. Thresholds come from calibration (:mod:`beckon.vision.calibration`)
against the patient's own resting face; the profile keeps them, the neutral pose and the
resting blendshape scores, and the mapping from gesture to action for the interaction.

Profiles are TOML files (see ``deploy/profile.example.toml``), validated on load: a wrong key
raises :class:`beckon.errors.ConfigError` naming the file, the key and what is expected. This
module is their only reader and writer (``load_profile``, ``save_profile``) and knows where a
bed's profile lives (``profile_path``); the wizard, ``beckon calibrate`` and the bedside call it.
"""

from __future__ import annotations

import logging
import math
import os
import stat
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, get_args

from beckon.bedside.interaction import CONFIRM_AFTER_MAX_S, CONFIRM_AFTER_S, MenuMode
from beckon.config import OFFER_SECONDS
from beckon.errors import ConfigError
from beckon.tomlfile import read_toml
from beckon.voice.dialogue import EMERGENCY_POLICIES, DialoguePolicy

GESTURES: tuple[str, ...] = (
    "nod",
    "shake",
    "tilt_left",
    "tilt_right",
    "turn_left",
    "turn_right",
    "look_up",
    "look_down",
    "long_blink",
    "mouth_open",
    "brow_raise",
)
"""Every gesture Beckon knows, under the names ``beckon replay --json`` prints."""

HEAD_HELD = {
    # gesture: (channel, sign). Signs follow beckon.vision.pose (the patient's own left/right).
    "tilt_left": ("roll", -1),
    "tilt_right": ("roll", +1),
    "turn_left": ("yaw", +1),
    "turn_right": ("yaw", -1),
    "look_up": ("pitch", -1),
    "look_down": ("pitch", +1),
}
FACE_HELD = {"long_blink": "blink", "mouth_open": "jaw", "brow_raise": "brow"}
"""Expression gestures and the blendshape channel each one reads (``vision.channels``)."""

MAX_HOLD_S = 30.0
"""Longest hold a profile can ask of a held gesture."""
MAX_WAIT_S = 120.0
"""Longest pause or confirmation wait a profile can set: longer and the menu looks dead."""
ACTIONS = ("select", "next", "previous", "cancel", "confirm", "sleep", "none")
"""What a gesture can do in the menu; ``call:INTENT`` sends that request directly."""


@dataclass(frozen=True, slots=True)
class GestureSetting:
    """One gesture in a profile. ``threshold`` is the swing (nod, shake) or excursion (held
    gestures) in degrees, or the blendshape score above rest for expressions."""

    enabled: bool
    threshold: float
    min_hold_s: float
    max_hold_s: float
    action: str = "none"


_DEFAULTS: dict[str, GestureSetting] = {
    # Holds from 0.4 s (a brisk look) to 3 s (a slow, weak patient): min_hold_s is the plateau
    # near the peak (a 0.4 s hold and its ramps stay above 90 % of the peak for 0.4 to 0.5 s),
    # max_hold_s the whole excursion, ramps included. A long blink needs 0.7 s: normal blinks
    # last up to 0.5 s. Turns need 8 degrees, like tilts and looks: MediaPipe reads a turn
    # rendered at 14 degrees as 10 to 11 (the turn is the axis it underestimates most), so a
    # 10-degree bar left the smaller turns of the bench's tune part within 5 % of it.
    "nod": GestureSetting(True, 4.0, 0.0, 0.0, "select"),
    "shake": GestureSetting(True, 5.0, 0.0, 0.0, "next"),
    "tilt_left": GestureSetting(True, 8.0, 0.4, 4.0, "none"),
    "tilt_right": GestureSetting(True, 8.0, 0.4, 4.0, "none"),
    "turn_left": GestureSetting(True, 8.0, 0.4, 4.0, "previous"),
    "turn_right": GestureSetting(True, 8.0, 0.4, 4.0, "next"),
    "look_up": GestureSetting(True, 8.0, 0.4, 4.0, "none"),
    "look_down": GestureSetting(True, 8.0, 0.4, 4.0, "none"),
    "long_blink": GestureSetting(True, 0.18, 0.7, 4.5, "confirm"),
    "mouth_open": GestureSetting(True, 0.2, 0.45, 3.8, "none"),
    "brow_raise": GestureSetting(True, 0.2, 0.45, 4.0, "cancel"),
}


@dataclass(frozen=True, slots=True)
class Calibration:
    """What calibration measured on the patient's resting face."""

    neutral_rotation: tuple[float, ...] = ()
    """Row-major 3x3 absolute head rotation at rest (empty: learn it live)."""
    noise: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """Resting jitter (robust std, degrees) of pitch, yaw, roll; 0 = measure live."""
    rest: dict[str, float] = field(default_factory=dict)
    """Resting score of each expression channel (blink, jaw, brow); missing = measure live."""

    @property
    def has_neutral(self) -> bool:
        return len(self.neutral_rotation) == 9


@dataclass(frozen=True, slots=True)
class InteractionSettings:
    """How the menu behaves for this patient (see :mod:`beckon.bedside.interaction`)."""

    mode: MenuMode = "scanning"
    """``scanning``: items are offered in turn; ``pointing``: the patient moves the highlight."""
    items: tuple[str, ...] = ()
    """Intent codes offered, in order; empty = the bedside's ``offered_intents``."""
    offer_seconds: float = 0.0
    """Seconds per offer while scanning; 0 = the bedside's ``offer_seconds``."""
    pause_after_select_s: float = 3.0
    confirm_timeout_s: float = 8.0
    """Seconds a choice waits for its confirming gesture, counted from when that gesture
    counts (``confirm_after_s`` after the confirmation appeared)."""
    confirm_after_s: float = CONFIRM_AFTER_S
    """Seconds after a confirmation appears before a confirming gesture counts (0 to
    ``CONFIRM_AFTER_MAX_S``): the selecting movement's echo (a held look reported twice, a nod
    repeated at once) must not confirm what it chose. Cancelling counts at once."""
    confirm_intents: tuple[str, ...] = ("emergency",)
    """Requests that need a confirmation gesture after being selected."""
    scale_intents: tuple[str, ...] = ("pain",)
    """Requests that, once selected, ask for a number from 0 to 10 (the pain scale) with the
    same gestures; the number travels with the request."""


@dataclass(frozen=True, slots=True)
class GestureProfile:
    """Everything per patient that the vision path and the menu need."""

    name: str = "default"
    gestures: dict[str, GestureSetting] = field(default_factory=lambda: dict(_DEFAULTS))
    calibration: Calibration = field(default_factory=Calibration)
    interaction: InteractionSettings = field(default_factory=InteractionSettings)
    voice: DialoguePolicy = field(default_factory=DialoguePolicy)
    """How spoken requests are confirmed, and the fast path of emergency words."""
    source: str = "<defaults>"

    def setting(self, gesture: str) -> GestureSetting:
        return self.gestures.get(gesture, _DEFAULTS[gesture])

    def enabled(self) -> tuple[str, ...]:
        """Gestures switched on, in the canonical order."""
        return tuple(g for g in GESTURES if self.setting(g).enabled)

    def actions(self) -> dict[str, str]:
        """Gesture name to action for every enabled gesture with an action."""
        return {
            g: self.setting(g).action
            for g in self.enabled()
            if self.setting(g).action not in ("", "none")
        }

    def with_gesture(self, gesture: str, **changes: Any) -> GestureProfile:
        """A copy with one gesture's setting changed."""
        gestures = dict(self.gestures)
        gestures[gesture] = replace(self.setting(gesture), **changes)
        return replace(self, gestures=gestures)


def default_setting(gesture: str) -> GestureSetting:
    """The built-in (uncalibrated) setting of a gesture."""
    return _DEFAULTS[gesture]


# ---------------------------------------------------------------- loading


def profile_path(site: str, unit: str, bed: str, folder: Path | None = None) -> Path:
    """Where a bed's calibrated profile is saved (``profile-SITE-UNIT-BED.toml`` in the state
    folder): the calibration wizard writes it there unless ``bedside.profile`` names a file."""
    from beckon import paths

    return (folder or paths.state_dir()) / f"profile-{site}-{unit}-{bed}.toml"


def load_configured_profile(path: str, default: Path | None = None) -> GestureProfile:
    """The profile that ``bedside.profile`` names; when it is empty, the one the calibration
    wizard saved for this bed (``default``, from :func:`profile_path`) if there is one, so the
    wizard's "used from the next start" is true; else the built-in defaults. A wizard-saved
    profile that cannot be read falls back to the defaults with an error in the log rather
    than stopping the patient's bedside."""
    if path:
        return load_profile(path)
    if default is None or not default.is_file():
        return GestureProfile()
    try:
        return load_profile(default)
    except ConfigError:
        logging.getLogger(__name__).exception(
            "the calibrated profile %s cannot be read; using the defaults", default
        )
        return GestureProfile()


def load_profile(path: str | Path) -> GestureProfile:
    """Read and validate a profile file."""
    raw = read_toml(
        path,
        "profile not found",
        "create one with `beckon calibrate` or copy deploy/profile.example.toml",
    )
    return parse_profile(raw, str(path))


def parse_profile(raw: dict[str, Any], source: str = "<profile>") -> GestureProfile:
    """Validate a profile already parsed from TOML."""
    known = {"patient", "gestures", "calibration", "interaction", "voice"}
    for key in raw:
        if key not in known:
            raise ConfigError(
                f"{source}: unknown table [{key}]; a profile has "
                + ", ".join(f"[{k}]" for k in sorted(known))
            )
    patient = _table(raw, "patient", source)
    name = patient.get("name", "default")
    if not isinstance(name, str):
        raise ConfigError(f"{source}: patient.name is {name!r}; expected a string")
    gestures = dict(_DEFAULTS)
    table = _table(raw, "gestures", source)
    for gname, entry in table.items():
        where = f"{source}: gestures.{gname}"
        if gname not in GESTURES:
            raise ConfigError(f"{where}: unknown gesture; known gestures are {', '.join(GESTURES)}")
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a table ([gestures.{gname}])")
        gestures[gname] = _gesture(entry, _DEFAULTS[gname], where)
    return GestureProfile(
        name=name,
        gestures=gestures,
        calibration=_calibration(_table(raw, "calibration", source), source),
        interaction=_interaction(_table(raw, "interaction", source), source),
        voice=_voice(_table(raw, "voice", source), source),
        source=source,
    )


def _table(raw: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: {key} must be a table ([{key}])")
    return value


def _number(value: Any, where: str, *, minimum: float = 0.0, maximum: float = math.inf) -> float:
    """A finite number in [minimum, maximum]. Without the upper bound a profile could stop
    the scanning menu for good (offer_seconds = inf) or make a nod never select (threshold =
    inf), and load without a word."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{where} is {value!r}; expected a finite number")
    if not minimum <= value <= maximum:
        bounds = f"at least {minimum:g}" if maximum == math.inf else f"{minimum:g} to {maximum:g}"
        raise ConfigError(f"{where} is {value!r}; expected a number of {bounds}")
    return float(value)


def _check_keys(entry: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in entry:
        if key not in allowed:
            raise ConfigError(
                f"{where}: unknown key {key}; known keys are {', '.join(sorted(allowed))}"
            )


def _action(value: Any, where: str) -> str:
    if not isinstance(value, str) or not (
        value in ACTIONS or (value.startswith("call:") and len(value) > 5)
    ):
        raise ConfigError(
            f"{where} is {value!r}; expected one of {', '.join(ACTIONS)} or call:INTENT"
        )
    return value


def _gesture(entry: dict[str, Any], base: GestureSetting, where: str) -> GestureSetting:
    _check_keys(entry, {"enabled", "threshold", "min_hold_s", "max_hold_s", "action"}, where)
    enabled = entry.get("enabled", base.enabled)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{where}.enabled is {enabled!r}; expected true or false")
    threshold = _number(entry.get("threshold", base.threshold), f"{where}.threshold")
    if threshold <= 0:
        raise ConfigError(f"{where}.threshold is {threshold!r}; expected a number above 0")
    min_hold = _number(
        entry.get("min_hold_s", base.min_hold_s), f"{where}.min_hold_s", maximum=MAX_HOLD_S
    )
    max_hold = _number(
        entry.get("max_hold_s", base.max_hold_s), f"{where}.max_hold_s", maximum=MAX_HOLD_S
    )
    if max_hold and max_hold < min_hold:
        raise ConfigError(f"{where}.max_hold_s is {max_hold}; expected at least min_hold_s")
    action = _action(entry.get("action", base.action), f"{where}.action")
    return GestureSetting(enabled, threshold, min_hold, max_hold, action)


def _calibration(entry: dict[str, Any], source: str) -> Calibration:
    where = f"{source}: calibration"
    _check_keys(entry, {"neutral_rotation", "noise", "rest"}, where)
    rot = entry.get("neutral_rotation", [])
    if not isinstance(rot, list) or len(rot) not in (0, 9):
        raise ConfigError(f"{where}.neutral_rotation: expected a list of 9 numbers (3x3 by rows)")
    rotation = tuple(
        _number(v, f"{where}.neutral_rotation[{i}]", minimum=-1.0, maximum=1.0)
        for i, v in enumerate(rot)
    )
    noise = entry.get("noise", [0.0, 0.0, 0.0])
    if not isinstance(noise, list) or len(noise) != 3:
        raise ConfigError(f"{where}.noise: expected [pitch, yaw, roll] in degrees")
    n = tuple(_number(v, f"{where}.noise[{i}]", maximum=90.0) for i, v in enumerate(noise))
    rest = entry.get("rest", {})
    if not isinstance(rest, dict):
        raise ConfigError(f"{where}.rest: expected a table such as {{ blink = 0.05 }}")
    for key in rest:
        if key not in ("blink", "jaw", "brow"):
            raise ConfigError(f"{where}.rest.{key}: unknown channel; expected blink, jaw or brow")
    return Calibration(
        neutral_rotation=rotation,
        noise=(n[0], n[1], n[2]),
        rest={k: _number(v, f"{where}.rest.{k}", maximum=1.0) for k, v in rest.items()},
    )


def _interaction(entry: dict[str, Any], source: str) -> InteractionSettings:
    where = f"{source}: interaction"
    base = InteractionSettings()
    _check_keys(
        entry,
        {
            "mode",
            "items",
            "offer_seconds",
            "pause_after_select_s",
            "confirm_timeout_s",
            "confirm_after_s",
            "confirm_intents",
            "scale_intents",
        },
        where,
    )
    mode = entry.get("mode", base.mode)
    if mode not in get_args(MenuMode):
        raise ConfigError(f"{where}.mode is {mode!r}; expected 'scanning' or 'pointing'")

    def names(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = entry.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"{where}.{key} is {value!r}; expected a list of intent codes")
        return tuple(value)

    return InteractionSettings(
        mode=mode,
        items=names("items", base.items),
        offer_seconds=_offer_seconds(entry.get("offer_seconds", base.offer_seconds), where),
        pause_after_select_s=_number(
            entry.get("pause_after_select_s", base.pause_after_select_s),
            f"{where}.pause_after_select_s",
            maximum=MAX_WAIT_S,
        ),
        confirm_timeout_s=_number(
            entry.get("confirm_timeout_s", base.confirm_timeout_s),
            f"{where}.confirm_timeout_s",
            maximum=MAX_WAIT_S,
        ),
        confirm_after_s=_number(
            entry.get("confirm_after_s", base.confirm_after_s),
            f"{where}.confirm_after_s",
            maximum=CONFIRM_AFTER_MAX_S,
        ),
        confirm_intents=names("confirm_intents", base.confirm_intents),
        scale_intents=names("scale_intents", base.scale_intents),
    )


def _offer_seconds(value: Any, where: str) -> float:
    """0 (the bedside's own ``offer_seconds``), or within the bedside's range."""
    if value == 0 and not isinstance(value, bool):
        return 0.0
    low, high = OFFER_SECONDS
    return _number(value, f"{where}.offer_seconds", minimum=low, maximum=high)


def _voice(entry: dict[str, Any], source: str) -> DialoguePolicy:
    where = f"{source}: voice"
    base = DialoguePolicy()
    _check_keys(entry, {"confirm_timeout_s", "emergency", "emergency_window_s"}, where)
    emergency = entry.get("emergency", base.emergency)
    if emergency not in EMERGENCY_POLICIES:
        raise ConfigError(
            f"{where}.emergency is {emergency!r}; expected one of "
            + ", ".join(repr(p) for p in EMERGENCY_POLICIES)
        )
    return DialoguePolicy(
        confirm_timeout_s=_number(
            entry.get("confirm_timeout_s", base.confirm_timeout_s),
            f"{where}.confirm_timeout_s",
            minimum=1.0,
            maximum=MAX_WAIT_S,
        ),
        emergency=emergency,
        emergency_window_s=_number(
            entry.get("emergency_window_s", base.emergency_window_s),
            f"{where}.emergency_window_s",
            minimum=0.5,
            maximum=MAX_WAIT_S,
        ),
    )


# ---------------------------------------------------------------- saving


def _confirm_after_line(i: InteractionSettings) -> list[str]:
    """``confirm_after_s`` only when it is not the default: versions before it (da6b0c2 and
    older) refuse a profile with a key they do not know and the bedside exits at start, so a
    profile saved by staff timing, calibration or relearn must still load after a rollback."""
    if i.confirm_after_s == CONFIRM_AFTER_S:
        return []
    return [f"confirm_after_s = {i.confirm_after_s:g}"]


def dump_profile(profile: GestureProfile) -> str:
    """The profile as TOML text that :func:`load_profile` reads back to an equal profile."""
    lines = ["# Beckon patient profile (written by `beckon calibrate`; safe to edit)", ""]
    lines += ["[patient]", f"name = {_q(profile.name)}", ""]
    for g in GESTURES:
        s = profile.setting(g)
        lines += [
            f"[gestures.{g}]",
            f"enabled = {'true' if s.enabled else 'false'}",
            f"threshold = {s.threshold:.4g}",
            f"min_hold_s = {s.min_hold_s:.3g}",
            f"max_hold_s = {s.max_hold_s:.3g}",
            f"action = {_q(s.action)}",
            "",
        ]
    c = profile.calibration
    lines += ["[calibration]"]
    if c.has_neutral:
        lines.append(
            "neutral_rotation = [" + ", ".join(f"{v:.6f}" for v in c.neutral_rotation) + "]"
        )
    lines.append("noise = [" + ", ".join(f"{v:.3f}" for v in c.noise) + "]")
    lines.append(
        "rest = { " + ", ".join(f"{k} = {v:.4f}" for k, v in sorted(c.rest.items())) + " }"
    )
    i = profile.interaction
    lines += [
        "",
        "[interaction]",
        f"mode = {_q(i.mode)}",
        "items = [" + ", ".join(_q(x) for x in i.items) + "]",
        f"offer_seconds = {i.offer_seconds:g}",
        f"pause_after_select_s = {i.pause_after_select_s:g}",
        f"confirm_timeout_s = {i.confirm_timeout_s:g}",
        *_confirm_after_line(i),
        "confirm_intents = [" + ", ".join(_q(x) for x in i.confirm_intents) + "]",
        "scale_intents = [" + ", ".join(_q(x) for x in i.scale_intents) + "]",
        "",
    ]
    v = profile.voice
    lines += [
        "[voice]",
        f"confirm_timeout_s = {v.confirm_timeout_s:g}",
        f"emergency = {_q(v.emergency)}",
        f"emergency_window_s = {v.emergency_window_s:g}",
        "",
    ]
    return "\n".join(lines)


def save_profile(profile: GestureProfile, path: str | Path) -> Path:
    """Write the profile atomically: a half-written profile is never read.

    Each save writes its own temporary file (the calibration wizard on the window's thread
    and staff's changes on the service's may save at the same moment: with one shared name,
    one could move the other's half-written file into place). A link is followed, so a bed
    whose profile links to a shared file keeps following it, and the file keeps its
    permissions (new files: 0644)."""
    out = Path(path).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(out.stat().st_mode) if out.exists() else 0o644
    fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(dump_profile(profile))
        tmp.chmod(mode)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
