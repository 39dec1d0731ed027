"""A real Mosquitto that refuses every client (anonymous access off, no users): what a broker
whose password file or ACL does not admit a device answers, a CONNACK refusal with its reason
code ("Not authorized"). A ``ClientCutProxy`` route sends one unit's connection to it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers.conf_mosquitto import mosquitto_with


@contextmanager
def refusing_mosquitto(folder: Path) -> Iterator[int]:
    """Its port, while it runs (nothing kept: no persistence)."""
    with mosquitto_with(folder, "refusing", "allow_anonymous false\n") as port:
        yield port
