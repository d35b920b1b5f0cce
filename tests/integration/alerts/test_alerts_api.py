"""The signed-in user's alerts over HTTP: only recipients see an alert, its snapshot and
its actions; acknowledge and resolve move forward only and are audited."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from bff.audit.models import AuditEvent
from tests.helpers import api_headers, sign_in
from tests.integration.alerts.conftest import (
    catalogue,
    chengqu_camera,
    event,
    jpeg_bytes,
    post_event,
    with_snapshot,
)


async def ingest(client: AsyncTestClient, event_id: str, **fields: object) -> int:
    answer = await post_event(client, event(event_id, **fields))
    assert answer.status_code == 202, answer.text
    return answer.json()["alert_id"]


async def test_flooding_reaches_water_not_police(client: AsyncTestClient) -> None:
    flood = await ingest(client, "f1", occurred_at="2026-12-04T08:00:00+08:00")
    later = await ingest(client, "f2", occurred_at="2026-12-04T09:00:00+08:00",
                         type="forest_fire")
    smuggling = await ingest(client, "s1", type="smuggling_intrusion")

    await sign_in(client, "water01")
    mine = await client.get("/api/alerts", headers={"accept": "application/json"})
    assert mine.status_code == 200, mine.text
    assert [item["id"] for item in mine.json()] == [flood]  # forest fire goes to 21 应急
    item = mine.json()[0]
    camera = next(r for r in catalogue() if r.device_id == chengqu_camera())
    assert item["type"] == "flooding" and item["camera_name"] == camera.name
    assert item["state"] == "new" and item["unread"] is True
    assert item["acknowledged_by"] is None and item["has_snapshot"] is False

    client.cookies.clear()
    await sign_in(client, "police01")
    theirs = (await client.get("/api/alerts")).json()
    assert [item["id"] for item in theirs] == [smuggling]
    assert (await client.get(f"/api/alerts/{flood}/snapshot")).status_code == 404
    refused = await client.post(f"/api/alerts/{flood}/acknowledge", json={},
                                headers=api_headers(client))
    assert refused.status_code == 404 and refused.json()["error"] == "alerts.not_found"
    assert later != flood


async def test_filters_and_limit(client: AsyncTestClient) -> None:
    first = await ingest(client, "k1", type="kitchen_rodent",
                         occurred_at="2026-12-04T07:00:00+08:00")
    second = await ingest(client, "k2", type="kitchen_garbage",
                          occurred_at="2026-12-04T07:05:00+08:00")
    await sign_in(client, "market01")
    assert [i["id"] for i in (await client.get("/api/alerts")).json()] == [second, first]
    assert [i["id"] for i in (await client.get("/api/alerts?type=kitchen_rodent")).json()] \
        == [first]
    assert [i["id"] for i in (await client.get("/api/alerts?limit=1")).json()] == [second]
    assert (await client.get("/api/alerts?state=resolved")).json() == []
    bad = await client.get("/api/alerts?limit=101", headers={"accept-language": "en"})
    assert bad.status_code == 400 and "limit" in bad.json()["message"]
    assert (await client.get("/api/alerts?type=volcano")).status_code == 400


async def test_acknowledge_then_resolve_forward_only_and_audited(
        client: AsyncTestClient, db) -> None:  # noqa: ANN001
    alert_id = await ingest(client, "f-ack")
    await sign_in(client, "water01")
    headers = api_headers(client)
    acknowledged = await client.post(f"/api/alerts/{alert_id}/acknowledge", json={},
                                     headers=headers)
    assert acknowledged.status_code == 200, acknowledged.text
    body = acknowledged.json()
    assert body["state"] == "acknowledged" and body["acknowledged_by"] == "黄海涛"
    assert body["unread"] is False

    again = await client.post(f"/api/alerts/{alert_id}/acknowledge", json={}, headers=headers)
    assert again.status_code == 409 and again.json()["message"] == "该预警已被确认"

    no_note = await client.post(f"/api/alerts/{alert_id}/resolve", json={}, headers=headers)
    assert no_note.status_code == 400 and "note" in no_note.json()["message"]
    resolved = await client.post(f"/api/alerts/{alert_id}/resolve",
                                 json={"note": "已排水，现场恢复"}, headers=headers)
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["state"] == "resolved"
    assert resolved.json()["resolved_by"] == "黄海涛"
    assert resolved.json()["resolution_note"] == "已排水，现场恢复"

    back = await client.post(f"/api/alerts/{alert_id}/acknowledge", json={},
                             headers={**headers, "accept-language": "en"})
    assert back.status_code == 409 and back.json()["message"] == "This alert is already resolved"
    twice = await client.post(f"/api/alerts/{alert_id}/resolve", json={"note": "x"},
                              headers=headers)
    assert twice.status_code == 409

    async with db.sessions() as session:
        rows = (await session.execute(
            select(AuditEvent.action, AuditEvent.actor, AuditEvent.target, AuditEvent.detail)
            .where(AuditEvent.action.like("alert.%")).order_by(AuditEvent.id))).all()
    assert [(action, actor) for action, actor, _, _ in rows] == [
        ("alert.ingest", "source:analysis"), ("alert.acknowledge", "water01"),
        ("alert.resolve", "water01")]
    assert all(target == f"alert:{alert_id}" for _, _, target, _ in rows)
    assert rows[2][3]["note"] == "已排水，现场恢复"


async def test_resolving_a_new_alert_is_forward(client: AsyncTestClient) -> None:
    alert_id = await ingest(client, "f-res")
    await sign_in(client, "water01")
    resolved = await client.post(f"/api/alerts/{alert_id}/resolve", json={"note": "误报"},
                                 headers=api_headers(client))
    assert resolved.status_code == 200 and resolved.json()["state"] == "resolved"


async def test_snapshot_only_for_recipients(client: AsyncTestClient) -> None:
    answer = await post_event(client, with_snapshot(event("snap"), jpeg_bytes()))
    alert_id = answer.json()["alert_id"]
    plain = await ingest(client, "nosnap")
    await sign_in(client, "water01")
    image = await client.get(f"/api/alerts/{alert_id}/snapshot")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    assert image.content == jpeg_bytes()
    missing = await client.get(f"/api/alerts/{plain}/snapshot")
    assert missing.status_code == 404 and missing.json()["error"] == "alerts.no_snapshot"
    client.cookies.clear()
    await sign_in(client, "market01")
    assert (await client.get(f"/api/alerts/{alert_id}/snapshot")).status_code == 404


async def test_signed_out_users_get_nothing(client: AsyncTestClient) -> None:
    await ingest(client, "f-anon")
    answer = await client.get("/api/alerts")
    assert answer.status_code == 401
