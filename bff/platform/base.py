"""The one small interface the BFF uses to talk to a video-sharing platform (SPEC §3).

Implementations: the embedded demo platform (`bff.demo.platform`) and the WVP adapter
(`bff.platform.wvp`); `BFF_PLATFORM` chooses one. A media URL is what the media path
opens with PyAV (rtsp://, http://…flv, http://…ts, file paths) or the demo's synthetic
scheme `demo://…`. Media URLs stay inside the BFF: they never reach the browser.

Cameras are named by their 20-digit GB/T 28181 code (`device_id`, the channel code);
an implementation that needs more (WVP's parent device id) keeps its own mapping.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Protocol, runtime_checkable

import msgspec

if TYPE_CHECKING:
    import av

    from bff.lib.db import Database
    from bff.media.sources import MediaOpeners, SchemeOpener



class PlatformError(Exception):
    """The platform refused or failed a request."""


class DeviceNotFound(PlatformError):
    """The platform does not know this device (WVP: "设备不存在")."""


class PlatformTimeout(PlatformError):
    """The platform did not answer in time (WVP: "点播超时", or no reply at all)."""


class PlatformUnavailable(PlatformError):
    """The platform cannot be reached or failed internally (connection refused, HTTP 5xx)."""


class PlatformAuthError(PlatformError):
    """The platform refused the BFF's credentials."""


class ChannelState(msgspec.Struct, kw_only=True):
    """What the platform knows live about one camera (its "channel").

    The platform has none of appendix 5's governance fields (sharing attribute, default
    permissions, owner, retention); catalogue sync merges these live fields into the
    BFF's own catalogue. Coordinates are WGS-84 and may be unknown.
    """

    device_id: str
    name: str
    online: bool
    longitude: float | None = None
    latitude: float | None = None
    camera_type: int | None = None
    """Appendix-5 camera type (1 PTZ dome … 99 other) when the platform says it."""
    civil_code: str | None = None
    address: str | None = None
    parent_id: str | None = None
    """The device (NVR, encoder, lower platform) the channel hangs under."""


class PtzCommand(StrEnum):
    """Pan/tilt/zoom commands, spelled as GB/T 28181 platforms (WVP) spell them."""

    LEFT = "left"
    RIGHT = "right"
    UP = "up"
    DOWN = "down"
    UPLEFT = "upleft"
    UPRIGHT = "upright"
    DOWNLEFT = "downleft"
    DOWNRIGHT = "downright"
    ZOOMIN = "zoomin"
    ZOOMOUT = "zoomout"
    STOP = "stop"


class PtzMove(msgspec.Struct, kw_only=True, frozen=True):
    """One PTZ command; the camera keeps moving until a STOP arrives."""

    command: PtzCommand
    pan_speed: Annotated[int, msgspec.Meta(ge=0, le=255)] = 128
    tilt_speed: Annotated[int, msgspec.Meta(ge=0, le=255)] = 128
    zoom_speed: Annotated[int, msgspec.Meta(ge=0, le=15)] = 8


class Recording(msgspec.Struct, kw_only=True, frozen=True):
    """One stretch of recorded video kept by the camera or the platform."""

    start: datetime
    end: datetime
    size_bytes: int | None = None


class PlaybackStream(msgspec.Struct, kw_only=True, frozen=True):
    """A started playback: the platform's stream id (for controls and stop) and its URL."""

    stream_id: str
    media_url: str


