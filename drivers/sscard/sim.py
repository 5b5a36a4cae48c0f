"""An in-memory social security card reader: cards are inserted and removed by the demo or a test."""

from __future__ import annotations

from drivers.card_slot import CardSlot
from kiosk.devices import DriverContext
from kiosk.records import SocialSecurityCard
from kiosk.settings.schema import SocialSecurityReaderSection


class SimSocialSecurityCardReader:
    """A reader whose slot is a `CardSlot`. Implements kiosk.ports.SocialSecurityCardReader."""

    def __init__(self, section: SocialSecurityReaderSection, context: DriverContext) -> None:
        self.slot: CardSlot[SocialSecurityCard] = CardSlot()

    def read_card(self, timeout: float) -> SocialSecurityCard | None:
        """The inserted card, once per insertion; None when none comes within `timeout`."""
        return self.slot.take_unread(timeout)

    def card_present(self) -> bool:
        """Whether a card is inserted."""
        return self.slot.present()

    def close(self) -> None:
        """Nothing to release."""
