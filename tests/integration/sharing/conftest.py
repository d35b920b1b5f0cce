"""Share request tests: cameras of the test catalogue picked by owner, place and sharing
attribute, and helpers to ask, decide and revoke over the API as the pages do."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from bff.catalog.schemas import CameraRecord
from bff.demo.catalogue import generate_demo_catalogue
from bff.lib.vocabulary import DeviceStatus, OnlineState
from tests.conftest import TEST_CAMERAS
from tests.helpers import api_headers


@functools.cache
def catalogue() -> tuple[CameraRecord, ...]:
    return tuple(generate_demo_catalogue(TEST_CAMERAS))


def cameras_for(dept: str, share_attr: int, *, region: str = "441502", count: int = 1,
                online: bool = False, camera_types: tuple[int, ...] | None = None
                ) -> list[str]:
    """In-use cameras of `dept` inside `region` with that sharing attribute (police01's
    region is 441502 城区)."""
    found = [r.device_id for r in catalogue()
             if r.dept_code == dept and r.share_attr == share_attr
             and r.civil_code.startswith(region) and r.status == DeviceStatus.IN_USE
             and not r.code_flags and (not online or r.online == OnlineState.ONLINE)
             and (camera_types is None or r.camera_type in camera_types)]
    assert len(found) >= count, f"need {count} cameras of {dept}/{share_attr} in {region}"
    return found[:count]


def window(hours: float = 2) -> dict[str, str]:
    return {"ends_at": (datetime.now(UTC) + timedelta(hours=hours)).isoformat()}


async def ask(client: AsyncTestClient, device_ids: list[str], permissions: list[int] | None = None,
              **extra: Any):
    body = {"device_ids": device_ids, "permissions": permissions or [1],
            "purpose": "巡查食品安全", **window(), **extra}
    return await client.post("/api/share-requests", json=body, headers=api_headers(client))


async def decide(client: AsyncTestClient, request_id: int, decision: str = "approve",
                 **extra: Any):
    return await client.post(f"/api/share-requests/{request_id}/decision",
                             json={"decision": decision, **extra}, headers=api_headers(client))
