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

from kiosk.bus import EventBus
from kiosk.events import DeviceBack, DeviceLost, IdentityReadFailed, IdentityReading
from kiosk.i18n import N_
from kiosk.ports import CardUnreadable, DeviceUnavailable, IdCardReader, SocialSecurityCardReader
from kiosk.records import CardKind, IdCard, SocialSecurityCard
from kiosk.session import ResidentSession, SessionError
from kiosk.thread_guard import ThreadGuard

log = logging.getLogger(__name__)

#: What the resident is told when a card could not be read, by kind of card.
READ_FAILED: dict[CardKind, str] = {
    CardKind.ID_CARD: N_("Your ID card could not be read. Lift it, then place it flat on the reader again."),
    CardKind.SSCARD: N_(
        "Your social security card could not be read. Take it out and insert it again, chip first."
    ),
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
        self._readers: dict[CardKind, IdCardReader | SocialSecurityCardReader] = {
            CardKind.ID_CARD: id_reader,
            CardKind.SSCARD: sscard_reader,
        }
        self._session = session
        self._bus = bus
        self.watch = watch or ReaderWatch()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        #: The readers whose loss this watcher announced (it announces their return). Which readers
        #: do not work is the journey's to know, from the device events: kept there, not here.
        self._announced_lost: set[CardKind] = set()
        #: Per reader: whether a card was seen on it (and must be lifted before it is read again).
        self._present: dict[CardKind, bool] = dict.fromkeys(self._readers, False)
        #: Per reader: whether a read is under way (a failure in it is the resident's to hear about).
        self._reading: dict[CardKind, bool] = dict.fromkeys(self._readers, False)
        #: Per reader: keeps its thread polling whatever goes wrong; counts what nobody expected.
        self.guards: dict[CardKind, ThreadGuard] = {
            kind: ThreadGuard(
                kind.reader,
                pause=lambda: self.watch.retry,
                stop=self._stop,
                on_failure=functools.partial(self._unexpected_failure, kind),
            )
            for kind in self._readers
        }

    def start(self) -> None:
        """Start watching both readers."""
        self._stop.clear()
        for kind in self._readers:
            thread = threading.Thread(target=self._watch, args=(kind,), name=f"identity-{kind}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop watching; returns when the worker threads have finished their current call."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self.watch.read + 2)
        self._threads.clear()

    # -- the worker ----------------------------------------------------------------------------

    def _watch(self, kind: CardKind) -> None:
        reader = self._readers[kind]
        self._present[kind] = False
        while not self._stop.is_set():
            with self.guards[kind]:
                self._stop.wait(self._poll(kind, reader))

    def _poll(self, kind: CardKind, reader: IdCardReader | SocialSecurityCardReader) -> float:
        """Look at the reader once and act on what changed; returns the seconds until the next look."""
        was_present = self._present[kind]
        self._reading[kind] = False
        try:
            present = reader.card_present()
            self._available(kind)
            if present and not was_present and self._session.active:
                self._read(kind, reader)
            elif not present and was_present:
                self._removed(kind, "card_removed")
            # A card lying there while nobody uses the kiosk is read when a session starts.
            self._present[kind] = present and (self._session.active or was_present)
        except CardUnreadable as error:
            log.warning("%s: %s", kind.reader, error)
            self._bus.publish(IdentityReadFailed(kind, READ_FAILED[kind]))
            self._present[kind] = True  # the card must be taken away before it is tried again
        except DeviceUnavailable as error:
            self._lost(kind, str(error))
            self._present[kind] = False
            return self.watch.retry
        return self.watch.poll

    def _unexpected_failure(self, kind: CardKind) -> None:
        """After an error nobody expected (logged by the guard): a card being read was unreadable."""
        if self._reading[kind]:
            self._reading[kind] = False
            self._present[kind] = True  # not read again, and failing again, until it is lifted
            self._bus.publish(IdentityReadFailed(kind, READ_FAILED[kind]))

    def _read(self, kind: CardKind, reader: IdCardReader | SocialSecurityCardReader) -> None:
        self._bus.publish(IdentityReading(kind))
        self._reading[kind] = True
        record = reader.read_card(self.watch.read)
        self._reading[kind] = False
        if record is None:
            # The card left between being seen and being read: the resident places it again.
            self._bus.publish(IdentityReadFailed(kind, READ_FAILED[kind]))
            return
        try:
            self._session.identify(record)
        except SessionError:
            log.info("%s: a card was read as the session ended; dropped", kind.reader)

    def _removed(self, kind: CardKind, reason: str) -> None:
        identity = self._session.identity
        record_type = IdCard if kind is CardKind.ID_CARD else SocialSecurityCard
        if isinstance(identity, record_type):
            self._session.drop_identity(reason)

    def _available(self, kind: CardKind) -> None:
        if kind in self._announced_lost:
            self._announced_lost.discard(kind)
            log.info("%s is back", kind.reader)
            self._bus.publish(DeviceBack(kind.reader))

    def _lost(self, kind: CardKind, reason: str) -> None:
        self._removed(kind, "reader_lost")
        if kind not in self._announced_lost:
            self._announced_lost.add(kind)
            log.error("%s unavailable: %s", kind.reader, reason)
            self._bus.publish(DeviceLost(kind.reader, reason))
