"""A private Mosquitto for tests and benchmarks: its own config, port and log, stopped by PID.

with PrivateMosquitto(tmp_path) as broker:
    ... KIOSK__FLEET__BROKER=broker.url ...

Anonymous by default. `secured=True` runs it as scripts/install-broker configures the fleet's
broker: no anonymous clients, a password file, and the fleet's ACL (kiosk/fleet/broker_config.py);
`add_account(name)` gives a user a password. `include_dir=DIR` runs it on a configuration directory
that install-broker wrote (its listener on `port`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType

from kiosk.fleet import broker_config
from tests.daemons import Daemon, free_port, port_open, require_executable

_CONF = """\
# A private broker on loopback: nothing kept on disk, every message in its log.
persistence false
pid_file {pid}
log_dest file {log}
log_type all
connection_messages true
# Started as root by the test run: stay root rather than switch to the mosquitto account, which
# could not write this directory.
user root
"""
_ANONYMOUS = """\
per_listener_settings false
listener {port} 127.0.0.1
allow_anonymous true
"""


class PrivateMosquitto:
    """One mosquitto process on a free loopback port."""

    def __init__(
        self,
        directory: Path,
        *,
        extra_conf: str = "",
        secured: bool = False,
        include_dir: Path | None = None,
        port: int | None = None,
    ) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.secured = secured or include_dir is not None
        self.conf = directory / "mosquitto.conf"
        self.broker_log = directory / "mosquitto.log"
        self.pid_file = directory / "mosquitto.pid"
        self.password_file = directory / broker_config.PASSWORD_NAME
        base = _CONF.format(pid=self.pid_file, log=self.broker_log)
        if include_dir is not None:
            body = f"include_dir {include_dir}\n"
            self.password_file = include_dir.parent / broker_config.PASSWORD_NAME
        elif secured:
            (directory / broker_config.ACL_NAME).write_text(broker_config.acl_text())
            self.password_file.write_text("")
            body = broker_config.conf_text(
                str(directory), broker_config.listeners("127.0.0.1", port=self.port)
            )
        else:
            body = _ANONYMOUS.format(port=self.port)
        self.conf.write_text(base + body + extra_conf)
        self.passwords: dict[str, str] = {}
        binary = require_executable("/usr/sbin/mosquitto")
        self.daemon = Daemon(
            "mosquitto",
            [binary, "-c", str(self.conf)],
            ready=port_open(self.port),
            log=directory / "stdout.log",
            own_logs=[self.broker_log],
        )

    def add_account(self, user: str) -> str:
        """A user with a new password (mosquitto_passwd), reloaded when the broker runs; its password."""
        assert self.secured, "an anonymous broker has no accounts"
        password = f"pw-{user}-{os.urandom(6).hex()}"
        subprocess.run(
            [require_executable("/usr/bin/mosquitto_passwd"), "-b", str(self.password_file), user, password],
            check=True,
            capture_output=True,
        )
        self.passwords[user] = password
        if (
            self.secured
            and broker_config.is_console_user(user)
            and (self.directory / broker_config.ACL_NAME).exists()
        ):
            # As install-broker does: every administrators' account has its block in the ACL.
            consoles = [name for name in self.passwords if broker_config.is_console_user(name)]
            (self.directory / broker_config.ACL_NAME).write_text(broker_config.acl_text(consoles))
        self.reload()
        return password

    def reload(self) -> None:
        """SIGHUP: mosquitto rereads its password file and ACL (when it runs)."""
        if self.daemon.process is not None and self.daemon.process.poll() is None:
            mark = self.broker_log.stat().st_size if self.broker_log.exists() else 0
            os.kill(self.pid, signal.SIGHUP)
            deadline = time.monotonic() + 5
            while b"Reloading config" not in self.broker_log.read_bytes()[mark:]:
                assert time.monotonic() < deadline, f"mosquitto did not reload:\n{self.tail()}"
                time.sleep(0.02)

    @property
    def url(self) -> str:
        """The broker as `fleet.broker` names it."""
        return f"mqtt://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.daemon.pid

    def start(self) -> PrivateMosquitto:
        self.daemon.start()
        return self

    def stop(self) -> None:
        self.daemon.stop()

    def tail(self) -> str:
        """The end of its output and its log, for a failure's message."""
        return self.daemon.tail()

    def __enter__(self) -> PrivateMosquitto:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
