"""Per-viewer watermark (安全水印): who is watching, and when, burnt into the picture.

The text — display name, staff number, username and the current time to the second — is
tiled in staggered rows over the whole frame, white with a dark outline, semi-transparent,
so a photo of a phone screen still names the viewer. It changes once a second, so the
blend arrays are rebuilt at most once a second per viewer (identity strips are rendered
with Pillow once per viewer; the time comes from a shared glyph atlas); every frame then
only needs a fixed-point numpy alpha blend over the rows that carry text, in place in the
Y plane.
"""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass
from datetime import datetime, tzinfo

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from bff.lib.settings import WebRTCSettings
from bff.media.drawing import FontChoice, GlyphStrip, find_font, latin_only, load_font
from bff.webrtc.viewers import ViewerIdentity

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
FILL_ALPHA = 0.42
"""Opacity of the white letters."""
OUTLINE_ALPHA = 0.32
"""Opacity of the dark outline that keeps letters readable on bright pictures."""
OUTLINE_LUMA = 16
FILL_LUMA = 255
_IDENTITY_CACHE_SIZE = 512


@dataclass(frozen=True)
class BandLayout:
    """Where a watermark's text is: `count` bands of `height` rows, `pitch` rows apart
    from row `top`, each `width` columns wide."""

    top: int
    pitch: int
    count: int
    height: int
    width: int

    @property
    def rows(self) -> tuple[tuple[int, int], ...]:
        return tuple((self.top + i * self.pitch, self.top + i * self.pitch + self.height)
                     for i in range(self.count))

    def rows_of(self, plane: np.ndarray) -> np.ndarray:
        """A (count, height, width) view of these rows of `plane` (no copy)."""
        if self.top + (self.count - 1) * self.pitch + self.height > plane.shape[0]:
            raise ValueError("the plane is smaller than the watermark")
        row_stride, col_stride = plane.strides
        return np.lib.stride_tricks.as_strided(
            plane[self.top :], shape=(self.count, self.height, self.width),
            strides=(self.pitch * row_stride, row_stride, col_stride))


