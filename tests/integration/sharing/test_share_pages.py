"""The sharing pages as a phone gets them: ask for access, the approver's inbox and
decision, my access, the grants list with revoke, and the badge."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from bff.lib.vocabulary import ShareAttr
from tests.helpers import api_headers, sign_in
from tests.integration.sharing.conftest import ask, cameras_for

HTMX = {"hx-request": "true"}


def form_headers(client: AsyncTestClient) -> dict[str, str]:
    return {"x-csrftoken": client.cookies.get("csrftoken", ""), **HTMX}


async def test_ask_page_to_approval_to_my_access(client: AsyncTestClient) -> None:
    kitchen = cameras_for("24", ShareAttr.CONDITIONAL)
    await sign_in(client, "police01")
    page = await client.get("/access/request", params={"device_ids": kitchen[0]})
    assert page.status_code == 200
    assert 'name="device_ids" value="' + kitchen[0] + '"' in page.text
    assert "2 小时" in page.text and "今天内" in page.text and "7 天" in page.text
    sent = await client.post("/access/request", data={
        "device_ids": kitchen[0], "permissions": ["1", "2"], "preset": "today",
        "purpose": "食品安全专项检查", "case_no": "JQ-88"}, headers=form_headers(client))
    assert sent.status_code == 200, sent.text
    assert 'data-testid="request-result"' in sent.text and "待审批" in sent.text
    request_id = int(re.search(r"申请 #(\d+) 已提交", sent.text).group(1))
    blank = await client.post("/access/request", data={
        "device_ids": kitchen[0], "permissions": "1", "preset": "2h", "purpose": " "},
        headers=form_headers(client))
    assert blank.status_code == 422 and "请填写申请事由" in blank.text

    await sign_in(client, "approver01")
    badge = await client.get("/access/badge", headers=HTMX)
    assert 'data-testid="share-badge-count">2<' in badge.text  # one part + one notice
    inbox = await client.get("/approvals")
    assert "陈志强 · 公安部门 · J441502017" in inbox.text and "食品安全专项检查" in inbox.text
    assert f'data-request-id="{request_id}"' in inbox.text
    decided = await client.post(f"/approvals/{request_id}", data={
        "decision": "approve", "narrow": "1", "device_ids": kitchen[0], "permissions": "1",
        "hours": "3"}, headers=form_headers(client))
    assert decided.status_code == 200, decided.text
    assert 'data-state="approved"' in decided.text
    again = await client.post(f"/approvals/{request_id}", data={"decision": "reject",
                                                                "reason": "晚了"},
                              headers=form_headers(client))
    assert again.status_code == 409 and "郑国栋" in again.text

    await sign_in(client, "police01")
    mine = await client.get("/access")
    assert 'data-testid="my-grants"' in mine.text and 'data-state="active"' in mine.text
    assert "您的共享申请 #" in mine.text
    camera = (await client.get(f"/api/cameras/{kitchen[0]}", headers=api_headers(client))).json()
    assert camera["permissions"] == [1]


async def test_grants_page_revokes(client: AsyncTestClient) -> None:
    kitchen = cameras_for("24", ShareAttr.UNCONDITIONAL)
    await sign_in(client, "police01")
    grant = (await ask(client, kitchen)).json()["parts"][0]["grant"]
    nearby = await client.get("/access/request", params={"device_ids": ",".join(kitchen)})
    assert nearby.status_code == 200
    await sign_in(client, "approver01")
    page = await client.get("/grants")
    assert f'data-grant-id="{grant["id"]}"' in page.text and 'data-testid="revoke"' in page.text
    revoked = await client.post(f"/grants/{grant['id']}/revoke", data={"reason": "检查结束"},
                                headers=form_headers(client))
    assert revoked.status_code == 200 and 'data-state="revoked"' in revoked.text
    assert "检查结束" in revoked.text


async def test_request_needed_badge_links_to_the_ask_page(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")
    listing = await client.get("/nearby/list", params={"lat": 22.7862, "lon": 115.3650,
                                                       "limit": 50}, headers=HTMX)
    assert listing.status_code == 200
    assert 'action="/access/request"' in listing.text
    assert 'data-testid="request-access"' in listing.text
    assert 'data-testid="request-all"' in listing.text
    officer = await client.get("/approvals")
    assert officer.status_code == 403


async def test_the_api_is_in_the_openapi_schema(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")  # the description is for signed-in users
    schema = (await client.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    assert {"post"} <= set(paths["/api/share-requests"])
    assert "post" in paths["/api/share-requests/{request_id}/decision"]
    assert "post" in paths["/api/grants/{grant_id}/revoke"]
    assert "get" in paths["/api/grants"] and "get" in paths["/api/streams/{session_id}"]
    ask_body = schema["components"]["schemas"]["ShareRequestCreate"]
    assert {"device_ids", "permissions", "ends_at", "purpose"} <= set(ask_body["required"])
