"""Draw the demo notices' pictures into config/demo/notices/: plain shapes, no text, no borrowed art.

Run: .venv/bin/python scripts/demo_notices.py
The PNGs are committed; a site replaces them with its own notices in its settings.
"""

from __future__ import annotations

from pathlib import Path

import segno
from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "config" / "demo" / "notices"
SIZE = (960, 540)
#: Colours of the kiosk's standard theme, so the pictures sit well on the attract screen.
BLUE = "#0B5CAD"
PALE = "#DCE9F7"
WHITE = "#FFFFFF"
INK = "#1B2430"
RED = "#C8102E"
GOLD = "#E9C35A"
SKIN = "#D9B88C"


def card(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], fill: str, chip: bool) -> None:
    """A card seen from the front: a photo box or a chip, and lines standing for printed fields."""
    x0, y0, x1, y1 = box
    draw.rounded_rectangle(box, radius=28, fill=fill, outline=INK, width=4)
    height = y1 - y0
    if chip:
        draw.rounded_rectangle(
            (x0 + 40, y0 + height * 0.38, x0 + 130, y0 + height * 0.62), radius=10, fill=GOLD
        )
    else:
        draw.rectangle((x1 - 150, y0 + 40, x1 - 40, y0 + 180), fill=SKIN)
    for row in range(3):
        y = y0 + 60 + row * 50
        left = x0 + (170 if chip else 40)
        draw.rounded_rectangle((left, y, left + 160 - row * 30, y + 16), radius=8, fill=INK)


def cards_picture() -> Image.Image:
    """An ID card and a social security card, side by side."""
    image = Image.new("RGB", SIZE, PALE)
    draw = ImageDraw.Draw(image)
    card(draw, (80, 120, 460, 380), "#A9D0EE", chip=False)
    card(draw, (500, 160, 880, 420), RED, chip=True)
    return image


def qr_phone_picture() -> Image.Image:
    """A phone whose screen holds a QR code, next to a kiosk screen holding the same code."""
    image = Image.new("RGB", SIZE, PALE)
    draw = ImageDraw.Draw(image)
    code = segno.make_qr("https://zwfw.weihai.example/", error="m")
    rows = list(code.matrix_iter(scale=1, border=2))

    def draw_code(left: int, top: int, module: int) -> None:
        draw.rectangle((left, top, left + module * len(rows), top + module * len(rows)), fill=WHITE)
        for y, row in enumerate(rows):
            for x, dark in enumerate(row):
                if dark:
                    draw.rectangle(
                        (
                            left + x * module,
                            top + y * module,
                            left + (x + 1) * module - 1,
                            top + (y + 1) * module - 1,
                        ),
                        fill=INK,
                    )

    # The kiosk: a large screen on a stand.
    draw.rounded_rectangle((90, 70, 520, 400), radius=24, fill=INK)
    draw.rectangle((120, 100, 490, 370), fill=BLUE)
    draw.rectangle((280, 400, 330, 470), fill=INK)
    draw.rounded_rectangle((200, 465, 410, 490), radius=10, fill=INK)
    draw_code(305 - 8 * len(rows) // 2, 235 - 8 * len(rows) // 2, 8)
    # The phone.
    draw.rounded_rectangle((620, 110, 860, 470), radius=32, fill=INK)
    draw.rounded_rectangle((640, 150, 840, 430), radius=12, fill=WHITE)
    draw_code(740 - 6 * len(rows) // 2, 290 - 6 * len(rows) // 2, 6)
    # An arrow from the kiosk to the phone.
    draw.line((540, 235, 600, 235), fill=RED, width=10)
    draw.polygon(((600, 215), (625, 235), (600, 255)), fill=RED)
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, picture in (("cards.png", cards_picture()), ("qr_phone.png", qr_phone_picture())):
        picture.save(OUT / name, optimize=True)
        print(OUT / name)


if __name__ == "__main__":
    main()
