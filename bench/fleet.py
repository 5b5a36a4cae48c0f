"""Benchmark of the live fleet channel: thousands of simulated kiosks on one Mosquitto on loopback.

    .venv/bin/python -m bench.fleet                       # 5,000 kiosks, keepalive 30 s: about 4 min
    .venv/bin/python -m bench.fleet --kiosks 10000 --phases connect,a   # how far one box goes

The kiosks are `kiosk.fleet.fleet_sim`'s: each a real FleetLink (the kiosk's own protocol code) on
a MemoryFleetStore with a real CommandGate, all in this process's event loop (AsyncDriver). The
console is another process (this module with --observe): a paho client subscribed to kiosk/v1/#
at QoS 1, which timestamps what it receives and sends the signed commands, so that its work does
not share this process's interpreter. The broker is a private mosquitto (2.0, Debian's) with a
config of its own: connection messages and per-message logging off, 100,000 queued messages per
client (the console must not lose messages while it catches up), its open-file limit raised.

- connect: N kiosks boot `--ramp` a second, each `online` with its reported state; telemetry every
  60 s, spread over the minute, throughout.
- (a) state changes (a resident's session starting or ending: reported `screen`) at `--rate` a
  second for `--seconds`, on kiosks drawn at random: latency from the change (`changed_at` in
  reported, this process's clock) to the console's receipt (its clock; the same machine). Target
  p99 <= 1 s. Then the same at ten times the rate.
- (b) `--kill` kiosks gone without a word, two ways, each measured from the kill to the console's
  receipt of that kiosk's will (`lost` with its session): the process killed (the kernel closes
  its socket: the broker sees it at once) and the power cut (nothing more on the wire: the broker
  must wait for the keepalive, 1.5 x keepalive by the protocol). Target: all `lost` within 1.5 x
  keepalive. Then all start again and must be `online` with the session one higher.
- (c) a signed `screenshot` to each of `--commands` kiosks, sent at once by the console: round trip
  from its send to its receipt of the result (the kiosk's admission: signature, expiry, replay;
  a 160x90 PNG, and the simulated 50-300 ms a capture takes). Target: all back, p95 <= 2 s.
- (d) one real kiosk process's cost of the channel: FleetLink + ThreadDriver + FleetStore
  (state.db), idle and raising one event a second, against the same process without the channel
  (the same store, the same loop; paho is not imported), each `--process-seconds` in its own process.

Resources are read from /proc: CPU as a share of one core, RSS, the broker's open files.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.fleet.commands import new_command_key, public_key_text, sign_command
from kiosk.fleet.forms import encode

if TYPE_CHECKING:  # imported where used: (d)'s process without the channel must not load paho
    from kiosk.fleet.fleet_sim import FleetSimulator, SimKiosk

ROOT = Path(__file__).resolve().parents[1]
LATENCY_TARGET = 1.0
LOST_TARGET = 1.5
COMMAND_TARGET = 2.0
PHASES = ("connect", "a", "b", "c", "d")
BROKER_CONF = """\
per_listener_settings false
listener {port} 127.0.0.1
allow_anonymous true
persistence false
log_dest file {log}
log_type error
log_type warning
connection_messages false
max_queued_messages 100000
user root
"""
TICK = os.sysconf("SC_CLK_TCK")


# -- /proc ------------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


class CpuWatch:
    """CPU shares (of one core) of some processes between start() and stop()."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self._start: dict[str, float] = {}
        self._began = 0.0

    def start(self) -> CpuWatch:
        self._began = time.monotonic()
        self._start = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        return self

    def shares(self) -> dict[str, float]:
        wall = time.monotonic() - self._began
        return {name: (cpu_seconds(pid) - self._start[name]) / wall for name, pid in self.pids.items()}

    def line(self) -> str:
        return ", ".join(f"{name} {share:.0%}" for name, share in self.shares().items())


