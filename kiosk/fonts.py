"""The CJK font the kiosk renders Chinese with, on screen and on paper."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


class FontMissing(RuntimeError):
    """No usable CJK font is installed: Chinese would render as boxes."""


@dataclass(frozen=True)
class CjkFont:
    """A font file and the face inside it that holds Simplified Chinese."""

    path: Path
    face_index: int = 0
    family: str = "WenQuanYi Zen Hei"


# TrueType outlines are required: PDF embedding needs them, and the first face of Noto Sans CJK
# collections is the Japanese variant, so WenQuanYi is preferred where it exists.
_CANDIDATES = (
    CjkFont(Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0, "WenQuanYi Zen Hei"),
    CjkFont(Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0, "WenQuanYi Micro Hei"),
    CjkFont(Path("/usr/share/fonts/truetype/arphic/uming.ttc"), 0, "AR PL UMing"),
)


def find_cjk_font() -> CjkFont:
    """The first installed CJK font that covers Simplified Chinese, or FontMissing naming the package."""
    for candidate in _CANDIDATES:
        if candidate.path.is_file():
            return candidate
    found = _fontconfig_match()
    if found is not None:
        return found
    raise FontMissing("no CJK font found: install the Debian package fonts-wqy-zenhei (make run does this)")


def _fontconfig_match() -> CjkFont | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    result = subprocess.run(
        [fc_match, "-f", "%{file}\n%{family[0]}", ":lang=zh-cn:fontformat=TrueType"],
        capture_output=True,
        text=True,
        check=False,
        timeout=10,
    )
    lines = result.stdout.splitlines()
    if result.returncode != 0 or len(lines) < 2 or not Path(lines[0]).is_file():
        return None
    return CjkFont(Path(lines[0]), 0, lines[1])
