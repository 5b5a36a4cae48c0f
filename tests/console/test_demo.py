"""`kiosk-console demo`: one command starts a secured broker, simulated kiosks and the console; a
newcomer signs in with the password it prints once; SIGINT or SIGTERM stops every process it started."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.daemons import free_port

KIOSKS = 6


@dataclass
class RunningDemo:
    process: subprocess.Popen[str]
    url: str
    data_dir: Path
    lines: list[str] = field(default_factory=list)

    @property
    def password(self) -> str:
        for line in self.lines:
            found = re.search(r"sign in as 'admin' with the password (\S+)", line)
            if found:
                return found.group(1)
        raise AssertionError("the demo printed no password:\n" + "\n".join(self.lines))

    def children(self) -> list[int]:
        """The PIDs of the processes the demo started (its children)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.process.pid:
                found.append(int(entry.name))
        return found

    def output(self) -> str:
        return "\n".join(self.lines)


def start_demo(data_dir: Path) -> RunningDemo:
    port = free_port()
    script = Path(sys.executable).with_name("kiosk-console")
    process = subprocess.Popen(
        [
            str(script),
            "demo",
            "--port",
            str(port),
            "--broker-port",
            str(free_port()),
            "--kiosks",
            str(KIOSKS),
            "--pace",
            "0",
            "--data-dir",
            str(data_dir),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    demo = RunningDemo(process, f"http://127.0.0.1:{port}", data_dir)
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        demo.lines.append(line.rstrip("\n"))
        if line.startswith("Ctrl-C stops everything"):
            return demo
    process.kill()
    raise AssertionError("the demo did not start:\n" + demo.output() + (process.stdout.read() or ""))


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[RunningDemo]:
    running = start_demo(tmp_path / "demo")
    try:
        yield running
    finally:
        if running.process.poll() is None:
            for pid in running.children():
                os.kill(pid, signal.SIGKILL)
            running.process.kill()
            running.process.wait()


def cookie(answer: httpx.Response, name: str) -> str:
    """A cookie the console set (its cookies are Secure: a client keeps them only over https, so the
    test carries them itself, as a browser does for http://127.0.0.1)."""
    for header in answer.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header.split(";", 1)[0].split("=", 1)[1]
    raise AssertionError(f"no {name} cookie in {answer.headers}")


def sign_in(url: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=url, follow_redirects=False, timeout=10)
    page = client.get("/signin")
    assert page.status_code == 200, page.text
    token = re.search(r'name="signin_token" value="([^"]*)"', page.text)
    assert token
    signin_cookie = cookie(page, "console_signin")
    answer = client.post(
        "/signin",
        data={"username": "admin", "password": password, "signin_token": token.group(1)},
        headers={"cookie": f"console_signin={signin_cookie}"},
    )
    assert answer.status_code == 303, answer.text
    client.headers["cookie"] = f"console_session={cookie(answer, 'console_session')}"
    return client


def broker_log(demo: RunningDemo) -> str:
    return (demo.data_dir / "broker" / "mosquitto.log").read_text(errors="replace")


def wait_for(condition: object, seconds: float = 20.0) -> bool:
    assert callable(condition)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())


def test_the_demo_signs_in_with_its_printed_password_and_its_kiosks_log_in_to_a_secured_broker(
    demo: RunningDemo,
) -> None:
    client = sign_in(demo.url, demo.password)
    try:
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
