"""An in-memory ID card reader: cards are placed and lifted by the demo, the tour or a test."""

from __future__ import annotations

from drivers.card_slot import CardSlot
from kiosk.devices import DriverContext
from kiosk.records import IdCard
from kiosk.settings.schema import IdReaderSection


class SimIdCardReader:
    """A reader whose antenna is a `CardSlot`. Implements kiosk.ports.IdCardReader."""

    def __init__(self, section: IdReaderSection, context: DriverContext) -> None:
        self.slot: CardSlot[IdCard] = CardSlot()

    def read_card(self, timeout: float) -> IdCard | None:
        """The placed card, once per placement; None when none comes within `timeout`."""
        return self.slot.take_unread(timeout)

    def card_present(self) -> bool:
        """Whether a card lies on the reader."""
        return self.slot.present()

    def close(self) -> None:
        """Nothing to release."""
