"""QR codes drawn as real images (segno -> PIL) for zbar to read back."""

from __future__ import annotations

import io

import segno
from PIL import Image


def qr_image(data: str, scale: int = 6, dark: int = 0, light: int = 255) -> Image.Image:
    """A QR code (never Micro QR) with its quiet zone, as a grayscale image."""
    buffer = io.BytesIO()
    segno.make_qr(data, encoding="utf-8").save(
        buffer, kind="png", scale=scale, border=4, dark=(dark,) * 3, light=(light,) * 3
    )
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def frame(
    size: tuple[int, int] = (640, 480), codes: tuple[tuple[str, tuple[int, int]], ...] = (), seed: int = 7
) -> Image.Image:
    """A camera-sized grayscale frame of mild noise, with codes pasted at the given places."""
    import random

    rng = random.Random(seed)
    width, height = size
    canvas = Image.frombytes("L", size, bytes(rng.randrange(90, 170) for _ in range(width * height)))
    for data, place in codes:
        canvas.paste(qr_image(data, scale=4), place)
    return canvas
