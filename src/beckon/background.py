"""Run a service's ``run(stop)`` loop on a thread, with a clean way to stop it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from beckon.closing import Started

log = logging.getLogger(__name__)


class Background(Started):
    """``with Background(service.run, "station"):`` runs it until the block ends."""

    def __init__(self, run: Callable[[threading.Event], None], name: str) -> None:
        self.stop_event = threading.Event()
        self.error: BaseException | None = None
        self._run = run
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)

    def _main(self) -> None:
        try:
            self._run(self.stop_event)
        except BaseException as exc:
            self.error = exc
            log.exception("%s stopped with an error", self._thread.name)

    def start(self) -> Background:
        self._thread.start()
        return self

    def request_stop(self) -> None:
        """Ask the thread to stop without waiting: several threads asked first, then joined
        (:meth:`stop`), stop together instead of one after another."""
        self.stop_event.set()

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            # Whatever it calls back (a window's signals, say) may outlive its owner now.
            log.error("%s did not stop within %g s", self._thread.name, timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()
