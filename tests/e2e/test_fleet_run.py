"""`kiosk run` with `[fleet]` settings on a real mosquitto, watched by a paho console: online with its
reported state, answering each command as specified (a real screenshot of the attract screen),
`lost` within 1.5 x keepalive when killed -9, back `online` with a higher session, `offline` when
stopped cleanly, the UI restarted, the kiosk rebooted."""

from __future__ import annotations

import base64
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from kiosk.fleet.commands import public_key_text, sign_command
from kiosk.fleet.forms import Topics
from tests.conftest import wait_for
from tests.e2e.test_watchdog import wait_for as wait_for_notify
from tests.fleet.console import Console
from tests.mosquitto import PrivateMosquitto

#: The installed command, as kiosk.service runs it.
KIOSK = str(Path(sys.executable).with_name("kiosk"))
KIOSK_ID = "wh-e2e-01"
TOPICS = Topics(KIOSK_ID)
KEEPALIVE = 5
WINDOW = (1024, 600)
#: `kiosk run`'s exit status when the UI asks systemd to start it again (screens.cli).
EXIT_RESTART_UI = 75


class RunningKiosk:
    """`kiosk run` offscreen in its own process group, with its notify socket."""

    def __init__(
        self, env: dict[str, str], notify: Path, log: Path, command: Sequence[str] = (KIOSK,)
    ) -> None:
        self.receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.unlink(missing_ok=True)
        self.receiver.bind(str(notify))
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [*command, "run"],
            env={**env, "NOTIFY_SOCKET": str(notify)},
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            start_new_session=True,
        )
        wait_for_notify(self.receiver, "READY=1", 90)

    def stop(self, sig: signal.Signals) -> int:
        os.killpg(self.process.pid, sig)
        return self.process.wait(timeout=30)

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.receiver.close()
        self._log.close()


@pytest.fixture
def env(mosquitto: PrivateMosquitto, key: Ed25519PrivateKey, tmp_path: Path) -> dict[str, str]:
    rebooted = tmp_path / "rebooted"
    environ = {key: value for key, value in os.environ.items() if key not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    environ.update(
        KIOSK_DATA_DIR=str(tmp_path / "data"),
        KIOSK__KIOSK__ID=KIOSK_ID,
        KIOSK__DISPLAY__WINDOW_SIZE="{}x{}".format(*WINDOW),
        KIOSK__FLEET__BROKER=mosquitto.url,
        KIOSK__FLEET__KEEPALIVE=str(KEEPALIVE),
        KIOSK__FLEET__COMMAND_KEYS=json.dumps([public_key_text(key)]),
        # A stand-in for systemctl reboot: it leaves a file saying it ran.
        KIOSK__FLEET__REBOOT_COMMAND=json.dumps(
            [sys.executable, "-c", f"import pathlib; pathlib.Path({str(rebooted)!r}).write_text('rebooted')"]
        ),
    )
    return environ


@pytest.fixture
def run_kiosk(env: dict[str, str], tmp_path: Path) -> Iterator[Any]:
    started: list[RunningKiosk] = []

    def run() -> RunningKiosk:
        kiosk = RunningKiosk(env, tmp_path / "notify", tmp_path / "kiosk.log")
        started.append(kiosk)
        return kiosk

    yield run
    for kiosk in started:
        kiosk.close()


def status(console: Console) -> dict[str, Any]:
    return console.last(TOPICS.status) or {}


def command(
    console: Console, key: Ed25519PrivateKey, name: str, args: dict[str, Any] | None = None
) -> dict[str, Any]:
    signed = sign_command(key, name, args)
    console.send(TOPICS.command(signed["req"]), signed)
    assert wait_for(lambda: console.last(TOPICS.result(signed["req"])) is not None, 20), (
        f"no result for {name}"
    )
    result = console.last(TOPICS.result(signed["req"]))
    assert result is not None
    return result


def test_kiosk_run_is_online_answers_commands_is_lost_when_killed_and_back_with_a_higher_session(
    run_kiosk: Any, console: Console, key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    kiosk = run_kiosk()
    assert wait_for(lambda: status(console).get("state") == "online", 30), (
        tmp_path / "kiosk.log"
    ).read_text()
    first = status(console)["session"]
    assert wait_for(lambda: (console.last(TOPICS.reported) or {}).get("screen") == "attract", 15)
    reported = console.last(TOPICS.reported)
    assert reported is not None
    assert reported["software"]["version"] and reported["catalogue"]["guides"] > 0
    assert set(reported["devices"]) >= {"printer", "id_reader", "sscard_reader", "scanner"}

    shot = command(console, key, "screenshot")
    picture = Image.open(io.BytesIO(base64.b64decode(shot["result"]["png_base64"])))
    assert picture.format == "PNG" and picture.size == WINDOW
    colours = picture.convert("RGB").getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 20, "the screenshot is blank"  # the attract screen: text, pictures

    logs = command(console, key, "logs", {"lines": 20})
    assert logs["ok"] and 0 < len(logs["result"]["lines"]) <= 20

    synced = command(console, key, "sync_now")
    assert synced["error"].startswith("sync failed: sync is not configured")

    assert command(console, key, "blank")["ok"]
    assert wait_for(lambda: (console.last(TOPICS.reported) or {}).get("screen") == "blank", 15)
    assert command(console, key, "unblank")["ok"]
    assert wait_for(lambda: (console.last(TOPICS.reported) or {}).get("screen") == "attract", 15)

    killed_at = time.monotonic()
    os.killpg(kiosk.process.pid, signal.SIGKILL)
    kiosk.process.wait(10)
    assert wait_for(lambda: status(console).get("state") == "lost", 1.5 * KEEPALIVE + 1)
    assert time.monotonic() - killed_at <= 1.5 * KEEPALIVE + 0.5
    assert status(console)["session"] == first

    again = run_kiosk()
    assert wait_for(lambda: status(console).get("state") == "online", 30)
    assert status(console)["session"] == first + 1
    assert again.stop(signal.SIGTERM) == 0
    assert (status(console)["state"], status(console)["session"]) == ("offline", first + 1)


def test_kiosk_run_restarts_its_ui_and_reboots_on_command(
    run_kiosk: Any, console: Console, key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    kiosk = run_kiosk()
    assert wait_for(lambda: status(console).get("state") == "online", 30)
    restart = command(console, key, "restart_ui")
    assert restart["ok"] and restart["result"] == {"restarting": True}
    assert kiosk.process.wait(timeout=30) == EXIT_RESTART_UI
    assert status(console)["state"] == "offline"

    rebooted = tmp_path / "rebooted"
    kiosk = run_kiosk()
    assert wait_for(lambda: status(console).get("state") == "online", 30)
    result = command(console, key, "reboot")
    assert result["ok"] and result["result"] == {"rebooting": True}
    assert wait_for(rebooted.exists, 15)
    assert status(console)["state"] == "offline"  # the channel said so before the command ran
    assert kiosk.stop(signal.SIGTERM) == 0
