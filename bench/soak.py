"""Benchmark: a thousand residents through the real UI in one process; memory, time, and what they leave.

Each simulated resident wakes the kiosk from the attract screen, finds a guide (typing pinyin on the
search screen, or by department or life event), reads it (scrolling, the plain-language version),
shows its QR code, prints its checklist on the simulated printer, rates the service, identifies with
a card on the simulated ID or social security card reader, and walks away: the session clock is
moved on, so the idle warning and the end of the session come without real waiting. Journeys vary
(guide, query, language, elder mode, card, rating, a phone number typed and abandoned, a card left
on the reader) and are drawn from a seed, so a run can be repeated.

Reported: RSS after the warm-up and at the end, each the median of ten readings taken every five
journeys (growth target <= 10 MiB), each against the bare Kivy floor measured in the same run
(bench/kivy_floor.py at the same window size: one CJK label and a button; target <= 1.5 x), what
the memory at the end consists of (textures, widgets, Kivy's caches, C heap against RSS),
journeys the UI did not complete, time per journey (median, p95) and the first journeys after the
warm-up against the last ones (the baseline of the same run: a ratio near 1 means no slowdown),
and the proof that no personal data remains: not in the session, not in any live str/bytes object
or widget text, not in any file of the data and temporary
directories (state.db, catalogue.db, the printed PDFs' text), not in any log record. Exit status 1
when the growth exceeds the target, a journey was not completed, or personal data remains.

    .venv/bin/python -m bench.soak [--journeys 1000] [--warmup 50] [--seed 7] [--size 1920x1080] [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import json
import logging
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from bench import leftovers
from kiosk.fonts import find_cjk_font
from kiosk.idnumber import check_character
from kiosk.journey import Screen
from kiosk.records import CardKind, IdCard, RatingLevel, SocialSecurityCard
from screens.showroom import WalkClock, simulated_offscreen_kiosk

#: Memory a thousand journeys may add, after the warm-up.
GROWTH_TARGET_MIB = 10.0
#: RSS after the journeys, at most this many times the bare Kivy floor's (same window size, same run).
FLOOR_RATIO_TARGET = 1.5
#: Seconds after its first frame at which the floor's memory is read (as the issue's figures are).
FLOOR_SETTLE_SECONDS = 3.0
#: Journeys between two memory readings after the warm-up.
SAMPLE_EVERY = 5
#: Readings whose median is the figure after the warm-up, and at the end.
READINGS_PER_FIGURE = 10
#: Pinyin queries a resident types (initials and full pinyin); each finds demo guides.
QUERIES = ("sbk", "hz", "jsz", "gjj", "hkb", "jhdj", "yl", "shebaoka", "bdc", "yyzz", "jzz", "cs")
#: Seconds a screen transition lasts in the soak: the kiosk's own fade, compressed like the clock.
TRANSITION_SECONDS = 0.05
#: Seconds between two looks at the card readers (the kiosk polls every 0.3 s).
READER_POLL_SECONDS = 0.02

Route = Literal["search", "department", "life_event"]


@dataclass(frozen=True)
class Resident:
    """A fictional resident: the personal data the soak hands to the kiosk and then looks for."""

    name: str
    id_number: str
    address: str
    phone: str

    def secrets(self, index: int) -> dict[str, str]:
        """The values to look for, labelled for the report."""
        return {
            f"name of resident {index}": self.name,
            f"ID number of resident {index}": self.id_number,
            f"address of resident {index}": self.address,
            f"phone number of resident {index}": self.phone,
        }


def residents(seed: int, count: int = 6) -> list[Resident]:
    """`count` residents drawn from `seed`; the same seed gives equal (not identical) strings.

    Names and addresses use characters rare enough that a guide or a label never holds them, so
    that finding one anywhere can only mean the kiosk kept it.
    """
    rng = random.Random(seed * 7919)
    surnames, given = "欧阳司马诸葛上官", "翀翯璟珩瑄琤昶祎玥珏"
    people = []
    for index in range(count):
        name = surnames[2 * (index % 4) : 2 * (index % 4) + 2] + "".join(rng.sample(given, 2))
        born = date(1940 + rng.randrange(60), 1 + rng.randrange(12), 1 + rng.randrange(28))
        first17 = f"371002{born:%Y%m%d}{rng.randrange(1000):03d}"
        address = f"山东省威海市环翠区{''.join(rng.sample(given, 2))}路{rng.randrange(1, 999)}号"
        phone = "139" + "".join(str(rng.randrange(10)) for _ in range(8))
        people.append(Resident(name, first17 + check_character(first17), address, phone))
    return people


def fresh(text: str) -> str:
    """A separate copy of `text`: the kiosk must get strings the privacy search does not own."""
    copy = "".join(list(text))
    assert copy is not text or len(text) < 2
    return copy


@dataclass(frozen=True)
class JourneyPlan:
    """What one resident does, drawn from the seed."""

    number: int
    resident: int
    language: str
    elder: bool
    route: Route
    query: str
    pick: int
    plain: bool
    qr: bool
    print: bool
    rating: RatingLevel | None
    #: Consent to a follow-up and type the phone number, then walk away without submitting.
    abandon_phone: bool
    card: CardKind | None
    #: Leave the card on the reader and walk away identified (lifted after the attract screen shows).
    forget_card: bool
    #: Ask for more time once when the idle warning shows.
    more_time: bool


def plans(seed: int, count: int, people: int) -> Iterator[JourneyPlan]:
    """`count` journeys drawn from `seed`."""
    rng = random.Random(seed)
    for number in range(count):
        card = rng.choice((CardKind.ID_CARD, CardKind.ID_CARD, CardKind.SSCARD, None))
        rating = rng.choice([None, *RatingLevel])
        yield JourneyPlan(
            number=number,
            resident=rng.randrange(people),
            language=rng.choice(("zh_CN", "zh_CN", "zh_CN", "en")),
            elder=rng.random() < 0.2,
            route=rng.choice(("search", "search", "department", "life_event")),
            query=rng.choice(QUERIES),
            pick=rng.randrange(4),
            plain=rng.random() < 0.5,
            qr=rng.random() < 0.7,
            print=rng.random() < 0.8,
            rating=rating,
            abandon_phone=rating is not None and rating.bad and rng.random() < 0.5,
            card=card,
            forget_card=card is not None and rng.random() < 0.25,
            more_time=rng.random() < 0.2,
        )


def rss_mib() -> float:
    """VmRSS of this process now, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


