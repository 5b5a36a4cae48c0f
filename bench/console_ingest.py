"""Benchmark of the console's ingest: a fleet's messages through a private mosquitto into the
console's database (console.channel.ConsoleChannel), and how far behind the writes are.

    .venv/bin/python -m bench.console_ingest                          # 5,000 kiosks, SQLite, ~2 min
    .venv/bin/python -m bench.console_ingest --database postgresql+psycopg://user@host/db

A publisher process (this module with --publish) plays N kiosks: first each one's retained `status`
(online) and `reported` at once (what a console starting against a running fleet receives), then,
for --seconds, each kiosk's telemetry once a minute spread over the minute, `reported` changes at
--changes a second and events at --events a second. The console's channel runs in this process.
Lag: from a message's arrival at the console (its network thread) to the commit of the batch that
wrote it. Target: p99 <= 2 s in the steady phase.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def publish(port: int, kiosks: int, seconds: float, changes: float, events: float) -> None:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-fleet", protocol=mqtt.MQTTv311)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port, keepalive=60)
    client.loop_start()
    rng = random.Random(1)
    ids = [f"b-{n:05d}" for n in range(kiosks)]

    def reported(kiosk_id: str, screen: str) -> bytes:
        body = {
            "software": {"version": "0.1.0"},
            "catalogue": {"version": 42, "guides": 420},
            "config": {"version": "all=ab12cd34", "scopes": {"all": "ab12cd34"}},
            "devices": {"printer": {"state": "idle", "reasons": []}, "id_reader": {"state": "ok"}},
            "screen": screen,
            "disk": {"free": 20_000_000_000, "total": 64_000_000_000},
            "clock": {"synchronized": True, "timezone": "Asia/Shanghai"},
            "site": {
                "name": f"Hall {kiosk_id[-2:]}",
                "group": "canary" if kiosk_id.endswith("1") else "east",
            },
            "sync": {"at": time.time() - 600, "error": None},
        }
        return json.dumps(body).encode()

    last = None
    for kiosk_id in ids:
        status = {"state": "online", "session": 1, "at": time.time()}
        client.publish(f"kiosk/v1/{kiosk_id}/status", json.dumps(status).encode(), qos=1, retain=True)
        last = client.publish(
            f"kiosk/v1/{kiosk_id}/reported", reported(kiosk_id, "attract"), qos=1, retain=True
        )
    if last is not None:
        last.wait_for_publish(60)
    print("READY", flush=True)
    sys.stdin.readline()  # the console says when the start is written
    began = time.monotonic()
    tick = 0
    per_tick_telemetry = kiosks / 60 / 10
    owed = owed_changes = owed_events = 0.0
    while time.monotonic() - began < seconds:
        tick += 1
        owed += per_tick_telemetry
        while owed >= 1:
            owed -= 1
            kiosk_id = ids[rng.randrange(kiosks)]
            numbers = {
                "uptime": {"process": tick},
                "load": [0.1, 0.1, 0.1],
                "visits_today": tick % 50,
                "prints_today": 3,
            }
            client.publish(f"kiosk/v1/{kiosk_id}/telemetry", json.dumps(numbers).encode(), qos=0)
        owed_changes += changes / 10
        owed_events += events / 10
        while owed_changes >= 1:
            owed_changes -= 1
            kiosk_id = ids[rng.randrange(kiosks)]
            screen = rng.choice(["attract", "in_use"])
            client.publish(f"kiosk/v1/{kiosk_id}/reported", reported(kiosk_id, screen), qos=1, retain=True)
        while owed_events >= 1:
            owed_events -= 1
            kiosk_id = ids[rng.randrange(kiosks)]
            event = {"type": "printer_back", "at": time.time(), "device": "printer"}
            client.publish(f"kiosk/v1/{kiosk_id}/event", json.dumps(event).encode(), qos=1)
        time.sleep(max(0.0, began + tick / 10 - time.monotonic()))
    client.loop_stop()
    client.disconnect()
    print("DONE", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kiosks", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--changes", type=float, default=5.0, help="reported changes a second")
    parser.add_argument("--events", type=float, default=2.0, help="events a second")
    parser.add_argument(
        "--database", default="", help="SQLAlchemy URL; default: SQLite in a temporary folder"
    )
    parser.add_argument("--publish", type=int, default=0, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.publish:
        publish(options.publish, options.kiosks, options.seconds, options.changes, options.events)
        return

    from console.channel import ConsoleChannel
    from console.db import Database
    from console.settings import ConsoleSettings
    from tests.mosquitto import PrivateMosquitto

    with (
        tempfile.TemporaryDirectory() as folder,
        PrivateMosquitto(
            Path(folder) / "broker", extra_conf="max_queued_messages 200000\nmax_inflight_messages 1000\n"
        ) as broker,
    ):
        db = Database(options.database or f"sqlite:///{Path(folder) / 'console.db'}")
        db.migrate()
        publisher = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.console_ingest",
                "--publish",
                str(broker.port),
                "--kiosks",
                str(options.kiosks),
                "--seconds",
                str(options.seconds),
                "--changes",
                str(options.changes),
                "--events",
                str(options.events),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert publisher.stdout is not None
        assert publisher.stdin is not None
        assert publisher.stdout.readline().strip() == "READY"
        settings = ConsoleSettings(data_dir=Path(folder), broker=broker.url, database=db.url)
        channel = ConsoleChannel(settings, db)
        started = time.monotonic()
        channel.start()
        while channel.written < 2 * options.kiosks:
            time.sleep(0.05)
        start_seconds = time.monotonic() - started
        start_p99 = channel.lag_percentile(0.99)
        print(
            f"start: {2 * options.kiosks} retained messages written in {start_seconds:.1f} s "
            f"(lag p99 {start_p99:.2f} s)"
        )
        channel.reset_lags()
        before = channel.written
        publisher.stdin.write("go\n")
        publisher.stdin.flush()
        assert publisher.stdout.readline().strip() == "DONE"
        while channel.pending():
            time.sleep(0.05)
        time.sleep(0.5)
        channel.stop()
        steady = channel.written - before
        p50, p99, top = (channel.lag_percentile(f) or 0.0 for f in (0.5, 0.99, 1.0))
        print(
            f"steady: {steady} messages in {options.seconds:.0f} s ({steady / options.seconds:.0f}/s); "
            f"lag p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {top * 1000:.0f} ms; "
            f"malformed {channel.malformed}"
        )
        print("verdict:", "PASS" if p99 <= 2.0 else "FAIL", "(p99 <= 2 s)")
        publisher.wait(10)
        db.dispose()


if __name__ == "__main__":
    main()
