"""Fixtures for social security card tests: a real pcscd with vpcd on private ports, and virtual cards.

pcscd itself always serves /run/pcscd/pcscd.comm (its socket path is compiled in; only clients read
PCSCLITE_CSOCK_NAME), but its reader configuration is private: a reader.conf.d under tmp puts the
vpcd reader on a free port, so the test never touches a system reader.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from smartcard import scard

from tests.daemons import Daemon, free_port, require_executable

DEMO_SSCARD = Path(__file__).parents[1] / "config" / "demo" / "cards" / "sscard.json"
VPCD_DRIVER = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
PCSCD_LOCK = Path("/run/pcscd/kiosk-tests.lock")


@pytest.fixture(scope="module")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    """pcscd in the foreground with one vpcd reader ("Virtual PCD 00 00") on a free TCP port.

    Per test module, so that the machine-wide lock below is held only while PC/SC tests run."""
    executable = require_executable("/usr/sbin/pcscd")
    if not Path(VPCD_DRIVER).exists():
        pytest.fail(
            f"{VPCD_DRIVER} is missing: scripts/install-deps installs vsmartcard-vpcd (run make test)"
        )
    home = tmp_path_factory.mktemp("pcscd")
    port = free_port()
    conf = home / "reader.conf.d"
    conf.mkdir()
    (conf / "vpcd").write_text(
        f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x{port:04X}\n'
        f"LIBPATH {VPCD_DRIVER}\nCHANNELID 0x{port:04X}\n"
    )
    Path("/run/pcscd").mkdir(parents=True, exist_ok=True)
    daemon = Daemon("pcscd", [executable, "--foreground", "-c", str(conf)], vpcd_listed, home / "pcscd.log")
    daemon.vpcd_port = port  # type: ignore[attr-defined]
    # One pcscd per machine (the socket path is compiled in): a second test run on this machine
    # waits here for the first to finish instead of failing against the other run's daemon.
    with PCSCD_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with daemon:
            yield daemon


def vpcd_listed() -> bool:
    """Readiness: pcscd answers and lists the vpcd reader. (Probing vpcd's TCP port instead would
    look like a card to vpcd, inserted and pulled out, and disturb the next real insertion.)"""
    result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if result != scard.SCARD_S_SUCCESS:
        return False
    try:
        result, readers = scard.SCardListReaders(context, [])
        return result == scard.SCARD_S_SUCCESS and any(r.startswith("Virtual PCD") for r in readers)
    finally:
        scard.SCardReleaseContext(context)


def card_in_reader(reader: str = "Virtual PCD 00 00") -> bool:
    """Whether pcscd reports a card in the vpcd reader now (False when pcscd is not running)."""
    result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if result != scard.SCARD_S_SUCCESS:
        return False
    try:
        result, states = scard.SCardGetStatusChange(context, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
        return result == scard.SCARD_S_SUCCESS and bool(states[0][1] & scard.SCARD_STATE_PRESENT)
    finally:
        scard.SCardReleaseContext(context)


class VirtualCards:
    """Inserts virtual cards (a `kiosk sim sscard` process each) and removes them (ends the process)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inserted: list[subprocess.Popen[str]] = []

    def insert(self, *options: str, card: Path = DEMO_SSCARD) -> subprocess.Popen[str]:
        kiosk = str(Path(sys.executable).parent / "kiosk")
        process = subprocess.Popen(
            [kiosk, "sim", "sscard", "--card", str(card), "--port", str(self.port), *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.inserted.append(process)
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "card inserted" in line, f"the virtual card did not connect to vpcd: {line!r}"
        return process

    def remove(self, process: subprocess.Popen[str]) -> None:
        """Pull the card out and wait until pcscd has seen it go, as a resident's hand would take."""
        process.terminate()
        process.wait(timeout=5)
        deadline = time.monotonic() + 5
        while card_in_reader() and time.monotonic() < deadline:
            time.sleep(0.05)

    def remove_all(self) -> None:
        for process in self.inserted:
            if process.poll() is None:
                self.remove(process)


@pytest.fixture
def virtual_cards(pcscd: Daemon) -> Iterator[VirtualCards]:
    """Insert and remove virtual cards in the vpcd reader; every card is removed after the test."""
    cards = VirtualCards(pcscd.vpcd_port)  # type: ignore[attr-defined]
    yield cards
    cards.remove_all()
