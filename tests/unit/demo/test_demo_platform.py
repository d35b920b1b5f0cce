"""The embedded demo platform: catalogue pages and synthetic live URLs."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from bff.catalog.schemas import CameraRecord
from bff.demo.catalogue import generate_demo_catalogue
from bff.demo.platform import DemoPlatform
from bff.lib.settings import DemoSettings, Settings
from bff.platform.base import DeviceNotFound, Platform, PlatformError


def settings_with(count: int) -> Settings:
    return Settings(demo=DemoSettings(camera_count=count))


async def collect(platform: DemoPlatform) -> list[list[CameraRecord]]:
    return [page async for page in platform.catalogue()]


async def test_catalogue_comes_in_pages_of_a_thousand() -> None:
    platform = DemoPlatform(settings_with(2_500))
    pages = await collect(platform)
    assert [len(p) for p in pages] == [1_000, 1_000, 500]
    records = [r for page in pages for r in page]
    assert records == generate_demo_catalogue(2_500)
    await platform.close()


async def test_pages_are_copies() -> None:
    platform = DemoPlatform(settings_with(50))
    first = (await collect(platform))[0]
    perms = list(first[0].default_perms)
    first[0].name = "changed"
    first[0].default_perms.append(99)
    again = (await collect(platform))[0]
    assert again[0].name != "changed"
    assert again[0].default_perms == perms


async def test_start_live_returns_the_synthetic_url() -> None:
    platform: Platform = DemoPlatform(settings_with(300))
    record = (await collect(platform))[0][0]  # type: ignore[arg-type]
    url = await platform.start_live(record.device_id)
    parts = urlsplit(url)
    assert parts.scheme == "demo" and parts.netloc == "live"
    assert unquote(parts.path.lstrip("/")) == record.device_id
    assert parse_qs(parts.query)["name"] == [record.name]
    assert url == f"demo://live/{record.device_id}?name=" + url.split("?name=", 1)[1]


async def test_unknown_device_is_refused() -> None:
    platform = DemoPlatform(settings_with(100))
    with pytest.raises(DeviceNotFound):
        await platform.start_live("44150200001320999999")
    assert platform.active_streams == 0


async def test_active_streams_are_counted() -> None:
    platform = DemoPlatform(settings_with(100))
    records = (await collect(platform))[0]
    a, b = records[0].device_id, records[1].device_id
    await platform.start_live(a)
    await platform.start_live(a)
    await platform.start_live(b)
    assert platform.active_streams == 3 and platform.active_streams_of(a) == 2
    await platform.stop_live(a)
    await platform.stop_live(b)
    await platform.stop_live(b)  # stopping more than started is harmless
    assert platform.active_streams == 1 and platform.active_streams_of(b) == 0
    await platform.close()
    assert platform.active_streams == 0
    with pytest.raises(PlatformError):
        await platform.start_live(a)


async def test_default_size_is_shanwei() -> None:
    platform = DemoPlatform(Settings())
    total = sum(len(p) for p in await collect(platform))
    assert total == 19_639
