"""The doctor's checks of the online services: the platform's gateway (against the simulator on
loopback, and a gateway whose clock is elsewhere) and the ratings the platform refused."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.doctor import Status
from kiosk.doctor.online import check_platform, check_ratings
from kiosk.outbox import RatingOutbox
from kiosk.paths import state_path
from kiosk.platform.configured import platform_from_settings
from kiosk.platform.simulator import DEMO_PAAS_ID, DEMO_TOKEN, PlatformSimulator
from kiosk.rating_sender import RatingSender
from kiosk.records import Rating, RatingLevel
from kiosk.settings import LoadedSettings
from kiosk.settings.schema import PlatformSection
from tests.platform_gateway import PAAS_ID, TOKEN, GatewayServer, Reply, closed_port

RATED_AT = "2026-12-07T09:30:00+00:00"


@pytest.fixture
def platform_settings(make_settings: Callable[..., LoadedSettings]) -> Callable[..., PlatformSection]:
    def make(url: str, **values: Any) -> PlatformSection:
        keys = {"url": url, "paas_id": DEMO_PAAS_ID, "token": DEMO_TOKEN, "timeout": 1, **values}
        return make_settings({"platform": keys}).settings.platform

    return make


def test_a_kiosk_without_a_platform_says_so_and_is_fine(make_settings: Callable[..., LoadedSettings]) -> None:
    check = check_platform(make_settings().settings.platform)
    assert check.status is Status.OK and not check.critical
    assert check.detail == "not configured (platform.url is empty): no online services"


def test_the_simulator_accepts_the_doctors_signed_call(
    simulator: PlatformSimulator, platform_settings: Callable[..., PlatformSection]
) -> None:
    check = check_platform(platform_settings(simulator.url))
    assert check.status is Status.OK, check
    assert re.fullmatch(rf"{simulator.url} accepted a signed call \(\d+ services, \d+ ms\)", check.detail)


@pytest.mark.parametrize(
    ("switch", "values", "said"),
    [
        ("refuse_signatures", {}, "signature rejected at "),
        ("", {"token": "not-the-token"}, "signature rejected at "),
        ("slow", {}, "timeout at "),
        ("down", {}, "unreachable at "),
    ],
)
def test_a_platform_that_fails_is_named_with_the_reason_and_what_to_do(
    simulator: PlatformSimulator,
    platform_settings: Callable[..., PlatformSection],
    switch: str,
    values: dict[str, str],
    said: str,
) -> None:
    if switch:
        setattr(simulator, switch, {"refuse_signatures": True, "slow": 1.5, "down": "503"}[switch])
    check = check_platform(platform_settings(simulator.url, **values))
    assert check.status is Status.FAIL and not check.critical, check
    assert check.detail.startswith(said + simulator.url), check.detail
    assert check.detail.endswith("(the online services are out of service)")
    assert "not-the-token" not in check.detail and DEMO_TOKEN not in check.detail


def test_an_unreachable_gateway_and_an_unreadable_token_file(
    platform_settings: Callable[..., PlatformSection], tmp_path: Path
) -> None:
    unreachable = check_platform(platform_settings(f"http://127.0.0.1:{closed_port()}"))
    assert unreachable.status is Status.FAIL and unreachable.detail.startswith(
        "unreachable at http://127.0.0.1:"
    )
    assert "check the network and platform.url" in unreachable.detail
    missing = tmp_path / "no-token"
    unusable = check_platform(platform_settings("http://127.0.0.1:9", token="", token_file=str(missing)))
    assert unusable.status is Status.FAIL
    assert unusable.detail.startswith(f"not configured: platform.token_file: {missing} cannot be read")


def test_a_clock_the_gateway_refuses_is_named_with_how_far_off(
    platform_settings: Callable[..., PlatformSection],
) -> None:
    reply = Reply(
        401,
        Reply.envelope("TIMESTAMP_SKEW", "时间戳超出范围").body,
        {"Date": formatdate(time.time() + 900, usegmt=True)},
    )
    with GatewayServer(lambda request: reply) as server:
        check = check_platform(platform_settings(server.url, paas_id=PAAS_ID, token=TOKEN))
    assert check.status is Status.FAIL
    assert re.match(r"kiosk clock is (899|900|901) s off \(behind the platform\); set the time", check.detail)


def rating(rating_id: str, case_no: str = "") -> Rating:
    return Rating(rating_id, "wh-0042", RATED_AT, RatingLevel.SATISFIED, (), (), "", "", case_no)


def test_ratings_set_aside_are_a_warning_saying_how_many_and_what_to_do(
    simulator: PlatformSimulator, platform_settings: Callable[..., PlatformSection], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    assert check_ratings(data).detail == "no ratings yet" and not data.exists()  # the doctor creates none
    data.mkdir()
    outbox = RatingOutbox(state_path(data))
    try:
        for rating_id in ("", "a" * 32):
            outbox.add(rating(rating_id, case_no="WH2026110700001"))
        assert check_ratings(data).status is Status.OK
        assert check_ratings(data).detail == "2 waiting to be sent"
        outbox.add(rating("b" * 32))
    finally:
        outbox.close()
    sender = RatingSender(state_path(data), platform_from_settings(platform_settings(simulator.url)))
    report = sender.run_round()
    assert (report.accepted, report.set_aside) == (2, 1)  # the platform refuses a rating without an id
    check = check_ratings(data)
    assert check.status is Status.WARN and not check.critical
    assert check.detail.startswith("1 rating refused by the platform and set aside (BAD_REQUEST x1)")
    assert "journalctl -u kiosk | grep 'set aside'" in check.detail and check.detail.endswith(
        "0 waiting to be sent"
    )


def test_the_doctor_command_runs_both_checks(simulator: PlatformSimulator, tmp_path: Path) -> None:
    site = tmp_path / "kiosk.toml"
    site.write_text(
        f'[platform]\nurl = "{simulator.url}"\npaas_id = "{DEMO_PAAS_ID}"\ntoken = "{DEMO_TOKEN}"\n',
        encoding="utf-8",
    )
    env = {"KIOSK_CONFIG": str(site), "KIOSK_DATA_DIR": str(tmp_path / "data")}
    result = CliRunner().invoke(main, ["doctor"], env=env)
    lines = {line.split()[0]: line for line in result.output.splitlines() if line.strip()}
    assert lines["platform"].split()[1:3] == ["OK", "no"], result.output
    assert "accepted a signed call" in lines["platform"] and DEMO_TOKEN not in result.output
    assert lines["ratings"].split()[1:3] == ["OK", "no"] and "no ratings yet" in lines["ratings"]
