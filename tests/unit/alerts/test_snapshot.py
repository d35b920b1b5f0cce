"""Snapshots must really be JPEGs: markers and a picture Pillow can decode."""

from __future__ import annotations

import io
import os

from PIL import Image

from bff.alerts.snapshot import is_jpeg


def picture(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, format=fmt)
    return buffer.getvalue()


def test_a_real_jpeg_passes() -> None:
    assert is_jpeg(picture("JPEG"))


def test_a_png_fails() -> None:
    assert not is_jpeg(picture("PNG"))


def test_random_bytes_fail_even_with_the_markers() -> None:
    assert not is_jpeg(os.urandom(2048))
    assert not is_jpeg(b"\xff\xd8" + os.urandom(2048) + b"\xff\xd9")


def test_a_truncated_jpeg_fails() -> None:
    jpeg = picture("JPEG")
    assert not is_jpeg(jpeg[: len(jpeg) // 2])
    assert not is_jpeg(jpeg[: len(jpeg) // 2] + b"\xff\xd9")
    assert not is_jpeg(b"")
