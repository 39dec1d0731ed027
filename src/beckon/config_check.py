"""What ``beckon config check`` finds beyond the file's syntax: configurations that load but fail.

Loading a configuration checks types and names. A file can pass that and still fail in the
ward: a bed-12 tablet logging in as bed 13 (the broker drops every request it sends), a password
or CA file that is not there, a broker host nobody can resolve, a requested intent spelled
"watr". Each finding names the key, says what is wrong and what to do; errors make the check
fail, warnings (such as a host not resolvable from the machine running the check, which may not
be the tablet) do not.
"""

from __future__ import annotations

import difflib
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from beckon.config import BedsideSettings, BrokerConfig, StationSettings
from beckon.errors import ConfigError
from beckon.intents import SLEEP, Intent

if TYPE_CHECKING:
    from beckon.profile import GestureProfile

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    level: Level
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.key}: {self.message}"


Resolver = Callable[[str], bool]


def resolves(host: str) -> bool:
    """Whether ``host`` resolves to an address from here."""
    try:
        socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return False
    return True


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """ " (did you mean 'water'?)" for a near miss, else ""."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_intents(offered: Iterable[str], intents: dict[str, Intent]) -> list[str]:
    """One sentence per offered intent the catalog does not have, with a did-you-mean."""
    return [
        f"{code!r} is not a request in the intent catalog{did_you_mean(code, intents)}; "
        f"known requests: {', '.join(sorted(intents))}"
        for code in offered
        if code not in intents and code != SLEEP
    ]


def profile_unknown_intents(profile: GestureProfile, intents: dict[str, Intent]) -> list[str]:
    """One sentence per intent the patient's profile names (its ``[interaction] items`` and
    ``call:`` actions) that the catalog does not have. The bedside leaves them out as a device
    fault; ``config check`` reports them (it said "valid" and the tablet then stopped)."""
    called = [a[5:] for a in profile.actions().values() if a.startswith("call:")]
    return [
        f"the profile {profile.source} names {code!r}, which is not a request in the intent "
        f"catalog{did_you_mean(code, intents)}; fix its [interaction] items or call: actions"
        for code in dict.fromkeys((*profile.interaction.items, *called))
        if code not in intents and code != SLEEP
    ]


def without_unknown_intents(profile: GestureProfile, intents: dict[str, Intent]) -> GestureProfile:
    """The profile with the intents the catalog does not have left out: unknown menu items
    dropped, a gesture that called one does nothing."""
    known = tuple(i for i in profile.interaction.items if i in intents or i == SLEEP)
    cleaned = replace(profile, interaction=replace(profile.interaction, items=known))
    for gesture, action in profile.actions().items():
        if action.startswith("call:") and action[5:] not in intents:
            cleaned = cleaned.with_gesture(gesture, action="none")
    return cleaned


def bed_username(site: str, unit: str, bed: str) -> tuple[str, str]:
    """The two username forms of docs/deployment and deploy/mosquitto/acl for one bed: the
    pattern form ``SITE/UNIT/bed/BED`` and the per-bed block form ``bed-SITE-UNIT-BED``."""
    return f"{site}/{unit}/bed/{bed}", f"bed-{site}-{unit}-{bed}"


def check_bedside(
    settings: BedsideSettings,
    intents: dict[str, Intent],
    resolver: Resolver = resolves,
) -> list[Finding]:
    cfg = settings.bedside
    findings = [
        Finding("error", "bedside.offered_intents", text)
        for text in unknown_intents(cfg.offered_intents, intents)
    ]
    user = settings.broker.username
    if user:
        pattern, block = bed_username(cfg.site, cfg.unit, cfg.bed)
        if "/" in user and user != pattern:
            findings.append(
                Finding(
                    "error",
                    "broker.username",
                    f"{user!r} is not this bed's username: bed {cfg.bed} of {cfg.site}/"
                    f"{cfg.unit} logs in as {pattern!r}, otherwise the broker drops every "
                    "request it sends; fix bedside.bed or broker.username",
                )
            )
        elif "/" not in user and user.startswith("bed-") and user != block:
            findings.append(
                Finding(
                    "error",
                    "broker.username",
                    f"{user!r} is not this bed's username; expected {block!r} (or "
                    f"{pattern!r}); fix bedside.bed or broker.username",
                )
            )
    findings += _check_camera(cfg.camera)
    if cfg.profile and not Path(cfg.profile).is_file():
        findings.append(
            Finding(
                "error",
                "bedside.profile",
                f"{cfg.profile} does not exist; calibrate the patient or remove the key",
            )
        )
    elif cfg.profile:
        # Read as the bedside reads it at start: a profile it refuses (an unknown key, a
        # number out of range) passed here and then stopped the tablet with exit 78.
        from beckon.profile import load_profile

        try:
            profile = load_profile(Path(cfg.profile))
        except ConfigError as exc:
            findings.append(Finding("error", "bedside.profile", str(exc.message)))
        else:
            findings += [
                Finding("error", "bedside.profile", text)
                for text in profile_unknown_intents(profile, intents)
            ]
    findings += check_broker(settings.broker, resolver)
    return findings


def _check_camera(camera: str) -> list[Finding]:
    """A camera that is neither a number, /dev/videoN nor a video file on this machine: the
    bedside retried it as a camera every 10 s while the check said "valid"."""
    from beckon.vision.frames import camera_index

    if not camera.strip() or camera_index(camera) is not None or Path(camera).is_file():
        return []
    return [
        Finding(
            "error",
            "bedside.camera",
            f"{camera!r} is not a camera number, /dev/videoN or a video file here; give the "
            "camera's number (0 is /dev/video0; `v4l2-ctl --list-devices` lists them)",
        )
    ]


def check_station(settings: StationSettings, resolver: Resolver = resolves) -> list[Finding]:
    return check_broker(settings.broker, resolver) + check_hook(settings)


def check_hook(settings: StationSettings) -> list[Finding]:
    """What the station refuses at start (``beckon.station.hook.check_hook``: a URL that is no
    http(s) URL, a timeout of 0), and a program that cannot be run (``missing_program``)."""
    from beckon.station.hook import check_hook as refused
    from beckon.station.hook import missing_program

    findings: list[Finding] = []
    try:
        refused(settings.escalation, str(settings.source))
    except ConfigError as exc:
        key = "escalation.hook_url" if "hook_url" in exc.message else "escalation.hook_timeout_s"
        findings.append(Finding("error", key, str(exc)))
    missing = missing_program(settings.escalation)
    if missing is not None:
        findings.append(Finding("error", "escalation.hook_command", missing))
    return findings


def check_broker(broker: BrokerConfig, resolver: Resolver = resolves) -> list[Finding]:
    findings: list[Finding] = []
    for key in ("password_file", "ca_file", "cert_file", "key_file"):
        value = str(getattr(broker, key))
        if not value:
            continue
        path = Path(value)
        if not path.is_file():
            findings.append(
                Finding("error", f"broker.{key}", f"{value} does not exist or is not a file")
            )
        elif not _readable(path):
            findings.append(
                Finding("error", f"broker.{key}", f"{value} cannot be read by this user")
            )
    if not findings:  # the files are there: are they what TLS needs?
        from beckon.messaging.mqtt import check_ca_file, check_client_cert, check_password_file

        for key, check in (
            ("password_file", check_password_file),
            ("ca_file", check_ca_file),
            ("cert_file", check_client_cert),
        ):
            try:
                check(broker)
            except ConfigError as exc:
                findings.append(Finding("error", f"broker.{key}", exc.message))
    if broker.username and not (broker.password or broker.password_file):
        findings.append(
            Finding(
                "error",
                "broker.password",
                f"username {broker.username!r} has no password or password_file; the broker "
                "refuses anonymous and password-less logins",
            )
        )
    if broker.tls and not broker.ca_file:
        findings.append(
            Finding(
                "warning",
                "broker.ca_file",
                "mqtts:// without ca_file trusts the system's certificate authorities",
            )
        )
    if not resolver(broker.host):
        findings.append(
            Finding(
                "warning",
                "broker.url",
                f"the broker host {broker.host!r} does not resolve from this machine; check "
                "the name (or run the check on the tablet itself)",
            )
        )
    return findings


def _readable(path: Path) -> bool:
    try:
        with path.open("rb"):
            return True
    except OSError:
        return False
