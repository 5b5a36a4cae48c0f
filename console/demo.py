"""`kiosk-console demo`: a living fleet on this machine in one command, for a newcomer.

It starts, each in the demo's folder:
- a private mosquitto secured as scripts/install-broker secures the fleet's broker (the conf and
  ACL of kiosk.fleet.broker_config: no anonymous clients, one account per kiosk, the console's);
- a fleet repository (TUF) with the demo guides published, and a configuration for all kiosks that
  names the command key;
- a command key, whose public key the simulated kiosks trust;
- the fleet simulator (`kiosk sim fleet`): kiosks with the real channel code in groups east, west
  and port, every tenth in the canary group, living faster than real ones (sessions, paper out, a
  reader lost, restarts);
- the console on http://127.0.0.1:8080 with an administrator whose random password is printed once.

Ctrl-C (or SIGTERM) stops the console, then the simulator (each kiosk says `offline`), then the
broker, each child by its PID. The folder is a new temporary one removed at the end, unless
`--data-dir` names one to keep.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from kiosk.fleet import broker_config

if TYPE_CHECKING:
    from console.settings import ConsoleSettings

#: The file that marks a folder as a demo's (a --data-dir given again is emptied only if it has it).
MARKER = ".kiosk-console-demo"
ADMIN = "admin"
MOSQUITTO = "/usr/sbin/mosquitto"
MOSQUITTO_PASSWD = "/usr/bin/mosquitto_passwd"


class DemoFailed(RuntimeError):
    """A part of the demo did not start or died; the message says which and ends with its log."""


@dataclass(frozen=True)
class DemoOptions:
    host: str = "127.0.0.1"
    port: int = 8080
    #: 0: a free port.
    broker_port: int = 0
    kiosks: int = 24
    #: The simulated kiosks' life, this many times a real kiosk's rates.
    pace: float = 30.0
    telemetry_interval: float = 10.0
    seed: int = 1
    #: None: a new temporary folder, removed at the end.
    data_dir: Path | None = None


@dataclass
class Child:
    """A process the demo started, stopped by its PID; its output goes to `log`."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    own_logs: Sequence[Path] = ()

    def tail(self, lines: int = 15) -> str:
        parts = []
        for path in (self.log, *self.own_logs):
            text = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
            parts.append(f"--- {path}")
            parts.extend(text)
        return "\n".join(parts)

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        if not self.running():
            return
        os.kill(self.process.pid, signum)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


@dataclass
class Demo:
    """What a running demo is made of."""

    options: DemoOptions
    folder: Path
    broker_port: int
    admin_password: str
    children: list[Child] = field(default_factory=list)

    @property
    def broker_url(self) -> str:
        return f"mqtt://127.0.0.1:{self.broker_port}"

    @property
    def console_url(self) -> str:
        return f"http://{self.options.host}:{self.options.port}/"

    def start_child(self, name: str, argv: list[str], own_logs: Sequence[Path] = ()) -> Child:
        log = self.folder / f"{name}.log"
        with log.open("ab") as output:
            process = subprocess.Popen(
                argv,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # Its own session: a Ctrl-C in the terminal reaches the demo alone, which stops the
                # children in order (console, kiosks, broker) rather than all at once.
                start_new_session=True,
                cwd=self.folder,
                # Started before any other thread of the demo runs, so preexec_fn is safe here.
                preexec_fn=_stop_with_parent,  # noqa: PLW1509
            )
        child = Child(name, process, log, own_logs)
        self.children.append(child)
        return child

    def stop(self) -> None:
        """Every child, the last started first, by its PID."""
        for child in reversed(self.children):
            child.stop()


