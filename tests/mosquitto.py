"""A private Mosquitto for tests and benchmarks: its own config, port and log, stopped by PID.

with PrivateMosquitto(tmp_path) as broker:
    ... KIOSK__FLEET__BROKER=broker.url ...
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from tests.daemons import Daemon, free_port, port_open, require_executable

_CONF = """\
# A private broker on loopback: nothing kept on disk, every message in its log.
per_listener_settings false
listener {port} 127.0.0.1
allow_anonymous true
persistence false
log_dest file {log}
log_type all
connection_messages true
# Started as root by the test run: stay root rather than switch to the mosquitto account, which
# could not write this directory.
user root
"""


class PrivateMosquitto:
    """One mosquitto process on a free loopback port."""

    def __init__(self, directory: Path, *, extra_conf: str = "") -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.conf = directory / "mosquitto.conf"
        self.broker_log = directory / "mosquitto.log"
        self.conf.write_text(_CONF.format(port=self.port, log=self.broker_log) + extra_conf)
        binary = require_executable("/usr/sbin/mosquitto")
        self.daemon = Daemon(
            "mosquitto",
            [binary, "-c", str(self.conf)],
            ready=port_open(self.port),
            log=directory / "stdout.log",
            own_logs=[self.broker_log],
        )

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
