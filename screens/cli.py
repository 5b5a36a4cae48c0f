"""`kiosk run` and `kiosk tour`: the composition roots that start the Kivy UI.

Registered in the `kiosk.commands` entry-point group, so they are subcommands of `kiosk` while the
core never imports the screens. Kivy is imported inside the commands, after `prepare_kivy`: this
module itself loads without it (for `kiosk --help`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import click

from kiosk.appliance import build_kiosk
from kiosk.cli.loading import load_or_exit
from kiosk.devices import UnknownDriver
from kiosk.log import configure_logging
from kiosk.paths import data_dir
from kiosk.settings.schema import value_pair
from kiosk.technician import hash_pin
from screens.showroom import TOUR_PIN, VARIANTS, WalkClock, showroom_platform, simulated_offscreen_kiosk

#: `kiosk run`'s exit status when a technician restarted the UI: systemd (Restart=always) starts it
#: again; any non-zero status also tells the journal that this stop was not a clean shutdown.
EXIT_RESTART_UI = 75

log = logging.getLogger("kiosk")


def _size(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        return value_pair(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error


@click.command()
@click.option("--windowed", is_flag=True, help="Open a window instead of taking the whole screen.")
@click.option("--size", metavar="WxH", help="Window size, e.g. 1080x1920 for portrait.")
def run(windowed: bool, size: str | None) -> None:
    """Start the kiosk's touch UI on the configured devices."""
    loaded = load_or_exit()
    settings = loaded.settings
    configure_logging(settings.logging.level, settings.logging.format)
    data = data_dir(settings)
    window = _size(size) or settings.display.window_pixels
    from screens.environment import prepare_kivy

    offscreen = prepare_kivy(
        data / "kivy", window, settings.display.fullscreen and not windowed, display=settings.display
    )
    if offscreen:
        log.warning("no display (DISPLAY and WAYLAND_DISPLAY unset): running offscreen at %dx%d", *window)
    try:
        kiosk = build_kiosk(loaded)
    except UnknownDriver as error:
        raise click.ClickException(str(error)) from error
    from screens.app import KioskApp

    try:
        kiosk.start()
        KioskApp(kiosk, locked=not windowed).run()
    finally:
        kiosk.close()
    if kiosk.technician.restart_requested:
        log.warning("UI restart asked (technician or fleet): exiting with status %d", EXIT_RESTART_UI)
        sys.exit(EXIT_RESTART_UI)


#: The two ways a kiosk's screen stands, and the window size of each.
ORIENTATIONS = {"landscape": (1920, 1080), "portrait": (1080, 1920)}