def _stop_with_parent() -> None:
    """In the child, before it runs: Linux sends it SIGTERM when the demo dies, even by SIGKILL."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(child: Child, ready: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if not child.running():
            raise DemoFailed(f"{child.name} exited with {child.process.returncode}:\n{child.tail()}")
        if time.monotonic() > deadline:
            raise DemoFailed(f"{child.name} not ready after {timeout:.0f} s:\n{child.tail()}")
        time.sleep(0.05)


def port_open(port: int) -> Callable[[], bool]:
    def check() -> bool:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            return probe.connect_ex(("127.0.0.1", port)) == 0

    return check


def prepare_folder(data_dir: Path | None) -> tuple[Path, bool]:
    """The demo's folder (emptied) and whether it is a temporary one to remove at the end."""
    if data_dir is None:
        return Path(tempfile.mkdtemp(prefix="kiosk-console-demo-")), True
    if data_dir.exists() and any(data_dir.iterdir()):
        if not (data_dir / MARKER).exists():
            raise DemoFailed(
                f"{data_dir} is not empty and not a demo's folder: the demo starts afresh and would "
                "delete what is in it; name a new folder"
            )
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / MARKER).write_text("made by kiosk-console demo: emptied by the next demo run\n")
    return data_dir.resolve(), False


def kiosk_ids(options: DemoOptions) -> list[str]:
    """The simulated kiosks' ids (kiosk sim fleet's: PREFIX-00001, ...)."""
    return [f"sim-{index:05d}" for index in range(1, options.kiosks + 1)]


def start_broker(demo: Demo, kiosk_password: str, console_password: str) -> Child:
    """mosquitto with the fleet's conf and ACL, an account for the console and each kiosk."""
    folder = demo.folder / "broker"
    folder.mkdir()
    for name, path in (("mosquitto", MOSQUITTO), ("mosquitto_passwd", MOSQUITTO_PASSWD)):
        if not os.access(path, os.X_OK):
            raise DemoFailed(f"{path} is missing: install {name} (make console installs what is missing)")
    (folder / broker_config.ACL_NAME).write_text(broker_config.acl_text())
    passwords = folder / broker_config.PASSWORD_NAME
    lines = [f"{broker_config.CONSOLE_USER}:{console_password}"]
    lines += [f"{kiosk_id}:{kiosk_password}" for kiosk_id in kiosk_ids(demo.options)]
    passwords.write_text("\n".join(lines) + "\n")
    passwords.chmod(0o600)
    hashed = subprocess.run(
        [MOSQUITTO_PASSWD, "-U", str(passwords)], check=False, capture_output=True, text=True
    )
    if hashed.returncode != 0:
        raise DemoFailed(f"mosquitto_passwd -U {passwords}: {hashed.stderr.strip()}")
    broker_log = folder / "mosquitto.log"
    conf = folder / "mosquitto.conf"
    conf.write_text(
        "# The demo's broker (kiosk-console demo): loopback only, nothing kept on disk.\n"
        "persistence false\n"
        f"log_dest file {broker_log}\n"
        "connection_messages true\n"
        # As root mosquitto would switch to its own account, which cannot read this private folder.
        + ("user root\n" if os.geteuid() == 0 else "")
        + broker_config.conf_text(str(folder), broker_config.listeners("127.0.0.1", port=demo.broker_port))
    )
    child = demo.start_child("mosquitto", [MOSQUITTO, "-c", str(conf)], own_logs=[broker_log])
    wait_until(child, port_open(demo.broker_port))
    return child


@dataclass(frozen=True)
class Published:
    repository: Path
    catalogue_version: int
    guides: int
    command_key: Path
    public_keys: Path


