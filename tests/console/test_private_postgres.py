"""The private PostgreSQL the console's tests run on: a failure says why, and a stop leaves nothing."""

from __future__ import annotations

import os

import pytest

from tests.daemons import DaemonFailed
from tests.postgres import PrivatePostgres


def test_a_server_that_cannot_start_says_why_with_its_logs_tail(postgres: PrivatePostgres) -> None:
    second = PrivatePostgres()
    second.port = postgres.port  # taken: the second server cannot listen there
    second.daemon.timeout = 10
    with pytest.raises(DaemonFailed) as failed:
        second.__enter__()
    assert "postgres exited with" in str(failed.value)
    assert "could not" in str(failed.value)  # "could not bind ... Address already in use"
    assert not second.root.exists()


def test_a_stopped_server_leaves_no_process_and_no_folder() -> None:
    server = PrivatePostgres().start()
    pid, root = server.pid, server.root
    url = server.create_database("left_behind")
    assert url.endswith("/left_behind")
    server.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not root.exists()
    with pytest.raises(DaemonFailed, match="postgres is not running"):
        server.execute("SELECT 1")
