"""The provisioning flow driven directly, as a screen would drive it: no click, no terminal."""

from __future__ import annotations

import os
import socket
import stat
import tomllib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from drivers.idcard.card_file import load_id_card
from drivers.idcard.pty_sim import PtyIdReaderSimulator
from kiosk.provision.flow import ProvisionFlow
from kiosk.provision.given import Given
from kiosk.provision.questions import Answer, BadAnswer, Kind, NotSaved, Question
from kiosk.technician import hash_pin, verify_pin
from tests.cupsd import PrivateCupsd
from tests.kiosk.test_provision import CARDS, PIN, fake_comports

#: The devices whose detection depends on this machine (pcscd, cupsd, cameras), answered up front.
ELSEWHERE = Given(sscard_reader="sim", scanner="sim", printer_queue="sim", camera="sim")


@pytest.fixture
def ports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    """Two serial ports pyserial lists: a simulated SAM reader and one nobody serves (reader, silent)."""
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    master, slave = os.openpty()
    with PtyIdReaderSimulator(load_id_card(CARDS / "resident.json")) as reader:
        silent = os.ttyname(slave)
        fake_comports(
            monkeypatch, (silent, "ttyS", "n/a"), (reader.path, "USB-Serial", "USB VID:PID=1A86:7523")
        )
        yield reader.path, silent
    os.close(master)
    os.close(slave)


def given(**answers: Any) -> Given:
    """ELSEWHERE with more answers given."""
    return replace(ELSEWHERE, **answers)


def walk(flow: ProvisionFlow, answers: dict[str, Answer], until: str = "") -> dict[str, Question]:
    """Answer each question by its step's id (its default when not in `answers`) up to step `until`."""
    asked: dict[str, Question] = {}
    while (question := flow.ask()) is not None:
        assert flow.step is not None
        asked[flow.step] = question
        if flow.step == until:
            break
        answer = answers.get(flow.step, question.default)
        assert answer is not None, f"{flow.step} has no default"
        assert flow.answer(answer) == "", flow.step
    return asked


