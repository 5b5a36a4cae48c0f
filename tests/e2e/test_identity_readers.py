"""The identity flow on the real drivers: cards come and go, and readers vanish and come back."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from drivers.idcard.card_file import load_id_card
from drivers.idcard.pty_sim import PtyIdReaderSimulator
from kiosk.appliance import Kiosk
from kiosk.events import DeviceBack, DeviceLost, KioskEvent, SessionIdentified, SessionIdentityDropped
from kiosk.identity import ReaderWatch
from kiosk.journey import Screen
from tests.daemons import Daemon
from tests.smartcards import VirtualCards

CARDS = Path(__file__).parents[2] / "config" / "demo" / "cards"
WATCH = ReaderWatch(poll=0.05, read=3.0, retry=0.2)


class Waiter:
    """Counts one event and lets the test wait for the n-th."""

    def __init__(self, kiosk: Kiosk, kind: type[KioskEvent]) -> None:
        self.count = 0
        self._changed = threading.Condition()
        kiosk.bus.subscribe(kind, self._seen)

    def _seen(self, _event: KioskEvent) -> None:
        with self._changed:
            self.count += 1
            self._changed.notify_all()

    def wait(self, count: int, timeout: float = 10) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: self.count >= count, timeout), f"only {self.count} seen"


def test_an_id_card_lifted_and_placed_again_identifies_again(make_kiosk: Callable[..., Kiosk]) -> None:
    resident, permit = load_id_card(CARDS / "resident.json"), load_id_card(CARDS / "foreign_2023.json")
    with PtyIdReaderSimulator(None) as simulator:
        kiosk = make_kiosk({"devices": {"id_reader": {"driver": "serial", "port": simulator.path}}})
        kiosk.identity.watch = WATCH
        identified = Waiter(kiosk, SessionIdentified)
        dropped = Waiter(kiosk, SessionIdentityDropped)
        kiosk.start()
        kiosk.journey.wake()
        simulator.place(resident)
        identified.wait(1)
        assert kiosk.session.identity == resident.card
        simulator.lift()
        dropped.wait(1)
        simulator.place(permit)
        identified.wait(2)
        assert kiosk.session.identity == permit.card
        kiosk.close()


def test_pcscd_restarting_is_told_to_the_resident_and_the_kiosk_recovers(
    make_kiosk: Callable[..., Kiosk], pcscd: Daemon, virtual_cards: VirtualCards
) -> None:
    kiosk = make_kiosk({"devices": {"sscard_reader": {"driver": "pcsc", "reader": "Virtual PCD 00 00"}}})
    kiosk.identity.watch = WATCH
    lost = Waiter(kiosk, DeviceLost)
    back = Waiter(kiosk, DeviceBack)
    identified = Waiter(kiosk, SessionIdentified)
    kiosk.start()
    kiosk.journey.wake()
    kiosk.journey.open_identify()
    pcscd.stop()
    lost.wait(1)
    assert kiosk.journey.view.identify.unavailable == {"sscard_reader"}
    pcscd.start()
    back.wait(1)
    assert kiosk.journey.view.identify.unavailable == frozenset()
    virtual_cards.insert()
    identified.wait(1)
    assert kiosk.journey.view.screen is Screen.IDENTIFIED
    kiosk.close()
