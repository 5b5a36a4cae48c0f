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
    """The text of a code as its writer meant it.

    zbar guesses the encoding of QR bytes that carry no ECI marker (Latin-1, or Shift-JIS when
    the bytes look Japanese) and hands them over re-encoded as UTF-8, so Chinese written as UTF-8
    comes back garbled. Undo the guess to get the bytes back, then read them as UTF-8, else as
    GB18030 (what older Chinese systems write).
    """
    text = raw.decode("utf-8", errors="replace")
    originals = []
    for guess in ("latin-1", "cp932"):
        try:
            originals.append(text.encode(guess))
        except UnicodeEncodeError:
            continue
    for original in originals:
        try:
            return original.decode("utf-8")
        except UnicodeDecodeError:
            continue
    for original in originals:
        try:
            return original.decode("gb18030")
        except UnicodeDecodeError:
            continue
    return text
