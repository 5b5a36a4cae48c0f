"""The social security card reader through PC/SC (pcscd + pyscard): insertion, removal, the SSSE records."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from smartcard import scard

from drivers.sscard import layout
from drivers.sscard.settings import PcscReaderSettings
from kiosk.driver_api import Candidate, CardUnreadable, DeviceUnavailable, DriverContext, SocialSecurityCard

log = logging.getLogger(__name__)

#: pcscd went away (stopped, restarted): the context must be established again.
_SERVICE_GONE = {
    scard.SCARD_E_NO_SERVICE,
    scard.SCARD_E_SERVICE_STOPPED,
    scard.SCARD_E_INVALID_HANDLE,
    scard.SCARD_E_NO_READERS_AVAILABLE,
}
#: The reader went away or the card left while we talked to it.
_READER_GONE = {scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE}
_CARD_GONE = {scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD}
#: Longest single wait on pcscd, so a removed reader or a closed driver is noticed soon.
_WAIT_SLICE = 0.5


def _message(code: int) -> str:
    return f"{scard.SCardGetErrorMessage(code).strip()} (0x{code & 0xFFFFFFFF:08X})"


class PcscSocialSecurityCardReader:
    """A PC/SC reader with social security cards. Implements kiosk.ports.SocialSecurityCardReader.

    Insertion and removal are watched with SCardGetStatusChange; a card is read once per insertion.
    When pcscd restarts or the reader is unplugged, calls raise DeviceUnavailable and the next call
    connects again, so the reader comes back without restarting the kiosk.
    """

    def __init__(self, section: PcscReaderSettings, context: DriverContext | None = None) -> None:
        self.wanted_reader = section.reader
        self._context: Any = None
        self._lock = threading.Lock()
        self._awaiting_removal = False

    # -- pcscd and the reader ------------------------------------------------------------------

    def _establish(self) -> Any:
        if self._context is None:
            result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if result != scard.SCARD_S_SUCCESS:
                raise DeviceUnavailable(
                    f"social security card reader: PC/SC service (pcscd) unreachable: {_message(result)}"
                )
            self._context = context
        return self._context

    def _release(self) -> None:
        if self._context is not None:
            scard.SCardReleaseContext(self._context)
            self._context = None

    def _reader(self) -> str:
        context = self._establish()
        result, readers = scard.SCardListReaders(context, [])
        if result in {scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED, scard.SCARD_E_INVALID_HANDLE}:
            self._release()
            raise DeviceUnavailable(
                f"social security card reader: PC/SC service (pcscd) unreachable: {_message(result)}"
            )
        if result == scard.SCARD_E_NO_READERS_AVAILABLE:
            self._release()
            raise DeviceUnavailable(
                f"social security card reader: no PC/SC reader connected: {_message(result)}"
            )
        if result != scard.SCARD_S_SUCCESS:
            self._release()
            raise DeviceUnavailable(
                f"social security card reader: listing PC/SC readers failed: {_message(result)}"
            )
        if not self.wanted_reader:
            return str(readers[0])
        if self.wanted_reader in readers:
            return self.wanted_reader
        raise DeviceUnavailable(
            f"social security card reader {self.wanted_reader!r} is not connected "
            f"(PC/SC readers: {', '.join(readers)})"
        )

    def _state(self, reader: str, known: int, seconds: float) -> int:
        """The reader's state flags once they differ from `known`, or after `seconds`."""
        result, states = scard.SCardGetStatusChange(self._establish(), int(seconds * 1000), [(reader, known)])
        if result == scard.SCARD_E_TIMEOUT:
            return known
        if result != scard.SCARD_S_SUCCESS:
            self._release()
            raise DeviceUnavailable(f"social security card reader {reader!r}: lost: {_message(result)}")
        flags = int(states[0][1])
        return flags & ~int(scard.SCARD_STATE_CHANGED)

    # -- the port protocol (kiosk.ports.SocialSecurityCardReader) ------------------------------

    def card_present(self) -> bool:
        """Whether a card is inserted now; an empty slot re-arms the next read."""
        with self._lock:
            reader = self._reader()
            present = bool(self._state(reader, scard.SCARD_STATE_UNAWARE, 0) & scard.SCARD_STATE_PRESENT)
            if not present:
                self._awaiting_removal = False
            return present

    def read_card(self, timeout: float) -> SocialSecurityCard | None:
        """Wait up to `timeout` seconds for a card inserted after the last read, and read it."""
        deadline = time.monotonic() + timeout
        with self._lock:
            reader = self._reader()
            state = self._state(reader, scard.SCARD_STATE_UNAWARE, 0)
            while True:
                present = bool(state & scard.SCARD_STATE_PRESENT)
                if not present:
                    self._awaiting_removal = False
                elif not self._awaiting_removal:
                    card = self._read(reader)
                    self._awaiting_removal = True
                    return card
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                state = self._state(reader, state, min(remaining, _WAIT_SLICE))

    def _read(self, reader: str) -> SocialSecurityCard:
        context = self._establish()
        result, card, protocol = scard.SCardConnect(
            context, reader, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        )
        if result in _CARD_GONE:
            raise CardUnreadable(f"social security card reader {reader!r}: the card left before it was read")
        if result != scard.SCARD_S_SUCCESS:
            self._awaiting_removal = True  # an unreadable card stays unreadable until it is changed
            raise CardUnreadable(
                f"social security card reader {reader!r}: cannot connect to the card: {_message(result)}"
            )

        def transmit(apdu: bytes) -> tuple[bytes, int]:
            code, response = scard.SCardTransmit(card, protocol, list(apdu))
            if code != scard.SCARD_S_SUCCESS:
                raise _TransmitFailed(code)
            if len(response) < 2:
                raise _TransmitFailed(scard.SCARD_F_COMM_ERROR)
            return bytes(response[:-2]), (response[-2] << 8) | response[-1]

        try:
            return layout.read_card(transmit)
        except (layout.CardError, layout.MalformedElement) as error:
            self._awaiting_removal = True
            raise CardUnreadable(f"social security card reader {reader!r}: {error}") from error
        except _TransmitFailed as error:
            if error.code in _SERVICE_GONE or error.code in _READER_GONE:
                self._release()
                raise DeviceUnavailable(
                    f"social security card reader {reader!r}: lost: {_message(error.code)}"
                ) from error
            raise CardUnreadable(
                f"social security card reader {reader!r}: the card stopped answering (removed?): "
                f"{_message(error.code)}"
            ) from error
        finally:
            scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)

    def close(self) -> None:
        """Release the PC/SC context."""
        with self._lock:
            self._release()


class _TransmitFailed(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(_message(code))
        self.code = code


def pcsc_reader_candidates(section: PcscReaderSettings) -> list[Candidate]:
    """The readers pcscd offers now; pcscd unreachable is a DeviceUnavailable naming it."""
    result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if result != scard.SCARD_S_SUCCESS:
        raise DeviceUnavailable(
            f"social security card reader: PC/SC service (pcscd) unreachable: {_message(result)}"
        )
    try:
        result, readers = scard.SCardListReaders(context, [])
    finally:
        scard.SCardReleaseContext(context)
    if result == scard.SCARD_E_NO_READERS_AVAILABLE:
        return []
    if result != scard.SCARD_S_SUCCESS:
        raise DeviceUnavailable(
            f"social security card reader: listing PC/SC readers failed: {_message(result)}"
        )
    return [Candidate(str(reader), f"PC/SC reader {reader!r}") for reader in readers]
