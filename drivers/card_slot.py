"""A simulated card slot, and the simulated card reader built on it.

A card is placed, read once, and must be lifted before the next read.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

Card = TypeVar("Card")


class CardSlot(Generic[Card]):
    """Holds at most one card, like the antenna of an ID reader or the slot of a PC/SC reader.

    A real reader reports a card only once per placement: after a read it answers "no card" until
    the card has been lifted and placed again. The slot behaves the same, so code written against
    the simulator re-arms correctly on real hardware.
    """

    def __init__(self) -> None:
        self._card: Card | None = None
        self._read = False
        self._changed = threading.Condition()

    def place(self, card: Card) -> None:
        """Put a card on the reader."""
        with self._changed:
            self._card = card
            self._read = False
            self._changed.notify_all()

    def lift(self) -> None:
        """Take the card away."""
        with self._changed:
            self._card = None
            self._read = False
            self._changed.notify_all()

    def present(self) -> bool:
        """Whether a card lies on the reader."""
        with self._changed:
            return self._card is not None

    def take_unread(self, timeout: float) -> Card | None:
        """Wait up to `timeout` for a card not read yet; mark it read and return it."""
        with self._changed:
            self._changed.wait_for(lambda: self._card is not None and not self._read, timeout)
            if self._card is None or self._read:
                return None
            self._read = True
            return self._card


class SimCardReader(Generic[Card]):
    """A simulated card reader whose antenna or slot is a `CardSlot`.

    The demo, the tour or a test places and lifts the cards. The ID card and the social security
    card simulators are this reader, each with its own record and settings.
    """

    def __init__(self) -> None:
        self.slot: CardSlot[Card] = CardSlot()

    def read_card(self, timeout: float) -> Card | None:
        """The card in the slot, once per placement; None when none comes within `timeout`."""
        return self.slot.take_unread(timeout)

    def card_present(self) -> bool:
        """Whether a card is in the slot."""
        return self.slot.present()

    def close(self) -> None:
        """Nothing to release."""
