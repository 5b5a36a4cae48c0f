"""Process environment Kivy needs, set before Kivy is first imported."""

from __future__ import annotations

import ctypes
import logging
import os
from collections.abc import Iterable
from pathlib import Path

from kiosk.settings.schema import DisplaySection

log = logging.getLogger(__name__)


def has_display() -> bool:
    """Whether an X or Wayland display is there to open a window on."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def prepare_kivy(
    kivy_home: Path,
    size: tuple[int, int],
    fullscreen: bool,
    max_fps: int = 60,
    display: DisplaySection | None = None,
    *,
    resizes_to: Iterable[tuple[int, int]] = (),
) -> bool:
    """Configure Kivy for the kiosk; returns True when it renders offscreen (no display).

    Must run before anything imports kivy: Kivy reads its environment at import time.
    Keep `max_fps` at a display's rate even offscreen: with software GL every frame drawn is
    rendered in full, and unthrottled frames pile up work that the next screenshot waits for.
    `resizes_to` names the other sizes the window will be given while it runs (the tour's and the
    UI tests' other orientation): offscreen, the surface the window draws into must hold them all
    from the start (see `offscreen_surface`).
    """
    kivy_home.mkdir(parents=True, exist_ok=True)
    os.environ["KIVY_HOME"] = str(kivy_home)
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    # Kivy's log lines go through Python logging like everyone else's (one format, one sink).
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    offscreen = not has_display()
    if offscreen:
        # SDL renders for real through EGL without a display ("dummy" would not render at all).
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
        fullscreen = False
    from kivy.config import Config

    width, height = offscreen_surface([size, *resizes_to]) if offscreen else size
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "resizable", "0" if fullscreen else "1")
    # Nobody may leave the kiosk with a key: Escape does not close it.
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("graphics", "maxfps", str(max_fps))
    if display is not None:
        apply_mounting(display, touch_screen=not offscreen)
    Config.set("kivy", "log_level", "warning")
    logging.getLogger("kivy").setLevel(logging.WARNING)
    if offscreen and (width, height) != size:
        from kivy.base import EventLoop

        EventLoop.ensure_window()  # opened at the size of the surface, shown at the size asked for
        EventLoop.window.size = size
    return offscreen


def offscreen_surface(sizes: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """The size of the offscreen window's surface for a process that shows every one of `sizes`.

    SDL's offscreen driver allocates the window's EGL surface once, when the window opens, and
    never resizes it. A window later made taller or wider than that surface draws and reads
    pixels beyond it: the tour's portrait pictures after a landscape walk had their top 840 rows
    filled with whatever that memory held. A window smaller than its surface draws in its
    bottom-left corner, which is exactly where the screenshot reads, so one surface as wide as
    the widest and as tall as the tallest serves them all.
    """
    widths, heights = zip(*sizes, strict=True)
    return max(widths), max(heights)


#: EGL's names (egl.h) for the draw surface and for a surface's width and height.
_EGL_DRAW, _EGL_WIDTH, _EGL_HEIGHT = 0x3059, 0x3057, 0x3056


def drawing_surface() -> tuple[int, int] | None:
    """The size of the EGL surface the window draws into now, or None where it is not EGL's.

    The offscreen window draws through EGL; asking EGL itself tells what was really allocated.
    """
    try:
        egl = ctypes.CDLL("libEGL.so.1")
    except OSError:
        return None
    egl.eglGetCurrentDisplay.restype = ctypes.c_void_p
    egl.eglGetCurrentSurface.restype = ctypes.c_void_p
    egl.eglGetCurrentSurface.argtypes = [ctypes.c_int]
    egl.eglQuerySurface.argtypes = [
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_int),
    ]
    display, surface = egl.eglGetCurrentDisplay(), egl.eglGetCurrentSurface(_EGL_DRAW)
    if not display or not surface:
        return None
    width, height = ctypes.c_int(), ctypes.c_int()
    if not (
        egl.eglQuerySurface(display, surface, _EGL_WIDTH, ctypes.byref(width))
        and egl.eglQuerySurface(display, surface, _EGL_HEIGHT, ctypes.byref(height))
    ):
        return None
    return width.value, height.value


def apply_mounting(display: DisplaySection, touch_screen: bool) -> None:
    """Rotation of the picture and calibration of the touch layer, from the site's settings."""
    from kivy.config import Config

    Config.set("graphics", "rotation", str(display.rotation))
    if not touch_screen:
        return
    # Linux touch panels through the kernel's input devices, found by probing sysfs; the
    # calibration goes to the provider as parameters.
    params = [
        name
        for name, wanted in (
            ("swap_xy=1", display.touch_swap_xy),
            ("invert_x=1", display.touch_invert_x),
            ("invert_y=1", display.touch_invert_y),
        )
        if wanted
    ]
    touch = "probesysfs,provider=hidinput" + "".join(f",param={param}" for param in params)
    Config.set("input", "touch", touch)
    # The compositor also turns each touch into a pointer press (through Xwayland and SDL), which
    # would count every tap twice and uncalibrated: the pointer is ignored while the panel's own,
    # calibrated touch is down. It reaches Kivy first: straight from the kernel, not through the
    # compositor. A mouse still works where no touch panel is found.
    Config.set("input", "mouse", "mouse,disable_multitouch,disable_on_activity")
