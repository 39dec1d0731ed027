"""`beckon bench load`: many simulated beds against Mosquitto and a real station process.

Everything runs on loopback: a private Mosquitto (the shipped configuration's limits and
persistence settings, anonymous on 127.0.0.1), the station service as a separate
`beckon station --headless` process (its CPU and memory are read from /proc), and N simulated
beds in this process, each its own MQTT client and its own durable outbox (the real
``Outbox``: a request is on disk before it is published, and sent again after the bedside's
resend delay until its receipt arrives).

Two phases:
* **steady**: requests at a fixed rate from random beds for a fixed time;
* **burst**: one request from each of B beds at the same moment (about 5 % emergencies).

Per phase it prints request → stored latency (stored = the station's ``received`` event, on
the same machine's clock), request → receipt latency (at the bed), loss (requests the station
never stored within a grace period), per-priority latency in the burst, and the station
process's CPU and peak memory.

The station's store is its SQLite file by default, or PostgreSQL (``store`` a
``postgresql://`` URL, passed to the station as ``BECKON_STATION_STORE``; or ``--postgres``,
a throwaway durable server from beckon.lab.postgres). Stored times are read from whichever
store the station wrote, read-only, with the same query as response-time reports.
"""

from __future__ import annotations

import collections
import contextlib
import os
import random
import selectors
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from beckon.bedside.service import resend_delay
from beckon.intents import load_intents
from beckon.lab.postgres import Postgres, start_postgres
from beckon.messaging import protocol as p
from beckon.messaging.broker import free_port, wait_for_port
from beckon.messaging.mqtt import suback_refused
from beckon.messaging.outbox import Outbox
from beckon.station.pgstore import PostgresRequestStore

SITE, UNIT = "bench", "ward"


@dataclass
class Sent:
    request_id: str
    bed: str
    priority: str
    sent_mono: float
    sent_wall: float
    receipt_mono: float | None = None


@dataclass
class Bed:
    name: str
    client: paho.Client
    outbox: Outbox
    # Set by the broker's SUBACK granting the receipt topic (``confirm_subscription``).
    subscribed: threading.Event = field(default_factory=threading.Event)
    refused: bool = False  # the broker refused it: no receipt can reach this bed


def confirm_subscription(bed: Bed, reasons: list[Any]) -> None:
    """The broker's SUBACK for ``bed``'s receipt topic: subscribed only if it granted it; a
    refusal is noted (start() then fails at once instead of counting every call of the bed as
    never receipted)."""
    if any(suback_refused(r) for r in reasons):
        bed.refused = True
    else:
        bed.subscribed.set()


def _mosquitto_conf(folder: Path, port: int, autosave: int) -> Path:
    """The shipped configuration's persistence and limits, anonymous on loopback."""
    conf = folder / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\n"
        f"persistence true\npersistence_location {folder}/\n"
        f"autosave_on_changes true\nautosave_interval {autosave}\n"
        "max_queued_messages 100000\nmax_queued_bytes 0\nmax_packet_size 65536\n"
        "max_inflight_messages 200\n"
        "set_tcp_nodelay true\nmax_connections -1\n"
        f"log_dest file {folder / 'mosquitto.log'}\n"
        + (f"user {os.environ.get('USER', 'root')}\n" if os.geteuid() == 0 else "")
    )
    return conf


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _memory_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _summary(values: list[float]) -> dict[str, float | None]:
    ms = [v * 1000 for v in values]
    return {"median_ms": _pct(ms, 0.5), "p99_ms": _pct(ms, 0.99), "max_ms": max(ms, default=None)}


