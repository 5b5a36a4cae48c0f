"""An in-memory ID card reader: cards are placed and lifted by the demo, the tour or a test."""

from __future__ import annotations

from drivers.card_slot import SimCardReader
from kiosk.driver_api import DriverContext, IdCard, IdReaderSection


class SimIdCardReader(SimCardReader[IdCard]):
    """A reader whose antenna is a `CardSlot`. Implements kiosk.ports.IdCardReader."""

    def __init__(self, section: IdReaderSection, context: DriverContext) -> None:
        super().__init__()
