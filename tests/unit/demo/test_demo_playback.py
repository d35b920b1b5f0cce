"""The demo platform's synthetic recordings and playback: the recording schedule, the
playback clock behind pause / seek / speed, and the frames a playback URL opens to."""

from __future__ import annotations

import asyncio
import itertools
import math
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import numpy as np
import pytest

from bff.catalog.schemas import CameraRecord
from bff.demo.platform import PLAYBACK_LINGER_S, DemoPlatform
from bff.demo.playback import (
    DemoPlaybackSource,
    PlaybackClock,
    demo_playback_url,
    parse_demo_playback_url,
)
from bff.demo.recordings import DEMO_TZ, recording_gaps
from bff.demo.strips import (
    decode_recorded_blocks,
    read_ptz_strip,
    read_recorded_strip,
    read_timestamp,
)
from bff.demo.video import DemoPicture, PlaybackLabel
from bff.lib.settings import DemoSettings, Settings, WebRTCSettings
from bff.media.drawing import plane_views
from bff.media.sources import MediaOpeners, MediaSource, SourceUnavailable
from bff.platform.base import (
    DeviceNotFound,
    InvalidTimeRange,
    NoRecording,
    PlatformError,
    PlaybackAction,
    PlaybackControl,
    PlaybackStream,
    Recording,
    StreamNotFound,
)

NOW = datetime(2026, 11, 20, 6, 30, 15, tzinfo=UTC)  # 14:30:15 in Shanwei
DAY = NOW.astimezone(DEMO_TZ).date() - timedelta(days=1)
UNKNOWN = "44150200001329999999"
VIDEO = WebRTCSettings(fps=30)


def clock_of(platform: DemoPlatform, stream: PlaybackStream) -> PlaybackClock:
    """The clock the platform keeps for a started playback."""
    clock = platform.playback_clock(parse_demo_playback_url(stream.media_url).device_id,
                                    stream.stream_id)
    assert clock is not None
    return clock


async def open_media(platform: DemoPlatform, url: str) -> MediaSource:
    """Open a media URL as the stream hub does, with the platform's own openers."""
    return await MediaOpeners(platform.media_openers()).open(url, VIDEO)


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def local(day_offset: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment of the camera's local day DAY + day_offset."""
    day = DAY + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=DEMO_TZ)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def platform(clock: Clock) -> AsyncIterator[DemoPlatform]:
    platform = DemoPlatform(Settings(demo=DemoSettings(camera_count=80)), now=lambda: NOW,
                            clock=clock)
    yield platform
    await platform.close()


async def cameras(platform: DemoPlatform) -> list[CameraRecord]:
    return [record async for page in platform.catalogue() for record in page]


async def camera_where(platform: DemoPlatform,
                       test: Callable[[CameraRecord], bool]) -> CameraRecord:
    for record in await cameras(platform):
        if test(record):
            return record
    raise AssertionError("no demo camera fits")  # pragma: no cover


async def quiet_camera(platform: DemoPlatform, start: datetime, end: datetime) -> str:
    """A camera that recorded all of [start, end], without a gap."""
    for record in await cameras(platform):
        found = await platform.recordings(record.device_id, start, end)
        if found and covered(found) == (end - start).total_seconds():
            return record.device_id
    raise AssertionError("no quiet camera")  # pragma: no cover


def covered(recordings: list[Recording]) -> float:
    return sum((r.end - r.start).total_seconds() for r in recordings)


# --- the recording schedule ------------------------------------------------------------


async def test_recordings_are_hour_files_in_local_time(platform: DemoPlatform) -> None:
    device_id = await quiet_camera(platform, local(0, 9), local(0, 12))
    found = await platform.recordings(device_id, local(0, 9, 30), local(0, 12))
    assert [(r.start, r.end) for r in found] == [
        (local(0, 9, 30), local(0, 10)), (local(0, 10), local(0, 11)), (local(0, 11), local(0, 12))]
    assert all(r.start.utcoffset() == timedelta(hours=8) for r in found)
    for recording in found:
        seconds = (recording.end - recording.start).total_seconds()
        mbps = recording.size_bytes * 8 / seconds / 1e6  # type: ignore[operator]
        assert 1.3 < mbps < 7.5  # a 1080p main stream, H.265 … MPEG-4
    # UTC in, the same answer (times are instants, whatever zone they are written in).
    again = await platform.recordings(device_id, local(0, 9, 30).astimezone(UTC),
                                      local(0, 12).astimezone(UTC))
    assert again == found


