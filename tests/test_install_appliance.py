"""scripts/install-appliance, into a throwaway root: its plan, what it writes, and idempotence."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.appliance import build_kiosk
from kiosk.cli import main
from kiosk.journey import NO_GUIDES, Screen
from kiosk.settings import load_settings, standard_layers
from tests.conftest import run_now
from tests.daemons import require_executable
from tests.kiosk.test_appliance_content import fill_catalogue

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "install-appliance"
# Users, packages and services cannot be managed inside a throwaway root: those steps stay planned.
SYSTEM_STEPS = ("install Debian packages", "create the system user kiosk", "enable kiosk.service")
KIOSK_UID, KIOSK_GID = 64123, 64124  # the throwaway root's kiosk user, unknown to this machine
NOBODY = 65534


def install(root: Path, *options: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(root), *options],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def planned(lines: list[str], verb: str) -> list[str]:
    return [line.split(None, 1)[1] for line in lines if line.startswith(verb)]


def test_the_dry_run_plans_everything_and_changes_nothing(tmp_path: Path) -> None:
    lines = install(tmp_path, "--dry-run")
    plan = planned(lines, "plan")
    assert any(step.startswith("install Debian packages: cage ") for step in plan)
    for expected in (
        "directory /var/lib/kiosk (mode 750, owner kiosk:kiosk)",
        "copy the project to /opt/kiosk and install it into /opt/kiosk/.venv",
        "write /etc/systemd/system/kiosk.service (mode 644)",
        "write /etc/systemd/system/kiosk-sync.timer (mode 644)",
        "write /etc/systemd/journald.conf.d/kiosk.conf (mode 644)",
        "write /etc/polkit-1/rules.d/50-kiosk-reboot.rules (mode 644)",
        "reload systemd's units (they may have changed)",
        'mark this machine as an appliance in /etc/kiosk/kiosk.toml ([kiosk] mode = "appliance", unless it '
        "names a mode already): a device never provisioned is out of service, not simulated",
    ):
        assert expected in plan
    assert any("PreserveJobFiles No" in step for step in plan)
    assert list(tmp_path.iterdir()) == []


def test_the_ui_syncs_so_the_timer_is_installed_but_not_enabled(tmp_path: Path) -> None:
    # The running UI syncs every sync.interval_minutes itself (Kiosk.start starts SyncScheduler):
    # an enabled kiosk-sync.timer would sync a second time from another process.
    lines = install(tmp_path)
    assert "apply     write /etc/systemd/system/kiosk-sync.timer (mode 644)" in lines
    enable = next(line for line in lines if "would run: systemctl enable" in line)
    assert enable.split("would run: ")[1] == "systemctl enable kiosk.service cups.service pcscd.socket"


def test_no_virtual_pdf_printer_on_a_kiosk(tmp_path: Path) -> None:
    # printer-driver-cups-pdf would make provisioning offer "CUPS-PDF" as a printer attached to the
    # kiosk; benches and the tests get it from scripts/install-deps.
    packages = next(
        step for step in planned(install(tmp_path, "--dry-run"), "plan") if "Debian packages" in step
    )
    assert "cups-filters" in packages.split() and "printer-driver-cups-pdf" not in packages.split()
    assert "printer-driver-cups-pdf" in (ROOT / "scripts" / "install-deps").read_text()


POLKIT_RULE = "etc/polkit-1/rules.d/50-kiosk-reboot.rules"
# polkit's rules are JavaScript (polkitd's duktape engine on Debian 12): evaluated here by node with
# a polkit object that answers as polkitd does (NOT_HANDLED is null there).
JUDGE = """
const rules = [];
const polkit = {Result: {YES: "yes", NO: "no", AUTH_ADMIN: "auth_admin", NOT_HANDLED: null},
                addRule: (rule) => rules.push(rule)};
