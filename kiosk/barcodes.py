"""Finding QR codes and barcodes in images with zbar: camera frames, photos, screenshots."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ctypes import c_char_p, string_at
from dataclasses import dataclass
from typing import Any

from pyzbar import wrapper as zbar
from pyzbar.locations import bounding_box, convex_hull
from pyzbar.wrapper import ZBarConfig, ZBarSymbol

from kiosk.settings.schema import SYMBOLOGY_NAMES

#: zbar's image format for 8-bit grayscale ("Y800"/"GREY" as a little-endian fourcc).
_GRAY = int.from_bytes(b"Y800", "little")
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


class FrameDecoder:
    """One zbar scanner, configured once, that decodes frame after frame (one thread at a time).

    Restricting to the configured symbologies matters on a camera: zbar then skips the linear
    scanners, which is four times faster and rules out false reads of other barcodes. `density`
    above 1 scans every n-th row and column to find a code (decoding it still uses every pixel);
    2 is ample for a QR code held up to a camera and saves a further third.
    """

    def __init__(self, symbologies: Sequence[str] | None = None, density: int = 1) -> None:
        symbols = symbols_for(symbologies) if symbologies else []
        self._scanner = zbar.zbar_image_scanner_create()
        if not self._scanner:
            raise RuntimeError("zbar could not create an image scanner")
        if symbols:
            zbar.zbar_image_scanner_set_config(self._scanner, ZBarSymbol.NONE, ZBarConfig.CFG_ENABLE, 0)
            for symbol in symbols:
                zbar.zbar_image_scanner_set_config(self._scanner, symbol, ZBarConfig.CFG_ENABLE, 1)
        for axis in (ZBarConfig.CFG_X_DENSITY, ZBarConfig.CFG_Y_DENSITY):
            zbar.zbar_image_scanner_set_config(self._scanner, ZBarSymbol.NONE, axis, density)

    def decode(self, pixels: bytes, width: int, height: int) -> list[FoundCode]:
        """Codes in an 8-bit grayscale frame (row-major, `width` x `height`)."""
        if len(pixels) != width * height:
            raise ValueError(
                f"a {width}x{height} grayscale frame has {width * height} bytes, not {len(pixels)}"
            )
        image = zbar.zbar_image_create()
        try:
            zbar.zbar_image_set_format(image, _GRAY)
            zbar.zbar_image_set_size(image, width, height)
            # zbar keeps a pointer to the pixels, not a copy: `pixels` outlives the scan.
            zbar.zbar_image_set_data(image, c_char_p(pixels), len(pixels), None)
            if zbar.zbar_scan_image(self._scanner, image) < 0:
                raise RuntimeError("zbar refused the frame")
            found = []
            symbol = zbar.zbar_image_first_symbol(image)
            while symbol:
                found.append(_found(symbol))
                symbol = zbar.zbar_symbol_next(symbol)
            return found
        finally:
            zbar.zbar_image_destroy(image)

    def close(self) -> None:
        """Free the scanner."""
        if self._scanner:
            zbar.zbar_image_scanner_destroy(self._scanner)
            self._scanner = None

    def __del__(self) -> None:
        self.close()


def decode_gray(
    pixels: bytes, width: int, height: int, symbologies: Sequence[str] | None = None
) -> list[FoundCode]:
    """Codes in an 8-bit grayscale frame, restricted to `symbologies` when given."""
    decoder = FrameDecoder(symbologies)
    try:
        return decoder.decode(pixels, width, height)
    finally:
        decoder.close()


def decode_image(image: Any, symbologies: Sequence[str] | None = None) -> list[FoundCode]:
    """Codes in a PIL image of any mode."""
    gray = image.convert("L")
    return decode_gray(gray.tobytes(), gray.width, gray.height, symbologies)


def _found(symbol: Any) -> FoundCode:
    kind = symbol.contents.type
    name = next((key for key, value in SYMBOLOGIES.items() if value == kind), None)
    raw = string_at(zbar.zbar_symbol_get_data(symbol), zbar.zbar_symbol_get_data_length(symbol))
    points = convex_hull(
        (zbar.zbar_symbol_get_loc_x(symbol, index), zbar.zbar_symbol_get_loc_y(symbol, index))
        for index in range(zbar.zbar_symbol_get_loc_size(symbol))
    )
    rect = bounding_box(points)
    return FoundCode(
        symbology=name or f"zbar-{kind}",
        data=_text(raw),
        left=int(rect.left),
        top=int(rect.top),
        width=int(rect.width),
        height=int(rect.height),
        polygon=tuple((int(point.x), int(point.y)) for point in points),
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
