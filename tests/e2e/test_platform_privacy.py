"""Privacy of the online services: a resident's whole visit through the platform leaves no trace.

A resident identified by the demo ID card asks the real platform simulator for their contributions
(and prints the table), their housing-fund account (with a picture from the simulated camera), a
social insurance certificate and a licence (both printed through a real cupsd), follows a case by
its number, books an appointment, prints its slip and cancels it, then lifts the card and leaves.
Afterwards: their name, ID number, account, licence, case and appointment numbers and amounts are
in no file
the kiosk or cupsd kept (the data directory, the temporary directory, cupsd's spool, cache and
logs; PDFs searched as text too), no log line at DEBUG and no output; and the platform holds no
open session for them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from kiosk.appliance import Kiosk
from kiosk.journey import Screen
from kiosk.platform.service_flow import identity_from_card_file
from kiosk.platform.sim_data import DEMO_CASE
from kiosk.platform.simulator import PlatformSimulator
from tests.cupsd import PrivateCupsd
from tests.e2e.test_identity_privacy import search_everything

CARDS = Path(__file__).parents[2] / "config" / "demo" / "cards"
#: What the platform knows of the demo resident (kiosk/platform/sim_data.py), at least 4 characters.
PLATFORM_NEEDLES = [
    "DEMO-HF-000001",  # housing-fund account number
    "35820.50",
    "35,820.50",  # balance, as data and as shown
    "1632.00",  # monthly deposit
    "DEMO-DL-000001",  # driving licence number
    "演示科技有限公司",  # employer
]


def case_and_appointment(kiosk: Kiosk) -> str:
    """A case followed by its number, and an appointment booked, its slip printed, then cancelled;
    returns the appointment's number."""
    journey, desk = kiosk.journey, kiosk.desk
    journey.home()
    desk.open_services()
    desk.choose("case.progress")
    for char in DEMO_CASE.case_no:
        desk.type_text(char)
    desk.focus("query_code")
    for char in DEMO_CASE.query_code:
        desk.type_text(char)
    desk.submit()
    assert journey.view.screen is Screen.CASE
    journey.home()
    desk.open_services()
    desk.choose("appt.book")
    desk.pick("HALL-WH")
    desk.pick("si.counter")
    desk.pick(next(c.value for c in journey.view.desk.choices if date.fromisoformat(c.value).weekday() < 5))  # type: ignore[union-attr]
    desk.pick(next(c.value for c in journey.view.desk.choices if c.enabled))  # type: ignore[union-attr]
    assert journey.view.screen is Screen.BOOKED
    appointment_no = journey.view.desk.appointment.appointment_no  # type: ignore[union-attr]
    desk.print_page()
    assert journey.view.screen is Screen.PRINT_DONE
    journey.back()
    desk.cancel_appointment()
    return appointment_no


def test_a_visit_to_the_online_services_leaves_no_trace(  # noqa: PLR0917 - pytest passes fixtures by position
    make_kiosk: Callable[..., Kiosk],
    simulator: PlatformSimulator,
    cupsd: PrivateCupsd,
    cups_queue: tuple[str, Path],
    private_tmp: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    queue, paper = cups_queue
    kiosk = make_kiosk(
        {
            "platform": simulator.kiosk_settings(),
            "devices": {"printer": {"driver": "cups", "queue": queue, "server": cupsd.server}},
        }
    )
    card = identity_from_card_file(CARDS / "resident.json")
    journey, desk = kiosk.journey, kiosk.desk
    journey.wake()
    journey.open_identify()
    kiosk.session.identify(card)
    desk.choose("si.records")
    desk.agree()
    desk.print_page()
    assert journey.view.screen is Screen.PRINT_DONE
    journey.home()
    desk.open_services()
    desk.choose("hf.account")
    desk.agree()
    desk.take_picture()
    desk.use_picture()
    assert journey.view.screen is Screen.QUERY
    journey.back()
    desk.choose("si.certificate")
    desk.print_page()
    assert journey.view.screen is Screen.PRINT_DONE
    journey.home()
    desk.open_services()
    desk.choose("lic.print")
    desk.pick(journey.view.desk.choices[0].value)  # type: ignore[union-attr]
    desk.pick(journey.view.desk.choices[0].value)  # type: ignore[union-attr]
    desk.print_page()
    assert journey.view.screen is Screen.PRINT_DONE
    assert b"%PDF" in paper.read_bytes()  # the paper came out: it is the resident's, not the kiosk's
    appointment_no = case_and_appointment(kiosk)
    kiosk.session.drop_identity("card removed")
    journey.finish()
    assert simulator.live_sessions() == 0
    kiosk.close()

    needles = [card.name, card.name[1:], card.id_number, DEMO_CASE.case_no, appointment_no, *PLATFORM_NEEDLES]  # type: ignore[union-attr]
    kept = [tmp_path / "data", private_tmp]
    kept += [cupsd.root / name for name in ("spool", "cache", "state", "log", "tmp")]
    out, err = capfd.readouterr()
    leaks = search_everything(needles, kept, caplog.text, out + err)
    assert leaks == []
