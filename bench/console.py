"""Benchmark of the administrators' console: a fleet of simulated kiosks through one mosquitto into a
console process, on SQLite and on PostgreSQL side by side.

    .venv/bin/python -m bench.console                              # 5,000 kiosks, both databases
    .venv/bin/python -m bench.console --kiosks 500 --seconds 20 --databases sqlite

For each database, a fresh console process runs as in production (`kiosk-console serve`: uvicorn,
its ConsoleChannel writing what the broker delivers, its periodic jobs: alerts, rollouts, commands)
on a private mosquitto (bench.fleet's). The fleet simulator (kiosk.fleet.fleet_sim: each kiosk a
real FleetLink, the kiosk's own protocol code) boots N kiosks in this process; once the console's
database holds all of them online, for --seconds, residents' sessions start and end at --rate a
second on kiosks drawn at random (each a `reported` change; one in ten a printer out of paper or
back), while an administrator's browser asks for fleet pages --pages a second.

- fleet page server time: the console's own `Server-Timing` of /fleet, cycling through the first
  page, sorted, filtered by state, problem and group, a search and a deep page. Baseline in the same
  run, same server: /signin (a template without a query). Target: p95 <= 150 ms.
- ingest lag: from a change's `changed_at` (the simulator's clock: the same machine) to the moment the
  row holding it is visible in the console's database, polled every 50 ms by this process (so up to
  50 ms of it is the poll). Target: p99 <= 2 s, every change seen.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench.fleet import Broker, cpu_seconds, percentile, raise_open_files, rss_mib

if TYPE_CHECKING:
    from kiosk.fleet.fleet_sim import FleetSimulator

PAGE_TARGET = 0.150
LAG_TARGET = 2.0
PASSWORD = "benchmark password 1"
FLEET_PAGES = (
    "/fleet",
    "/fleet?sort=seen&order=desc",
    "/fleet?state=online",
    "/fleet?state=lost",
    "/fleet?problem=fault",
    "/fleet?problem=drift",
    "/fleet?group=canary",
    "/fleet?q=0042",
    "/fleet?page=40",
)


@dataclass
class Figures:
    """What one database's run measured."""

    database: str
    online_after: float = float("nan")
    changes: int = 0
    lags: list[float] = field(default_factory=list)
    page: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    console_cpu: float = float("nan")
    console_rss: float = float("nan")
    errors: list[str] = field(default_factory=list)


