"""`beckon bench load` with the station on PostgreSQL: a few beds for a few seconds against a
real PostgreSQL server, a real Mosquitto and a real `beckon station` process. The stored times
are read from PostgreSQL, so a station that wrote its SQLite file instead would show every
request lost here. Behaviour only; the figures come from running the bench itself."""

from __future__ import annotations

import psycopg

from beckon.lab.load_bench import bench_load, format_report


def test_bench_load_on_postgresql_stores_every_request(pg_url: str) -> None:
    result = bench_load(beds=4, rate=2.0, seconds=3.0, burst=4, store=pg_url)

    assert result["store"] == "postgresql"
    for phase in ("steady", "burst"):
        r = result[phase]
        assert r["requests"] > 0
        assert r["stored"] == r["requests"], r
        assert r["lost"] == 0 and r["receipts_missing"] == 0, r
        assert r["stored_latency"]["median_ms"] is not None
    with psycopg.connect(pg_url) as conn:
        (count,) = conn.execute("SELECT COUNT(*) FROM requests").fetchone() or (0,)
    assert count == result["steady"]["requests"] + result["burst"]["requests"]
    assert "station store postgresql" in format_report(result)
