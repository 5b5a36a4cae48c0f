"""Benchmark of the kiosk's start: exec -> READY=1 and memory at the attract screen, against the floor.

    .venv/bin/python -m bench.startup [--rounds 7] [--size 1920x1080] [--catalogues 1000,10000,100000]

Three programs, started in turn in every round (A/B interleaved, the order shuffled per round, so
that a noisy neighbour hurts all of them alike), each as its own process on a notify socket that
this benchmark listens on as systemd would:

- `kiosk run` on its embedded defaults (simulated devices, the demo guides), offscreen at the
  kiosk's size; it says READY=1 when the attract screen's first frame has been drawn. Its data
  directory is made by one run before the rounds, so every round is the restart a watchdog does;
- the floor, `bench/kivy_floor.py`: a bare Kivy app with one Chinese label and a button, same size,
  same rendering, READY=1 at its first frame: the toolkit's own cost;
- where Debian's chromium is installed, headless chromium rendering the attract screen's page (the
  same texts, picture and font) to a screenshot, exec -> exit: what a web kiosk would pay.

Memory is the resident set (VmRSS) `--settle` seconds after READY=1, the kiosk's and the floor's.
Then the kiosk's memory at the attract screen with catalogues of each size in `--catalogues`
(synthetic guides, `bench/catalogue.py`): it must not depend on the catalogue.

Targets (issue 18): start <= 2.0 x the floor and faster than chromium's screenshot; memory at the
attract screen <= 1.15 x the floor, the same at every catalogue size. Exit status 1 when one is missed.
"""

from __future__ import annotations

import argparse
import html
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.fonts import find_cjk_font
from kiosk.settings.schema import value_pair

ROOT = Path(__file__).resolve().parents[1]
KIOSK = str(Path(sys.executable).with_name("kiosk"))
FLOOR = str(ROOT / "bench" / "kivy_floor.py")
CHROMIUM = "/usr/bin/chromium"
START_TARGET = 2.0
MEMORY_TARGET = 1.15


@dataclass(frozen=True)
class Start:
    """One start: seconds from exec to READY=1 (or to exit, for chromium) and RSS after settling."""

    seconds: float
    rss_mib: float | None


class StartFailed(RuntimeError):
    """A program died or never said READY=1; the message carries the end of its output."""


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise StartFailed(f"process {pid} has no VmRSS")


def start_until_ready(argv: list[str], environ: dict[str, str], settle: float, timeout: float = 120) -> Start:
    """Start `argv`, wait for READY=1 on a private notify socket, read its memory, stop it."""
    folder = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    address = str(folder / "notify")
    log = folder / "output.log"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as receiver, log.open("wb") as output:
        receiver.bind(address)
        receiver.settimeout(0.2)
        started = time.perf_counter()
        process = subprocess.Popen(
            argv, env={**environ, "NOTIFY_SOCKET": address}, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            ready = _wait_ready(receiver, process, started + timeout)
            seconds = ready - started
            time.sleep(settle)
            if process.poll() is not None:
                raise StartFailed(f"{argv[1]} exited with {process.returncode} after READY=1")
            memory = rss_mib(process.pid)
        except StartFailed as error:
            tail = log.read_text(errors="replace")[-2000:]
            raise StartFailed(f"{error}\n--- its output ---\n{tail}") from None
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    shutil.rmtree(folder, ignore_errors=True)
    return Start(seconds, memory)


def _wait_ready(receiver: socket.socket, process: subprocess.Popen[bytes], deadline: float) -> float:
    while time.perf_counter() < deadline:
        try:
            message = receiver.recv(4096).decode(errors="replace")
        except TimeoutError:
            if process.poll() is not None:
                raise StartFailed(f"exited with {process.returncode} before READY=1") from None
            continue
        if "READY=1" in message.splitlines():
            return time.perf_counter()
    raise StartFailed("no READY=1 in time")


def chromium_screenshot(page: Path, size: tuple[int, int], out: Path) -> Start:
    """Headless chromium from exec to the screenshot written and the browser gone."""
    profile = Path(tempfile.mkdtemp(prefix="bench-chromium-"))
    argv = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={size[0]},{size[1]}",
        f"--screenshot={out}",
        page.as_uri(),
    ]
    out.unlink(missing_ok=True)
    started = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    shutil.rmtree(profile, ignore_errors=True)
    if result.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        raise StartFailed(
            f"chromium exited with {result.returncode}, no screenshot:\n{result.stderr[-2000:]}"
        )
    return Start(seconds, None)


