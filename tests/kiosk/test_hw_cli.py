"""`kiosk hw idcard|sscard` and `kiosk sim idcard`: the technician's JSON contract and exit codes."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from drivers.idcard.card_file import load_id_card
from drivers.idcard.pty_sim import PtyIdReaderSimulator, Quirks
from kiosk import wlt
from kiosk.cli import main
from tests.installed_plugins import InstalledPlugins, installed_plugins
from tests.smartcards import VirtualCards

CARDS = Path(__file__).parents[2] / "config" / "demo" / "cards"
ID_KEYS = {
    "card_type", "name", "sex", "nation", "birth_date", "address", "id_number", "issuer", "valid_from",
    "valid_until", "appended_address", "english_name", "nationality", "pass_number", "issue_count",
    "id_number_valid", "photo_wlt",
}  # fmt: skip
SS_KEYS = {
    "card_id", "region", "card_type", "spec_version", "issuer_org", "issued", "expires", "card_number",
    "ss_number", "name", "sex", "nation", "birthplace", "birth_date",
}  # fmt: skip


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


@pytest.fixture
def simulator() -> Iterator[PtyIdReaderSimulator]:
    with PtyIdReaderSimulator(load_id_card(CARDS / "resident.json")) as sim:
        yield sim


def assert_failed(result: Result, code: int, *words: str) -> None:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]


def test_a_resident_card_as_json(simulator: PtyIdReaderSimulator) -> None:
    result = invoke("hw", "idcard", "--port", simulator.path, "--json")
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert set(record) == ID_KEYS
    assert record["card_type"] == "resident"
    assert (record["sex"], record["nation"], record["birth_date"]) == ("女", "汉", "1990-01-01")
    assert record["valid_until"] == "2036-05-04"
    assert record["id_number_valid"] is True
    assert record["english_name"] is None and record["pass_number"] is None
    assert len(record["photo_wlt"]) == 1368  # 1,024 bytes in base64


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("resident_long_term", {"valid_until": None, "nation": "满"}),
        ("hk_mo_tw", {"card_type": "hk_mo_tw", "nation": None, "pass_number": "H00000001", "issue_count": 1}),
        ("foreign_2017", {"card_type": "foreign_permanent", "nationality": "USA", "id_number_valid": None}),
        ("foreign_2023", {"card_type": "foreign_permanent", "nationality": "CAN", "id_number_valid": True}),
    ],
)
def test_every_document_type_through_the_cli(name: str, expected: dict[str, object]) -> None:
    with PtyIdReaderSimulator(load_id_card(CARDS / f"{name}.json")) as sim:
        result = invoke("hw", "idcard", "--port", sim.path, "--json")
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert {key: record[key] for key in expected} == expected


def test_no_card_exits_3() -> None:
    with PtyIdReaderSimulator(None) as sim:
        result = invoke("hw", "idcard", "--port", sim.path, "--timeout", "0.3", "--json")
    assert_failed(result, 3, "no card", sim.path)


@pytest.mark.parametrize(
    ("quirks", "reason"),
    [({"bad_checksum": "always"}, "checksum"), ({"lift_mid_read": True}, "card lifted")],
)
def test_an_unreadable_card_exits_4(quirks: dict[str, object], reason: str) -> None:
    with PtyIdReaderSimulator(load_id_card(CARDS / "resident.json"), Quirks(**quirks)) as sim:  # type: ignore[arg-type]
        # A read may take as long as the settings allow: a short one keeps the card-lifted case quick.
        result = invoke(
            "hw", "idcard", "--port", sim.path, "--json", env={"KIOSK__DEVICES__ID_READER__TIMEOUT": "0.5"}
        )
    assert_failed(result, 4, reason, sim.path)


def test_a_missing_reader_exits_5(tmp_path: Path) -> None:
    assert_failed(invoke("hw", "idcard", "--port", str(tmp_path / "ttyUSB7")), 5, "ttyUSB7", "cannot open")


def test_usage_errors_exit_2() -> None:
    assert invoke("hw", "idcard").exit_code == 2
    assert invoke("hw", "idcard", "--port", "/dev/x", "--baud", "1234").exit_code == 2
    assert_failed(invoke("hw", "idcard", "--port", "/dev/x", "--driver", "seria"), 2, "did you mean 'serial'")


def test_the_sam_id_and_status(simulator: PtyIdReaderSimulator) -> None:
    result = invoke("hw", "idcard", "--sam", "--port", simulator.path)
    assert result.exit_code == 0
    assert result.stdout.strip() == "SAM 05.01-20261127-000004711-000000042: status 90 (success)"


def test_the_simulator_command_prints_its_pty_and_answers_there() -> None:
    kiosk = str(Path(sys.executable).parent / "kiosk")
    process = subprocess.Popen(
        [kiosk, "sim", "idcard", "--card", str(CARDS / "hk_mo_tw.json"), "--noise", "--slow"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        path = process.stdout.readline().strip()
        assert path.startswith("/dev/pts/")
        result = invoke("hw", "idcard", "--port", path, "--json")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["card_type"] == "hk_mo_tw"
    finally:
        process.terminate()
        process.wait(timeout=5)


def test_a_social_security_card_as_json(virtual_cards: VirtualCards) -> None:
    virtual_cards.insert()
    result = invoke("hw", "sscard", "--reader", "Virtual PCD 00 00", "--json")
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert set(record) == SS_KEYS
    assert (record["region"], record["issued"], record["nation"]) == ("371000", "2022-03-01", "汉")


def test_sscard_exit_codes(virtual_cards: VirtualCards) -> None:
    assert_failed(invoke("hw", "sscard", "--timeout", "0.2"), 3, "no card")
    assert_failed(invoke("hw", "sscard", "--reader", "Gone 00"), 5, "'Gone 00' is not connected")
    virtual_cards.insert("--refuse-holder")
    assert_failed(invoke("hw", "sscard", "--json"), 4, "69 82")


def test_the_photo_needs_a_wlt_decoder_plugin_and_is_never_faked(
    simulator: PtyIdReaderSimulator, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.bmp"
    result = invoke("hw", "idcard", "--port", simulator.path, "--photo", str(photo))
    assert_failed(result, 2, "no WLT photo decoder is installed")
    assert not photo.exists()


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InstalledPlugins]:
    yield from installed_plugins(tmp_path, monkeypatch)


def test_an_installed_wlt_decoder_writes_the_photo(
    simulator: PtyIdReaderSimulator, tmp_path: Path, plugins: InstalledPlugins
) -> None:
    # A vendor package registers its decoder as one would: a distribution with an entry point.
    decoder = "decoded = []\n\n\ndef decode(wlt):\n    decoded.append(wlt)\n    return b'BM' + bytes(10)\n"
    plugins.install(
        "vendor_wlt", {wlt.ENTRY_POINT_GROUP: {"vendor": "vendor_wlt:decode"}}, {"vendor_wlt.py": decoder}
    )
    photo = tmp_path / "photo.bmp"
    result = invoke("hw", "idcard", "--port", simulator.path, "--photo", str(photo), "--json")
    assert result.exit_code == 0, result.stderr
    assert photo.read_bytes() == b"BM" + bytes(10)
    assert sys.modules["vendor_wlt"].decoded == [base64.b64decode(json.loads(result.stdout)["photo_wlt"])]


@pytest.mark.parametrize("name", ["idcard", "sscard"])
def test_simulator_commands_come_from_entry_points_and_are_documented(name: str) -> None:
    from kiosk.cli.sim_cmd import sim

    command = sim.get_command(None, name)  # type: ignore[arg-type]
    assert command is not None and command.help
    assert all(parameter.help for parameter in command.params if isinstance(parameter, click.Option))
    assert name in sim.list_commands(None)  # type: ignore[arg-type]
    result = invoke("sim", name, "--help")
    assert result.exit_code == 0 and "--card" in result.output
