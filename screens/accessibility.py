"""Accessibility figures checked on a live widget tree: touch targets, text contrast, size, spacing.

`check_tree` is a pure function over what is on screen now, so the UI tests, the tour and the soak
can all ask the same question. The figures are the strictest of the published ones (MIIT
《移动互联网应用(APP)适老化通用设计规范》 2021, T/TAF 114-2022, WCAG 2.x):

- a touch target (anything with ButtonBehavior, a text input) is at least 48 x 48 dp (T/TAF
  114-2022; MIIT says 44 x 44), and 60 x 60 dp in elder mode;
- text contrasts with what is behind it by at least 4.5:1, or 3:1 for large text, which is
  WCAG's "large" (at least 24 dp, or 18.7 dp bold) since it is stricter than MIIT's "above 18 dp";
  in the high-contrast theme every text needs 7:1;
- text that wraps to more than one line has a line height of at least 1.3;
- in elder mode every text is at least 18 dp (MIIT asks it of the main text; the kiosk has no
  text that is not main).

How the background of a text is found (the convention every screen follows):
a widget that paints a background paints it in its own `canvas.before` (or, for a container, its
`canvas`) with a `Color` then a `Rectangle` or `RoundedRectangle` without a texture. The colour
behind a text is the window's clear colour with every such fill of the text's ancestors, and of
the text's own `canvas.before`, that covers the centre of the text composited over it in drawing
order (alpha included). A text never relies on a sibling's paint or on an image for its
background. The text's colour is its `color`, plus every `[color=...]` of its markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kivy.core.window import WindowBase
from kivy.graphics import (
    Color,
    Rectangle,
    RoundedRectangle,
    StencilPop,
    StencilPush,
    StencilUnUse,
    StencilUse,
)
from kivy.metrics import dp
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.relativelayout import RelativeLayout
from kivy.uix.stencilview import StencilView
from kivy.uix.textinput import TextInput
from kivy.utils import get_color_from_hex

RGBA = tuple[float, float, float, float]

#: WCAG 2.x "large text": 18 pt (24 px) regular or 14 pt (18.66 px) bold.
LARGE_TEXT_DP = 24.0
LARGE_BOLD_TEXT_DP = 18.7


@dataclass(frozen=True)
class Figures:
    """The thresholds one theme variant must meet."""

    touch_dp: float
    contrast: float
    large_contrast: float
    min_text_dp: float = 0.0
    line_height: float = 1.3


FIGURES: dict[str, Figures] = {
    "standard": Figures(touch_dp=48, contrast=4.5, large_contrast=3.0),
    "elder": Figures(touch_dp=60, contrast=4.5, large_contrast=3.0, min_text_dp=18),
    "high_contrast": Figures(touch_dp=48, contrast=7.0, large_contrast=7.0),
}


@dataclass(frozen=True)
class Violation:
    """One figure missed by one widget on one screen."""

    screen: str
    widget: str
    figure: str

    def __str__(self) -> str:
        return f"{self.screen}: {self.widget}: {self.figure}"


# -- colour -----------------------------------------------------------------------------------------


def relative_luminance(rgb: Iterable[float]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour with channels in 0..1."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in list(rgb)[:3]]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: Iterable[float], second: Iterable[float]) -> float:
    """WCAG contrast ratio of two opaque colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def over(top: Iterable[float], below: RGBA) -> RGBA:
    """`top` (with its alpha) composited over the opaque colour `below`."""
    r, g, b, a = (*top, 1.0)[:4]
    return (r * a + below[0] * (1 - a), g * a + below[1] * (1 - a), b * a + below[2] * (1 - a), 1.0)


# -- geometry ---------------------------------------------------------------------------------------

Box = tuple[float, float, float, float]  # left, bottom, right, top in window pixels


def window_box(widget: Any) -> Box:
    """The widget's rectangle in window coordinates."""
    left, bottom = widget.to_window(widget.x, widget.y)
    right, top = widget.to_window(widget.right, widget.top)
    return left, bottom, right, top