async def test_recordings_are_deterministic(clock: Clock) -> None:
    settings = Settings(demo=DemoSettings(camera_count=80))
    one = DemoPlatform(settings, now=lambda: NOW, clock=clock)
    two = DemoPlatform(settings, now=lambda: NOW, clock=clock)
    start = NOW - timedelta(days=7)
    for record in (await cameras(one))[:20]:
        a = await one.recordings(record.device_id, start, NOW)
        assert a == await two.recordings(record.device_id, start, NOW)
        assert a == await one.recordings(record.device_id, start, NOW)
        # Files are sorted, disjoint and inside the range; the last one is being written.
        assert all(x.end <= y.start for x, y in itertools.pairwise(a))
        assert a[0].start >= start and a[-1].end <= NOW


def test_the_schedule_is_the_same_in_another_process() -> None:
    """Python salts str hashes per process; the schedule must not depend on that."""
    code = ("from datetime import date; from bff.demo.recordings import "
            "recording_gaps, camera_bitrate; "
            "print([(a.isoformat(), b.isoformat()) for d in range(1, 29) "
            "for i in range(40) for a, b in recording_gaps(f'4415020000132{i:07d}', "
            "date(2026, 2, d))], camera_bitrate('44150200001320000001', 2))")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, timeout=60, env={**os.environ, "PYTHONHASHSEED": seed},
                           cwd=os.getcwd()).stdout
            for seed in ("1", "2")]
    assert runs[0] == runs[1] and "T03:" in runs[0]


async def test_recordings_leave_out_exactly_the_gaps(platform: DemoPlatform) -> None:
    day_start, day_end = local(0, 0), local(1, 0)
    with_maintenance = 0
    for record in (await cameras(platform))[:40]:
        gaps = recording_gaps(record.device_id, DAY)
        found = await platform.recordings(record.device_id, day_start, day_end)
        missing = sum((b - a).total_seconds() for a, b in gaps)
        assert covered(found) == pytest.approx(86_400 - missing)
        for recording in found:
            assert not any(a < recording.end and recording.start < b for a, b in gaps)
        with_maintenance += any(a.hour == 3 and (b - a) <= timedelta(minutes=10)
                                for a, b in gaps)
    # About a third of the cameras reboot for a few minutes every night.
    assert 5 <= with_maintenance <= 25


async def test_a_gap_cuts_a_file_in_two(platform: DemoPlatform) -> None:
    record = await camera_where(platform, lambda r: any(
        a.hour == 3 for a, _ in recording_gaps(r.device_id, DAY)))
    [(gap_start, gap_end)] = [g for g in recording_gaps(record.device_id, DAY)
                              if g[0].hour == 3]
    found = await platform.recordings(record.device_id, local(0, 3), local(0, 4))
    assert (found[0].start, found[0].end) == (local(0, 3), gap_start)
    assert (found[-1].start, found[-1].end) == (gap_end, local(0, 4))
    assert found[0].size_bytes and found[-1].size_bytes


async def test_some_cameras_have_outage_days(platform: DemoPlatform) -> None:
    """Over 30 days × 80 cameras, a few camera-days lose hours of recording."""
    long_gaps = []
    for record in await cameras(platform):
        for back in range(30):
            day = DAY - timedelta(days=back)
            long_gaps += [(record.device_id, day) for a, b in recording_gaps(record.device_id, day)
                          if b - a >= timedelta(minutes=90)]
    assert 20 <= len(long_gaps) <= 250
    device_id, day = long_gaps[0]
    (gap_start, gap_end), = [(a, b) for a, b in recording_gaps(device_id, day)
                             if b - a >= timedelta(minutes=90)]
    inside = await platform.recordings(device_id, gap_start, gap_end)
    assert inside == []


