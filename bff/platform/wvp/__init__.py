"""The WVP-GB28181-pro adapter: the `Platform` interface over WVP's HTTP API (SPEC §3).

WVP (with its ZLMediaKit media server) is the open-source GB/T 28181 platform most
Chinese deployments run; the shared WVP-API.md notes say what the adapter relies on.
One module per area of the API, assembled by `WvpPlatform` (`adapter`):

* `client` — sign-in (md5 by query string), the `access-token`, the `{code, msg, data}`
  envelope, paging, and WVP's business errors as the typed errors of `base`.
* `shapes` — where each API generation keeps its fields, how WVP addresses a camera
  (`ChannelRef`), lenient readers of its values and its wall-clock times.
* `channels`, `live`, `playback`, `ptz`, `alarms` — one port of `Platform` each
  (`ChannelDirectory`, `LiveSource`, `RecordingArchive`, `PtzControl`, `AlarmFeed`);
  `channels` also maps a camera's code to WVP's address of it.

Versions differ in field names and paths (`WvpSettings.api_version`): 2.7.1 lists a
channel's code as `channelId` and its device as `deviceId` with a boolean status;
2.7.3+ lists the code as `deviceId` and status "ON"/"OFF"; the common-channel API of
2.7.4-2026/master lists `gb*` fields and plays by the integer `gbId`.
"""

from bff.platform.wvp.adapter import WvpPlatform
from bff.platform.wvp.alarms import SseParser
from bff.platform.wvp.client import business_error
from bff.platform.wvp.shapes import ChannelRef, camera_type_of

__all__ = ["ChannelRef", "SseParser", "WvpPlatform", "business_error", "camera_type_of"]
