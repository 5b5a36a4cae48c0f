"""The face camera's pictures, looked at in memory only: a picture may be of whoever stands there."""

from __future__ import annotations

import io


def jpeg_size(picture: bytes) -> tuple[int, int]:
    """The width and height of a JPEG picture, decoded whole in memory; ValueError when it is not one."""
    from PIL import Image, UnidentifiedImageError  # imported here: only a camera's check decodes

    try:
        with Image.open(io.BytesIO(picture), formats=["JPEG"]) as image:
            image.load()
            width, height = image.size
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"the picture ({len(picture)} bytes) is not a JPEG that decodes: {error}") from error
    return width, height
