"""The inbox pages: recipients only, filters, reading marks, actions from the page with
their outcome in Chinese, and the unread badge."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.helpers import sign_in
from tests.integration.alerts.conftest import (
    chengqu_camera,
    event,
    jpeg_bytes,
    post_event,
    with_snapshot,
)

HTMX = {"hx-request": "true"}


async def ingest(client: AsyncTestClient, event_id: str, **fields: object) -> int:
    answer = await post_event(client, event(event_id, **fields))
    assert answer.status_code == 202, answer.text
    return answer.json()["alert_id"]


def form(client: AsyncTestClient, **fields: str) -> dict[str, str]:
    return {"_csrf_token": client.cookies.get("csrftoken", ""), **fields}


async def test_inbox_lists_own_alerts_with_filters(client: AsyncTestClient) -> None:
    flood = await ingest(client, "p-f1", occurred_at="2026-12-04T08:00:00+08:00")
    fire = await ingest(client, "p-f2", type="forest_fire",
                        occurred_at="2026-12-04T09:00:00+08:00")
    await sign_in(client, "water01")
    page = await client.get("/alerts")
    assert page.status_code == 200
    assert "预警收件箱" in page.text and f'data-alert-id="{flood}"' in page.text
    assert f'data-alert-id="{fire}"' not in page.text  # forest fire goes to 21 应急
    assert '<span class="name"><span class="dot" title="未读"></span>易涝点积水' in page.text
    assert 'data-testid="alert-state">待确认' in page.text
    assert "2026-12-04 08:00:00" in page.text  # city time
    assert 'sse-connect="/alerts/stream"' in page.text

    fragment = await client.get("/alerts?state=new&type=flooding", headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert f'data-alert-id="{flood}"' in fragment.text
    none = await client.get("/alerts?state=resolved", headers=HTMX)
    assert 'data-testid="empty"' in none.text and "暂无预警" in none.text
    english = await client.get("/alerts?type=forest_fire", headers={**HTMX,
                                                                    "accept-language": "en"})
    assert "No alerts" in english.text
    bad = await client.get("/alerts?state=lost")
    assert bad.status_code == 400 and "state" in bad.text


async def test_detail_only_for_recipients(client: AsyncTestClient) -> None:
    answer = await post_event(client, with_snapshot(event("p-snap"), jpeg_bytes()))
    alert_id = answer.json()["alert_id"]
    await sign_in(client, "police01")
    refused = await client.get(f"/alerts/{alert_id}")
    assert refused.status_code == 404 and "没有该预警" in refused.text
    refused_act = await client.post(f"/alerts/{alert_id}/acknowledge", data=form(client))
    assert refused_act.status_code == 404
    client.cookies.clear()

    await sign_in(client, "water01")
    assert "unread-count" in (await client.get("/alerts/unread")).text
    page = await client.get(f"/alerts/{alert_id}")
    assert page.status_code == 200
    assert "易涝点积水" in page.text and "积水深度约 30 厘米" in page.text
    assert f'src="/api/alerts/{alert_id}/snapshot"' in page.text
    assert "91%" in page.text and 'id="alert-distance"' in page.text
    assert chengqu_camera() in page.text or "data-lat" in page.text
    # Opening it marked it read.
    assert "unread-count" not in (await client.get("/alerts/unread")).text
    # water01 (15 水务) may or may not watch this camera: exactly one of the two links.
    assert ('data-testid="watch-live"' in page.text) != (
        f'href="/access/request?device_ids={chengqu_camera()}"' in page.text)


async def test_acknowledge_and_resolve_from_the_page(client: AsyncTestClient) -> None:
    alert_id = await ingest(client, "p-act")
    await sign_in(client, "water01")
    offered = await client.get(f"/alerts/{alert_id}?action=acknowledge")
    assert offered.status_code == 200 and "autofocus" in offered.text
    assert 'data-testid="detail-state">待确认' in offered.text  # a GET never acts

    acknowledged = await client.post(f"/alerts/{alert_id}/acknowledge", data=form(client),
                                     headers=HTMX)
    assert acknowledged.status_code == 200
    assert 'data-testid="detail-state">已确认' in acknowledged.text
    assert 'hx-swap-oob="true"' in acknowledged.text and "完成后填写处置情况" in acknowledged.text
    assert "黄海涛" in acknowledged.text

    again = await client.post(f"/alerts/{alert_id}/acknowledge", data=form(client),
                              headers=HTMX)
    assert again.status_code == 409 and "该预警已被确认" in again.text

    empty = await client.post(f"/alerts/{alert_id}/resolve", data=form(client, note="  "),
                              headers=HTMX)
    assert empty.status_code == 422 and "请填写处置情况" in empty.text
    long = await client.post(f"/alerts/{alert_id}/resolve", data=form(client, note="x" * 501),
                             headers=HTMX)
    assert long.status_code == 422 and "最多 500 个字" in long.text

    resolved = await client.post(f"/alerts/{alert_id}/resolve",
                                 data=form(client, note="已排水，现场恢复"))
    assert resolved.status_code == 200 and "<html" in resolved.text  # plain form: whole page
    assert 'data-testid="detail-state">处置完成' in resolved.text
    assert "已排水，现场恢复" in resolved.text and "该预警已关闭" in resolved.text
    assert 'data-testid="resolve"' not in resolved.text

    no_csrf = await client.post(f"/alerts/{alert_id}/acknowledge", data={})
    assert no_csrf.status_code == 403


async def test_badge_counts_unread(client: AsyncTestClient) -> None:
    await sign_in(client, "water01")
    assert "unread-count" not in (await client.get("/alerts/unread")).text
    first = await ingest(client, "p-b1")
    await ingest(client, "p-b2")
    badge = await client.get("/alerts/unread")
    assert 'data-testid="unread-count"' in badge.text and ">2<" in badge.text
    await client.get(f"/alerts/{first}")
    assert ">1<" in (await client.get("/alerts/unread")).text
    page = await client.get("/")
    assert 'hx-get="/alerts/unread"' in page.text


async def test_signed_out_pages_go_to_sign_in(client: AsyncTestClient) -> None:
    answer = await client.get("/alerts", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