class ConsoleProcess:
    """`kiosk-console serve` on a database and the broker, in its own process."""

    def __init__(self, directory: Path, database: str, broker: str) -> None:
        from tests.daemons import free_port

        self.port = free_port()
        self.log = directory / "console.log"
        self.database = database
        self.argv = [
            sys.executable, "-m", "console.cli", "serve", "--data-dir", str(directory),
            "--database", database, "--broker", broker, "--port", str(self.port),
        ]  # fmt: skip

    def __enter__(self) -> ConsoleProcess:
        from console.accounts import create_account
        from console.db import Database
        from console.models import Role

        db = Database(self.database)
        db.migrate()
        with db.session() as session:
            create_account(session, "bench", PASSWORD, Role.ADMIN)
        db.dispose()
        self.process = subprocess.Popen(
            self.argv, stdout=self.log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the console exited with {self.process.returncode}:\n{self.tail()}")
            try:
                import httpx

                httpx.get(f"http://127.0.0.1:{self.port}/signin", timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"the console did not answer in 30 s:\n{self.tail()}")

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-15:])

    def __exit__(self, *_exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Administrator:
    """A browser's requests, signed in (the console's cookies are Secure: sent here by hand over
    loopback http, as a browser does for localhost)."""

    def __init__(self, port: int) -> None:
        import httpx

        self.client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        page = self.client.get("/signin")
        token = re.search(r'name="signin_token" value="([^"]*)"', page.text)
        assert token, "no sign-in form"
        answer = self.client.post(
            "/signin",
            data={"username": "bench", "password": PASSWORD, "signin_token": token.group(1)},
            headers={"cookie": f"console_signin={page.cookies['console_signin']}"},
        )
        assert answer.status_code == 303, answer.text
        self.cookie = f"console_session={answer.cookies['console_session']}"

    def server_time(self, path: str) -> float:
        """The console's own time for `path`, in seconds (its Server-Timing header)."""
        answer = self.client.get(path, headers={"cookie": self.cookie})
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: {answer.status_code}")
        match = re.search(r"app;dur=([\d.]+)", answer.headers.get("server-timing", ""))
        assert match, f"{path}: no Server-Timing"
        return float(match.group(1)) / 1000

    def close(self) -> None:
        self.client.close()


class LagWatch:
    """Polls the console's database for kiosk rows whose `reported.changed_at` was sent here."""

    def __init__(self, database: str) -> None:
        from console.db import Database

        self.db = Database(database)
        self.sent: dict[tuple[str, float], float] = {}
        self.seen: dict[tuple[str, float], float] = {}
        self.by_kiosk: dict[str, list[tuple[str, float]]] = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def expect(self, kiosk_id: str, changed_at: float) -> None:
        with self.lock:
            key = (kiosk_id, round(changed_at, 3))
            self.sent[key] = changed_at
            self.by_kiosk.setdefault(kiosk_id, []).append(key)

    def _poll(self) -> None:
        from sqlalchemy import select

        from console.models import Kiosk

        cursor = 0.0
        while not self.stop.is_set():
            with self.db.session() as session:
                rows = session.execute(
                    # Rows committed after others with a later updated_at: read back 5 s each time.
                    select(Kiosk.id, Kiosk.reported, Kiosk.updated_at).where(Kiosk.updated_at > cursor - 5)
                ).all()
            now = time.time()
            with self.lock:
                for kiosk_id, reported, updated_at in rows:
                    shown = round(float(reported.get("changed_at") or 0), 3)
                    # A change overwritten by a later one of the same kiosk before a poll saw it is
                    # in the database as soon as the later one is: it counts as seen then.
                    for key in self.by_kiosk.get(kiosk_id, ()):
                        if key[1] <= shown and key not in self.seen:
                            self.seen[key] = now
                    cursor = max(cursor, updated_at)
            self.stop.wait(0.05)

    def lags(self) -> list[float]:
        with self.lock:
            return [self.seen[key] - self.sent[key] for key in self.seen]

    def missing(self) -> int:
        with self.lock:
            return len(set(self.sent) - set(self.seen))

    def online(self) -> int:
        from sqlalchemy import func, select

        from console.models import Kiosk

        with self.db.session() as session:
            return int(session.scalar(select(func.count()).where(Kiosk.state == "online")) or 0)


async def measure(options: argparse.Namespace, broker: Broker, database: str, name: str) -> Figures:
    from kiosk.fleet.fleet_sim import FleetSimulator, SimOptions

    figures = Figures(name)
    with (
        tempfile.TemporaryDirectory() as directory,
        ConsoleProcess(Path(directory), database, broker.url) as console,
    ):
        watch = LagWatch(database)
        fleet = FleetSimulator(
            SimOptions(
                broker=broker.url,
                kiosks=options.kiosks,
                keys=[],
                seed=options.seed,
                keepalive=30,
                telemetry_interval=60.0,
                pace=0.0,
                ramp=options.ramp,
                away=(1.0, 1.0),
                # Kiosks of their own per database: the broker still holds the last run's retained
                # states, which are not this fleet's.
                prefix=name,
            )
        )
        began = time.monotonic()
        try:
            await fleet.start()
            await fleet.wait_online(timeout=max(60.0, options.kiosks / 100))
            while watch.online() < options.kiosks and time.monotonic() - began < max(
                120, options.kiosks / 20
            ):
                await asyncio.sleep(0.5)
            figures.online_after = time.monotonic() - began
            if watch.online() < options.kiosks:
                figures.errors.append(f"only {watch.online()} of {options.kiosks} online in the console")
            admin = Administrator(console.port)
            watch.thread.start()
            pages = threading.Thread(target=_browse, args=(admin, options, figures), daemon=True)
            cpu_before, wall_before = cpu_seconds(console.process.pid), time.monotonic()
            pages.start()
            await _changes(fleet, watch, options, figures)
            pages.join()
            figures.console_cpu = (cpu_seconds(console.process.pid) - cpu_before) / (
                time.monotonic() - wall_before
            )
            deadline = time.monotonic() + 15
            while watch.missing() and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            figures.lags = watch.lags()
            if watch.missing():
                figures.errors.append(f"{watch.missing()} changes never reached the database")
            figures.console_rss = rss_mib(console.process.pid)
            admin.close()
        finally:
            watch.stop.set()
            await fleet.close(clean=True)
            watch.db.dispose()
            if console.process.poll() is not None:
                figures.errors.append(f"the console died:\n{console.tail()}")
    return figures


async def _changes(
    fleet: FleetSimulator, watch: LagWatch, options: argparse.Namespace, figures: Figures
) -> None:
    rng = random.Random(options.seed)
    start = time.monotonic()
    while (elapsed := time.monotonic() - start) < options.seconds:
        for _ in range(int(elapsed * options.rate) - figures.changes):
            kiosk = rng.choice(fleet.kiosks)
            if not kiosk.alive:
                continue
            before = kiosk.changed_at
            roll = rng.random()
            if roll < 0.05:
                kiosk.paper_out()
            elif roll < 0.1:
                kiosk.paper_back()
            elif kiosk.session:
                kiosk.end_session(printed=rng.random() < 0.3)
            else:
                kiosk.start_session()
            figures.changes += 1
            if kiosk.changed_at != before:  # paper back on a kiosk that had paper changes nothing
                watch.expect(kiosk.kiosk_id, kiosk.changed_at)
        await asyncio.sleep(0.01)


def _browse(admin: Administrator, options: argparse.Namespace, figures: Figures) -> None:
    end = time.monotonic() + options.seconds
    n = 0
    while time.monotonic() < end:
        try:
            figures.page.append(admin.server_time(FLEET_PAGES[n % len(FLEET_PAGES)]))
            figures.baseline.append(admin.server_time("/signin"))
        except Exception as error:  # the figure says what went wrong, the run goes on
            figures.errors.append(f"page: {error}")
        n += 1
        time.sleep(1 / options.pages)


def report(all_figures: list[Figures]) -> list[str]:
    verdicts = []
    print()
    print(f"{'':34}" + "".join(f"{f.database:>16}" for f in all_figures))

    def row(label: str, values: list[str]) -> None:
        print(f"{label:34}" + "".join(f"{value:>16}" for value in values))

    row("all online in the console after", [f"{f.online_after:.1f} s" for f in all_figures])
    row("changes made", [str(f.changes) for f in all_figures])
    row("changes seen", [str(len(f.lags)) for f in all_figures])
    row("ingest lag p50", [f"{percentile(f.lags, 0.5) * 1000:.0f} ms" for f in all_figures])
    row("ingest lag p99", [f"{percentile(f.lags, 0.99) * 1000:.0f} ms" for f in all_figures])
    row("ingest lag max", [f"{max(f.lags, default=float('nan')) * 1000:.0f} ms" for f in all_figures])
    row("fleet page requests", [str(len(f.page)) for f in all_figures])
    row("fleet page p50", [f"{percentile(f.page, 0.5) * 1000:.1f} ms" for f in all_figures])
    row("fleet page p95", [f"{percentile(f.page, 0.95) * 1000:.1f} ms" for f in all_figures])
    row("baseline /signin p95", [f"{percentile(f.baseline, 0.95) * 1000:.1f} ms" for f in all_figures])
    row(
        "fleet page p95 / baseline p95",
        [f"{percentile(f.page, 0.95) / percentile(f.baseline, 0.95):.1f} x" for f in all_figures],
    )
    row("console CPU (share of one core)", [f"{f.console_cpu * 100:.0f} %" for f in all_figures])
    row("console RSS at the end", [f"{f.console_rss:.0f} MiB" for f in all_figures])
    print()
    for f in all_figures:
        page95, lag99 = percentile(f.page, 0.95), percentile(f.lags, 0.99)
        page_met = bool(f.page) and page95 <= PAGE_TARGET
        lag_met = bool(f.lags) and lag99 <= LAG_TARGET and not any("never reached" in e for e in f.errors)
        verdicts.append(
            f"target {f.database}: fleet page server time p95 <= 150 ms: "
            + ("met" if page_met else f"NOT met ({page95 * 1000:.0f} ms)")
        )
        verdicts.append(
            f"target {f.database}: ingest lag p99 <= 2 s with every change seen: "
            + ("met" if lag_met else f"NOT met (p99 {lag99:.2f} s; {'; '.join(f.errors) or 'see above'})")
        )
        verdicts.extend(f"{f.database}: {error}" for error in f.errors)
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=5000)
    parser.add_argument("--ramp", type=float, default=1000.0, help="kiosks booted a second")
    parser.add_argument("--rate", type=float, default=50.0, help="state changes a second")
    parser.add_argument("--pages", type=float, default=4.0, help="fleet pages asked for a second")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds of changes and pages")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    files = raise_open_files(options.kiosks + 1000)
    if files < options.kiosks + 64:
        sys.exit(
            f"{options.kiosks} kiosks need {options.kiosks + 64} open files in this process, not {files}"
        )
    import logging

    logging.basicConfig(level=logging.ERROR)
    print(
        f"console benchmark: kiosks={options.kiosks} changes={options.rate:.0f}/s "
        f"pages={options.pages:.0f}/s "
        f"for {options.seconds:.0f} s  python {sys.version.split()[0]}  {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    figures: list[Figures] = []
    with tempfile.TemporaryDirectory() as directory, Broker(Path(directory), options.kiosks + 1000) as broker:
        for name in options.databases.split(","):
            if name == "sqlite":
                figures.append(
                    asyncio.run(measure(options, broker, f"sqlite:///{directory}/console.db", name))
                )
            elif name == "postgresql":
                from tests.postgres import PrivatePostgres

                with PrivatePostgres() as server:
                    url = server.create_database("bench_console")
                    figures.append(asyncio.run(measure(options, broker, url, name)))
            else:
                sys.exit(f"unknown database {name!r}: sqlite or postgresql")
    verdicts = report(figures)
    for line in verdicts:
        print(line)
    if any("NOT" in line for line in verdicts) or any(f.errors for f in figures):
        sys.exit(1)


if __name__ == "__main__":
    main()
