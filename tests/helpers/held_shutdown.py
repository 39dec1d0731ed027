"""``beckon`` whose clean shutdown (or its start, before it builds anything) hangs at one point,
so that a test can see what a stop does then. Run in a subprocess by
tests/test_headless_shutdown.py::

    python -m tests.helpers.held_shutdown POINT bedside --headless --config ...

The command is the real one (``beckon.cli.main`` with these arguments, as ``python -m beckon``
runs it); only one function its shutdown calls never returns. It prints ``HELD POINT`` on
stderr first. The points (:data:`POINTS`):

* ``service``: the shutdown's own first step on the main thread, as a stuck thread or a broker
  that does not answer would hold it: :meth:`BedsideHost.stop` for the bedside, the station
  service's stop of its MQTT links (``stop_links``) for the station;
* ``network``: paho's network thread, in the read it does after the DISCONNECT of a link's
  stop (``_drain_until_closed``), as a callback that does not return would hold it; paho's
  ``loop_stop()`` joins that thread;
* ``unbuilt``: the bedside's start once it has read its configuration, checked its files and
  taken its outbox's lock, before it catches signals and builds its service
  (``_bedside_headless``).

Nothing in the product knows about this. When the command returns, its status is the
process's; a process ended by a signal prints nothing more.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import beckon.bedside.host
import beckon.cli.run
import beckon.messaging.mqtt
import beckon.station.service
from beckon.cli import main

HELD = "HELD"


def _owner_and_name(point: str, command: list[str]) -> tuple[Any, str]:
    if point == "network":
        return beckon.messaging.mqtt, "_drain_until_closed"
    if point == "unbuilt" and command[0] == "bedside":
        return beckon.cli.run, "_bedside_headless"
    if point == "service" and command[0] == "bedside":
        return beckon.bedside.host.BedsideHost, "stop"
    if point == "service" and command[0] == "station":
        return beckon.station.service, "stop_links"
    raise SystemExit(f"held_shutdown: no point {point!r} for {command}")


def hold_forever(point: str, command: list[str]) -> None:
    owner, name = _owner_and_name(point, command)

    def never_returns(*args: Any, **kwargs: Any) -> None:
        print(HELD, point, file=sys.stderr, flush=True)
        while True:  # a sleep, so that the main thread still runs its signal handlers
            time.sleep(0.05)

    setattr(owner, name, never_returns)


if __name__ == "__main__":
    hold_forever(sys.argv[1], sys.argv[2:])
    raise SystemExit(main(sys.argv[2:]))
