"""An embedded MQTT broker for the one-machine demo (amqtt, loopback only).

Deployments use Mosquitto (deploy/mosquitto/); this exists so ``beckon demo`` needs no system
service. amqtt speaks MQTT 3.1.1 only, which the link handles by falling back. It listens on
127.0.0.1 only, so its anonymous access never reaches the network.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time

from beckon.closing import Started
from beckon.errors import BeckonError

log = logging.getLogger(__name__)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 10.0, host: str = "127.0.0.1") -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class EmbeddedBroker(Started):
    """amqtt running on its own thread and event loop; use as a context manager."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._serve, name="embedded-broker", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15.0
        while not wait_for_port(self.port, 0.2):
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise BeckonError(
                    f"the embedded MQTT broker did not start on 127.0.0.1:{self.port}: "
                    f"{self._error}",
                    "pass --broker mqtt://HOST:PORT to use another broker",
                )
        log.info("embedded MQTT broker (amqtt) listening on 127.0.0.1:%d", self.port)

    def _serve(self) -> None:
        from amqtt.broker import Broker  # imported here: only the demo needs it

        # amqtt logs every connection, and our own port probe as an error; its real failures
        # reach start() through self._error instead.
        logging.getLogger("amqtt").setLevel(logging.CRITICAL)
        logging.getLogger("transitions").setLevel(logging.WARNING)
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{self.port}"}},
            "plugins": {
                "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}
            },
        }
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)  # amqtt looks the loop up from this thread
        self._loop = loop
        try:
            broker = Broker(config, loop=loop)
            loop.run_until_complete(broker.start())
            loop.run_until_complete(self._wait_stop())
            loop.run_until_complete(broker.shutdown())
        except BaseException as exc:  # reported by start() or stop()
            self._error = exc
            log.error("embedded broker failed: %s", exc)
        finally:
            loop.close()

    async def _wait_stop(self) -> None:
        while not self._stopped.is_set():
            await asyncio.sleep(0.1)

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(10.0)
