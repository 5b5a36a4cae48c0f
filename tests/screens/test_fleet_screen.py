"""The UI's part in the fleet channel: the screenshot it decides on its own thread (the attract
screen at rest only, never the screen a resident just left), the fleet's blank that a touch does not
wake, and ScreenBlanked whenever the screen goes black or comes back."""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageStat

import screens.app as app_module
from kiosk.events import ScreenBlanked, ScreenBlankRequested
from kiosk.fleet.commands import new_command_key, public_key_text, sign_command
from kiosk.fleet.forms import Topics
from kiosk.fleet.orders import BUSY, ScreenBusy
from kiosk.journey import Screen
from kiosk.technician.console import Mode
from screens.pilot import UiPilot
from screens.touch import tap_at
from tests.fleet.console import Console
from tests.mosquitto import PrivateMosquitto

pytestmark = pytest.mark.ui


def blanked(ui: UiPilot) -> list[bool]:
    seen: list[bool] = []
    ui.app.kiosk.bus.subscribe(ScreenBlanked, lambda event: seen.append(event.blank))
    return seen


def test_the_screenshot_is_taken_on_the_ui_thread_and_is_the_window(ui: UiPilot) -> None:
    capture = ui.app.kiosk.screen_capture
    assert capture is not None  # the app registered it
    taken: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: taken.update(png=capture.capture_png(20)))
    worker.start()
    ui.until(lambda: not worker.is_alive(), what="the screenshot")
    picture = Image.open(io.BytesIO(taken["png"]))
    assert picture.format == "PNG" and picture.size == tuple(int(value) for value in ui.window.size)
    assert len(picture.convert("RGB").getcolors(maxcolors=1_000_000) or []) > 20  # the attract screen


def asked(ui: UiPilot) -> tuple[threading.Thread, dict[str, Any]]:
    """A screenshot asked from another thread, as the channel's worker asks it (frames not run yet)."""
    capture = ui.app.kiosk.screen_capture
    assert capture is not None
    taken: dict[str, Any] = {}

    def ask() -> None:
        try:
            taken["picture"] = Image.open(io.BytesIO(capture.capture_png(20))).convert("RGB")
        except Exception as error:
            taken["error"] = error

    worker = threading.Thread(target=ask)
    worker.start()
    return worker, taken


def grab(ui: UiPilot) -> Image.Image:
    worker, taken = asked(ui)
    ui.until(lambda: not worker.is_alive(), what="the screenshot")
    picture: Image.Image = taken["picture"]
    return picture


def shown(ui: UiPilot) -> Image.Image:
    """What the window shows, read here on the UI thread (a test's own look, not the fleet's)."""
    size, pixels = app_module.read_window()
    return Image.open(io.BytesIO(app_module.encode_png(size, pixels))).convert("RGB")


def difference(one: Image.Image, other: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(one, other)).mean)


def test_a_screenshot_asked_as_a_session_ends_is_the_attract_screen_not_the_residents(ui: UiPilot) -> None:
    ui.tap_center()
    ui.on(Screen.HOME)
    ui.frames(10)
    home = shown(ui)
    ui.app.kiosk.session.end("the resident left")
    assert not ui.app.kiosk.session.active  # the kiosk's flag says so at once; the screen follows later
    worker, taken = asked(ui)  # asked before the UI thread ran a single frame since
    ui.on(Screen.ATTRACT)
    ui.until(lambda: not worker.is_alive(), what="the screenshot")
    ui.frames(10)
    attract = shown(ui)
    assert difference(home, attract) > 5  # the two screens do differ
    after = taken.get("picture")
    if after is not None:  # (ScreenBusy would do too: nothing sent)
        assert difference(after, attract) < difference(after, home) / 4, "the resident's screen was sent"


def test_no_screenshot_while_a_resident_or_a_technician_is_on_the_screen(ui: UiPilot) -> None:
    ui.tap_center()
    ui.on(Screen.HOME)
    worker, taken = asked(ui)
    ui.until(lambda: not worker.is_alive(), what="the answer")
    assert isinstance(taken.get("error"), ScreenBusy)
    ui.app.kiosk.session.end("the resident left")
    ui.on(Screen.ATTRACT)
    ui.app.kiosk.technician.mode = Mode.OPEN
    worker, taken = asked(ui)
    ui.until(lambda: not worker.is_alive(), what="the answer")
    assert isinstance(taken.get("error"), ScreenBusy)
    ui.app.kiosk.technician.mode = Mode.CLOSED
    assert grab(ui).size == tuple(int(value) for value in ui.window.size)


