"""The fleet page and one kiosk's page in a real browser (Debian's chromium through Selenium): a
changed kiosk's row and the counts change without a reload, and a command's screenshot appears
on the kiosk's page by itself; reboot asks first."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import delete, select

from console.db import Database
from console.models import Command, Role, WebSession
from console.settings import ConsoleSettings
from console.web import fleet_stream
from console.web.app import create_app
from console.web.state import ConsoleState
from kiosk.fleet.commands import private_key_text
from tests.console.channels import RecordingChannel
from tests.console.fleet_rows import add_kiosk, change_kiosk
from tests.console.web import PASSWORD, add_account
from tests.daemons import free_port, require_executable

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


class Served:
    """The console on a free loopback port, served by uvicorn on a thread of this process."""

    def __init__(self, settings: ConsoleSettings, db: Database) -> None:
        self.app = create_app(settings, background=False, db=db)
        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def state(self) -> ConsoleState:
        return self.app.state.console  # type: ignore[no-any-return]

    @property
    def url(self) -> str:
        # localhost: the browser keeps the console's Secure cookies over plain http there.
        return f"http://localhost:{self.port}"

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the console did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def served(console_db: Database, tmp_path: Path, key: Ed25519PrivateKey) -> Iterator[Served]:
    key_file = tmp_path / "command.key"
    key_file.write_text(private_key_text(key))
    settings = ConsoleSettings(data_dir=tmp_path / "data", command_key=key_file, broker="mqtt://127.0.0.1:1")
    with Served(settings, console_db) as running:
        running.state.channel = RecordingChannel()
        yield running


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = require_executable("/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=en-US"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(require_executable("/usr/bin/chromedriver")))
    driver.set_window_size(1280, 900)
    yield driver
    driver.quit()


def sign_in(browser: WebDriver, served: Served, username: str) -> None:
    browser.get(f"{served.url}/signin")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form[action='/signin'] button").click()
    WebDriverWait(browser, 10).until(lambda b: b.current_url.endswith("/fleet"))


def test_a_changed_kiosk_and_the_counts_change_on_the_page_without_a_reload(
    served: Served, browser: WebDriver, console_db: Database
) -> None:
    add_account(console_db, "li", Role.VIEWER)
    add_kiosk(console_db, "k-1", updated_at=time.time() - 60)
    add_kiosk(console_db, "k-2", state="offline", updated_at=time.time() - 60)
    sign_in(browser, served, "li")
    browser.execute_script("window.notReloaded = true;")
    assert browser.find_element(By.CSS_SELECTOR, "[data-count='online']").text == "1"
    time.sleep(1.5)  # the stream is open
    change_kiosk(
        console_db, "k-2", state="online", problems=["printer: media-empty"], fault_since=time.time()
    )
    WebDriverWait(browser, 10).until(
        lambda b: "printer: media-empty" in b.find_element(By.ID, "kiosk-k-2").text
    )
    assert browser.find_element(By.CSS_SELECTOR, "#kiosk-k-2 .pill.online")
    WebDriverWait(browser, 5).until(
        lambda b: b.find_element(By.CSS_SELECTOR, "[data-count='online']").text == "2"
    )
    assert browser.find_element(By.CSS_SELECTOR, "[data-count='faults']").text == "1"
    assert browser.execute_script("return window.notReloaded === true;")


def test_signed_out_elsewhere_the_page_says_its_live_updates_stopped(
    served: Served, browser: WebDriver, console_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fleet_stream, "SESSION_CHECK", 0.5)
    add_account(console_db, "li", Role.VIEWER)
    add_kiosk(console_db, "k-1")
    sign_in(browser, served, "li")
    assert not browser.find_element(By.ID, "fleet-live").is_displayed()
    with console_db.session() as db:
        db.execute(delete(WebSession))
    WebDriverWait(browser, 15).until(lambda b: b.find_element(By.ID, "fleet-live").is_displayed())
    assert "reload the page" in browser.find_element(By.ID, "fleet-live").text


def test_a_screenshot_appears_on_the_kiosks_page_and_reboot_asks_first(
    served: Served, browser: WebDriver, console_db: Database
) -> None:
    add_account(console_db, "zhang", Role.OPERATOR)
    add_kiosk(console_db, "k-7")
    sign_in(browser, served, "zhang")
    browser.get(f"{served.url}/kiosks/k-7")
    browser.find_element(By.CSS_SELECTOR, "button[value='screenshot']").click()
    WebDriverWait(browser, 10).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "#kiosk-commands [data-pending], #kiosk-commands tr")
    )
    channel = served.state.channel
    assert len(channel.published) == 1
    browser.execute_script("window.notReloaded = true;")
    with console_db.session() as db:
        command = db.scalar(select(Command))
        assert command is not None and command.command == "screenshot"
        command.state, command.png, command.answered_at = "ok", PNG, time.time()
    WebDriverWait(browser, 10).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "#kiosk-commands img.screenshot")
    )
    image = browser.find_element(By.CSS_SELECTOR, "#kiosk-commands img.screenshot")
    assert browser.execute_script("return arguments[0].naturalWidth;", image) == 1
    assert browser.execute_script("return window.notReloaded === true;")
    browser.find_element(By.CSS_SELECTOR, "button[value='reboot']").click()
    alert = WebDriverWait(browser, 5).until(lambda b: b.switch_to.alert)
    assert "Reboot" in alert.text and "k-7" in alert.text
    alert.dismiss()
    time.sleep(0.5)
    assert len(channel.published) == 1
    browser.find_element(By.CSS_SELECTOR, "button[value='reboot']").click()
    WebDriverWait(browser, 5).until(lambda b: b.switch_to.alert).accept()
    WebDriverWait(browser, 10).until(lambda _b: len(channel.published) == 2)
