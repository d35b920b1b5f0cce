"""What the WVP adapter's integration tests share: the double's cameras, settings that
point the adapter at it, and small waiting helpers."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from bff.lib.settings import WvpSettings
from bff.platform.base import ChannelState
from bff.platform.wvp import WvpPlatform
from tests.wvp_double import ChannelSpec, WvpDouble

PASSWORD = "Wvp#Secret-2026"
MD5 = hashlib.md5(PASSWORD.encode()).hexdigest()
NVR = "44150200001180000001"
IPC = "44158100001320000009"  # registered directly: its own device
DOME = "44150200001310000001"
BULLET = "44150200001320000002"
MULTI = "44150200001310000003"
API_OF = {"2.7.1": "2.7.1", "2.7.3": "2.7.3", "master": "common"}


def populate(double: WvpDouble) -> None:
    double.add_channel(ChannelSpec(code=DOME, name="城区 海滨大道 球机", parent=NVR,
                                   longitude=115.3652, latitude=22.7861, ptz_type=1,
                                   civil_code="441502", address="海滨大道东"))
    double.add_channel(ChannelSpec(code=BULLET, name="城区 香洲路 枪机", parent=NVR, online=False,
                                   ptz_type=3, civil_code="441502"))  # null coordinates
    double.add_channel(ChannelSpec(code=MULTI, name="城区 拼接通道", parent=NVR, ptz_type=6,
                                   longitude=0.0, latitude=0.0))  # (0, 0) = no position
    double.add_channel(ChannelSpec(code=IPC, name="陆丰 IPC", parent=IPC,
                                   longitude=115.65, latitude=22.95))


def wvp_settings(double: WvpDouble, **overrides: object) -> WvpSettings:
    values: dict[str, object] = {"url": double.url, "password": PASSWORD,
                                 "api_version": API_OF[double.version],
                                 "request_timeout_s": 5.0, "play_timeout_s": 5.0}
    values.update(overrides)
    return WvpSettings(**values)  # type: ignore[arg-type]


async def all_channels(platform: WvpPlatform) -> list[ChannelState]:
    found: list[ChannelState] = []
    async for page in platform.channels():
        found.extend(page)
    return found


versions = pytest.mark.parametrize(
    "double", [{"version": v} for v in ("2.7.1", "2.7.3", "master")], indirect=True,
    ids=["2.7.1", "2.7.3", "master"])


async def eventually(predicate, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)
