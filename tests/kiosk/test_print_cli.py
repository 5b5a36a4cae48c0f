"""`kiosk print` against the real private cupsd: exit 0 only when CUPS says the job completed."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kiosk.cli import main
from kiosk.documents import PrinterTestPage, render_test_page
from tests.cupsd import PrivateCupsd, pdf_inside
from tests.daemons import free_port


def kiosk_print(server: str, tmp_path: Path, *args: str) -> Result:
    env = {"KIOSK__DEVICES__PRINTER__SERVER": server, "KIOSK_DATA_DIR": str(tmp_path / "data")}
    return CliRunner().invoke(main, ["print", *args], env=env)


@pytest.fixture
def a_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "notice.pdf"

    path.write_bytes(
        render_test_page(PrinterTestPage("k", "s", datetime(2026, 1, 1), printer="p", paper="a4"))
    )
    return path


def test_the_test_page_prints_and_exits_0_when_cups_says_completed(
    cupsd: PrivateCupsd, cups_queue: tuple[str, Path], tmp_path: Path
) -> None:
    queue, output = cups_queue
    result = kiosk_print(cupsd.server, tmp_path, "test-page", "--printer", queue)
    assert result.exit_code == 0, result.output
    assert f"completed on CUPS queue '{queue}' on {cupsd.server}" in result.output
    pdf = tmp_path / "page.pdf"
    pdf.write_bytes(pdf_inside(output.read_bytes()))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "打印测试页" in text and "demo-0001" in text and queue in text


def test_the_test_page_on_a_paused_queue_says_why_and_exits_1(
    cupsd: PrivateCupsd, cups_queue: tuple[str, Path], tmp_path: Path
) -> None:
    queue, _ = cups_queue
    cupsd.lp("cupsdisable", queue)
    result = kiosk_print(cupsd.server, tmp_path, "test-page", "--printer", queue)
    assert result.exit_code == 1
    assert "printing failed: paused: queue is paused (cupsenable)" in result.stderr


def test_a_file_on_a_missing_queue_exits_1_naming_the_queue(
    cupsd: PrivateCupsd, tmp_path: Path, a_pdf: Path
) -> None:
    result = kiosk_print(cupsd.server, tmp_path, str(a_pdf), "--printer", "nope", "--wait")
    assert result.exit_code == 1
    assert "CUPS queue 'nope'" in result.stderr and "does not exist" in result.stderr


def test_a_file_without_wait_is_accepted_and_with_wait_completed(
    cupsd: PrivateCupsd, cups_queue: tuple[str, Path], tmp_path: Path, a_pdf: Path
) -> None:
    queue, _ = cups_queue
    accepted = kiosk_print(cupsd.server, tmp_path, str(a_pdf), "--printer", queue)
    assert accepted.exit_code == 0 and "accepted by" in accepted.output
    completed = kiosk_print(cupsd.server, tmp_path, str(a_pdf), "--printer", queue, "--wait")
    assert completed.exit_code == 0 and "completed on" in completed.output


def test_a_rejecting_queue_exits_1_even_without_wait(
    cupsd: PrivateCupsd, cups_queue: tuple[str, Path], tmp_path: Path, a_pdf: Path
) -> None:
    queue, _ = cups_queue
    cupsd.lp("cupsreject", queue)
    result = kiosk_print(cupsd.server, tmp_path, str(a_pdf), "--printer", queue)
    assert result.exit_code == 1 and "not-accepting: queue rejects jobs" in result.stderr


def test_cupsd_down_exits_1_saying_so(tmp_path: Path) -> None:
    result = kiosk_print(f"127.0.0.1:{free_port()}", tmp_path, "test-page", "--printer", "kiosk")
    assert result.exit_code == 1
    assert "cannot reach cupsd" in result.stderr and "is the cups service running?" in result.stderr


def test_only_pdfs_are_printed(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    result = kiosk_print("127.0.0.1:1", tmp_path, str(text))
    assert result.exit_code == 2 and "is not a PDF" in result.output


def test_the_simulated_printer_prints_the_test_page(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["print", "test-page"], env={"KIOSK_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert "completed on simulated printer" in result.output
    assert len(list((tmp_path / "printed").glob("*.pdf"))) == 1


def test_an_unprovisioned_appliance_prints_no_test_page_and_says_why(tmp_path: Path) -> None:
    env = {"KIOSK_DATA_DIR": str(tmp_path), "KIOSK__KIOSK__MODE": "appliance"}
    result = CliRunner().invoke(main, ["print", "test-page"], env=env)
    assert result.exit_code == 1, result.output
    assert "printer: never provisioned, still on its simulator" in result.output
    assert "sudo kiosk provision" in result.output
    assert not (tmp_path / "printed").exists()
