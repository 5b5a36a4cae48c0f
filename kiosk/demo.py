"""Demo content: what ships with the software to show it working, and where it may be shown.

The demo guides (config/demo/guides.jsonl: invented addresses, links under zwfw.weihai.example) and
the packaged attract notices (config/default.toml) serve a laptop and a showroom. On an installed
appliance residents would take them for real, so there one rule holds, as for simulated devices
(kiosk.devices.out_of_service_reason): **an appliance shows no demo content**, whatever
`guides.load_demo` says; it serves what a sync or `kiosk guides import` put in its catalogue, and
the notices its site set. A demonstration kiosk says `kiosk.mode = "showroom"`.
"""

from __future__ import annotations

from functools import cache

from kiosk.devices import SIMULATORS_RUN_IN
from kiosk.settings import DEFAULTS_FILE, read_toml_layer
from kiosk.settings.schema import KioskMode, KioskSection, NoticeSection

#: How a technician fills the catalogue of an appliance (which never falls back to the demo guides).
FILL_CATALOGUE = (
    "fill it with a sync (`sudo kiosk sync --once`, from the sync.repo_url `kiosk provision` sets) "
    "or `sudo kiosk guides import FILE.jsonl`"
)


def shows_demo_content(mode: KioskMode) -> bool:
    """Whether a kiosk in `mode` may show demo guides and the packaged demo notices."""
    return mode in SIMULATORS_RUN_IN  # the same modes: a laptop and a showroom, never an appliance


@cache
def demo_notices() -> tuple[NoticeSection, ...]:
    """The attract notices the package ships (config/default.toml): demo notices, not a site's own."""
    notices = read_toml_layer(DEFAULTS_FILE).values["attract"]["notices"]
    return tuple(NoticeSection.model_validate(notice) for notice in notices)


#: What names and places a kiosk: the packaged values are the demo's ("demo-0001", "（演示）").
SITE_KEYS = ("id", "site_name", "site_address", "help_desk")


def demo_site_keys(kiosk: KioskSection) -> list[str]:
    """The keys of SITE_KEYS that still hold the packaged demo value (never provisioned)."""
    packaged = read_toml_layer(DEFAULTS_FILE).values["kiosk"]
    return [key for key in SITE_KEYS if getattr(kiosk, key) == packaged[key]]