class BandViews:
    """The text-row views of one source/target pair and a uint16 work area, built once
    per layout: a thread marking many viewers on one camera frame builds them once per
    frame, not once per viewer."""

    def __init__(self, source: np.ndarray, target: np.ndarray, scratch: np.ndarray) -> None:
        if not scratch.flags.c_contiguous or scratch.dtype != np.uint16:
            raise ValueError("scratch must be a C-contiguous uint16 array")
        self._source, self._target = source, target
        self._scratch = scratch.reshape(-1)
        self._views: dict[BandLayout, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def of(self, layout: BandLayout) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(source rows, target rows, work area) for `layout`."""
        views = self._views.get(layout)
        if views is None:
            size = layout.count * layout.height * layout.width
            work = self._scratch[:size].reshape(layout.count, layout.height, layout.width)
            views = (layout.rows_of(self._source), layout.rows_of(self._target), work)
            self._views[layout] = views
        return views


@dataclass(frozen=True)
class _Bands:
    """Text rows of equal height at a fixed pitch: Y' = (Y * inverse + premultiplied) >> 8.

    Stored as (count, rows, width) arrays so that one strided numpy call blends every
    band: per-band calls cost more in call overhead than in arithmetic at 360p.
    """

    layout: BandLayout
    inverse: np.ndarray  # uint16 (count, rows, width): 256 - alpha*256
    premultiplied: np.ndarray  # uint16 (count, rows, width): luma * alpha * 256

    def blend(self, views: BandViews) -> None:
        source, target, work = views.of(self.layout)
        np.multiply(source, self.inverse, out=work)
        np.add(work, self.premultiplied, out=work)
        np.right_shift(work, 8, out=work)
        np.copyto(target, work, casting="unsafe")


class WatermarkMask:
    """One rendered watermark (one viewer, one second) ready to blend into Y planes.

    Only the rows that carry text are stored and blended.
    """

    def __init__(self, text: str, width: int, height: int, bands: list[_Bands]) -> None:
        self.text = text
        self.width = width
        self.height = height
        self._bands = bands
        self.rows: tuple[tuple[int, int], ...] = tuple(
            rows for group in bands for rows in group.layout.rows)
        """(top, bottom) of every text band: the only rows this watermark changes."""

    @staticmethod
    def scratch_for(width: int, height: int) -> np.ndarray:
        """A work area big enough for any mask of that frame size."""
        return np.empty(width * height, np.uint16)

    def apply_bands(self, source: np.ndarray, target: np.ndarray, scratch: np.ndarray) -> None:
        """Write the text rows of `target` from `source` with the watermark (`source` may
        be `target`: in place); other rows of `target` are left as they are. `scratch`
        is a caller-owned C-contiguous uint16 array of at least width × height elements
        (`scratch_for`), so nothing is allocated here."""
        self.blend(BandViews(source, target, scratch))

    def blend(self, views: BandViews) -> None:
        """`apply_bands` with views built beforehand (`ViewerCanvas`)."""
        for group in self._bands:
            group.blend(views)

    def apply(self, y_plane: np.ndarray, scratch: np.ndarray) -> None:
        """Blend into `y_plane` (height × width uint8) in place."""
        self.apply_bands(y_plane, y_plane, scratch)

    def apply_copy(self, source: np.ndarray, target: np.ndarray, scratch: np.ndarray) -> None:
        """Write `source` with the watermark into `target` (both height × width uint8):
        the same result as copying and then `apply`, in one pass over the text rows."""
        done = 0
        for top, bottom in self.rows:
            if top > done:
                np.copyto(target[done:top], source[done:top])
            done = bottom
        if done < target.shape[0]:
            np.copyto(target[done:], source[done:])
        self.apply_bands(source, target, scratch)

    def alpha_and_luma(self) -> tuple[np.ndarray, np.ndarray]:
        """Full-frame float32 arrays (alpha 0–1, luma 0–255 where alpha > 0): what this
        watermark does to a picture, for tests that identify a viewer from a frame."""
        alpha = np.zeros((self.height, self.width), np.float32)
        luma = np.zeros((self.height, self.width), np.float32)
        for group in self._bands:
            a = (256 - group.inverse.astype(np.float32)) / 256
            group.layout.rows_of(alpha)[:] = a
            with np.errstate(divide="ignore", invalid="ignore"):
                group.layout.rows_of(luma)[:] = np.where(
                    a > 0, group.premultiplied / 256 / np.maximum(a, 1e-6), 0)
        return alpha, luma


class WatermarkRenderer:
    """Builds watermark masks; one per process/registry, shared by every viewer.

    Holds the font, the glyph atlas for the time and a bounded cache of rendered
    identity strips. Thread-safe: masks are rebuilt inside encoder threads.
    """

    def __init__(self, settings: WebRTCSettings, font: FontChoice | None = None) -> None:
        self.width, self.height = settings.width, settings.height
        self.font_choice = font or find_font(settings.watermark_font)
        self.size = max(12, round(self.height * 0.05))
        self.stroke = 1
        self._font = load_font(self.font_choice, self.size)
        self._time_glyphs = GlyphStrip(self._font, "0123456789:- ", stroke=self.stroke)
        self.line_height = self._time_glyphs.height
        self.row_pitch = max(self.line_height + 8, self.height // 6)
        self._gap = max(24, self.width // 12)
        self._tz = settings.tzinfo()
        self._lock = threading.Lock()
        self._identities: collections.OrderedDict[
            ViewerIdentity, tuple[str, np.ndarray, np.ndarray]
        ] = collections.OrderedDict()
        self._times: collections.OrderedDict[int, tuple[str, np.ndarray, np.ndarray]] = (
            collections.OrderedDict()
        )

    @property
    def has_cjk(self) -> bool:
        """False when only Latin fields (username, staff number, time) can be drawn."""
        return self.font_choice.has_cjk

    def identity_text(self, viewer: ViewerIdentity) -> str:
        """The identity part of the watermark as drawn with this renderer's font."""
        fields = [viewer.display_name, viewer.staff_no, viewer.username]
        if not self.has_cjk:
            fields = [latin_only(field) for field in fields]
        return "  ".join(field for field in fields if field)

    def text_for(self, viewer: ViewerIdentity, epoch_second: int) -> str:
        """The whole watermark line for `viewer` at `epoch_second`."""
        return f"{self.identity_text(viewer)}  {_time_text(epoch_second, self._tz)}"

    def render(self, viewer: ViewerIdentity, epoch_second: int) -> WatermarkMask:
        """The watermark of `viewer` at `epoch_second` (local time, to the second)."""
        ident_text, ident_fill, ident_outline = self._identity_strip(viewer)
        time_text, time_fill, time_outline = self._time_strip(epoch_second)
        spacer = np.zeros((self.line_height, self.size), np.uint8)
        fill = np.hstack([ident_fill, spacer, time_fill])
        outline = np.hstack([ident_outline, spacer, time_outline])
        a_fill = fill.astype(np.float32) * (FILL_ALPHA / 255)
        a_outline = np.clip(outline.astype(np.float32) - fill, 0, None) * (OUTLINE_ALPHA / 255)
        alpha = a_fill + a_outline
        line_inverse = (256 - np.rint(alpha * 256)).astype(np.uint16)
        line_pre = np.rint((a_fill * FILL_LUMA + a_outline * OUTLINE_LUMA) * 256).astype(
            np.uint16
        )
        # The blend cannot overflow uint16: Y*(256-a) + 255*a <= 255*256.
        line_pre = np.minimum(line_pre, (256 - line_inverse) * 255).astype(np.uint16)

        line_width = fill.shape[1]
        pitch = line_width + self._gap
        stagger = pitch // 3
        first_top = max(0, (self.row_pitch - self.line_height) // 2)
        tops = list(range(first_top, self.height, self.row_pitch))
        full = [top for top in tops if top + self.line_height <= self.height]
        bands = []
        if full:
            bands.append(self._bands(full, self.line_height, line_inverse, line_pre,
                                     pitch, stagger, first_index=0))
        if len(full) < len(tops):  # the last row of text is cut by the frame's bottom
            top = tops[len(full)]
            bands.append(self._bands([top], self.height - top, line_inverse, line_pre,
                                     pitch, stagger, first_index=len(full)))
        return WatermarkMask(f"{ident_text}  {time_text}", self.width, self.height, bands)

    def _bands(self, tops: list[int], height: int, line_inverse: np.ndarray,
               line_pre: np.ndarray, pitch: int, stagger: int, first_index: int) -> _Bands:
        """Rows of text at `tops` (equally spaced), `height` rows each, the line tiled
        across and staggered from row to row so the columns do not line up."""
        inverse = np.full((len(tops), height, self.width), 256, np.uint16)
        pre = np.zeros((len(tops), height, self.width), np.uint16)
        line_width = line_inverse.shape[1]
        for index in range(len(tops)):
            row = first_index + index
            start = -((row * stagger) % pitch) - stagger
            for left in range(start, self.width, pitch):
                src_left = max(0, -left)
                dst_left = max(0, left)
                cols = min(line_width - src_left, self.width - dst_left)
                if cols <= 0:
                    continue
                source = slice(src_left, src_left + cols)
                target = slice(dst_left, dst_left + cols)
                inverse[index, :, target] = line_inverse[:height, source]
                pre[index, :, target] = line_pre[:height, source]
        return _Bands(BandLayout(tops[0], self.row_pitch, len(tops), height, self.width),
                      inverse, pre)

    def _identity_strip(self, viewer: ViewerIdentity) -> tuple[str, np.ndarray, np.ndarray]:
        with self._lock:
            cached = self._identities.get(viewer)
            if cached is not None:
                self._identities.move_to_end(viewer)
                return cached
        text = self.identity_text(viewer)
        fill, outline = _render_line(self._font, text, self.line_height, self.stroke)
        with self._lock:
            self._identities[viewer] = (text, fill, outline)
            while len(self._identities) > _IDENTITY_CACHE_SIZE:
                self._identities.popitem(last=False)
        return text, fill, outline

    def _time_strip(self, epoch_second: int) -> tuple[str, np.ndarray, np.ndarray]:
        with self._lock:
            cached = self._times.get(epoch_second)
            if cached is not None:
                return cached
        text = _time_text(epoch_second, self._tz)
        fill, outline = self._time_glyphs.compose(text)
        with self._lock:
            self._times[epoch_second] = (text, fill, outline)
            while len(self._times) > 4:
                self._times.popitem(last=False)
        return text, fill, outline


def _time_text(epoch_second: int, tz: tzinfo) -> str:
    return datetime.fromtimestamp(epoch_second, tz).strftime(TIME_FORMAT)


def _render_line(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str, height: int,
                 stroke: int) -> tuple[np.ndarray, np.ndarray]:
    """Render `text` with its ascender at the top of a `height`-row strip, matching the
    glyph atlas so identity and time share a baseline."""
    width = max(1, int(np.ceil(font.getlength(text))) + 2 * stroke) if text else 1
    fill_img = Image.new("L", (width, height), 0)
    ImageDraw.Draw(fill_img).text((stroke, stroke), text, font=font, fill=255)
    outline_img = Image.new("L", (width, height), 0)
    ImageDraw.Draw(outline_img).text((stroke, stroke), text, font=font, fill=255,
                                     stroke_width=stroke, stroke_fill=255)
    return (np.asarray(fill_img, dtype=np.uint8).copy(),
            np.asarray(outline_img, dtype=np.uint8).copy())


class ViewerWatermark:
    """The watermark of one viewer's stream: re-rendered when the second changes,
    blended into every frame. Owns its scratch buffer, so viewers can be processed in
    parallel threads."""

    def __init__(self, renderer: WatermarkRenderer, viewer: ViewerIdentity) -> None:
        self._renderer = renderer
        self.viewer = viewer
        self._second: int | None = None
        self._mask: WatermarkMask | None = None
        # Only aiortc's media loop blends with the viewer's own scratch; direct sending
        # uses the worker thread's (`ViewerCanvas`). Allocated on first use.
        self._scratch: np.ndarray | None = None

    def mask_at(self, now: float) -> WatermarkMask:
        """The mask for wall-clock time `now`, rebuilt only when the second changes."""
        second = int(now)
        if second != self._second or self._mask is None:
            self._mask = self._renderer.render(self.viewer, second)
            self._second = second
        return self._mask

    def apply(self, y_plane: np.ndarray, now: float | None = None) -> None:
        """Watermark a Y plane in place for time `now` (default: the current time)."""
        self.mask_at(time.time() if now is None else now).apply(y_plane, self.scratch)

    def apply_copy(self, source: np.ndarray, target: np.ndarray, now: float) -> None:
        """`target` = `source` watermarked for time `now` (the shared camera frame stays
        untouched)."""
        self.mask_at(now).apply_copy(source, target, self.scratch)

    @property
    def scratch(self) -> np.ndarray:
        """This viewer's uint16 work area for blends (one per viewer: thread-safe)."""
        if self._scratch is None:
            self._scratch = WatermarkMask.scratch_for(self._renderer.width,
                                                      self._renderer.height)
        return self._scratch


def render_watermark(
    viewer: ViewerIdentity, epoch_second: int, settings: WebRTCSettings,
    renderer: WatermarkRenderer | None = None,
) -> WatermarkMask:
    """The mask a viewer's frames carry at `epoch_second`; lets tests check which viewer
    a received frame belongs to."""
    return (renderer or WatermarkRenderer(settings)).render(viewer, epoch_second)
