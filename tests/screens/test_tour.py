from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from kivy.base import EventLoop
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from kiosk.appliance import Kiosk
from kiosk.barcodes import decode_image
from kiosk.journey import Screen
from screens.app import KioskApp
from screens.pilot import UiPilot
from screens.tour import PRINT_SECONDS, STOPS, choose_variant, slow_print_jobs

pytestmark = pytest.mark.ui

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}


def kiosk_tour(out: Path, *options: str, timeout: float = 540) -> subprocess.CompletedProcess[str]:
    """`kiosk tour --out OUT ...` in its own process, as `make tour` runs it (no display)."""
    env = {key: value for key, value in os.environ.items() if key not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    # One notice all along: a walk's pictures do not depend on how long it took to reach them.
    env["KIOSK__ATTRACT__SECONDS_PER_NOTICE"] = "600"
    kiosk = Path(sys.executable).with_name("kiosk")
    result = subprocess.run(
        [str(kiosk), "tour", "--out", str(out), *options],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.mark.timeout(600)  # the subprocess's own limit is 540 s (the online services add a minute)
@pytest.mark.parametrize(("variant", "orientation"), [("zh", "landscape"), ("elder", "portrait")])
def test_tour_saves_a_real_picture_of_every_screen(tmp_path: Path, variant: str, orientation: str) -> None:
    result = kiosk_tour(tmp_path, "--variant", variant, "--orientation", orientation)
    folder = tmp_path / variant / orientation
    expected = STOPS
    assert {path.stem for path in folder.glob("*.png")} == expected
    for name in sorted(expected):
        path = folder / f"{name}.png"
        assert str(path) in result.stdout
        image = Image.open(path).convert("RGB")
        assert image.size == SIZES[orientation]
        colours = image.resize((96, 54)).getcolors(maxcolors=100_000)
        assert colours is not None and len(colours) > 20, f"{name} looks blank"
        if name == "qr":
            assert_phone_can_read(image)


@pytest.mark.timeout(300)
def test_portrait_pictures_after_a_landscape_walk_are_those_of_a_portrait_walk(
    tmp_path: Path, make_ui: Callable[..., UiPilot]
) -> None:
    # The offscreen window opened landscape used to keep a landscape surface: the portrait walk
    # after it drew and read its top 840 rows beyond that surface, and saved garbage there.
    stops = ("attract", "home", "identify")
    kiosk_tour(
        tmp_path / "mixed",
        "--variant",
        "zh",
        "--orientation",
        "landscape",
        "--orientation",
        "portrait",
        "--until",
        stops[-1],
        "--jobs",
        "1",  # both walks in one process, one window (side by side, each would have its own)
    )
    kiosk_tour(tmp_path / "fresh", "--variant", "zh", "--orientation", "portrait", "--until", stops[-1])
    clock = clock_box(make_ui(SIZES["portrait"]))
    for stop in stops:
        mixed, fresh = (
            Image.open(tmp_path / run / "zh" / "portrait" / f"{stop}.png").convert("RGB")
            for run in ("mixed", "fresh")
        )
        assert mixed.size == fresh.size == SIZES["portrait"]
        if stop == "attract":  # the two walks ran a minute apart, maybe
            for picture in (mixed, fresh):
                ImageDraw.Draw(picture).rectangle(clock, fill="black")
        differs = ImageChops.difference(mixed, fresh).getbbox()
        assert differs is None, (
            f"{stop}: the mixed walk's picture differs from a portrait walk's in {differs}"
        )


def test_a_window_larger_than_its_offscreen_surface_is_refused(make_ui: Callable[..., UiPilot]) -> None:
    # tests/screens/conftest.py opened the window with a 1920x1920 surface (both orientations).
    window = EventLoop.window
    try:
        with pytest.raises(RuntimeError, match=r"window is 2560x1440 but draws into a 1920x1920 surface"):
            make_ui((2560, 1440))
    finally:
        window.size = SIZES["landscape"]


def clock_box(ui: UiPilot) -> tuple[int, int, int, int]:
    """Where the attract screen draws the clock, in a screenshot's pixels (top-left origin)."""
    ui.on(Screen.ATTRACT)
    clock = ui.widget(Screen.ATTRACT, "clock")
    left, bottom = clock.to_window(clock.x, clock.y)
    right, top = clock.to_window(clock.right, clock.top)
    height = ui.window.system_size[1]
    return int(left), int(height - top), int(right) + 1, int(height - bottom) + 1


@pytest.mark.parametrize("variant", ["en", "elder"])
def test_the_tour_sets_a_visit_up_the_way_a_resident_does(ui: UiPilot, variant: str) -> None:
    ui.tap_center()
    ui.on(Screen.HOME)
    choose_variant(ui, variant)
    journey = ui.app.kiosk.journey
    if variant == "en":
        assert journey.language == "en" and "Home" in ui.texts()
    else:
        assert journey.elder and ui.app.theme.variant == "elder"


def test_a_tour_variant_that_does_not_exist_is_refused(ui: UiPilot) -> None:
    ui.tap_center()
    ui.on(Screen.HOME)
    with pytest.raises(ValueError, match="no tour variant 'fr'"):
        choose_variant(ui, "fr")


def assert_phone_can_read(screenshot: Image.Image) -> None:
    """The QR screen as a phone at arm's length sees it: a 640-pixel-wide, slightly blurred frame."""
    scale = 640 / max(screenshot.size)
    seen = screenshot.resize((round(screenshot.width * scale), round(screenshot.height * scale)))
    seen = seen.filter(ImageFilter.GaussianBlur(0.8))
    codes = decode_image(seen, ["qrcode"])
    assert len(codes) == 1 and codes[0].data.startswith("https://zwfw.weihai.example/guide/")
    assert codes[0].width >= 0.2 * seen.width  # large on screen, not a stamp in a corner


def test_the_tour_gives_the_environment_back_as_it_found_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from kiosk.cli import main
    from screens import cli as ui_command

    monkeypatch.setattr(ui_command, "configure_logging", lambda *_args: None)  # pytest's logging stays
    monkeypatch.setenv("DISPLAY", ":42")  # the tour takes it away while it renders offscreen
    monkeypatch.setenv("KIOSK__DEVICES__PRINTER__DRIVER", "cups")  # the tour's own printer is simulated
    monkeypatch.delenv("KIOSK_DATA_DIR", raising=False)
    # Run on an installed appliance (its site file says so), the tour still walks the whole app: it
    # is a showroom walk on simulators and the demo guides, never the appliance's out-of-service face.
    monkeypatch.setenv("KIOSK__KIOSK__MODE", "appliance")
    before = dict(os.environ)
    options = ["--variant", "zh", "--orientation", "landscape", "--until", "identify"]
    result = CliRunner().invoke(main, ["tour", "--out", str(tmp_path), *options])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "zh" / "landscape" / "identify.png").is_file()
    assert dict(os.environ) == before


@pytest.mark.timeout(300)
def test_walks_side_by_side_save_the_pictures_of_walks_one_after_the_other(tmp_path: Path) -> None:
    options = ("--variant", "zh", "--variant", "en", "--orientation", "portrait", "--until", "home")
    apart = kiosk_tour(tmp_path / "apart", *options, "--jobs", "2")
    together = kiosk_tour(tmp_path / "together", *options, "--jobs", "1")
    # Listed in the same order (the walks', not the order they finished in).
    assert apart.stdout.replace(str(tmp_path / "apart"), "") == together.stdout.replace(
        str(tmp_path / "together"), ""
    )
    assert apart.stdout.index("/zh/portrait/home.png") < apart.stdout.index("/en/portrait/attract.png")
    for variant in ("zh", "en"):
        pictures = [
            Image.open(tmp_path / run / variant / "portrait" / "home.png").convert("RGB")
            for run in ("apart", "together")
        ]
        assert ImageChops.difference(*pictures).getbbox() is None, variant


def test_a_pilot_that_draws_only_for_pictures_pictures_what_it_shows(
    make_kiosk: Callable[..., Kiosk], tmp_path: Path
) -> None:
    ui = UiPilot(KioskApp(make_kiosk()), SIZES["landscape"], draw_every_frame=False)
    drawn: list[object] = []
    ui.window.bind(on_draw=drawn.append)
    try:
        ui.tap_center()
        ui.on(Screen.HOME)
        assert drawn == []  # home shows, and nothing has been rendered since the attract screen
        lean = Image.open(ui.shot(tmp_path / "lean.png")).convert("RGB")
        assert len(drawn) == 1
        ui.draw_every_frame = True
        ui.frames(3)
        full = Image.open(ui.shot(tmp_path / "full.png")).convert("RGB")
    finally:
        ui.window.unbind(on_draw=drawn.append)
        ui.close()
    assert ImageChops.difference(lean, full).getbbox() is None


def test_only_the_pictured_print_job_is_slow(make_kiosk: Callable[..., Kiosk]) -> None:
    printer = make_kiosk().devices.printer
    printer.seconds_per_job = 1.0
    with slow_print_jobs(printer, PRINT_SECONDS):
        assert printer.seconds_per_job == PRINT_SECONDS
    assert printer.seconds_per_job == 1.0  # the services' prints and the technician's test page
    with pytest.raises(RuntimeError), slow_print_jobs(printer, PRINT_SECONDS):
        raise RuntimeError("a walk that fails on the printing screen")
    assert printer.seconds_per_job == 1.0
