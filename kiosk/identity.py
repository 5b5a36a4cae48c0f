"""Identifying residents by card: watches both readers on worker threads and tells the session.

A card placed (or inserted) while a resident uses the kiosk is read once and identifies them; the
moment it is lifted (or pulled out), the identified part of the session ends. A reader that goes
away (unplugged, pcscd restarted) is reported once and tried again until it answers.
"""

from __future__ import annotations

import functools
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
from kiosk.thread_guard import ThreadGuard

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
        #: Per reader: whether a card was seen on it (and must be lifted before it is read again).
        self._present: dict[Method, bool] = dict.fromkeys(self._readers, False)
        #: Per reader: whether a read is under way (a failure in it is the resident's to hear about).
        self._reading: dict[Method, bool] = dict.fromkeys(self._readers, False)
        #: Per reader: keeps its thread polling whatever goes wrong; counts what nobody expected.
        self.guards: dict[Method, ThreadGuard] = {
            method: ThreadGuard(
                DEVICES[method],
                pause=lambda: self.watch.retry,
                stop=self._stop,
                on_failure=functools.partial(self._unexpected_failure, method),
            )
            for method in self._readers
        }

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
        self._present[method] = False
        while not self._stop.is_set():
            with self.guards[method]:
                self._stop.wait(self._poll(method, reader))

    def _poll(self, method: Method, reader: IdCardReader | SocialSecurityCardReader) -> float:
        """Look at the reader once and act on what changed; returns the seconds until the next look."""
        was_present = self._present[method]
        self._reading[method] = False
        try:
            present = reader.card_present()
            self._available(method)
            if present and not was_present and self._session.active:
                self._read(method, reader)
            elif not present and was_present:
                self._removed(method, "card_removed")
            # A card lying there while nobody uses the kiosk is read when a session starts.
            self._present[method] = present and (self._session.active or was_present)
        except CardUnreadable as error:
            log.warning("%s: %s", DEVICES[method], error)
            self._bus.publish(Event.IDENTITY_READ_FAILED, method=method, resident_message=READ_FAILED[method])
            self._present[method] = True  # the card must be taken away before it is tried again
        except DeviceUnavailable as error:
            self._lost(method, str(error))
            self._present[method] = False
            return self.watch.retry
        return self.watch.poll

    def _unexpected_failure(self, method: Method) -> None:
        """After an error nobody expected (logged by the guard): a card being read was unreadable."""
        if self._reading[method]:
            self._reading[method] = False
            self._present[method] = True  # not read again, and failing again, until it is lifted
            self._bus.publish(Event.IDENTITY_READ_FAILED, method=method, resident_message=READ_FAILED[method])

    def _read(self, method: Method, reader: IdCardReader | SocialSecurityCardReader) -> None:
        self._bus.publish(Event.IDENTITY_READING, method=method)
        self._reading[method] = True
        card = reader.read_card(self.watch.read)
        self._reading[method] = False
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