async def test_retention_and_the_future_are_clipped(platform: DemoPlatform) -> None:
    record = (await cameras(platform))[0]
    oldest = NOW - timedelta(days=record.retention_days)
    found = await platform.recordings(record.device_id, oldest - timedelta(days=2),
                                      oldest + timedelta(days=1))
    assert found and found[0].start >= oldest
    assert found[0].start - oldest < timedelta(days=1)
    assert await platform.recordings(record.device_id, oldest - timedelta(days=3),
                                     oldest - timedelta(seconds=1)) == []
    # Nothing after now; the file being written ends now.
    assert await platform.recordings(record.device_id, NOW + timedelta(minutes=1),
                                     NOW + timedelta(hours=2)) == []
    straddling = await platform.recordings(record.device_id, NOW - timedelta(hours=3),
                                           NOW + timedelta(hours=3))
    assert straddling and straddling[-1].end <= NOW


async def test_retention_differs_by_camera(platform: DemoPlatform) -> None:
    records = await cameras(platform)
    short = next(r for r in records if r.retention_days == 30)
    long = next(r for r in records if r.retention_days == 90)
    start = NOW - timedelta(days=45)
    end = start + timedelta(days=1)
    assert await platform.recordings(short.device_id, start, end) == []
    assert covered(await platform.recordings(long.device_id, start, end)) > 3600


async def test_bad_ranges_and_unknown_cameras(platform: DemoPlatform) -> None:
    device_id = (await cameras(platform))[0].device_id
    start = NOW - timedelta(days=1)
    for bad_start, bad_end in ((start, start), (start, start - timedelta(hours=1)),
                               (start - timedelta(days=7, seconds=1), start),
                               (start.replace(tzinfo=None), NOW)):
        with pytest.raises(InvalidTimeRange) as caught:
            await platform.recordings(device_id, bad_start, bad_end)
        assert isinstance(caught.value, ValueError)  # callers answer 400
        with pytest.raises(InvalidTimeRange):
            await platform.start_playback(device_id, bad_start, bad_end)
    assert await platform.recordings(device_id, NOW - timedelta(days=7), NOW)
    with pytest.raises(DeviceNotFound):
        await platform.recordings(UNKNOWN, start, NOW)
    with pytest.raises(DeviceNotFound):
        await platform.start_playback(UNKNOWN, start, NOW)


# --- starting, controlling and stopping ------------------------------------------------


async def test_start_playback_gives_a_fresh_stream_and_url(platform: DemoPlatform) -> None:
    record = (await cameras(platform))[0]
    start, end = NOW - timedelta(hours=5), NOW - timedelta(hours=3)
    one = await platform.start_playback(record.device_id, start, end)
    two = await platform.start_playback(record.device_id, start, end)
    assert one.stream_id != two.stream_id and platform.active_playbacks == 2
    assert one.stream_id.startswith(f"{record.device_id}_")
    url = one.media_url
    assert type(url) is str and url.startswith(f"demo://playback/{record.device_id}?")
    assert parse_demo_playback_url(url) == (record.device_id, record.name, start, end,
                                            one.stream_id)
    clock_one = platform.playback_clock(record.device_id, one.stream_id)
    clock_two = platform.playback_clock(record.device_id, two.stream_id)
    assert isinstance(clock_one, PlaybackClock) and isinstance(clock_two, PlaybackClock)
    assert clock_one is not clock_two
    assert platform.playback_clock("44150200001320999999", one.stream_id) is None


async def test_ranges_without_recordings_are_refused(platform: DemoPlatform) -> None:
    record = (await cameras(platform))[0]
    with pytest.raises(NoRecording, match="无录像") as caught:
        await platform.start_playback(record.device_id, NOW + timedelta(hours=1),
                                      NOW + timedelta(hours=2))
    assert isinstance(caught.value, PlatformError)
    old = NOW - timedelta(days=record.retention_days + 2)
    with pytest.raises(NoRecording):
        await platform.start_playback(record.device_id, old, old + timedelta(hours=1))
    assert platform.active_playbacks == 0


