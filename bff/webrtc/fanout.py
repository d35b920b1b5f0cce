"""Per-camera fan-out for directly-sending viewers (see `bff.webrtc.rtp`).

With aiortc's own media loop, every viewer costs the event loop a wake-up, two futures
and the RTP work for every frame. Here one pump per camera waits for the camera's next
frame, decides in one pass which viewers get it (rate, keyframe), and hands all of them
to a few worker-thread jobs that watermark, encode, packetize, encrypt and send each
viewer's frame in turn: the loop does O(1) work per camera frame, not per viewer.

A viewer still busy with the previous frame does not get this one queued behind it
(latest-frame semantics: a slow encode never queues frames or grows latency); when it
is done it gets the camera's newest frame at once, a few milliseconds late rather than
a whole frame interval later (near a core's capacity the viewers at the end of a batch
would otherwise drop every other frame).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

import av

from bff.webrtc.canvas import ViewerCanvas
from bff.webrtc.hub import SourceClosed
from bff.webrtc.rtp import RtpStream
from bff.webrtc.tracks import ViewerTrack, usable_cpus

log = logging.getLogger(__name__)

SEND_GROUP = 8
"""Viewers encoded back to back before their packets are sent (see `_send_batch`)."""


class _Canvases(threading.local):
    """Each worker thread's canvas, by picture size."""

    def __init__(self) -> None:
        self.by_size: dict[tuple[int, int], ViewerCanvas] = {}

    def get(self, width: int, height: int) -> ViewerCanvas:
        canvas = self.by_size.get((width, height))
        if canvas is None:
            canvas = self.by_size[(width, height)] = ViewerCanvas(width, height)
        return canvas


@dataclass(eq=False)
class _Member:
    track: ViewerTrack
    stream: RtpStream
    busy: bool = False
    missed: bool = False
    """A frame came while it was busy: it takes the newest one when done."""
    failed: bool = False


@dataclass(eq=False)
class _Job:
    member: _Member
    pts: int
    force_keyframe: bool
    due: float


class FrameFanout:
    """Owns one pump per camera with directly-sending viewers. One per registry."""

    def __init__(self, executor: Executor | None = None, parallelism: int | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._executor = executor
        self._parallelism = parallelism or max(1, usable_cpus() - 1)
        self._clock = clock
        self._pumps: dict[str, _CameraPump] = {}
        self._canvases = _Canvases()

    def add(self, track: ViewerTrack, stream: RtpStream) -> None:
        """Start sending the camera's frames to this viewer."""
        pump = self._pumps.get(track.device_id)
        if pump is None:
            pump = _CameraPump(self, track.device_id)
            self._pumps[track.device_id] = pump
        pump.members[track] = _Member(track, stream)
        pump.start()

    def remove(self, track: ViewerTrack) -> None:
        """Stop sending to this viewer (idempotent); the pump ends with its last viewer."""
        pump = self._pumps.get(track.device_id)
        if pump is None:
            return
        pump.members.pop(track, None)
        if not pump.members:
            del self._pumps[track.device_id]
            pump.cancel()

    def viewers(self, device_id: str) -> int:
        """Directly-sending viewers of a camera."""
        pump = self._pumps.get(device_id)
        return len(pump.members) if pump else 0

    def stream_of(self, track: ViewerTrack) -> RtpStream | None:
        """The viewer's direct RTP stream, None when it is not sending directly."""
        pump = self._pumps.get(track.device_id)
        member = pump.members.get(track) if pump else None
        return member.stream if member else None

    async def close(self) -> None:
        """Stop every pump (shutdown)."""
        pumps, self._pumps = list(self._pumps.values()), {}
        for pump in pumps:
            pump.cancel()
        for pump in pumps:
            await pump.wait()


class _CameraPump:
    def __init__(self, fanout: FrameFanout, device_id: str) -> None:
        self._fanout = fanout
        self.device_id = device_id
        self.members: dict[ViewerTrack, _Member] = {}
        self._task: asyncio.Task[None] | None = None
        self._latest: tuple[av.VideoFrame, int] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"fanout-{self.device_id}")

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def wait(self) -> None:
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        seq = 0
        while self.members:
            # Any member's subscription reads the same shared camera source.
            subscription = next(iter(self.members)).subscription
            try:
                seq, frame = await subscription.next_frame(seq)
            except SourceClosed:
                for track in list(self.members):
                    track.stop()
                return
            self._latest = (frame, seq)
            self._dispatch(loop, frame, seq, list(self.members.values()))

    def _dispatch(self, loop: asyncio.AbstractEventLoop, frame: av.VideoFrame,
                  seq: int, members: list[_Member]) -> None:
        now = time.monotonic()
        jobs = []
        for member in members:
            if member.failed or member.track.readyState != "live":
                continue
            if member.busy:
                member.missed = True
                continue
            plan = member.track.plan_frame(now)
            if plan is None:
                continue
            member.busy = True
            jobs.append(_Job(member, plan[0], plan[1], now))
        if not jobs:
            return
        wall_time = self._fanout._clock()
        chunks = min(len(jobs), self._fanout._parallelism)
        for index in range(chunks):
            batch = jobs[index::chunks]
            work = loop.run_in_executor(self._fanout._executor, _send_batch, batch, frame,
                                        (self.device_id, seq), wall_time,
                                        self._fanout._canvases)
            work.add_done_callback(lambda done, batch=batch: self._after(done, batch))

    def _after(self, done: asyncio.Future[None], batch: list[_Job]) -> None:
        if not done.cancelled() and done.exception() is not None:
            log.error("direct send batch failed", exc_info=done.exception())
        late = []
        for job in batch:
            member = job.member
            member.busy = False
            if member.failed:
                # The viewer's encoder broke: end its track like aiortc's loop would.
                self.members.pop(member.track, None)
                member.track.stop()
            elif member.missed:
                member.missed = False
                if self.members.get(member.track) is member:  # still watching
                    late.append(member)
        if late and self._latest is not None and self.members:
            frame, seq = self._latest
            self._dispatch(asyncio.get_running_loop(), frame, seq, late)


def _send_batch(batch: list[_Job], frame: av.VideoFrame, frame_key: object,
                wall_time: float, canvases: _Canvases) -> None:
    """Worker thread: each viewer's watermark and encode, then their RTP sends.

    The thread's canvas takes the camera frame once; each viewer then rewrites only its
    watermark rows (`bff.webrtc.canvas`).

    Encodes run back to back and the packets of a group of viewers leave together:
    interleaving x264 with the kernel's UDP path evicts the encoder's caches (measured
    ~6 % more CPU per viewer-frame). Groups stay small so the first viewer's packets
    wait for only a few encodes (a few milliseconds)."""
    canvas = canvases.get(frame.width, frame.height)
    canvas.load(frame, frame_key)
    for start in range(0, len(batch), SEND_GROUP):
        encoded = []
        for job in batch[start : start + SEND_GROUP]:
            member = job.member
            try:
                packet = member.track.encode_on(canvas, job.pts, job.force_keyframe,
                                                wall_time)
            except Exception:  # noqa: BLE001 - one viewer's failure must not stop the others
                log.exception("encoding a frame for a viewer of %s failed",
                              member.track.device_id)
                member.failed = True
                continue
            if packet is not None:
                encoded.append((job, packet))
        for job, packet in encoded:
            member = job.member
            try:
                member.track.send_encoded(member.stream, packet, job.pts, job.due)
            except Exception:  # noqa: BLE001
                log.exception("sending a frame to a viewer of %s failed",
                              member.track.device_id)
                member.failed = True
