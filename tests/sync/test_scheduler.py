from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.appliance import build_kiosk
from kiosk.bus import EventBus
from kiosk.events import SettingsChanged, SyncFailed
from kiosk.publishing.catalogue_release import publish_catalogue
from kiosk.publishing.config_release import publish_config
from kiosk.settings import DEFAULTS_FILE, LoadedSettings, load_settings, read_toml_layer
from kiosk.sync import SyncError, SyncStatus
from kiosk.sync.scheduler import SyncScheduler, next_delay
from tests.sync.conftest import Kiosk, Server, write_catalogue

SYNC = load_settings([read_toml_layer(DEFAULTS_FILE)]).settings.sync


def test_backoff_doubles_up_to_the_cap_and_jitter_spreads_the_fleet() -> None:
    assert next_delay(SYNC, 0, 0.0) == 30 * 60
    assert next_delay(SYNC, 2, 0.0) == 120 * 60
    assert next_delay(SYNC, 10, 0.0) == 240 * 60
    assert next_delay(SYNC, 0, 1.0) == 30 * 60 + 300


def test_failures_are_announced_and_counted() -> None:
    bus = EventBus()
    seen: list[tuple[str, int]] = []
    bus.subscribe(SyncFailed, lambda event: seen.append((event.reason, event.failures)))

    def fail() -> object:
        raise SyncError("cannot fetch from http://x: no answer")

    scheduler = SyncScheduler(fail, SYNC, bus, random.Random(1))  # type: ignore[arg-type]
    assert scheduler.run_once() is None
    assert scheduler.run_once() is None
    assert seen == [
        ("cannot fetch from http://x: no answer", 1),
        ("cannot fetch from http://x: no answer", 2),
    ]


def test_a_crashed_attempt_is_counted_backed_off_and_logged_without_its_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def crash() -> object:
        raise KeyError("the text of a bug")

    scheduler = SyncScheduler(crash, SYNC, EventBus(), random.Random(1))  # type: ignore[arg-type]
    assert scheduler.run_once() is None
    assert (scheduler.failures, scheduler.guard.failures) == (1, 1)  # the next attempt backs off
    (record,) = caplog.records
    assert record.getMessage().startswith("sync: unexpected KeyError at")
    assert "the text of a bug" not in record.getMessage() and record.exc_info is None


def test_offline_is_measured_from_the_last_success() -> None:
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    ok = SyncStatus(last_success=(now - timedelta(hours=30)).isoformat())
    assert ok.offline_for(now) is None
    failing = SyncStatus(
        last_success=(now - timedelta(hours=30)).isoformat(), last_error="x", last_error_at=now.isoformat()
    )
    assert failing.offline_for(now) == 30


def test_pushed_configuration_is_applied_between_sessions_not_during_one(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path, monkeypatch: object
) -> None:
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "c.jsonl", 5))
    provisioned = make_kiosk_for(fleet)
    for key, value in provisioned.environ.items():
        monkeypatch.setenv(key, value)  # type: ignore[attr-defined]
    loaded: LoadedSettings = load_settings()
    kiosk = build_kiosk(loaded)
    changes: list[str] = []
    kiosk.bus.subscribe(SettingsChanged, lambda event: changes.append(event.settings.display.theme))
    try:
        kiosk.start()
        assert kiosk.scheduler is not None
        kiosk.scheduler.stop()  # drive it by hand below
        kiosk.journey.wake()
        config = tmp_path / "elder.toml"
        config.write_text('[display]\ntheme = "elder"\n[session]\nidle_seconds = 300\n', encoding="utf-8")
        publish_config(fleet.repository, config, "all")
        report = kiosk.scheduler.run_once()
        assert report is not None and report.config_updated and report.catalogue_version == 1
        assert changes == []  # a resident is using the kiosk
        assert kiosk.settings.display.theme == "standard"
        kiosk.journey.finish()
        assert changes == ["elder"]
        assert kiosk.session.idle_seconds == 300
        assert kiosk.sync_status().catalogue_version == 1
        assert kiosk.catalogue.count() == 5
    finally:
        kiosk.close()