async def test_pause_seek_speed_and_resume(platform: DemoPlatform, clock: Clock) -> None:
    start, end = local(0, 10), local(0, 11)
    device_id = await quiet_camera(platform, start, end)
    stream = await platform.start_playback(device_id, start, end)
    playback = clock_of(platform, stream)

    async def control(action: PlaybackAction, **values: float) -> None:
        command = PlaybackControl(action=action, **values)  # type: ignore[arg-type]
        await platform.control_playback(device_id, stream.stream_id, command)

    def shown() -> float:
        return (playback.recorded_at() - start).total_seconds()

    assert shown() == 0
    clock.advance(10)
    assert shown() == pytest.approx(10)
    await control(PlaybackAction.PAUSE)
    clock.advance(30)
    assert shown() == pytest.approx(10) and playback.paused
    await control(PlaybackAction.RESUME)
    clock.advance(5)
    assert shown() == pytest.approx(15)
    await control(PlaybackAction.SEEK, seconds=600)
    assert shown() == pytest.approx(600)
    await control(PlaybackAction.SPEED, speed=4.0)
    clock.advance(10)
    assert shown() == pytest.approx(640) and playback.speed == 4.0
    await control(PlaybackAction.SPEED, speed=0.25)
    clock.advance(8)
    assert shown() == pytest.approx(642)
    # Seeking while paused moves the frozen picture and stays paused.
    await control(PlaybackAction.PAUSE)
    await control(PlaybackAction.SEEK, seconds=1200)
    clock.advance(60)
    assert shown() == pytest.approx(1200) and playback.paused

    with pytest.raises(ValueError):
        await control(PlaybackAction.SPEED, speed=3.0)
    with pytest.raises(ValueError):
        await platform.control_playback(device_id, stream.stream_id,
                                        PlaybackControl(action=PlaybackAction.SEEK))
    assert playback.speed == 0.25 and shown() == pytest.approx(1200)


async def test_the_end_of_the_range_ends_the_playback(platform: DemoPlatform,
                                                      clock: Clock) -> None:
    start, end = local(0, 10), local(0, 10, 0, 10)
    device_id = await quiet_camera(platform, start, end)
    stream = await platform.start_playback(device_id, start, end)
    playback = clock_of(platform, stream)
    clock.advance(9.9)
    assert not playback.finished()
    clock.advance(0.2)
    assert playback.finished() and playback.recorded_at() == end
    with pytest.raises(StreamNotFound, match="ended"):
        await platform.control_playback(device_id, stream.stream_id,
                                        PlaybackControl(action=PlaybackAction.PAUSE))
    await platform.stop_playback(device_id, stream.stream_id)  # stopping an ended one is fine

    # Seeking past the end clamps to it, which ends the playback too.
    again = await platform.start_playback(device_id, start, end)
    await platform.control_playback(device_id, again.stream_id,
                                    PlaybackControl(action=PlaybackAction.SEEK, seconds=3600))
    assert clock_of(platform, again).finished()


async def test_ended_playbacks_are_forgotten_after_a_while(platform: DemoPlatform,
                                                           clock: Clock) -> None:
    start, end = local(0, 10), local(0, 10, 1)
    device_id = await quiet_camera(platform, start, end)
    ended = await platform.start_playback(device_id, start, end)
    running = await platform.start_playback(device_id, start - timedelta(hours=3), end)
    clock.advance(PLAYBACK_LINGER_S + 61)
    await platform.start_playback(device_id, start, end)
    assert platform.active_playbacks == 2
    with pytest.raises(StreamNotFound):
        await platform.stop_playback(device_id, ended.stream_id)
    await platform.stop_playback(device_id, running.stream_id)


