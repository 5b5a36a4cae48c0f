"""The ID card photo: WLT bytes from the card, decoded only by a vendor plug-in when one is installed.

The WLT format is proprietary; decoding it needs the vendor's library (libwlt2bmp.so, WltRS). A
package wrapping such a library registers a callable `decode(wlt: bytes) -> bytes` (returning a
BMP) in the `kiosk.wlt_decoders` entry-point group. Without one, the photo stays raw bytes: the
kiosk never draws a made-up picture in its place.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk import plugins

#: The entry-point group WLT decoder plug-ins register in.
ENTRY_POINT_GROUP = "kiosk.wlt_decoders"

WltDecoder = Callable[[bytes], bytes]


class NoWltDecoder(LookupError):
    """No WLT decoder plug-in is installed."""


def wlt_decoder() -> WltDecoder:
    """The installed WLT decoder (the first by name when several are installed)."""
    found = plugins.registered(ENTRY_POINT_GROUP)
    if not found:
        raise NoWltDecoder(
            f"no WLT photo decoder is installed (a package wrapping the vendor's library registers one "
            f"in the {ENTRY_POINT_GROUP!r} entry-point group)"
        )
    decoder: WltDecoder = found[0].load()
    return decoder
