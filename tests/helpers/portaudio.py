"""PortAudio stood in for by a fake ``sounddevice`` module (no sound card here): an input
stream that calls back blocks of sound from its own thread, as PortAudio does."""

from __future__ import annotations

import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest


class FakeInputStream:
    """``sounddevice.InputStream`` as the microphone uses it: ``start`` calls back each block
    of :meth:`blocks` from a thread, ``interval_s`` apart, then :meth:`ended`; ``active``
    says whether it still runs."""

    interval_s = 0.032

    def __init__(self, callback: Any) -> None:
        self.callback = callback
        self.active = False

    def blocks(self) -> Iterator[npt.NDArray[np.int16]]:
        """The blocks to send, each (frames, 1) as PortAudio hands them over."""
        raise NotImplementedError

    def ended(self) -> None:
        """After the last block: the stream stops (a stream that stays active falls silent)."""
        self.active = False

    def start(self) -> None:
        self.active = True

        def run() -> None:
            for block in self.blocks():
                self.callback(block, len(block), None, None)
                time.sleep(self.interval_s)
            self.ended()

        threading.Thread(target=run, daemon=True).start()

    def stop(self) -> None:
        self.active = False

    def close(self) -> None:
        pass


def install_sounddevice(
    monkeypatch: pytest.MonkeyPatch, input_stream: Callable[..., Any], **functions: Any
) -> None:
    """A ``sounddevice`` module whose InputStream is ``input_stream`` (plus ``functions``, such
    as ``query_devices``) for the rest of the test."""
    module = types.ModuleType("sounddevice")
    module.InputStream = input_stream  # type: ignore[attr-defined]
    for name, function in functions.items():
        setattr(module, name, function)
    monkeypatch.setitem(sys.modules, "sounddevice", module)