@dataclass
class Memory:
    """Resident set size (VmRSS) at a point of the run, in MiB."""

    rss_mib: float

    @staticmethod
    def now() -> Memory:
        """Empty Kivy's time-limited caches, collect garbage, hand freed heap back, then read VmRSS.

        Both readings are taken in the same state, so that only what stays counts as growth:
        Kivy keeps each label texture, image and text layout for 60 s after its last use (tens
        of MiB at this rate of journeys, more or less depending on the moment of the reading), and
        glibc keeps freed memory for reuse; neither holds anything a journey left behind.
        """
        from kivy.base import EventLoop
        from kivy.cache import Cache

        for category, limits in Cache._categories.items():
            if limits["timeout"] is not None and limits["timeout"] <= 60:
                Cache.remove(category)
        gc.collect()
        for _ in range(3):  # Kivy deletes released textures and frame buffers on the next frames
            EventLoop.idle()
        gc.collect()
        with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        return Memory(rss_mib())


def floor_rss_mib(size: tuple[int, int], font: Path) -> float:
    """VmRSS of the bare Kivy floor (bench/kivy_floor.py) at `size`, in MiB, read in its own process.

    The floor runs as the kiosk does (offscreen at this window size, the same CJK font), says
    READY=1 on a notify socket this process plays systemd with, and is read FLOOR_SETTLE_SECONDS
    later, then stopped by its PID. It has no caches to empty nor heap to give back: what it holds
    then is the toolkit's own cost.
    """
    program = Path(__file__).resolve().parent / "kivy_floor.py"
    with tempfile.TemporaryDirectory(prefix="kiosk-floor-") as home:
        address = str(Path(home) / "notify")
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
            notify.bind(address)
            notify.settimeout(120)
            env = {**os.environ, "NOTIFY_SOCKET": address, "KIVY_HOME": home}
            env.pop("DISPLAY", None)
            env.pop("WAYLAND_DISPLAY", None)
            floor = subprocess.Popen(
                [sys.executable, str(program), "--size", f"{size[0]}x{size[1]}", "--font", str(font)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                while notify.recv(256) != b"READY=1":
                    pass
                time.sleep(FLOOR_SETTLE_SECONDS)
                status = Path(f"/proc/{floor.pid}/status").read_text()
            finally:
                floor.send_signal(signal.SIGTERM)
                try:
                    floor.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    floor.kill()
                    floor.wait()
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS in /proc/{floor.pid}/status")


class _MallInfo2(ctypes.Structure):
    """glibc's struct mallinfo2 (malloc.h)."""

    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            *("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks"),
            *("uordblks", "fordblks", "keepcost"),
        )
    ]


