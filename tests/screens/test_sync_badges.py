from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.journey import Screen
from kiosk.sync import SyncStatus
from screens.pilot import UiPilot

pytestmark = pytest.mark.ui

SYNCING = {"sync": {"repo_url": "http://127.0.0.1:9", "group": "villages"}}


def test_freshness_and_the_offline_badge(make_ui: Callable[..., UiPilot], tmp_path: Path) -> None:
    ui = make_ui(overrides=SYNCING)
    state = ui.app.kiosk.sync_state
    long_ago = (datetime.now(UTC) - timedelta(hours=30)).isoformat(timespec="seconds")
    state._store(SyncStatus(catalogue_version=3, last_success=long_ago))
    state.record_failure("cannot fetch from http://127.0.0.1:9: no answer (network or server down)")
    ui.app._update_freshness()
    ui.frames(4)
    texts = ui.texts()
    assert "离线：显示已保存的指南" in texts
    assert any(text.startswith("指南更新于 ") for text in texts)
    ui.shot(tmp_path / "attract_offline.png")
    ui.tap_center()
    ui.on(Screen.HOME)
    assert "离线：显示已保存的指南" in ui.texts()


def test_no_badge_while_syncs_succeed(make_ui: Callable[..., UiPilot]) -> None:
    ui = make_ui(overrides=SYNCING)
    ui.app.kiosk.sync_state.record_success(3, {}, 100)
    ui.app._update_freshness()
    ui.frames(4)
    assert "离线：显示已保存的指南" not in ui.texts()
    assert ui.app.freshness_text.startswith("指南更新于 ")


def test_a_kiosk_that_does_not_sync_shows_neither(ui: UiPilot) -> None:
    assert ui.app.freshness_text == "" and not ui.app.offline
