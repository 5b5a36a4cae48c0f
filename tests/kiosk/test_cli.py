from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import kiosk.cli
from kiosk.cli import main
from tests.cli_commands import all_commands
from tests.installed_plugins import InstalledPlugins, installed_plugins

ROOT = Path(__file__).resolve().parents[2]
#: Every subcommand of `kiosk`, each registered in the `kiosk.commands` entry-point group.
COMMANDS = (
    "config",
    "doctor",
    "fleet",
    "guides",
    "hw",
    "platform",
    "print",
    "provision",
    "run",
    "sim",
    "sync",
    "technician",
    "tour",
)


@pytest.mark.parametrize(
    ("path", "command"),
    all_commands(main),
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else "",
)
def test_every_command_and_option_is_documented(path: tuple[str, ...], command: click.Command) -> None:
    assert command.help, f"kiosk {' '.join(path)} has no help text"
    for parameter in command.params:
        if isinstance(parameter, click.Option):
            assert parameter.help, f"kiosk {' '.join(path)} {parameter.opts[0]} has no help text"
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


@pytest.mark.parametrize(("option", "value"), [("--variant", "fr"), ("--orientation", "diagonal")])
def test_tour_refuses_an_unknown_variant_or_orientation(option: str, value: str) -> None:
    result = CliRunner().invoke(main, ["tour", "--out", "/tmp/x", option, value])
    assert result.exit_code == 2 and f"'{value}' is not one of" in result.output


def test_kiosk_lists_every_command_with_its_short_help() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    listed = result.output.split("Commands:")[1].splitlines()
    assert sorted(line.split()[0] for line in listed if line.strip()) == sorted(COMMANDS)
    assert any(line.split()[0] == "run" and "touch UI" in line for line in listed if line.strip())
    assert any(line.split()[0] == "tour" and "offscreen" in line for line in listed if line.strip())


def test_kiosk_run_shows_its_help_without_starting_the_ui() -> None:
    result = CliRunner().invoke(main, ["run", "--help"])
    assert result.exit_code == 0 and "--windowed" in result.output and "--size" in result.output


def test_the_scan_command_stays_under_hw() -> None:
    result = CliRunner().invoke(main, ["hw", "scan", "--help"])
    assert result.exit_code == 0 and "zbar" in result.output


def test_an_unknown_command_is_refused() -> None:
    result = CliRunner().invoke(main, ["fly"])
    assert result.exit_code == 2 and "No such command 'fly'" in result.output


def loaded_after(code: str) -> set[str]:
    """The top-level packages and kiosk.cli modules a fresh interpreter has loaded after `code`."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    return set(done.stdout.split())


def test_importing_the_command_loads_no_command_nor_the_screens() -> None:
    loaded = loaded_after("import kiosk.cli")
    assert not {name for name in loaded if name.split(".")[0] in {"screens", "kivy"}}
    assert not {name for name in loaded if name.startswith("kiosk.cli.")}


def test_a_core_command_runs_without_the_screens() -> None:
    loaded = loaded_after(
        "from kiosk.cli import main\ntry:\n    main(['config', '--help'])\nexcept SystemExit:\n    pass"
    )
    assert "kiosk.cli.config_cmd" in loaded
    assert not {name for name in loaded if name.split(".")[0] in {"screens", "kivy"}}
    assert "kiosk.cli.provision_cmd" not in loaded


def test_loading_settings_loads_no_drivers_library() -> None:
    # Every command loads its settings, the drivers' own keys included: through their settings
    # modules only, not the drivers (pyserial, pyscard, pycups) nor the heavier parts of the core.
    loaded = loaded_after("from kiosk.settings import load_settings\nload_settings()")
    assert "drivers.idcard.settings" in loaded  # the drivers' keys are there
    heavy = {"serial", "smartcard", "cups", "cv2", "pyzbar", "kiosk.barcodes", "kiosk.printing"}
    assert not {name for name in loaded if name.split(".")[0] in heavy or name in heavy}
    assert not {name for name in loaded if name.startswith("drivers.") and not name.endswith(".settings")} - {
        "drivers.idcard",
        "drivers.sscard",
        "drivers.scanner",
        "drivers.printer",
        "drivers.speech",
        "drivers.camera",
    }


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InstalledPlugins]:
    yield from installed_plugins(tmp_path, monkeypatch)


def test_a_command_whose_package_cannot_be_loaded_is_named_and_the_others_still_work(
    plugins: InstalledPlugins,
) -> None:
    plugins.install(
        "broken_kiosk_command",
        {"kiosk.commands": {"zap": "broken_kiosk_command:zap"}},
        {"broken_kiosk_command/__init__.py": "import vendor_library_that_is_not_installed\n"},
    )
    listed = CliRunner().invoke(main, ["--help"])
    assert listed.exit_code == 0, listed.output
    assert "zap" in listed.output and "cannot be loaded" in listed.output
    assert "provision" in listed.output
    refused = CliRunner().invoke(main, ["zap"])
    assert refused.exit_code == 1
    assert "command zap (kiosk.commands) cannot be loaded" in refused.output
    assert "vendor_library_that_is_not_installed" in refused.output
    assert CliRunner().invoke(main, ["config", "--help"]).exit_code == 0


def test_an_installation_without_the_commands_says_to_reinstall(monkeypatch: pytest.MonkeyPatch) -> None:
    # What a checkout updated without reinstalling looks like: the group has no entry points.
    monkeypatch.setattr(kiosk.cli, "ENTRY_POINT_GROUP", "kiosk.commands.not_installed")
    result = CliRunner().invoke(main, ["run"])
    assert result.exit_code == 2
    assert "no kiosk commands are registered" in result.output and "make deps" in result.output
