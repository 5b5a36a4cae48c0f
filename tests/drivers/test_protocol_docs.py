"""The protocol notes the card drivers rely on are in the repository and name what the code uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drivers.idcard import protocol
from drivers.sscard import layout

ROOT = Path(__file__).resolve().parents[2]
IDCARD_DOC = ROOT / "docs" / "protocols" / "idcard-serial.md"
SSCARD_DOC = ROOT / "docs" / "protocols" / "sscard.md"


@pytest.mark.parametrize("module", sorted((ROOT / "drivers").rglob("*.py")), ids=lambda p: p.name)
def test_a_driver_cites_only_docs_inside_the_repository(module: Path) -> None:
    text = module.read_text(encoding="utf-8")
    assert "shared/reference" not in text and "../shared" not in text
    for cited in re.findall(r"docs/[\w/.-]+\.md", text):
        assert (ROOT / cited).is_file(), f"{module.name} cites {cited}, which is not there"


def test_the_id_card_note_has_every_command_status_and_field() -> None:
    note = IDCARD_DOC.read_text(encoding="utf-8")
    for command in protocol.Command:
        cmd, para = command.value
        assert f"`{command.name}` | `{cmd:02X} {para:02X}`" in note
    for sw3 in protocol.STATUS_MEANINGS:
        assert f"| `{sw3:02X}` |" in note
    for fields in protocol.LAYOUTS.values():
        for field in fields:
            assert f"| {field.name} | {field.offset} | {field.size} |" in note


def test_the_social_security_card_note_has_every_element_and_status_word() -> None:
    note = SSCARD_DOC.read_text(encoding="utf-8")
    assert " ".join(f"{byte:02X}" for byte in layout.SSSE_AID) in note
    for element in layout.ELEMENTS:
        where = f"| EF{element.sfi:02X} | `{element.tag:02X}` |"
        assert f"{where} {element.name} | {element.length} | {element.kind} |" in note
    for sw in layout.STATUS_MEANINGS:
        assert f"| `{sw >> 8:02X} {sw & 0xFF:02X}` |" in note
