"""The WVP adapter's catalogue against the double: channel fields of every API
generation, paging, and codes looked up on demand."""

from __future__ import annotations

import pytest

from bff.platform.base import DeviceNotFound
from bff.platform.wvp import WvpPlatform
from tests.integration.platform.wvp.wvp_support import (
    BULLET,
    DOME,
    IPC,
    MULTI,
    NVR,
    all_channels,
    versions,
    wvp_settings,
)
from tests.wvp_double import ChannelSpec, WvpDouble


@versions
async def test_channel_fields_of_every_api_generation(double: WvpDouble,
                                                      wvp: WvpPlatform) -> None:
    channels = {c.device_id: c for c in await all_channels(wvp)}
    assert set(channels) == {DOME, BULLET, MULTI, IPC}
    dome, bullet, multi, ipc = (channels[c] for c in (DOME, BULLET, MULTI, IPC))
    assert (dome.name, dome.online, dome.longitude, dome.latitude) == (
        "城区 海滨大道 球机", True, 115.3652, 22.7861)
    assert (dome.camera_type, dome.civil_code, dome.address) == (1, "441502", "海滨大道东")
    assert bullet.online is False and bullet.camera_type == 3
    assert bullet.longitude is None and bullet.latitude is None  # null coordinates
    assert multi.longitude is None and multi.camera_type == 99  # (0,0); ptzType 6 → other
    assert ipc.parent_id == IPC and dome.parent_id == NVR
    refs = {code: await wvp.channel_ref(code) for code in channels}
    assert refs[DOME].device_id == NVR and refs[DOME].channel_id == DOME
    assert (refs[DOME].gb_id is not None) == (double.version == "master")


@versions
async def test_paging_walks_every_page(double: WvpDouble) -> None:
    for n in range(5):
        double.add_channel(ChannelSpec(code=f"4415020000131100000{n}", name=f"补充{n}",
                                       parent="44150200001180000002"))
    platform = WvpPlatform(wvp_settings(double, page_size=2))
    try:
        pages = [page async for page in platform.channels()]
    finally:
        await platform.close()
    assert sum(len(p) for p in pages) == 9 and all(len(p) <= 2 for p in pages)
    listed = [r for r in double.requests if r.path.endswith(("/channels", "/channel/list"))]
    assert {r.params["count"] for r in listed} == {"2"}
    # 5 channels under one device (2.7.x walks per device), or 9 in one common list.
    assert max(int(r.params["page"]) for r in listed) == (5 if double.version == "master" else 3)


async def test_unknown_codes_are_looked_up_on_demand_and_misses_are_cached(
        double: WvpDouble, wvp: WvpPlatform) -> None:
    url = await wvp.start_live(DOME)  # no channels() walk before: looked up by query
    assert url.endswith(".live.flv")
    lookups = [r for r in double.requests if r.params.get("query") == DOME]
    assert lookups
    with pytest.raises(DeviceNotFound):
        await wvp.start_live("44150200001310099999")
    walked = len(double.requests)
    with pytest.raises(DeviceNotFound):
        await wvp.start_live("44150200001310099999")
    assert len(double.requests) == walked  # answered from the negative cache


async def test_a_channel_that_moved_device_is_found_again(double: WvpDouble,
                                                          wvp: WvpPlatform) -> None:
    await all_channels(wvp)
    double.remove_channel(DOME)
    double.add_channel(ChannelSpec(code=DOME, name="迁移后", parent="44150200001180000077"))
    url = await wvp.start_live(DOME)
    assert "44150200001180000077_" + DOME in url
