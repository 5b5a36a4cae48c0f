"""The CUPS printer's settings: `[devices.printer]` with `driver = "cups"` or `"auto"`."""

from __future__ import annotations

from kiosk.driver_api import PrinterSection


class CupsPrinterSettings(PrinterSection):
    """Which CUPS queue prints, on which cupsd."""

    #: The queue as `lpstat -p` names it ("auto": empty means "kiosk").
    queue: str
    #: "host:port" or a socket path; empty: the system's (CUPS_SERVER, else /run/cups/cups.sock).
    server: str
