"""The PC/SC social security card reader's settings: `[devices.sscard_reader]`, `driver = "pcsc"`."""

from __future__ import annotations

from kiosk.driver_api import SocialSecurityReaderSection


class PcscReaderSettings(SocialSecurityReaderSection):
    """Which PC/SC reader to use."""

    #: The reader's name as pcscd gives it; empty: the first reader pcscd offers.
    reader: str