def make_repository(demo: Demo) -> Published:
    """A fleet repository with the demo guides and an `all` configuration naming the command key."""
    from kiosk.fleet.commands import new_command_key, private_key_text, public_key_text
    from kiosk.guides.demo import DEMO_CATALOGUE
    from kiosk.publishing import FleetRepository
    from kiosk.publishing.catalogue_release import publish_catalogue
    from kiosk.publishing.config_release import publish_config

    base = demo.folder / "fleet"
    repository = FleetRepository.init(base)
    release = publish_catalogue(repository, DEMO_CATALOGUE)
    key = new_command_key()
    command_key = demo.folder / "command-key.pem"
    with open(command_key, "x", encoding="utf-8", opener=lambda p, f: os.open(p, f, 0o600)) as out:
        out.write(private_key_text(key) + "\n")
    public = public_key_text(key)
    public_keys = demo.folder / "command-keys.pub"
    public_keys.write_text(f"# the demo's command key (kiosk sim fleet --keys)\n{public}\n")
    every_kiosk = demo.folder / "config-all.toml"
    every_kiosk.write_text(f'# Every kiosk of the demo fleet.\n[fleet]\ncommand_keys = ["{public}"]\n')
    publish_config(repository, every_kiosk, "all")
    return Published(base, release.version, release.guides, command_key, public_keys)


def kiosk_command() -> list[str]:
    """How to run `kiosk` from this Python (its script next to it, or the module)."""
    script = Path(sys.executable).with_name("kiosk")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from kiosk.cli import main; main()"]


def start_fleet(demo: Demo, published: Published, kiosk_password: str) -> Child:
    password_file = demo.folder / "kiosk-password"
    password_file.write_text(kiosk_password + "\n")
    password_file.chmod(0o600)
    options = demo.options
    argv = [
        *kiosk_command(),
        "sim",
        "fleet",
        "--broker",
        demo.broker_url,
        "--kiosks",
        str(options.kiosks),
        "--keys",
        str(published.public_keys),
        "--password-file",
        str(password_file),
        "--pace",
        str(options.pace),
        "--telemetry-interval",
        str(options.telemetry_interval),
        "--seed",
        str(options.seed),
        "--ramp",
        "20",
        "--every",
        "60",
        "--repository",
        str(published.repository),
    ]
    child = demo.start_child("fleet", argv)
    wait_until(child, lambda: "kiosks started" in child.log.read_text(errors="replace"), timeout=30)
    return child


def create_admin(db_url: str) -> str:
    """The demo's administrator with a new random password (never a default one)."""
    from console import audit
    from console.accounts import create_account
    from console.db import Database
    from console.models import Role

    password = secrets.token_urlsafe(12)
    db = Database(db_url)
    try:
        db.migrate()
        with db.session() as session:
            create_account(session, ADMIN, password, Role.ADMIN)
            audit.record(session, "(demo)", "account_created", f"account:{ADMIN}", role="admin")
    finally:
        db.dispose()
    return password


