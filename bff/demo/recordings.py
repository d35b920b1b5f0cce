"""Synthetic recordings of the demo cameras (演示录像): what an NVR would report.

Every demo camera records around the clock into hour-long files aligned to the camera's
local hours (Beijing time, UTC+8, like the on-screen clock of a camera in Shanwei). The
recording has the gaps a real city system has, all derived from a hash of the device id
(and of the date), so the same question always gets the same answer, in every process:

- **maintenance**: about a third of the cameras reboot for a few minutes every night
  (03:00–03:59, a fixed minute and length per camera);
- **outage**: on about 3 % of days a camera loses recording for hours (power or network
  cut), and on about 0.5 % of days for the whole day;
- **blips**: on about a fifth of days a network blip of 20 s – 3 min.

A file is cut where a gap begins and a new one starts where it ends, so a gap separates
two recordings. Only the camera's retention (`retention_days`, 录像保存天数) is kept:
nothing older than `now - retention_days`, nothing after `now` (the file being written
ends at `now`). Sizes are the camera's bitrate × duration, with a per-file variation as a
variable-bitrate encoder gives.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta, timezone

from bff.platform.base import InvalidTimeRange, Recording

DEMO_TZ = timezone(timedelta(hours=8), "CST")
"""The demo cameras' local time (China Standard Time, no daylight saving)."""
DEMO_UTC_OFFSET_S = 8 * 3600
MAX_RANGE = timedelta(days=7)
"""The longest range one recordings query or playback may cover (an NVR answers about a
week at a time; longer questions are split by the caller)."""

FILE_SECONDS = 3600
DAY_SECONDS = 86_400
_BITRATE_BY_CODEC = {1: 6_000_000, 2: 4_000_000, 3: 4_000_000, 4: 2_000_000}
"""Main-stream bits per second by appendix-5 codec (MPEG-4, H.264, SVAC, H.265)."""
_DEFAULT_BITRATE = 4_000_000


def _hash(*parts: object) -> int:
    """A stable 64-bit hash (Python's `hash` of a str changes per process)."""
    text = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def check_time_range(start: datetime, end: datetime) -> None:
    """Refuse a range no demo call serves: naive times, start ≥ end, longer than a week."""
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidTimeRange("naive datetime: give recording times with a time zone")
    if start >= end:
        raise InvalidTimeRange("the start of the range must be before its end")
    if end - start > MAX_RANGE:
        raise InvalidTimeRange(f"a range may cover at most {MAX_RANGE.days} days")


def camera_bitrate(device_id: str, codec: int | None = None) -> int:
    """Bits per second the camera records at: by codec, ±15 % per camera."""
    base = _BITRATE_BY_CODEC.get(codec or 0, _DEFAULT_BITRATE)
    return round(base * (0.85 + 0.30 * (_hash(device_id, "bitrate") % 1001) / 1000))


def recording_gaps(device_id: str, day: date) -> list[tuple[datetime, datetime]]:
    """The stretches of the camera's local `day` with no recording, sorted, merged."""
    camera = _hash(device_id, "maintenance")
    daily = _hash(device_id, day.isoformat())
    gaps: list[tuple[int, int]] = []  # seconds into the day
    if camera % 100 < 35:
        begin = 3 * 3600 + (camera >> 8) % 50 * 60
        gaps.append((begin, begin + 60 * (2 + (camera >> 16) % 9)))
    if daily % 1000 < 5:
        gaps.append((0, DAY_SECONDS))
    elif daily % 100 < 3:
        begin = (daily >> 8) % DAY_SECONDS
        gaps.append((begin, min(DAY_SECONDS, begin + 5400 + (daily >> 24) % 30_601)))
    if (daily >> 40) % 100 < 20:
        begin = (daily >> 48) % DAY_SECONDS
        gaps.append((begin, min(DAY_SECONDS, begin + 20 + (daily >> 12) % 161)))
    midnight = datetime.combine(day, time(), tzinfo=DEMO_TZ)
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(gaps):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return [(midnight + timedelta(seconds=b), midnight + timedelta(seconds=e))
            for b, e in merged]


def _day_files(device_id: str, day: date) -> list[tuple[datetime, datetime, datetime]]:
    """(file start, piece start, piece end) of the day's hour files minus its gaps."""
    midnight = datetime.combine(day, time(), tzinfo=DEMO_TZ)
    gaps = recording_gaps(device_id, day)
    pieces: list[tuple[datetime, datetime, datetime]] = []
    for hour in range(DAY_SECONDS // FILE_SECONDS):
        file_start = midnight + timedelta(seconds=hour * FILE_SECONDS)
        cursor, file_end = file_start, file_start + timedelta(seconds=FILE_SECONDS)
        for gap_start, gap_end in gaps:
            if gap_end <= cursor or gap_start >= file_end:
                continue
            if gap_start > cursor:
                pieces.append((file_start, cursor, gap_start))
            cursor = max(cursor, gap_end)
        if cursor < file_end:
            pieces.append((file_start, cursor, file_end))
    return pieces


def synthetic_recordings(device_id: str, start: datetime, end: datetime, *, now: datetime,
                         retention_days: int | None, bitrate: int) -> list[Recording]:
    """The camera's recordings overlapping [start, end], clipped to it, to the retention
    window and to `now`; sorted by start. `retention_days=None` keeps everything up to
    `now` (a playback URL opened without its platform). Validate the range first
    (`check_time_range`)."""
    low, high = start, min(end, now)
    if retention_days is not None:
        low = max(low, now - timedelta(days=retention_days))
    if low >= high:
        return []
    found: list[Recording] = []
    day = low.astimezone(DEMO_TZ).date()
    last_day = high.astimezone(DEMO_TZ).date()
    while day <= last_day:
        for file_start, piece_start, piece_end in _day_files(device_id, day):
            begin, finish = max(piece_start, low), min(piece_end, high)
            if begin >= finish:
                continue
            # A variable-bitrate encoder: each file is 80–110 % of the nominal rate.
            factor = 0.80 + 0.30 * (_hash(device_id, file_start.isoformat()) % 1001) / 1000
            seconds = (finish - begin).total_seconds()
            found.append(Recording(start=begin.astimezone(DEMO_TZ),
                                   end=finish.astimezone(DEMO_TZ),
                                   size_bytes=round(bitrate / 8 * seconds * factor)))
        day += timedelta(days=1)
    return found


def utc_now() -> datetime:
    """The current time, time-zone aware (the default `now` of the demo platform)."""
    return datetime.now(UTC)
