"""One thread's encoder input: each viewer sees the camera frame with exactly their own
watermark, never a trace of the viewer encoded before them."""

from __future__ import annotations

import numpy as np
import pytest

from bff.lib.settings import WebRTCSettings
from bff.media.drawing import new_frame, plane_views
from bff.webrtc.canvas import ViewerCanvas
from bff.webrtc.watermark import ViewerWatermark, WatermarkRenderer
from tests.unit.webrtc.webrtc_support import LI, ZHANG

SECOND = 1_795_000_000.5


def _camera_frame(seed: int):  # noqa: ANN202 - av.VideoFrame
    frame, planes = new_frame(640, 360)
    rng = np.random.default_rng(seed)
    for plane in planes:
        plane[:] = rng.integers(16, 236, plane.shape, dtype=np.uint8)
    return frame


def _expected(frame, watermark: ViewerWatermark) -> np.ndarray:  # noqa: ANN001
    y = plane_views(frame)[0].copy()
    watermark.apply(y, SECOND)
    return y


@pytest.fixture
def watermarks() -> tuple[ViewerWatermark, ViewerWatermark, ViewerWatermark]:
    settings = WebRTCSettings()
    renderer = WatermarkRenderer(settings)
    # Another layout of the text rows (the canvas must not rely on one layout for all).
    other_layout = WatermarkRenderer(settings)
    other_layout.row_pitch += 7
    return (ViewerWatermark(renderer, ZHANG), ViewerWatermark(renderer, LI),
            ViewerWatermark(other_layout, LI))


def test_each_viewer_gets_exactly_their_own_mark(watermarks) -> None:  # noqa: ANN001
    zhang, li, li_shifted = watermarks
    assert zhang.mask_at(SECOND).rows != li_shifted.mask_at(SECOND).rows
    canvas = ViewerCanvas(640, 360)
    frame = _camera_frame(1)
    source = [p.copy() for p in plane_views(frame)]
    canvas.load(frame, ("cam", 1))
    for watermark in (zhang, li, li_shifted, zhang, li_shifted, li):
        canvas.mark(watermark.mask_at(SECOND))
        y, u, v = plane_views(canvas.frame)
        assert np.array_equal(y, _expected(frame, watermark))
        assert np.array_equal(u, source[1]) and np.array_equal(v, source[2])
    # The camera frame itself is never written.
    assert all(np.array_equal(a, b) for a, b in zip(plane_views(frame), source))


def test_a_new_camera_frame_replaces_the_old_one(watermarks) -> None:  # noqa: ANN001
    zhang, li, _ = watermarks
    canvas = ViewerCanvas(640, 360)
    first, second = _camera_frame(1), _camera_frame(2)
    canvas.load(first, ("cam", 1))
    canvas.mark(zhang.mask_at(SECOND))
    canvas.load(second, ("cam", 2))
    canvas.mark(li.mask_at(SECOND))
    assert np.array_equal(plane_views(canvas.frame)[0], _expected(second, li))
    assert np.array_equal(plane_views(canvas.frame)[1], plane_views(second)[1])
    # Same key but another frame object (a restarted source): copied again.
    third = _camera_frame(3)
    canvas.load(third, ("cam", 2))
    canvas.mark(li.mask_at(SECOND))
    assert np.array_equal(plane_views(canvas.frame)[0], _expected(third, li))


def test_marking_needs_a_frame() -> None:
    settings = WebRTCSettings()
    watermark = ViewerWatermark(WatermarkRenderer(settings), ZHANG)
    with pytest.raises(RuntimeError):
        ViewerCanvas(640, 360).mark(watermark.mask_at(SECOND))
