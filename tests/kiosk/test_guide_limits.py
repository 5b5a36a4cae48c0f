"""Limits of a guide and a catalogue, and bad bytes: one clear line each, and nothing changed."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.guides import (
    DEMO_CATALOGUE,
    CatalogueInvalid,
    GuideInvalid,
    OversizedLine,
    bounded_lines,
    codec,
    guide_from_dict,
    read_jsonl,
)
from kiosk.records.guide import (
    MAX_COUNT,
    MAX_DAYS,
    MAX_GUIDE_BYTES,
    MAX_ID,
    MAX_ITEMS,
    MAX_LINE,
    MAX_PARAGRAPH,
    MAX_URL,
)
from tests.bad_catalogues import BAD_CATALOGUES

GUIDE_ID = "371000-X-1"
MINIMAL = {"id": GUIDE_ID, "name": "测试事项", "department": "威海市测试局"}
URL = "https://zwfw.weihai.example/"


@pytest.mark.parametrize(
    ("extra", "where", "size", "limit"),
    [
        ({"name": "办" * (MAX_LINE + 1)}, "name", MAX_LINE + 1, MAX_LINE),
        ({"department": "局" * 5000}, "department", 5000, MAX_LINE),
        ({"plain": "a" * (MAX_PARAGRAPH + 1)}, "plain", MAX_PARAGRAPH + 1, MAX_PARAGRAPH),
        ({"conditions": ["年满16周岁"] * (MAX_ITEMS + 1)}, "conditions", MAX_ITEMS + 1, MAX_ITEMS),
        ({"materials": [{"name": "身份证", "notes": "注" * 3000}]}, "materials.0.notes", 3000, MAX_PARAGRAPH),
        ({"steps": [{"title": "受理", "actor": "窗" * 300}]}, "steps.0.actor", 300, MAX_LINE),
        ({"locations": [{"hall": "厅"}] * 500}, "locations", 500, MAX_ITEMS),
        ({"pictures": [URL + "p" * MAX_URL]}, "pictures.0", len(URL) + MAX_URL, MAX_URL),
        ({"fee": {"standard": "元" * 2500}}, "fee.standard", 2500, MAX_PARAGRAPH),
        ({"legal_days": MAX_DAYS + 1}, "legal_days", f"{MAX_DAYS + 1:,}", MAX_DAYS),
        ({"materials": [{"name": "照片", "copies": 1000}]}, "materials.0.copies", "1,000", MAX_COUNT),
        ({"legal_days": 10**400}, "legal_days", "a number of 401 digits", MAX_DAYS),
    ],
)
def test_a_field_over_its_limit_names_guide_field_limit_and_size(
    extra: dict[str, object], where: str, size: int | str, limit: int
) -> None:
    with pytest.raises(GuideInvalid) as caught:
        guide_from_dict({**MINIMAL, **extra})
    message = str(caught.value)
    assert message.startswith(f"guide {GUIDE_ID!r}: {where}: ")
    shown = f"{size:,}" if isinstance(size, int) else size
    assert shown in message and f"the limit is {limit:,}" in message
    assert "\n" not in message and len(message) < 200


def test_an_overlong_id_is_refused_without_repeating_it() -> None:
    with pytest.raises(GuideInvalid, match=f"id: 5,000 characters, the limit is {MAX_ID}") as caught:
        guide_from_dict({**MINIMAL, "id": "9" * 5000})
    assert len(str(caught.value)) < 200


def test_a_guide_at_every_limit_of_a_line_is_accepted() -> None:
    at_limit = {
        **MINIMAL,
        "id": "X" * MAX_ID,
        "name": "办" * MAX_LINE,
        "plain": "白" * MAX_PARAGRAPH,
        "conditions": ["条"] * MAX_ITEMS,
        "materials": [{"name": "材料", "copies": MAX_COUNT}] * MAX_ITEMS,
        "legal_days": MAX_DAYS,
        "video_url": URL + "v" * (MAX_URL - len(URL)),
    }
    line = json.dumps(at_limit, ensure_ascii=False)
    assert len(line.encode()) < MAX_GUIDE_BYTES
    assert read_jsonl([line])[0].name == "办" * MAX_LINE


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"legal_days": True}, "legal_days: must be a whole number, not true"),
        ({"materials": [{"name": "身份证", "copies": False}]}, "materials.0.copies: must be a whole number"),
        ({"commitment": 1}, "commitment: must be true or false, not 1"),
        ({"id": "371000\x00X"}, r"id: holds the invisible character U\+0000 at character 7"),
        ({"id": "371000 X"}, r"id: holds the invisible character U\+0020"),
        ({"id": "371000\u200bX"}, r"id: holds the invisible character U\+200B"),
        ({"name": "社保卡\x1b[2J"}, r"name: holds the control character U\+001B at character 4"),
        ({"plain": "第一行\n第二行\x00"}, r"plain: holds the control character U\+0000 at character 8"),
        ({"plain": "a\ud800b"}, "plain: holds a lone surrogate"),
        ({"basis": ["《条例》\udfff"]}, "basis.0: holds a lone surrogate"),
    ],
)
def test_bools_are_not_numbers_and_ids_and_text_hold_no_control_characters(
    extra: dict[str, object], message: str
) -> None:
    with pytest.raises(GuideInvalid, match=message):
        guide_from_dict({**MINIMAL, **extra})


def test_a_paragraph_keeps_its_line_breaks() -> None:
    assert guide_from_dict({**MINIMAL, "plain": "第一行\n第二行\t完"}).plain == "第一行\n第二行\t完"


class _EndlessLine:
    """A binary stream whose first line is `size` bytes long, made as it is read (never held whole)."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.largest_read = 0
        self.tail = b'\n{"id": "371000-X-2", "name": "next", "department": "d"}\n'

    def readline(self, size: int = -1, /) -> bytes:
        assert size > 0, "a bounded reader always says how much it wants"
        self.largest_read = max(self.largest_read, size)
        if self.left:
            take = min(size, self.left)
            self.left -= take
            return b"a" * take
        tail, self.tail = self.tail, b""
        line, _, rest = tail.partition(b"\n")
        self.tail = rest
        return line + b"\n" if line or rest else b""


