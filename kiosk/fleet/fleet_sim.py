"""A simulated fleet: N kiosks in one process, each with the real channel code, for scale.

Every simulated kiosk is a real `FleetLink` (the protocol), on a `MemoryFleetStore` (its session
counter, outbox and commands seen, kept while the simulator runs, as a kiosk's state.db is across
restarts) with a real `CommandGate` (the command keys given), pumped by `AsyncDriver` in one event
loop. What it reports is made up but plausible, in the contract's forms: versions, the four devices
with their states and CUPS-like reasons, the screen, disk and clock; telemetry every interval.

Its life, when `pace` > 0 (times a real kiosk's rates; the benchmark drives its kiosks itself with
pace 0): residents' sessions (screen `in_use`, back to `attract`), a printer out of paper and loaded
again, a reader lost and back, a technician's visit, and faults: the network drops (the link
reconnects with a session one higher) and the process is killed without a word (`lost`), to start
again later with a session one higher. Commands are admitted by the gate and answered as the
contract says: a small PNG for a screenshot (refused while a resident is in a session), masked log
lines, the versions for sync_now; restart_ui and reboot go `offline` and come back.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import random
import struct
import time
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.fleet.async_driver import AsyncDriver, Pump
from kiosk.fleet.commands import Command, CommandGate, CommandName, CommandRefused
from kiosk.fleet.forms import EventType, ScreenState, event_payload, result_error, result_ok
from kiosk.fleet.link import Backoff, FleetLink
from kiosk.fleet.sim_release import RepositoryView
from kiosk.fleet.store import MemoryFleetStore
from kiosk.log import mask_personal
from kiosk.settings.schema import FleetSection

log = logging.getLogger(__name__)

#: A command's refusal while a resident is using the kiosk (the contract's words).
BUSY = "busy: a resident is using the kiosk"
#: `logs`: lines given when args.lines is not said, and the most (as the kiosk's).
LOG_LINES_DEFAULT = 50
LOG_LINES_MAX = 200
SOFTWARE_VERSIONS = ("0.1.0", "0.1.0", "0.1.0", "0.0.9")
DISK_TOTAL = 64_000_000_000
DAY = 24 * 3600.0

#: The sync group of every tenth kiosk (sim-00001, sim-00011, ...): the staged rollouts' canaries.
CANARY_GROUP = "canary"
GROUPS = ("east", "west", "port")
#: Residents' ratings after a session (service_rated): the levels as often as halls see them, and
#: services of the demo guides (config/demo/guides.jsonl) with their departments.
RATING_LEVELS = (
    ("very_satisfied", 70),
    ("satisfied", 20),
    ("basically_satisfied", 6),
    ("dissatisfied", 3),
    ("very_dissatisfied", 1),
)
RATED_SERVICES = (
    ("威海市医疗保障局", "371000-YB-0005"),
    ("威海市医疗保障局", "371000-YB-0001"),
    ("威海市卫生健康委员会", "371000-WJ-0003"),
    ("国家税务总局威海市税务局", "371000-SW-0021"),
    ("国家税务总局威海市税务局", "371000-SW-0006"),
)
#: The share of sessions that end with a rating.
RATED_SHARE = 0.3

#: What happens to one kiosk, per hour, at pace 1: (what, how often).
LIFE_RATES: tuple[tuple[str, float], ...] = (
    ("session", 6.0),  # a resident every ten minutes
    ("paper_out", 0.25),
    ("reader_lost", 0.2),
    ("technician", 0.05),
    ("network_drop", 0.3),
    ("kill", 0.1),
)


@dataclass
class SimOptions:
    """How the simulated fleet runs."""

    broker: str
    kiosks: int
    #: Command keys (base64 Ed25519 public keys); none: every command is refused.
    keys: Sequence[str] = ()
    seed: int = 1
    keepalive: int = 30
    telemetry_interval: float = 60.0
    #: The kiosks' life at this many times a real kiosk's rates; 0: nothing happens by itself.
    pace: float = 1.0
    #: Kiosks starting their first connection per second (a fleet does not boot at one instant).
    ramp: float = 500.0
    prefix: str = "sim"
    #: The password every simulated kiosk logs in with (its username is its kiosk id); "" for none.
    password: str = ""
    #: A fleet repository folder (`kiosk fleet init DIR`): the kiosks run what it publishes, take a
    #: new release at their next telemetry, and a staged one when they are in its group. None: each
    #: kiosk makes up its versions.
    repository: Path | None = None
    backoff_first: float = 1.0
    backoff_cap: float = 60.0
    #: Seconds a restarted kiosk (kill, reboot, restart_ui) stays away: (shortest, longest).
    away: tuple[float, float] = (20.0, 120.0)


@dataclass
class SimStats:
    """What the fleet did (the command's summary)."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, what: str, n: int = 1) -> None:
        self.counts[what] += n


def fleet_settings(options: SimOptions) -> FleetSection:
    """The `[fleet]` section every simulated kiosk runs with."""
    return FleetSection.model_validate(
        {
            "broker": options.broker,
            "username": "",
            "password": options.password,
            "password_file": "",
            "keepalive": options.keepalive,
            "telemetry_interval": options.telemetry_interval,
            "command_keys": list(options.keys),
            "ca_bundle": "",
            "reboot_command": ["systemctl", "reboot"],
        },
        strict=False,
    )


def read_keys(text: str) -> list[str]:
    """Command keys from a file's text: one base64 public key a line; blank lines and # comments."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def attract_png(kiosk_id: str, width: int = 160, height: int = 90) -> bytes:
    """A small PNG of an attract screen: a band in the kiosk's own colour over a light page."""
    digest = zlib.crc32(kiosk_id.encode())
    band = bytes(((digest >> 16) & 0x7F, (digest >> 8) & 0x7F, 0x90 + (digest & 0x3F)))
    page, text = b"\xf4\xf1\xea", b"\x40\x40\x40"
    rows = []
    for y in range(height):
        if y < height // 4:
            row = band * width
        elif y % 12 in (0, 1) and y < height - 8:
            row = page * 16 + text * (width - 32) + page * 16
        else:
            row = page * width
        rows.append(b"\x00" + row)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 6))
        + chunk(b"IEND", b"")
    )


