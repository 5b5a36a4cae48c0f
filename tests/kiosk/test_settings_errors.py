"""Bad settings found by fuzzing and by hand: one line that says what and where, from every command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.release_format import validate_pushed_config
from kiosk.settings import (
    DEFAULTS_FILE,
    SettingsError,
    environment_layer,
    load_settings,
    read_toml_layer,
    standard_layers,
)

KIOSK = str(Path(sys.executable).with_name("kiosk"))

#: Every command that loads the settings or opens the data directory before doing anything.
COMMANDS = [
    ["config", "show"],
    ["guides", "stats"],
    ["doctor"],
    ["sync", "status"],
    ["sync", "--once"],
    ["run"],
    ["technician", "audit"],
]

#: A bad input (as environment variables, given the test's folder), and what its one line must say.
BadInput = Callable[[Path], dict[str, str]]
BAD_INPUTS: dict[str, tuple[BadInput, list[str]]] = {
    "table over a value": (
        lambda _: {"KIOSK__SESSION__IDLE_SECONDS": "{a=1}"},
        ["environment variable KIOSK__SESSION__IDLE_SECONDS: session.idle_seconds: must be one value"],
    ),
    "key inside a value": (
        lambda _: {"KIOSK__SESSION__IDLE_SECONDS__X": "1"},
        ["environment variable KIOSK__SESSION__IDLE_SECONDS__X: session.idle_seconds: must be one value"],
    ),
    "site file not UTF-8": (
        lambda folder: {
            "KIOSK_CONFIG": str(_write(folder / "gbk.toml", '[kiosk]\nsite_name = "环翠"\n', "gbk"))
        },
        ["gbk.toml: (file): not UTF-8 text: byte 0xbb on line 2"],
    ),
    "site file is a folder": (
        lambda folder: {"KIOSK_CONFIG": str(folder)},
        ["environment: KIOSK_CONFIG:", "is a directory, not a settings file"],
    ),
    "data directory under a file": (
        lambda folder: {"KIOSK_DATA_DIR": str(_write(folder / "plain", "", "utf-8") / "data")},
        ["environment: KIOSK_DATA_DIR: the data directory", "plain is a file, not a directory"],
    ),
    "driver not installed": (
        lambda _: {"KIOSK__DEVICES__PRINTER__DRIVER": "nosuch"},
        [
            "environment variable KIOSK__DEVICES__PRINTER__DRIVER: devices.printer.driver:",
            "no driver named 'nosuch' is installed (installed: auto, cups, none, sim)",
        ],
    ),
}


def _write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_every_command_says_what_and_where_in_one_line(tmp_path: Path, command: list[str], case: str) -> None:
    site = tmp_path / "kiosk.toml"
    site.write_text("", encoding="utf-8")
    data = tmp_path / "data"
    bad, expected = BAD_INPUTS[case]
    env = {"KIOSK_CONFIG": str(site), "KIOSK_DATA_DIR": str(data), **bad(tmp_path)}
    result = CliRunner().invoke(main, command, env=env)
    assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
    assert result.exit_code == 1, result.output  # as every command that could not run; 2 is a bad flag
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: invalid settings: "), result.output
    for part in expected:
        assert part in lines[0]
    # Nothing was changed: no database or file was written before the settings were refused.
    assert not data.exists() or not list(data.iterdir())


def test_a_data_directory_without_permission_is_one_line_naming_the_folder(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    # Root may write anywhere: without the capability to override permissions it is refused as a
    # technician's own account would be.
    drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    if drop and shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed to drop root's override")
    env = {**os.environ, "KIOSK_DATA_DIR": str(locked / "data"), "KIOSK_CONFIG": str(DEFAULTS_FILE)}
    result = subprocess.run(
        [*drop, KIOSK, "guides", "stats"], capture_output=True, text=True, env=env, check=False, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"KIOSK_DATA_DIR: the data directory {locked / 'data'} cannot be created" in result.stderr
    assert f"permission denied: {locked} is not writable" in result.stderr
    assert not list(locked.iterdir())


def test_kiosk_data_dir_in_a_site_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("", encoding="utf-8")
    site = tmp_path / "kiosk.toml"
    site.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "plain" / "data"}"\n', encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        standard_layers({"KIOSK_CONFIG": str(site)})
    assert (caught.value.key, caught.value.source) == ("kiosk.data_dir", str(site))


def test_a_site_file_not_in_utf8_names_the_line(tmp_path: Path) -> None:
    site = tmp_path / "kiosk.toml"
    site.write_bytes(b'[kiosk]\nid = "wh-1"\n# \xe7\x8e\xaf\xe7\xbf\xa0 \xff\n')
    with pytest.raises(SettingsError) as caught:
        read_toml_layer(site)
    assert (caught.value.key, caught.value.source) == ("(file)", str(site))
    assert "byte 0xff on line 3" in caught.value.reason


@pytest.mark.parametrize(
    ("environ", "key", "source"),
    [
        (
            {"KIOSK__SESSION": "{idle_seconds = 30}", "KIOSK__SESSION__IDLE_SECONDS__X": "1"},
            "session.idle_seconds",
            "environment variable KIOSK__SESSION__IDLE_SECONDS__X",
        ),
        ({"KIOSK__SESSION": "5"}, "session", "environment variable KIOSK__SESSION"),
        (
            {"KIOSK__SESSION": "{idle_second = 30}"},
            "session.idle_second",
            "environment variable KIOSK__SESSION",
        ),
        (
            {"KIOSK__ATTRACT__NOTICES__TEXT": "x"},
            "attract.notices",
            "environment variable KIOSK__ATTRACT__NOTICES__TEXT",
        ),
        (
            {"KIOSK__SESSION__IDLE_SECOND": "30"},
            "session.idle_second",
            "environment variable KIOSK__SESSION__IDLE_SECOND",
        ),
    ],
)
def test_an_environment_error_names_the_variable_and_the_key(
    environ: dict[str, str], key: str, source: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings([read_toml_layer(DEFAULTS_FILE), environment_layer(environ)])
    assert (caught.value.key, caught.value.source) == (key, source)


def test_a_value_inside_another_variables_value_names_both() -> None:
    environ = {"KIOSK__SESSION__IDLE_SECONDS": "30", "KIOSK__SESSION__IDLE_SECONDS__X": "1"}
    with pytest.raises(SettingsError) as caught:
        environment_layer(environ)
    assert caught.value.source == "environment variable KIOSK__SESSION__IDLE_SECONDS__X"
    assert "already set to one value by environment variable KIOSK__SESSION__IDLE_SECONDS" in str(
        caught.value
    )


def test_an_item_of_a_list_is_blamed_on_the_layer_that_set_the_list(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(
            [
                read_toml_layer(DEFAULTS_FILE),
                environment_layer({"KIOSK__DEVICES__SCANNER__SYMBOLOGIES": "[1]"}),
            ]
        )
    assert caught.value.key == "devices.scanner.symbologies.0"
    assert caught.value.source == "environment variable KIOSK__DEVICES__SCANNER__SYMBOLOGIES"

    site = tmp_path / "kiosk.toml"
    for notice in ('text = "停电通知"\nimage = "notice.gif"\n', 'image = ""\n'):
        site.write_text(f"[[attract.notices]]\n{notice}", encoding="utf-8")
        with pytest.raises(SettingsError) as caught:
            load_settings([read_toml_layer(DEFAULTS_FILE), read_toml_layer(site)])
        assert caught.value.key.startswith("attract.notices.0")
        assert caught.value.source == str(site)


def test_a_driver_must_be_installed_and_the_message_lists_those_that_are(tmp_path: Path) -> None:
    site = tmp_path / "kiosk.toml"
    site.write_text('[devices.id_reader]\ndriver = "serail"\n', encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings([read_toml_layer(DEFAULTS_FILE), read_toml_layer(site)])
    assert (caught.value.key, caught.value.source) == ("devices.id_reader.driver", str(site))
    assert (
        "installed: none, serial, sim" in caught.value.reason
        and "did you mean 'serial'?" in caught.value.reason
    )


def test_pushed_configuration_naming_a_driver_this_kiosk_lacks_is_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    pushed = b'[devices.printer]\ndriver = "acme"\n'
    # The publishing machine need not have the kiosks' driver packages: it does not judge drivers.
    assert validate_pushed_config(pushed, "all.toml") == {"devices": {"printer": {"driver": "acme"}}}
    (tmp_path / "data" / "pushed").mkdir(parents=True)
    (tmp_path / "data" / "pushed" / "all.toml").write_bytes(pushed)
    (tmp_path / "kiosk.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "kiosk.toml"))
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    # The kiosk does: it keeps its last good settings.
    assert load_settings().settings.devices.printer.driver == "sim"
    assert "pushed configuration ignored" in caplog.text and "'acme'" in caplog.text


def test_provision_with_a_data_directory_that_cannot_be_created_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("", encoding="utf-8")
    site = tmp_path / "kiosk.toml"
    env = {
        "KIOSK_CONFIG": str(site),
        "KIOSK_DATA_DIR": str(tmp_path / "plain" / "data"),
        "KIOSK_PROVISION_PIN": "246813",
    }
    identity = ["--kiosk-id", "wh-1", "--site-name", "站", "--site-address", "路 1 号", "--help-desk", "台"]
    devices = [
        "--id-reader-port",
        "sim",
        "--sscard-reader",
        "sim",
        "--scanner",
        "sim",
        "--printer-queue",
        "sim",
    ]
    result = CliRunner().invoke(main, ["provision", "--non-interactive", *identity, *devices], env=env)
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1, result.output
    assert result.output.startswith("Error: nothing was changed: environment: KIOSK_DATA_DIR:")
    assert "plain is a file, not a directory" in result.output
    assert not site.exists()
