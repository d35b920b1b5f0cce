"""Routing administration over HTTP (admins only): every type with its departments, a
route changed takes effect at the next ingest, new types are accepted by the ingest at
once, bad input answers 4xx in the user's language, and every change is audited."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from bff.alerts.admin import AlertAdminService
from bff.alerts.models import AddedAlertType, AlertRecipient
from bff.alerts.types import AlertTypes
from bff.audit.models import AuditEvent
from bff.audit.services import AuditLog
from bff.auth.models import User
from bff.lib.db import Database
from tests.helpers import api_headers, sign_in
from tests.integration.alerts.conftest import event, post_event

CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def recipient_names(db: Database, alert_id: int) -> set[str]:
    async with db.sessions() as session:
        return set((await session.scalars(
            select(User.username).join(AlertRecipient, AlertRecipient.user_id == User.id)
            .where(AlertRecipient.alert_id == alert_id))).all())


async def test_only_administrators_see_or_change_routes(client: AsyncTestClient) -> None:
    await sign_in(client, "water01")
    assert (await client.get("/admin/alert-routes")).status_code == 403
    listed = await client.get("/api/admin/alert-routes")
    assert listed.status_code == 403
    refused = await client.put("/api/admin/alert-routes/flooding", json={"dept_codes": ["15"]},
                               headers=api_headers(client))
    assert refused.status_code == 403


async def test_routes_listed_and_changed_take_effect_and_are_audited(
        client: AsyncTestClient, db: Database) -> None:
    await sign_in(client, "admin")
    headers = api_headers(client)
    routes = (await client.get("/api/admin/alert-routes")).json()
    by_type = {route["type"]: route for route in routes}
    assert [route["type"] for route in routes][:7] == [
        "flooding", "kitchen_no_hat", "kitchen_rodent", "kitchen_garbage", "forest_fire",
        "smuggling_intrusion", "camera_offline"]
    assert by_type["flooding"]["dept_codes"] == ["15", "21"]
    assert by_type["flooding"]["label"] == "易涝点积水" and by_type["flooding"]["builtin"]
    assert by_type["camera_offline"]["to_owner"] is True

    changed = await client.put("/api/admin/alert-routes/flooding", headers=headers,
                               json={"dept_codes": ["06", "15"], "to_owner": False,
                                     "required_dept_codes": ["15"]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["dept_codes"] == ["06", "15"]
    assert changed.json()["required_dept_codes"] == ["15"]

    stored = await post_event(client, event("after-route-change"))
    assert stored.status_code == 202, stored.text
    assert await recipient_names(db, stored.json()["alert_id"]) == {
        "police01", "water01", "approver02", "approver03"}  # 06 and 15, approvers included

    async with db.sessions() as session:
        audited = (await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "alert.route_update"))).all()
    assert len(audited) == 1
    assert audited[0].actor == "admin" and audited[0].target == "alert_type:flooding"
    assert audited[0].detail["before"]["dept_codes"] == ["15", "21"]
    assert audited[0].detail["after"]["required_dept_codes"] == ["15"]


async def test_bad_routes_refused_in_the_users_language(client: AsyncTestClient) -> None:
    await sign_in(client, "admin")
    headers = {**api_headers(client), "accept-language": "en"}
    unknown_type = await client.put("/api/admin/alert-routes/volcano", headers=headers,
                                    json={"dept_codes": ["15"]})
    assert unknown_type.status_code == 404
    assert unknown_type.json()["error"] == "alerts.type_unknown"
    assert "volcano" in unknown_type.json()["message"]

    unknown_dept = await client.put("/api/admin/alert-routes/flooding", headers=headers,
                                    json={"dept_codes": ["15", "77"]})
    assert unknown_dept.status_code == 422
    assert unknown_dept.json()["error"] == "alerts.unknown_departments"
    assert "77" in unknown_dept.json()["message"]

    not_routed = await client.put("/api/admin/alert-routes/flooding",
                                  headers=api_headers(client),
                                  json={"dept_codes": ["15"], "required_dept_codes": ["21"]})
    assert not_routed.status_code == 422
    assert not_routed.json()["error"] == "alerts.required_not_routed"
    assert "必收" in not_routed.json()["message"]

    malformed = await client.put("/api/admin/alert-routes/flooding", headers=headers,
                                 json={"dept_codes": ["15"], "extra": 1})
    assert malformed.status_code == 400 and "extra" in malformed.json()["message"]


async def test_a_new_type_is_routed_ingested_and_audited(client: AsyncTestClient,
                                                         db: Database) -> None:
    before = await post_event(client, event("cold-1", type="coldstore_door"))
    assert before.status_code == 422 and before.json()["error"] == "alerts.invalid"
    assert "type" in before.json()["message"]

    await sign_in(client, "admin")
    headers = api_headers(client)
    added = await client.post("/api/admin/alert-types", headers=headers, json={
        "code": "coldstore_door", "label_zh": "冷库门未关", "label_en": "Cold store door open",
        "urgency": "high", "ttl_s": 1800, "dept_codes": ["24"]})
    assert added.status_code == 201, added.text
    assert added.json() == {"type": "coldstore_door", "label": "冷库门未关", "builtin": False,
                            "urgency": "high", "ttl_s": 1800, "dept_codes": ["24"],
                            "to_owner": False, "required_dept_codes": []}

    again = await client.post("/api/admin/alert-types", headers=headers, json={
        "code": "coldstore_door", "label_zh": "重复", "label_en": "Again"})
    assert again.status_code == 409 and again.json()["error"] == "alerts.type_exists"
    builtin = await client.post("/api/admin/alert-types", headers=headers, json={
        "code": "flooding", "label_zh": "重复", "label_en": "Again"})
    assert builtin.status_code == 409
    bad_code = await client.post("/api/admin/alert-types",
                                 headers={**headers, "accept-language": "en"},
                                 json={"code": "Cold Store", "label_zh": "x", "label_en": "x"})
    assert bad_code.status_code == 400 and "code" in bad_code.json()["message"]

    stored = await post_event(client, event("cold-1", type="coldstore_door"))
    assert stored.status_code == 202, stored.text
    assert await recipient_names(db, stored.json()["alert_id"]) == {"market01", "approver01"}
    english = await client.get("/api/admin/alert-routes", headers={"accept-language": "en"})
    assert {r["type"]: r["label"] for r in english.json()}["coldstore_door"] == \
        "Cold store door open"
    filtered = await client.get("/api/alerts?type=coldstore_door")
    assert filtered.status_code == 200

    async with db.sessions() as session:
        row = await session.get(AddedAlertType, "coldstore_door")
        audited = (await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "alert.type_add"))).all()
    assert row is not None and row.urgency == "high" and row.created_by is not None
    assert len(audited) == 1 and audited[0].detail["label_zh"] == "冷库门未关"


async def test_another_process_learns_an_added_type_when_it_reloads(
        client: AsyncTestClient, db: Database) -> None:
    elsewhere = AlertTypes()
    other_process = AlertAdminService(db, elsewhere, AuditLog(db))
    await other_process.load_types()
    assert "drone_sighting" not in elsewhere

    await sign_in(client, "admin")
    added = await client.post("/api/admin/alert-types", headers=api_headers(client), json={
        "code": "drone_sighting", "label_zh": "无人机闯入", "label_en": "Drone sighting",
        "dept_codes": ["06"]})
    assert added.status_code == 201, added.text
    await other_process.load_types()
    assert "drone_sighting" in elsewhere
    assert elsewhere.label("drone_sighting", "en") == "Drone sighting"


async def test_the_page_lists_types_and_saves_a_form(client: AsyncTestClient,
                                                     db: Database) -> None:
    await sign_in(client, "admin")
    page = await client.get("/admin/alert-routes")
    assert page.status_code == 200
    assert "预警分发规则" in page.text and "易涝点积水" in page.text
    assert 'value="15"' in page.text and "水务部门" in page.text
    token = CSRF_INPUT.search(page.text).group(1)

    saved = await client.post("/admin/alert-routes/forest_fire", headers={"hx-request": "true"},
                              data={"_csrf_token": token, "dept_codes": ["21", "30"],
                                    "required_dept_codes": ["30"]})
    assert saved.status_code == 200, saved.text
    assert 'data-testid="routes-saved"' in saved.text and "<html" not in saved.text
    routes = {r["type"]: r for r in (await client.get("/api/admin/alert-routes")).json()}
    assert routes["forest_fire"]["dept_codes"] == ["21", "30"]
    assert routes["forest_fire"]["required_dept_codes"] == ["30"]

    created = await client.post("/admin/alert-types", data={
        "_csrf_token": token, "code": "bridge_crack", "label_zh": "桥梁裂缝",
        "label_en": "Bridge crack", "urgency": "low", "ttl_s": "7200", "dept_codes": ["13"]})
    assert created.status_code == 200, created.text
    assert "桥梁裂缝" in created.text
    bad = await client.post("/admin/alert-types",
                            headers={"accept-language": "en", "hx-request": "true"},
                            data={"_csrf_token": token, "code": "x", "label_zh": "短",
                                  "label_en": "Short", "dept_codes": ["13"]})
    # Refused inside the form, which stays open with what was typed; the list stays whole.
    assert bad.status_code == 422 and 'data-testid="error-message"' in bad.text
    assert "Invalid setting" in bad.text and "code" in bad.text
    assert 'value="短"' in bad.text and "Flooding" in bad.text
    assert re.search(r'data-testid="add-type" open', bad.text)
    required_alone = await client.post("/admin/alert-routes/flooding",
                                       headers={"hx-request": "true"},
                                       data={"_csrf_token": token, "dept_codes": ["15"],
                                             "required_dept_codes": ["21"]})
    assert required_alone.status_code == 422 and "必收" in required_alone.text
    assert re.search(r'data-type="flooding" open', required_alone.text)