class Stopper:
    """Why and when to stop: SIGINT/SIGTERM, or a child that died; tells the console to return."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.reason = ""
        self.server: Any = None

    def __call__(self, reason: str = "") -> None:
        self.reason = self.reason or reason
        self.requested.set()
        if self.server is not None:
            self.server.should_exit = True

    def check(self) -> None:
        """Between the steps of starting: stop now when asked to."""
        if self.requested.is_set():
            raise DemoStopped(self.reason)


class DemoStopped(Exception):
    """Stopped while starting."""


@contextmanager
def stop_on_signals(stop: Stopper) -> Iterator[None]:
    """SIGINT and SIGTERM stop the demo in order. (uvicorn, while it serves, takes them over, then
    puts these back and raises the signal again, which comes here.)"""

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop()

    previous = {signum: signal.signal(signum, handler) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def watch_children(demo: Demo, stop: Stopper, done: threading.Event) -> threading.Thread:
    """Stop the demo when a child dies on its own, saying which and why."""

    def watch() -> None:
        while not done.wait(1.0):
            for child in demo.children:
                if not child.running():
                    stop(f"{child.name} exited with {child.process.returncode}:\n{child.tail()}")
                    return

    thread = threading.Thread(target=watch, name="demo-watch", daemon=True)
    thread.start()
    return thread


def run_demo(options: DemoOptions, say: Callable[[str], None]) -> int:
    """Start everything, serve the console until Ctrl-C/SIGTERM, stop everything; the exit status."""
    stop = Stopper()
    with stop_on_signals(stop):
        try:
            folder, temporary = prepare_folder(options.data_dir)
        except DemoFailed as error:
            say(f"the demo could not start: {error}")
            return 1
        demo = Demo(options, folder, options.broker_port or free_port(), admin_password="")
        try:
            _run(demo, stop, say)
        except DemoFailed as error:
            say(f"the demo could not start: {error}")
            return 1
        except DemoStopped:
            pass
        finally:
            demo.stop()
            if temporary:
                shutil.rmtree(folder, ignore_errors=True)
            say("stopped: the console, the simulated kiosks and the broker")
    if stop.reason:
        say(f"stopped because {stop.reason}")
        return 1
    return 0


def start_fleet_services(
    demo: Demo, say: Callable[[str], None], check: Callable[[], None] = lambda: None, **settings: Any
) -> ConsoleSettings:
    """The broker, the repository, the command key, the administrator and the simulated fleet;
    the settings of a console that follows them (`settings` added: the tests' rollout times)."""
    from console.settings import ConsoleSettings

    options, folder = demo.options, demo.folder
    console_password = secrets.token_urlsafe(16)
    kiosk_password = secrets.token_urlsafe(16)
    broker_password = folder / "console-broker-password"
    broker_password.write_text(console_password + "\n")
    broker_password.chmod(0o600)
    start_broker(demo, kiosk_password, console_password)
    say(f"broker:     {demo.broker_url} (mosquitto; its log {folder / 'broker' / 'mosquitto.log'})")
    check()
    published = make_repository(demo)
    say(
        f"repository: {published.repository} (catalogue v{published.catalogue_version}, "
        f"{published.guides} guides; command key {published.command_key})"
    )
    if options.pace > 0:
        # The kiosks live `pace` times faster: so do the alerts' delays (10 and 15 minutes).
        defaults = ConsoleSettings()
        settings = {
            "alert_offline_minutes": defaults.alert_offline_minutes / options.pace,
            "alert_fault_minutes": defaults.alert_fault_minutes / options.pace,
            **settings,
        }
    console_settings = ConsoleSettings(
        data_dir=folder / "console",
        listen_host=options.host,
        listen_port=options.port,
        broker=demo.broker_url,
        broker_username=broker_config.CONSOLE_USER,
        broker_password_file=broker_password,
        command_key=published.command_key,
        repository=published.repository,
        **settings,
    )
    console_settings.data_dir.mkdir()
    demo.admin_password = create_admin(console_settings.database_url)
    check()
    start_fleet(demo, published, kiosk_password)
    say(f"fleet:      {options.kiosks} simulated kiosks (their log {folder / 'fleet.log'})")
    return console_settings


def _run(demo: Demo, stop: Stopper, say: Callable[[str], None]) -> None:
    import uvicorn

    from console.cli import server_config
    from console.db import Database
    from console.web.app import create_app

    settings = start_fleet_services(demo, say, stop.check)
    stop.check()
    db = Database(settings.database_url)
    server = uvicorn.Server(server_config(settings, create_app(settings, db=db)))
    stop.server = server
    done = threading.Event()
    watch_children(demo, stop, done)

    def announce() -> None:
        """Once the console listens (not before: a newcomer's first click must find it)."""
        while not server.started:
            if done.wait(0.05):
                return
        say(f"console:    {demo.console_url}")
        say(f"sign in as {ADMIN!r} with the password {demo.admin_password} (shown only now)")
        say("Ctrl-C stops everything.")

    threading.Thread(target=announce, name="demo-announce", daemon=True).start()
    try:
        stop.check()
        server.run()
        if not server.started and not stop.requested.is_set():
            raise DemoFailed(f"the console could not listen on {settings.listen_host}:{settings.listen_port}")
    finally:
        done.set()
        db.dispose()