def composition() -> dict[str, float]:
    """What the UI process's memory consists of now (after `Memory.now`), in MiB and counts.

    The C heap in use is glibc's mallinfo2, read first: every malloc of the process (Python's
    objects over 512 bytes, SQLite's page caches, FreeType, the GL driver's textures and compiled
    shaders) but not Python's small objects, which live in arenas of their own, nor mapped code.
    Textures are counted from Kivy's live Texture objects (width x height x 4 bytes: what the GL
    driver holds for each; llvmpipe keeps them in the C heap).
    """
    from kivy.cache import Cache
    from kivy.graphics.texture import Texture
    from kivy.uix.widget import Widget

    out: dict[str, float] = {}
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
        mallinfo2.restype = _MallInfo2
        info = mallinfo2()
        out["c_heap_in_use_mib"] = (info.uordblks + info.hblkhd) / 2**20
    objects = gc.get_objects()
    # issubclass(type()), not isinstance(): a Kivy weak proxy whose widget is gone raises on the latter.
    textures = [thing for thing in objects if issubclass(type(thing), Texture)]
    out |= {
        "textures": len(textures),
        "textures_mib": sum(texture.width * texture.height * 4 for texture in textures) / 2**20,
        "widgets": sum(1 for thing in objects if issubclass(type(thing), Widget)),
        "python_objects": len(objects),
    }
    out.update((f"cache {category}", len(Cache._objects.get(category, {}))) for category in Cache._categories)
    del objects, textures
    out |= sorted(texture_mib_by_screen().items(), key=lambda item: -item[1])[:TOP_SCREENS]
    return out


#: How many screens the report names with the texture memory their widgets hold.
TOP_SCREENS = 5


def texture_mib_by_screen() -> dict[str, float]:
    """MiB of texture each screen's widgets hold (label text, images), showing or not."""
    from kivy.app import App

    manager = App.get_running_app().root
    return {
        f"textures_mib on {screen.name}": sum(
            texture.width * texture.height * 4
            for widget in screen.walk(restrict=True)
            if (texture := getattr(widget, "texture", None)) is not None
        )
        / 2**20
        for screen in manager.screens
    }