def _clip(box: Box, other: Box) -> Box:
    return max(box[0], other[0]), max(box[1], other[1]), min(box[2], other[2]), min(box[3], other[3])


def _empty(box: Box) -> bool:
    return box[2] - box[0] < 1 or box[3] - box[1] < 1


def ancestors(widget: Any) -> list[Any]:
    """The widget's parents, outermost first (the window itself left out)."""
    chain = []
    parent = widget.parent
    # The window paints nothing but its clear colour.
    while parent is not None and not isinstance(parent, WindowBase):
        chain.append(parent)
        parent = parent.parent
    return list(reversed(chain))


def visible_box(widget: Any, window_size: tuple[float, float]) -> Box | None:
    """The part of the widget a resident can see, or None when it is hidden or scrolled away."""
    opacity = widget.opacity
    box = _clip(window_box(widget), (0, 0, window_size[0], window_size[1]))
    for parent in ancestors(widget):
        opacity *= parent.opacity
        if isinstance(parent, StencilView):  # scroll views clip what they hold
            box = _clip(box, window_box(parent))
    if opacity <= 0.01 or _empty(box):
        return None
    return box


def _fills(widget: Any, canvas: Any) -> Iterator[tuple[RGBA, Box]]:
    """(colour, window box) of each untextured rectangle painted on `canvas`, in drawing order."""
    colour: RGBA = (1.0, 1.0, 1.0, 1.0)
    untextured = (None, Rectangle().texture)  # Kivy gives a plain rectangle a blank default texture
    masking = False
    for instruction in canvas.children:
        # A scroll view's stencil draws a rectangle as a mask, not as paint.
        if isinstance(instruction, StencilPush | StencilUnUse):
            masking = True
        elif isinstance(instruction, StencilUse | StencilPop):
            masking = False
        elif masking:
            continue
        elif isinstance(instruction, Color):
            colour = tuple(instruction.rgba)
        elif isinstance(instruction, Rectangle | RoundedRectangle) and instruction.texture in untextured:
            x, y = instruction.pos
            w, h = instruction.size
            if isinstance(widget, RelativeLayout):  # its own canvas runs in its local coordinates
                x, y = widget.to_parent(x, y)
            left, bottom = widget.to_window(x, y)
            yield colour, (left, bottom, left + w, bottom + h)


def background_behind(widget: Any, clear_color: Iterable[float] = (0, 0, 0, 1)) -> RGBA:
    """The opaque colour painted behind the centre of `widget` (see the module's convention)."""
    cx, cy = widget.to_window(*widget.center)
    colour = over(clear_color, (0.0, 0.0, 0.0, 1.0))
    layers = [
        layer
        for parent in ancestors(widget)
        for layer in ((parent, parent.canvas.before), (parent, parent.canvas))
    ]
    layers.append((widget, widget.canvas.before))
    for owner, canvas in layers:
        if canvas is None:
            continue
        for rgba, (left, bottom, right, top) in _fills(owner, canvas):
            if left <= cx <= right and bottom <= cy <= top:
                colour = over(rgba, colour)
    return colour


# -- naming -----------------------------------------------------------------------------------------


def kv_id(widget: Any) -> str:
    """The KV id that names `widget` in one of its ancestors' rules, or ""."""
    for parent in [widget, *reversed(ancestors(widget))]:
        for name, ref in getattr(parent, "ids", {}).items():
            if getattr(ref, "__self__", ref) is widget:
                return str(name)
    return ""


def shown_text(widget: Any) -> str:
    """The text a resident reads on `widget`: its own, or that of the first label inside it."""
    text = str(getattr(widget, "text", "") or getattr(widget, "title", ""))
    if not text:
        for child in widget.walk(restrict=True):
            if isinstance(child, Label) and child.text.strip():
                text = child.text
                break
    return re.sub(r"\[/?[a-z]+[^\]]*\]", "", text).replace("\n", " ").strip()


