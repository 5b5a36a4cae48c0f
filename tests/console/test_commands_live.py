"""Commands end to end: an operator's button on a kiosk's page, signed and published by the
console's own channel on a real mosquitto, carried out by a simulated kiosk (its real CommandGate),
answered, and shown on the page: the screenshot as an image, the logs as text."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from starlette.testclient import TestClient

from console.db import Database
from console.models import Command, Kiosk, Role
from console.settings import ConsoleSettings
from console.web.app import create_app
from kiosk.fleet.commands import private_key_text, public_key_text
from kiosk.fleet.fleet_sim import FleetSimulator, SimOptions
from tests.console.web import add_account, sign_in
from tests.mosquitto import PrivateMosquitto

KIOSK = "sim-00001"


def wait_until(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


class RunningFleet:
    """Simulated kiosks on an event loop of their own thread."""

    def __init__(self, options: SimOptions) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.fleet = FleetSimulator(options)

    def __enter__(self) -> RunningFleet:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.fleet.start(), self.loop).result(30)
        return self

    def __exit__(self, *_exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.fleet.close(clean=True), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def live_console(
    console_db: Database, mosquitto: PrivateMosquitto, key: Ed25519PrivateKey, tmp_path: Path
) -> Iterator[TestClient]:
    """The console with its channel and periodic jobs running, on the test's broker."""
    key_file = tmp_path / "command.key"
    key_file.write_text(private_key_text(key))
    settings = ConsoleSettings(data_dir=tmp_path / "data", broker=mosquitto.url, command_key=key_file)
    app = create_app(settings, background=True, db=console_db)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def command_of(db: Database, name: str) -> Command | None:
    with db.session() as session:
        return session.scalar(select(Command).where(Command.command == name))


def test_a_screenshot_and_logs_asked_on_the_page_come_back_from_the_kiosk(
    live_console: TestClient, console_db: Database, mosquitto: PrivateMosquitto, key: Ed25519PrivateKey
) -> None:
    add_account(console_db, "zhang", Role.OPERATOR)
    csrf = sign_in(live_console, "zhang")
    live_console.cookies.set("lang", "en")
    options = SimOptions(broker=mosquitto.url, kiosks=1, keys=[public_key_text(key)], pace=0.0)
    with RunningFleet(options):

        def online() -> bool:
            with console_db.session() as session:
                kiosk = session.get(Kiosk, KIOSK)
                return kiosk is not None and kiosk.state == "online"

        assert wait_until(online), mosquitto.tail()
        sent = live_console.post(f"/kiosks/{KIOSK}/commands", data={"csrf": csrf, "command": "screenshot"})
        assert sent.status_code == 303, sent.text
        assert wait_until(
            lambda: (found := command_of(console_db, "screenshot")) is not None and found.state == "ok"
        )
        shot = command_of(console_db, "screenshot")
        assert shot is not None and shot.png is not None and shot.png.startswith(b"\x89PNG")
        image = live_console.get(f"/kiosks/{KIOSK}/screenshots/{shot.req}.png")
        assert image.status_code == 200 and image.content == shot.png

        sent = live_console.post(
            f"/kiosks/{KIOSK}/commands", data={"csrf": csrf, "command": "logs", "lines": "5"}
        )
        assert sent.status_code == 303
        assert wait_until(
            lambda: (found := command_of(console_db, "logs")) is not None and found.state == "ok"
        )
        logs = command_of(console_db, "logs")
        assert logs is not None and 1 <= len(logs.result["lines"]) <= 5

        page = live_console.get(f"/kiosks/{KIOSK}").text
        assert f'src="/kiosks/{KIOSK}/screenshots/{shot.req}.png"' in page
        assert logs.result["lines"][0] in page or logs.result["lines"][0].replace("<", "&lt;") in page
        assert "data-pending" not in page
