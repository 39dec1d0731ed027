"""Response-time history of a unit: how fast nurses answered, per request type and per hour.

Nurse-call reports are judged by response times per call type; station windows chart them. The
queue only holds open requests, so the station service computes this summary from its events
table and publishes it as the retained ``stats`` message. Plain Python, so the figures can be
checked without a broker or a screen.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from beckon.messaging.protocol import HourStats, IntentStats, SlowCall, UnitStats, parse_iso, to_iso
from beckon.station.store import ResponseRow

WINDOW_H = 24
MAX_INTENTS = 64  # the schema's limit for by_intent
SLOWEST = 10  # the schema's limit for slowest


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) with linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low, high = math.floor(pos), math.ceil(pos)
    value = ordered[low] + (ordered[high] - ordered[low]) * (pos - low)
    return round(value, 1)


def _seconds(start: str, end: str | None) -> float | None:
    if end is None:
        return None
    return max(0.0, (parse_iso(end) - parse_iso(start)).total_seconds())


def hour_start(stamp: str) -> str:
    """The start of the UTC hour containing ``stamp``, written as every wire timestamp is."""
    return to_iso(parse_iso(stamp).replace(minute=0, second=0, microsecond=0))


def since(now: datetime, window_h: int = WINDOW_H) -> str:
    """The first moment of the window ending at ``now``, as an RFC 3339 UTC string."""
    return to_iso(now - timedelta(hours=window_h))


def summarize(
    rows: Iterable[ResponseRow], site: str, unit: str, at: str, window_h: int = WINDOW_H
) -> UnitStats:
    """Per intent (most requested first) and per hour (oldest first) response times."""
    per_intent: dict[str, list[ResponseRow]] = defaultdict(list)
    per_hour: dict[str, list[ResponseRow]] = defaultdict(list)
    all_rows = list(rows)
    for row in all_rows:
        per_intent[row.intent].append(row)
        per_hour[hour_start(row.received_at)].append(row)

    by_intent = []
    for intent, items in per_intent.items():
        response = [
            s for r in items if (s := _seconds(r.received_at, r.first_action_at)) is not None
        ]
        resolve = [s for r in items if (s := _seconds(r.received_at, r.resolved_at)) is not None]
        by_intent.append(
            IntentStats(
                intent=intent,
                requests=len(items),
                answered=len(response),
                median_response_s=percentile(response, 0.5),
                p90_response_s=percentile(response, 0.9),
                median_resolve_s=percentile(resolve, 0.5),
            )
        )
    by_intent.sort(key=lambda s: (-s.requests, s.intent))

    by_hour = []
    for hour in sorted(per_hour):
        items = per_hour[hour]
        response = [
            s for r in items if (s := _seconds(r.received_at, r.first_action_at)) is not None
        ]
        by_hour.append(
            HourStats(
                hour,
                len(items),
                len(response),
                percentile(response, 0.5),
                percentile(response, 0.9),
            )
        )
    return UnitStats(
        site,
        unit,
        at,
        window_h,
        tuple(by_intent[:MAX_INTENTS]),
        tuple(by_hour[-(window_h + 1) :]),
        slowest_calls(all_rows, at),
    )


def slowest_calls(rows: Iterable[ResponseRow], at: str, n: int = SLOWEST) -> tuple[SlowCall, ...]:
    """The ``n`` calls that waited longest for a nurse. A call nobody answered waited until
    ``at`` (or until it was closed), so two Toilet calls ignored for 18 minutes top this list
    even when the hour's median is 20 s."""
    calls = []
    for row in rows:
        answered = row.first_action_at is not None
        end = row.first_action_at or row.resolved_at or row.cancelled_at or at
        wait = _seconds(row.received_at, end)
        if wait is not None:
            calls.append(SlowCall(row.intent, row.received_at, round(wait, 1), answered))
    calls.sort(key=lambda c: (-c.wait_s, c.received_at))
    return tuple(calls[:n])