class LoadBench:
    def __init__(
        self, folder: Path, beds: int, autosave: int = 10, log: Any = None, store: str = ""
    ) -> None:
        self.folder = folder
        self.store = store
        self._pg: Any = None
        self.autosave = autosave
        self.n_beds = beds
        self.log = log or (lambda text: print(text, file=sys.stderr))
        self.sent: dict[str, Sent] = {}
        self.sent_lock = threading.Lock()
        self.beds: list[Bed] = []
        self.network = threading.Thread()
        self.broker: subprocess.Popen[bytes] | None = None
        self.station: subprocess.Popen[bytes] | None = None
        self.station_pid = 0
        self.station_err: IO[bytes] | None = None
        intents = [i for i in load_intents().values() if i.priority is not None]
        self.by_priority: dict[p.Priority, list[str]] = {}
        for intent in intents:
            assert intent.priority is not None
            self.by_priority.setdefault(intent.priority, []).append(intent.code)
        self.rng = random.Random(13)
        self.confirmed: collections.deque[tuple[Bed, str]] = collections.deque()
        self.dirty: set[str] = set()
        self.to_send: collections.deque[tuple[Bed, p.Request, bytes]] = collections.deque()
        self.dirty_lock = threading.Lock()

    # ------------------------------------------------------------ processes

    def start(self) -> None:
        port = free_port()
        self.url = f"mqtt://127.0.0.1:{port}"
        broker_dir = self.folder / "broker"
        broker_dir.mkdir()
        mosquitto = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.broker = subprocess.Popen(
            [mosquitto, "-c", str(_mosquitto_conf(broker_dir, port, self.autosave))],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_for_port(port, 10):
            raise RuntimeError("mosquitto did not start")
        env = {**os.environ, "BECKON_HOME": str(self.folder / "home")}
        env.pop("BECKON_STATION_STORE", None)
        if self.store:
            env["BECKON_STATION_STORE"] = self.store
        self.db = self.folder / "home" / "state" / f"station-{SITE}-station.sqlite3"
        self.station_err = (self.folder / "station.log").open("wb")
        self.station = station = subprocess.Popen(
            [sys.executable, "-m", "beckon", "station", "--headless", "--broker", self.url,
             "--site", SITE, "--units", UNIT],
            stdout=subprocess.DEVNULL, stderr=self.station_err, env=env,
        )  # fmt: skip
        self.station_pid = station.pid
        deadline = time.monotonic() + 60
        while b"is serving" not in (self.folder / "station.log").read_bytes():
            if time.monotonic() > deadline or station.poll() is not None:
                raise RuntimeError("the station did not start; see " + str(self.station_err.name))
            time.sleep(0.1)
        self.log(f"broker and station up; connecting {self.n_beds} beds")
        outboxes = self.folder / "outboxes"
        outboxes.mkdir()
        self.selector = selectors.DefaultSelector()
        self.running = True
        self.network = threading.Thread(target=self._network_loop, name="beds", daemon=True)
        for n in range(self.n_beds):
            self.beds.append(self._connect_bed(str(n + 1), outboxes))
        self.network.start()
        deadline = time.monotonic() + 120
        # Until every bed's SUBACK. Not for order: a bed's SUBSCRIBE precedes its first
        # request on its one connection, and Mosquitto handles a client's packets in order, so
        # no receipt can overtake it. But a refused subscription fails the bench here, not as
        # calls never receipted, and the timed run starts with the beds' set-up done.
        while not all(b.client.is_connected() and b.subscribed.is_set() for b in self.beds):
            refused = [b.name for b in self.beds if b.refused]
            if refused:
                raise RuntimeError(f"the broker refused the receipt subscription of bed(s) "
                                   f"{', '.join(refused)}")  # fmt: skip
            if time.monotonic() > deadline:
                raise RuntimeError("not every bed connected and subscribed")
            time.sleep(0.1)

    def _connect_bed(self, name: str, outboxes: Path) -> Bed:
        client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"beckon-bed.{SITE}.{UNIT}.{name}",
            protocol=MQTTProtocolVersion.MQTTv5,
        )
        bed = Bed(name, client, Outbox(outboxes / f"outbox-{name}.sqlite3"))
        address = p.BedAddress(SITE, UNIT, name)

        def on_connect(c: paho.Client, u: object, f: object, rc: object, pr: object) -> None:
            c.subscribe(address.topic("receipt"), qos=1)

        def on_subscribe(c: paho.Client, u: object, mid: int, rc: list[Any], pr: object) -> None:
            confirm_subscription(bed, rc)

        def on_message(c: paho.Client, u: object, msg: paho.MQTTMessage) -> None:
            now = time.monotonic()
            try:
                receipt = p.decode_as(bytes(msg.payload), p.Receipt)
            except p.ProtocolError:
                return
            with self.sent_lock:
                sent = self.sent.get(receipt.id)
                if sent is not None and sent.receipt_mono is None:
                    sent.receipt_mono = now
            # The outbox belongs to the main thread (SQLite): it empties it from here.
            self.confirmed.append((bed, receipt.id))

        client.on_connect = on_connect
        client.on_subscribe = on_subscribe
        client.on_message = on_message
        client.on_socket_register_write = lambda c, u, sock: self._wants_write(bed)
        # One network thread drives every bed's socket (500 paho threads would spend the
        # machine on thread switches, and the figures would measure that).
        client.connect("127.0.0.1", int(self.url.rsplit(":", 1)[1]), keepalive=60)
        sock = client.socket()
        assert sock is not None
        self.selector.register(sock, selectors.EVENT_READ, bed)
        return bed

    def _wants_write(self, bed: Bed) -> None:
        with self.dirty_lock:
            self.dirty.add(bed.name)

    def _network_loop(self) -> None:
        last_misc = 0.0
        by_name = {bed.name: bed for bed in self.beds}
        while self.running:
            self._write_requests()
            for key, _ in self.selector.select(0.002):
                key.data.client.loop_read()
            with self.dirty_lock:
                dirty, self.dirty = self.dirty, set()
            for name in dirty:
                client = by_name[name].client
                client.loop_write()
                if client.want_write():
                    self._wants_write(by_name[name])
            if time.monotonic() - last_misc > 1.0:
                last_misc = time.monotonic()
                for bed in self.beds:
                    bed.client.loop_misc()

    def stop(self) -> None:
        """Take everything down, each step even when start() failed part way (then its own
        error is the one the caller sees, not a missing process here) or a process hangs."""
        self.running = False
        if self.network.is_alive():
            self.network.join(5)
        for bed in self.beds:
            # The network thread has stopped: write each DISCONNECT here, or the broker only
            # sees sockets dropped (paho queues the packet for the thread that is gone).
            bed.client.disconnect()
            with contextlib.suppress(OSError):  # the broker is gone already: nothing to tell
                bed.client.loop_write()
        for process in (self.station, self.broker):
            if process is not None:
                _end_process(process)
        if self.station_err is not None:
            self.station_err.close()
        if self._pg is not None:
            self._pg.close()
        # The outboxes are closed by their threads' owner: this one.
        for bed in self.beds:
            bed.outbox.close()

    # ------------------------------------------------------------ requests

    def _pick_intent(self, emergency_share: float) -> str:
        roll = self.rng.random()
        if roll < emergency_share and "emergency" in self.by_priority:
            return self.rng.choice(self.by_priority["emergency"])
        if roll < emergency_share + 0.2 and "urgent" in self.by_priority:
            return self.rng.choice(self.by_priority["urgent"])
        return self.rng.choice(self.by_priority["routine"])

    def prepare(self, bed: Bed, intent: str) -> tuple[Bed, p.Request, bytes]:
        """What the bedside does first: stamp the request and commit it to the outbox."""
        priority = next(pr for pr, codes in self.by_priority.items() if intent in codes)
        req = p.Request(
            p.new_request_id(), SITE, UNIT, bed.name, intent, priority, "touch", p.now_iso()
        )
        payload = p.encode(req)
        bed.outbox.add(f"request:{req.id}", req.address.topic("request"), payload)
        return bed, req, payload

    def publish(self, bed: Bed, req: p.Request, payload: bytes) -> None:
        """Then publish it: handed to the network thread, which stamps the time and writes it
        to the socket at once. Latencies count from there: every tablet commits to its own
        disk and has its own network stack, while this process does it for all of them."""
        self.to_send.append((bed, req, payload))

    def _write_requests(self) -> None:
        while self.to_send:
            bed, req, payload = self.to_send.popleft()
            with self.sent_lock:
                self.sent[req.id] = Sent(req.id, bed.name, req.priority, time.monotonic(),
                                         time.time())  # fmt: skip
            bed.client.publish(req.address.topic("request"), payload, qos=1)
            bed.client.loop_write()

    def send(self, bed: Bed, intent: str) -> None:
        bed, req, payload = self.prepare(bed, intent)
        self.publish(bed, req, payload)
        bed.outbox.mark_sent(f"request:{req.id}")

    def resend_overdue(self) -> None:
        """The bedside's resend: anything waiting longer than its back-off goes again."""
        while self.confirmed:
            bed, request_id = self.confirmed.popleft()
            bed.outbox.remove(f"request:{request_id}")
        now = time.time()
        for bed in self.beds:
            due = [e for e in bed.outbox.pending()
                   if e.last_sent_at is not None
                   and now - e.last_sent_at >= resend_delay(e.attempts)]  # fmt: skip
            for entry in due:
                bed.client.publish(entry.topic, entry.payload, qos=1)
                bed.outbox.mark_sent(entry.key)

    # ------------------------------------------------------------ phases

    def steady(self, rate: float, seconds: float) -> dict[str, Any]:
        self.log(f"steady: {rate} requests/s for {seconds:.0f} s")
        ids_before = set(self.sent)
        cpu0, t0 = _cpu_seconds(self.station_pid), time.monotonic()
        count = int(rate * seconds)
        for i in range(count):
            target = t0 + i / rate
            delay = target - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.send(self.rng.choice(self.beds), self._pick_intent(0.02))
            if i % max(1, int(rate)) == 0:
                self.resend_overdue()
        while self.to_send:
            time.sleep(0.001)
        return self._collect("steady", set(self.sent) - ids_before, cpu0, t0, rate=rate)

    def burst(self, size: int) -> dict[str, Any]:
        self.log(f"burst: {size} requests at once")
        ids_before = set(self.sent)
        cpu0, t0 = _cpu_seconds(self.station_pid), time.monotonic()
        ready = [self.prepare(bed, self._pick_intent(0.05)) for bed in self.beds[:size]]
        cpu0, t0 = _cpu_seconds(self.station_pid), time.monotonic()
        for item in ready:
            self.publish(*item)
        while self.to_send:
            time.sleep(0.001)
        sent_end = time.monotonic()
        for bed, req, _ in ready:
            bed.outbox.mark_sent(f"request:{req.id}")
        return self._collect("burst", set(self.sent) - ids_before, cpu0, t0, sent_end=sent_end)

    def _collect(
        self,
        phase: str,
        ids: set[str],
        cpu0: float,
        t0: float,
        rate: float | None = None,
        sent_end: float | None = None,
    ) -> dict[str, Any]:
        sent_end = sent_end or time.monotonic()
        grace = time.monotonic() + 30
        while time.monotonic() < grace:
            self.resend_overdue()
            if len(self._stored(ids)) == len(ids) and all(
                self.sent[i].receipt_mono is not None for i in ids
            ):
                break
            time.sleep(0.2)
        wall = time.monotonic() - t0
        cpu = _cpu_seconds(self.station_pid) - cpu0
        rss, peak = _memory_mb(self.station_pid)
        stored = self._stored(ids)
        store_lat: dict[str, list[float]] = {}
        receipt_lat: dict[str, list[float]] = {}
        all_store = []
        for request_id, received_at in stored.items():
            s = self.sent[request_id]
            latency = p.parse_iso(received_at).timestamp() - s.sent_wall
            store_lat.setdefault(s.priority, []).append(latency)
            all_store.append(latency)
        receipts = []
        for request_id in ids:
            s = self.sent[request_id]
            if s.receipt_mono is not None:
                receipts.append(s.receipt_mono - s.sent_mono)
                receipt_lat.setdefault(s.priority, []).append(s.receipt_mono - s.sent_mono)
        result: dict[str, Any] = {
            "phase": phase,
            "requests": len(ids),
            "stored": len(stored),
            "lost": len(ids) - len(stored),
            "stored_latency": _summary(all_store),
            "receipt_latency": _summary(receipts),
            "receipts_missing": len(ids) - len(receipts),
            "by_priority": {pr: {"count": len(v), **_summary(v)} for pr, v in store_lat.items()},
            "receipt_by_priority": {pr: _summary(v) for pr, v in receipt_lat.items()},
            "station_cpu_percent": round(100 * cpu / wall, 1),
            "station_rss_mb": round(rss, 1),
            "station_peak_rss_mb": round(peak, 1),
            "sending_s": round(sent_end - t0, 2),
            # Other work on the machine moves these figures: say how busy it was (1-min load).
            "load_average": round(os.getloadavg()[0], 2),
        }
        if rate is not None:
            result["rate_per_s"] = rate
        return result

    def _stored(self, ids: set[str]) -> dict[str, str]:
        """request id -> when the station stored it, for the ids given (read-only)."""
        if self.store:
            return self._stored_postgres(ids)
        try:
            with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as conn:
                rows = conn.execute(
                    "SELECT request_id, at FROM events WHERE state = 'received'"
                ).fetchall()
        except sqlite3.Error:
            return {}
        return {r: at for r, at in rows if r in ids}

    def _stored_postgres(self, ids: set[str]) -> dict[str, str]:
        """The same, from the PostgreSQL store (through its response-time query)."""
        if self._pg is None:
            self._pg = PostgresRequestStore(self.store)
        rows = self._pg.response_rows(SITE, UNIT, "")
        return {r.request_id: r.received_at for r in rows if r.request_id in ids}


