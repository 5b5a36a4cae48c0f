"""An installed appliance shows no demo content: no demo guides, no demo notices; with no guides of
its own it says so, and the doctor fails until a sync or an import fills it.

Kivy-free: the kiosk as built at start and the journey as the screens drive it;
tests/screens/test_appliance_ui.py shows the same on the real screens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.appliance import Kiosk
from kiosk.doctor import Check, Status, overall, run_checks
from kiosk.doctor.report import CheckEnvironment
from kiosk.doctor.system import check_catalogue
from kiosk.events import DeviceBack, DeviceLost
from kiosk.guides import DEMO_CATALOGUE, Catalogue, bounded_lines, read_jsonl
from kiosk.journey import GUIDE_TASKS, HOME_TASKS, NO_GUIDES, Screen
from kiosk.notices import load_notices
from kiosk.paths import catalogue_path
from kiosk.records import IdCard
from kiosk.settings import DEFAULTS_FILE, LoadedSettings, read_toml_layer
from kiosk.settings.schema import AttractSection

APPLIANCE = {"kiosk": {"mode": "appliance"}}
DEMO_GUIDES = 106


def fill_catalogue(catalogue: Catalogue) -> int:
    """The site's own catalogue, as a sync or `kiosk guides import` leaves it (the demo file's guides)."""
    with DEMO_CATALOGUE.open("rb") as handle:
        return catalogue.import_guides(read_jsonl(bounded_lines(handle)))


@pytest.mark.parametrize(("mode", "guides"), [("development", DEMO_GUIDES), ("showroom", DEMO_GUIDES)])
def test_a_laptop_and_a_showroom_start_with_the_demo_guides(
    make_kiosk: Callable[..., Kiosk], mode: str, guides: int
) -> None:
    assert make_kiosk({"kiosk": {"mode": mode}}).catalogue.count() == guides


def test_an_appliance_never_loads_the_demo_guides_and_logs_how_to_fill_its_catalogue(
    make_kiosk: Callable[..., Kiosk], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="kiosk.appliance"):
        # load_demo = true (the packaged default), said again by the site: still no demo on an appliance.
        kiosk = make_kiosk({**APPLIANCE, "guides": {"load_demo": True}})
    assert kiosk.catalogue.count() == 0
    [line] = [r.getMessage() for r in caplog.records if r.name == "kiosk.appliance"]
    assert (
        line.startswith("catalogue empty: ") and "kiosk sync --once" in line and "kiosk guides import" in line
    )


def test_a_catalogue_set_aside_on_an_appliance_is_not_replaced_by_the_demo_guides(
    make_kiosk: Callable[..., Kiosk], tmp_path: Path
) -> None:
    path = catalogue_path(tmp_path / "data")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00not a database\x00" * 512)
    kiosk = make_kiosk(APPLIANCE)
    assert kiosk.catalogue.count() == 0  # empty until the next sync fetches the whole catalogue
    assert len(list(path.parent.glob("guides.db.unusable-*"))) == 1


def test_home_on_an_empty_catalogue_says_so_and_offers_no_way_to_guides(
    make_kiosk: Callable[..., Kiosk],
) -> None:
    kiosk = make_kiosk(APPLIANCE)
    journey = kiosk.journey
    journey.wake()
    view = journey.view
    assert view.screen is Screen.HOME and view.no_guides == NO_GUIDES
    assert view.tasks == {"rate"}  # no search, browsing, card or print that would lead to nothing
    # A card placed on home does not open a list of services there are none of.
    kiosk.session.identify(IdCard("resident", "演示居民", "女", "371002199001010023"))
    assert journey.view.screen is Screen.HOME

    fill_catalogue(kiosk.catalogue)  # a sync arrived: the next visit browses
    journey.finish()
    journey.wake()
    assert journey.view.no_guides == "" and journey.view.tasks == set(HOME_TASKS) - {"identify", "services"}


def test_home_offers_identifying_only_with_a_card_reader_that_reads(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk({"devices": {"sscard_reader": {"driver": "none"}}})
    journey = kiosk.journey
    journey.wake()
    # No platform here: the online services are not offered either.
    assert journey.view.tasks == set(HOME_TASKS) - {"services"} and journey.view.no_guides == ""
    kiosk.bus.publish(DeviceLost("id_reader", reason="unplugged"))
    journey.home()
    assert "identify" not in journey.view.tasks  # both readers out: the tile would only say so
    kiosk.bus.publish(DeviceBack("id_reader"))
    journey.home()
    assert "identify" in journey.view.tasks


def test_the_guide_tasks_are_the_ways_to_a_guide() -> None:
    assert set(HOME_TASKS) - {"rate", "services"} == GUIDE_TASKS


def test_an_appliance_shows_its_own_notices_never_the_demo_ones(
    make_settings: Callable[..., LoadedSettings],
) -> None:
    packaged = make_settings(APPLIANCE).settings.attract
    assert len(load_notices(packaged, mode="development")) == 3
    assert len(load_notices(packaged, mode="showroom")) == 3
    assert load_notices(packaged, mode="appliance") == []
    own = {"text": "本站周六照常办公。", "text_en": "Open on Saturdays."}
    mixed = AttractSection.model_validate(
        {"notices": [*(n.model_dump() for n in packaged.notices), own], "seconds_per_notice": 8}
    )
    assert [notice.text for notice in load_notices(mixed, mode="appliance")] == ["本站周六照常办公。"]


@pytest.mark.parametrize("fill", [False, True])
def test_doctor_fails_an_appliance_with_no_guides_and_says_how_to_fill_it(
    make_kiosk: Callable[..., Kiosk], make_settings: Callable[..., LoadedSettings], tmp_path: Path, fill: bool
) -> None:
    data = tmp_path / "data"
    missing = check_catalogue(data, "appliance")
    assert missing.status is Status.FAIL and missing.critical and "no catalogue yet at" in missing.detail
    kiosk = make_kiosk(APPLIANCE)
    if fill:
        fill_catalogue(kiosk.catalogue)
    check = check_catalogue(data, "appliance")
    if fill:
        assert check.status is Status.OK and check.detail.startswith(f"{DEMO_GUIDES} guides in ")
        return
    assert check.status is Status.FAIL and check.critical
    assert check.detail == (
        f"{catalogue_path(data)} is empty: residents find no guide on this appliance; fill it with a sync "
        "(`sudo kiosk sync --once`, from the sync.repo_url `kiosk provision` sets) or "
        "`sudo kiosk guides import FILE.jsonl`"
    )
    checks = {
        c.name: c for c in run_checks(make_settings(APPLIANCE).settings, data, CheckEnvironment(timeout=5))
    }
    assert checks["catalogue"] == check and overall(list(checks.values())) is Status.FAIL
    # On a laptop an empty catalogue is worth a look, not a failure.
    laptop = check_catalogue(data, "development")
    assert laptop.status is Status.WARN and not laptop.critical


def test_doctor_fails_an_appliance_still_named_and_placed_as_the_demo(
    make_settings: Callable[..., LoadedSettings], tmp_path: Path
) -> None:
    def site_check(overrides: dict[str, dict[str, str]]) -> Check:
        checks = run_checks(make_settings(overrides).settings, tmp_path / "data", CheckEnvironment(timeout=5))
        return next(check for check in checks if check.name == "site")

    never = site_check(APPLIANCE)
    assert never.status is Status.FAIL and never.critical
    assert never.detail == (
        "kiosk.id, kiosk.site_name, kiosk.site_address, kiosk.help_desk still the packaged demo value(s); "
        "set them with `sudo kiosk provision`"
    )
    provisioned = {
        "kiosk": {
            "mode": "appliance",
            "id": "wh-hc-yt-0001",
            "site_name": "羊亭镇便民服务中心",
            "site_address": "威海市环翠区羊亭镇",
            "help_desk": "12345 政务服务热线",
        }
    }
    assert site_check(provisioned) == Check("site", Status.OK, False, "wh-hc-yt-0001 at 羊亭镇便民服务中心")
    half = site_check({"kiosk": {**provisioned["kiosk"], "help_desk": never_provisioned_help_desk()}})
    assert half.status is Status.FAIL and half.detail.startswith("kiosk.help_desk still")
    # A laptop and a showroom are the demo: said, not failed.
    for mode in ("development", "showroom"):
        demo = site_check({"kiosk": {"mode": mode}})
        assert demo.status is Status.OK and not demo.critical and "the demo's" in demo.detail


def never_provisioned_help_desk() -> str:
    return str(read_toml_layer(DEFAULTS_FILE).values["kiosk"]["help_desk"])
