"""Voice guidance through the real UI: the repeat button is there only while voice is on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from drivers.speech.sim import SimSpeaker
from kiosk.journey import Screen
from screens.pilot import UiPilot

pytestmark = pytest.mark.ui

HOME_SAID = ("zh_CN", "家门口的政务服务。请选择部门或一件事，也可以搜索服务，或刷卡识别身份。")


def test_voice_on_shows_repeat_and_repeat_says_the_screen_again(
    make_ui: Callable[..., UiPilot], tmp_path: Path
) -> None:
    ui = make_ui(overrides={"devices": {"speaker": {"enabled": False}}})
    ui.app.kiosk.narrator.start()
    speaker = ui.app.kiosk.devices.speaker
    assert isinstance(speaker, SimSpeaker)
    ui.tap_center()
    ui.on(Screen.HOME)
    repeat = ui.widget(Screen.HOME, "repeat")
    assert "重听" not in ui.texts() and repeat.disabled and not speaker.said

    ui.app.toggle_voice()  # what the voice switch does
    ui.until(lambda: "重听" in ui.texts(), what="the repeat button")
    assert speaker.said[-1] == ("zh_CN", "语音播报已开启。" + HOME_SAID[1])
    assert repeat.width >= ui.app.theme.touch and repeat.height >= ui.app.theme.touch
    ui.shot(tmp_path / "home_voice.png")
    ui.tap(repeat)
    assert list(speaker.said)[-1] == HOME_SAID

    ui.app.toggle_voice()
    ui.until(lambda: "重听" not in ui.texts(), what="the repeat button gone")
    assert not speaker.speaking and len(speaker.said) == 2
