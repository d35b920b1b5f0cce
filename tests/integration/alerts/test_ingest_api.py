"""Signed alert ingest over HTTP, on the embedded default and on PostgreSQL + Redis: what
is accepted is stored once with its recipients and outbox row; every refusal stores
nothing and answers in the requester's language."""

from __future__ import annotations

import asyncio
import time

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from bff.alerts.models import Alert, AlertOutbox, AlertRecipient
from bff.audit.models import AuditEvent
from bff.lib.db import Database
from tests.integration.alerts.conftest import (
    RATE,
    SOURCE,
    event,
    jpeg_bytes,
    post_event,
    with_snapshot,
)


async def counts(db: Database) -> tuple[int, int, int]:
    async with db.sessions() as session:
        found = [await session.scalar(select(func.count()).select_from(table))
                 for table in (Alert, AlertRecipient, AlertOutbox)]
    return found[0], found[1], found[2]


async def test_accepted_then_duplicate_with_the_same_id(client: AsyncTestClient,
                                                        db: Database) -> None:
    first = await post_event(client, with_snapshot(event("flood-1"), jpeg_bytes()))
    assert first.status_code == 202, first.text
    alert_id = first.json()["alert_id"]
    assert first.json() == {"alert_id": alert_id, "duplicate": False}

    again = await post_event(client, event("flood-1", detail="重发"))
    assert again.status_code == 200, again.text
    assert again.json() == {"alert_id": alert_id, "duplicate": True}

    alerts, recipients, outbox = await counts(db)
    assert (alerts, outbox) == (1, 1)
    assert recipients >= 1  # water01 at least (15 水务, whole city)
    async with db.sessions() as session:
        stored = await session.scalar(select(Alert))
        audited = (await session.execute(
            select(AuditEvent.actor, AuditEvent.target, AuditEvent.detail)
            .where(AuditEvent.action == "alert.ingest"))).all()
    assert stored.source == SOURCE and stored.detail == "积水深度约 30 厘米"
    assert stored.snapshot == jpeg_bytes() and stored.state == "new"
    assert stored.occurred_at.utcoffset().total_seconds() == 0
    assert stored.occurred_at.hour == 0 and stored.occurred_at.minute == 30
    assert len(audited) == 1
    actor, target, detail = audited[0]
    assert actor == f"source:{SOURCE}" and target == f"alert:{alert_id}"
    assert detail["event_id"] == "flood-1"
    assert detail["source"] == SOURCE


async def test_copies_sent_at_once_store_one_alert(client: AsyncTestClient, db: Database) -> None:
    answers = await asyncio.gather(*(post_event(client, event("race")) for _ in range(6)))
    assert sorted(answer.status_code for answer in answers) == [200] * 5 + [202]
    assert len({answer.json()["alert_id"] for answer in answers}) == 1
    alerts, _, outbox = await counts(db)
    assert (alerts, outbox) == (1, 1)


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"secret": "another-secret-of-enough-length-0123456789"}, "alerts.bad_signature"),
    ({"source": "stranger"}, "alerts.unknown_source"),
    ({"timestamp": int(time.time()) - 301}, "alerts.stale_timestamp"),
    ({"timestamp": int(time.time()) + 3600}, "alerts.stale_timestamp"),
])
async def test_unsigned_requests_are_refused_and_store_nothing(
        client: AsyncTestClient, db: Database, kwargs: dict, code: str) -> None:
    answer = await post_event(client, event("nope"), **kwargs)
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"] == code
    assert await counts(db) == (0, 0, 0)


async def test_missing_headers_and_tampered_body(client: AsyncTestClient, db: Database) -> None:
    bare = await client.post("/api/alerts/events", json=event())
    assert bare.status_code == 401 and bare.json()["error"] == "alerts.missing_headers"
    assert "X-Alert-Signature" in bare.json()["message"]
    good = await post_event(client, event())
    assert good.status_code == 202
    signed = good.request.headers
    tampered = await client.post("/api/alerts/events", content=good.request.content + b" ",
                                 headers={k: signed[k] for k in (
                                     "x-alert-source", "x-alert-timestamp",
                                     "x-alert-signature", "content-type")})
    assert tampered.status_code == 401 and tampered.json()["error"] == "alerts.bad_signature"
    assert tampered.json()["message"] == "签名校验失败"


