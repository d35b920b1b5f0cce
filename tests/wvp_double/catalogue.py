"""The catalogue as WVP lists it: devices, their channels in the shape of the version
(2.7.1: code in `channelId`, boolean status; 2.7.3+: code in `deviceId`, "ON"/"OFF"),
and master's common-channel list with its `gb*` fields."""

from __future__ import annotations

from typing import Any

from tests.wvp_double.asgi import SEG, Reply, Route, fail, ok, page_info, route
from tests.wvp_double.state import ALL, MASTER, ChannelSpec, DoubleState


class Catalogue:
    """Devices and channels."""

    def __init__(self, state: DoubleState) -> None:
        self._state = state

    def routes(self) -> list[Route]:
        return [
            route(r"/api/device/query/devices", ALL, self._devices),
            route(rf"/api/device/query/devices/{SEG}/channels", ALL, self._channels),
            route(r"/api/common/channel/list", MASTER, self._common_list),
            route(r"/api/common/channel/one", MASTER, self._common_one),
        ]

    async def _devices(self, params: dict[str, str]) -> Reply:
        state = self._state
        with state.lock:
            devices = [{"deviceId": d, "name": f"NVR-{d[-4:]}", "manufacturer": "Hikvision",
                        "onLine": True, "channelCount": sum(c.parent == d for c in state.channels),
                        "transport": "UDP", "streamMode": "TCP-PASSIVE",
                        "hostAddress": "10.20.0.7:5060"} for d in state.device_ids()]
        query = params.get("query")
        if query:
            devices = [d for d in devices if query in d["deviceId"] or query in d["name"]]
        return page_info(devices, params)

    def _channel_json(self, c: ChannelSpec) -> dict[str, Any]:
        common = {"name": c.name, "manufacturer": "Hikvision", "owner": "Owner",
                  "civilCode": c.civil_code, "address": c.address, "parentId": c.parent,
                  "ipAddress": "", "longitude": c.longitude, "latitude": c.latitude,
                  "ptzType": c.ptz_type, "hasAudio": False, "id": c.gb_id}
        if self._state.version == "2.7.1":
            return {"channelId": c.code, "deviceId": c.parent, "status": c.online, **common}
        return {"deviceId": c.code, "status": "ON" if c.online else "OFF", **common}

    def _filtered(self, params: dict[str, str], parent: str | None = None) -> list[ChannelSpec]:
        with self._state.lock:
            found = [c for c in self._state.channels if parent is None or c.parent == parent]
        query = params.get("query")
        if query:
            found = [c for c in found if query in c.code or query in c.name]
        online = params.get("online")
        if online in ("true", "false"):
            found = [c for c in found if c.online == (online == "true")]
        return found

    async def _channels(self, params: dict[str, str], device: str) -> Reply:
        state = self._state
        if device not in state.device_ids():
            return fail(state.not_found_code, state.not_found_msg)
        return page_info([self._channel_json(c) for c in self._filtered(params, device)], params)

    async def _common_list(self, params: dict[str, str]) -> Reply:
        return page_info([_common_json(c) for c in self._filtered(params)], params)

    async def _common_one(self, params: dict[str, str]) -> Reply:
        channel = self._state.by_gb_id(params.get("id"))
        return ok(_common_json(channel)) if channel else fail(100, "通道不存在")


def _common_json(c: ChannelSpec) -> dict[str, Any]:
    return {"gbId": c.gb_id, "gbDeviceId": c.code, "gbName": c.name,
            "gbManufacturer": "Hikvision", "gbCivilCode": c.civil_code,
            "gbAddress": c.address, "gbParentId": c.parent,
            "gbStatus": "ON" if c.online else "OFF", "gbLongitude": c.longitude,
            "gbLatitude": c.latitude, "gbPtzType": c.ptz_type, "gbPositionType": None,
            "dataType": 1, "dataDeviceId": 1}
