"""Printing for a developer's `make run`: the local CUPS queue when there is one, else the simulator."""

from __future__ import annotations

import logging

from drivers.printer.cups_printer import CupsPrinter
from drivers.printer.settings import CupsPrinterSettings
from drivers.printer.sim import SimPrinter
from kiosk.driver_api import DeviceError, DriverContext, Printer

log = logging.getLogger(__name__)

#: The queue looked for when devices.printer.queue is empty: one made on purpose for the kiosk,
#: so that a laptop's own printer is never used by surprise.
KIOSK_QUEUE = "kiosk"


def auto_printer(section: CupsPrinterSettings, context: DriverContext) -> Printer:
    """The CUPS queue (devices.printer.queue, else "kiosk") if cupsd has it, else the simulated printer.

    Chosen once, at start. An appliance names `driver = "cups"` instead: there a cupsd that is
    late at boot must give a printer error, not a silent switch to the simulator.
    """
    queue = section.queue or KIOSK_QUEUE
    printer = CupsPrinter(section.model_copy(update={"driver": "cups", "queue": queue}), context)
    try:
        printer.status()
    except DeviceError as error:
        log.info("printer: no CUPS queue to use (%s); printing to the simulator", error)
        return SimPrinter(section, context)
    log.info("printer: printing on %s", printer)
    return printer
