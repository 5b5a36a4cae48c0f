"""A fleet repository served by a real HTTP server on loopback, and kiosks provisioned against it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.guides import DEMO_CATALOGUE, Catalogue
from kiosk.paths import catalogue_path, state_path
from kiosk.provision.enrolment import provision
from kiosk.publishing import FleetRepository
from kiosk.settings import DEFAULTS_FILE, Layer, load_settings, read_toml_layer
from kiosk.sync import KioskSync, SyncState
from tests.daemons import Daemon, serve_directory


@dataclass
class Server:
    """The repository folder and the address it is served at."""

    repository: FleetRepository
    url: str
    daemon: Daemon


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Server]:
    repository = FleetRepository.init(tmp_path / "fleet")
    daemon, url = serve_directory(repository.repository, tmp_path / "http.log")
    with daemon:
        yield Server(repository, url, daemon)


@dataclass
class Kiosk:
    """One provisioned kiosk: its site file, data directory and a sync bound to them."""

    site: Path
    data: Path
    environ: dict[str, str]

    def sync(self) -> KioskSync:
        settings = load_settings(
            [read_toml_layer(DEFAULTS_FILE), read_toml_layer(self.site), *self.pushed()]
        ).settings
        catalogue = Catalogue(catalogue_path(self.data))
        state = SyncState(state_path(self.data))
        return KioskSync(settings, self.data, catalogue, state, environ=self.environ)

    def pushed(self) -> list[Layer]:
        folder = self.data / "pushed"
        return [
            read_toml_layer(folder / f"{scope}.toml")
            for scope in ("all", "group", "kiosk")
            if (folder / f"{scope}.toml").is_file()
        ]

    def catalogue(self) -> Catalogue:
        return Catalogue(catalogue_path(self.data))


@pytest.fixture
def make_kiosk_for(tmp_path: Path) -> Callable[[Server, str], Kiosk]:
    def make(server: Server, kiosk_id: str = "wh-0001", group: str = "villages") -> Kiosk:
        folder = tmp_path / kiosk_id
        site = folder / "kiosk.toml"
        data = folder / "data"
        environ = {"KIOSK_CONFIG": str(site), "KIOSK_DATA_DIR": str(data)}
        provision(
            site,
            kiosk_id=kiosk_id,
            group=group,
            repo_url=server.url,
            trust_root=server.repository.trust_root,
            environ=environ,
        )
        return Kiosk(site, data, environ)

    return make


def catalogue_state(kiosk: Kiosk) -> tuple[str | None, int]:
    """The version and the number of guides of the kiosk's catalogue."""
    catalogue = kiosk.catalogue()
    try:
        return catalogue.meta("version"), catalogue.count()
    finally:
        catalogue.close()


def write_catalogue(path: Path, count: int, changed: set[int] | None = None) -> Path:
    """A catalogue of `count` guides made from the demo ones; guides in `changed` get a new name."""
    demo = [
        json.loads(line) for line in DEMO_CATALOGUE.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    with path.open("w", encoding="utf-8") as handle:
        for number in range(count):
            guide = dict(demo[number % len(demo)])
            guide["id"] = f"371000-T-{number:06d}"
            guide["name"] = f"{guide['name']}（{number}）" + (
                "（已更新）" if changed and number in changed else ""
            )
            handle.write(json.dumps(guide, ensure_ascii=False) + "\n")
    return path


def copy_tree(source: Path, target: Path) -> None:
    shutil.copytree(source, target, dirs_exist_ok=True)
