"""Setting up printing on a kiosk: the CUPS queues there are, and a queue for a local USB printer."""

from __future__ import annotations

import functools
import logging
from typing import Any

import cups

from drivers.printer.cups_printer import connect
from drivers.printer.settings import CupsPrinterSettings
from kiosk.driver_api import Candidate, DeviceError

log = logging.getLogger(__name__)

#: Device URI schemes of printers attached to the kiosk itself. cups-pdf (a virtual PDF printer)
#: is one too: it stands in for a USB printer on a bench without one.
LOCAL_SCHEMES = ("usb", "cups-pdf")
#: cups-filters' generic PDF driver: a USB printer without a driverless (IPP) interface gets it.
GENERIC_PPD = "lsb/usr/cupsfilters/Generic-PDF_Printer-PDF.ppd"
#: The queue name a new printer gets when it is free (the `auto` driver prints on "kiosk" too).
QUEUE_NAME = "kiosk"
#: Seconds cupsd's backends may look for devices (usb answers at once; snmp or dnssd are not asked).
DISCOVERY_SECONDS = 10


def cups_candidates(section: CupsPrinterSettings) -> list[Candidate]:
    """The queues cupsd at devices.printer.server has, then local printers that have no queue yet."""
    connection = connect(section.server)
    try:
        queues: dict[str, dict[str, Any]] = connection.getPrinters()
        devices: dict[str, dict[str, Any]] = connection.getDevices(
            timeout=DISCOVERY_SECONDS, include_schemes=list(LOCAL_SCHEMES)
        )
    except (cups.IPPError, cups.HTTPError) as error:
        raise DeviceError(f"printer: cupsd at {_where(section)} refused to list printers: {error}") from error
    candidates = [
        Candidate(
            name,
            f"CUPS queue {name!r}: {queue.get('printer-info') or name} ({queue['device-uri']})",
            device=queue["device-uri"],
        )
        for name, queue in sorted(queues.items())
    ]
    queued = {queue["device-uri"] for queue in queues.values()}
    name = free_queue_name(set(queues))
    for uri, device in sorted(devices.items()):
        if uri in queued:
            continue
        model = device.get("device-make-and-model") or device.get("device-info") or uri
        prepare = functools.partial(add_queue, section.server, uri=uri, info=model)
        candidates.append(Candidate(name, f"new CUPS queue {name!r} for {model} ({uri})", uri, prepare))
    return candidates


def free_queue_name(taken: set[str]) -> str:
    """ "kiosk", or "kiosk-2", "kiosk-3"... when that is taken."""
    if QUEUE_NAME not in taken:
        return QUEUE_NAME
    return next(f"{QUEUE_NAME}-{n}" for n in range(2, len(taken) + 3) if f"{QUEUE_NAME}-{n}" not in taken)


def ppd_for(uri: str) -> str:
    """A driverless PPD for a printer that speaks IPP (IPP-over-USB included), else the generic one."""
    if uri.startswith(("ipp://", "ipps://")):
        return f"driverless:{uri}"
    return GENERIC_PPD


def add_queue(server: str, name: str, *, uri: str, info: str = "") -> str:
    """Add an enabled, accepting queue `name` for the device at `uri` (lpadmin -p NAME -E -v URI -m PPD)."""
    connection = connect(server)
    try:
        connection.addPrinter(name, device=uri, ppdname=ppd_for(uri), info=info or name)
        connection.enablePrinter(name)
        connection.acceptJobs(name)
    except (cups.IPPError, cups.HTTPError) as error:
        where = server or "the system's cupsd"
        raise DeviceError(
            f"printer: adding CUPS queue {name!r} for {uri} on {where} failed: {error}"
        ) from error
    log.info("printer: CUPS queue %r added for %s (%s)", name, uri, ppd_for(uri))
    return name


def _where(section: CupsPrinterSettings) -> str:
    return section.server or "the system's cupsd"
