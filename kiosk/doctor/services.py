"""Checks of the daemons devices depend on: cupsd for a CUPS printer, pcscd for a PC/SC reader."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from pathlib import Path

from kiosk.doctor.check import Check, Status

#: Where the local cupsd and pcscd listen when nothing else is said (Debian's builds).
CUPS_SOCKET = "/run/cups/cups.sock"
PCSCD_SOCKET = "/run/pcscd/pcscd.comm"
#: CUPS' port when a server is named without one.
IPP_PORT = 631
_CONNECT_TIMEOUT = 3.0


def check_cups(server: str, environ: Mapping[str, str]) -> Check:
    """cupsd accepts connections at devices.printer.server (else CUPS_SERVER, else its socket)."""
    where = server or environ.get("CUPS_SERVER", "") or CUPS_SOCKET
    problem = _connect(where, IPP_PORT)
    if problem:
        return Check("cups", Status.FAIL, True, f"cupsd at {where}: {problem}; is the cups service running?")
    return Check("cups", Status.OK, True, f"cupsd at {where} accepts connections")


def check_pcscd(environ: Mapping[str, str]) -> Check:
    """pcscd accepts connections on its socket (PCSCLITE_CSOCK_NAME, else Debian's path)."""
    where = environ.get("PCSCLITE_CSOCK_NAME", "") or PCSCD_SOCKET
    problem = _connect(where, 0)
    if problem:
        return Check(
            "pcscd", Status.FAIL, True, f"pcscd at {where}: {problem}; is the pcscd service running?"
        )
    return Check("pcscd", Status.OK, True, f"pcscd at {where} accepts connections")


def _connect(where: str, default_port: int) -> str:
    """Empty when a connection to `where` (a socket path, or host[:port]) opens; else the cause."""
    try:
        if where.startswith("/"):
            if not Path(where).exists():
                return "no such socket"
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as unix:
                unix.settimeout(_CONNECT_TIMEOUT)
                unix.connect(where)
        else:
            host, _, port = where.rpartition(":") if ":" in where else (where, "", str(default_port))
            with socket.create_connection((host, int(port)), timeout=_CONNECT_TIMEOUT):
                pass
    except (OSError, ValueError) as error:
        return os.strerror(error.errno) if isinstance(error, OSError) and error.errno else str(error)
    return ""
