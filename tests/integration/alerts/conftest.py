"""Alert tests: a known source with its secret, a rate a test can reach, and helpers
that sign and post events exactly as the analysis platform does."""

from __future__ import annotations

import base64
import functools
import io
import time
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from bff.alerts.signing import sign
from bff.catalog.schemas import CameraRecord
from bff.demo.catalogue import generate_demo_catalogue
from bff.lib.settings import AlertSettings, Settings
from tests.conftest import TEST_CAMERAS

SOURCE = "analysis"
SECRET = "test-alert-secret-0123456789-abcdefghij"
RATE = 25


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with one alert source and a rate window no test crosses."""
    settings.alerts = AlertSettings(sources={SOURCE: SECRET}, rate=RATE, rate_window_s=3600)
    return settings


@functools.cache
def catalogue() -> tuple[CameraRecord, ...]:
    return tuple(generate_demo_catalogue(TEST_CAMERAS))


def chengqu_camera() -> str:
    """A camera in 城区 (441502): inside police01's and water01's regions."""
    for record in catalogue():
        if record.civil_code == "441502" and not record.code_flags:
            return record.device_id
    raise AssertionError("no 城区 camera in the test catalogue")


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (200, 40, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def event(event_id: str = "evt-1", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"event_id": event_id, "type": "flooding",
                            "device_id": chengqu_camera(),
                            "occurred_at": "2026-12-04T08:30:00+08:00", "confidence": 0.91,
                            "detail": "积水深度约 30 厘米"}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def with_snapshot(body: dict[str, Any], data: bytes) -> dict[str, Any]:
    return {**body, "snapshot_jpeg": base64.b64encode(data).decode()}


async def post_event(client: AsyncTestClient, body: dict[str, Any] | bytes, *,
                     source: str = SOURCE, secret: str = SECRET,
                     timestamp: int | None = None, **headers: str):  # noqa: ANN201
    raw = body if isinstance(body, bytes) else msgspec.json.encode(body)
    stamp = int(time.time()) if timestamp is None else timestamp
    return await client.post("/api/alerts/events", content=raw, headers={
        "content-type": "application/json", "x-alert-source": source,
        "x-alert-timestamp": str(stamp), "x-alert-signature": sign(secret, stamp, raw),
        **headers})