def attract_page(folder: Path, font: Path) -> Path:
    """The attract screen as a web page: the same texts, the same picture, the same font."""
    picture = ROOT / "config" / "demo" / "notices" / "cards.png"
    texts = {
        "title": "威海政务服务",
        "subtitle": "24 小时自助服务终端",
        "notice": "身份证、社保卡都能在这里识别，材料清单可以打印带走。",
        "start": "轻触屏幕开始办理",
        "promise": "查办事指南 · 扫码带到手机 · 打印材料清单",
    }
    escaped = {key: html.escape(value) for key, value in texts.items()}
    page = folder / "attract.html"
    page.write_text(
        f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
@font-face {{ font-family: cjk; src: url("{font.as_uri()}"); }}
body {{ margin: 0; height: 100vh; background: #0d5bad; color: #fff; font-family: cjk;
       display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 32px; }}
h1 {{ font-size: 72px; margin: 0; }} p {{ font-size: 28px; margin: 0; }}
.notice {{ background: #fff; color: #1a1a1a; border-radius: 24px; width: 90%; display: flex;
          align-items: center; gap: 80px; padding: 32px; box-sizing: border-box; font-size: 40px; }}
.start {{ background: #fff; color: #0d5bad; border-radius: 64px; font-size: 44px; padding: 32px 160px; }}
</style></head><body>
<h1>{escaped["title"]}</h1><p>{escaped["subtitle"]}</p>
<div class="notice"><img src="{picture.as_uri()}" width="520"><span>{escaped["notice"]}</span></div>
<div class="start">{escaped["start"]}</div><p>{escaped["promise"]}</p>
</body></html>""",
        encoding="utf-8",
    )
    return page


def kiosk_environ(data: Path, catalogue_guides: bool) -> dict[str, str]:
    environ = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    data.mkdir(parents=True, exist_ok=True)
    site = data / "site.toml"  # empty: the embedded defaults, as `make run` starts
    site.touch()
    environ.update(
        KIOSK_CONFIG=str(site),
        KIOSK_DATA_DIR=str(data),
        KIOSK__LOGGING__LEVEL="WARNING",
    )
    if catalogue_guides:
        environ["KIOSK__GUIDES__LOAD_DEMO"] = "false"
    return environ


def fill_catalogue(data: Path, count: int) -> None:
    """A data directory whose catalogue holds `count` synthetic guides."""
    from bench.catalogue import synthetic_guides
    from kiosk.guides import Catalogue

    data.mkdir(parents=True, exist_ok=True)
    catalogue = Catalogue.open(data / "guides.db")
    try:
        catalogue.import_guides(synthetic_guides(count), replace=True)
    finally:
        catalogue.close()


@dataclass(frozen=True)
class Program:
    """A program the rounds start: its command line and environment."""

    argv: list[str]
    environ: dict[str, str]


@dataclass(frozen=True)
class Figure:
    """One line of the report: a figure, its baseline in the same run, the target of their ratio."""

    name: str
    value: float
    base_name: str
    base: float
    unit: str
    target: float
    strict: bool = False  # the ratio must be below the target, not at most

    @property
    def ratio(self) -> float:
        return self.value / self.base

    @property
    def met(self) -> bool:
        return self.ratio < self.target if self.strict else self.ratio <= self.target

    def line(self) -> str:
        target = f"target {'<' if self.strict else '<='} {self.target}: {'met' if self.met else 'MISSED'}"
        return (
            f"{self.name:<34} {self.value:9.2f} {self.unit:<4} {self.base_name:<20} {self.base:9.2f} "
            f"{self.unit:<4} x {self.ratio:5.2f}  {target}"
        )


def run_rounds(
    programs: dict[str, Program], chromium: Path | None, size: tuple[int, int], args: argparse.Namespace
) -> dict[str, list[Start]]:
    """Every program started `args.rounds` times, interleaved in a shuffled order per round."""
    work = Path(tempfile.mkdtemp(prefix="bench-chromium-page-"))
    # One start of each before the rounds: the kiosk's first start makes its data directory and
    # imports the demo guides; every program's files get into the page cache.
    for program in programs.values():
        start_until_ready(program.argv, program.environ, settle=0.5)
    if chromium is not None:
        chromium_screenshot(chromium, size, work / "attract.png")
    chooser = random.Random(args.seed)
    starts: dict[str, list[Start]] = {name: [] for name in [*programs, *(["chromium"] if chromium else [])]}
    for round_number in range(args.rounds):
        order = list(starts)
        chooser.shuffle(order)
        for name in order:
            if name == "chromium" and chromium is not None:
                starts[name].append(chromium_screenshot(chromium, size, work / "attract.png"))
            else:
                program = programs[name]
                starts[name].append(start_until_ready(program.argv, program.environ, settle=args.settle))
        print(
            f"round {round_number + 1}/{args.rounds}: "
            + ", ".join(f"{name} {runs[-1].seconds:.2f} s" for name, runs in starts.items()),
            flush=True,
        )
    shutil.rmtree(work, ignore_errors=True)
    return starts


def memory_by_catalogue(work: Path, counts: list[int], size: str, settle: float) -> dict[int, float]:
    """The kiosk's RSS at the attract screen (median of 3 starts) with a catalogue of each size."""
    figures: dict[int, float] = {}
    for count in counts:
        data = work / f"catalogue-{count}"
        began = time.perf_counter()
        fill_catalogue(data, count)
        print(f"catalogue of {count} guides made in {time.perf_counter() - began:.0f} s", flush=True)
        argv = [KIOSK, "run", "--size", size]
        readings = [start_until_ready(argv, kiosk_environ(data, True), settle) for _ in range(3)]
        figures[count] = statistics.median(start.rss_mib or 0.0 for start in readings)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="starts of each program (medians; at least 5)")
    parser.add_argument("--size", default="1920x1080", help="window size WxH")
    parser.add_argument(
        "--settle", type=float, default=3.0, help="seconds after READY=1 before reading memory"
    )
    parser.add_argument(
        "--catalogues",
        default="1000,10000,100000",
        help="catalogue sizes for the memory figures ('' for none)",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.rounds < 5:
        parser.error("--rounds must be at least 5 (the figures are medians)")
    try:
        width, height = value_pair(args.size)
    except ValueError as error:
        parser.error(f"--size: {error}")
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    font = find_cjk_font().path
    bare = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    programs = {
        "kiosk": Program([KIOSK, "run", "--size", args.size], kiosk_environ(work / "kiosk", False)),
        "floor": Program([sys.executable, FLOOR, "--size", args.size, "--font", str(font)], bare),
    }
    chromium = attract_page(work, font) if Path(CHROMIUM).is_file() else None
    try:
        starts = run_rounds(programs, chromium, (width, height), args)
        counts = [int(part) for part in args.catalogues.split(",") if part.strip()]
        by_catalogue = memory_by_catalogue(work, counts, args.size, args.settle)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    median = {name: statistics.median(start.seconds for start in runs) for name, runs in starts.items()}
    memory = {name: statistics.median(s.rss_mib or 0.0 for s in starts[name]) for name in programs}
    figures = [
        Figure(
            "exec -> READY=1, kiosk run",
            median["kiosk"],
            "bare Kivy floor",
            median["floor"],
            "s",
            START_TARGET,
        )
    ]
    if chromium is not None:
        figures.append(
            Figure(
                "exec -> READY=1, kiosk run",
                median["kiosk"],
                "chromium screenshot",
                median["chromium"],
                "s",
                1.0,
                True,
            )
        )
    figures.append(
        Figure(
            "RSS at the attract screen",
            memory["kiosk"],
            "bare Kivy floor",
            memory["floor"],
            "MiB",
            MEMORY_TARGET,
        )
    )
    figures += [
        Figure(
            f"RSS, catalogue of {count} guides",
            value,
            "bare Kivy floor",
            memory["floor"],
            "MiB",
            MEMORY_TARGET,
        )
        for count, value in by_catalogue.items()
    ]
    print()
    print(f"{args.rounds} rounds, {args.size} offscreen, python {sys.version.split()[0]}, medians")
    for figure in figures:
        print(figure.line())
    missed = [figure.name for figure in figures if not figure.met]
    if missed:
        print("missed: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