class PlaybackAction(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    SEEK = "seek"
    SPEED = "speed"


PLAYBACK_SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


class PlaybackControl(msgspec.Struct, kw_only=True, frozen=True):
    """Pause, resume, seek to `seconds` from the start, or play at `speed`."""

    action: PlaybackAction
    seconds: Annotated[int, msgspec.Meta(ge=0)] | None = None
    speed: float | None = None


class PlatformAlarm(msgspec.Struct, kw_only=True, frozen=True):
    """An alarm raised by a device and relayed by the platform (WVP alarm event)."""

    alarm_id: str
    device_id: str
    alarm_type: str
    priority: int | None
    occurred_at: datetime
    description: str
    longitude: float | None = None
    latitude: float | None = None


class LiveSource(Protocol):
    """Live streams: what the stream hub needs."""

    async def start_live(self, device_id: str) -> str:
        """Start (or join) the live stream of a camera; return its media URL."""
        ...

    async def stop_live(self, device_id: str) -> None:
        """Tell the platform the BFF no longer reads the camera's live stream."""
        ...


class ChannelDirectory(Protocol):
    """The platform's list of cameras: what catalogue sync needs."""

    def channels(self) -> AsyncIterator[list[ChannelState]]:
        """Yield the platform's cameras and their live fields, page by page."""
        ...


class PtzControl(Protocol):
    """Pan/tilt/zoom: what the PTZ service needs."""

    async def ptz(self, device_id: str, move: PtzMove) -> None:
        """Send one pan/tilt/zoom command to a camera."""
        ...


class RecordingArchive(Protocol):
    """Recordings and their playback (录像回放)."""

    async def recordings(self, device_id: str, start: datetime, end: datetime) -> list[Recording]:
        """Recorded stretches of a camera between `start` and `end`."""
        ...

    async def start_playback(self, device_id: str, start: datetime, end: datetime) -> PlaybackStream:
        """Start playing back a camera's recording; return the stream to open."""
        ...

    async def control_playback(self, device_id: str, stream_id: str,
                               control: PlaybackControl) -> None:
        """Pause, resume, seek or change the speed of a started playback."""
        ...

    async def stop_playback(self, device_id: str, stream_id: str) -> None:
        """Stop a started playback."""
        ...


class AlarmFeed(Protocol):
    """Device alarms relayed by the platform."""

    def alarms(self) -> AsyncIterator[PlatformAlarm]:
        """Yield device alarms as the platform reports them, until `close()`."""
        ...


class Platform(LiveSource, ChannelDirectory, PtzControl, RecordingArchive, AlarmFeed, Protocol):
    """Everything the BFF needs from a sharing platform; each caller takes only the port
    it uses (the stream hub a `LiveSource`, catalogue sync a `ChannelDirectory` …)."""

    async def close(self) -> None:
        """Release connections; called at shutdown."""
        ...


@runtime_checkable
class ProvidesMediaOpeners(Protocol):
    """A platform whose media URLs only it can open (the demo's `demo://…`)."""

    def media_openers(self) -> Mapping[str, SchemeOpener]:
        """Openers by URL scheme, registered with the stream hub's `MediaOpeners`."""
        ...


@runtime_checkable
class SeedsFirstRun(Protocol):
    """A platform that brings its own first-run data (the demo: accounts and catalogue)."""

    async def seed_first_run(self, database: Database, *, password: str) -> Mapping[str, int]:
        """Fill a migrated database with what it lacks (idempotent); return how many of
        each kind of row were created (e.g. users, cameras)."""
        ...


class DemoAlert(msgspec.Struct, kw_only=True, frozen=True):
    """A plausible event of the video-analysis platform at one of a demo platform's
    cameras (flooding at a flood point, a kitchen violation, forest-fire smoke)."""

    type: str
    device_id: str
    confidence: float
    detail: str
    snapshot_jpeg: bytes


@runtime_checkable
class RaisesDemoAlerts(Protocol):
    """A platform that can make up analysis-platform alerts for a new user to see (the
    demo); the BFF signs them and posts them through its own ingest."""

    async def demo_alert(self) -> DemoAlert | None:
        """One alert at a fitting camera, with a snapshot; None when none fits."""
        ...


@runtime_checkable
class RendersRecordings(Protocol):
    """A platform that can hand over a recording's pictures faster than real time (the
    demo renders them); clip export uses it instead of playing the recording back."""

    def recording_frames(self, device_id: str, name: str, recordings: list[Recording], *,
                         width: int, height: int,
                         fps: int) -> Iterator[tuple[datetime, av.VideoFrame]]:
        """(recorded moment, picture) at `fps` through each of `recordings` in turn (gaps
        skipped). A plain iterator: the exporter runs it in its worker thread."""
        ...


def media_openers_of(platform: object) -> MediaOpeners:
    """The media openers for a platform: PyAV, plus the platform's own schemes."""
    # Imported here: PyAV (behind MediaOpeners) is heavy, and only the stream hub opens media.
    from bff.media.sources import MediaOpeners

    openers = MediaOpeners()
    if isinstance(platform, ProvidesMediaOpeners):
        for scheme, opener in platform.media_openers().items():
            openers.register(scheme, opener)
    return openers


class StreamNotFound(PlatformError):
    """The platform has no such started playback for this camera: never started, already
    stopped, or played to its end (WVP: "stream不存在")."""


class NoRecording(PlatformError):
    """The camera has no recording anywhere in the asked time range (无录像)."""


class InvalidTimeRange(ValueError):
    """A recordings or playback time range no platform call can serve: a naive time, start
    not before end, or longer than the implementation accepts. A `ValueError`, like the
    adapters' other refusals of bad input, so callers answer it with 400."""
