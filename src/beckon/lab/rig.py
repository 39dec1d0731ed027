"""One machine playing a ward: a broker, the station service and bedsides, wired together.

Why one helper: the demo, the UI bench, the screenshots and the end-to-end tests all need the
same "broker + station + bedside on this machine", and each used to build it by hand (same
settings keys, same temporary files, same wait for the station to connect). A tool, not the
product: a ward gets its broker and services from its own servers.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from beckon.background import Background
from beckon.bedside.service import BedsideService
from beckon.config import BedsideSettings, StationSettings, load_bedside, load_station
from beckon.messaging import protocol as p
from beckon.messaging.mqtt import MqttLink
from beckon.station.service import StationService

BrokerChoice = Literal["fastest", "embedded"]


@dataclass
class Rig:
    """Builds services for one site and unit on the broker at ``url``, with their files in
    ``folder``. ``overrides`` are config keys (``"bedside.offer_seconds": 6.0``) layered
    over the rig's own, exactly as a TOML file or the command line would set them."""

    url: str
    folder: Path
    site: str = "gh"
    unit: str = "icu"
    broker: str = "given"  # which broker serves ``url``: given, mosquitto or amqtt (embedded)
    _stack: ExitStack = field(default_factory=ExitStack, repr=False)

    def station_settings(self, overrides: Mapping[str, object] | None = None) -> StationSettings:
        keys: dict[str, object] = {
            "station.site": self.site,
            "station.units": [self.unit],
            "station.database": str(self.folder / "station.sqlite3"),
            "broker.url": self.url,
        }
        return load_station(None, {**keys, **(overrides or {})})

    def bedside_settings(
        self, bed: str = "12", overrides: Mapping[str, object] | None = None
    ) -> BedsideSettings:
        keys: dict[str, object] = {
            "bedside.site": self.site,
            "bedside.unit": self.unit,
            "bedside.bed": bed,
            "bedside.outbox": str(self.folder / f"outbox-{bed}.sqlite3"),
            "broker.url": self.url,
        }
        return load_bedside(None, {**keys, **(overrides or {})})

    def station(self, overrides: Mapping[str, object] | None = None) -> StationService:
        return StationService(self.station_settings(overrides))

    def bedside(
        self, bed: str = "12", overrides: Mapping[str, object] | None = None
    ) -> BedsideService:
        return BedsideService(self.bedside_settings(bed, overrides))

    def serve(self, station: StationService, timeout: float = 15.0) -> StationService:
        """Run the station service until the rig closes; returns once it is connected."""
        self._stack.enter_context(Background(station.run, "station"))
        if not station.ready.wait(timeout):
            raise RuntimeError(f"the station service could not reach {self.url}")
        return station

    def run(self, bedside: BedsideService) -> BedsideService:
        """Run a bedside service (no camera: post gestures to it) until the rig closes."""
        self._stack.enter_context(Background(bedside.run, f"bedside-{bedside.address.bed}"))
        return bedside

    def nurse(self, name: str) -> Nurse:
        """A nurse's console on this rig's unit, closed with the rig."""
        nurse = Nurse(self.url, self.site, self.unit, name)
        self._stack.callback(nurse.close)
        return nurse

    def close(self) -> None:
        self._stack.close()


class Nurse:
    """What a station window does for a nurse: acknowledge and resolve on the command topic."""

    def __init__(self, url: str, site: str, unit: str, name: str) -> None:
        from beckon.config import BrokerConfig

        self.name = name
        self.topic = p.Topics.unit(site, unit, "command")
        self.link = MqttLink(
            BrokerConfig(url=url), f"beckon-rig-nurse.{unit}", [], persistent=False
        )
        self.link.start(wait_s=10)

    def send(self, action: p.NurseAction, request_id: str) -> bool:
        return self.link.publish(
            self.topic, p.encode(p.nurse_command(action, request_id, self.name))
        )

    def close(self) -> None:
        self.link.stop()


@contextmanager
def one_machine(
    url: str | None = None,
    *,
    broker: BrokerChoice = "fastest",
    folder: Path | None = None,
    site: str = "gh",
    unit: str = "icu",
) -> Iterator[Rig]:
    """A rig on ``url``, or on a private broker started for it (``fastest``: Mosquitto when
    installed, else the embedded one; ``embedded``: always the embedded one, as the demo uses
    so that it needs nothing installed). Files go to ``folder`` or a temporary one; everything
    the rig started stops when the block ends."""
    with ExitStack() as stack:
        if folder is None:
            folder = stack.enter_context(temporary_folder("beckon-rig-"))
        url, kind = stack.enter_context(private_broker(url, broker))
        rig = Rig(url, folder, site, unit, kind)
        stack.callback(rig.close)
        yield rig


@contextmanager
def temporary_folder(prefix: str) -> Iterator[Path]:
    """A new private folder in the system's temporary folder, removed when the block ends, even
    when the block is interrupted before it starts.

    Why not ``tempfile.TemporaryDirectory``: it makes the folder before it arranges its removal,
    and the terminal demo turns SIGTERM into KeyboardInterrupt; one raised in between left
    /tmp/beckon-rig-* behind (tests/test_demo.py, on a loaded machine). Here the removal is in
    place (``finally``) before the folder exists; an interrupt after the ``yield`` but before the
    caller's ``with`` takes over closes this generator, which runs the ``finally`` too."""
    parent = Path(tempfile.gettempdir())
    folder: Path | None = None
    try:
        while folder is None:
            candidate = parent / f"{prefix}{secrets.token_hex(6)}"
            with suppress(FileExistsError):  # someone else's, never removed here: another name
                candidate.mkdir(mode=0o700)
                folder = candidate
        yield folder
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def private_broker(url: str | None, choice: BrokerChoice = "fastest") -> Iterator[tuple[str, str]]:
    """A broker: the given URL, a private Mosquitto, or the embedded one; yields (url, kind)."""
    if url is not None:
        yield url, "given"
        return
    from beckon.messaging.broker import EmbeddedBroker, free_port, wait_for_port

    binary = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
    )
    if binary is None or choice == "embedded":
        with EmbeddedBroker() as embedded:
            yield embedded.url, "amqtt (embedded)"
        return
    port = free_port()
    with temporary_folder("beckon-rig-mqtt-") as conf_folder:
        conf = conf_folder / "mosquitto.conf"
        conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\n")
        proc = subprocess.Popen(
            [binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            if not wait_for_port(port, 10):
                raise RuntimeError("mosquitto did not start for the rig")
            yield f"mqtt://127.0.0.1:{port}", "mosquitto"
        finally:
            proc.terminate()
            proc.wait(10)


__all__ = ["Nurse", "Rig", "one_machine", "private_broker"]
