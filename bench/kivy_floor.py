"""The floor of the kiosk's start time and memory: the barest Kivy app that shows what a kiosk shows.

One Chinese label in the kiosk's CJK font and one button, in a window of the kiosk's size, rendered
the way the kiosk renders (offscreen through EGL when there is no display, the same Kivy settings
that change the cost: maxfps, no argument parsing, no log files). When its first frame has been
drawn it says `READY=1` on systemd's notify socket, as `kiosk run` does at its attract screen, and
then either exits (`--exit`) or idles until SIGTERM, so that its memory can be read like the kiosk's.

It imports nothing of the kiosk: it is the toolkit's own cost, which no work of ours can go below.

    .venv/bin/python bench/kivy_floor.py --size 1920x1080 --font /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import tempfile


def notify(message: str) -> None:
    """One datagram to systemd's notify socket (the benchmark plays systemd)."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.sendto(message.encode(), address)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1920x1080", help="window size WxH")
    parser.add_argument("--font", required=True, help="the CJK font file the label is drawn with")
    parser.add_argument("--exit", action="store_true", help="exit after the first frame")
    args = parser.parse_args()
    try:
        width, height = (int(part) for part in args.size.split("x"))
    except ValueError:
        parser.error(f"--size: {args.size!r} is not WIDTHxHEIGHT, e.g. 1920x1080")

    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-floor-"))
    for name in ("KIVY_NO_ARGS", "KIVY_NO_FILELOG", "KIVY_NO_CONSOLELOG"):
        os.environ.setdefault(name, "1")
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "maxfps", "60")
    Config.set("kivy", "log_level", "warning")

    from kivy.app import App
    from kivy.core.window import Window
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.button import Button
    from kivy.uix.label import Label

    class Floor(App):  # type: ignore[misc]  # Kivy has no type hints
        def build(self) -> BoxLayout:
            root = BoxLayout(orientation="vertical", padding=40, spacing=40)
            root.add_widget(Label(text="威海市政务服务自助终端", font_name=args.font, font_size=64))
            root.add_widget(Button(text="开始办理", font_name=args.font, font_size=48, size_hint=(1, 0.3)))
            Window.bind(on_flip=self._first_frame)
            signal.signal(signal.SIGTERM, lambda *_: self.stop())
            return root

        def _first_frame(self, *_args: object) -> None:
            Window.unbind(on_flip=self._first_frame)
            notify("READY=1")
            if args.exit:
                self.stop()

    Floor().run()
    sys.exit(0)


if __name__ == "__main__":
    main()