def raise_open_files(wanted: int) -> int:
    """Raise this process's open-file limit to `wanted` (one socket a simulated kiosk), or as far as
    the hard limit allows without CAP_SYS_RESOURCE; returns the limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), max(hard, wanted)))
    except (ValueError, PermissionError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# -- the broker ---------------------------------------------------------------------------------


class Broker:
    """A private mosquitto configured for a fleet (see the module's doc)."""

    def __init__(self, directory: Path, files: int) -> None:
        from tests.daemons import Daemon, free_port, port_open, require_executable

        self.port = free_port()
        conf = directory / "mosquitto.conf"
        self.log = directory / "mosquitto.log"
        conf.write_text(BROKER_CONF.format(port=self.port, log=self.log))
        self.daemon = Daemon(
            "mosquitto",
            [require_executable("/usr/sbin/mosquitto"), "-c", str(conf)],
            ready=port_open(self.port),
            log=directory / "stdout.log",
            own_logs=[self.log],
        )
        self.files = files

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def __enter__(self) -> Broker:
        self.daemon.start()
        soft, hard = resource.prlimit(self.daemon.pid, resource.RLIMIT_NOFILE)
        wanted = max(self.files, soft)
        try:
            resource.prlimit(self.daemon.pid, resource.RLIMIT_NOFILE, (wanted, max(wanted, hard)))
        except (PermissionError, ValueError):
            print(f"note: the broker keeps its open-file limit of {soft} (raising it needs CAP_SYS_RESOURCE)")
        self.file_limit = resource.prlimit(self.daemon.pid, resource.RLIMIT_NOFILE)[0]
        return self

    def __exit__(self, *_exc: object) -> None:
        self.daemon.stop()


# -- the console (its own process) ------------------------------------------------------------------


class Observer:
    """The console's process: subscribed to kiosk/v1/#, it timestamps what comes and answers the
    benchmark's questions (JSON lines on stdin/stdout)."""

    def __init__(self, port: int) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        self.lock = threading.Lock()
        self.statuses: dict[str, list[tuple[float, str, int]]] = {}
        self.latencies: list[tuple[float, float]] = []  # (changed_at, receipt - changed_at)
        self.results: dict[str, tuple[float, bool, str]] = {}
        self.sent: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        subscribed = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-console-{os.getpid()}")
        self.client.on_message = self._message
        self.client.on_connect = lambda c, *_a: c.subscribe("kiosk/v1/#", qos=1)
        self.client.on_subscribe = lambda *_a: subscribed.set()
        self.client.max_inflight_messages_set(1000)
        self.client.connect("127.0.0.1", port, keepalive=60)
        self.client.loop_start()
        subscribed.wait(20)

    def _message(self, _client: Any, _userdata: Any, message: Any) -> None:
        now = time.time()
        parts = message.topic.split("/")
        kind = parts[3] if len(parts) > 3 else "?"
        with self.lock:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            if kind == "status":
                payload = json.loads(message.payload)
                self.statuses.setdefault(parts[2], []).append((now, payload["state"], payload["session"]))
            elif kind == "reported":
                changed = json.loads(message.payload).get("changed_at")
                if changed is not None:
                    self.latencies.append((changed, now - changed))
            elif kind == "result":
                payload = json.loads(message.payload)
                self.results[parts[4]] = (now, bool(payload.get("ok")), str(payload.get("error", "")))

    def answer(self, ask: dict[str, Any]) -> Any:
        op = ask["op"]
        if op == "send":
            for topic, payload in ask["commands"]:
                with self.lock:
                    self.sent[topic.rsplit("/", 1)[1]] = time.time()
                self.client.publish(topic, payload.encode(), qos=1)
            return len(ask["commands"])
        with self.lock:
            if op == "status":  # the first `state` since `since`, per kiosk: [time, session]
                first: dict[str, list[float]] = {}
                for kiosk, seen in self.statuses.items():
                    found = next((s for s in seen if s[0] >= ask["since"] and s[1] == ask["state"]), None)
                    if found is not None:
                        first[kiosk] = [found[0], found[2]]
                return first
            if op == "online":
                return sum(1 for seen in self.statuses.values() if seen[-1][1] == "online")
            if op == "latencies":
                return [lat for changed, lat in self.latencies if changed >= ask["since"]]
            if op == "results":
                results, sent = self.results, self.sent
                return {
                    req: [results[req][0] - sent[req], results[req][1], results[req][2]]
                    for req in ask["reqs"]
                    if req in results and req in sent
                }
            return dict(self.counts)

    def serve(self) -> None:
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            ask = json.loads(line)
            if ask["op"] == "quit":
                break
            print(json.dumps(self.answer(ask)), flush=True)
        self.client.loop_stop()
        self.client.disconnect()


class Console:
    """The benchmark's end of the console process."""

    def __init__(self, port: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.fleet", "--observe", str(port)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert json.loads(self.process.stdout.readline()) == {"ready": True}

    async def ask(self, op: str, **fields: Any) -> Any:
        return await asyncio.to_thread(self._ask, op, fields)

    def _ask(self, op: str, fields: dict[str, Any]) -> Any:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps({"op": op, **fields}) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps({"op": "quit"}) + "\n")
            self.process.stdin.close()
            self.process.wait(10)


# -- the phases -------------------------------------------------------------------------------------


@dataclass
class Verdicts:
    lines: list[str]

    def add(self, text: str) -> None:
        self.lines.append(text)


async def wait_until(check: Any, timeout: float, every: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if await check():
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(every)


async def connect_phase(fleet: FleetSimulator, console: Console, broker: Broker, watch: CpuWatch) -> bool:
    n = len(fleet.kiosks)
    began = time.monotonic()
    watch.start()
    await fleet.start()
    ok = await fleet.wait_online(timeout=max(60.0, n / 100))
    took = time.monotonic() - began

    async def seen_online() -> bool:
        return int(await console.ask("online")) >= n

    seen = await wait_until(seen_online, 30)
    pid = broker.daemon.pid
    print(
        f"connect: {fleet.online()}/{n} online in {took:.1f} s ({n / took:.0f} a second), the console saw "
        f"{await console.ask('online')}; simulator {rss_mib(os.getpid()):.0f} MiB RSS; broker "
        f"{rss_mib(pid):.1f} MiB RSS, {open_files(pid)} open files (limit {broker.file_limit}); "
        f"CPU {watch.line()}"
    )
    return ok and seen


async def state_changes(
    fleet: FleetSimulator,
    console: Console,
    *,
    rate: float,
    seconds: float,
    watch: CpuWatch,
    verdicts: Verdicts,
) -> None:
    rng = random.Random(7)
    began = time.time()
    watch.start()
    sent = 0
    start = time.monotonic()
    while (elapsed := time.monotonic() - start) < seconds:
        due = int(elapsed * rate) - sent
        for _ in range(due):
            kiosk = rng.choice(fleet.kiosks)
            if not kiosk.alive:
                continue
            if kiosk.session:
                kiosk.end_session()
            else:
                kiosk.start_session()
            sent += 1
        await asyncio.sleep(0.01)
    cpu = watch.line()

    async def all_in() -> bool:
        return len(await console.ask("latencies", since=began)) >= sent

    await wait_until(all_in, 15)
    latencies: list[float] = await console.ask("latencies", since=began)
    p99 = percentile(latencies, 0.99)
    met = len(latencies) >= sent and p99 <= LATENCY_TARGET
    print(
        f"(a) state changes at {rate:.0f}/s for {seconds:.0f} s: {sent} made, {len(latencies)} received; "
        f"latency p50 {percentile(latencies, 0.5) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
        f"max {max(latencies, default=float('nan')) * 1000:.1f} ms; CPU {cpu}"
    )
    verdicts.add(
        f"target (a) at {rate:.0f}/s: a state change reaches the console in p99 <= 1 s: "
        + ("met" if met else f"NOT met (p99 {p99:.2f} s, {len(latencies)}/{sent} received)")
    )


async def kill_phase(
    fleet: FleetSimulator, console: Console, *, count: int, how: str, keepalive: int, verdicts: Verdicts
) -> None:
    """`how`: "killed" (socket closed by the kernel) or "power cut" (silent)."""
    rng = random.Random(f"{how}:{count}")
    candidates = [k for k in fleet.kiosks if k.alive and k.link is not None and k.link.connected]
    chosen: list[SimKiosk] = rng.sample(candidates, min(count, len(candidates)))
    began = time.time()
    killed: dict[str, tuple[float, int]] = {}
    for kiosk in chosen:
        assert kiosk.link is not None
        killed[kiosk.kiosk_id] = (time.time(), kiosk.link.session)
        if how == "killed":
            kiosk.kill()
        else:
            kiosk.silence()

    async def all_lost() -> bool:
        lost = await console.ask("status", since=began, state="lost")
        return all(kiosk in lost for kiosk in killed)

    await wait_until(all_lost, 2.5 * keepalive + 15)
    lost = await console.ask("status", since=began, state="lost")
    delays = [
        lost[kiosk][0] - at
        for kiosk, (at, session) in killed.items()
        if kiosk in lost and lost[kiosk][1] == session
    ]
    fractions = [delay / keepalive for delay in delays]
    worst = max(fractions, default=float("nan"))
    print(
        f"(b) {len(killed)} kiosks {how} without a word: {len(delays)} lost with their session; kill -> lost "
        f"p50 {percentile(delays, 0.5):.2f} s, p99 {percentile(delays, 0.99):.2f} s "
        f"({percentile(fractions, 0.99):.2f} x keepalive), max {max(delays, default=float('nan')):.2f} s "
        f"({worst:.2f} x keepalive {keepalive} s)"
    )
    met = len(delays) == len(killed) and worst <= LOST_TARGET
    verdicts.add(
        f"target (b) {how}: all lost within 1.5 x keepalive: "
        + ("met" if met else f"NOT met ({len(delays)}/{len(killed)} lost, max {worst:.2f} x keepalive)")
    )
    # They start again: online, one session higher.
    back_from = time.time()
    for kiosk in chosen:
        kiosk.restart()

    async def all_back() -> bool:
        online = await console.ask("status", since=back_from, state="online")
        return all(kiosk in online for kiosk in killed)

    await wait_until(all_back, 60)
    online = await console.ask("status", since=back_from, state="online")
    higher = sum(1 for kiosk, (_at, session) in killed.items() if online.get(kiosk, [0, 0])[1] == session + 1)
    print(
        f"    started again: {higher}/{len(killed)} online with the session one higher "
        f"in {time.time() - back_from:.1f} s"
    )


async def command_phase(
    fleet: FleetSimulator, console: Console, *, count: int, key: Any, watch: CpuWatch, verdicts: Verdicts
) -> None:
    targets = [k for k in fleet.kiosks if k.alive][:count]
    for kiosk in targets:
        kiosk.end_session()
    commands = []
    reqs = []
    for kiosk in targets:
        command = sign_command(key, "screenshot")
        reqs.append(command["req"])
        commands.append([f"kiosk/v1/{kiosk.kiosk_id}/cmd/{command['req']}", encode(command).decode()])
    watch.start()
    await console.ask("send", commands=commands)

    async def all_back() -> bool:
        return len(await console.ask("results", reqs=reqs)) >= len(reqs)

    await wait_until(all_back, 60, every=0.2)
    cpu = watch.line()
    results = await console.ask("results", reqs=reqs)
    trips = [trip for trip, _ok, _error in results.values()]
    ok = sum(1 for _trip, good, _error in results.values() if good)
    errors = sorted({error for _trip, good, error in results.values() if not good})
    p95 = percentile(trips, 0.95)
    print(
        f"(c) a signed screenshot to each of {len(reqs)} kiosks at once: {len(results)} results back, {ok} ok"
        + (f" (refused: {'; '.join(errors)})" if errors else "")
        + f"; round trip p50 {percentile(trips, 0.5):.2f} s, p95 {p95:.2f} s, "
        f"max {max(trips, default=float('nan')):.2f} s;"
        f" CPU {cpu}"
    )
    met = len(results) == len(reqs) and p95 <= COMMAND_TARGET
    verdicts.add(
        "target (c): every result back, p95 round trip <= 2 s: "
        + ("met" if met else f"NOT met ({len(results)}/{len(reqs)} back, p95 {p95:.2f} s)")
    )


# -- (d) one kiosk process --------------------------------------------------------------------------


def kiosk_process(mode: str, broker: str, seconds: float) -> None:
    """One kiosk's process: `baseline` (no channel), `idle` or `events` (one a second). Prints
    its CPU seconds, wall seconds and RSS as JSON."""
    from kiosk.fleet.forms import EventType, event_payload
    from kiosk.fleet.store import FleetStore
    from kiosk.settings.schema import FleetSection

    with tempfile.TemporaryDirectory() as directory:
        store = FleetStore(Path(directory) / "state.db")
        settings = FleetSection.model_validate(
            {
                "broker": broker,
                "username": "",
                "password": "",
                "password_file": "",
                "keepalive": 30,
                "telemetry_interval": 60,
                "command_keys": [],
                "ca_bundle": "",
                "reboot_command": [],
            },
            strict=False,
        )
        driver: Any = None
        link: Any = None
        if mode != "baseline":
            import kiosk.fleet.link as link_module  # paho too: a kiosk without [fleet] never imports it

            link = link_module.FleetLink("bench-kiosk", settings, store, on_command=lambda *_: None)
            driver = link_module.ThreadDriver(link)
            driver.start()
            assert link.wait_connected(10), "the kiosk did not connect"
            link.publish_reported(
                {"screen": "attract", "devices": {"printer": {"state": "idle", "reasons": []}}}
            )
            link.publish_telemetry({"uptime": {"process": 1}})
        time.sleep(2.0)  # settled
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu0, began = usage.ru_utime + usage.ru_stime, time.monotonic()
        n = 0
        while time.monotonic() - began < seconds:
            time.sleep(1.0)
            n += 1
            event = event_payload(
                EventType.PRINTER_PAPER_OUT if n % 2 else EventType.PRINTER_BACK, time.time()
            )
            if mode == "events" and link is not None:
                link.raise_event(event)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = usage.ru_utime + usage.ru_stime - cpu0
        wall = time.monotonic() - began
        deadline = time.monotonic() + 3.0
        while store.pending_events(1) and time.monotonic() < deadline:
            time.sleep(0.05)  # the last event's acknowledgement
        pending = len(store.pending_events(1000))
        if driver is not None:
            driver.stop()
        store.close()
    print(
        json.dumps({"cpu": cpu, "wall": wall, "rss": rss_mib(os.getpid()), "events": n, "pending": pending})
    )


def process_costs(broker: str, seconds: float) -> None:
    rows = {}
    for mode in ("baseline", "idle", "events"):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.fleet",
                "--kiosk-process",
                mode,
                "--broker-url",
                broker,
                "--process-seconds",
                str(seconds),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        rows[mode] = json.loads(done.stdout.strip().splitlines()[-1])
    base = rows["baseline"]
    base_cpu = base["cpu"] / base["wall"]
    print(f"(d) one kiosk process, {seconds:.0f} s each      CPU (% of a core)        RSS MiB")
    labels = {
        "baseline": "without the channel",
        "idle": "channel, idle",
        "events": "channel, an event a second",
    }
    for mode, row in rows.items():
        share = row["cpu"] / row["wall"]
        if mode == "baseline":
            print(f"    {labels[mode]:<28} {share:8.3%}                 {row['rss']:6.1f}")
        else:
            print(
                f"    {labels[mode]:<28} {share:8.3%} ({share - base_cpu:+.3%})   {row['rss']:6.1f} "
                f"({row['rss'] - base['rss']:+.1f}), {row['pending']} events undelivered at the end"
            )


# -- main -------------------------------------------------------------------------------------------


async def run(options: argparse.Namespace, broker: Broker, verdicts: Verdicts) -> None:
    from kiosk.fleet.fleet_sim import FleetSimulator, SimOptions

    phases = set(options.phases.split(","))
    key = new_command_key()
    console = Console(broker.port)
    sim = SimOptions(
        broker=broker.url,
        kiosks=options.kiosks,
        keys=[public_key_text(key)],
        seed=options.seed,
        keepalive=options.keepalive,
        telemetry_interval=60.0,
        pace=0.0,
        ramp=options.ramp,
        away=(1.0, 1.0),
    )
    fleet = FleetSimulator(sim)
    watch = CpuWatch({"simulator": os.getpid(), "broker": broker.daemon.pid, "console": console.process.pid})
    try:
        if not await connect_phase(fleet, console, broker, watch):
            verdicts.add(f"NOT all {options.kiosks} kiosks came online: {fleet.online()} did")
        if "a" in phases:
            for rate in (options.rate, options.rate * 10):
                await state_changes(
                    fleet, console, rate=rate, seconds=options.seconds, watch=watch, verdicts=verdicts
                )
        if "b" in phases:
            for how in ("killed", "power cut"):
                await kill_phase(
                    fleet,
                    console,
                    count=options.kill,
                    how=how,
                    keepalive=options.keepalive,
                    verdicts=verdicts,
                )
        if "c" in phases:
            await command_phase(
                fleet, console, count=options.commands, key=key, watch=watch, verdicts=verdicts
            )
        counts = await console.ask("counts")
        print("the console received: " + ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items())))
    finally:
        await fleet.close(clean=True)
        console.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=5000)
    parser.add_argument("--ramp", type=float, default=1000.0, help="kiosks booted a second")
    parser.add_argument("--rate", type=float, default=50.0, help="(a) state changes a second (then 10x)")
    parser.add_argument("--seconds", type=float, default=60.0, help="(a) seconds at each rate")
    parser.add_argument("--kill", type=int, default=500, help="(b) kiosks killed, each way")
    parser.add_argument("--keepalive", type=int, default=30)
    parser.add_argument("--commands", type=int, default=1000, help="(c) kiosks sent a command")
    parser.add_argument("--process-seconds", type=float, default=30.0, help="(d) seconds per process")
    parser.add_argument("--phases", default=",".join(PHASES), help="which of connect,a,b,c,d")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--observe", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--kiosk-process", choices=("baseline", "idle", "events"), help=argparse.SUPPRESS)
    parser.add_argument("--broker-url", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.observe is not None:
        Observer(options.observe).serve()
        return
    if options.kiosk_process is not None:
        kiosk_process(options.kiosk_process, options.broker_url, options.process_seconds)
        return
    files = raise_open_files(options.kiosks + 1000)
    if files < options.kiosks + 64:
        sys.exit(
            f"{options.kiosks} kiosks need {options.kiosks + 64} open files in this process (one socket a "
            f"kiosk) and it may open {files}: raising the hard limit needs CAP_SYS_RESOURCE"
        )
    import logging

    logging.basicConfig(level=logging.ERROR)
    print(
        f"fleet channel benchmark: kiosks={options.kiosks} keepalive={options.keepalive} s "
        f"rate={options.rate:.0f}/s "
        f"kill={options.kill} commands={options.commands}  python {sys.version.split()[0]}  "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
        f"open files {resource.getrlimit(resource.RLIMIT_NOFILE)[0]}"
    )
    verdicts = Verdicts([])
    with tempfile.TemporaryDirectory() as directory, Broker(Path(directory), options.kiosks + 1000) as broker:
        if set(options.phases.split(",")) - {"d"}:
            asyncio.run(run(options, broker, verdicts))
        if "d" in options.phases.split(","):
            process_costs(broker.url, options.process_seconds)
        tail = broker.daemon.tail(5)
    for line in verdicts.lines:
        print(line)
    if any("NOT" in line for line in verdicts.lines):
        print(tail)
        sys.exit(1)


if __name__ == "__main__":
    main()
