from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.settings import (
    DEFAULTS_FILE,
    Layer,
    SettingsError,
    environment_layer,
    load_settings,
    read_toml_layer,
    standard_layers,
)


def defaults() -> Layer:
    return read_toml_layer(DEFAULTS_FILE)


def test_defaults_alone_are_valid_and_use_simulators_everywhere() -> None:
    settings = load_settings([defaults()]).settings
    devices = settings.devices
    drivers = {devices.id_reader.driver, devices.sscard_reader.driver, devices.scanner.driver}
    assert drivers | {devices.printer.driver, devices.speaker.driver, devices.camera.driver} == {"sim"}
    assert settings.kiosk.language == "zh_CN"


def test_later_layers_win_and_origins_name_the_source(tmp_path: Path) -> None:
    site = tmp_path / "kiosk.toml"
    site.write_text('[kiosk]\nid = "wh-hc-0042"\n[session]\nidle_seconds = 120\n', encoding="utf-8")
    env = environment_layer({"KIOSK__SESSION__IDLE_SECONDS": "45", "UNRELATED": "x"})
    loaded = load_settings([defaults(), read_toml_layer(site), env])
    assert loaded.settings.kiosk.id == "wh-hc-0042"
    assert loaded.settings.session.idle_seconds == 45
    assert loaded.origins["kiosk.id"] == str(site)
    assert loaded.origins["session.idle_seconds"] == "environment variable KIOSK__SESSION__IDLE_SECONDS"
    assert loaded.origins["display.theme"] == str(DEFAULTS_FILE)


def test_unknown_key_names_the_key_the_file_and_a_suggestion(tmp_path: Path) -> None:
    site = tmp_path / "kiosk.toml"
    site.write_text("[session]\nidle_second = 30\n", encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings([defaults(), read_toml_layer(site)])
    error = caught.value
    assert error.key == "session.idle_second"
    assert error.source == str(site)
    assert "did you mean 'session.idle_seconds'" in str(error)


def test_unknown_section_is_an_error(tmp_path: Path) -> None:
    site = tmp_path / "kiosk.toml"
    site.write_text("[printer]\ndriver = 'cups'\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"printer: unknown key"):
        load_settings([defaults(), read_toml_layer(site)])


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[session]\nidle_seconds = -3\n", "session.idle_seconds"),
        ("[session]\nidle_seconds = 'soon'\n", "session.idle_seconds"),
        ("[display]\ntheme = 'neon'\n", "display.theme"),
        ("[display]\nwindow_size = 'big'\n", "display.window_size"),
        ("[kiosk]\nlanguage = 'fr'\n", "kiosk.language"),
        ("[devices.id_reader]\nbaud = 12345\n", "devices.id_reader.baud"),
        ("[handover]\nurl_template = 'https://x/{guide}'\n", "handover.url_template"),
    ],
)
def test_invalid_value_names_the_key_and_the_file(tmp_path: Path, toml: str, key: str) -> None:
    site = tmp_path / "kiosk.toml"
    site.write_text(toml, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings([defaults(), read_toml_layer(site)])
    assert caught.value.key == key
    assert caught.value.source == str(site)


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    site = tmp_path / "kiosk.toml"
    site.write_text("[kiosk\nid = 1\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=str(site)):
        read_toml_layer(site)


def test_environment_values_are_typed_and_bad_ones_named() -> None:
    env = environment_layer(
        {"KIOSK__DISPLAY__FULLSCREEN": "false", "KIOSK__KIOSK__SITE_NAME": "羊亭镇便民服务站"}
    )
    loaded = load_settings([defaults(), env])
    assert loaded.settings.display.fullscreen is False
    assert loaded.settings.kiosk.site_name == "羊亭镇便民服务站"
    with pytest.raises(SettingsError) as caught:
        load_settings([defaults(), environment_layer({"KIOSK__SESSION__WARNING_SECONDS": "abc"})])
    assert (caught.value.key, caught.value.source) == (
        "session.warning_seconds",
        "environment variable KIOSK__SESSION__WARNING_SECONDS",
    )


def test_kiosk_config_names_a_site_file_that_must_exist(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="does not exist"):
        standard_layers({"KIOSK_CONFIG": str(tmp_path / "missing.toml")})


def test_config_show_json_prints_effective_settings(tmp_path: Path) -> None:
    site = tmp_path / "kiosk.toml"
    site.write_text('[kiosk]\nsite_name = "高区便民服务站"\n', encoding="utf-8")
    env = {
        "KIOSK_CONFIG": str(site),
        "KIOSK__DEVICES__PRINTER__PAPER": "receipt80",
        "KIOSK_DATA_DIR": str(tmp_path),
    }
    result = CliRunner().invoke(main, ["config", "show", "--json"], env=env)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["kiosk"]["site_name"] == "高区便民服务站"
    assert shown["devices"]["printer"]["paper"] == "receipt80"
    with_origins = json.loads(
        CliRunner().invoke(main, ["config", "show", "--json", "--origins"], env=env).output
    )
    assert (
        with_origins["origins"]["devices.printer.paper"]
        == "environment variable KIOSK__DEVICES__PRINTER__PAPER"
    )
    assert with_origins["origins"]["kiosk.site_name"] == str(site)


def test_config_show_fails_with_the_key_and_file(tmp_path: Path) -> None:
    site = tmp_path / "kiosk.toml"
    site.write_text("[session]\nidle_seconds = 0\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["config", "show"], env={"KIOSK_CONFIG": str(site)})
    assert result.exit_code == 1
    assert f"{site}: session.idle_seconds" in result.output
