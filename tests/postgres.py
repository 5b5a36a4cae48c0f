"""A private PostgreSQL for tests and benchmarks: Debian's server, its own cluster, port and log.

with PrivatePostgres() as server:
    url = server.create_database("t1")      # postgresql+psycopg://postgres@127.0.0.1:PORT/t1
    ...
    server.drop_database("t1")

The cluster is made with initdb in a folder under /tmp (never /var/lib/postgresql), listens on a
free loopback port and on a unix socket in that folder, trusts loopback connections (it is a test
server: nothing on it is worth a password), and is stopped by its PID. Debian's postgres refuses to
run as root, so when the tests run as root (make test on a fresh machine) the cluster belongs to the
`postgres` account (the postgresql package creates it) and initdb and postgres run as that account;
run as anyone else, they run as that user. It trades durability for speed (fsync off): a crash of
the machine loses it, which a test run does not mind.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

from tests.daemons import Daemon, DaemonFailed, free_port, require_executable

#: Debian 12's PostgreSQL (the `postgresql` package of scripts/install-deps).
BIN = Path("/usr/lib/postgresql/15/bin")
#: The account the server runs as when the tests run as root.
SERVER_ACCOUNT = "postgres"
#: The superuser of the private cluster (initdb -U): the tests connect as it.
SUPERUSER = "postgres"
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

_CONF = """\
# A private test server (tests/postgres.py): loopback only, fast rather than durable.
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{socket_dir}'
max_connections = 200
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
log_min_messages = warning
log_line_prefix = '%m [%p] '
"""


class PrivatePostgres:
    """One postgres process on its own cluster in a temporary folder."""

    def __init__(self) -> None:
        self.initdb = require_executable(str(BIN / "initdb"))
        self.postgres = require_executable(str(BIN / "postgres"))
        self.root = Path(tempfile.mkdtemp(prefix="kiosk-postgres-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.server_log = self.root / "postgres.log"
        self.port = free_port()
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            # postgres will not run as root: the folder and the server belong to the postgres account.
            try:
                account = pwd.getpwnam(SERVER_ACCOUNT)
            except KeyError as error:
                raise DaemonFailed(
                    f"tests run as root and there is no {SERVER_ACCOUNT!r} account to run PostgreSQL "
                    "as: scripts/install-deps installs the postgresql package, which creates it"
                ) from error
            setpriv = require_executable("/usr/bin/setpriv")
            self._as_user = [
                setpriv,
                f"--reuid={account.pw_uid}",
                f"--regid={account.pw_gid}",
                "--init-groups",
            ]
            self.root.chmod(0o755)  # the postgres account must reach its files; nothing here is secret
            self.socket_dir.mkdir()
            for path in (self.root, self.socket_dir):
                os.chown(path, account.pw_uid, account.pw_gid)
        else:
            self.socket_dir.mkdir()
        self.daemon = Daemon(
            "postgres",
            [*self._as_user, self.postgres, "-D", str(self.data)],
            ready=self._ready,
            log=self.server_log,
            timeout=30.0,
        )

    def _run_as_server(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self._as_user, *argv], capture_output=True, text=True, check=False, cwd=self.root
        )

    def _ready(self) -> bool:
        """The postmaster writes "ready" into its pid file once it accepts connections."""
        try:
            lines = (self.data / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        return len(lines) >= 8 and lines[7].strip() == "ready"

    @property
    def pid(self) -> int:
        return self.daemon.pid

    def start(self) -> PrivatePostgres:
        made = self._run_as_server(
            [
                self.initdb,
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        )
        if made.returncode != 0:
            raise DaemonFailed(
                f"initdb exited with {made.returncode}:\n{_last_lines(made.stdout + made.stderr)}"
            )
        # initdb made the folder as the server's account; this file is the test's own settings.
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(_CONF.format(port=self.port, socket_dir=self.socket_dir))
        self.daemon.start()
        return self

    def stop(self) -> None:
        """Stop the server by its PID and remove its folder: SIGINT (a fast shutdown: clients are
        disconnected, which SIGTERM's smart shutdown would wait for), then the group's TERM and KILL."""
        process = self.daemon.process
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        self.daemon.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def tail(self) -> str:
        """The end of the server's log, for a failure's message."""
        return self.daemon.tail()

    def check_alive(self) -> None:
        """Raise DaemonFailed with its log's tail when the server has died."""
        process = self.daemon.process
        if process is None or process.poll() is not None:
            code = None if process is None else process.returncode
            raise DaemonFailed(f"postgres is not running (exit {code}):\n{self.tail()}")

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of `database` on this server (psycopg 3)."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def execute(self, *statements: str) -> None:
        """Run statements in autocommit (CREATE/DROP DATABASE cannot run in a transaction)."""
        import psycopg

        self.check_alive()
        try:
            with psycopg.connect(
                host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
            ) as connection:
                for statement in statements:
                    connection.execute(statement)  # names checked by _name
        except psycopg.OperationalError as error:
            raise DaemonFailed(f"postgres did not answer: {error}\n{self.tail()}") from error

    def create_database(self, name: str, template: str = "template1") -> str:
        """A new database, a copy of `template`; its URL. FILE_COPY: with fsync off its checkpoint
        costs nothing, and a small database is copied in ~25 ms (WAL_LOG, the default, takes ~75)."""
        self.execute(f"CREATE DATABASE {_name(name)} TEMPLATE {_name(template)} STRATEGY FILE_COPY")
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f"DROP DATABASE IF EXISTS {_name(name)} WITH (FORCE)")

    def __enter__(self) -> PrivatePostgres:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def _name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a plain database name")
    return name


def _last_lines(text: str, lines: int = 20) -> str:
    return "\n".join(text.splitlines()[-lines:])