def site(path: Path) -> dict[str, object]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def test_walking_the_steps_asks_what_was_not_given_then_saves_the_site_file(
    tmp_path: Path, ports: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    reader, _ = ports
    flow = ProvisionFlow.open(tmp_path / "kiosk.toml", ELSEWHERE)
    identity = {
        "kiosk.id": "wh-flow-1",
        "kiosk.site_name": "S",
        "kiosk.site_address": "A",
        "kiosk.help_desk": "H",
    }
    asked = walk(flow, {**identity, "fleet.syncs": False, "display.rotation": "90", "pin.new": PIN})
    assert list(asked) == [
        *identity,
        "fleet.syncs",
        "id_reader",
        "speaker",
        "display.rotation",
        "display.touch_swap_xy",
        "display.touch_invert_x",
        "display.touch_invert_y",
        "pin.new",
    ]
    assert asked["kiosk.id"].kind is Kind.TEXT and asked["pin.new"].kind is Kind.NEW_PIN
    assert flow.step is None and flow.saved
    saved = site(tmp_path / "kiosk.toml")
    assert saved["kiosk"] == {"id": "wh-flow-1", "site_name": "S", "site_address": "A", "help_desk": "H"}
    assert saved["devices"]["id_reader"] == {"driver": "serial", "port": reader}  # type: ignore[index]
    assert saved["display"]["rotation"] == 90  # type: ignore[index]
    assert verify_pin(PIN, saved["technician"]["pin_hash"])  # type: ignore[index]
    assert stat.S_IMODE((tmp_path / "kiosk.toml").stat().st_mode) == 0o640
    notes = "\n".join(flow.take_notes())
    assert "== Provisioned wh-flow-1 (S)" in notes and "technician PIN: set" in notes
    assert PIN not in notes
    assert capsys.readouterr() == ("", "")  # the flow tells, it never prints


def test_a_wrong_answer_is_told_and_the_question_stands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    flow = ProvisionFlow.open(tmp_path / "kiosk.toml", given(scanner=None, id_reader_port=("sim",)))
    assert flow.ask() is not None and flow.step == "kiosk.id"
    assert "kiosk.id: String should match pattern" in flow.answer("wh 3")
    assert flow.step == "kiosk.id" and not flow.draft.has("kiosk.id")
    assert flow.answer("wh-3") == ""

    site_answers = {"kiosk.site_name": "S", "kiosk.site_address": "A", "kiosk.help_desk": "H"}
    walk(flow, {**site_answers, "fleet.syncs": False}, until="scanner")
    assert flow.step == "scanner"
    assert flow.answer("usb") == "--scanner: 'usb' is not sim, none, camera:DEVICE or serial:PORT"
    assert flow.answer("sim") == ""

    walk(flow, {}, until="display.rotation")
    assert flow.answer("45") == "'45' is not one of '0', '90', '180', '270'."
    assert flow.answer("180") == ""

    walk(flow, {}, until="pin.new")
    assert flow.answer("12") == "the technician PIN must have at least 6 digits"
    assert flow.answer("12a456") == "the technician PIN must be digits only"
    assert flow.step == "pin.new" and not flow.draft.has("technician.pin_hash")
    assert flow.answer(PIN) == ""
    assert flow.ask() is None and flow.saved
    assert site(tmp_path / "kiosk.toml")["display"]["rotation"] == 180  # type: ignore[index]


def test_defaults_come_from_detection_the_host_and_the_site_file(
    tmp_path: Path, ports: tuple[str, str]
) -> None:
    reader, silent = ports
    fresh = ProvisionFlow.open(tmp_path / "new.toml", ELSEWHERE)
    assert fresh.ask() == fresh.ask()  # unanswered, the question stands
    answers: dict[str, Answer] = {"kiosk.site_name": "S", "kiosk.site_address": "A", "kiosk.help_desk": "H"}
    offered = walk(fresh, {**answers, "fleet.syncs": False}, until="id_reader")
    assert offered["kiosk.id"].default == (socket.gethostname().split(".")[0] or None)
    id_reader = offered["id_reader"]
    assert (
        id_reader.default == reader
    )  # the port answering the SAM status, though listed after the silent one
    labels = dict(id_reader.options)
    assert labels[reader].startswith(f"{reader}: OK, ID card reader on {reader}: SAM 05.01-")
    assert labels[silent].startswith(f"{silent}: FAIL, ")
    assert list(labels)[-2:] == ["sim", "none"]

    path = tmp_path / "kiosk.toml"
    path.write_text(
        '[kiosk]\nid = "wh-old"\nsite_name = "旧名"\nsite_address = "A"\nhelp_desk = "H"\n'
        '[sync]\nrepo_url = "http://fleet.example"\ngroup = "villages"\n'
        f'[technician]\npin_hash = "{hash_pin(PIN)}"\n',
        encoding="utf-8",
    )  # fmt: skip
    again = ProvisionFlow.open(path, given(id_reader_port=("sim",)))
    asked = walk(again, {"fleet.keep": True, "pin.keep": True})
    assert asked["kiosk.id"].default == "wh-old" and asked["kiosk.site_name"].default == "旧名"
    assert asked["fleet.keep"].text == "Keep syncing from http://fleet.example (group villages)?"
    assert asked["pin.keep"].default is True
    # Keeping the fleet and the PIN passes over their other questions.
    assert "fleet.syncs" not in asked and "pin.new" not in asked and again.saved
    saved = site(path)
    assert saved["sync"] == {"repo_url": "http://fleet.example", "group": "villages"}
    assert "technician PIN: unchanged" in again.take_notes()


def test_given_answers_need_no_question(tmp_path: Path, ports: tuple[str, str]) -> None:
    reader, silent = ports
    everything = given(non_interactive=True, kiosk_id="wh-9", site_name="S", site_address="A", help_desk="H",
                       pin=PIN, id_reader_port=(silent, reader))  # fmt: skip
    flow = ProvisionFlow.open(tmp_path / "kiosk.toml", everything)
    assert flow.ask() is None and flow.saved
    assert site(tmp_path / "kiosk.toml")["devices"]["id_reader"]["port"] == reader  # type: ignore[index]

    with pytest.raises(
        BadAnswer, match=r"missing --site-name; --site-address; --help-desk; --id-reader-port"
    ):
        ProvisionFlow.open(tmp_path / "x.toml", given(non_interactive=True, kiosk_id="wh-9", pin=PIN)).ask()
    failing = ProvisionFlow.open(tmp_path / "y.toml", replace(everything, id_reader_port=(silent,)))
    with pytest.raises(NotSaved, match="id_reader failed the test; fix it, or pass --allow-failing"):
        failing.ask()
    assert not (tmp_path / "y.toml").exists()
    assert any(f"ID card reader on {silent}: no answer" in note for note in failing.take_notes())


def test_a_failing_device_is_saved_only_when_the_technician_says_so(
    tmp_path: Path, ports: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, silent = ports
    fake_comports(monkeypatch)  # no serial port detected: only the one given is offered
    answers: dict[str, Answer] = {"kiosk.id": "wh-4", "kiosk.site_name": "S", "kiosk.site_address": "A",
                                  "kiosk.help_desk": "H", "fleet.syncs": False, "pin.new": PIN}  # fmt: skip
    flow = ProvisionFlow.open(tmp_path / "kiosk.toml", given(id_reader_port=(silent,)))
    asked = walk(flow, answers, until="test")
    assert asked["id_reader"].default == silent  # given, though it does not answer
    assert asked["test"] == Question(Kind.CONFIRM, "id_reader failed the test. Save anyway?", False)
    with pytest.raises(NotSaved, match="nothing was saved: id_reader failed the test"):
        flow.answer(False)
    assert not (tmp_path / "kiosk.toml").exists()
    assert flow.answer(True) == ""  # the question stood: the technician may still say yes
    assert flow.ask() is None and flow.saved


def test_a_printer_is_chosen_by_number_among_the_queues_cupsd_offers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cupsd: PrivateCupsd, cups_queue: tuple[str, Path]
) -> None:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    queue, _ = cups_queue
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[devices.printer]\ndriver = "cups"\nqueue = "{queue}"\n', encoding="utf-8")
    flow = ProvisionFlow.open(
        path, given(printer_queue=None, printer_server=cupsd.server, id_reader_port=("sim",))
    )
    asked = walk(flow, {"kiosk.id": "wh-5", "kiosk.site_name": "S", "kiosk.site_address": "A",
                        "kiosk.help_desk": "H", "fleet.syncs": False}, until="printer")  # fmt: skip
    printer = asked["printer"]
    number = next(value for value, label in printer.options if label.startswith(f"CUPS queue {queue!r}"))
    assert printer.default == number  # the site file's queue, by its number among those offered
    assert flow.answer(number) == ""
    walk(flow, {"pin.new": PIN})
    assert site(path)["devices"]["printer"] == {"driver": "cups", "queue": queue, "server": cupsd.server}
