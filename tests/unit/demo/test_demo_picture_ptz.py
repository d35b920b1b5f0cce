"""The demo picture follows the PTZ head: the scene slides against a pan or tilt, is
magnified by zoom, and the head's position is readable on the picture."""

from __future__ import annotations

import numpy as np
import pytest

from bff.demo.ptz import HOME, HeadPosition
from bff.demo.strips import read_ptz_strip, read_timestamp
from bff.demo.video import DemoPicture
from bff.media.drawing import plane_views

CAMERA = "44150201001320000001"
NAME = "城区香洲街道品清路与通港路交叉口-1"
T = 1_795_000_000.25
GRID = 24  # luma of the grid lines; the bars never get this dark
BAND = slice(100, 150)  # rows with no text, no cross and no horizontal grid line at home


@pytest.fixture(scope="module")
def picture() -> DemoPicture:
    return DemoPicture(CAMERA, NAME, 640, 360)


def luma(picture: DemoPicture, view: HeadPosition, t: float = T) -> np.ndarray:
    return plane_views(picture.render(t, view))[0].copy()


def grid_columns(y: np.ndarray) -> list[int]:
    """First column of each vertical grid line crossing the band."""
    columns = np.flatnonzero((y[BAND] == GRID).all(axis=0))
    return [int(c) for i, c in enumerate(columns) if i == 0 or columns[i - 1] != c - 1]


def grid_rows(y: np.ndarray) -> list[int]:
    rows = np.flatnonzero((y[:, 200:300] == GRID).all(axis=1))
    return [int(r) for i, r in enumerate(rows) if i == 0 or rows[i - 1] != r - 1]


def test_panning_right_slides_the_scene_left(picture: DemoPicture) -> None:
    home = luma(picture, HOME)
    right = luma(picture, HeadPosition(6.0, 0.0, 1.0))  # 6° = 64 px at 640 px / 60°
    shift = 64
    assert np.array_equal(right[BAND, : 640 - shift], home[BAND, shift:])
    assert not np.array_equal(right[BAND], home[BAND])
    left = luma(picture, HeadPosition(354.0, 0.0, 1.0))
    assert np.array_equal(left[BAND, shift:], home[BAND, : 640 - shift])


def test_bearing_lines_sit_where_the_head_points(picture: DemoPicture) -> None:
    ppd = 640 / 60
    home = grid_columns(luma(picture, HOME))
    assert 320 in home  # bearing 0° under the centre
    turned = grid_columns(luma(picture, HeadPosition(25.0, 0.0, 1.0)))
    # bearing 30° now lies 5° right of the centre
    assert round(320 + 5 * ppd) in turned and 320 not in turned


def test_tilting_up_moves_the_horizon_down(picture: DemoPicture) -> None:
    ppd = 640 / 60
    home = grid_rows(luma(picture, HOME))
    assert 180 in home  # the horizon through the centre
    up = grid_rows(luma(picture, HeadPosition(0.0, 8.0, 1.0)))
    assert round(180 + 8 * ppd) in up and 180 not in up


def test_zoom_magnifies_around_the_centre(picture: DemoPicture) -> None:
    home = grid_columns(luma(picture, HOME))
    zoomed = grid_columns(luma(picture, HeadPosition(0.0, 0.0, 2.0)))
    spacing = lambda columns: np.median(np.diff(columns))  # noqa: E731
    assert len(zoomed) < len(home)
    assert spacing(zoomed) == pytest.approx(2 * spacing(home), abs=2)
    assert 320 in zoomed  # the centre stays put


def test_the_position_is_readable_on_the_picture(picture: DemoPicture) -> None:
    for view in (HOME, HeadPosition(123.4, -5.0, 1.8), HeadPosition(359.9, 45.0, 4.0),
                 HeadPosition(0.04, -45.0, 1.0)):
        y = luma(picture, view)
        expected = (round(view.pan, 1) % 360, round(view.tilt, 1), round(view.zoom, 1))
        assert read_ptz_strip(y) == expected
        assert read_timestamp(y) == int(T * 1000) & 0xFFFFFFFF  # the latency strip survives


def test_the_readout_changes_with_the_position(picture: DemoPicture) -> None:
    corner = (slice(300, 352), slice(420, 640))  # bottom right, above the strips
    a = luma(picture, HOME)[corner]
    b = luma(picture, HeadPosition(12.5, 0.0, 1.0))[corner]
    assert not np.array_equal(a, b)


def test_narrow_pictures_have_no_strip_but_still_render() -> None:
    small = DemoPicture(CAMERA, NAME, 320, 180)
    frame = small.render(T, HeadPosition(200.0, -30.0, 3.0))
    assert (frame.width, frame.height) == (320, 180)
    assert read_ptz_strip(plane_views(frame)[0]) is None


def test_the_head_at_home_renders_like_no_head(picture: DemoPicture) -> None:
    assert np.array_equal(plane_views(picture.render(T))[0], luma(picture, HOME))
