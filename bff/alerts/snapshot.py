"""Checking that a snapshot is really a JPEG before it is stored and shown to phones."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

SNAPSHOT_MAX_BYTES = 512 * 1024
"""Largest snapshot accepted, decoded (the base64 text is a third larger)."""

_SOI = b"\xff\xd8"  # start of image
_EOI = b"\xff\xd9"  # end of image


def is_jpeg(data: bytes) -> bool:
    """True when `data` starts and ends with the JPEG markers and Pillow reads it as a
    JPEG whose picture loads (a truncated or disguised file fails one of these)."""
    if len(data) < 4 or not data.startswith(_SOI) or not data.rstrip(b"\x00").endswith(_EOI):
        return False
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "JPEG":
                return False
            image.load()  # decodes the scan: catches a cut-off body behind valid headers
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return False
    return True