async def test_gaps_are_skipped(platform: DemoPlatform, clock: Clock) -> None:
    record = await camera_where(platform, lambda r: any(
        a.hour == 3 for a, _ in recording_gaps(r.device_id, DAY)))
    [(gap_start, gap_end)] = [g for g in recording_gaps(record.device_id, DAY)
                              if g[0].hour == 3]
    start, end = gap_start - timedelta(seconds=60), gap_end + timedelta(seconds=60)
    found = await platform.recordings(record.device_id, start, end)
    assert [(r.start, r.end) for r in found] == [(start, gap_start), (gap_end, end)]
    stream = await platform.start_playback(record.device_id, start, end)
    playback = clock_of(platform, stream)
    clock.advance(59)
    assert playback.recorded_at() == gap_start - timedelta(seconds=1)
    clock.advance(11)  # one second to the gap, then ten after it
    assert playback.recorded_at() == gap_end + timedelta(seconds=10)
    # A seek into the gap lands where recording resumes.
    await platform.control_playback(record.device_id, stream.stream_id, PlaybackControl(
        action=PlaybackAction.SEEK, seconds=90))
    assert playback.recorded_at() == gap_end
    clock.advance(60)
    assert playback.finished() and playback.recorded_at() == end

    # A range that starts inside the gap starts at the next recording.
    inside = await platform.start_playback(record.device_id, gap_start + timedelta(seconds=30),
                                           end)
    assert clock_of(platform, inside).recorded_at() == gap_end


async def test_unknown_streams_and_stop(platform: DemoPlatform, clock: Clock) -> None:
    records = await cameras(platform)
    device_id, other = records[0].device_id, records[1].device_id
    stream = await platform.start_playback(device_id, NOW - timedelta(hours=2), NOW)
    pause = PlaybackControl(action=PlaybackAction.PAUSE)
    for bad_device, bad_stream in ((device_id, "no-such-stream"), (other, stream.stream_id)):
        with pytest.raises(StreamNotFound) as caught:
            await platform.control_playback(bad_device, bad_stream, pause)
        assert isinstance(caught.value, PlatformError)
        with pytest.raises(StreamNotFound):
            await platform.stop_playback(bad_device, bad_stream)
    playback = clock_of(platform, stream)
    await platform.stop_playback(device_id, stream.stream_id)
    assert playback.finished() and platform.active_playbacks == 0
    with pytest.raises(StreamNotFound):
        await platform.control_playback(device_id, stream.stream_id, pause)
    with pytest.raises(StreamNotFound):
        await platform.stop_playback(device_id, stream.stream_id)


async def test_close_stops_every_playback(platform: DemoPlatform) -> None:
    device_id = (await cameras(platform))[0].device_id
    stream = await platform.start_playback(device_id, NOW - timedelta(hours=2), NOW)
    playback = clock_of(platform, stream)
    await platform.close()
    assert playback.finished()
    with pytest.raises(PlatformError):
        await platform.recordings(device_id, NOW - timedelta(hours=2), NOW)
    with pytest.raises(PlatformError):
        await platform.start_playback(device_id, NOW - timedelta(hours=2), NOW)


def test_the_clock_alone() -> None:
    clock = Clock()
    start = datetime(2026, 3, 2, 9, 0, tzinfo=DEMO_TZ)
    pieces = [Recording(start=start + timedelta(seconds=a), end=start + timedelta(seconds=b))
              for a, b in ((0, 100), (50, 150), (300, 400))]  # overlapping files play once
    playback = PlaybackClock(start, start + timedelta(seconds=500), pieces, clock=clock)
    assert playback.recorded_seconds == 250 and playback.duration == 500
    clock.advance(149)
    assert playback.offset() == pytest.approx(149)
    clock.advance(2)
    assert playback.offset() == pytest.approx(301)
    playback.seek(-5)
    assert playback.offset() == 0
    playback.set_speed(8)
    clock.advance(10)
    assert playback.offset() == pytest.approx(80)
    assert playback.finished_for() is None
    clock.advance(100)
    assert playback.finished() and playback.offset() == 400
    assert playback.finished_for() == pytest.approx(100 - 170 / 8)
    with pytest.raises(ValueError):
        playback.set_speed(1.5)
    with pytest.raises(ValueError):
        PlaybackClock(start, start, pieces, clock=clock)
    empty = PlaybackClock(start, start + timedelta(seconds=10), [], clock=clock)
    assert empty.finished() and empty.offset() == 0


