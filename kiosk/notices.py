"""The notices the attract screen shows in turn: read from settings, images checked before use."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from kiosk.demo import demo_notices, shows_demo_content
from kiosk.settings.schema import AttractSection, KioskMode

log = logging.getLogger(__name__)

#: Where a notice's relative image path is looked up: the demo content next to the code.
NOTICE_DIR = Path(__file__).resolve().parents[1] / "config" / "demo"


@dataclass(frozen=True)
class Notice:
    """One notice ready to show: its texts and, when it has one, an image known to open."""

    text: str
    text_en: str = ""
    image: Path | None = None

    def text_for(self, language: str) -> str:
        """The notice's words in `language`: English when given, else the Chinese text."""
        return self.text_en if language == "en" and self.text_en else self.text or self.text_en


def image_path(image: str, base: Path = NOTICE_DIR) -> Path:
    """Where the image of a notice is: absolute as given, relative to `base` otherwise."""
    path = Path(image)
    return path if path.is_absolute() else base / path


def image_problem(path: Path) -> str:
    """Why the image at `path` cannot be shown ("" when it decodes, the whole file, not just its header)."""
    try:
        with Image.open(path) as picture:
            picture.load()
    except FileNotFoundError:
        return "no such file"
    except (OSError, UnidentifiedImageError, ValueError) as error:
        return str(error) or type(error).__name__
    return ""


def load_notices(section: AttractSection, *, mode: KioskMode, base: Path = NOTICE_DIR) -> list[Notice]:
    """The notices to rotate on a kiosk in `mode`; one whose image is missing or broken is left out,
    with a log line, and so are the packaged demo notices on an appliance (kiosk.demo)."""
    notices: list[Notice] = []
    demo = () if shows_demo_content(mode) else demo_notices()
    for number, item in enumerate(section.notices, start=1):
        if item in demo:
            log.info("attract notice %d left out: a demo notice, never shown on an appliance", number)
            continue
        path = image_path(item.image, base) if item.image else None
        problem = image_problem(path) if path is not None else ""
        if problem:
            log.warning("attract notice %d left out: image %s cannot be shown: %s", number, path, problem)
            continue
        notices.append(Notice(item.text, item.text_en, path))
    return notices


class NoticeRotation:
    """Which notice shows now; `advance` moves to the next one, after the last comes the first."""

    def __init__(self, notices: list[Notice]) -> None:
        self.notices = notices
        self.index = 0

    @property
    def current(self) -> Notice | None:
        """The notice showing, or None when there are none."""
        return self.notices[self.index] if self.notices else None

    def advance(self) -> Notice | None:
        """Move on to the next notice and return it."""
        if self.notices:
            self.index = (self.index + 1) % len(self.notices)
        return self.current
