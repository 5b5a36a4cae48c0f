"""A driver from another package brings its own settings: validated, shown, handed to the driver,
with nothing changed under kiosk/ (issue 14: a new reader brand is a package, not a fork)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.devices import DriverContext, available_drivers, build_driver
from kiosk.ports import DeviceUnavailable, IdCardReader
from kiosk.settings import DEFAULTS_FILE, SettingsError, environment_layer, load_settings, read_toml_layer
from tests.installed_plugins import InstalledPlugins, installed_plugins

DOCS = Path(__file__).resolve().parents[2] / "docs" / "drivers.md"
#: The example driver of docs/drivers.md (its settings module, then the driver), installed as a
#: package of its own: the docs are tested.
ACME_SETTINGS, ACME_READER = (
    block.split("```", 1)[0] for block in DOCS.read_text(encoding="utf-8").split("```python\n")[1:3]
)


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InstalledPlugins]:
    yield from installed_plugins(tmp_path, monkeypatch)


@pytest.fixture
def acme(plugins: InstalledPlugins) -> None:
    plugins.install(
        "acme_kiosk_reader",
        {
            "kiosk.drivers": {"id_reader.acme": "acme_kiosk_reader:AcmeIdReader"},
            "kiosk.driver_settings": {"id_reader.acme": "acme_kiosk_reader.settings:AcmeSettings"},
        },
        {"acme_kiosk_reader/__init__.py": ACME_READER, "acme_kiosk_reader/settings.py": ACME_SETTINGS},
    )


def site(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path) -> object:
    return load_settings([read_toml_layer(DEFAULTS_FILE), read_toml_layer(path)]).settings


@pytest.mark.usefixtures("acme")
def test_an_installed_drivers_settings_are_validated_and_reach_the_driver(tmp_path: Path) -> None:
    assert "acme" in available_drivers("id_reader")
    path = site(tmp_path, '[devices.id_reader]\ndriver = "acme"\nproduct_id = 4660\n')
    section = load_settings(
        [read_toml_layer(DEFAULTS_FILE), read_toml_layer(path)]
    ).settings.devices.id_reader
    reader = build_driver("id_reader", section, DriverContext(tmp_path, "k"))
    assert type(reader).__name__ == "AcmeIdReader" and isinstance(reader, IdCardReader)
    assert (reader.section.product_id, reader.section.beep) == (4660, True)
    with pytest.raises(DeviceUnavailable, match="USB product id 1234"):
        reader.read_card(0.1)
    # The keys of the drivers installed beside it (the serial reader's port) still validate as theirs.
    assert section.model_dump()["baud"] == 115200


@pytest.mark.usefixtures("acme")
def test_a_kiosk_on_another_driver_has_the_installed_drivers_defaults(tmp_path: Path) -> None:
    # A driver's own keys need a default (see docs/drivers.md): a kiosk that runs another never sets them.
    section = load_settings([read_toml_layer(DEFAULTS_FILE)]).settings.devices.id_reader
    assert section.driver == "sim"
    assert {"product_id": 0, "beep": True, "port": ""}.items() <= section.model_dump().items()


@pytest.mark.usefixtures("acme")
@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        (
            'driver = "acme"\nproduct_id = 70000\n',
            "devices.id_reader.product_id",
            "less than or equal to 65535",
        ),
        ('driver = "acme"\nproduct_id = "4660"\n', "devices.id_reader.product_id", "valid integer"),
        (
            'driver = "acme"\nproduct_ic = 1\n',
            "devices.id_reader.product_ic",
            "did you mean 'devices.id_reader.product_id'?",
        ),
    ],
)
def test_a_bad_driver_setting_names_the_key_and_the_file(
    tmp_path: Path, text: str, key: str, reason: str
) -> None:
    path = site(tmp_path, f"[devices.id_reader]\n{text}")
    with pytest.raises(SettingsError) as caught:
        load(path)
    assert (caught.value.key, caught.value.source) == (key, str(path))
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"{path}: {key}: ") and "\n" not in str(caught.value)


def test_without_the_package_its_keys_are_unknown(tmp_path: Path) -> None:
    path = site(tmp_path, "[devices.id_reader]\nproduct_id = 4660\n")
    with pytest.raises(SettingsError) as caught:
        load(path)
    assert (caught.value.key, caught.value.reason) == ("devices.id_reader.product_id", "unknown key")


@pytest.mark.usefixtures("acme")
def test_config_show_shows_an_installed_drivers_settings_and_their_origin(tmp_path: Path) -> None:
    path = site(tmp_path, '[devices.id_reader]\ndriver = "acme"\nproduct_id = 4660\n')
    env = {"KIOSK_CONFIG": str(path), "KIOSK_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(main, ["config", "show", "--origins"], env=env)
    assert result.exit_code == 0, result.output
    assert f"devices.id_reader.product_id = 4660  # {path}" in result.output
    assert "devices.id_reader.beep = true  # defaults" in result.output
    shown = json.loads(CliRunner().invoke(main, ["config", "show", "--json"], env=env).output)
    assert shown["devices"]["id_reader"]["product_id"] == 4660


def test_a_settings_model_outside_its_devices_section_is_refused(
    plugins: InstalledPlugins, tmp_path: Path
) -> None:
    plugins.install(
        "stray_kiosk_printer",
        {
            "kiosk.drivers": {"printer.stray": "stray_kiosk_printer:StrayPrinter"},
            "kiosk.driver_settings": {"printer.stray": "stray_kiosk_printer:StraySettings"},
        },
        {
            "stray_kiosk_printer/__init__.py": (
                "from kiosk.driver_api import IdReaderSection\n\n\n"
                "class StraySettings(IdReaderSection):\n    pass\n\n\n"
                "class StrayPrinter:\n    pass\n"
            )
        },
    )
    with pytest.raises(SettingsError) as caught:
        load(site(tmp_path, ""))
    assert caught.value.key == "devices.printer.driver"
    assert "subclass of kiosk.driver_api.PrinterSection" in caught.value.reason


def test_two_drivers_of_a_device_must_agree_on_a_shared_keys_type(
    plugins: InstalledPlugins, tmp_path: Path
) -> None:
    # The camera and the serial scanner both declare `port: str`; a third says it is a number.
    plugins.install(
        "odd_kiosk_scanner",
        {
            "kiosk.drivers": {"scanner.odd": "odd_kiosk_scanner:OddScanner"},
            "kiosk.driver_settings": {"scanner.odd": "odd_kiosk_scanner:OddSettings"},
        },
        {
            "odd_kiosk_scanner/__init__.py": (
                "from kiosk.driver_api import ScannerSection\n\n\n"
                "class OddSettings(ScannerSection):\n    port: int = 0\n\n\n"
                "class OddScanner:\n    pass\n"
            )
        },
    )
    with pytest.raises(SettingsError) as caught:
        load(site(tmp_path, ""))
    assert caught.value.key == "devices.scanner.port"
    assert "OddSettings" in caught.value.source and "must agree" in caught.value.reason


@pytest.mark.usefixtures("acme")
def test_a_driver_setting_from_the_environment_is_checked_and_named_by_its_variable() -> None:
    layers = [read_toml_layer(DEFAULTS_FILE)]
    environ = {"KIOSK__DEVICES__ID_READER__DRIVER": "acme", "KIOSK__DEVICES__ID_READER__PRODUCT_ID": "4660"}
    section = load_settings([*layers, environment_layer(environ)]).settings.devices.id_reader
    assert section.model_dump()["product_id"] == 4660
    environ["KIOSK__DEVICES__ID_READER__PRODUCT_ID"] = "-1"
    with pytest.raises(SettingsError) as caught:
        load_settings([*layers, environment_layer(environ)])
    assert str(caught.value).startswith(
        "environment variable KIOSK__DEVICES__ID_READER__PRODUCT_ID: devices.id_reader.product_id: "
    )


def test_a_driver_package_that_cannot_be_loaded_is_named(plugins: InstalledPlugins, tmp_path: Path) -> None:
    plugins.install(
        "broken_kiosk_speaker",
        {
            "kiosk.drivers": {"speaker.broken": "broken_kiosk_speaker:Speaker"},
            "kiosk.driver_settings": {"speaker.broken": "broken_kiosk_speaker.settings:Settings"},
        },
        {
            "broken_kiosk_speaker/__init__.py": "",
            "broken_kiosk_speaker/settings.py": "import vendor_library_that_is_not_installed\n",
        },
    )
    with pytest.raises(SettingsError) as caught:
        load(site(tmp_path, ""))
    assert (caught.value.key, caught.value.source) == (
        "devices.speaker.driver",
        "driver speaker.broken (broken_kiosk_speaker.settings:Settings)",
    )
    assert "vendor_library_that_is_not_installed" in caught.value.reason