# --- the picture -----------------------------------------------------------------------

RECORDED = datetime(2026, 11, 19, 10, 0, tzinfo=DEMO_TZ).timestamp()
SENT = 1_795_000_000.25


def test_playback_frames_carry_the_recorded_time() -> None:
    picture = DemoPicture("44150200001320000001", "城区 测试", 640, 360)
    frame = picture.render(SENT, playback=PlaybackLabel(RECORDED + 0.7, 2.0))
    y = plane_views(frame)[0]
    assert read_recorded_strip(y) == int(RECORDED)
    assert read_timestamp(y) == int(SENT * 1000) & 0xFFFFFFFF  # the latency strip: send time
    assert read_ptz_strip(y) is None  # a recording has no live head
    live = plane_views(picture.render(SENT))[0]
    assert read_recorded_strip(live) is None and read_ptz_strip(live) is not None
    blocks = y[-6:-2, 320:640].reshape(4, 40, 8)[:, :, 2:-2].mean(axis=(0, 2))
    assert decode_recorded_blocks(blocks.tolist()) == int(RECORDED)
    assert decode_recorded_blocks([0.0] * 40) is None and decode_recorded_blocks([1.0]) is None


def test_the_scene_follows_recorded_time_not_the_wall_clock() -> None:
    picture = DemoPicture("44150200001320000001", "城区 测试", 640, 360)
    label = PlaybackLabel(RECORDED, 1.0)
    a = plane_views(picture.render(SENT, playback=label))[0]
    b = plane_views(picture.render(SENT + 5.3, playback=label))[0]
    # Same recorded moment, different send times: only the latency strip differs.
    assert np.array_equal(a[:-8], b[:-8]) and not np.array_equal(a[-8:, :320], b[-8:, :320])
    later = plane_views(picture.render(SENT, playback=PlaybackLabel(RECORDED + 0.5, 1.0)))[0]
    assert np.count_nonzero(np.abs(a.astype(int) - later.astype(int)) > 8) > 0.3 * a.size


def test_the_clock_shows_the_recorded_date_and_a_playback_badge() -> None:
    picture = DemoPicture("44150200001320000001", "城区 测试", 640, 360)

    def clock_box(label: PlaybackLabel) -> np.ndarray:
        # The clock sits top right: 8 px from the top and the right edge.
        return plane_views(picture.render(SENT, playback=label))[0][10:33, 424:630].copy()

    base = clock_box(PlaybackLabel(RECORDED, 1.0))
    assert not np.array_equal(base, clock_box(PlaybackLabel(RECORDED + 86_400, 1.0)))  # date
    assert not np.array_equal(base, clock_box(PlaybackLabel(RECORDED + 1, 1.0)))  # seconds
    assert np.array_equal(base, clock_box(PlaybackLabel(RECORDED + 0.9, 1.0)))  # not millis

    def badge(label: PlaybackLabel) -> tuple[np.ndarray, np.ndarray]:
        # The badge sits under the clock, right-aligned; its chroma is red.
        y, _, v = plane_views(picture.render(SENT, playback=label))
        return y[40:66, 470:630].copy(), v[21:32, 300:314].copy()

    one, four, paused = (badge(PlaybackLabel(RECORDED, 1.0)), badge(PlaybackLabel(RECORDED, 4.0)),
                         badge(PlaybackLabel(RECORDED, 1.0, paused=True)))
    assert not np.array_equal(one[0], four[0]) and not np.array_equal(one[0], paused[0])
    assert (one[1] == 200).all() and (paused[1] == 200).all()
    live_v = plane_views(picture.render(SENT))[2][21:32, 300:314]
    assert not (live_v == 200).any()


# --- frames through the media path -----------------------------------------------------


async def next_frame(source: object) -> np.ndarray:
    async with asyncio.timeout(2):
        frame = await anext(source)  # type: ignore[call-overload]
    return plane_views(frame)[0]