class SimKiosk:
    """One simulated kiosk: its state, its link (replaced when it restarts) and its memory."""

    def __init__(self, fleet: FleetSimulator, index: int) -> None:
        options = fleet.options
        self.fleet = fleet
        self.index = index
        self.kiosk_id = f"{options.prefix}-{index:05d}"
        self.rng = random.Random(f"{options.seed}:{self.kiosk_id}")
        self.memory = MemoryFleetStore()
        self.gate = CommandGate(lambda: fleet.settings.command_keys, self.memory)
        self.link: FleetLink | None = None
        self.pump: Pump | None = None
        #: The process runs (False between a kill, a reboot or restart_ui and its start again).
        self.alive = False
        self.booted_at = 0.0
        # What it reports.
        rng = self.rng
        self.software = rng.choice(SOFTWARE_VERSIONS)
        self.catalogue_version = rng.randint(40, 42)
        self.guides = 300 + self.catalogue_version * 3
        group = GROUPS[index % 3]
        #: Its sync group (reported.site.group): every tenth kiosk is a canary.
        self.group = CANARY_GROUP if index % 10 == 1 else group
        self.site = f"{group.capitalize()} hall {1 + index // 30}"
        #: The last successful sync and the last error (reported.sync).
        self.last_sync: float | None = time.time() - rng.uniform(60, 3600)
        self.sync_error: str | None = None
        self.config = {"all": f"{rng.getrandbits(32):08x}", "group": f"{rng.getrandbits(32):08x}"}
        if fleet.releases is not None:
            self.take_release()
        self.printer: dict[str, Any] = {"state": "idle", "reasons": []}
        self.readers = {"id_reader": "ok", "sscard_reader": "ok", "scanner": "ok"}
        self.session = False
        self.technician = False
        self.blank = False
        self.disk_free = rng.randrange(20, 50) * 1_000_000_000
        self.changed_at = time.time()
        self.visits_today = 0
        self.prints_today = 0
        self._log_serial = rng.randrange(1000, 9000)

    # -- what it reports ------------------------------------------------------------------------

    @property
    def screen(self) -> ScreenState:
        if self.technician:
            return ScreenState.TECHNICIAN
        if self.blank:
            return ScreenState.BLANK
        return ScreenState.IN_USE if self.session else ScreenState.ATTRACT

    def reported(self) -> dict[str, Any]:
        """`reported`, with the contract's fields (and `changed_at`, when it last changed)."""
        scopes = dict(sorted(self.config.items()))
        return {
            "software": {"version": self.software},
            "catalogue": {"version": self.catalogue_version, "guides": self.guides},
            "config": {"version": ",".join(f"{k}={v}" for k, v in scopes.items()), "scopes": scopes},
            "devices": {
                "printer": {"state": self.printer["state"], "reasons": list(self.printer["reasons"])},
                **{name: {"state": state} for name, state in self.readers.items()},
            },
            "screen": self.screen.value,
            "disk": {"free": self.disk_free, "total": DISK_TOTAL},
            "clock": {"synchronized": True, "timezone": "Asia/Shanghai"},
            "site": {"name": self.site, "group": self.group},
            "sync": {
                "at": None if self.last_sync is None else round(self.last_sync, 3),
                "error": self.sync_error,
            },
            "changed_at": round(self.changed_at, 3),
        }

    def telemetry(self, now: float) -> dict[str, Any]:
        uptime = now - self.booted_at
        load = round(0.05 + self.rng.random() * (0.6 if self.session else 0.2), 2)
        return {
            "uptime": {"process": round(uptime), "system": round(uptime + 30)},
            "load": [load, round(load * 0.8, 2), round(load * 0.6, 2)],
            "memory": {"rss": 180_000_000 + self.rng.randrange(0, 20_000_000), "available": 2_400_000_000},
            "disk": {"free": self.disk_free, "total": DISK_TOTAL},
            "visits_today": self.visits_today,
            "prints_today": self.prints_today,
        }

    def changed(self) -> None:
        """Its state changed: `reported` is published (the link sends only a change)."""
        self.changed_at = time.time()
        if self.alive and self.link is not None:
            self.link.publish_reported(self.reported())

    def event(self, kind: EventType, **details: Any) -> None:
        if self.alive and self.link is not None:
            self.link.raise_event(event_payload(kind, time.time(), **details))

    # -- its process ----------------------------------------------------------------------------

    def boot(self) -> None:
        """Start (again): a new link on the same memory, so the session goes one higher."""
        fleet = self.fleet
        self.alive = True
        self.booted_at = time.time()
        self.session = self.technician = self.blank = False
        self.link = FleetLink(
            self.kiosk_id,
            fleet.settings,
            self.memory,
            on_command=self._command,
            clock=time.time,
            password=fleet.options.password,
        )
        self.link.publish_reported(self.reported())
        backoff = Backoff(
            fleet.options.backoff_first, fleet.options.backoff_cap, random.Random(self.rng.random())
        )
        self.pump = fleet.driver.start(self.link, backoff)

    def kill(self) -> None:
        """Killed without a word: the kernel closes its socket; the broker says `lost`."""
        if self.alive and self.pump is not None:
            self.alive = False
            self.pump.kill()
            self.fleet.stats.add("killed")

    def silence(self) -> None:
        """A power cut: the broker sees it `lost` when the keepalive runs out."""
        if self.alive and self.pump is not None:
            self.alive = False
            self.pump.silence()
            self.fleet.stats.add("silenced")

    def drop(self) -> None:
        """The network drops the connection; the link comes back by itself."""
        if self.alive and self.pump is not None and self.pump.drop():
            self.fleet.stats.add("network_drops")

    def restart(self) -> None:
        """Start again after a kill or a power cut (a silenced socket is closed first)."""
        if self.pump is not None:
            self.pump.release()
        if not self.alive:
            self.boot()
            self.fleet.stats.add("restarted")

    async def stop(self, clean: bool = True) -> None:
        """Stop the process: cleanly it says `offline` first."""
        self.alive = False
        if self.pump is not None:
            await self.pump.stop(clean)

    def _away(self) -> float:
        shortest, longest = self.fleet.options.away
        return self.rng.uniform(shortest, longest)

    async def _stop_and_restart(self, away: float) -> None:
        await self.stop(clean=True)
        await asyncio.sleep(away)
        self.restart()

    # -- its life -------------------------------------------------------------------------------

    def start_session(self) -> bool:
        if not self.alive or self.session or self.blank or self.technician:
            return False
        self.session = True
        self.visits_today += 1
        self.changed()
        return True

    def end_session(self, printed: bool = False) -> None:
        if self.session:
            self.session = False
            if printed and self.printer["state"] == "idle":
                self.prints_today += 1
            self.changed()
            if self.rng.random() < RATED_SHARE:
                self.rate()

    def rate(self) -> None:
        """A resident rated the service: its level, department and service, nothing about them."""
        levels = [level for level, _weight in RATING_LEVELS]
        level = self.rng.choices(levels, [weight for _level, weight in RATING_LEVELS])[0]
        department, service = self.rng.choice(RATED_SERVICES)
        self.event(EventType.SERVICE_RATED, level=level, department=department, service=service)

    def sync_failed(self, error: str, failures: int) -> None:
        """A sync failed: the event, and reported.sync.error."""
        self.sync_error = error
        self.changed()
        self.event(EventType.SYNC_FAILED, reason=error, error=error, failures=failures)

    def take_release(self) -> bool:
        """Run what the fleet's repository publishes for this kiosk; True when that changed anything."""
        assert self.fleet.releases is not None
        release = self.fleet.releases.release(self.kiosk_id, self.group)
        before = (self.catalogue_version, self.guides, self.config)
        if release.catalogue_version is not None:
            self.catalogue_version = release.catalogue_version
            self.guides = release.guides or 0
        self.config = dict(release.config)
        return (self.catalogue_version, self.guides, self.config) != before

    def synced(self) -> None:
        """A sync succeeded: reported.sync.at now, no error."""
        self.last_sync, self.sync_error = time.time(), None
        self.changed()

    def paper_out(self) -> None:
        if self.printer["state"] != "stopped":
            self.printer = {"state": "stopped", "reasons": ["media-empty"]}
            self.changed()
            self.event(
                EventType.PRINTER_PAPER_OUT, device="printer", state="stopped", reasons=["media-empty"]
            )

    def paper_back(self) -> None:
        if self.printer["state"] == "stopped":
            self.printer = {"state": "idle", "reasons": []}
            self.changed()
            self.event(EventType.PRINTER_BACK, device="printer", state="idle", reasons=[])

    def reader_lost(self, name: str) -> None:
        if self.readers[name] == "ok":
            self.readers[name] = "absent"
            self.changed()
            self.event(EventType.READER_LOST, device=name)

    def reader_back(self, name: str) -> None:
        if self.readers[name] != "ok":
            self.readers[name] = "ok"
            self.changed()
            self.event(EventType.READER_BACK, device=name)

    def set_technician(self, present: bool) -> None:
        if present and not self.technician and not self.session:
            self.technician = True
            self.changed()
            self.event(EventType.TECHNICIAN_MODE_ENTERED)
        elif not present and self.technician:
            self.technician = False
            self.changed()

    async def live(self, pace: float) -> None:
        """Its life at `pace` times a real kiosk's rates, until cancelled."""
        loop = asyncio.get_running_loop()
        kinds = [kind for kind, _rate in LIFE_RATES]
        rates = [rate for _kind, rate in LIFE_RATES]
        per_second = sum(rates) * pace / 3600.0
        rng = self.rng
        while True:
            await asyncio.sleep(rng.expovariate(per_second))
            if not self.alive:
                continue
            kind = rng.choices(kinds, rates)[0]
            later = loop.call_later
            if kind == "session" and self.start_session():
                self.fleet.stats.add("sessions")
                later(rng.uniform(60, 240) / pace, self.end_session, rng.random() < 0.4)
            elif kind == "paper_out" and self.printer["state"] == "idle":
                self.paper_out()
                self.fleet.stats.add("paper_out")
                later(rng.uniform(300, 1800) / pace, self.paper_back)
            elif kind == "reader_lost":
                name = rng.choice(list(self.readers))
                self.reader_lost(name)
                self.fleet.stats.add("reader_lost")
                later(rng.uniform(10, 180) / pace, self.reader_back, name)
            elif kind == "technician" and not self.session:
                self.set_technician(True)
                later(rng.uniform(120, 600) / pace, self.set_technician, False)
            elif kind == "network_drop":
                self.drop()
            elif kind == "kill":
                self.kill()
                later(self._away() / pace, self.restart)

    # -- commands -------------------------------------------------------------------------------

    def _command(self, req: str, raw: bytes) -> None:
        """A command from the broker (on the loop's thread, inside paho's read)."""
        link = self.link
        if link is None:
            return
        try:
            command = self.gate.admit(raw, req)
        except CommandRefused as refused:
            self.fleet.stats.add("commands_refused")
            link.publish_result(req, result_error(req, str(refused)))
            return
        self.fleet.stats.add(f"command_{command.name.value}")
        answer = self._answer(command)
        if answer is None:
            return
        payload, delay = answer
        if delay:
            asyncio.get_running_loop().call_later(delay, link.publish_result, command.req, payload)
        else:
            link.publish_result(command.req, payload)

    def _answer(self, command: Command) -> tuple[dict[str, Any], float] | None:
        """The result and after how long it comes; None when the handler publishes it itself."""
        handlers: dict[CommandName, Callable[[Command], tuple[dict[str, Any], float] | None]] = {
            CommandName.SCREENSHOT: self._screenshot,
            CommandName.LOGS: self._logs,
            CommandName.BLANK: self._blank,
            CommandName.UNBLANK: self._blank,
            CommandName.SYNC_NOW: self._sync_now,
            CommandName.RESTART_UI: self._go_away,
            CommandName.REBOOT: self._go_away,
        }
        return handlers[command.name](command)

    def _screenshot(self, command: Command) -> tuple[dict[str, Any], float]:
        if self.session or self.technician:
            return result_error(command.req, BUSY), 0.0
        png = base64.b64encode(attract_png(self.kiosk_id)).decode("ascii")
        return result_ok(command.req, {"png_base64": png}), self.rng.uniform(0.05, 0.3)

    def _logs(self, command: Command) -> tuple[dict[str, Any], float]:
        lines = command.args.get("lines", LOG_LINES_DEFAULT)
        if not isinstance(lines, int) or isinstance(lines, bool) or not 1 <= lines <= LOG_LINES_MAX:
            error = f"malformed: args.lines must be a whole number from 1 to {LOG_LINES_MAX}"
            return result_error(command.req, error), 0.0
        return result_ok(command.req, {"lines": self.log_lines(lines)}), 0.0

    def _blank(self, command: Command) -> tuple[dict[str, Any], float]:
        blank = command.name is CommandName.BLANK
        if blank and self.session:
            return result_error(command.req, BUSY), 0.0
        self.blank = blank
        self.changed()
        return result_ok(command.req, {"blank": blank}), 0.0

    def _sync_now(self, command: Command) -> tuple[dict[str, Any], float]:
        if self.fleet.releases is not None:
            self.take_release()
        self.synced()
        result = {
            "catalogue": {"version": self.catalogue_version, "updated": False},
            "config": {"scopes": dict(sorted(self.config.items())), "updated": False},
            "bytes_downloaded": self.rng.randrange(2_000, 40_000),
        }
        return result_ok(command.req, result), self.rng.uniform(0.2, 1.0)

    def _go_away(self, command: Command) -> None:
        """restart_ui and reboot: the result first, then `offline`, and back a while later."""
        assert self.link is not None
        restart = command.name is CommandName.RESTART_UI
        away = self.rng.uniform(3, 8) if restart else self._away()
        self.link.publish_result(
            command.req, result_ok(command.req, {"restarting" if restart else "rebooting": True})
        )
        self.fleet.spawn(self._stop_and_restart(away))

    def log_lines(self, count: int) -> list[str]:
        """Recent log lines as the kiosk's recent log keeps them: masked, nothing personal."""
        clock = time.time() - count * 7
        templates = (
            "INFO kiosk.session: session started (id card {id})",
            "INFO kiosk.session: session ended after {n} s",
            "INFO kiosk.printing: job {n} printed, 2 pages",
            "INFO kiosk.rating_flow: rating submitted, phone {phone} consented",
            "INFO kiosk.sync: catalogue {v} is current",
            "WARNING kiosk.devices: printer: media-empty",
            "INFO kiosk.fleet.link: fleet channel connected (session {s})",
        )
        lines = []
        for i in range(count):
            self._log_serial += 1
            stamp = time.strftime("%H:%M:%S", time.localtime(clock + i * 7))
            text = templates[(self._log_serial + i) % len(templates)].format(
                id=f"37100219{self.rng.randrange(10**9, 10**10)}",
                phone=f"138{self.rng.randrange(10**7, 10**8)}",
                n=self._log_serial,
                v=self.catalogue_version,
                s=self.link.session if self.link is not None else 0,
            )
            lines.append(mask_personal(f"{stamp} {text}"))
        return lines


