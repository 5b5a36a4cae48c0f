"""The kiosk's own widgets: labels in the CJK font, large touch targets, tiles, the QR image."""

from __future__ import annotations

from typing import Any

from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.recycleview.views import RecycleDataViewBehavior


class KLabel(Label):
    """Text in the theme's font and colour, wrapping to its width (styled in widgets.kv)."""


class KButton(ButtonBehavior, KLabel):
    """A button at least one touch target high; `primary` fills it with the theme colour."""

    primary = BooleanProperty(False)


class HeaderButton(ButtonBehavior, Label):
    """A header bar button as wide as its words (KButton's words wrap to its width instead)."""

    primary = BooleanProperty(False)


class Tile(ButtonBehavior, BoxLayout):
    """A large home-screen tile: a title and a line under it."""

    title = StringProperty("")
    subtitle = StringProperty("")
    key = StringProperty("")


class GuideRow(RecycleDataViewBehavior, ButtonBehavior, BoxLayout):
    """One guide in a list: its name, department and how long it takes."""

    guide_id = StringProperty("")
    name = StringProperty("")
    detail = StringProperty("")
    on_choose = ObjectProperty(None, allownone=True)

    def on_release(self) -> None:
        if self.on_choose is not None:
            self.on_choose(self.guide_id)


class MoreRow(RecycleDataViewBehavior, ButtonBehavior, BoxLayout):
    """The last row of a long list: reads the next page of guides."""

    text = StringProperty("")
    on_choose = ObjectProperty(None, allownone=True)

    def on_release(self) -> None:
        if self.on_choose is not None:
            self.on_choose()


class QrImage(Image):
    """A QR code drawn pixel-exact from segno's matrix (never Micro QR), with its quiet zone."""

    data = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fit_mode = "contain"

    def on_data(self, _instance: Any, value: str) -> None:
        self.texture = qr_texture(value) if value else None


def qr_texture(data: str) -> Texture:
    """A luminance texture, one texel per module, magnified without blurring."""
    import segno  # loaded when the first QR code is shown

    code = segno.make_qr(data, encoding="utf-8", error="m")
    rows = list(code.matrix_iter(scale=1, border=4))
    size = len(rows)
    # Texture rows run bottom-up.
    pixels = bytes(0 if dark else 255 for row in reversed(rows) for dark in row)
    texture = Texture.create(size=(size, size), colorfmt="luminance")
    texture.blit_buffer(pixels, colorfmt="luminance", bufferfmt="ubyte")
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    return texture
