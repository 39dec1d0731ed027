"""The window commands catch SIGINT/SIGTERM from their first line (beckon.stop_signals): a
signal while the windows are being built is remembered and stops them once they are built.

Why: the handlers used to go in only when Qt's loop was about to run, so a SIGTERM during the
build killed the process with its threads running and no "offline" on the broker. The whole
command is tested in tests/ui/test_ui_start_interrupted.py; here only the mechanism, no Qt."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator

import pytest

from beckon.stop_signals import StopSignals


@pytest.fixture(autouse=True)
def handlers_put_back() -> Iterator[None]:
    """A test that fails inside the block must not leave this process deaf to Ctrl-C."""
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in before.items():
        signal.signal(sig, handler)


def test_a_sigterm_before_anything_is_built_is_remembered_not_fatal() -> None:
    with StopSignals() as signals:
        os.kill(os.getpid(), signal.SIGTERM)  # Python runs the handler before the next line
        assert signals.interrupted
        assert signals.received == [signal.SIGTERM]


def test_arming_after_an_interrupted_start_stops_at_once_and_says_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stopped: list[str] = []
    with StopSignals() as signals, caplog.at_level(logging.INFO, "beckon.stop_signals"):
        os.kill(os.getpid(), signal.SIGTERM)
        assert stopped == []  # nothing is stopped from inside the build
        assert signals.arm(lambda: stopped.append("stop")) is True
    assert stopped == ["stop"]
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["start interrupted by SIGTERM: stopping what was started"]


def test_a_start_without_a_signal_stops_nothing_until_one_comes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stopped: list[str] = []
    with StopSignals() as signals, caplog.at_level(logging.INFO, "beckon.stop_signals"):
        assert signals.arm(lambda: stopped.append("stop")) is False
        assert stopped == []
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, later: the same stop
        assert stopped == ["stop"]
    assert caplog.records == []  # a signal in the loop is no interrupted start


def test_after_disarm_a_signal_no_longer_reaches_what_was_stopped() -> None:
    stopped: list[str] = []
    with StopSignals() as signals:
        signals.arm(lambda: stopped.append("stop"))
        signals.disarm()
        os.kill(os.getpid(), signal.SIGTERM)
    assert stopped == []
    assert signals.received == [signal.SIGTERM]


def test_the_previous_handlers_come_back_even_when_the_build_fails() -> None:
    def mine(signum: int, frame: object) -> None:
        raise AssertionError("not expected to run")

    signal.signal(signal.SIGTERM, mine)
    with pytest.raises(RuntimeError), StopSignals():
        assert signal.getsignal(signal.SIGTERM) is not mine
        raise RuntimeError("a broken configuration")
    assert signal.getsignal(signal.SIGTERM) is mine
