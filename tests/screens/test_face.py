"""Screens use the kiosk through its face (screens.face): the journey and a few services."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from kiosk.appliance import Kiosk
from screens.face import KioskFace

SCREENS = Path(__file__).resolve().parents[2] / "screens"
#: The tour and the UI's commands drive the whole kiosk (they play the devices), as tests do.
DRIVERS_OF_THE_WHOLE_KIOSK = {"tour.py", "services_tour.py", "cli.py", "pilot.py"}
REACHING_PAST_THE_FACE = re.compile(r"\bapp\.kiosk\b|get_running_app\(\)\.kiosk\b|\bself\.kiosk\.")


def test_screens_and_kv_rules_reach_the_kiosk_only_through_its_face() -> None:
    sources = sorted(SCREENS.glob("*.py")) + sorted((SCREENS / "kv").glob("*.kv"))
    offenders = [
        f"{path.relative_to(SCREENS.parent)}:{number}: {line.strip()}"
        for path in sources
        if path.name not in DRIVERS_OF_THE_WHOLE_KIOSK
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if REACHING_PAST_THE_FACE.search(line)
    ]
    assert offenders == []
    assert len(sources) > 20  # the screens were found


def test_the_face_shows_the_settings_in_force(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk()
    face = KioskFace(kiosk)
    assert face.journey is kiosk.journey and face.session is kiosk.session
    pushed = kiosk.settings.model_copy(
        update={"display": kiosk.settings.display.model_copy(update={"theme": "elder"})}
    )
    kiosk.apply_settings(pushed)
    assert face.settings.display.theme == "elder"
