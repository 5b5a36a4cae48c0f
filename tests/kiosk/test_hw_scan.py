"""`kiosk hw scan IMAGE... --json`: per image, the codes zbar finds, with type, data and position."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kiosk.cli import main
from tests.qr_images import frame

URL = "https://zwfw.weihai.example/guide/371000-GA-0001"


def test_scan_reports_every_code_of_every_image_as_json(tmp_path: Path) -> None:
    one, two = tmp_path / "one.png", tmp_path / "two.jpg"
    frame(codes=((URL, (40, 40)),)).save(one)
    frame(codes=(("RC:0123456789abcdef", (20, 20)), ("威海", (360, 200)))).convert("RGB").save(
        two, quality=92
    )
    result = CliRunner().invoke(main, ["hw", "scan", str(one), str(two), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [entry["image"] for entry in report] == [str(one), str(two)]
    [code] = report[0]["codes"]
    assert code["type"] == "qrcode" and code["data"] == URL
    # Pasted at 40 with a quiet zone of 16 px: the symbol starts near 56 (noise blurs a pixel).
    assert abs(code["position"]["left"] - 56) <= 2 and len(code["position"]["polygon"]) == 4
    assert sorted(code["data"] for code in report[1]["codes"]) == ["RC:0123456789abcdef", "威海"]


def test_an_image_without_a_code_exits_1(tmp_path: Path) -> None:
    empty = tmp_path / "empty.png"
    frame().save(empty)
    result = CliRunner().invoke(main, ["hw", "scan", str(empty)])
    assert result.exit_code == 1 and "0 code(s)" in result.output


def test_a_file_that_is_not_an_image_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    result = CliRunner().invoke(main, ["hw", "scan", str(text)])
    assert result.exit_code == 2 and "is not an image" in result.output
