"""`kiosk-console demo`: one command starts a secured broker, simulated kiosks and the console; a
newcomer signs in with the password it prints once; SIGINT or SIGTERM stops every process it started."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.console.running_demo import RunningDemo, broker_log, cookie, sign_in, start_demo, wait_for
from tests.daemons import free_port

KIOSKS = 6


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[RunningDemo]:
    running = start_demo(tmp_path / "demo", kiosks=KIOSKS)
    try:
        yield running
    finally:
        running.stop(signal.SIGKILL)


def online_on_fleet_page(client: httpx.Client) -> int:
    page = client.get("/fleet")
    assert page.status_code == 200, page.text
    found = re.search(r'data-count="online">(\d+)<', page.text)
    assert found, page.text
    return int(found.group(1))


def test_the_demo_signs_in_with_its_printed_password_and_shows_its_kiosks_online(
    demo: RunningDemo,
) -> None:
    client = sign_in(demo.url, demo.password)
    try:
        # The console follows the fleet: every simulated kiosk online on the fleet page.
        assert wait_for(lambda: online_on_fleet_page(client) == KIOSKS), client.get("/fleet").text[-3000:]
        csrf = re.search(r'data-csrf="([^"]+)"', client.get("/signin").text)
        assert csrf, "a signed-in page carries the session's CSRF token"
        assert client.post("/signout", data={"csrf": csrf.group(1)}).status_code == 303
    finally:
        client.close()
    with httpx.Client(base_url=demo.url) as stranger:
        page = stranger.get("/signin")
        refused = stranger.post(
            "/signin",
            data={"username": "admin", "password": "admin", "signin_token": "x"},
            headers={"cookie": f"console_signin={cookie(page, 'console_signin')}"},
        )
        assert refused.status_code in {401, 403}
    # Every simulated kiosk logged in with its own account; no anonymous client is let in.
    ids = [f"sim-{n:05d}" for n in range(1, KIOSKS + 1)]
    assert wait_for(lambda: all(f"u'{kiosk}'" in broker_log(demo) for kiosk in ids)), broker_log(demo)
    conf = (demo.data_dir / "broker" / "mosquitto.conf").read_text()
    assert "allow_anonymous false" in conf and "acl_file" in conf
    # The password is printed once and stored nowhere in the clear.
    for path in demo.data_dir.rglob("*"):
        if path.is_file() and path.stat().st_size < 5_000_000:
            assert demo.password.encode() not in path.read_bytes(), path


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_console_the_kiosks_and_the_broker(demo: RunningDemo, signum: int) -> None:
    children = demo.children()
    assert len(children) == 2, demo.output()  # mosquitto and the simulator
    os.kill(demo.process.pid, signum)
    assert demo.process.wait(timeout=30) == 0, demo.output()
    assert demo.process.stdout is not None
    rest = demo.process.stdout.read()
    assert "stopped: the console, the simulated kiosks and the broker" in rest
    for pid in children:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    # The kiosks said goodbye (a clean stop: each one's `offline`) before the broker stopped.
    assert "sim-00001 disconnected" in broker_log(demo) or "Client sim-00001 closed" in broker_log(demo)
    with pytest.raises(httpx.ConnectError):
        httpx.get(demo.url + "/signin", timeout=2)


def test_a_folder_that_is_not_a_demos_is_never_emptied(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    script = Path(sys.executable).with_name("kiosk-console")
    result = subprocess.run(
        [str(script), "demo", "--data-dir", str(tmp_path), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "not a demo's folder" in result.stdout
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_a_demo_killed_outright_leaves_no_child_behind(demo: RunningDemo) -> None:
    children = demo.children()
    assert len(children) == 2, demo.output()
    os.kill(demo.process.pid, signal.SIGKILL)  # no chance to stop them itself
    demo.process.wait(timeout=10)

    def gone(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    try:
        assert wait_for(lambda: all(gone(pid) for pid in children), 15)
    finally:
        for pid in children:  # a failure here leaves nothing running either
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
