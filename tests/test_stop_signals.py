"""The window commands and the headless services catch SIGINT/SIGTERM from their first line
(beckon.stop_signals): a signal while they are being built is remembered and stops them once
they are built.

Why: the handlers used to go in only once everything was built (the windows: when Qt's loop
was about to run), so a SIGTERM during the build killed the process with its threads running
and no "offline" on the broker. The whole commands are tested in
tests/ui/test_ui_start_interrupted.py and tests/test_headless_start_interrupted.py; here only
the mechanism, no Qt."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator

import pytest

from beckon.stop_signals import StopSignals


@pytest.fixture(autouse=True)
def previous() -> Iterator[list[signal.Signals]]:
    """The handlers a command had before (here: ones that record what reaches them), put back
    after the test, so that a test that fails inside the block leaves Ctrl-C working."""
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    reached: list[signal.Signals] = []
    for sig in before:
        signal.signal(sig, lambda signum, frame: reached.append(signal.Signals(signum)))
    yield reached
    for sig, handler in before.items():
        signal.signal(sig, handler)


def test_a_sigterm_before_anything_is_built_is_remembered_not_fatal(
    previous: list[signal.Signals],
) -> None:
    with StopSignals() as signals:
        os.kill(os.getpid(), signal.SIGTERM)  # Python runs the handler before the next line
        assert signals.interrupted
        assert signals.received == [signal.SIGTERM]
        assert previous == []
        signals.arm(lambda: None)


def test_arming_after_an_interrupted_start_stops_at_once_and_says_why(
    caplog: pytest.LogCaptureFixture, previous: list[signal.Signals]
) -> None:
    stopped: list[str] = []
    with StopSignals() as signals, caplog.at_level(logging.INFO, "beckon.stop_signals"):
        os.kill(os.getpid(), signal.SIGTERM)
        assert stopped == []  # nothing is stopped from inside the build
        assert signals.arm(lambda: stopped.append("stop")) is True
        assert signals.arm(lambda: stopped.append("again")) is False  # acted on once
    assert stopped == ["stop"]
    assert previous == []
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
    # A signal in the loop is no interrupted start; the journal says which one stopped it.
    assert [r.getMessage() for r in caplog.records] == ["signal 2: stopping"]


def test_a_second_signal_during_the_build_goes_to_the_previous_handler(
    previous: list[signal.Signals],
) -> None:
    """A second Ctrl-C (or a SIGTERM after one) while the build hangs is someone insisting:
    with the default handlers it ends the process, as it did before."""
    with StopSignals() as signals:
        os.kill(os.getpid(), signal.SIGINT)
        assert previous == []
        os.kill(os.getpid(), signal.SIGINT)
        assert previous == [signal.SIGINT]
        assert signal.getsignal(signal.SIGINT) != signals._caught  # given back
    assert previous == [signal.SIGINT]  # not raised again at the end


def test_after_disarm_a_signal_goes_to_the_previous_handler_not_to_what_was_stopped(
    caplog: pytest.LogCaptureFixture, previous: list[signal.Signals]
) -> None:
    stopped: list[str] = []
    with StopSignals() as signals, caplog.at_level(logging.INFO, "beckon.stop_signals"):
        signals.arm(lambda: stopped.append("stop"))
        signals.disarm()
        os.kill(os.getpid(), signal.SIGTERM)  # a shutdown that hangs still gives way
    assert stopped == []
    assert previous == [signal.SIGTERM]
    assert [r.getMessage() for r in caplog.records] == [
        "SIGTERM during the shutdown: clean shutdown cut short, ending now"
    ]


def test_a_second_signal_once_stopping_gives_way_and_says_the_shutdown_was_cut_short(
    caplog: pytest.LogCaptureFixture, previous: list[signal.Signals]
) -> None:
    """A headless service's ``stop`` sets an Event and returns: its shutdown runs after, and a
    second SIGTERM while it hung called ``stop`` again, which did nothing."""
    stopped: list[str] = []
    with StopSignals() as signals, caplog.at_level(logging.INFO, "beckon.stop_signals"):
        signals.arm(lambda: stopped.append("stop"))
        os.kill(os.getpid(), signal.SIGTERM)  # systemctl stop
        os.kill(os.getpid(), signal.SIGINT)  # the shutdown hangs: Ctrl-C
        assert signal.getsignal(signal.SIGINT) != signals._caught  # given back
    assert stopped == ["stop"]
    assert previous == [signal.SIGINT]
    assert [r.getMessage() for r in caplog.records] == [
        "signal 15: stopping",
        "SIGINT during the shutdown: clean shutdown cut short, ending now",
    ]


def test_the_handlers_are_given_back_before_the_cut_short_line_is_logged(
    previous: list[signal.Signals],
) -> None:
    """A shutdown can hang on logging itself (a thread holding the log handler's lock while it
    writes to a full pipe): were the line logged first, the handler would block in it with
    itself still installed, and no further signal could end the process."""
    installed_while_logging: list[object] = []

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "cut short" in record.getMessage():
                installed_while_logging.append(signal.getsignal(signal.SIGTERM))

    watch = Watch()
    logging.getLogger("beckon.stop_signals").addHandler(watch)
    try:
        with StopSignals() as signals:
            signals.arm(lambda: None)
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGTERM)
    finally:
        logging.getLogger("beckon.stop_signals").removeHandler(watch)
    assert len(installed_while_logging) == 1
    assert installed_while_logging[0] != signals._caught
    assert previous == [signal.SIGTERM]


def test_a_signal_after_an_interrupted_start_was_stopped_gives_way(
    previous: list[signal.Signals],
) -> None:
    stopped: list[str] = []
    with StopSignals() as signals:
        os.kill(os.getpid(), signal.SIGTERM)
        assert signals.arm(lambda: stopped.append("stop")) is True
        os.kill(os.getpid(), signal.SIGTERM)
    assert stopped == ["stop"]
    assert previous == [signal.SIGTERM]


def test_a_signal_never_acted_on_is_raised_again_when_the_build_fails(
    previous: list[signal.Signals],
) -> None:
    """A SIGTERM during a build that then failed (a broken configuration): the kiosk's fault
    screen would have stayed up until systemd's SIGKILL; the signal goes on as it came."""
    with pytest.raises(RuntimeError), StopSignals():
        os.kill(os.getpid(), signal.SIGTERM)
        raise RuntimeError("a broken configuration")
    assert previous == [signal.SIGTERM]


def test_the_previous_handlers_come_back_even_when_the_build_fails() -> None:
    def mine(signum: int, frame: object) -> None:
        raise AssertionError("not expected to run")

    signal.signal(signal.SIGTERM, mine)
    with pytest.raises(RuntimeError), StopSignals():
        assert signal.getsignal(signal.SIGTERM) is not mine
        raise RuntimeError("a broken configuration")
    assert signal.getsignal(signal.SIGTERM) is mine
