"""Privacy: whole sessions with each card type through the real drivers leave no trace of the resident.

Each session reads a card through the serial driver (pty simulator) or the PC/SC driver (pcscd,
vpcd, a virtual card), browses, prints a checklist, takes the card away and ends. Then everything
the kiosk wrote is searched for the card's name and numbers: the data directory (databases, print
output, as bytes in every encoding a card uses and as text pdftotext extracts), the log lines at
DEBUG, the process's stdout/stderr, and the temporary directory.
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from drivers.idcard.card_file import load_id_card
from drivers.idcard.pty_sim import PtyIdReaderSimulator
from kiosk.appliance import Kiosk
from kiosk.events import SessionIdentified, SessionIdentityDropped
from kiosk.identity import ReaderWatch
from kiosk.journey import Screen
from kiosk.records import IdCard, SocialSecurityCard
from tests.smartcards import DEMO_SSCARD, VirtualCards

CARDS = Path(__file__).parents[2] / "config" / "demo" / "cards"
ID_DOCUMENTS = ["resident", "hk_mo_tw", "foreign_2017", "foreign_2023"]


def needles(card: IdCard | SocialSecurityCard) -> list[str]:
    """What must not be found: names and numbers, at least four characters each."""
    if isinstance(card, IdCard):
        values = [card.name, card.id_number, card.english_name, card.pass_number, card.address]
        values += [card.appended_address]
    else:
        values = [card.name, card.ss_number, card.card_id, card.card_number]
    found = [value for value in values if value]
    # A Chinese name without its surname must not leak either.
    return found + [value[1:] for value in found if not value.isascii() and len(value) > 2]


def encodings(text: str) -> list[bytes]:
    forms = [text.encode("utf-8"), text.encode("utf-16-le")]
    with contextlib.suppress(UnicodeEncodeError):  # English names have no other form
        forms.append(text.encode("gbk"))
    return forms


def whole_session(kiosk: Kiosk, place: Callable[[], None], remove: Callable[[], None]) -> None:
    """Identify with a card, browse, print, take the card away, finish."""
    identified = threading.Event()
    dropped = threading.Event()
    kiosk.bus.subscribe(SessionIdentified, lambda _event: identified.set())
    kiosk.bus.subscribe(SessionIdentityDropped, lambda _event: dropped.set())
    kiosk.identity.watch = ReaderWatch(poll=0.05, read=3.0, retry=0.2)
    kiosk.start()
    journey = kiosk.journey
    journey.wake()
    journey.open_identify()
    place()
    assert identified.wait(10), "the card did not identify the resident"
    assert journey.view.screen is Screen.IDENTIFIED
    journey.open_guide(journey.view.guides[0].id)
    journey.print_checklist()
    assert journey.view.screen is Screen.PRINT_DONE
    remove()
    assert dropped.wait(10), "removing the card did not end the identified part"
    journey.finish()
    kiosk.close()


def search_everything(needles_: list[str], folders: list[Path], logs: str, output: str) -> list[str]:
    """Where any needle was found in the files under `folders` (bytes in every encoding, and PDFs,
    whatever their name, as text), the log and the output; empty when the kiosk kept nothing."""
    leaks = []
    files = [path for folder in folders if folder.is_dir() for path in folder.rglob("*") if path.is_file()]
    assert files, "nothing to search"
    for path in files:
        raw = path.read_bytes()
        text = ""
        if raw.startswith(b"%PDF"):
            pdftotext = ["pdftotext", str(path), "-"]
            text = subprocess.run(pdftotext, capture_output=True, text=True, check=False).stdout
        for needle in needles_:
            if any(form in raw for form in encodings(needle)) or needle in text:
                leaks.append(f"{needle!r} in {path}")
    for needle in needles_:
        if needle in logs:
            leaks.append(f"{needle!r} in the log")
        if needle in output:
            leaks.append(f"{needle!r} in stdout/stderr")
    return leaks


@pytest.mark.parametrize("document", ID_DOCUMENTS)
def test_an_id_card_session_leaves_no_trace(  # noqa: PLR0917 - pytest passes fixtures by position
    document: str,
    make_kiosk: Callable[..., Kiosk],
    private_tmp: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    simulated = load_id_card(CARDS / f"{document}.json")
    with PtyIdReaderSimulator(None) as simulator:
        kiosk = make_kiosk({"devices": {"id_reader": {"driver": "serial", "port": simulator.path}}})
        whole_session(kiosk, lambda: simulator.place(simulated), simulator.lift)
    assert kiosk.devices.id_reader.__class__.__name__ == "SerialIdCardReader"
    out, err = capfd.readouterr()
    data = tmp_path / "data"
    assert any(data.rglob("*.pdf")), "the session printed nothing to search"
    leaks = search_everything(needles(simulated.card), [data, private_tmp], caplog.text, out + err)
    assert leaks == []


def test_a_social_security_card_session_leaves_no_trace(  # noqa: PLR0917 - pytest passes fixtures
    make_kiosk: Callable[..., Kiosk],
    virtual_cards: VirtualCards,
    private_tmp: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    from drivers.sscard.virtual_card import load_sscard_values

    values: dict[str, Any] = load_sscard_values(DEMO_SSCARD)
    card = SocialSecurityCard(
        values["card_id"], values["name"], values["ss_number"], card_number=values["card_number"]
    )
    kiosk = make_kiosk({"devices": {"sscard_reader": {"driver": "pcsc", "reader": "Virtual PCD 00 00"}}})
    inserted: list[Any] = []
    whole_session(
        kiosk,
        lambda: inserted.append(virtual_cards.insert()),
        lambda: virtual_cards.remove(inserted[0]),
    )
    out, err = capfd.readouterr()
    data = tmp_path / "data"
    assert any(data.rglob("*.pdf")), "the session printed nothing to search"
    leaks = search_everything(needles(card), [data, private_tmp], caplog.text, out + err)
    assert leaks == []
