"""The per-viewer watermark: what it says, where it goes, how it blends, font fallback."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bff.lib.settings import WebRTCSettings
from bff.media.drawing import KNOWN_CJK_FONTS, FontChoice, find_font, has_cjk_glyphs
from bff.webrtc.watermark import (
    ViewerWatermark,
    WatermarkRenderer,
    render_watermark,
)
from tests.unit.webrtc.webrtc_support import LI, ZHANG

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SECOND = 1_795_000_000  # an arbitrary fixed moment
CJK_FONT = next((p for p in KNOWN_CJK_FONTS if Path(p).exists() and has_cjk_glyphs(p)), None)


@pytest.fixture
def settings() -> WebRTCSettings:
    return WebRTCSettings()


@pytest.fixture
def renderer(settings: WebRTCSettings) -> WatermarkRenderer:
    return WatermarkRenderer(settings)


def test_text_names_the_viewer_and_the_second(renderer: WatermarkRenderer) -> None:
    mask = renderer.render(ZHANG, SECOND)
    # 1_795_000_000 is 2026-11-18 11:06:40 UTC: Beijing time whatever the server's zone.
    assert "zhangwei" in mask.text and "044127" in mask.text
    assert "2026-11-18 19:06:40" in mask.text
    if renderer.has_cjk:
        assert "张伟" in mask.text


@pytest.mark.parametrize("zone, expected", [("UTC", "2026-11-18 11:06:40"),
                                            ("-05:00", "2026-11-18 06:06:40")])
def test_watermark_time_zone_is_a_setting(zone: str, expected: str) -> None:
    renderer = WatermarkRenderer(WebRTCSettings(timezone=zone))
    assert expected in renderer.render(ZHANG, SECOND).text


def test_mask_differs_between_viewers_and_seconds(renderer: WatermarkRenderer) -> None:
    zhang, li = renderer.render(ZHANG, SECOND), renderer.render(LI, SECOND)
    later = renderer.render(ZHANG, SECOND + 1)
    again = renderer.render(ZHANG, SECOND)
    alpha = {name: m.alpha_and_luma()[0] for name, m in
             (("zhang", zhang), ("li", li), ("later", later), ("again", again))}
    assert np.array_equal(alpha["zhang"], alpha["again"])
    assert not np.array_equal(alpha["zhang"], alpha["li"])
    assert not np.array_equal(alpha["zhang"], alpha["later"])
    # Different viewers differ in many pixels, not only in a corner.
    assert np.count_nonzero(alpha["zhang"] != alpha["li"]) > 2_000


def test_mask_is_tiled_over_the_whole_frame(renderer: WatermarkRenderer) -> None:
    alpha, _ = renderer.render(ZHANG, SECOND).alpha_and_luma()
    height, width = alpha.shape
    assert (height, width) == (360, 640)
    for rows in (slice(0, height // 3), slice(height // 3, 2 * height // 3),
                 slice(2 * height // 3, height)):
        for cols in (slice(0, width // 2), slice(width // 2, width)):
            assert np.count_nonzero(alpha[rows, cols]) > 300
    # Semi-transparent: the picture always shows through.
    assert 0.2 < alpha.max() < 0.6
    assert 0.05 < np.count_nonzero(alpha) / alpha.size < 0.5


def test_apply_blends_in_place_only_where_the_mask_is(renderer: WatermarkRenderer) -> None:
    mask = renderer.render(ZHANG, SECOND)
    alpha, luma = mask.alpha_and_luma()
    plane = np.full((360, 640), 100, np.uint8)
    scratch = np.empty((360, 640), np.uint16)
    mask.apply(plane, scratch)
    expected = 100 * (1 - alpha) + luma * alpha
    assert np.abs(plane.astype(np.float32) - expected).max() <= 1.01
    assert np.array_equal(plane[alpha == 0], np.full(np.count_nonzero(alpha == 0), 100))
    # Letters are lighter than the picture, their outline darker: readable on any picture.
    assert plane.max() > 140 and plane.min() < 80


def test_apply_keeps_white_and_black_in_range(renderer: WatermarkRenderer) -> None:
    mask = renderer.render(LI, SECOND)
    scratch = np.empty((360, 640), np.uint16)
    for value in (0, 255):
        plane = np.full((360, 640), value, np.uint8)
        mask.apply(plane, scratch)
        assert plane.dtype == np.uint8 and plane.min() >= 0 and plane.max() <= 255
        if value == 255:
            assert plane.min() > 150  # dark outline dims, never inverts


def test_viewer_watermark_rerenders_once_a_second(renderer: WatermarkRenderer) -> None:
    watermark = ViewerWatermark(renderer, ZHANG)
    first = watermark.mask_at(SECOND + 0.1)
    assert watermark.mask_at(SECOND + 0.9) is first
    assert watermark.mask_at(SECOND + 1.0) is not first
    plane = np.full((360, 640), 90, np.uint8)
    watermark.apply(plane, SECOND + 0.5)
    assert np.count_nonzero(plane != 90) > 2_000


def test_render_watermark_matches_what_viewers_get(settings: WebRTCSettings,
                                                   renderer: WatermarkRenderer) -> None:
    a = render_watermark(ZHANG, SECOND, settings).alpha_and_luma()[0]
    b = renderer.render(ZHANG, SECOND).alpha_and_luma()[0]
    assert np.array_equal(a, b)


@pytest.mark.skipif(not Path(DEJAVU).exists(), reason="DejaVu Sans is not installed")
def test_latin_fallback_still_identifies_the_viewer(settings: WebRTCSettings) -> None:
    latin = WatermarkRenderer(settings, font=FontChoice(DEJAVU, has_cjk=False))
    assert not latin.has_cjk
    text = latin.text_for(ZHANG, SECOND)
    assert "张" not in text and "zhangwei" in text and "044127" in text
    mask = latin.render(ZHANG, SECOND)
    assert np.count_nonzero(mask.alpha_and_luma()[0]) > 5_000
    assert not np.array_equal(mask.alpha_and_luma()[0],
                              latin.render(LI, SECOND).alpha_and_luma()[0])


@pytest.mark.skipif(not Path(DEJAVU).exists(), reason="DejaVu Sans is not installed")
def test_font_discovery_checks_for_cjk_glyphs() -> None:
    assert not has_cjk_glyphs(DEJAVU)
    assert not has_cjk_glyphs("/nonexistent/font.ttf")
    # A configured font without CJK glyphs is used, but only for Latin text.
    assert find_font(DEJAVU) == FontChoice(DEJAVU, has_cjk=False)


@pytest.mark.skipif(CJK_FONT is None, reason="no CJK font installed (fonts-wqy-microhei)")
def test_a_cjk_font_is_found() -> None:
    assert has_cjk_glyphs(CJK_FONT)
    choice = find_font("")
    assert choice.has_cjk and choice.path is not None
    assert find_font("/nonexistent/font.ttf").has_cjk


def test_watermarked_copy_equals_copy_then_watermark(renderer: WatermarkRenderer,
                                                     settings: WebRTCSettings) -> None:
    rng = np.random.default_rng(7)
    source = rng.integers(0, 256, (settings.height, settings.width), dtype=np.uint8)
    in_place = source.copy()
    ViewerWatermark(renderer, ZHANG).apply(in_place, SECOND + 0.5)
    copied = np.zeros_like(source)
    kept = source.copy()
    ViewerWatermark(renderer, ZHANG).apply_copy(source, copied, SECOND + 0.5)
    assert np.array_equal(copied, in_place) and np.array_equal(source, kept)
    assert not np.array_equal(copied, source)  # the mark is there