def _end_process(process: subprocess.Popen[bytes], grace_s: float = 15.0) -> None:
    """Terminate a child and wait for it, killing it if it outlives the grace period."""
    process.terminate()
    try:
        process.wait(grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def bench_load(
    beds: int = 500,
    rate: float = 15.0,
    seconds: float = 60.0,
    burst: int = 500,
    autosave: int = 10,
    store: str = "",
    postgres: bool = False,
) -> dict[str, Any]:
    """Run both phases. ``store`` is a ``postgresql://`` URL for the station's store (else its
    SQLite file); ``postgres`` starts a throwaway durable PostgreSQL server for the run."""
    folder = Path(tempfile.mkdtemp(prefix="beckon-load-"))
    server: Postgres | None = None
    try:
        if postgres:
            server = start_postgres(durable=True)
            store = server.new_database()
        bench = LoadBench(folder, beds, autosave, store=store)
        try:
            bench.start()
            steady = bench.steady(rate, seconds)
            time.sleep(2.0)
            burst_result = bench.burst(min(burst, beds))
        finally:
            bench.stop()
    finally:
        if server is not None:
            server.stop()
            shutil.rmtree(server.folder, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "beds": beds,
        "store": "postgresql" if store else "sqlite",
        "broker_autosave_interval": autosave,
        "machine": f"{os.cpu_count()} cores (the load average of each phase is printed with it)",
        "steady": steady,
        "burst": burst_result,
    }


def format_report(result: dict[str, Any]) -> str:
    def ms(d: dict[str, float | None]) -> str:
        parts = []
        for key in ("median_ms", "p99_ms", "max_ms"):
            value = d.get(key)
            parts.append(f"{key[:-3]} {value:.0f} ms" if value is not None else f"{key[:-3]} -")
        return ", ".join(parts)

    lines = [
        f"{result['beds']} simulated beds, station store {result['store']}, "
        f"{result['machine']}; Mosquitto saves its database "
        f"every {result['broker_autosave_interval']} change(s)"
    ]
    for phase in ("steady", "burst"):
        r = result[phase]
        head = f"{phase}: {r['requests']} requests"
        if "rate_per_s" in r:
            head += f" at {r['rate_per_s']}/s"
        load = f", machine load {r['load_average']}" if "load_average" in r else ""
        lines.append(head + f", sent over {r['sending_s']} s{load}")
        lines.append(f"  request -> stored : {ms(r['stored_latency'])}")
        lines.append(f"  request -> receipt: {ms(r['receipt_latency'])}")
        lines.append(f"  lost: {r['lost']}, receipts missing: {r['receipts_missing']}")
        for pr in ("emergency", "urgent", "routine"):
            if pr in r["by_priority"]:
                b = r["by_priority"][pr]
                lines.append(f"  {pr:<9} x{b['count']:<4} stored: {ms(b)}")
                if pr in r.get("receipt_by_priority", {}):
                    lines.append(f"  {'':<15} receipt: {ms(r['receipt_by_priority'][pr])}")
        lines.append(
            f"  station: {r['station_cpu_percent']} % CPU, {r['station_rss_mb']} MB RSS "
            f"(peak {r['station_peak_rss_mb']} MB)"
        )
    return "\n".join(lines)
