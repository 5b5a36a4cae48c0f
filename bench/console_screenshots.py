"""Screenshots of the administrators' console for docs/console/: every page at a laptop's size, and
the fleet page in Chinese and English and at a tablet's size, taken in Debian's chromium from a
running `kiosk-console demo` (a secured broker, simulated kiosks, the console).

Run: .venv/bin/python -m bench.console_screenshots [--out docs/console] [--kiosks 24] [--settle 40]
It takes about a minute; the files are overwritten.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.chromium import Browser
from tests.console.running_demo import RunningDemo, start_demo

OUT = Path(__file__).resolve().parents[1] / "docs" / "console"
#: Pages every administrator's screenshot shows (file name, path), laptop size, in Chinese.
PAGES = (
    ("statistics", "/statistics"),
    ("alerts", "/alerts"),
    ("publishing", "/publishing"),
    ("audit", "/audit"),
    ("accounts", "/accounts"),
)

#: True once the page shows a kiosk's screenshot, loaded.
SCREENSHOT_SHOWN = (
    "const i = document.querySelector('img.screenshot'); return !!(i && i.complete && i.naturalWidth)"
)


def sign_in(browser: Browser, demo: RunningDemo) -> None:
    browser.open(demo.url + "/signin")
    browser.type("input[name=username]", "admin")
    browser.type("input[name=password]", demo.password)
    browser.click("form[action='/signin'] button")
    browser.wait_for(lambda: browser.driver.get_cookie("console_session"), "signed in")


def online_count(browser: Browser) -> int:
    return int(browser.find("[data-count=online]").text or 0)


def answers(browser: Browser, css: str, count: int) -> Callable[[], bool]:
    return lambda: len(browser.find_all(css)) >= count


def shoot(browser: Browser, out: Path, name: str, say: list[str]) -> None:
    # The fleet's pages as the screen shows them (the table goes on below); the others whole.
    path = browser.save_screenshot(out / f"{name}.png", full_page=not name.startswith("fleet"))
    say.append(f"{path} ({browser.size}, {browser.driver.current_url})")


def take(demo: RunningDemo, out: Path, kiosks: int, settle: float) -> list[str]:
    done: list[str] = []
    laptop = Browser("laptop", language="zh-CN")
    try:
        laptop.open(demo.url + "/signin")
        laptop.wait_for(lambda: laptop.find("input[name=password]"), "the sign-in form")
        shoot(laptop, out, "signin", done)
        sign_in(laptop, demo)
        laptop.open(demo.url + "/fleet")
        laptop.wait_for(lambda: online_count(laptop) >= kiosks * 0.8, "most kiosks online", 60)
        time.sleep(settle)  # some life: sessions, paper out, a reader lost
        laptop.open(demo.url + "/fleet")
        shoot(laptop, out, "fleet", done)
        # One kiosk, with a screenshot it sent back and its logs.
        laptop.open(demo.url + "/kiosks/sim-00002")
        laptop.wait_for_text("sim-00002")
        answered = "#kiosk-commands .pill.ok, #kiosk-commands .pill.failed"
        laptop.type("input[name=lines]", "8")
        sent = 0
        # A kiosk refuses a screenshot while a resident uses it: ask again after their session.
        for _attempt in range(10):
            laptop.click("button[name=command][value=screenshot]")
            sent += 1
            laptop.wait_for(answers(laptop, answered, sent), "the screenshot's result", 30)
            if laptop.driver.execute_script(SCREENSHOT_SHOWN):
                break
            time.sleep(3)
        laptop.wait_for(lambda: laptop.driver.execute_script(SCREENSHOT_SHOWN), "the screenshot shown")
        laptop.type("input[name=lines]", "8")
        laptop.click("button[name=command][value=logs]")
        laptop.wait_for(answers(laptop, answered, sent + 1), "the logs' result", 30)
        shoot(laptop, out, "kiosk", done)
        # A configuration for the group east, on its way through the canaries.
        laptop.open(demo.url + "/publishing?scope=group&name=east")
        laptop.type("textarea[name=content]", "[session]\nidle_seconds = 90\n")
        laptop.click("form[action='/publishing/config'] button")
        laptop.wait_for(lambda: laptop.find_all("tr[data-publication]"), "the publication listed")
        for name, path in PAGES:
            laptop.open(demo.url + path)
            shoot(laptop, out, name, done)
        # The fleet page at a tablet's size (Chinese), then in English at a laptop's.
        tablet = Browser("tablet", language="zh-CN")
        try:
            sign_in(tablet, demo)
            tablet.open(demo.url + "/fleet")
            tablet.wait_for(lambda: online_count(tablet) > 0, "kiosks online")
            shoot(tablet, out, "fleet-tablet", done)
        finally:
            tablet.quit()
        laptop.open(demo.url + "/fleet")
        laptop.click("form[action='/language'] button")
        laptop.wait_for(lambda: "Fleet" in laptop.find("h1").text, "the English page")
        shoot(laptop, out, "fleet-en", done)
    finally:
        laptop.quit()
    return done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--kiosks", type=int, default=24)
    parser.add_argument("--settle", type=float, default=40.0, help="Seconds of the fleet's life first.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="console-screenshots-") as folder:
        demo = start_demo(Path(folder) / "demo", kiosks=args.kiosks, pace=60.0)
        try:
            done = take(demo, args.out, args.kiosks, args.settle)
        finally:
            demo.stop()
    print("\n".join(done))
    return 0


if __name__ == "__main__":
    sys.exit(main())
