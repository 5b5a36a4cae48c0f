"""Every CUPS configuration the project writes, checked by the cupsd Debian ships today (`cupsd -t`).

A security update of cups (2.4.2-3+deb12u11) began refusing a directive our tests had written for
years; cupsd then refuses to start. These tests fail on the day a cups update refuses what the
tests' private cupsd, scripts/install-appliance or the README's advice writes, with cupsd's reason.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cupsd import PrivateCupsd
from tests.daemons import DaemonFailed, require_executable

ROOT = Path(__file__).resolve().parents[1]


def cupsd_test(cupsd_conf: Path, cups_files: Path) -> subprocess.CompletedProcess[str]:
    """`cupsd -t`: cupsd reads both files as it would at start, says what it refuses, and exits."""
    return subprocess.run(
        [require_executable("/usr/sbin/cupsd"), "-t", "-c", str(cupsd_conf), "-s", str(cups_files)],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )


def assert_accepted(cupsd_conf: Path, cups_files: Path) -> None:
    result = cupsd_test(cupsd_conf, cups_files)
    said = result.stdout + result.stderr
    assert result.returncode == 0, said
    assert "Unknown directive" not in said and "Missing value" not in said, said


def test_the_tests_private_cupsd_configuration_is_accepted() -> None:
    cupsd = PrivateCupsd()
    try:
        assert_accepted(*cupsd.config_files)
    finally:
        cupsd.close()


def test_a_refused_configuration_fails_with_cupsds_own_reason() -> None:
    # What the suite printed on the day of the cups update was "cupsd exited with 1:" and nothing
    # else; the reason was in cupsd's error_log.
    cupsd = PrivateCupsd()
    try:
        _, cups_files = cupsd.config_files
        cups_files.write_text(cups_files.read_text() + "NoSuchDirective Yes\n")
        with pytest.raises(DaemonFailed) as failure:
            cupsd.start()
        assert "NoSuchDirective" in str(failure.value)
        assert "error_log" in str(failure.value)
    finally:
        cupsd.close()


def test_install_appliance_leaves_a_cups_configuration_cupsd_accepts(tmp_path: Path) -> None:
    # Debian's own files as the cups package installs them, with the lines an earlier release of
    # install-appliance wrote into cups-files.conf, where cupsd does not know them and stops.
    etc = tmp_path / "etc" / "cups"
    etc.mkdir(parents=True)
    for name in ("cupsd.conf", "cups-files.conf"):
        source = Path("/etc/cups") / name
        if not source.is_file():
            pytest.fail(f"{source} is missing: scripts/install-deps installs cups-daemon (run make test)")
        shutil.copy(source, etc / name)
    with (etc / "cups-files.conf").open("a") as earlier:
        earlier.write("PreserveJobFiles No\npreservejobhistory No\n")  # cupsd reads names in any case
    with (etc / "cupsd.conf").open("a") as by_hand:
        by_hand.write("PreserveJobFiles No\npreservejobfiles Yes\n")  # the last one is in force
    assert cupsd_test(etc / "cupsd.conf", etc / "cups-files.conf").returncode != 0  # as it was

    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "install-appliance"), "--root", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )

    assert_accepted(etc / "cupsd.conf", etc / "cups-files.conf")
    cupsd_lines = (etc / "cupsd.conf").read_text().splitlines()
    for line in ("PreserveJobFiles No", "PreserveJobHistory No", "Browsing No"):
        assert line in cupsd_lines
    assert "Browsing Yes" not in cupsd_lines  # Debian's value, replaced
    assert "preserve" not in (etc / "cups-files.conf").read_text().lower()
    assert "preservejobfiles yes" not in (etc / "cupsd.conf").read_text().lower()
    # Debian's own settings are kept.
    assert "Listen /run/cups/cups.sock" in cupsd_lines


def test_the_readmes_cupsd_advice_is_accepted(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    advice = re.search(r"`/etc/cups/cupsd\.conf`.*?\n\n```\n(.*?)```", readme, re.S)
    assert advice is not None, "README.md no longer shows the cupsd.conf lines for an appliance"
    (tmp_path / "cupsd.conf").write_text("Listen 127.0.0.1:631\n" + advice.group(1))
    (tmp_path / "cups-files.conf").write_text(f"ServerRoot {tmp_path}\n")
    assert_accepted(tmp_path / "cupsd.conf", tmp_path / "cups-files.conf")
