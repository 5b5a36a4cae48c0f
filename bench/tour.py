"""Benchmark of `kiosk tour`: the whole tour against the bare cost of its pictures, in one run.

    .venv/bin/python -m bench.tour [--jobs N] [--keep DIR]

The baseline is the floor any tour pays: the same number of pictures, each one frame rendered
on the same offscreen window and saved as the tour saves it (`UiPilot.shot`), at 1920x1080, one
after the other in one process, with no walking in between. It is measured before and after the
tour, and the ratio is against their mean, so that a machine busy with other work slows both
alike. The tour's target is absolute: at most two minutes on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: The repository, where `-m bench.tour` runs from (bench/ itself holds a module named platform).
REPOSITORY = Path(__file__).resolve().parent.parent
#: The tour's target on this machine (issue 18).
TARGET_SECONDS = 120.0
LANDSCAPE = (1920, 1080)


def offscreen_environment() -> dict[str, str]:
    """This process's environment without a display, as `make tour` runs it."""
    return {key: value for key, value in os.environ.items() if key not in {"DISPLAY", "WAYLAND_DISPLAY"}}


def expected_pictures() -> int:
    """How many pictures a whole tour saves: every stop of every variant in both orientations."""
    result = subprocess.run(
        [sys.executable, "-c", "from screens.tour import STOPS; print(len(STOPS))"],
        capture_output=True,
        text=True,
        env={**offscreen_environment(), "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1"},
        check=True,
    )
    from screens.cli import ORIENTATIONS
    from screens.showroom import VARIANTS

    return int(result.stdout.split()[-1]) * len(VARIANTS) * len(ORIENTATIONS)


def run_tour(out: Path, jobs: int | None) -> tuple[float, int]:
    """`kiosk tour --out OUT` in its own process: (wall seconds, pictures saved)."""
    kiosk = Path(sys.executable).with_name("kiosk")
    command = [str(kiosk), "tour", "--out", str(out), *(["--jobs", str(jobs)] if jobs else [])]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=offscreen_environment(), check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"kiosk tour failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return seconds, len(list(out.rglob("*.png")))


def run_floor(pictures: int, out: Path) -> float:
    """The baseline in its own process (see `render_and_save`): seconds for `pictures` pictures."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.tour", "--floor", str(pictures), "--keep", str(out)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        env=offscreen_environment(),
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"the baseline failed ({result.returncode}):\n{result.stderr[-3000:]}")
    seconds: float = json.loads(result.stdout.strip().splitlines()[-1])["seconds"]
    return seconds


def render_and_save(pictures: int, out: Path) -> float:
    """Home on the tour's showroom kiosk, then `pictures` times: render one frame, save the PNG."""
    scratch = Path(tempfile.mkdtemp(prefix="kiosk-bench-tour-"))
    try:
        from kiosk.cli.loading import load_or_exit
        from screens.showroom import simulated_offscreen_kiosk

        simulated_offscreen_kiosk(scratch)
        os.environ["KIOSK__KIOSK__MODE"] = "showroom"
        os.environ["KIOSK__SYNC__REPO_URL"] = '""'
        loaded = load_or_exit()
        from screens.environment import prepare_kivy

        prepare_kivy(scratch / "kivy", LANDSCAPE, fullscreen=False)
        from kiosk.appliance import build_kiosk
        from kiosk.journey import Screen
        from screens.app import KioskApp
        from screens.pilot import UiPilot

        kiosk = build_kiosk(loaded)
        try:
            kiosk.start()
            ui = UiPilot(KioskApp(kiosk), LANDSCAPE, draw_every_frame=False)
            ui.tap_center()
            ui.on(Screen.HOME)
            started = time.perf_counter()
            for number in range(pictures):
                ui.shot(out / f"{number:03d}.png")
            seconds = time.perf_counter() - started
            ui.close()
        finally:
            kiosk.close()
        return seconds
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, help="passed to `kiosk tour --jobs` (default: the tour's own)")
    parser.add_argument("--keep", type=Path, help="keep the pictures in this folder")
    parser.add_argument("--floor", type=int, help=argparse.SUPPRESS)  # the baseline's own process
    options = parser.parse_args()
    work = options.keep or Path(tempfile.mkdtemp(prefix="kiosk-bench-tour-"))
    try:
        if options.floor is not None:
            print(json.dumps({"seconds": render_and_save(options.floor, work)}))
            return
        pictures = expected_pictures()
        floors = [run_floor(pictures, work / "floor-before")]
        tour_seconds, saved = run_tour(work / "tour", options.jobs)
        floors.append(run_floor(pictures, work / "floor-after"))
        if saved != pictures:
            raise SystemExit(f"the tour saved {saved} pictures, not {pictures}")
    finally:
        if options.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    floor = statistics.mean(floors)
    print(
        f"kiosk tour: {pictures} pictures in {tour_seconds:.1f} s ({tour_seconds / pictures:.2f} s a picture)"
    )
    print(
        f"baseline: {pictures} pictures rendered and saved in {floor:.1f} s "
        f"({' and '.join(f'{seconds:.1f}' for seconds in floors)} s, around the tour)"
    )
    print(f"ratio tour / baseline: {tour_seconds / floor:.2f}")
    verdict = "met" if tour_seconds <= TARGET_SECONDS else "NOT met"
    print(f"target: the whole tour in at most {TARGET_SECONDS:.0f} s on this machine: {verdict}")


if __name__ == "__main__":
    main()
