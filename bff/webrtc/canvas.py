"""The encoder input of one worker thread: a camera frame plus one viewer's watermark.

Encoders copy their input picture in when `encode()` is called, so one input frame can
serve every viewer a thread encodes in turn. The camera frame is copied into it once;
then, per viewer, only the rows that carry watermark text are rewritten (from the
pristine camera frame, with this viewer's mark). A full per-viewer copy of the picture
(and of its chroma planes, which a watermark never touches) is saved.

Rows another viewer's mark touched and this one's does not are restored first, so a
viewer's stream can never carry another viewer's watermark.
"""

from __future__ import annotations

import av
import numpy as np

from bff.media.drawing import new_frame, plane_views
from bff.webrtc.watermark import BandViews, WatermarkMask

Rows = tuple[tuple[int, int], ...]


class ViewerCanvas:
    """One thread's reusable encoder input (not thread-safe: one per worker thread)."""

    def __init__(self, width: int, height: int) -> None:
        self.frame, self._planes = new_frame(width, height)
        # One blend work area per thread, not per viewer: it stays in the cache, and
        # viewers cost no memory for it.
        self._scratch = WatermarkMask.scratch_for(width, height)
        self._source: av.VideoFrame | None = None
        self._source_key: object = None
        self._source_y: np.ndarray | None = None
        self._views: BandViews | None = None
        self._marked: Rows = ()

    def load(self, source: av.VideoFrame, key: object) -> None:
        """Show the camera frame `source`, named by `key` (camera and frame number):
        copied once, a no-op when that frame is already shown. `source` must be yuv420p
        at the canvas's size and must not change meanwhile."""
        if key == self._source_key and source is self._source:
            return
        planes = plane_views(source)
        for target, plane in zip(self._planes, planes):
            np.copyto(target, plane)
        # Holding the reference keeps the identity check above sound.
        self._source, self._source_key = source, key
        self._source_y = planes[0]
        self._views = BandViews(planes[0], self._planes[0], self._scratch)
        self._marked = ()

    def mark(self, mask: WatermarkMask) -> None:
        """Put one viewer's watermark on the loaded frame, replacing the previous one."""
        if self._views is None or self._source_y is None:
            raise RuntimeError("load a camera frame first")
        source, target = self._source_y, self._planes[0]
        rows = mask.rows
        if self._marked and self._marked != rows:
            for top, bottom in self._marked:  # the mask writes its own rows in full
                np.copyto(target[top:bottom], source[top:bottom])
        mask.blend(self._views)
        self._marked = rows

    def release(self) -> None:
        """Forget the camera frame so its memory can go (the next `load` copies afresh)."""
        self._source, self._source_key, self._source_y, self._marked = None, None, None, ()
        self._views = None