async def test_the_opener_plays_the_stream_the_platform_controls(
        platform: DemoPlatform, clock: Clock) -> None:
    start, end = local(0, 10), local(0, 11)
    device_id = await quiet_camera(platform, start, end)
    stream = await platform.start_playback(device_id, start, end)
    source = await open_media(platform, stream.media_url)
    assert isinstance(source, DemoPlaybackSource)

    async def control(action: PlaybackAction, **values: float) -> None:
        command = PlaybackControl(action=action, **values)  # type: ignore[arg-type]
        await platform.control_playback(device_id, stream.stream_id, command)

    base = int(start.timestamp())
    try:
        assert read_recorded_strip(await next_frame(source)) == base
        clock.advance(100)
        assert read_recorded_strip(await next_frame(source)) == base + 100
        await control(PlaybackAction.PAUSE)
        clock.advance(50)
        frozen = [read_recorded_strip(await next_frame(source)) for _ in range(3)]
        assert frozen == [base + 100] * 3
        await control(PlaybackAction.RESUME)
        await control(PlaybackAction.SPEED, speed=8.0)
        clock.advance(10)
        assert read_recorded_strip(await next_frame(source)) == base + 180
        assert source.recorded_at == start + timedelta(seconds=180)
        await control(PlaybackAction.SEEK, seconds=1800)
        assert read_recorded_strip(await next_frame(source)) == base + 1800
        await control(PlaybackAction.SEEK, seconds=3599)
        await next_frame(source)
        clock.advance(1 / 8 + 0.01)
        with pytest.raises(StopAsyncIteration):
            await next_frame(source)
        with pytest.raises(StopAsyncIteration):  # and it stays ended
            await next_frame(source)
    finally:
        await source.aclose()


async def test_stopping_ends_the_source(platform: DemoPlatform) -> None:
    device_id = (await cameras(platform))[0].device_id
    stream = await platform.start_playback(device_id, NOW - timedelta(hours=2), NOW)
    source = await open_media(platform, stream.media_url)
    assert read_recorded_strip(await next_frame(source)) is not None
    await platform.stop_playback(device_id, stream.stream_id)
    with pytest.raises(StopAsyncIteration):
        await next_frame(source)


async def test_closing_the_source_leaves_the_playback(platform: DemoPlatform) -> None:
    device_id = (await cameras(platform))[0].device_id
    stream = await platform.start_playback(device_id, NOW - timedelta(hours=2), NOW)
    source = await open_media(platform, stream.media_url)
    await source.aclose()
    with pytest.raises(StopAsyncIteration):
        await next_frame(source)
    assert platform.active_playbacks == 1  # the platform's stream is stopped by the BFF


async def test_a_plain_playback_url_plays_its_range_at_real_speed() -> None:
    device_id = "44150200001320000001"
    day = next(datetime(2026, 3, d, tzinfo=DEMO_TZ) for d in range(1, 29)
               if not recording_gaps(device_id, datetime(2026, 3, d).date()))
    start = day + timedelta(hours=10)
    url = demo_playback_url(device_id, "测试", start, start + timedelta(hours=1), "s1")
    source = await open_media(DemoPlatform(Settings()), url)
    try:
        first = read_recorded_strip(await next_frame(source))
        recorded = source.recorded_at  # type: ignore[attr-defined]
        assert first is not None and start <= recorded < start + timedelta(hours=1)
        assert first == math.floor(recorded.timestamp()) or first + 1 == math.floor(
            recorded.timestamp())
        assert source.clock.speed == 1.0  # type: ignore[attr-defined]
    finally:
        await source.aclose()


async def test_bad_playback_urls_are_unavailable() -> None:
    start = quote(datetime(2026, 3, 2, 10, 0, tzinfo=UTC).isoformat(), safe="")
    for bad in ("demo://playback/?start=x", "demo://playback/4415?start=yesterday&end=now",
                f"demo://playback/4415?start={start}&end={start}"):
        with pytest.raises(SourceUnavailable):
            await open_media(DemoPlatform(Settings()), bad)