def describe(widget: Any) -> str:
    """Class, KV id and text of a widget, as a violation names it."""
    name = type(widget).__name__
    found = kv_id(widget)
    text = shown_text(widget)
    if len(text) > 40:
        text = text[:39] + "…"
    return name + (f" id={found}" if found else "") + (f" text={text!r}" if text else "")


# -- the checks -------------------------------------------------------------------------------------


def is_touch_target(widget: Any) -> bool:
    """Something a resident touches to act."""
    return isinstance(widget, ButtonBehavior | TextInput)


def text_colours(label: Any) -> list[RGBA]:
    """The label's colour and, with markup, every colour its spans set."""
    colours: list[RGBA] = [tuple(label.color)]
    if label.markup:
        for value in re.findall(r"\[color=(#?[0-9A-Fa-f]{6,8})\]", label.text):
            colours.append(tuple(get_color_from_hex(value)))
    return colours


def line_count(label: Any) -> int:
    """How many lines the label's text is laid out on."""
    core = getattr(label, "_label", None)
    lines = getattr(core, "_cached_lines", None)
    if lines:
        return len([line for line in lines if line.w > 0 or line.words])
    return 1 + str(label.text).count("\n")


def check_text(label: Any, figures: Figures, opacity: float = 1.0) -> list[str]:
    """The figures one visible text misses."""
    missed = []
    size = label.font_size / dp(1)
    if size < figures.min_text_dp:
        missed.append(f"text {size:.0f} dp < {figures.min_text_dp:.0f} dp")
    large = size >= LARGE_TEXT_DP or (label.bold and size >= LARGE_BOLD_TEXT_DP)
    needed = figures.large_contrast if large else figures.contrast
    behind = background_behind(label)
    for colour in text_colours(label):
        shown = over((*colour[:3], colour[3] * opacity), behind)
        ratio = contrast_ratio(shown, behind)
        if ratio < needed - 1e-6:
            missed.append(
                f"contrast {ratio:.2f}:1 < {needed}:1 ({'large' if large else 'normal'} text, "
                f"colour {_hex(colour)} on {_hex(behind)})"
            )
    if line_count(label) > 1 and label.line_height < figures.line_height - 1e-6:
        missed.append(
            f"line height {label.line_height:.2f} < {figures.line_height} on {line_count(label)} lines"
        )
    return missed


def check_touch_target(widget: Any, figures: Figures) -> list[str]:
    """The figures one visible touch target misses."""
    width, height = widget.width / dp(1), widget.height / dp(1)
    if width < figures.touch_dp - 0.5 or height < figures.touch_dp - 0.5:
        return [
            f"touch target {width:.0f} x {height:.0f} dp < {figures.touch_dp:.0f} x {figures.touch_dp:.0f} dp"
        ]
    return []


def check_tree(
    roots: Iterable[Any], variant: str, screen: str, window_size: tuple[float, float]
) -> list[Violation]:
    """Every figure of `variant` missed by a visible widget under `roots`, named for `screen`."""
    figures = FIGURES[variant]
    found: list[Violation] = []
    for root in roots:
        for widget in root.walk(restrict=True):
            if visible_box(widget, window_size) is None:
                continue
            missed: list[str] = []
            if is_touch_target(widget):
                missed += check_touch_target(widget, figures)
            if isinstance(widget, Label) and widget.text.strip():
                opacity = widget.opacity
                for parent in ancestors(widget):
                    opacity *= parent.opacity
                missed += check_text(widget, figures, min(opacity, 1.0))
            found += [Violation(f"{screen} [{variant}]", describe(widget), figure) for figure in missed]
    return found


def _hex(colour: Iterable[float]) -> str:
    return "#" + "".join(f"{round(c * 255):02X}" for c in list(colour)[:3])
