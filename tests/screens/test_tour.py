from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageFilter

from kiosk.barcodes import decode_image
from kiosk.cli.ui import TOUR_VARIANTS
from kiosk.journey import Screen
from screens.app import SCREEN_CLASSES
from screens.driver import UiDriver
from screens.tour import VARIANTS, choose_variant

pytestmark = pytest.mark.ui

#: Stops of the tour besides one per screen: states of a screen worth a picture of their own.
EXTRA_STOPS = {
    "print_unavailable",
    "guide_plain",
    "rating_bad",
    "rating_thanks",
    "idle_warning",
    "attract_after_idle",
    "technician_pin_wrong",
}
SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}


@pytest.mark.timeout(400)  # the subprocess's own limit is 300 s
@pytest.mark.parametrize(("variant", "orientation"), [("zh", "landscape"), ("elder", "portrait")])
def test_tour_saves_a_real_picture_of_every_screen(tmp_path: Path, variant: str, orientation: str) -> None:
    env = {key: value for key, value in os.environ.items() if key not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    kiosk = Path(sys.executable).with_name("kiosk")
    result = subprocess.run(
        [str(kiosk), "tour", "--out", str(tmp_path), "--variant", variant, "--orientation", orientation],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    folder = tmp_path / variant / orientation
    expected = {screen.value for screen in SCREEN_CLASSES} | EXTRA_STOPS
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


@pytest.mark.parametrize("variant", ["en", "elder"])
def test_the_tour_sets_a_visit_up_the_way_a_resident_does(ui: UiDriver, variant: str) -> None:
    ui.tap_center()
    ui.on(Screen.HOME)
    choose_variant(ui, variant)
    journey = ui.app.kiosk.journey
    if variant == "en":
        assert journey.language == "en" and "Home" in ui.texts()
    else:
        assert journey.elder and ui.app.theme.variant == "elder"


def test_the_command_offers_the_variants_the_tour_knows() -> None:
    assert TOUR_VARIANTS == VARIANTS


def test_a_tour_variant_that_does_not_exist_is_refused(ui: UiDriver) -> None:
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
