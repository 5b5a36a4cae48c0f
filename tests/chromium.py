"""A real browser for the console's tests: Debian's chromium driven by Selenium through Debian's
chromedriver (never a downloaded browser: the machine may have no internet), headless, with a fresh
profile for each test.

    def test_x(browser: Browser, served_console: ServedConsole) -> None:
        browser.open(served_console.url + "/signin")

`browser` is a laptop's window (1366x900); `make_browser("tablet")` gives a tablet's (820x1180).
When chromedriver or chromium cannot start, or a test fails, the message carries the end of
chromedriver's log and of chromium's own.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from tests.daemons import require_executable

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
#: Window sizes (CSS pixels) of the devices the console is made for.
SIZES = {"laptop": (1366, 900), "tablet": (820, 1180)}
#: Headless and on its own: no sandbox (the tests run as root), no GPU, nothing fetched from the
#: internet (no QUIC, no component updates, no sync, no background networking), no first-run page.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--font-render-hinting=none",
)


class BrowserFailed(RuntimeError):
    """chromedriver or chromium did not start, or a page did not do what was awaited: the message
    ends with both logs' tails."""


class Browser:
    """One chromium with a fresh profile, in a window of one of SIZES."""

    def __init__(self, size: str = "laptop", language: str = "zh-CN") -> None:
        require_executable(CHROMIUM)
        require_executable(CHROMEDRIVER)
        self.size = size
        self.folder = Path(tempfile.mkdtemp(prefix="kiosk-chromium-"))
        self.driver_log = self.folder / "chromedriver.log"
        self.chromium_log = self.folder / "chromium.log"
        width, height = SIZES[size]
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self.folder / 'profile'}")
        options.add_argument(f"--window-size={width},{height}")
        options.add_argument(f"--lang={language}")
        options.add_argument("--enable-logging")
        options.add_argument(f"--log-file={self.chromium_log}")
        options.add_experimental_option("prefs", {"intl.accept_languages": language})
        service = Service(executable_path=CHROMEDRIVER, log_output=str(self.driver_log))
        try:
            self.driver = webdriver.Chrome(service=service, options=options)
        except WebDriverException as error:
            message = f"chromium did not start: {error.msg}\n{self.tail()}"
            shutil.rmtree(self.folder, ignore_errors=True)
            raise BrowserFailed(message) from error
        self.driver.implicitly_wait(0)
        # The page's size is the device's: the window is made larger by what its frame takes.
        inner = self.driver.execute_script("return [window.innerWidth, window.innerHeight]")
        self._frame = (width - int(inner[0]), height - int(inner[1]))
        self.resize(height)

    def resize(self, height: int) -> None:
        """The page `height` CSS pixels tall, as wide as the device."""
        width = SIZES[self.size][0]
        self.driver.set_window_size(width + self._frame[0], height + self._frame[1])

    def tail(self, lines: int = 25) -> str:
        parts = []
        for path in (self.driver_log, self.chromium_log):
            text = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
            parts.append(f"--- {path} ({'last lines' if text else 'empty or missing'})")
            parts.extend(text)
        return "\n".join(parts)

    # -- driving pages ---------------------------------------------------------------------------

    def open(self, url: str) -> None:
        self.driver.get(url)

    @property
    def path(self) -> str:
        url: str = self.driver.current_url
        return "/" + url.split("://", 1)[1].split("/", 1)[1] if url.count("/") >= 3 else "/"

    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list[WebElement]:
        return list(self.driver.find_elements(By.CSS_SELECTOR, css))

    def type(self, css: str, text: str) -> None:
        field = self.find(css)
        field.clear()
        field.send_keys(text)

    def click(self, css: str) -> None:
        self.find(css).click()

    def text(self) -> str:
        return str(self.find("body").text)

    def wait_for(self, condition: Callable[[], object], what: str, seconds: float = 15.0) -> None:
        """Wait until `condition()` is true (WebDriver errors count as not yet); else BrowserFailed
        saying `what`, the page's text and the logs."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                if condition():
                    return
            except WebDriverException:
                pass
            if time.monotonic() > deadline:
                raise BrowserFailed(
                    f"{what}: not after {seconds:.0f} s on {self.driver.current_url}\n"
                    f"--- page\n{self._page_text()}\n{self.tail()}"
                )
            time.sleep(0.1)

    def wait_for_text(self, text: str, seconds: float = 15.0) -> None:
        self.wait_for(lambda: text in self.text(), f"{text!r} on the page", seconds)

    def _page_text(self) -> str:
        try:
            return self.text()[:2000]
        except WebDriverException as error:
            return f"(unreadable: {error.msg})"

    def save_screenshot(self, path: Path, *, full_page: bool = True) -> Path:
        """The page as a PNG at `path`: as tall as its content (at most 4000 pixels), or what the
        device's screen shows."""
        path.parent.mkdir(parents=True, exist_ok=True)
        height = SIZES[self.size][1]
        full = int(self.driver.execute_script("return document.documentElement.scrollHeight"))
        self.resize(max(height, min(full, 4000)) if full_page else height)
        try:
            if not self.driver.save_screenshot(str(path)):
                raise BrowserFailed(f"no screenshot of {self.driver.current_url}\n{self.tail()}")
        finally:
            self.resize(height)
        return path

    def quit(self) -> None:
        try:
            self.driver.quit()  # stops chromedriver, which stops chromium
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def make_browser(request: pytest.FixtureRequest) -> Iterator[Callable[..., Browser]]:
    """Browsers for one test (`make_browser("tablet", language="en")`), each quit at its end; when
    the test failed, the logs' tails are added to its report."""
    made: list[Browser] = []

    def make(size: str = "laptop", language: str = "zh-CN") -> Browser:
        browser = Browser(size, language)
        made.append(browser)
        return browser

    yield make
    report = getattr(request.node, "rep_call", None)
    for browser in made:
        if report is not None and report.failed:
            request.node.add_report_section("call", f"chromium {browser.size}", browser.tail())
        browser.quit()


@pytest.fixture
def browser(make_browser: Callable[..., Browser]) -> Browser:
    """Chromium in a laptop's window (1366x900), Chinese first as the kiosks' administrators read."""
    return make_browser("laptop")
