"""The console in a real browser (Debian's chromium through chromedriver): signing in, and (with a
real mosquitto and the fleet simulator) the fleet, one kiosk, its screenshot and commands, and
publishing a configuration to a group with its canary rollout."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from console.db import Database
from console.models import Role
from console.settings import ConsoleSettings
from tests.chromium import Browser
from tests.console.served import ServedConsole
from tests.console.web import PASSWORD, add_account

pytestmark = pytest.mark.browser


@pytest.fixture
def served(console_db: Database, tmp_path: Path) -> Iterator[ServedConsole]:
    """The console on a free port without a broker (on each database)."""
    with ServedConsole(ConsoleSettings(data_dir=tmp_path / "console-data"), console_db) as console:
        yield console


def sign_in(browser: Browser, url: str, username: str, password: str = PASSWORD) -> None:
    browser.open(url + "/signin")
    browser.type("input[name=username]", username)
    browser.type("input[name=password]", password)
    browser.click("form[action='/signin'] button")


def test_an_administrator_signs_in_and_out_and_a_wrong_password_is_said_so(
    browser: Browser, served: ServedConsole, console_db: Database
) -> None:
    add_account(console_db, "wang", Role.OPERATOR)
    sign_in(browser, served.url, "wang", "not the password")
    browser.wait_for_text("用户名或密码错误")
    assert browser.driver.get_cookie("console_session") is None
    sign_in(browser, served.url, "wang")
    browser.wait_for(lambda: browser.driver.get_cookie("console_session"), "a session cookie")
    browser.open(served.url + "/signin")
    browser.wait_for(lambda: browser.find(".who").text == "wang", "the signed-in name in the bar")
    browser.click("form[action='/signout'] button")
    browser.wait_for(lambda: browser.driver.get_cookie("console_session") is None, "the session ended")


def test_the_page_follows_the_browsers_language_and_switches(
    make_browser: Callable[..., Browser], served: ServedConsole
) -> None:
    english = make_browser("tablet", language="en-US")
    english.open(served.url + "/signin")
    english.wait_for_text("Sign in")
    english.click("form[action='/language'] button")
    english.wait_for_text("登录")


def test_a_browser_that_cannot_start_says_why_with_chromedrivers_log(monkeypatch: pytest.MonkeyPatch) -> None:
    import tests.chromium

    monkeypatch.setattr(tests.chromium, "CHROMIUM", "/bin/false")  # exits at once, as a broken one
    with pytest.raises(tests.chromium.BrowserFailed) as failed:
        Browser()
    message = str(failed.value)
    assert "chromium did not start" in message
    assert "chromedriver.log (last lines)" in message
    assert "Launching chrome: /bin/false" in message
