"""The share request workflow over the JSON API: asking (split per department and
sharing attribute), deciding, the policy honouring grants, revocation, bad input."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from bff.audit.models import AuditEvent
from bff.audit.services import AuditLog
from bff.lib.vocabulary import ShareAttr
from tests.helpers import api_headers, sign_in
from tests.integration.sharing.conftest import ask, cameras_for, decide


async def actions(db) -> list[str]:  # noqa: ANN001
    async with db.sessions() as session:
        return list((await session.scalars(select(AuditEvent.action)
                                           .order_by(AuditEvent.id))).all())


async def camera_access(client: AsyncTestClient, device_id: str) -> dict:
    response = await client.get(f"/api/cameras/{device_id}", headers=api_headers(client))
    assert response.status_code == 200, response.text
    return response.json()


async def test_one_request_split_by_department_and_sharing_attribute(
        client: AsyncTestClient, db) -> None:  # noqa: ANN001
    conditional = cameras_for("24", ShareAttr.CONDITIONAL)
    unconditional = cameras_for("24", ShareAttr.UNCONDITIONAL)
    refused = cameras_for("01", ShareAttr.NOT_SHARED)
    await sign_in(client, "police01")
    response = await ask(client, conditional + unconditional + refused, [1, 2],
                         case_no="JQ2026-001")
    assert response.status_code == 201, response.text
    body = response.json()
    states = {(p["dept_code"], p["state"]): [c["device_id"] for c in p["cameras"]]
              for p in body["parts"]}
    assert states == {("24", "pending"): conditional, ("24", "granted"): unconditional,
                      ("01", "refused"): refused}
    refusal = next(p for p in body["parts"] if p["state"] == "refused")
    assert "市视频办" in refusal["reason"]
    granted = next(p for p in body["parts"] if p["state"] == "granted")
    assert granted["grant"]["decided_by"] is None and granted["grant"]["state"] == "active"
    # The automatic grant works at once; the pending and refused cameras stay closed.
    assert (await camera_access(client, unconditional[0]))["permissions"] == [1, 2]
    assert (await camera_access(client, conditional[0]))["access"] == "request"
    assert (await camera_access(client, refused[0]))["access"] == "not_shared"
    logged = await actions(db)
    assert logged.count("share.request") == 1 and "share.auto_grant" in logged
    assert "share.refuse" in logged
    assert (await AuditLog(db).verify()).intact
