"""The console benchmark runs in a tiny configuration on both databases and prints every figure it
promises, side by side (no timing is asserted: the machine running the tests is not the one the
figures are for)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(300)
def test_the_console_benchmark_prints_lag_and_page_times_for_both_databases() -> None:
    result = subprocess.run(
        [
            sys.executable, "-m", "bench.console", "--kiosks", "20", "--seconds", "4", "--rate", "10",
            "--pages", "5", "--ramp", "50",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )  # fmt: skip
    report = result.stdout
    assert report.startswith("console benchmark: kiosks=20 changes=10/s pages=5/s for 4 s"), (
        report + result.stderr
    )
    assert re.search(r"^\s+sqlite\s+postgresql$", report, re.M), report
    assert re.search(r"^all online in the console after\s+[\d.]+ s\s+[\d.]+ s$", report, re.M), report
    made = re.search(r"^changes made\s+(\d+)\s+(\d+)$", report, re.M)
    assert made and int(made.group(1)) >= 20 and int(made.group(2)) >= 20, report
    for label in ("ingest lag p99", "ingest lag max"):
        assert re.search(rf"^{label}\s+\d+ ms\s+\d+ ms$", report, re.M), report
    for label in ("fleet page p95", "baseline /signin p95"):
        assert re.search(rf"^{re.escape(label)}\s+[\d.]+ ms\s+[\d.]+ ms$", report, re.M), report
    assert re.search(r"^fleet page p95 / baseline p95\s+[\d.]+ x\s+[\d.]+ x$", report, re.M), report
    verdicts = [line for line in report.splitlines() if line.startswith("target")]
    assert len(verdicts) == 4, report
    assert result.returncode == (1 if any("NOT met" in line for line in verdicts) else 0), report
