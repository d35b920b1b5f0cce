"""The per-camera fan-out: a viewer still busy when a frame comes gets the newest frame as
soon as it is free, not a frame interval later, and never a queue of old frames."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from bff.media.drawing import new_frame, plane_views
from bff.webrtc.fanout import FrameFanout


class Camera:
    """Frames numbered 1, 2, … (the number is the picture's first luma byte)."""

    def __init__(self) -> None:
        self.frames: list[tuple[int, object]] = []
        self.changed = asyncio.Condition()

    async def publish(self, number: int) -> None:
        frame, (y, _, _) = new_frame(64, 36)
        y[:] = number
        async with self.changed:
            self.frames.append((number, frame))
            self.changed.notify_all()

    async def next_frame(self, after: int) -> tuple[int, object]:
        async with self.changed:
            await self.changed.wait_for(lambda: self.frames and self.frames[-1][0] > after)
            return self.frames[-1]


class Viewer:
    """Stands in for a ViewerTrack: encoding takes `encode_s`; records what it sent."""

    readyState = "live"
    device_id = "cam"

    def __init__(self, camera: Camera, encode_s: float) -> None:
        self.subscription = camera
        self.encode_s = encode_s
        self.sent: list[int] = []

    def plan_frame(self, now: float) -> tuple[int, bool]:
        return round(now * 90_000), False

    def encode_on(self, canvas, pts: int, force_keyframe: bool, wall_time: float) -> int:  # noqa: ANN001
        time.sleep(self.encode_s)
        return int(plane_views(canvas.frame)[0][0, 0])

    def send_encoded(self, stream, packet: int, pts: int, now: float) -> None:  # noqa: ANN001
        self.sent.append(packet)

    def stop(self) -> None:
        self.readyState = "ended"


async def test_a_busy_viewer_catches_up_with_the_newest_frame() -> None:
    camera = Camera()
    with ThreadPoolExecutor(4) as executor:
        fanout = FrameFanout(executor, parallelism=2)
        fast, slow = Viewer(camera, 0.0), Viewer(camera, 0.12)
        fanout.add(fast, stream=None)  # type: ignore[arg-type]
        fanout.add(slow, stream=None)  # type: ignore[arg-type]
        for number in range(1, 9):
            await camera.publish(number)
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)
        await fanout.close()
    assert fast.sent == list(range(1, 9))
    # The slow viewer (encode 0.12 s, a frame every 0.1 s) is busy whenever a frame
    # comes: it still sends about one frame per encode, each the newest at the time,
    # where skipping busy frames would have halved its rate (1, 3, 5, 7).
    assert slow.sent == sorted(set(slow.sent)) and slow.sent[0] == 1
    assert len(slow.sent) >= 6, slow.sent
