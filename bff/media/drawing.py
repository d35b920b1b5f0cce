"""Cheap text on video: font discovery, glyph atlases and numpy views of yuv420p planes.

Everything that must happen per frame is plain numpy slicing on pre-rendered arrays;
Pillow only runs when a text is first seen (a camera name, a viewer's identity, a glyph).
"""

from __future__ import annotations

import functools
import logging
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)

# Checked in this order when fontconfig does not name a CJK font.
KNOWN_CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
KNOWN_LATIN_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)

Planes = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class FontChoice:
    """A font file found on this machine; `path=None` means Pillow's built-in font."""

    path: str | None
    has_cjk: bool


def has_cjk_glyphs(path: str) -> bool:
    """True when the font draws Chinese characters rather than its missing-glyph box.

    fontconfig happily answers `:lang=zh` with a Latin font when no CJK font is
    installed, so its answer is checked: two different ideographs must render
    differently (a font without them draws the same .notdef box for both).
    """
    try:
        font = ImageFont.truetype(path, 24)
    except OSError:
        return False
    first, second = font.getmask("中"), font.getmask("观")
    if first.getbbox() is None:
        return False
    return bytes(first) != bytes(second)


def _fc_match(pattern: str) -> str | None:
    try:
        result = subprocess.run(
            ["fc-match", "-f", "%{file}", pattern],
            capture_output=True, text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    path = result.stdout.strip()
    return path or None


@functools.lru_cache(maxsize=8)
def find_font(preferred: str = "") -> FontChoice:
    """Pick the font for text drawn on video.

    Order: `preferred` (settings.watermark_font) if it exists; fontconfig's answer for
    `:lang=zh` if it really has CJK glyphs; known CJK font paths; then a Latin font
    (DejaVu), with `has_cjk=False` so callers draw only Latin text. Cached because
    fontconfig is a subprocess call.
    """
    if preferred:
        if has_cjk_glyphs(preferred):
            return FontChoice(preferred, True)
        try:
            ImageFont.truetype(preferred, 12)
        except OSError:
            log.warning("configured font %s cannot be loaded; searching the system", preferred)
        else:
            log.warning("configured font %s has no CJK glyphs; Chinese text is left out",
                        preferred)
            return FontChoice(preferred, False)
    candidates: list[str] = []
    matched = _fc_match(":lang=zh")
    if matched:
        candidates.append(matched)
    candidates.extend(KNOWN_CJK_FONTS)
    for path in candidates:
        if has_cjk_glyphs(path):
            return FontChoice(path, True)
    log.warning(
        "no CJK font found (install fonts-wqy-microhei or set BFF_WATERMARK_FONT); "
        "video text falls back to Latin characters only"
    )
    latin = [p for p in (*KNOWN_LATIN_FONTS, _fc_match("sans:bold")) if p]
    for path in latin:
        try:
            ImageFont.truetype(path, 12)
        except OSError:
            continue
        return FontChoice(path, False)
    return FontChoice(None, False)


def load_font(choice: FontChoice, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Open the chosen font at a pixel size."""
    if choice.path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(choice.path, size)


def latin_only(text: str) -> str:
    """Drop characters a Latin font cannot draw (used when no CJK font exists)."""
    return "".join(ch for ch in text if ord(ch) < 0x2E80).strip()


def plane_views(frame: av.VideoFrame) -> Planes:
    """Writable (rows × columns) numpy views of a yuv420p frame's Y, U and V planes.

    The views share memory with the frame; line padding is cut off.
    """
    views = []
    for plane in frame.planes:
        flat = np.frombuffer(plane, np.uint8)
        views.append(flat.reshape(plane.height, plane.line_size)[:, : plane.width])
    return views[0], views[1], views[2]


def new_frame(width: int, height: int) -> tuple[av.VideoFrame, Planes]:
    """A fresh yuv420p frame and its plane views."""
    frame = av.VideoFrame(width, height, "yuv420p")
    return frame, plane_views(frame)


def render_text_masks(
    text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, stroke: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Render one line of text once: (fill, outline) coverage masks, uint8 0–255.

    `outline` is the text grown by `stroke` pixels (fill included); with stroke 0 it
    equals `fill`.
    """
    left, top, right, bottom = font.getbbox(text, stroke_width=stroke)
    width = max(1, int(right - left))
    height = max(1, int(bottom - top))
    fill_img = Image.new("L", (width, height), 0)
    ImageDraw.Draw(fill_img).text((-left, -top), text, font=font, fill=255)
    fill = np.asarray(fill_img, dtype=np.uint8).copy()
    if stroke <= 0:
        return fill, fill.copy()
    outline_img = Image.new("L", (width, height), 0)
    ImageDraw.Draw(outline_img).text(
        (-left, -top), text, font=font, fill=255, stroke_width=stroke, stroke_fill=255
    )
    return fill, np.asarray(outline_img, dtype=np.uint8).copy()


class GlyphStrip:
    """Pre-rendered glyphs of a small alphabet (digits and separators) in fixed-width
    cells, composed into text strips with numpy alone.

    Digits share one cell width so a running clock does not jitter sideways.
    """

    def __init__(
        self,
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
        alphabet: str = "0123456789:.- ",
        stroke: int = 0,
    ) -> None:
        ascent, descent = font.getmetrics()
        self.stroke = stroke
        self.height = ascent + descent + 2 * stroke
        digit_width = max(int(np.ceil(font.getlength(d))) for d in "0123456789")
        self._fill: dict[str, np.ndarray] = {}
        self._outline: dict[str, np.ndarray] = {}
        self._advance: dict[str, int] = {}
        for ch in alphabet:
            advance = digit_width if ch.isdigit() else max(1, int(np.ceil(font.getlength(ch))))
            size = (advance + 2 * stroke, self.height)
            fill_img = Image.new("L", size, 0)
            ImageDraw.Draw(fill_img).text((stroke, stroke), ch, font=font, fill=255)
            outline_img = Image.new("L", size, 0)
            ImageDraw.Draw(outline_img).text(
                (stroke, stroke), ch, font=font, fill=255,
                stroke_width=stroke, stroke_fill=255,
            )
            self._fill[ch] = np.asarray(fill_img, dtype=np.uint8).copy()
            self._outline[ch] = np.asarray(outline_img, dtype=np.uint8).copy()
            self._advance[ch] = advance

    def width_of(self, text: str) -> int:
        """Pixel width of `text` composed by this strip."""
        return sum(self._advance[ch] for ch in text) + 2 * self.stroke

    def compose(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(fill, outline) coverage masks of `text`, like `render_text_masks`."""
        width = self.width_of(text)
        fill = np.zeros((self.height, width), np.uint8)
        outline = np.zeros((self.height, width), np.uint8)
        x = 0
        for ch in text:
            glyph_fill, glyph_outline = self._fill[ch], self._outline[ch]
            w = glyph_fill.shape[1]
            # Cells overlap by the stroke margin, so keep the stronger coverage.
            np.maximum(fill[:, x : x + w], glyph_fill, out=fill[:, x : x + w])
            np.maximum(outline[:, x : x + w], glyph_outline, out=outline[:, x : x + w])
            x += self._advance[ch]
        return fill, outline


class OpaqueClock:
    """Draws a clock text (e.g. "14:03:05.123") into a Y plane as opaque light-on-dark
    cells: one slice assignment per character, nothing else per frame."""

    def __init__(
        self,
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
        alphabet: str = "0123456789:.- ",
        foreground: int = 235,
        background: int = 32,
    ) -> None:
        strip = GlyphStrip(font, alphabet)
        self.height = strip.height
        self._tiles: dict[str, np.ndarray] = {}
        for ch in alphabet:
            mask = strip.compose(ch)[0].astype(np.uint16)
            tile = background + ((foreground - background) * mask + 127) // 255
            self._tiles[ch] = tile.astype(np.uint8)

    def width_of(self, text: str) -> int:
        """Pixel width of `text`."""
        return sum(self._tiles[ch].shape[1] for ch in text)

    def draw(self, y_plane: np.ndarray, x: int, y: int, text: str) -> None:
        """Paint `text` with its top-left corner at (x, y); clipped at the plane edge."""
        rows, cols = y_plane.shape
        for ch in text:
            tile = self._tiles[ch]
            h = min(tile.shape[0], rows - y)
            w = min(tile.shape[1], cols - x)
            if h <= 0 or w <= 0:
                return
            y_plane[y : y + h, x : x + w] = tile[:h, :w]
            x += tile.shape[1]


def opaque_label(
    lines: Iterable[str],
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    foreground: int = 235,
    background: int = 32,
    padding: int = 6,
) -> np.ndarray:
    """Render static lines of text once as an opaque luma block to paste into frames."""
    masks = [render_text_masks(line, font)[0] for line in lines if line]
    if not masks:
        return np.zeros((0, 0), np.uint8)
    gap = max(2, padding // 2)
    width = max(m.shape[1] for m in masks) + 2 * padding
    height = sum(m.shape[0] for m in masks) + gap * (len(masks) - 1) + 2 * padding
    block = np.full((height, width), background, np.uint16)
    y = padding
    for mask in masks:
        region = block[y : y + mask.shape[0], padding : padding + mask.shape[1]]
        region += ((foreground - background) * mask.astype(np.uint16) + 127) // 255
        y += mask.shape[0] + gap
    return block.astype(np.uint8)