async def test_malformed_json_is_400_and_too_large_413(client: AsyncTestClient,
                                                       db: Database) -> None:
    malformed = await post_event(client, b'{"event_id": "x",')
    assert malformed.status_code == 400, malformed.text
    assert malformed.json()["error"] == "alerts.malformed"
    huge = await post_event(client, b'{"detail": "' + b"x" * (900 * 1024) + b'"}')
    assert huge.status_code == 413, huge.text
    assert await counts(db) == (0, 0, 0)


@pytest.mark.parametrize(("fields", "named"), [
    ({"device_id": "12345"}, "device_id"),
    ({"occurred_at": "2026-12-04T08:30:00"}, "occurred_at"),
    ({"occurred_at": "yesterday"}, "occurred_at"),
    ({"confidence": 1.5}, "confidence"),
    ({"type": "volcano"}, "type"),
    ({"event_id": ""}, "event_id"),
    ({"event_id": "e" * 65}, "event_id"),
    ({"detail": "长" * 501}, "detail"),
    ({"colour": "red"}, "colour"),
    ({"snapshot_jpeg": "not base64!"}, "snapshot_jpeg"),
])
async def test_invalid_fields_are_422_naming_the_field(
        client: AsyncTestClient, db: Database, fields: dict, named: str) -> None:
    answer = await post_event(client, event(**{"event_id": "bad", **fields}))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "alerts.invalid"
    assert named in answer.json()["message"]
    assert answer.json()["message"].startswith("预警事件无效")
    assert await counts(db) == (0, 0, 0)


async def test_fake_and_oversized_snapshots_are_422(client: AsyncTestClient, db: Database) -> None:
    png_named_jpeg = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    fake = await post_event(client, with_snapshot(event("fake"), png_named_jpeg))
    assert fake.status_code == 422 and "snapshot_jpeg" in fake.json()["message"]
    jpeg = jpeg_bytes()
    cut = await post_event(client, with_snapshot(event("cut"), jpeg[: len(jpeg) // 2]))
    assert cut.status_code == 422
    big = await post_event(client, with_snapshot(event("big"), b"\xff" * (512 * 1024 + 1)))
    assert big.status_code == 422 and "snapshot_jpeg" in big.json()["message"]
    assert await counts(db) == (0, 0, 0)


async def test_unknown_camera_is_422_in_the_requested_language(
        client: AsyncTestClient, db: Database) -> None:
    zh = await post_event(client, event("ghost", device_id="4415020100131" + "9999999"))
    assert zh.status_code == 422 and zh.json()["error"] == "alerts.unknown_camera"
    assert zh.json()["message"].startswith("资源目录中没有摄像机")
    en = await post_event(client, event("ghost", device_id="4415020100131" + "9999999"),
                          **{"accept-language": "en"})
    assert en.json()["message"].startswith("No camera 44150201001319999999")
    confidence = await post_event(client, event("c", confidence=2), **{"accept-language": "en"})
    assert confidence.json()["message"] == (
        "Invalid alert event: confidence must be a number at most 1")
    assert await counts(db) == (0, 0, 0)


async def test_a_source_over_its_rate_gets_429_with_retry_after(client: AsyncTestClient) -> None:
    for n in range(RATE):
        answer = await post_event(client, event(f"burst-{n}"))
        assert answer.status_code == 202, answer.text
    refused = await post_event(client, event("burst-last"))
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"] == "alerts.rate_limited"
    assert int(refused.headers["retry-after"]) >= 1
    # Strangers are refused before counting: they cannot use up the source's quota.
    stranger = await post_event(client, event("x"), secret="w" * 40)
    assert stranger.status_code == 401
