"""A playback's own feed: frames as a hub subscription gives them, the platform stop on
close (once), the end of the stream and a stream that cannot be opened."""

from __future__ import annotations

import asyncio

import av
import pytest

from bff.media.sources import SourceUnavailable
from bff.playback.feed import PlaybackFeed
from bff.webrtc.errors import SourceClosed


class Frames:
    """A media source of `count` frames, as fast as asked."""

    def __init__(self, count: int) -> None:
        self.left = count
        self.closed = False

    def __aiter__(self) -> Frames:
        return self

    async def __anext__(self) -> av.VideoFrame:
        if self.left <= 0:
            raise StopAsyncIteration
        self.left -= 1
        await asyncio.sleep(0.07)  # about 15 fps
        return av.VideoFrame(64, 36, "yuv420p")

    async def aclose(self) -> None:
        self.closed = True


async def test_frames_then_close_stops_once() -> None:
    media = Frames(1000)
    stops: list[str] = []

    async def open_media() -> Frames:
        return media

    feed = PlaybackFeed("cam/playback/1", open_media, fps=15,
                        on_close=lambda: stops.append("stop"))
    assert feed.device_id == "cam/playback/1"
    feed.start()
    seq, _frame = await asyncio.wait_for(feed.next_frame(), 5)
    seq2, _frame = await asyncio.wait_for(feed.next_frame(seq), 5)
    assert seq2 > seq and feed.first_frame_at is not None
    waiting = asyncio.ensure_future(feed.next_frame(seq2 + 100))
    await asyncio.sleep(0)
    feed.close()
    feed.close()
    with pytest.raises(SourceClosed):
        await asyncio.wait_for(waiting, 5)
    assert stops == ["stop"]
    async with asyncio.timeout(5):
        while not media.closed:
            await asyncio.sleep(0.01)


async def test_end_of_stream_and_unopenable_stream() -> None:
    async def short() -> Frames:
        return Frames(3)

    ended = PlaybackFeed("a", short, fps=15, on_close=lambda: None)
    ended.start()
    async with asyncio.timeout(5):
        while not ended.ended:
            await asyncio.sleep(0.01)
    assert ended.failed is None and ended.decoded_frames == 3
    ended.close()

    async def broken() -> Frames:
        raise SourceUnavailable("cannot open media")

    failed = PlaybackFeed("b", broken, fps=15, on_close=lambda: None)
    failed.start()
    async with asyncio.timeout(5):
        while not failed.ended:
            await asyncio.sleep(0.01)
    assert failed.failed == "cannot open media"
    failed.close()
