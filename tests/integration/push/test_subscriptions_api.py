"""Subscribing devices over HTTP: the browser's PushSubscription JSON in, only push
services on the allow-list, only over https (http for the local test receiver only when
the setting allows it), one row per endpoint, my devices only."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from bff.push.endpoints import endpoint_problem, host_allowed
from bff.push.schemas import PushKey
from tests.helpers import api_headers, sign_in
from tests.integration.push.conftest import subscribe
from tests.push_receiver import PushReceiver


def _with_endpoint(receiver: PushReceiver, endpoint: str) -> dict[str, object]:
    return {**receiver.subscribe(), "endpoint": endpoint}


async def test_key_is_a_p256_point_and_stays_the_same(client: AsyncTestClient) -> None:
    await sign_in(client, "water01")
    first = await client.get("/api/push/key")
    assert first.status_code == 200
    key = PushKey(**first.json()).public_key
    from bff.push.endpoints import b64url_decode

    assert len(b64url_decode(key)) == 65 and b64url_decode(key)[0] == 4
    assert (await client.get("/api/push/key")).json()["public_key"] == key


async def test_api_needs_a_signed_in_user(client: AsyncTestClient) -> None:
    answer = await client.get("/api/push/subscriptions", headers={"accept": "application/json"})
    assert answer.status_code == 401


async def test_subscribe_list_and_remove(client: AsyncTestClient,
                                         receiver: PushReceiver) -> None:
    await sign_in(client, "water01")
    subscription = receiver.subscribe()
    created = await subscribe(client, subscription)
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["device"] == "Chrome · Android" and item["failure_count"] == 0
    assert "endpoint" not in item  # an endpoint is a credential: never echoed

    again = await subscribe(client, subscription,
                            user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Safari/604.1")
    assert again.status_code == 201 and again.json()["id"] == item["id"]  # one row per endpoint
    listed = await client.get("/api/push/subscriptions")
    assert [d["id"] for d in listed.json()] == [item["id"]]
    assert listed.json()[0]["device"] == "Safari · iPhone"

    removed = await client.delete(f"/api/push/subscriptions/{item['id']}",
                                  headers=api_headers(client))
    assert removed.status_code == 204
    assert (await client.get("/api/push/subscriptions")).json() == []
    gone = await client.delete(f"/api/push/subscriptions/{item['id']}",
                               headers=api_headers(client))
    assert gone.status_code == 404


async def test_nobody_removes_another_users_device(client: AsyncTestClient,
                                                   receiver: PushReceiver) -> None:
    await sign_in(client, "water01")
    mine = (await subscribe(client, receiver.subscribe())).json()
    await client.post("/logout", headers=api_headers(client))
    await sign_in(client, "police01")
    assert (await client.get("/api/push/subscriptions")).json() == []
    refused = await client.delete(f"/api/push/subscriptions/{mine['id']}",
                                  headers=api_headers(client))
    assert refused.status_code == 404
    assert refused.json()["error"] == "push.not_found"


async def test_endpoints_off_the_allow_list_are_refused_in_the_users_language(
        client: AsyncTestClient, receiver: PushReceiver) -> None:
    await sign_in(client, "water01")
    cases = {
        "http://10.0.0.5/admin": "push.host_not_allowed",
        "https://169.254.169.254/latest/meta-data": "push.host_not_allowed",
        "https://fcm.googleapis.com.evil.example/send/x": "push.host_not_allowed",
        "ftp://127.0.0.1/push/x": "push.not_https",
        "https://user:pw@127.0.0.1/push/x": "push.malformed",
        "not a url": "push.malformed",
    }
    for endpoint, code in cases.items():
        answer = await subscribe(client, _with_endpoint(receiver, endpoint))
        assert answer.status_code == 422, (endpoint, answer.text)
        assert answer.json()["error"] == code, endpoint
    zh = await subscribe(client, _with_endpoint(receiver, "https://10.0.0.5/x"))
    assert zh.json()["message"] == "推送地址不属于允许的推送服务"
    en = await client.post("/api/push/subscriptions",
                           json=_with_endpoint(receiver, "https://10.0.0.5/x"),
                           headers={**api_headers(client), "accept-language": "en"})
    assert en.json()["message"] == "The push endpoint is not on an allowed push service"
    assert (await client.get("/api/push/subscriptions")).json() == []


async def test_bad_keys_and_bad_json_are_refused(client: AsyncTestClient,
                                                 receiver: PushReceiver) -> None:
    await sign_in(client, "water01")
    subscription = receiver.subscribe()
    bad_point = {**subscription, "keys": {"p256dh": "AAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}
    answer = await subscribe(client, bad_point)
    assert answer.status_code == 422 and answer.json()["error"] == "push.bad_keys"
    missing = await subscribe(client, {"endpoint": subscription["endpoint"]})
    assert missing.status_code == 400
    unknown_field = await subscribe(client, {**subscription, "extra": 1})
    assert unknown_field.status_code == 400


def test_allow_list_matching() -> None:
    vendors = ["fcm.googleapis.com", "*.notify.windows.com", "*.push.apple.com"]
    assert host_allowed("fcm.googleapis.com", vendors)
    assert host_allowed("wns2-by3p.notify.windows.com", vendors)
    assert host_allowed("api.push.apple.com", vendors)
    assert not host_allowed("notify.windows.com", vendors)  # the suffix itself is not a host
    assert not host_allowed("evilnotify.windows.com", vendors)
    assert not host_allowed("fcm.googleapis.com.evil.example", vendors)
    assert endpoint_problem("https://fcm.googleapis.com/fcm/send/abc", vendors,
                            allow_http=False) is None
    assert endpoint_problem("http://fcm.googleapis.com/fcm/send/abc", vendors,
                            allow_http=False) == "not_https"
    assert endpoint_problem("https://FCM.googleapis.com./x", vendors, allow_http=False) is None


async def test_http_needs_the_test_setting(client: AsyncTestClient, receiver: PushReceiver,
                                           app) -> None:
    app.state.services.settings.push.allow_http = False
    await sign_in(client, "water01")
    answer = await subscribe(client, receiver.subscribe())
    assert answer.status_code == 422 and answer.json()["error"] == "push.not_https"


async def test_a_user_keeps_at_most_the_newest_devices(client: AsyncTestClient,
                                                       receiver: PushReceiver, app) -> None:
    app.state.services.settings.push.max_devices_per_user = 2
    await sign_in(client, "water01")
    ids = [(await subscribe(client, receiver.subscribe())).json()["id"] for _ in range(3)]
    listed = await client.get("/api/push/subscriptions")
    assert [d["id"] for d in listed.json()] == [ids[2], ids[1]]
