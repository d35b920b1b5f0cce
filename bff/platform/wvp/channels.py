"""The catalogue as WVP lists it, and the mapping from a camera's 20-digit code to the
way WVP addresses it.

WVP names a camera by (parent device id, channel code) or by gbId; the BFF names it by
its code alone. The directory fills that mapping while listing and looks a missing code
up on demand (then caches it, and negative answers briefly). The three API generations
differ only in `ChannelShape`, not in branches here.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from bff.platform.base import ChannelState, DeviceNotFound
from bff.platform.wvp.client import WvpClient
from bff.platform.wvp.shapes import (
    CHANNEL_SHAPES,
    ChannelRef,
    as_int,
    as_text,
    camera_type_of,
    is_online,
    position_of,
    segment,
)

T = TypeVar("T")

MISSING_CACHE_S = 30.0
"""How long a code the platform does not know is not looked up again."""


class WvpChannelDirectory:
    """The `ChannelDirectory` port over WVP: lists its channels (目录) and knows how WVP
    addresses each camera."""

    def __init__(self, client: WvpClient) -> None:
        self._client = client
        self._shape = CHANNEL_SHAPES[client.settings.api_version]
        self._lookup_lock = asyncio.Lock()
        self._refs: dict[str, ChannelRef] = {}
        self._missing: dict[str, float] = {}

    def _state_of(self, item: dict[str, Any], parent: str | None) -> ChannelState | None:
        """Read one listed channel and remember how to address it."""
        shape = self._shape
        code = as_text(item.get(shape.code))
        if not code:
            return None
        parent_id = (as_text(item.get(shape.parent)) if shape.parent else "") or parent
        gb_id = as_int(item.get(shape.gb_id)) if shape.gb_id else None
        if self._client.common:
            if gb_id is None:
                return None
            self._refs[code] = ChannelRef(device_id=parent_id or code, channel_id=code,
                                          gb_id=gb_id)
        else:
            if not parent_id:
                return None
            self._refs[code] = ChannelRef(device_id=parent_id, channel_id=code)
        self._missing.pop(code, None)
        longitude, latitude = position_of(item.get(shape.longitude), item.get(shape.latitude))
        return ChannelState(
            device_id=code, name=as_text(item.get(shape.name)) or code,
            online=is_online(item.get(shape.status)), longitude=longitude, latitude=latitude,
            camera_type=camera_type_of(item.get(shape.ptz_type)),
            civil_code=as_text(item.get(shape.civil_code)) or None,
            address=as_text(item.get(shape.address)) or None, parent_id=parent_id or None)

    async def _pages(self, query: str | None = None) -> AsyncIterator[list[ChannelState]]:
        extra = {"query": query} if query else {}
        if self._client.common:
            async for items in self._client.pages("/api/common/channel/list", extra):
                states = [s for s in (self._state_of(i, None) for i in items) if s]
                if states:
                    yield states
            return
        async for devices in self._client.pages("/api/device/query/devices"):
            for device in devices:
                parent = as_text(device.get("deviceId"))
                if not parent:
                    continue
                path = f"/api/device/query/devices/{segment(parent)}/channels"
                # channelType=false: video channels only, not catalogue folders.
                async for items in self._client.pages(path, {**extra, "channelType": "false"}):
                    states = [s for s in (self._state_of(i, parent) for i in items) if s]
                    if states:
                        yield states

    async def channels(self) -> AsyncIterator[list[ChannelState]]:
        """Every channel WVP knows, page by page, with its live fields (and the mapping
        code → WVP address refreshed on the way)."""
        async for states in self._pages():
            yield states

    async def ref(self, device_id: str) -> ChannelRef:
        """How WVP addresses camera `device_id`; looked up (and cached) when unknown.
        Raises DeviceNotFound when WVP lists no such channel."""
        ref = self._refs.get(device_id)
        if ref is not None:
            return ref
        async with self._lookup_lock:
            ref = self._refs.get(device_id)
            if ref is not None:
                return ref
            if time.monotonic() < self._missing.get(device_id, 0.0):
                raise DeviceNotFound(device_id)
            async with contextlib.aclosing(self._pages(query=device_id)) as pages:
                async for _ in pages:
                    if device_id in self._refs:
                        return self._refs[device_id]
            self._missing[device_id] = time.monotonic() + MISSING_CACHE_S
        raise DeviceNotFound(device_id)

    async def with_ref(self, device_id: str, call: Callable[[ChannelRef], Awaitable[T]]) -> T:
        """Run `call(ref)`; when WVP says the device is gone although the mapping knew it,
        forget the mapping, look it up again and retry once (channels move between
        devices when a lower platform is re-registered)."""
        ref = await self.ref(device_id)
        try:
            return await call(ref)
        except DeviceNotFound:
            self._refs.pop(device_id, None)
            fresh = await self.ref(device_id)
            if fresh == ref:
                raise
            return await call(fresh)
