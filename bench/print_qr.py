"""Benchmark of printing and QR: checklist render, CUPS submit-to-completed, zbar decode per frame.

    .venv/bin/python bench/print_qr.py [--rounds N]

Every figure comes with a baseline measured in the same run, so the ratios hold on another
machine: rendering a one-line PDF, printing on a raw queue (no filters), decoding without the
symbology restriction and the sparser scan lines the camera scanner uses.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drivers.printer.cups_printer import CupsPrinter
from drivers.printer.settings import CupsPrinterSettings
from drivers.scanner.camera import SCAN_DENSITY
from kiosk.barcodes import FrameDecoder, decode_gray
from kiosk.bus import EventBus
from kiosk.devices import DriverContext
from kiosk.documents import ChecklistContext, render_checklist
from kiosk.documents.layout import PAPERS, build_pdf, paragraph, styles_for
from kiosk.guides import DEMO_CATALOGUE, read_jsonl
from kiosk.printing import PrintService
from kiosk.records import Guide, PrintJob
from kiosk.settings import DEFAULTS_FILE, load_settings, read_toml_layer
from tests.cupsd import PrivateCupsd
from tests.qr_images import frame

CONTEXT = ChecklistContext(
    "bench-0001", "基准测试", datetime(2026, 11, 27), handover_url="https://zwfw.weihai.example/guide/x"
)
#: Print request keys: a new one each time, as the same key would (rightly) not print again.
KEYS = itertools.count()


def median_ms(work: Callable[[], object], rounds: int) -> float:
    """The median wall time of `work` in milliseconds, after one warm-up run."""
    work()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def largest_guide() -> Guide:
    with DEMO_CATALOGUE.open(encoding="utf-8") as handle:
        guides = read_jsonl(handle)
    return max(guides, key=lambda g: len(g.materials) * 3 + len(g.steps) + len(g.locations) * 2)


def report(name: str, value: float, baseline_name: str, baseline: float, target: float | None = None) -> None:
    verdict = "" if target is None else f"  target <= {target:g} ms: {'met' if value <= target else 'MISSED'}"
    figures = f"{value:8.2f} ms   {baseline_name:<28} {baseline:8.2f} ms   x{value / baseline:5.2f}"
    print(f"{name:<58} {figures}{verdict}")


def bench_render(rounds: int) -> None:
    guide = largest_guide()
    paper = PAPERS["a4"]
    one_line = lambda: build_pdf(paper, [paragraph("基准", styles_for(paper).body)], "t", "s")  # noqa: E731
    baseline = median_ms(one_line, rounds)
    for paper_name in ("a4", "receipt80"):
        value = median_ms(partial(render_checklist, guide, CONTEXT, paper_name), rounds)
        report(
            f"checklist {guide.id} ({len(guide.materials)} materials), {paper_name}",
            value,
            "one-line PDF",
            baseline,
            200,
        )


def bench_print(rounds: int) -> None:
    section = load_settings([read_toml_layer(DEFAULTS_FILE)]).settings.devices.printer
    pdf = render_checklist(largest_guide(), CONTEXT, "a4")
    with PrivateCupsd() as cupsd:
        cupsd.add_queue("pdf")
        raw_out = cupsd.root / "out" / "raw.prn"
        cupsd.lp("lpadmin", "-p", "raw", "-E", "-v", f"file://{raw_out}", "-m", "raw")
        timings = {}
        for queue in ("raw", "pdf"):
            printer = CupsPrinter(
                CupsPrinterSettings(
                    driver="cups", queue=queue, server=cupsd.server, paper=section.paper, job_timeout=60
                ),
                DriverContext(Path("/nonexistent"), "bench"),
            )
            printing = PrintService(printer, EventBus(), job_timeout=60, poll_interval=0.01)

            def once(printing: PrintService = printing, keys: Iterator[int] = KEYS) -> None:
                outcome = printing.print_and_wait(PrintJob("bench", pdf), f"bench-{next(keys)}")
                assert outcome.completed, outcome.technician_message

            timings[queue] = median_ms(once, max(3, rounds // 4))
        report(
            "submit-to-completed, Generic-PDF file queue",
            timings["pdf"],
            "raw file queue (no filters)",
            timings["raw"],
        )


def bench_decode(rounds: int) -> None:
    with_code = frame(codes=(("RC:0123456789abcdefXYZ", (260, 180)),))
    without = frame(seed=11)
    camera = FrameDecoder(["qrcode"], SCAN_DENSITY)
    for label, image in (("with a code", with_code), ("without a code", without)):
        pixels = image.tobytes()
        everything = median_ms(partial(decode_gray, pixels, 640, 480), rounds)
        restricted = median_ms(partial(decode_gray, pixels, 640, 480, ["qrcode"]), rounds)
        scanner = median_ms(partial(camera.decode, pixels, 640, 480), rounds)
        target = 20 if label == "with a code" else None
        report(f"decode 640x480 {label}, QR only", restricted, "every symbology", everything)
        report(f"decode 640x480 {label}, camera scanner", scanner, "every symbology", everything, target)
    camera.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40, help="measured runs per figure (median)")
    rounds = parser.parse_args().rounds
    print(f"rounds={rounds}  python {sys.version.split()[0]}")
    bench_render(rounds)
    bench_decode(rounds)
    bench_print(rounds)


if __name__ == "__main__":
    main()