def test_a_50_mb_line_is_skipped_unread_and_the_next_line_still_read() -> None:
    stream = _EndlessLine(50 * 1024 * 1024)
    lines = list(bounded_lines(stream))
    assert lines[0] == OversizedLine(50 * 1024 * 1024, b"a" * 4096)
    assert json.loads(lines[1])["id"] == "371000-X-2"
    assert stream.largest_read <= 1024 * 1024 + 1
    with pytest.raises(CatalogueInvalid) as caught:
        read_jsonl(lines)
    assert str(caught.value.errors[0]) == (
        f"line 1: the line is 52,428,800 bytes, the limit for one guide is {MAX_GUIDE_BYTES:,}"
    )


# -- `kiosk guides import` -------------------------------------------------------------------------

GOOD_LINE = json.dumps(MINIMAL, ensure_ascii=False).encode()


def _import(tmp_path: Path, content: bytes, *options: str) -> tuple[int, str, bytes, bytes]:
    """Import the demo, then `content`: exit code, output, and the database before and after."""
    runner = CliRunner()
    env = {"KIOSK_DATA_DIR": str(tmp_path / "data"), "KIOSK__GUIDES__LOAD_DEMO": "false"}
    assert runner.invoke(main, ["guides", "import", str(DEMO_CATALOGUE)], env=env).exit_code == 0
    database = tmp_path / "data" / "guides.db"
    before = database.read_bytes()
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(content)
    result = runner.invoke(main, ["guides", "import", *options, str(bad)], env=env)
    # Any exception but click's own exit is a traceback for the technician.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output, before, database.read_bytes()


@pytest.mark.parametrize(("content", "message"), BAD_CATALOGUES)
def test_import_of_bad_bytes_says_what_and_where_and_changes_nothing(
    tmp_path: Path, content: bytes, message: str
) -> None:
    code, output, before, after = _import(tmp_path, content, "--replace")
    assert code == 1
    assert "bad.jsonl:line " in output and message in output
    assert "nothing was imported" in output
    assert after == before


