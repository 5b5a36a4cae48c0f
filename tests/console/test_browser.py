"""The console in a real browser (Debian's chromium through chromedriver): signing in, and (with a
real mosquitto and the fleet simulator) the fleet, one kiosk, its screenshot and commands, and
publishing a configuration to a group with its canary rollout."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from console.db import Database
from console.demo import Demo, DemoOptions, start_fleet_services
from console.models import Role
from console.settings import ConsoleSettings
from tests.chromium import Browser
from tests.console.served import ServedConsole
from tests.console.web import PASSWORD, add_account
from tests.daemons import free_port

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


#: The living fleet's kiosks: sim-00001 and sim-00011 are canaries, the rest in east, west and port.
KIOSKS = 12
#: How long the canaries have to take a release up before the console stops the rollout (they take
#: it at their next telemetry, every 5 s).
DEADLINE = 60.0


@pytest.fixture
def living_fleet(console_db: Database, tmp_path: Path) -> Iterator[ServedConsole]:
    """The console (on each database) following a real, secured mosquitto and the fleet simulator's
    kiosks (still: no sessions, so a screenshot is never refused as busy), as the demo starts them."""
    folder = tmp_path / "fleet"
    folder.mkdir()
    demo = Demo(DemoOptions(kiosks=KIOSKS, pace=0.0, telemetry_interval=5.0), folder, free_port(), "")
    try:
        settings = start_fleet_services(demo, lambda _line: None, rollout_deadline=DEADLINE, rollout_soak=2.0)
        add_account(console_db, "li", Role.PUBLISHER)
        with ServedConsole(settings, console_db) as served:
            yield served
    finally:
        demo.stop()


def online(browser: Browser) -> int:
    return int(browser.find("[data-count=online]").text or 0)


def test_a_publisher_sees_the_fleet_commands_a_kiosk_and_watches_a_canary_rollout(
    browser: Browser, living_fleet: ServedConsole
) -> None:
    url = living_fleet.url
    sign_in(browser, url, "li")
    browser.wait_for(lambda: browser.driver.get_cookie("console_session"), "signed in")
    # The fleet: every kiosk online, live (the page is not reloaded).
    browser.open(url + "/fleet")
    browser.wait_for(lambda: online(browser) == KIOSKS, f"{KIOSKS} kiosks online", 30)
    browser.wait_for(lambda: len(browser.find_all("tr[data-kiosk]")) == KIOSKS, "a row per kiosk", 30)
    assert "canary" in browser.find("#kiosk-sim-00011").text
    # One kiosk: its screenshot (a PNG the kiosk sends back) and a command's result.
    browser.click("#kiosk-sim-00002 a")
    browser.wait_for(lambda: browser.path == "/kiosks/sim-00002", "the kiosk's page")
    browser.click("button[name=command][value=screenshot]")
    browser.wait_for(
        lambda: (
            browser.driver.execute_script(
                "const i = document.querySelector('img.screenshot'); return i && i.complete && i.naturalWidth"
            )
            == 160
        ),
        "the kiosk's screenshot shown",
        30,
    )
    browser.click("button[name=command][value=sync_now]")
    browser.wait_for(
        lambda: len(browser.find_all("#kiosk-commands .pill.ok")) == 2, "both commands answered ok", 30
    )
    # Publish a configuration for every kiosk: the canaries take it first.
    browser.open(url + "/publishing?scope=all")
    published = browser.find("textarea[name=content]").get_attribute("value")
    browser.type("textarea[name=content]", published + "\n[session]\nidle_seconds = 90\n")
    browser.click("form[action='/publishing/config'] button")
    browser.wait_for(lambda: browser.find_all("tr[data-publication]"), "the publication listed")
    state = "tr[data-publication] [data-field=state]"
    browser.wait_for(lambda: "canary" in browser.find(state).get_attribute("class"), "its canary stage")
    # The canaries (sim-00001, sim-00011) take it at their next sync, run it for the soak, and the
    # console promotes it to every kiosk by itself; the page shows it without a reload.
    browser.wait_for(
        lambda: "published" in browser.find(state).get_attribute("class"), "the rollout promoted", DEADLINE
    )
    # Every kiosk then runs it: the fleet shows no drift.
    browser.open(url + "/fleet")
    browser.wait_for(lambda: browser.find("[data-count=drifting]").text == "0", "no kiosk drifting", 30)
