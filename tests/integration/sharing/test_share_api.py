"""The share request workflow over the JSON API: asking (split per department and
sharing attribute), deciding, the policy honouring grants, revocation, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from bff.audit.models import AuditEvent
from bff.lib.vocabulary import ShareAttr
from tests.helpers import api_headers, sealed_audit, sign_in
from tests.integration.sharing.conftest import ask, cameras_for, decide, window


async def actions(db) -> list[str]:
    async with db.sessions() as session:
        return list((await session.scalars(select(AuditEvent.action)
                                           .order_by(AuditEvent.id))).all())


async def camera_access(client: AsyncTestClient, device_id: str) -> dict:
    response = await client.get(f"/api/cameras/{device_id}", headers=api_headers(client))
    assert response.status_code == 200, response.text
    return response.json()


async def test_one_request_split_by_department_and_sharing_attribute(
        client: AsyncTestClient, db, settings) -> None:
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
    assert (await sealed_audit(settings, db).verify()).intact


async def test_approver_sees_who_why_what_and_approves(client: AsyncTestClient,
                                                       db) -> None:
    kitchen = cameras_for("24", ShareAttr.CONDITIONAL)
    await sign_in(client, "police01")
    asked = (await ask(client, kitchen, [1, 2], case_no="JQ-7")).json()
    assert [p["state"] for p in asked["parts"]] == ["pending"]
    assert (await camera_access(client, kitchen[0]))["access"] == "request"

    await sign_in(client, "approver01")
    badge = (await client.get("/api/share-badge", headers=api_headers(client))).json()
    assert badge["to_decide"] == 1 and badge["unread"] == 1
    inbox = (await client.get("/api/share-requests", params={"role": "approver"},
                              headers=api_headers(client))).json()
    assert [r["id"] for r in inbox] == [asked["id"]]
    item = inbox[0]
    assert item["requester"]["display_name"] == "陈志强"
    assert item["requester"]["staff_no"] == "J441502017"
    assert item["requester"]["dept_name"] == "公安部门"
    assert item["purpose"] == "巡查食品安全" and item["case_no"] == "JQ-7"
    assert item["parts"][0]["cameras"][0]["name"].endswith(("后厨", "洗消间", "食材仓库", "备餐间"))
    decided = await decide(client, asked["id"])
    assert decided.status_code == 200, decided.text
    part = decided.json()["parts"][0]
    assert part["state"] == "approved" and part["decided_by"] == "郑国栋"
    assert part["grant"]["permissions"] == [1, 2] and part["grant"]["state"] == "active"

    await sign_in(client, "police01")
    assert (await camera_access(client, kitchen[0]))["permissions"] == [1, 2]
    notices = (await client.get("/api/share-notices", headers=api_headers(client))).json()
    assert notices[0]["kind"] == "approved" and not notices[0]["read"]
    mine = (await client.get("/api/grants", headers=api_headers(client))).json()
    assert [g["cameras"][0]["device_id"] for g in mine] == kitchen
    assert "share.approve" in await actions(db)


async def test_approve_narrower_gives_only_what_was_chosen(client: AsyncTestClient) -> None:
    kitchens = cameras_for("24", ShareAttr.CONDITIONAL, count=2)
    await sign_in(client, "police01")
    asked = (await ask(client, kitchens, [1, 2], **window(hours=48))).json()
    await sign_in(client, "approver01")
    shorter = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    decided = await decide(client, asked["id"], device_ids=kitchens[:1], permissions=[1],
                           ends_at=shorter)
    assert decided.status_code == 200, decided.text
    grant = decided.json()["parts"][0]["grant"]
    assert [c["device_id"] for c in grant["cameras"]] == kitchens[:1]
    assert grant["permissions"] == [1]
    assert datetime.fromisoformat(grant["ends_at"]) == datetime.fromisoformat(shorter)
    await sign_in(client, "police01")
    assert (await camera_access(client, kitchens[0]))["permissions"] == [1]
    assert (await camera_access(client, kitchens[1]))["access"] == "request"


async def test_narrowing_cannot_widen(client: AsyncTestClient) -> None:
    kitchens = cameras_for("24", ShareAttr.CONDITIONAL, count=2)
    await sign_in(client, "police01")
    asked = (await ask(client, kitchens[:1], [1])).json()
    await sign_in(client, "approver01")
    other = await decide(client, asked["id"], device_ids=kitchens[1:])
    assert other.status_code == 422 and other.json()["error"] == "sharing.invalid.not_in_request"
    assert "device_ids" in other.json()["message"]
    more = await decide(client, asked["id"], permissions=[1, 4])
    assert more.status_code == 422 and "permissions" in more.json()["message"]
    longer = await decide(client, asked["id"], **window(hours=5))
    assert longer.status_code == 422 and "ends_at" in longer.json()["message"]


async def test_reject_needs_a_reason_and_a_decision_is_final(client: AsyncTestClient,
                                                             db) -> None:
    kitchen = cameras_for("24", ShareAttr.CONDITIONAL)
    await sign_in(client, "police01")
    asked = (await ask(client, kitchen)).json()
    await sign_in(client, "approver01")
    bare = await decide(client, asked["id"], "reject")
    assert bare.status_code == 422 and "reason" in bare.json()["message"]
    rejected = await decide(client, asked["id"], "reject", reason="事由不充分，请补充案件编号")
    assert rejected.status_code == 200
    assert rejected.json()["parts"][0]["state"] == "rejected"
    again = await decide(client, asked["id"])
    assert again.status_code == 409
    assert again.json() == {"error": "sharing.already_decided",
                            "message": "该申请已由 郑国栋 驳回，审批结果不可更改"}
    await sign_in(client, "police01")
    mine = (await client.get("/api/share-requests", headers=api_headers(client))).json()
    assert mine[0]["parts"][0]["reason"] == "事由不充分，请补充案件编号"
    assert (await camera_access(client, kitchen[0]))["access"] == "request"
    assert "share.reject" in await actions(db)


async def test_only_the_owning_departments_approvers_or_the_admin_decide(
        client: AsyncTestClient) -> None:
    kitchen = cameras_for("24", ShareAttr.CONDITIONAL)
    await sign_in(client, "police01")
    asked = (await ask(client, kitchen)).json()
    own = await decide(client, asked["id"])
    assert own.status_code == 403 and own.json()["error"] == "sharing.not_your_department"
    await sign_in(client, "approver03")  # 水务
    water = await decide(client, asked["id"])  # not told the request exists
    assert water.status_code == 404 and water.json()["error"] == "sharing.request_not_found"
    inbox = await client.get("/api/share-requests", params={"role": "approver"},
                             headers=api_headers(client))
    assert inbox.status_code == 200 and inbox.json() == []
    await sign_in(client, "market01")  # 市场监管 but not an approver
    assert (await decide(client, asked["id"])).status_code == 404
    listed = await client.get("/api/share-requests", params={"role": "approver"},
                              headers=api_headers(client))
    assert listed.status_code == 403
    await sign_in(client, "admin")
    assert (await decide(client, asked["id"])).status_code == 200


async def test_revoke_ends_the_grant(client: AsyncTestClient, db) -> None:
    kitchen = cameras_for("24", ShareAttr.UNCONDITIONAL)
    await sign_in(client, "police01")
    grant = (await ask(client, kitchen)).json()["parts"][0]["grant"]
    assert (await camera_access(client, kitchen[0]))["may_view"] is True
    refused = await client.post(f"/api/grants/{grant['id']}/revoke", json={"reason": "x"},
                                headers=api_headers(client))
    assert refused.status_code == 403
    await sign_in(client, "approver01")
    listed = (await client.get("/api/grants", params={"role": "approver"},
                               headers=api_headers(client))).json()
    assert [g["id"] for g in listed] == [grant["id"]]
    blank = await client.post(f"/api/grants/{grant['id']}/revoke", json={"reason": "  "},
                              headers=api_headers(client))
    assert blank.status_code == 422 and "reason" in blank.json()["message"]
    revoked = await client.post(f"/api/grants/{grant['id']}/revoke",
                                json={"reason": "检查结束"}, headers=api_headers(client))
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["state"] == "revoked" and revoked.json()["revoke_reason"] == "检查结束"
    twice = await client.post(f"/api/grants/{grant['id']}/revoke", json={"reason": "再次"},
                              headers=api_headers(client))
    assert twice.status_code == 409 and twice.json()["error"] == "sharing.grant_revoked"
    await sign_in(client, "police01")
    assert (await camera_access(client, kitchen[0]))["access"] == "request"
    kinds = [n["kind"] for n in
             (await client.get("/api/share-notices", headers=api_headers(client))).json()]
    assert kinds == ["revoked"]
    assert "grant.revoke" in await actions(db)


async def test_a_grant_starts_on_time(client: AsyncTestClient) -> None:
    kitchen = cameras_for("24", ShareAttr.UNCONDITIONAL)
    await sign_in(client, "police01")
    later = datetime.now(UTC) + timedelta(hours=1)
    grant = (await ask(client, kitchen, starts_at=later.isoformat(),
                       **window(hours=3))).json()["parts"][0]["grant"]
    assert grant["state"] == "scheduled"
    assert (await camera_access(client, kitchen[0]))["access"] == "request"


async def test_bad_input_names_the_field_in_the_users_language(
        client: AsyncTestClient) -> None:
    kitchen = cameras_for("24", ShareAttr.CONDITIONAL)
    lufeng = cameras_for("24", ShareAttr.CONDITIONAL, region="441581")
    await sign_in(client, "police01")
    unknown = await ask(client, ["44150200001319999999"])
    assert unknown.status_code == 422
    assert unknown.json()["message"] == "device_ids：资源目录中没有摄像机 44150200001319999999"
    outside = await ask(client, lufeng)
    assert outside.status_code == 422 and outside.json()["error"] == "sharing.invalid.out_of_scope"
    too_long = await ask(client, kitchen, **window(hours=24 * 31))
    assert too_long.status_code == 422
    assert too_long.json()["message"] == "ends_at：申请时长最多 30 天"
    past = await ask(client, kitchen, **window(hours=-1))
    assert past.status_code == 422 and "ends_at" in past.json()["message"]
    blank = await ask(client, kitchen, purpose="   ")
    assert blank.status_code == 422 and "purpose" in blank.json()["message"]
    clip = await ask(client, kitchen, [5])
    assert clip.status_code == 400 and "permissions" in clip.json()["message"]
    naive = await ask(client, kitchen, ends_at="2026-12-31T10:00:00")
    assert naive.status_code == 400 and "ends_at" in naive.json()["message"]
    client.cookies.set("lang", "en")
    english = await ask(client, kitchen, **window(hours=24 * 31))
    assert english.json()["message"] == "ends_at: at most 30 days may be asked for"
    own = cameras_for("06", ShareAttr.CONDITIONAL)
    allowed = await ask(client, own, [1])
    assert allowed.status_code == 422 and allowed.json()["error"] == "sharing.invalid.already_allowed"
