"""The platform benchmark runs in a tiny configuration and prints every figure it promises
(no timing is asserted: the machine running the tests is not the one the figures are for)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NUMBER = r"-?\d+\.\d+"


def test_the_platform_benchmark_prints_signing_steps_memory_and_the_verdict() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.platform", "--rounds", "3", "--signs", "50", "--flows", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = result.stdout
    assert result.returncode == 0, f"stdout:\n{report}\nstderr:\n{result.stderr}"
    lines = report.splitlines()
    assert lines[0].startswith("platform adapter benchmark: rounds=3 signs=50 flows=3"), report
    for alg in ("SHA256", "SM3"):
        for body in ("empty body", "1 KiB body"):
            pattern = rf"{alg}, {body}\s+{NUMBER} us\s+{NUMBER} us\s+x {NUMBER}"
            assert any(re.fullmatch(pattern, line) for line in lines), f"no {alg}, {body}:\n{report}"
    steps = ("services", "open_session", "case", "certificate", "submit_rating", "close_session")
    for step in steps:
        pattern = rf"{step}(\s+{NUMBER}){{4}}\s+x {NUMBER}\s+(met|NOT met)"
        assert any(re.fullmatch(pattern, line) for line in lines), f"no {step}:\n{report}"
    document = re.search(r"memory, one document step \((\d+) KiB PDF\): tracemalloc peak \d+ KiB", report)
    assert document and int(document[1]) >= 90, report  # the ~100 KiB certificate
    assert re.search(r"memory, RSS over 3 flows: .* growth [+-]\d+\.\d MiB", report), report
    verdict = r"target: the kiosk adds at most 50 ms to any step \(p95\): (met|NOT met by .+)"
    assert re.fullmatch(verdict, lines[-1]), report
