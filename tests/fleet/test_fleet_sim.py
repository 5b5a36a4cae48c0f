"""The fleet simulator and its asyncio driver against a real mosquitto: kiosks online with their
reported state, a killed kiosk lost then back one session higher, a power cut seen within 1.5 x
keepalive, a dropped connection coming back by itself, signed commands answered and bad ones refused."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

from click.testing import CliRunner

from kiosk.fleet.commands import new_command_key, public_key_text, sign_command
from kiosk.fleet.fleet_sim import FleetSimulator, SimOptions, attract_png, read_keys
from kiosk.fleet.sim_command import fleet as fleet_command
from tests.fleet.console import Console
from tests.mosquitto import PrivateMosquitto

KEEPALIVE = 5


def options(mosquitto: PrivateMosquitto, kiosks: int, **changes: Any) -> SimOptions:
    values: dict[str, Any] = {
        "broker": mosquitto.url,
        "kiosks": kiosks,
        "keepalive": KEEPALIVE,
        "telemetry_interval": 5.0,
        "pace": 0.0,
        "backoff_first": 0.2,
        "backoff_cap": 0.5,
    }
    values.update(changes)
    return SimOptions(**values)


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(scenario())  # type: ignore[arg-type]


def status(console: Console, kiosk_id: str) -> dict[str, Any]:
    return console.last(f"kiosk/v1/{kiosk_id}/status") or {}


def is_status(console: Console, kiosk_id: str, state: str, session: int) -> Callable[[], bool]:
    return lambda: {"state": state, "session": session}.items() <= status(console, kiosk_id).items()


def test_twenty_kiosks_are_online_with_the_contracts_reported_and_telemetry(
    mosquitto: PrivateMosquitto, console: Console
) -> None:
    async def scenario() -> None:
        fleet = FleetSimulator(options(mosquitto, 20))
        await fleet.start()
        try:
            assert await fleet.wait_online(timeout=20), mosquitto.tail()
            ids = [f"sim-{n:05d}" for n in range(1, 21)]
            assert await until(lambda: all(status(console, k).get("state") == "online" for k in ids))
            assert all(status(console, k)["session"] == 1 for k in ids)
            reported = console.last("kiosk/v1/sim-00007/reported")
            assert reported is not None
            assert {"version"} <= set(reported["software"])
            assert {"version", "guides"} <= set(reported["catalogue"])
            assert {"version"} <= set(reported["config"])
            devices = reported["devices"]
            assert {"state", "reasons"} <= set(devices["printer"])
            assert {devices[name]["state"] for name in ("id_reader", "sscard_reader", "scanner")} == {"ok"}
            assert reported["screen"] == "attract"
            # Telemetry: every kiosk once within its 5 s interval.
            assert await until(
                lambda: all(console.last(f"kiosk/v1/{k}/telemetry") is not None for k in ids), 12
            )
            # A resident's session: in_use, then attract again.
            kiosk = fleet.kiosks[2]
            assert kiosk.start_session()
            topic = f"kiosk/v1/{kiosk.kiosk_id}/reported"
            assert await until(lambda: (console.last(topic) or {}).get("screen") == "in_use")
            kiosk.end_session(printed=True)
            assert await until(lambda: (console.last(topic) or {}).get("screen") == "attract")
            # Paper out: reported says why, and an event says so.
            kiosk.paper_out()
            assert await until(
                lambda: (
                    (console.last(topic) or {}).get("devices", {}).get("printer")
                    == {"state": "stopped", "reasons": ["media-empty"]}
                )
            )
            assert await until(
                lambda: (
                    (console.last(f"kiosk/v1/{kiosk.kiosk_id}/event") or {}).get("type")
                    == "printer_paper_out"
                )
            )
        finally:
            await fleet.close()
        assert await until(lambda: all(status(console, k).get("state") == "offline" for k in ids))

    run(scenario)


def test_a_killed_kiosk_is_lost_then_back_one_session_higher_and_a_drop_reconnects_by_itself(
    mosquitto: PrivateMosquitto, console: Console
) -> None:
    async def scenario() -> None:
        fleet = FleetSimulator(options(mosquitto, 3))
        await fleet.start()
        try:
            assert await fleet.wait_online(timeout=20), mosquitto.tail()
            killed, dropped = fleet.kiosks[0], fleet.kiosks[1]
            assert await until(is_status(console, killed.kiosk_id, "online", 1))
            killed.kill()
            assert await until(is_status(console, killed.kiosk_id, "lost", 1), 5)
            await asyncio.sleep(0.5)
            assert status(console, killed.kiosk_id)["state"] == "lost"  # a killed kiosk stays away
            killed.restart()
            assert await until(is_status(console, killed.kiosk_id, "online", 2))
            # The network drops a connection: lost at once, back by itself.
            assert await until(is_status(console, dropped.kiosk_id, "online", 1))
            dropped.drop()
            assert await until(is_status(console, dropped.kiosk_id, "lost", 1), 5)
            assert await until(is_status(console, dropped.kiosk_id, "online", 2), 10)
            assert fleet.stats.counts["killed"] == fleet.stats.counts["network_drops"] == 1
        finally:
            await fleet.close()

    run(scenario)


def test_a_power_cut_is_seen_lost_when_the_keepalive_runs_out(
    mosquitto: PrivateMosquitto, console: Console
) -> None:
    async def scenario() -> None:
        fleet = FleetSimulator(options(mosquitto, 2))
        await fleet.start()
        try:
            assert await fleet.wait_online(timeout=20), mosquitto.tail()
            kiosk = fleet.kiosks[1]
            assert await until(is_status(console, kiosk.kiosk_id, "online", 1))
            cut = time.monotonic()
            kiosk.silence()
            await asyncio.sleep(1.0)
            assert status(console, kiosk.kiosk_id)["state"] == "online"  # the broker cannot know yet
            # Mosquitto 2.0.11 checks keepalives every few seconds, not every second: with a
            # keepalive of 5 s it let a silent client go after 8 to 11 s (bench/fleet.py measures
            # the default 30 s); seen lost, and not long after, is what this test holds.
            assert await until(is_status(console, kiosk.kiosk_id, "lost", 1), 2.5 * KEEPALIVE), (
                mosquitto.tail()
            )
            seen = time.monotonic() - cut
            assert seen >= 1.5 * KEEPALIVE - 1.0, seen  # not before the keepalive ran out
            kiosk.restart()
            assert await until(is_status(console, kiosk.kiosk_id, "online", 2))
            # The other kiosk was not disturbed: still its first session.
            assert status(console, fleet.kiosks[0].kiosk_id)["session"] == 1
        finally:
            await fleet.close()

    run(scenario)


class Asker:
    """Writes commands to one kiosk as the console does and waits for their results."""

    def __init__(self, console: Console, kiosk_id: str) -> None:
        self.console = console
        self.base = f"kiosk/v1/{kiosk_id}"

    async def __call__(self, command: dict[str, Any] | bytes, req: str | None = None) -> dict[str, Any]:
        req = req or (command["req"] if isinstance(command, dict) else "")
        topic = f"{self.base}/result/{req}"
        before = len(self.console.payloads(topic))
        await asyncio.to_thread(self.console.send, f"{self.base}/cmd/{req}", command)
        assert await until(lambda: len(self.console.payloads(topic)) > before), req
        return self.console.payloads(topic)[-1]


def test_signed_commands_are_answered_as_the_contract_says(
    mosquitto: PrivateMosquitto, console: Console
) -> None:
    key = new_command_key()

    async def scenario() -> None:
        fleet = FleetSimulator(options(mosquitto, 2, keys=[public_key_text(key)]))
        await fleet.start()
        kiosk = fleet.kiosks[0]
        ask = Asker(console, kiosk.kiosk_id)
        try:
            assert await fleet.wait_online(timeout=20), mosquitto.tail()
            shot = sign_command(key, "screenshot")
            answer = await ask(shot)
            assert answer["ok"] is True and answer["req"] == shot["req"]
            png = base64.b64decode(answer["result"]["png_base64"])
            assert png.startswith(b"\x89PNG\r\n\x1a\n") and png == attract_png(kiosk.kiosk_id)
            # The same command again: replayed.
            assert (await ask(shot))["error"].startswith("replayed")
            logs = sign_command(key, "logs", {"lines": 12})
            lines = (await ask(logs))["result"]["lines"]
            assert len(lines) == 12 and any("masked]" in line for line in lines)
            assert not re.search(r"\d{11}", "\n".join(lines))  # no ID or phone number crosses
            # A resident is using the kiosk: no screenshot, no blank.
            assert kiosk.start_session()
            busy = sign_command(key, "screenshot")
            assert await ask(busy) == {
                "req": busy["req"],
                "ok": False,
                "error": "busy: a resident is using the kiosk",
            }
            assert (await ask(sign_command(key, "blank")))["error"] == "busy: a resident is using the kiosk"
            kiosk.end_session()
            assert (await ask(sign_command(key, "blank")))["result"] == {"blank": True}
            assert await until(lambda: (console.last(f"{ask.base}/reported") or {}).get("screen") == "blank")
            # restart_ui: the result, offline, and back one session higher.
            restart = sign_command(key, "restart_ui")
            assert (await ask(restart))["result"] == {"restarting": True}
            assert await until(is_status(console, kiosk.kiosk_id, "offline", 1))
            assert await until(is_status(console, kiosk.kiosk_id, "online", 2), 15)
        finally:
            await fleet.close()

    run(scenario)


def test_unsigned_foreign_expired_tampered_unknown_and_garbled_commands_are_refused_with_the_reason(
    mosquitto: PrivateMosquitto, console: Console
) -> None:
    key = new_command_key()

    async def scenario() -> None:
        fleet = FleetSimulator(options(mosquitto, 2, keys=[public_key_text(key)], prefix="gate"))
        keyless = FleetSimulator(options(mosquitto, 1, prefix="keyless"))
        await fleet.start()
        await keyless.start()
        ask = Asker(console, fleet.kiosks[1].kiosk_id)
        try:
            assert await fleet.wait_online(timeout=20) and await keyless.wait_online(), mosquitto.tail()
            unsigned = sign_command(key, "sync_now")
            unsigned.pop("sig")
            assert (await ask(unsigned))["error"].startswith("signature")
            assert (await ask(sign_command(new_command_key(), "sync_now")))["error"].startswith("signature")
            old = sign_command(key, "sync_now", now=time.time() - 600, ttl=60)
            assert (await ask(old))["error"].startswith("expired")
            tampered = sign_command(key, "logs", {"lines": 5})
            tampered["args"] = {"lines": 200}
            assert (await ask(tampered))["error"].startswith("signature")
            assert (await ask(sign_command(key, "self_destruct")))["error"].startswith("unknown command")
            assert (await ask(b"not json", "garbage"))["error"].startswith("malformed")
            # A signed command for another kiosk's topic: its req is not the topic's.
            moved = sign_command(key, "sync_now")
            assert (await ask(moved, "elsewhere"))["error"].startswith("signature")
            assert fleet.stats.counts["commands_refused"] == 7
            # The one good command is carried out.
            synced = await ask(sign_command(key, "sync_now"))
            assert synced["ok"] is True and synced["result"]["catalogue"]["version"] >= 40
            # A kiosk without command keys refuses even a well-signed command.
            refused = await Asker(console, "keyless-00001")(sign_command(key, "sync_now"))
            assert refused["error"].startswith("signature: this kiosk has no command keys")
        finally:
            await fleet.close()
            await keyless.close()

    run(scenario)


def test_the_command_runs_a_fleet_and_stops_it_cleanly(mosquitto: PrivateMosquitto, tmp_path: Any) -> None:
    keys = tmp_path / "keys"
    keys.write_text(f"# the console's key\n{public_key_text(new_command_key())}\n\n")
    assert len(read_keys(keys.read_text())) == 1
    console = Console(mosquitto.port)
    try:
        result = CliRunner().invoke(
            fleet_command,
            [
                "--kiosks",
                "4",
                "--broker",
                mosquitto.url,
                "--keys",
                str(keys),
                "--duration",
                "3",
                "--pace",
                "60",
                "--every",
                "1",
                "--keepalive",
                "5",
                "--prefix",
                "demo",
            ],
        )
        assert result.exit_code == 0, result.output
        assert "4 kiosks started" in result.output and "online 4/4" in result.output, result.output
        assert result.output.splitlines()[-1].startswith("stopped")
        deadline = time.monotonic() + 5
        while (
            time.monotonic() < deadline
            and len([1 for n in range(1, 5) if status(console, f"demo-{n:05d}").get("state") == "offline"])
            < 4
        ):
            time.sleep(0.05)
        assert all(status(console, f"demo-{n:05d}").get("state") == "offline" for n in range(1, 5))
    finally:
        console.close()
    bad = CliRunner().invoke(fleet_command, ["--kiosks", "1", "--broker", "http://x"])
    assert bad.exit_code == 2 and "mqtt://" in bad.output


def test_the_screenshot_is_a_png_of_the_size_it_says() -> None:
    png = attract_png("sim-00001", 32, 18)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (32, 18)
    length = int.from_bytes(png[33:37], "big")
    raw = zlib.decompress(png[41 : 41 + length])
    assert len(raw) == 18 * (1 + 32 * 3)
    assert json.dumps(base64.b64encode(png).decode())  # it travels as text


def test_kiosks_whose_broker_is_away_keep_trying_and_connect_when_it_starts(tmp_path: Any) -> None:
    broker = PrivateMosquitto(tmp_path / "late")

    async def scenario() -> None:
        fleet = FleetSimulator(options(broker, 5))
        await fleet.start()
        try:
            await asyncio.sleep(1.0)
            assert fleet.online() == 0
            assert all(kiosk.link is not None and kiosk.link.last_failure for kiosk in fleet.kiosks)
            await asyncio.to_thread(broker.start)
            assert await fleet.wait_online(timeout=15), broker.tail()
            # Every failed attempt took a session: the first connection's is higher than 1.
            assert all(kiosk.link is not None and kiosk.link.session > 1 for kiosk in fleet.kiosks)
        finally:
            await fleet.close()
            broker.stop()

    run(scenario)