@click.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the screenshots: OUT/<variant>/<orientation>/<screen>.png.",
)
@click.option(
    "--variant",
    "variants",
    multiple=True,
    type=click.Choice(VARIANTS),
    help="zh, en, or elder (elder mode in Chinese), as a resident switches them; repeat for more. "
    "Default: all three.",
)
@click.option(
    "--orientation",
    "orientations",
    multiple=True,
    type=click.Choice(tuple(ORIENTATIONS)),
    help="landscape (1920x1080) or portrait (1080x1920); repeat for both. Default: both.",
)
@click.option(
    "--until",
    metavar="STOP",
    help="End each walk after the picture of STOP (e.g. home): a quick look at the first screens.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help="Walks run side by side, each in a process of its own (default: every walk at once, at "
    "most twice the CPUs). 1: one after the other in this process.",
)
def tour(
    out: Path, variants: tuple[str, ...], orientations: tuple[str, ...], until: str | None, jobs: int | None
) -> None:
    """Walk the kiosk's journey offscreen with simulated touches and save a PNG of every screen.

    One walk per variant and orientation. A showroom walk: simulated devices, the demo guides and a
    throwaway data directory, whatever the settings say, so a tour never prints on a real printer
    nor touches a kiosk's data.
    """
    runs = [(v, o) for v in variants or VARIANTS for o in orientations or tuple(ORIENTATIONS)]
    jobs = min(len(runs), jobs or 2 * (os.cpu_count() or 1))
    walks = _walk_tours(out, runs, until) if jobs == 1 else _walk_side_by_side(out, runs, until, jobs)
    for saved in walks:
        for path in saved:
            click.echo(str(path))


def _walk_side_by_side(
    out: Path, runs: list[tuple[str, str]], until: str | None, jobs: int
) -> list[list[Path]]:
    """Each walk in a fresh process of its own, `jobs` at a time: what it saved, in the order of `runs`.

    A walk waits now and then (a long press, a slow platform, frames at the display's rate) and
    renders on the CPU in between: side by side, one walk's waits are another's work. Each process
    is the one a tour of that single walk would be, with its own window, kiosk and simulators.
    """
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: Kivy is set up once per process
    with ProcessPoolExecutor(max_workers=jobs, mp_context=spawn, max_tasks_per_child=1) as pool:
        walks = [pool.submit(_walk_tours, out, [run], until) for run in runs]
        return [walk.result()[0] for walk in walks]


def _walk_tours(out: Path, runs: list[tuple[str, str]], until: str | None) -> list[list[Path]]:
    """The walks of `runs`, one after the other in this process, on one throwaway data directory."""
    scratch = Path(tempfile.mkdtemp(prefix="kiosk-tour-"))
    try:
        with _restored_environment():
            return _walk_in_showroom(out, runs, scratch, until)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _walk_in_showroom(
    out: Path, runs: list[tuple[str, str]], scratch: Path, until: str | None
) -> list[list[Path]]:
    simulated_offscreen_kiosk(scratch)
    # A showroom: simulators run and the demo guides fill the scratch catalogue, even when the site
    # file of the machine it runs on says "appliance" (whose sims would be out of service).
    os.environ["KIOSK__KIOSK__MODE"] = "showroom"
    # One notice all along, unless told otherwise: a picture of the attract screen does not depend
    # on how long the walk took to reach it (longer when walks run side by side).
    os.environ.setdefault("KIOSK__ATTRACT__SECONDS_PER_NOTICE", "600")
    # The tour enters technician mode as a technician does, with the tour's own PIN.
    os.environ["KIOSK__TECHNICIAN__PIN_HASH"] = f'"{hash_pin(TOUR_PIN)}"'
    # The online services transact with the platform simulator's fictional residents.
    with showroom_platform() as platform:
        loaded = load_or_exit()
        configure_logging(loaded.settings.logging.level, loaded.settings.logging.format)
        from screens.environment import prepare_kivy

        sizes = [ORIENTATIONS[orientation] for _, orientation in runs]
        prepare_kivy(scratch / "kivy", sizes[0], fullscreen=False, resizes_to=sizes[1:])
        clock = WalkClock()
        from screens.tour import STOPS, run_tour

        if until is not None and until not in STOPS:
            raise click.BadParameter(
                f"no stop {until!r}; choose from {', '.join(sorted(STOPS))}", param_hint="--until"
            )
        walks = []
        for variant, orientation in runs:
            kiosk = build_kiosk(loaded, clock=clock)
            try:
                kiosk.start()
                walks.append(
                    run_tour(
                        kiosk,
                        out / variant / orientation,
                        ORIENTATIONS[orientation],
                        clock.skew,
                        variant,
                        until=until,
                        platform=platform,
                    )
                )
            finally:
                kiosk.close()
        return walks


@contextmanager
def _restored_environment() -> Iterator[None]:
    """Give the process environment back as it was, whatever the block set or removed in it.

    The tour changes the environment for its throwaway kiosk (simulated devices, a scratch data
    directory) and for Kivy (no display); whoever called it in-process keeps their own.
    """
    saved = dict(os.environ)
    try:
        yield
    finally:
        for name in set(os.environ) - set(saved):
            del os.environ[name]
        for name, value in saved.items():
            if os.environ.get(name) != value:
                os.environ[name] = value
