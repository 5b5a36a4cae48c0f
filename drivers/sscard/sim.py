"""An in-memory social security card reader: cards are inserted and removed by the demo or a test."""

from __future__ import annotations

from drivers.card_slot import SimCardReader
from kiosk.driver_api import DriverContext, SocialSecurityCard, SocialSecurityReaderSection


class SimSocialSecurityCardReader(SimCardReader[SocialSecurityCard]):
    """A reader whose slot is a `CardSlot`. Implements kiosk.ports.SocialSecurityCardReader."""

    def __init__(self, section: SocialSecurityReaderSection, context: DriverContext) -> None:
        super().__init__()