@dataclass
class SoakReport:
    """What a soak run measured and found."""

    journeys: int
    warmup: int
    seed: int
    size: str
    #: Memory readings (journeys driven so far, MiB) from the warm-up on, every SAMPLE_EVERY journeys.
    readings: list[tuple[int, float]] = field(default_factory=list)
    journey_ms: list[float] = field(default_factory=list)
    printed: int = 0
    print_failed: int = 0
    printed_files: int = 0
    ratings_submitted: int = 0
    ratings_in_outbox: int = 0
    identified: int = 0
    objects_searched: int = 0
    files_searched: int = 0
    log_records: int = 0
    texts_searched: int = 0
    #: Where personal data was found; empty is the proof the soak is after.
    findings: list[str] = field(default_factory=list)
    tracemalloc_top: list[str] = field(default_factory=list)
    #: RSS of the bare Kivy floor at the same size, read twice in this run (before and after the
    #: journeys); the smaller is the figure the ratios use (the one least kind to the kiosk).
    floor_mib: list[float] = field(default_factory=list)
    #: What the memory consisted of at the end (see `composition`).
    contents: dict[str, float] = field(default_factory=dict)
    #: Screen fades that had not finished 1.5 s after the screen showed (see the lean driver's `on`).
    stuck_transitions: int = 0
    #: The time budget ran out before every journey was driven (the figures cover those driven).
    stopped_early: bool = False
    #: Journeys the UI did not complete (what was awaited, on which screen); the run goes on after each.
    failed: list[str] = field(default_factory=list)

    @property
    def figure_window(self) -> int:
        """How many readings each memory figure is the median of."""
        return max(1, min(READINGS_PER_FIGURE, len(self.readings) // 2))

    @property
    def rss_warm_mib(self) -> float:
        """RSS after the warm-up: the median of the first readings.

        One reading moves by tens of MiB with what the last resident left on the screens (the
        guide page they read, elder mode's larger text); a median of several does not.
        """
        return statistics.median(mib for _, mib in self.readings[: self.figure_window])

    @property
    def rss_end_mib(self) -> float:
        """RSS at the end: the median of the last readings."""
        return statistics.median(mib for _, mib in self.readings[-self.figure_window :])

    @property
    def growth_mib(self) -> float:
        return self.rss_end_mib - self.rss_warm_mib

    @property
    def floor_ratio(self) -> float | None:
        """RSS at the end against the bare Kivy floor of the same run (None: floor not measured)."""
        return self.rss_end_mib / min(self.floor_mib) if self.floor_mib else None

    @property
    def measured(self) -> list[float]:
        """Journey times after the warm-up."""
        return self.journey_ms[self.warmup :]

    @property
    def window(self) -> int:
        """How many journeys the first-versus-last comparison takes at each end."""
        return max(1, min(self.warmup, len(self.measured) // 2))

    @property
    def first_median_ms(self) -> float:
        return statistics.median(self.measured[: self.window])

    @property
    def last_median_ms(self) -> float:
        return statistics.median(self.measured[-self.window :])

    @property
    def slowdown(self) -> float:
        return self.last_median_ms / self.first_median_ms

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.measured)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def private(self) -> bool:
        """No personal data found anywhere."""
        return not self.findings

    @property
    def passed(self) -> bool:
        return self.private and self.growth_mib <= GROWTH_TARGET_MIB and not self.failed

    def lines(self) -> list[str]:
        """The report as printed."""
        met = "met" if self.growth_mib <= GROWTH_TARGET_MIB else "NOT MET"
        window = self.window
        driven = len(self.journey_ms)
        planned = f"{driven} of {self.journeys} (time budget spent)" if self.stopped_early else f"{driven}"
        out = [
            f"soak: {planned} journeys ({self.warmup} warm-up), seed {self.seed}, {self.size} offscreen, "
            f"python {platform.python_version()}, {os.cpu_count()} cpus",
            f"RSS after warm-up      {self.rss_warm_mib:8.1f} MiB   (median of {self.figure_window} "
            f"readings, journeys {self.readings[0][0]}-{self.readings[self.figure_window - 1][0]})",
            f"RSS at the end         {self.rss_end_mib:8.1f} MiB   (median of {self.figure_window} "
            f"readings, journeys {self.readings[-self.figure_window][0]}-{self.readings[-1][0]})",
            f"all readings           {min(mib for _, mib in self.readings):.1f} to "
            f"{max(mib for _, mib in self.readings):.1f} MiB   ({len(self.readings)} readings, "
            f"every {SAMPLE_EVERY} journeys)",
            f"growth                 {self.growth_mib:+8.1f} MiB   "
            f"target <= {GROWTH_TARGET_MIB:.0f} MiB: {met}",
            *self.floor_lines(),
            f"per journey            median {statistics.median(self.measured):.0f} ms   "
            f"p95 {self.p95_ms:.0f} ms   ({len(self.measured)} journeys after the warm-up)",
            f"first {window} vs last {window}      {self.first_median_ms:.0f} ms vs "
            f"{self.last_median_ms:.0f} ms   x {self.slowdown:.2f} (median per journey)",
            f"printed                {self.printed} checklists "
            f"({self.printed_files} PDFs kept and searched), {self.print_failed} failed",
            f"rated                  {self.ratings_submitted} ratings "
            f"({self.ratings_in_outbox} in the outbox)",
            f"identified             {self.identified} times by card "
            f"({self.stuck_transitions} screen fades stalled)",
            f"completed              {driven - len(self.failed)} of {driven} journeys",
            *(f"  {failure}" for failure in self.failed[:20]),
            f"searched               {self.objects_searched} live objects, {self.texts_searched} "
            f"widget texts, {self.files_searched} files, {self.log_records} log records",
        ]
        if self.private:
            out.append("privacy                no personal data remains")
        else:
            out.append(f"privacy                PERSONAL DATA REMAINS ({len(self.findings)} findings)")
            out.extend(f"  {finding}" for finding in self.findings[:40])
        if self.contents:
            out.append(
                "memory at the end      "
                + ", ".join(
                    f"{name} {value:.1f}" if isinstance(value, float) else f"{name} {value}"
                    for name, value in self.contents.items()
                )
            )
        if self.tracemalloc_top:
            out.append("tracemalloc growth after the warm-up, top lines:")
            out.extend(f"  {line}" for line in self.tracemalloc_top)
        return out

    def floor_lines(self) -> list[str]:
        """The floor and the ratios against it (a ratio, not a bare figure, is what compares runs)."""
        if not self.floor_mib:
            return ["floor                  not measured (bench/kivy_floor.py missing)"]
        floor = min(self.floor_mib)
        ratio = self.rss_end_mib / floor
        met = "met" if ratio <= FLOOR_RATIO_TARGET else "NOT MET"
        return [
            f"bare Kivy floor        {floor:8.1f} MiB   (same size, this run; read "
            + " and ".join(f"{mib:.1f}" for mib in self.floor_mib)
            + ")",
            f"vs the floor           x {self.rss_warm_mib / floor:.2f} after warm-up, "
            f"x {ratio:.2f} at the end   target <= {FLOOR_RATIO_TARGET}: {met}",
        ]

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("journey_ms")
        data.update(
            driven=len(self.journey_ms),
            growth_mib=self.growth_mib,
            median_ms=statistics.median(self.measured),
            p95_ms=self.p95_ms,
            rss_warm_mib=self.rss_warm_mib,
            rss_end_mib=self.rss_end_mib,
            floor_ratio=self.floor_ratio,
            first_median_ms=self.first_median_ms,
            last_median_ms=self.last_median_ms,
            slowdown=self.slowdown,
            private=self.private,
            passed=self.passed,
        )
        return data


def prepare_process(scratch: Path, size: tuple[int, int], max_fps: int = 60) -> None:
    """Simulated devices, a throwaway data directory and temporary directory, Kivy offscreen.

    Must run before Kivy is imported. The temporary directory is the process's own, so that every
    file the kiosk (or a library) writes there is searched afterwards.
    """
    tmp = scratch / "tmp"
    tmp.mkdir(parents=True)
    os.environ["TMPDIR"] = str(tmp)
    tempfile.tempdir = str(tmp)
    simulated_offscreen_kiosk(scratch / "data")
    from screens.environment import prepare_kivy

    # Capped as on a display: uncapped (0), Kivy's screen transitions can stay active forever.
    prepare_kivy(scratch / "kivy", size, fullscreen=False, max_fps=max_fps)


@dataclass(frozen=True)
class SoakOptions:
    """How many journeys, drawn from which seed, in which window, for how long at most."""

    journeys: int = 1000
    warmup: int = 50
    seed: int = 7
    size: tuple[int, int] = (1920, 1080)
    #: Trace Python allocations after the warm-up and report the lines that grew most.
    trace: bool = False
    #: Start no journey after this many minutes (0: no budget); the figures cover those driven.
    budget_minutes: float = 0.0


def run(options: SoakOptions) -> SoakReport:
    """Build the kiosk and the UI in this process, drive the journeys, then search for leftovers."""
    from kiosk.appliance import build_kiosk
    from kiosk.identity import ReaderWatch
    from kiosk.settings import load_settings
    from screens.app import KioskApp

    people = residents(options.seed)
    secrets = leftovers.Secrets(
        {
            label: value
            for index, person in enumerate(people)
            for label, value in person.secrets(index).items()
        }
    )
    watch = leftovers.LogWatch(secrets)
    root = logging.getLogger()
    root.addHandler(watch)
    root.setLevel(logging.DEBUG)  # every record is looked at, debug lines too; none is printed
    logging.getLogger("kivy").setLevel(logging.WARNING)

    clock = WalkClock()
    kiosk = build_kiosk(load_settings(), clock=clock)
    kiosk.devices.printer.seconds_per_job = 0  # type: ignore[attr-defined]  # the simulated printer
    kiosk.printing._poll_interval = 0.01  # follows the simulated job without sleeping a kiosk's 250 ms
    kiosk.identity.watch = ReaderWatch(poll=READER_POLL_SECONDS)
    width, height = options.size
    report = SoakReport(options.journeys, options.warmup, options.seed, f"{width}x{height}")
    measure_floor(options, report)
    scratch = Path(os.environ["KIOSK_DATA_DIR"]).parent
    try:
        kiosk.start()
        ui = lean_driver(KioskApp(kiosk), options.size)
        ui.app.root.transition.duration = TRANSITION_SECONDS
        try:
            driver = JourneyDriver(ui, kiosk, people, clock, report)
            drive(driver, options, report)
            measure_floor(options, report)
            report.stuck_transitions = ui.stuck_transitions
            report.ratings_in_outbox = kiosk.ratings.count_pending()
            report.printed_files = len(list((kiosk.data_dir / "printed").glob("*.pdf")))
            report.findings = [str(finding) for finding in driver.findings]
            del driver
            report.findings += [str(finding) for finding in search_ui(ui, secrets, report)]
        finally:
            ui.close()
    finally:
        kiosk.close()
        root.removeHandler(watch)
    report.findings += [str(finding) for finding in watch.findings]
    report.log_records = watch.records
    live = leftovers.live_objects(secrets)
    report.objects_searched = len(gc.get_objects())
    report.findings += [str(finding) for finding in live]
    found, report.files_searched = leftovers.files([scratch], secrets)
    report.findings += [str(finding) for finding in found]
    return report


def measure_floor(options: SoakOptions, report: SoakReport) -> None:
    """One more reading of the bare Kivy floor at the soak's size, where bench/kivy_floor.py is."""
    if (Path(__file__).resolve().parent / "kivy_floor.py").exists():
        report.floor_mib.append(floor_rss_mib(options.size, find_cjk_font().path))


def drive(driver: JourneyDriver, options: SoakOptions, report: SoakReport) -> None:
    """The journeys, timed; memory measured after the warm-up and at the end."""
    from screens.pilot import UiTimeout

    stop_at = time.monotonic() + options.budget_minutes * 60 if options.budget_minutes else float("inf")
    baseline = None
    for plan in plans(options.seed, options.journeys, len(driver.people)):
        if time.monotonic() > stop_at and plan.number > options.warmup:
            report.stopped_early = True
            break
        if plan.number == options.warmup and options.trace:
            tracemalloc.start(10)
            baseline = tracemalloc.take_snapshot()
        if plan.number >= options.warmup and (plan.number - options.warmup) % SAMPLE_EVERY == 0:
            report.readings.append((plan.number, Memory.now().rss_mib))
        started = time.perf_counter()
        try:
            driver.journey(plan)
        except UiTimeout as error:  # reported, and the next resident finds the attract screen
            report.failed.append(f"journey {plan.number}: {error}")
            driver.abandon()
        report.journey_ms.append((time.perf_counter() - started) * 1000)
        if plan.number % 25 == 24:
            recent = statistics.median(report.journey_ms[-25:])
            print(
                f"  {plan.number + 1:5d} journeys  RSS {rss_mib():7.1f} MiB  "
                f"median of the last 25 {recent:6.0f} ms",
                file=sys.stderr,
                flush=True,
            )
    report.readings.append((len(report.journey_ms), Memory.now().rss_mib))
    report.contents = composition()
    if baseline is not None:
        growth = tracemalloc.take_snapshot().compare_to(baseline, "lineno")
        report.tracemalloc_top = [str(stat) for stat in growth[:15]]
        tracemalloc.stop()


def lean_driver(app: Any, size: tuple[int, int]) -> Any:
    """The UI driver with one frame (not two to four) after each touch and each wait, for a
    thousand journeys on a software renderer. One frame still lays out and draws the result."""
    from screens.pilot import UiPilot, UiTimeout
    from screens.touch import tap

    class LeanDriver(UiPilot):
        #: Screen fades that had not finished 1.5 s after their screen showed (see `on`).
        stuck_transitions = 0

        def on(self, screen: Screen, timeout: float = 30.0) -> None:
            """Wait for `screen`, and for its fade-in to finish when it does within a second and a half.

            Now and then (a few times in a hundred screen changes on this loaded machine) Kivy's fade
            never completes: the transition stays active until the next screen change ends it.
            Counted in the report, not fatal: the screen is current and takes touches.
            """
            self.until(lambda: self.current == screen.value, timeout, what=f"screen {screen.value}")
            try:
                super().on(screen, timeout=1.5)
            except UiTimeout:
                self.stuck_transitions += 1

        def tap(self, target: Any) -> None:
            self.scroll_into_view(target)
            tap(target)
            self.frames(1)

        def until(self, condition: Any, timeout: float = 30.0, what: str = "") -> None:
            deadline = time.monotonic() + timeout
            while not condition():
                if time.monotonic() > deadline:
                    raise UiTimeout(f"timed out waiting for {what or condition} (on {self.current})")
                self.frames()
            self.frames()

    return LeanDriver(app, size)


def search_ui(ui: Any, secrets: leftovers.Secrets, report: SoakReport) -> list[leftovers.Finding]:
    """Every label of every screen (showing or not) and of the window's overlays."""
    from kivy.uix.label import Label

    tops = [*ui.app.root.screens, *ui.window.children]
    if ui.app.idle_warning is not None:
        tops.append(ui.app.idle_warning)
    texts = [
        (f"{type(widget).__name__} on {getattr(top, 'name', '') or type(top).__name__}", widget.text)
        for top in tops
        for widget in top.walk(restrict=True)
        if isinstance(widget, Label) and widget.text
    ]
    report.texts_searched = len(texts)
    return leftovers.texts(texts, secrets)


class JourneyDriver:
    """Drives one resident's journey through the UI by touch, following a plan.

    The steps are the tour's (screens/tour.py): one walk through the resident's screens, which the
    tour takes pictures of and the soak drives a thousand times with other choices.
    """

    def __init__(
        self, ui: Any, kiosk: Any, people: list[Resident], clock: WalkClock, report: SoakReport
    ) -> None:
        self.ui = ui
        self.kiosk = kiosk
        self.people = people
        self.clock = clock
        self.report = report
        #: Personal data the session still held after a walk-away.
        self.findings: list[leftovers.Finding] = []

    # -- the journey -------------------------------------------------------------------------------

    def journey(self, plan: JourneyPlan) -> None:
        from screens import tour

        ui = self.ui
        ui.on(Screen.ATTRACT)
        ui.tap_center()
        ui.on(Screen.HOME)
        if plan.language != self.kiosk.journey.language:
            tour.switch_language(ui, plan.language)
        if plan.elder:
            tour.switch_to_elder_mode(ui)
        if plan.card is not None:
            tour.identify_by_card(ui, self.slot(plan), self.card(plan), leave_card=plan.forget_card)
            self.report.identified += 1
        if self.find_guide(plan):
            self.read_guide(plan)
            if plan.qr:
                tour.show_qr(ui)
            if plan.print and self.print_checklist() and plan.rating is not None:
                ui.tap(ui.widget(Screen.PRINT_DONE, "rate"))
                self.rate(plan)
            elif plan.rating is not None:
                ui.tap(ui.widget(ui_screen(ui), "home"))
                ui.on(Screen.HOME)
                ui.tap(ui.widget(Screen.HOME, "rate"))
                self.rate(plan)
        self.walk_away(plan)

    def slot(self, plan: JourneyPlan) -> Any:
        devices = self.kiosk.devices
        reader = devices.id_reader if plan.card is CardKind.ID_CARD else devices.sscard_reader
        return reader.slot

    def card(self, plan: JourneyPlan) -> IdCard | SocialSecurityCard:
        """The resident's card, built from separate copies of their data."""
        person = self.people[plan.resident]
        if plan.card is CardKind.ID_CARD:
            return IdCard(
                "resident",
                fresh(person.name),
                "女",
                fresh(person.id_number),
                birth_date=date(int(person.id_number[6:10]), 1, 1),
                nation="汉",
                address=fresh(person.address),
                issuer="威海市公安局环翠分局",
            )
        return SocialSecurityCard(
            card_id="371000D15600" + f"{plan.resident:04d}",
            name=fresh(person.name),
            ss_number=fresh(person.id_number),
            card_type="3",
            card_number=f"W{plan.resident:08d}",
        )

    def find_guide(self, plan: JourneyPlan) -> bool:
        """Open a guide by the plan's route; False when nothing could be opened."""
        from screens import tour

        ui = self.ui
        if plan.route == "search":
            tour.type_search(ui, plan.query)
            results = ui.widget(Screen.SEARCH, "results")
            if ui.screen(Screen.SEARCH).flow.hits and tour.choose_row(ui, results, plan.pick):
                return True
        if ui.current != Screen.HOME.value:
            ui.tap(ui.widget(ui_screen(ui), "home"))
            ui.on(Screen.HOME)
        # Through home's task tiles, as a resident does (elder mode's home has no browsing list and
        # no life-events tile: its residents browse by department).
        by_event = plan.route == "life_event" and ui.widget(Screen.HOME, "all_life_events").parent is not None
        if not tour.open_guide_list(ui, by_life_event=by_event, tile=plan.number + plan.pick):
            return False
        return tour.choose_row(ui, ui.widget(Screen.GUIDE_LIST, "rows"), plan.pick)

    def read_guide(self, plan: JourneyPlan) -> None:
        """Scroll through the guide; switch to the plain version and back when it has one."""
        from screens.tour import read_plain_version

        ui = self.ui
        scroll = ui.widget(Screen.GUIDE_DETAIL, "scroll")
        for position in (0.5, 0.0, 1.0):
            scroll.scroll_y = position
            ui.frames(2)
        guide = self.kiosk.journey.view.guide
        if plan.plain and guide is not None and guide.plain:
            read_plain_version(ui)

    def print_checklist(self) -> bool:
        """Print and wait for the paper; True when it came out."""
        ui = self.ui
        ui.tap(ui.widget(Screen.GUIDE_DETAIL, "print"))
        ui.until(
            lambda: ui.current in (Screen.PRINT_DONE.value, Screen.PRINT_FAILED.value), what="print outcome"
        )
        ui.on(Screen(ui.current))
        if ui.current == Screen.PRINT_DONE.value:
            self.report.printed += 1
            return True
        self.report.print_failed += 1
        return False

    def rate(self, plan: JourneyPlan) -> None:
        """Pick the plan's level (and a reason for a bad one); submit, or type a number and leave."""
        from screens.tour import give_rating

        ui = self.ui
        ui.on(Screen.RATING)
        rating = ui.screen(Screen.RATING)
        if rating.flow is None or rating.flow.already_rated:
            return
        assert plan.rating is not None
        phone = self.people[plan.resident].phone if plan.abandon_phone else ""
        give_rating(ui, plan.rating, reason=plan.pick % 3, phone=phone)
        if plan.abandon_phone:
            return  # the resident walks away from the form
        ui.tap(ui.widget(Screen.RATING, "submit"))
        ui.until(lambda: rating.flow is None or rating.flow.submitted is not None, what="rating submitted")
        self.report.ratings_submitted += 1
        ui.tap(ui.widget(Screen.RATING, "home"))
        ui.on(Screen.HOME)

    def abandon(self) -> None:
        """After a journey the UI did not complete: lift any card and let the session run out."""
        devices = self.kiosk.devices
        for slot in (devices.id_reader.slot, devices.sscard_reader.slot):
            if slot.present():
                slot.lift()
        session = self.kiosk.session
        self.clock.skew(session.idle_seconds + session.warning_seconds + 1)
        session.tick()
        self.ui.until(lambda: not session.active, what="the session to end")
        self.ui.on(Screen.ATTRACT)
        time.sleep(3 * READER_POLL_SECONDS)

    def walk_away(self, plan: JourneyPlan) -> None:
        """Nobody touches the screen: the warning shows, the session ends, the attract screen returns."""
        from screens.tour import walk_away

        ui = self.ui
        session = self.kiosk.session
        walk_away(ui, self.clock.skew, more_time=plan.more_time)
        if session.identity is not None or session.active:
            self.findings.append(leftovers.Finding("session", f"after journey {plan.number}", "identity"))
        if plan.forget_card:
            slot = self.slot(plan)
            slot.lift()
            # Let the reader's watcher see the empty reader before the next resident's card comes.
            ui.until(lambda: not slot.present(), what="card lifted")
            time.sleep(3 * READER_POLL_SECONDS)


def ui_screen(ui: Any) -> Screen:
    """The Screen showing now."""
    return Screen(ui.current)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=1000, help="resident journeys to drive")
    parser.add_argument("--warmup", type=int, default=50, help="journeys before the first measurement")
    parser.add_argument("--seed", type=int, default=7, help="draws the journeys and the residents")
    parser.add_argument(
        "--size", default="1920x1080", help="window size, WxH (the appliance's landscape panel)"
    )
    parser.add_argument("--max-fps", type=int, default=60, help="frame rate cap, as on a display")
    parser.add_argument(
        "--budget-minutes",
        type=float,
        default=0.0,
        help="start no journey after this many minutes, then measure and search as usual (0: no budget)",
    )
    parser.add_argument("--tracemalloc", action="store_true", help="trace allocations after the warm-up")
    parser.add_argument("--json", type=Path, help="also write the report as JSON to this file")
    args = parser.parse_args(argv)
    if args.journeys <= args.warmup:
        parser.error("--journeys must be larger than --warmup")
    width, height = (int(part) for part in args.size.split("x"))
    scratch = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
    try:
        prepare_process(scratch, (width, height), args.max_fps)
        report = run(
            SoakOptions(
                args.journeys, args.warmup, args.seed, (width, height), args.tracemalloc, args.budget_minutes
            )
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print("\n".join(report.lines()))
    if args.json is not None:
        args.json.write_text(json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n")
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
