"""Identifying residents by card: watches both readers on worker threads and tells the session.

A card placed (or inserted) while a resident uses the kiosk is read once and identifies them; the
moment it is lifted (or pulled out), the identified part of the session ends. A reader that goes
away (unplugged, pcscd restarted) is reported once and tried again until it answers.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Literal

from kiosk.bus import EventBus
from kiosk.events import Event
from kiosk.i18n import N_
from kiosk.ports import CardUnreadable, DeviceUnavailable, IdCardReader, SocialSecurityCardReader
from kiosk.records import IdCard, SocialSecurityCard
from kiosk.session import ResidentSession, SessionError

log = logging.getLogger(__name__)

Method = Literal["id_card", "sscard"]
#: The device name (as in settings and device events) of the reader for each method.
DEVICES: dict[Method, str] = {"id_card": "id_reader", "sscard": "sscard_reader"}

#: What the resident is told when a card could not be read, by method.
READ_FAILED: dict[Method, str] = {
    "id_card": N_("Your ID card could not be read. Lift it, then place it flat on the reader again."),
    "sscard": N_("Your social security card could not be read. Take it out and insert it again, chip first."),
}


@dataclass(frozen=True)
class ReaderWatch:
    """How often readers are asked, in seconds."""

    #: Between two presence checks: a lifted card ends the identified part within this time.
    poll: float = 0.3
    #: How long a read may take once a card is there.
    read: float = 3.0
    #: Between two attempts to reach a reader that went away.
    retry: float = 2.0


class IdentityService:
    """Polls the ID card and social security card readers, each on its own worker thread."""

    def __init__(
        self,
        id_reader: IdCardReader,
        sscard_reader: SocialSecurityCardReader,
        session: ResidentSession,
        bus: EventBus,
        watch: ReaderWatch | None = None,
    ) -> None:
        self._readers: dict[Method, IdCardReader | SocialSecurityCardReader] = {
            "id_card": id_reader,
            "sscard": sscard_reader,
        }
        self._session = session
        self._bus = bus
        self.watch = watch or ReaderWatch()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._unavailable: set[Method] = set()

    def start(self) -> None:
        """Start watching both readers."""
        self._stop.clear()
        for method in self._readers:
            thread = threading.Thread(
                target=self._watch, args=(method,), name=f"identity-{method}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop watching; returns when the worker threads have finished their current call."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self.watch.read + 2)
        self._threads.clear()

    def unavailable(self) -> set[Method]:
        """The ways of identifying that do not work now."""
        return set(self._unavailable)

    # -- the worker ----------------------------------------------------------------------------

    def _watch(self, method: Method) -> None:
        reader = self._readers[method]
        was_present = False
        while not self._stop.is_set():
            try:
                present = reader.card_present()
                self._available(method)
                if present and not was_present and self._session.active:
                    self._read(method, reader)
                elif not present and was_present:
                    self._removed(method, "card_removed")
                # A card lying there while nobody uses the kiosk is read when a session starts.
                was_present = present and (self._session.active or was_present)
            except CardUnreadable as error:
                log.warning("%s: %s", DEVICES[method], error)
                self._bus.publish(
                    Event.IDENTITY_READ_FAILED, method=method, resident_message=READ_FAILED[method]
                )
                was_present = True  # the card must be taken away before it is tried again
            except DeviceUnavailable as error:
                self._lost(method, str(error))
                was_present = False
                self._stop.wait(self.watch.retry)
                continue
            self._stop.wait(self.watch.poll)

    def _read(self, method: Method, reader: IdCardReader | SocialSecurityCardReader) -> None:
        self._bus.publish(Event.IDENTITY_READING, method=method)
        card = reader.read_card(self.watch.read)
        if card is None:
            # The card left between being seen and being read: the resident places it again.
            self._bus.publish(Event.IDENTITY_READ_FAILED, method=method, resident_message=READ_FAILED[method])
            return
        try:
            self._session.identify(card)
        except SessionError:
            log.info("%s: a card was read as the session ended; dropped", DEVICES[method])

    def _removed(self, method: Method, reason: str) -> None:
        identity = self._session.identity
        kind = IdCard if method == "id_card" else SocialSecurityCard
        if isinstance(identity, kind):
            self._session.drop_identity(reason)

    def _available(self, method: Method) -> None:
        if method in self._unavailable:
            self._unavailable.discard(method)
            log.info("%s is back", DEVICES[method])
            self._bus.publish(Event.DEVICE_AVAILABLE, device=DEVICES[method])

    def _lost(self, method: Method, reason: str) -> None:
        self._removed(method, "reader_lost")
        if method not in self._unavailable:
            self._unavailable.add(method)
            log.error("%s unavailable: %s", DEVICES[method], reason)
            self._bus.publish(Event.DEVICE_UNAVAILABLE, device=DEVICES[method], reason=reason)