def test_the_png_is_encoded_on_the_asking_thread_not_the_uis(
    ui: UiPilot, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    encode = app_module.encode_png

    def watched(size: tuple[int, int], pixels: bytes) -> bytes:
        threads.append(threading.current_thread().name)
        return encode(size, pixels)

    monkeypatch.setattr(app_module, "encode_png", watched)
    assert grab(ui).size == tuple(int(value) for value in ui.window.size)
    assert threads and threading.main_thread().name not in threads


def test_the_fleets_screenshot_right_after_a_visit_is_the_attract_screen(
    make_ui: Callable[..., UiPilot], mosquitto: PrivateMosquitto
) -> None:
    key = new_command_key()
    topics = Topics("wh-ui-01")
    fleet = {"broker": mosquitto.url, "keepalive": 5, "command_keys": [public_key_text(key)]}
    ui = make_ui(overrides={"kiosk": {"id": "wh-ui-01"}, "fleet": fleet})
    console = Console(mosquitto.port)
    kiosk = ui.app.kiosk
    try:
        kiosk.start()
        ui.until(lambda: (console.last(topics.status) or {}).get("state") == "online", what="online")
        ui.tap_center()
        ui.on(Screen.HOME)
        ui.frames(10)
        home = shown(ui)
        busy = sign_command(key, "screenshot")
        console.send(topics.command(busy["req"]), busy)
        ui.until(lambda: console.last(topics.result(busy["req"])) is not None, what="the busy result")
        assert console.last(topics.result(busy["req"])) == {"req": busy["req"], "ok": False, "error": BUSY}
        kiosk.session.end("the resident left")
        signed = sign_command(key, "screenshot")
        console.send(topics.command(signed["req"]), signed)  # at once, the screen still the resident's
        ui.until(lambda: console.last(topics.result(signed["req"])) is not None, what="the result")
        ui.on(Screen.ATTRACT)
        ui.frames(10)
        attract = shown(ui)
        result = console.last(topics.result(signed["req"]))
        assert result is not None
        if result["ok"]:  # (or refused as busy: nothing sent)
            png = base64.b64decode(result["result"]["png_base64"])
            sent = Image.open(io.BytesIO(png)).convert("RGB")
            assert difference(sent, attract) < difference(sent, home) / 4, "the resident's screen was sent"
        else:
            assert result["error"] == BUSY
    finally:
        console.close()
        kiosk.close()


def test_a_screenshot_times_out_when_the_ui_thread_does_not_run(ui: UiPilot) -> None:
    capture = ui.app.kiosk.screen_capture
    assert capture is not None
    with pytest.raises(TimeoutError):
        capture.capture_png(0.3)  # asked from this, the UI's thread: nobody takes it meanwhile
    ui.frames(2)


def test_the_quiet_times_blank_and_its_waking_are_announced(make_ui: Callable[..., UiPilot]) -> None:
    ui = make_ui(overrides={"display": {"blank_after_minutes": 1}})
    seen = blanked(ui)
    app = ui.app
    app.blanking._last_activity -= 61
    app._blank_when_due()
    ui.frames(4)
    assert app.blank_screen is not None and app.blank_screen.parent is not None
    tap_at(*ui.window.center)
    ui.frames(6)
    assert app.blank_screen.parent is None
    assert seen == [True, False]


def test_the_fleets_blank_stays_under_a_touch_until_the_fleets_unblank(ui: UiPilot) -> None:
    seen = blanked(ui)
    app = ui.app
    app.kiosk.bus.publish(ScreenBlankRequested(True))
    ui.until(lambda: app.blank_screen is not None and app.blank_screen.parent is not None, what="black")
    tap_at(*ui.window.center)
    ui.frames(6)
    assert app.blank_screen is not None and app.blank_screen.parent is not None  # a touch does not wake it
    assert not app.kiosk.session.active
    app.kiosk.bus.publish(ScreenBlankRequested(False))
    ui.until(lambda: app.blank_screen is not None and app.blank_screen.parent is None, what="back")
    assert seen == [True, False]
    assert ui.current == Screen.ATTRACT.value
    ui.tap_center()
    ui.on(Screen.HOME)