def test_an_empty_replacement_is_refused_unless_asked_for(tmp_path: Path) -> None:
    code, output, before, after = _import(tmp_path, b"", "--replace")
    assert code == 1 and after == before
    assert "the replacement holds 0 guides where the catalogue holds 106" in output
    assert "--allow-shrink" in output

    runner = CliRunner()
    env = {"KIOSK_DATA_DIR": str(tmp_path / "data"), "KIOSK__GUIDES__LOAD_DEMO": "false"}
    empty = tmp_path / "bad.jsonl"
    result = runner.invoke(main, ["guides", "import", "--replace", "--allow-shrink", str(empty)], env=env)
    assert result.exit_code == 0 and "the catalogue holds 0" in result.output


def test_a_replacement_with_less_than_half_the_guides_is_refused_half_is_accepted(tmp_path: Path) -> None:
    demo = [line for line in DEMO_CATALOGUE.read_bytes().splitlines(keepends=True) if line.strip()]
    assert len(demo) == 106
    code, output, _, _ = _import(tmp_path, b"".join(demo[:52]), "--replace")
    assert code == 1 and "holds 52 guides where the catalogue holds 106" in output
    code, output, _, _ = _import(tmp_path / "again", b"".join(demo[:53]), "--replace")
    assert code == 0 and "the catalogue holds 53" in output


def test_adding_a_small_file_without_replace_is_not_a_shrink(tmp_path: Path) -> None:
    code, output, _, _ = _import(tmp_path, GOOD_LINE + b"\n")
    assert code == 0 and "the catalogue holds 107" in output


def test_import_help_states_the_limits_and_the_shrink_guard() -> None:
    result = CliRunner().invoke(main, ["guides", "import", "--help"])
    assert "--allow-shrink" in result.output and "256 KiB" in result.output


def test_a_catalogue_over_its_number_of_guides_or_its_size_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The real limits (200,000 guides, 512 MiB) are too large for a test; the code is the same.
    lines = [json.dumps({**MINIMAL, "id": f"371000-X-{number}"}) + "\n" for number in range(5)]
    monkeypatch.setattr(codec, "MAX_GUIDES", 3)
    with pytest.raises(CatalogueInvalid) as caught:
        read_jsonl(lines)
    assert [str(error) for error in caught.value.errors] == [
        "line 4: more guides than the limit of 3 for a catalogue"
    ]
    monkeypatch.setattr(codec, "MAX_CATALOGUE_BYTES", 2 * len(lines[0]) + 10)
    with pytest.raises(CatalogueInvalid) as caught:
        read_jsonl(bounded_lines(io.BytesIO("".join(lines).encode())))
    limit = f"{2 * len(lines[0]) + 10:,}"
    assert str(caught.value.errors[0]) == f"line 3: the catalogue is larger than the limit of {limit} bytes"


def test_imports_one_after_another_cannot_grow_the_catalogue_past_its_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each file within the limit, the catalogue they add up to over it: refused, nothing changed.
    from kiosk.guides import catalogue as catalogue_module

    monkeypatch.setattr(catalogue_module, "MAX_GUIDES", 107)
    more = b"".join(
        json.dumps({**MINIMAL, "id": f"371000-X-{number}"}).encode() + b"\n" for number in range(2)
    )
    code, output, before, after = _import(tmp_path, more)
    assert code == 1
    assert "the catalogue would hold 108 guides, more than the limit of 107; nothing was imported" in output
    assert after == before
    code, output, _, _ = _import(tmp_path / "again", more[: more.index(b"\n") + 1])
    assert code == 0 and "the catalogue holds 107" in output


def test_the_quick_text_check_refuses_exactly_the_control_and_surrogate_characters() -> None:
    import unicodedata

    from kiosk.records.guide import _REFUSED_IN_LINE, _REFUSED_IN_PARAGRAPH

    for point in range(0x110000):
        char = chr(point)
        refused = unicodedata.category(char) in {"Cc", "Cs"}
        assert bool(_REFUSED_IN_LINE.search(char)) == refused, hex(point)
        assert bool(_REFUSED_IN_PARAGRAPH.search(char)) == (refused and char not in "\t\n\r"), hex(point)
