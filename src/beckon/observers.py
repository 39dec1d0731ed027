"""Telling a service's observers (its windows, the metrics, tests) what it did.

Why one function: the bedside and station services, the station feed and the voice worker
each hand their events to listeners on their own thread, and each must survive a listener
that raises. The rule was written four times; now it is here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

E = TypeVar("E")


def notify(
    listeners: Iterable[Callable[[E], object]], event: E, log: logging.Logger, who: str
) -> None:
    """Hand ``event`` to each listener in turn. One that raises is logged on ``log`` ("``who``
    listener failed", with its traceback) and the others still get the event: a broken
    observer must never stop the service that tells it (a bedside that stops handling its
    events stops sending the patient's calls)."""
    for listener in listeners:
        try:
            listener(event)
        except Exception:
            log.exception("%s listener failed", who)
