"""Privacy of the fleet channel: a resident's visit sends nothing personal to the broker.

A kiosk on a real mosquitto (persistence off) reports, sends telemetry and events and answers
commands (its logs, a screenshot) while a resident reads their ID card through the serial driver
(pty simulator), prints a checklist, rates the service with a consented phone number, lifts the
card and leaves. A console subscribed to `kiosk/v1/#` for the whole visit keeps every payload; every
byte of them, and of the broker's files, is searched for the card's name and numbers and the phone.

A screenshot asked the moment a visit ends must not show the screen the resident just left: `kiosk
run` (a real window, offscreen) is visited and left again and again (tests/screens/visiting_ui.py plays
the resident), a screenshot asked each time as the session ends (from at once to half a second later); each
picture sent is the attract screen.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image, ImageChops, ImageStat

from drivers.idcard.card_file import SimulatedIdCard, load_id_card
from drivers.idcard.pty_sim import PtyIdReaderSimulator
from kiosk.appliance import Kiosk
from kiosk.events import SessionIdentified, SessionIdentityDropped
from kiosk.fleet.commands import new_command_key, public_key_text, sign_command
from kiosk.fleet.forms import Topics
from kiosk.fleet.orders import BUSY
from kiosk.identity import ReaderWatch
from kiosk.journey import Screen
from kiosk.log import install_recent_log
from kiosk.rating_flow import RatingLevel
from tests.conftest import wait_for
from tests.e2e.test_fleet_run import WINDOW, RunningKiosk
from tests.e2e.test_identity_privacy import CARDS, encodings, needles, search_everything
from tests.fleet.console import Console
from tests.mosquitto import PrivateMosquitto

KIOSK_ID = "wh-privacy-01"
TOPICS = Topics(KIOSK_ID)
PHONE = "13987654321"


def forms(needle: str) -> list[bytes]:
    """A needle as it could cross in a payload: every encoding, and escaped in JSON."""
    return [*encodings(needle), json.dumps(needle).encode()[1:-1]]


def visit(
    kiosk: Kiosk,
    simulator: PtyIdReaderSimulator,
    card: SimulatedIdCard,
    console: Console,
    key: Ed25519PrivateKey,
) -> None:
    """The resident identifies with the card, prints a checklist and rates the service with a
    consented phone number; meanwhile the console asks for the logs and a screenshot."""
    identified = threading.Event()
    kiosk.bus.subscribe(SessionIdentified, lambda _event: identified.set())
    journey = kiosk.journey
    journey.wake()
    journey.open_identify()
    simulator.place(card)
    assert identified.wait(10), "the card did not identify the resident"
    journey.open_guide(journey.view.guides[0].id)
    journey.print_checklist()
    assert journey.view.screen is Screen.PRINT_DONE
    journey.open_rating()
    flow = journey.view.rating
    assert flow is not None
    flow.choose_level(RatingLevel.VERY_DISSATISFIED)
    flow.set_consent(True)
    for digit in PHONE:
        flow.press_digit(digit)
    journey.submit_rating()
    assert kiosk.ratings.pending()[-1].phone == PHONE  # it was given, and kept for the follow-up
    for name, args in (("logs", {"lines": 200}), ("screenshot", {})):
        signed = sign_command(key, name, args)
        console.send(TOPICS.command(signed["req"]), signed)
        assert wait_for(lambda req=signed["req"]: console.last(TOPICS.result(req)) is not None, 15)
    assert wait_for(lambda: (console.last(TOPICS.reported) or {}).get("screen") == "in_use")
    assert wait_for(lambda: (console.last(TOPICS.telemetry) or {}).get("prints_today") == 1, 12)


def test_a_visit_sends_nothing_personal_over_the_fleet_channel(  # noqa: PLR0917 - pytest passes fixtures by position
    make_kiosk: Callable[..., Kiosk],
    mosquitto: PrivateMosquitto,
    private_tmp: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    install_recent_log()  # the `logs` command answers from it, as in `kiosk run`
    key = new_command_key()
    card = load_id_card(CARDS / "resident.json")
    console = Console(mosquitto.port)
    try:
        with PtyIdReaderSimulator(None) as simulator:
            kiosk = make_kiosk(
                {
                    "kiosk": {"id": KIOSK_ID},
                    "devices": {"id_reader": {"driver": "serial", "port": simulator.path}},
                    "fleet": {
                        "broker": mosquitto.url,
                        "keepalive": 5,
                        "telemetry_interval": 5,
                        "command_keys": [public_key_text(key)],
                    },
                }
            )
            dropped = threading.Event()
            kiosk.bus.subscribe(SessionIdentityDropped, lambda _event: dropped.set())
            kiosk.identity.watch = ReaderWatch(poll=0.05, read=3.0, retry=0.2)
            kiosk.start()
            assert kiosk.fleet is not None
            kiosk.fleet.reporter.poll_interval = 0.2
            assert wait_for(lambda: (console.last(TOPICS.status) or {}).get("state") == "online")

            visit(kiosk, simulator, card, console, key)
            simulator.lift()
            assert dropped.wait(10), "removing the card did not end the identified part"
            kiosk.journey.finish()
            assert wait_for(lambda: (console.last(TOPICS.telemetry) or {}).get("visits_today") == 1, 12)
            kiosk.close()
        assert wait_for(lambda: (console.last(TOPICS.status) or {}).get("state") == "offline")
    finally:
        console.close()

    personal = [*needles(card.card), PHONE]
    payloads = [payload for _topic, payload, _retained in console.messages]
    assert len(payloads) > 10  # status, reported, telemetry, events, results
    assert any(b'"lines"' in payload for payload in payloads)
    crossed = [
        f"{needle!r} in {topic}"
        for topic, payload, _retained in console.messages
        for needle in personal
        if any(form in payload for form in forms(needle))
    ]
    assert crossed == []
    out, err = capfd.readouterr()
    assert search_everything(personal, [mosquitto.directory], "", out + err) == []


#: `kiosk run` where SIGUSR1 is a resident's touch and SIGUSR2 their leaving (on the UI thread).
VISITING_KIOSK = [sys.executable, str(Path(__file__).parents[1] / "screens" / "visiting_ui.py")]
#: How long after each visit's end its screenshot is asked, seconds: from before the session has
#: ended (refused as busy) through the screen's change (0.15 s fade) to after it.
ASKED_AFTER = (0.0, 0.02, 0.04, 0.07, 0.1, 0.15, 0.25, 0.5)


def screenshot(console: Console, key: Ed25519PrivateKey, topics: Topics) -> dict[str, Any]:
    signed = sign_command(key, "screenshot")
    console.send(topics.command(signed["req"]), signed)
    assert wait_for(lambda: console.last(topics.result(signed["req"])) is not None, 30), "no result"
    result = console.last(topics.result(signed["req"]))
    assert result is not None
    return result


def picture(result: dict[str, Any]) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(result["result"]["png_base64"]))).convert("RGB")


def difference(one: Image.Image, other: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(one, other)).mean)


def test_a_screenshot_asked_as_a_visit_ends_is_the_attract_screen_not_the_residents(
    mosquitto: PrivateMosquitto, tmp_path: Path
) -> None:
    key = new_command_key()
    topics = Topics("wh-privacy-02")
    environ = {key: value for key, value in os.environ.items() if key not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    environ.update(
        KIOSK_DATA_DIR=str(tmp_path / "data"),
        KIOSK__KIOSK__ID="wh-privacy-02",
        KIOSK__DISPLAY__WINDOW_SIZE="{}x{}".format(*WINDOW),
        KIOSK__FLEET__BROKER=mosquitto.url,
        KIOSK__FLEET__KEEPALIVE="5",
        KIOSK__FLEET__COMMAND_KEYS=json.dumps([public_key_text(key)]),
    )
    console = Console(mosquitto.port)
    kiosk = RunningKiosk(environ, tmp_path / "notify", tmp_path / "kiosk.log", command=VISITING_KIOSK)
    try:
        assert wait_for(lambda: (console.last(topics.status) or {}).get("state") == "online", 30)
        assert wait_for(lambda: (console.last(topics.reported) or {}).get("screen") == "attract", 15)
        attract = picture(screenshot(console, key, topics))
        sent = []
        for delay in ASKED_AFTER:
            os.kill(kiosk.process.pid, signal.SIGUSR1)  # a resident touches the screen
            assert wait_for(lambda: (console.last(topics.reported) or {}).get("screen") == "in_use", 15)
            assert screenshot(console, key, topics)["error"] == BUSY
            time.sleep(0.5)  # their screen is drawn
            os.kill(kiosk.process.pid, signal.SIGUSR2)  # they leave: the session ends on the UI thread
            time.sleep(delay)
            result = screenshot(console, key, topics)
            assert result["ok"] or result["error"] == BUSY
            if result["ok"]:
                sent.append(difference(picture(result), attract))
            assert wait_for(lambda: (console.last(topics.reported) or {}).get("screen") == "attract", 15)
        assert sent, "no screenshot was taken after a visit"
        assert max(sent) < 5, f"a screenshot after a visit differs from the attract screen: {sent}"
        assert kiosk.stop(signal.SIGTERM) == 0
    finally:
        kiosk.close()
        console.close()