class FleetSimulator:
    """N simulated kiosks on one broker, in the running event loop."""

    def __init__(self, options: SimOptions) -> None:
        self.options = options
        self.settings = fleet_settings(options)
        self.stats = SimStats()
        self.releases = RepositoryView(options.repository) if options.repository else None
        self.kiosks = [SimKiosk(self, index) for index in range(1, options.kiosks + 1)]
        self._driver: AsyncDriver | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def driver(self) -> AsyncDriver:
        assert self._driver is not None, "start() first"
        return self._driver

    def spawn(self, work: Any) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def start(self) -> None:
        """Boot every kiosk, `ramp` a second; returns when the last one started connecting."""
        self._driver = AsyncDriver()
        gap = 1.0 / self.options.ramp if self.options.ramp > 0 else 0.0
        started = time.monotonic()
        for n, kiosk in enumerate(self.kiosks):
            kiosk.boot()
            if gap:
                delay = started + (n + 1) * gap - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                elif n % 100 == 99:
                    await asyncio.sleep(0)
        self.spawn(self._telemetry())
        if self.options.pace > 0:
            for kiosk in self.kiosks:
                self.spawn(kiosk.live(self.options.pace))

    def online(self) -> int:
        """Kiosks whose connection the broker accepted."""
        return sum(
            1 for kiosk in self.kiosks if kiosk.alive and kiosk.link is not None and kiosk.link.connected
        )

    async def wait_online(self, count: int | None = None, timeout: float = 60.0) -> bool:
        """Wait until `count` (all) kiosks are online; whether they are."""
        wanted = len(self.kiosks) if count is None else count
        deadline = time.monotonic() + timeout
        while self.online() < wanted:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05 if len(self.kiosks) < 1000 else 0.5)  # counting costs at 10,000
        return True

    async def _telemetry(self) -> None:
        """Each kiosk's telemetry every interval, spread over the interval."""
        slots = max(1, round(self.options.telemetry_interval))
        tick = 0
        while True:
            await asyncio.sleep(1.0)
            tick += 1
            now = time.time()
            for kiosk in self.kiosks[tick % slots :: slots]:
                if kiosk.alive and kiosk.link is not None:
                    # A kiosk's scheduled sync, as often as its telemetry: a new release is taken.
                    if self.releases is not None and kiosk.take_release():
                        kiosk.synced()
                    kiosk.link.publish_telemetry(kiosk.telemetry(now))

    async def close(self, clean: bool = True) -> None:
        """Stop every kiosk (cleanly: each says `offline`)."""
        for task in list(self._tasks):
            task.cancel()
        if self._driver is not None:
            await self._driver.close(clean)
        for kiosk in self.kiosks:
            kiosk.alive = False


async def run_fleet(
    options: SimOptions,
    duration: float,
    report: Callable[[str], None],
    every: float = 10.0,
    stop: asyncio.Event | None = None,
) -> SimStats:
    """Run a fleet for `duration` seconds (0: until `stop` is set), saying how it goes every `every`."""
    fleet = FleetSimulator(options)
    stop = stop or asyncio.Event()
    began = time.monotonic()
    await fleet.start()
    report(f"{len(fleet.kiosks)} kiosks started in {time.monotonic() - began:.1f} s on {options.broker}")
    try:
        while not stop.is_set():
            elapsed = time.monotonic() - began
            left = duration - elapsed if duration else every
            if duration and left <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), min(every, left))
            counts = ", ".join(f"{what} {n}" for what, n in sorted(fleet.stats.counts.items()))
            report(
                f"{time.monotonic() - began:6.0f} s  online {fleet.online()}/{len(fleet.kiosks)}  {counts}"
            )
    finally:
        await fleet.close(clean=True)
    return fleet.stats