eval(require("fs").readFileSync(process.argv[1], "utf8"));
const answers = JSON.parse(process.argv[2]).map(([action, user]) => {
  for (const rule of rules) {
    const answer = rule({id: action}, {user: user, isInGroup: () => false});
    if (answer !== null && answer !== undefined) return answer;
  }
  return null;
});
console.log(JSON.stringify(answers));
"""


def test_the_kiosk_account_may_reboot_through_polkit_and_nothing_more(tmp_path: Path) -> None:
    # The fleet's `reboot` command runs `systemctl reboot` as user kiosk; logind asks polkit.
    packages = next(
        step for step in planned(install(tmp_path, "--dry-run"), "plan") if "Debian packages" in step
    )
    assert "polkitd" in packages.split()
    install(tmp_path)
    rule = tmp_path / POLKIT_RULE
    assert rule.read_bytes() == (ROOT / "config/polkit/50-kiosk-reboot.rules").read_bytes()
    assert stat.S_IMODE(rule.stat().st_mode) == 0o644  # polkitd reads it as its own user
    node = require_executable("node")
    cases = [
        ("org.freedesktop.login1.reboot", "kiosk", "yes"),
        ("org.freedesktop.login1.reboot-multiple-sessions", "kiosk", "yes"),
        ("org.freedesktop.login1.reboot-ignore-inhibit", "kiosk", None),
        ("org.freedesktop.login1.power-off", "kiosk", None),
        ("org.freedesktop.login1.halt", "kiosk", None),
        ("org.freedesktop.systemd1.manage-units", "kiosk", None),
        ("org.freedesktop.login1.reboot", "kiosk2", None),
        ("org.freedesktop.login1.reboot", "nobody", None),
    ]
    asked = json.dumps([[action, user] for action, user, _ in cases])
    result = subprocess.run([node, "-e", JUDGE, str(rule), asked], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == [answer for _, _, answer in cases]


def test_installing_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    # The throwaway root has its own accounts, as a debootstrapped one does: the owners come from there.
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/passwd").write_text(
        f"root:x:0:0:root:/root:/bin/bash\nkiosk:x:{KIOSK_UID}:{KIOSK_GID}::/var/lib/kiosk:/usr/sbin/nologin\n"
    )
    assert "reload systemd's units (they may have changed)" in planned(install(tmp_path), "apply")
    assert (tmp_path / "etc/systemd/system/kiosk.service").read_bytes() == (
        ROOT / "systemd/kiosk.service"
    ).read_bytes()
    for directory, owner, mode in (
        ("var/lib/kiosk", (KIOSK_UID, KIOSK_GID), 0o750),
        ("etc/kiosk", (0, 0), 0o755),
        ("opt/kiosk", (0, 0), 0o755),
    ):
        status = (tmp_path / directory).stat()
        assert ((status.st_uid, status.st_gid), stat.S_IMODE(status.st_mode)) == (owner, mode), directory
    assert "PreserveJobFiles No" in (tmp_path / "etc/cups/cupsd.conf").read_text().splitlines()
    assert (tmp_path / "opt/kiosk/kiosk/session.py").is_file()
    second = planned(install(tmp_path), "apply")
    assert all(step.startswith(SYSTEM_STEPS) for step in second), second


def test_an_upgrade_removes_what_the_project_no_longer_has(tmp_path: Path) -> None:
    install(tmp_path)
    installed = tmp_path / "opt/kiosk"
    stale = installed / "kiosk/removed_module.py"
    stale_folder = installed / "kiosk/removed_package"
    stale.write_text("import os\n")
    (stale_folder / "__pycache__").mkdir(parents=True)  # only its caches left: still importable
    (stale_folder / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"")
    cache = installed / "kiosk/__pycache__/session.cpython-311.pyc"
    cache.parent.mkdir(exist_ok=True)
    cache.write_bytes(b"compiled")
    (installed / ".installed-digest").write_text("an earlier release")
    install(tmp_path)
    assert not stale.exists() and not stale_folder.exists()
    assert cache.read_bytes() == b"compiled"  # the UI cannot write /opt/kiosk: its caches stay
    assert (installed / "kiosk/session.py").is_file()
    assert (installed / ".installed-digest").read_text() != "an earlier release"


def as_nobody(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/usr/bin/python3", *command],  # the venv's interpreter may live under /root
        capture_output=True,
        text=True,
        check=False,
        user=NOBODY,
        group=NOBODY,
        extra_groups=[],
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="root drops to another user for this test")
def test_a_throwaway_root_needs_no_root() -> None:
    """Directory owners are given only as root; anyone may install into a folder of their own."""
    if as_nobody("-c", f"import os; os.listdir({str(ROOT / 'kiosk')!r})").returncode != 0:
        pytest.skip("this checkout is not readable by other users")
    with tempfile.TemporaryDirectory(prefix="kiosk-install-") as scratch:
        folder = Path(scratch)
        (folder / "etc").mkdir()
        (folder / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
        for path in (folder, folder / "etc"):
            os.chown(path, NOBODY, NOBODY)
        result = as_nobody(str(SCRIPT), "--root", str(folder))
        assert result.returncode == 0, result.stderr
        assert "apply     directory /etc/kiosk (mode 755; owner root only when run as root)" in result.stdout
        assert (folder / "etc/systemd/system/kiosk.service").is_file()


SITE = "etc/kiosk/kiosk.toml"


def test_an_installed_appliance_says_so_in_its_site_file(tmp_path: Path) -> None:
    # What makes it an appliance: a device never provisioned is out of service there, not simulated.
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/passwd").write_text(
        f"kiosk:x:{KIOSK_UID}:{KIOSK_GID}::/var/lib/kiosk:/usr/sbin/nologin\n"
    )
    lines = install(tmp_path)
    assert any(
        line.startswith("apply     mark this machine as an appliance in /etc/kiosk/kiosk.toml")
        for line in lines
    )
    site = tmp_path / SITE
    assert tomllib.loads(site.read_text()) == {"kiosk": {"mode": "appliance"}}
    status = site.stat()
    assert stat.S_IMODE(status.st_mode) == 0o640  # as `kiosk provision` writes it: the PIN hash goes here
    if os.geteuid() == 0:
        assert (status.st_uid, status.st_gid) == (0, KIOSK_GID)
    second = install(tmp_path)
    assert any(line.startswith("ok       mark this machine as an appliance") for line in second)


def test_a_provisioned_site_file_gets_the_mode_and_keeps_every_other_line(tmp_path: Path) -> None:
    site = tmp_path / SITE
    site.parent.mkdir(parents=True)
    before = (
        '# provisioned on 2026-12-01\n[kiosk]\nid = "wh-0001"  # the host name\n\n'
        '[devices.printer]\ndriver = "cups"\n'
    )
    site.write_text(before)
    site.chmod(0o600)
    install(tmp_path)
    after = site.read_text()
    assert after == before.replace("[kiosk]\n", '[kiosk]\nmode = "appliance"\n')
    assert stat.S_IMODE(site.stat().st_mode) == 0o600

    showroom = '[kiosk]\nmode = "showroom"\n'
    site.write_text(showroom)
    install(tmp_path)
    assert site.read_text() == showroom  # a mode the site chose stays


def test_a_site_file_brought_from_a_laptop_is_refused_not_kept(tmp_path: Path) -> None:
    site = tmp_path / SITE
    site.parent.mkdir(parents=True)
    laptop = '[kiosk]\nmode = "development"\n'
    site.write_text(laptop)
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert 'says [kiosk] mode = "development", which runs simulators' in result.stderr
    assert site.read_text() == laptop


def test_a_site_file_without_a_kiosk_table_gets_one(tmp_path: Path) -> None:
    site = tmp_path / SITE
    site.parent.mkdir(parents=True)
    site.write_text("[display]\nrotation = 90\n")
    install(tmp_path)
    assert tomllib.loads(site.read_text()) == {"kiosk": {"mode": "appliance"}, "display": {"rotation": 90}}


def test_the_installed_configuration_fails_doctor_until_provisioned(tmp_path: Path) -> None:
    install(tmp_path)
    result = CliRunner().invoke(
        main,
        ["doctor", "--json"],
        env={"KIOSK_CONFIG": str(tmp_path / SITE), "KIOSK_DATA_DIR": str(tmp_path / "var/lib/kiosk")},
    )
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "fail"
    checks = {check["name"]: check for check in report["checks"]}
    for device in ("id_reader", "sscard_reader", "printer", "scanner", "speaker", "camera"):
        assert checks[device]["status"] == "fail", checks[device]
        assert "still on its simulator" in checks[device]["detail"]
        assert "`sudo kiosk provision`" in checks[device]["detail"]
    # No demo guides on an appliance: the catalogue fails too, saying how to fill it.
    assert checks["catalogue"]["status"] == "fail" and checks["catalogue"]["critical"]
    assert "sudo kiosk guides import" in checks["catalogue"]["detail"]


def test_the_installed_configuration_tells_residents_what_does_not_work(tmp_path: Path) -> None:
    # The kiosk as kiosk.service starts it on the freshly installed root, before any provisioning.
    install(tmp_path)
    environ = {"KIOSK_CONFIG": str(tmp_path / SITE), "KIOSK_DATA_DIR": str(tmp_path / "var/lib/kiosk")}
    kiosk = build_kiosk(load_settings(standard_layers(environ)), environ=environ, background=run_now)
    try:
        assert sorted(kiosk.devices.out_of_service) == [
            "camera", "id_reader", "printer", "scanner", "speaker", "sscard_reader",
        ]  # fmt: skip
        journey = kiosk.journey
        journey.wake()
        assert not journey.voice_offered
        # Never the demo guides: home says the guides are not here yet and leads to none of them.
        assert kiosk.catalogue.count() == 0 and journey.view.no_guides == NO_GUIDES
        assert journey.view.tasks == {"rate"}
        journey.open_identify()
        assert journey.view.identify.unavailable == {"id_reader", "sscard_reader"}
        fill_catalogue(kiosk.catalogue)  # as the first sync leaves it
        journey.home()
        assert "identify" not in journey.view.tasks  # neither reader reads: no card tile
        journey.open_guide("371000-SB-0012")
        journey.print_checklist()
        assert journey.view.screen is Screen.PRINT_FAILED
        assert not (tmp_path / "var/lib/kiosk/printed").exists()
    finally:
        kiosk.close()
