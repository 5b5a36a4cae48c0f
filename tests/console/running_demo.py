"""`kiosk-console demo` run as a subprocess (its own session), for its tests and for
bench/console_screenshots.py: started on free ports, its printed password read, stopped by signal."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.daemons import free_port


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

    def stop(self, signum: int = signal.SIGINT) -> int:
        """Stop it as Ctrl-C does; when it does not stop in 30 s (or `signum` is SIGKILL), its
        children are killed by PID too."""
        if self.process.poll() is None:
            children = self.children()
            os.kill(self.process.pid, signum)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            for pid in children:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        return self.process.returncode


def start_demo(data_dir: Path, kiosks: int = 6, pace: float = 0.0) -> RunningDemo:
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
            str(kiosks),
            "--pace",
            str(pace),
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


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())
