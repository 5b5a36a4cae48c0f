"""Finding QR codes and barcodes in images with zbar: camera frames, photos, screenshots."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pyzbar.pyzbar import ZBarSymbol, decode

from kiosk.settings.schema import SYMBOLOGY_NAMES

#: zbar's symbols by the names settings and `kiosk hw scan` use.
SYMBOLOGIES = {name: ZBarSymbol[name.upper()] for name in SYMBOLOGY_NAMES}


@dataclass(frozen=True, repr=False)
class FoundCode:
    """A code found in an image, where it is (pixels), and what it holds (maybe personal data)."""

    symbology: str
    data: str
    left: int
    top: int
    width: int
    height: int
    polygon: tuple[tuple[int, int], ...]

    def __repr__(self) -> str:
        # A resident code must not reach a log line through a repr.
        return f"FoundCode({self.symbology}, {len(self.data)} chars at {self.left},{self.top})"

    def as_dict(self) -> dict[str, Any]:
        """What `kiosk hw scan --json` prints for the code."""
        return {
            "type": self.symbology,
            "data": self.data,
            "position": {
                "left": self.left,
                "top": self.top,
                "width": self.width,
                "height": self.height,
                "polygon": [list(point) for point in self.polygon],
            },
        }


def symbols_for(names: Iterable[str]) -> list[ZBarSymbol]:
    """zbar's symbols for the configured names; an unknown name is a ValueError naming the known ones."""
    symbols = []
    for name in names:
        if name not in SYMBOLOGIES:
            raise ValueError(f"unknown symbology {name!r}; known: {', '.join(sorted(SYMBOLOGIES))}")
        symbols.append(SYMBOLOGIES[name])
    return symbols


def decode_gray(
    pixels: bytes, width: int, height: int, symbologies: Sequence[str] | None = None
) -> list[FoundCode]:
    """Codes in an 8-bit grayscale frame (row-major, `width` x `height`), restricted when asked.

    Restricting to the configured symbologies matters on a camera: zbar then skips the linear
    scanners, which halves the time per frame and rules out false reads of other barcodes.
    """
    symbols = symbols_for(symbologies) if symbologies else None
    return [_found(result) for result in decode((pixels, width, height), symbols=symbols)]


def decode_image(image: Any, symbologies: Sequence[str] | None = None) -> list[FoundCode]:
    """Codes in a PIL image of any mode."""
    gray = image.convert("L")
    return decode_gray(gray.tobytes(), gray.width, gray.height, symbologies)


def _found(result: Any) -> FoundCode:
    # pyzbar gives the type as zbar's name ("QRCODE"); settings use the short lowercase names.
    name = next((key for key, symbol in SYMBOLOGIES.items() if symbol.name == result.type), None)
    rect = result.rect
    return FoundCode(
        symbology=name or str(result.type).lower(),
        data=_text(result.data),
        left=int(rect.left),
        top=int(rect.top),
        width=int(rect.width),
        height=int(rect.height),
        polygon=tuple((int(point.x), int(point.y)) for point in result.polygon),
    )


def _text(raw: bytes) -> str:
    """The text of a code. zbar reads QR bytes without an ECI marker as Latin-1 and hands them over
    re-encoded as UTF-8; UTF-8 text (Chinese) written without ECI comes back doubly encoded."""
    text = raw.decode("utf-8", errors="replace")
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text
