"""Playback over HTTP signalling against the demo platform, with a real aiortc peer as
the phone: the recorded time is read back from the demo picture's recorded-time strip
and the send time from its timestamp strip (no timing of the test itself)."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from bff.audit.models import AuditEvent
from tests.helpers import api_headers, sealed_audit, sign_in
from tests.integration.playback.support import (
    CHENGQU,
    PlaybackPhone,
    camera_with,
    rate,
    yesterday_noon,
)


async def audit_rows(db) -> list[AuditEvent]:
    async with db.sessions() as session:
        return list((await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all())


def iso(moment: datetime) -> str:
    return moment.isoformat()


async def test_recordings_segments_gaps_and_time_zone(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")
    device_id = await camera_with(client, has=2)
    start = yesterday_noon() - timedelta(hours=12)
    response = await client.get(f"/api/cameras/{device_id}/recordings",
                                params={"start": iso(start), "end": iso(start + timedelta(days=1))},
                                headers=api_headers(client))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["time_zone"] == "Asia/Shanghai" and body["retention_days"] >= 1
    segments = body["segments"]
    assert segments and all(s["start"].endswith("+08:00") for s in segments)
    for earlier, later in itertools.pairwise(segments):
        assert earlier["end"] <= later["start"]
    # Hour files: a day without outage has at least 24 of them; gaps split files further.
    total = sum((datetime.fromisoformat(s["end"]) - datetime.fromisoformat(s["start"]))
                .total_seconds() for s in segments)
    assert 0 < total <= 86_400
    assert len(segments) >= 24 or total < 86_400


async def test_recordings_refusals_in_the_users_language(client: AsyncTestClient,
                                                         db) -> None:
    await sign_in(client, "police01")
    device_id = await camera_with(client, has=2)
    headers = api_headers(client)
    url = f"/api/cameras/{device_id}/recordings"
    start = yesterday_noon()
    backwards = await client.get(url, params={"start": iso(start), "end": iso(start - timedelta(hours=1))},
                                 headers=headers)
    assert backwards.status_code == 400
    assert backwards.json() == {"error": "playback.end_before_start",
                                "message": "结束时间必须晚于开始时间"}
    old = datetime.now(UTC) - timedelta(days=400)
    outside = await client.get(url, params={"start": iso(old), "end": iso(old + timedelta(hours=1))},
                               headers=headers)
    assert outside.status_code == 422 and outside.json()["error"] == "playback.outside_retention"
    assert "最早可查" in outside.json()["message"]
    future = datetime.now(UTC) + timedelta(days=1)
    ahead = await client.get(url, params={"start": iso(future), "end": iso(future + timedelta(hours=1))},
                             headers={**headers, "accept-language": "en"})
    assert ahead.status_code == 422 and ahead.json()["message"] == "That time is still to come"
    malformed = await client.get(url, params={"start": "yesterday", "end": iso(start)},
                                 headers=headers)
    assert malformed.status_code == 400

    forbidden_camera = await camera_with(client, lacks=2)
    refused = await client.get(f"/api/cameras/{forbidden_camera}/recordings",
                               params={"start": iso(start), "end": iso(start + timedelta(hours=1))},
                               headers=headers)
    assert refused.status_code == 403 and refused.json()["error"] == "playback.forbidden"
    assert "审批人授权" in refused.json()["message"]
    assert "playback.denied" in [row.action for row in await audit_rows(db)]


async def start_playback(client: AsyncTestClient, phone: PlaybackPhone, device_id: str,
                         start: datetime) -> dict:
    sdp = await phone.offer()
    response = await client.post(f"/api/cameras/{device_id}/playback",
                                 json={"sdp": sdp, "type": "offer", "start": iso(start)},
                                 headers=api_headers(client))
    assert response.status_code == 201, response.text
    answer = response.json()
    await phone.accept(answer)
    return answer


async def first_recorded(client: AsyncTestClient, device_id: str, start: datetime) -> datetime:
    """The first recorded moment at or after `start` (the demo skips gaps)."""
    body = (await client.get(f"/api/cameras/{device_id}/recordings",
                             params={"start": iso(start), "end": iso(start + timedelta(hours=3))},
                             headers=api_headers(client))).json()
    return max(start, datetime.fromisoformat(body["segments"][0]["start"]))


async def test_playback_seek_speed_pause_and_stop(client: AsyncTestClient, app: Litestar,
                                                  db, settings) -> None:
    await sign_in(client, "police01")
    device_id = await camera_with(client, has=2)
    start = yesterday_noon()
    phone = PlaybackPhone()
    platform = app.state.services.platform
    try:
        answer = await start_playback(client, phone, device_id, start)
        assert answer["codec"] == "H264" and answer["time_zone"] == "Asia/Shanghai"
        session = answer["session_id"]
        expected = (await first_recorded(client, device_id, start)).timestamp()
        shown = await phone.readings_after(5)
        assert abs(shown[0][1] - expected) <= 3, (shown[0], expected)
        control = f"/api/streams/{session}/control"

        # Seek: the picture lands at the asked recorded moment.
        target = start + timedelta(minutes=20)
        sought = await client.post(control, json={"action": "seek", "at": iso(target)},
                                   headers=api_headers(client))
        assert sought.status_code == 200, sought.text
        landed = (await first_recorded(client, device_id, target)).timestamp()
        assert abs(datetime.fromisoformat(sought.json()["recorded_at"]).timestamp() - landed) <= 1
        await phone.readings_after(3)  # frames encoded before the seek may still arrive
        after = await phone.readings_after(3)
        assert abs(after[-1][1] - landed) <= 3, (after, landed)

        # Speed 4: recorded time runs about four times as fast as the send clock.
        fast = await client.post(control, json={"action": "speed", "speed": 4},
                                 headers=api_headers(client))
        assert fast.status_code == 200 and fast.json()["speed"] == 4
        await phone.readings_after(3)
        readings = await phone.readings_after(40)  # ≥ 2.5 s of frames at 15 fps
        assert 3.0 <= rate(readings) <= 5.0, readings

        # Pause: the recorded moment holds while frames keep coming.
        paused = await client.post(control, json={"action": "pause"}, headers=api_headers(client))
        assert paused.status_code == 200 and paused.json()["paused"] is True
        await phone.readings_after(3)
        held = await phone.readings_after(20)
        assert held[0][1] == held[-1][1] and held[-1][0] - held[0][0] >= 1000

        resumed = await client.post(control, json={"action": "resume"},
                                    headers=api_headers(client))
        assert resumed.status_code == 200 and resumed.json()["paused"] is False
        bad_speed = await client.post(control, json={"action": "speed", "speed": 3},
                                      headers=api_headers(client))
        assert bad_speed.status_code == 422 and bad_speed.json()["error"] == "playback.bad_speed"
        outside = await client.post(control, json={"action": "seek",
                                                   "at": iso(start - timedelta(hours=1))},
                                    headers=api_headers(client))
        assert outside.status_code == 422
        assert platform.active_playbacks == 1

        closed = await client.delete(f"/api/streams/{session}", headers=api_headers(client))
        assert closed.status_code == 204
    finally:
        await phone.close()
    async with asyncio.timeout(10):
        while platform.active_playbacks or "playback.stop" not in [
                r.action for r in await audit_rows(db)]:
            await asyncio.sleep(0.05)
    rows = await audit_rows(db)
    by_action = {row.action: row for row in rows}
    assert "view.stop" not in by_action  # a playback's end is playback.stop, not a live view
    assert by_action["playback.start"].detail["start"].startswith(
        start.astimezone(datetime.fromisoformat(answer["start"]).tzinfo).isoformat()[:16])
    assert by_action["playback.seek"].detail["to"]
    assert by_action["playback.stop"].detail["reached"]
    assert (await sealed_audit(settings, db).verify()).intact


async def test_only_the_owner_controls_and_connection_loss_stops(
        client: AsyncTestClient, app: Litestar) -> None:
    await sign_in(client, "police01")
    device_id = await camera_with(client, has=2)
    phone = PlaybackPhone()
    platform = app.state.services.platform
    try:
        answer = await start_playback(client, phone, device_id, yesterday_noon())
        await phone.readings_after(2)
        await sign_in(client, "water01")  # the same phone, now someone else
        stolen = await client.post(f"/api/streams/{answer['session_id']}/control",
                                   json={"action": "pause"}, headers=api_headers(client))
        assert stolen.status_code == 404 and stolen.json()["error"] == "playback.not_found"
        peek = await client.get(f"/api/streams/{answer['session_id']}/playback",
                                headers=api_headers(client))
        assert peek.status_code == 404
        assert platform.active_playbacks == 1
    finally:
        await phone.close()  # the phone goes away without saying so
    async with asyncio.timeout(20):
        while platform.active_playbacks:
            await asyncio.sleep(0.1)


async def test_a_window_without_recording_names_the_nearest(client: AsyncTestClient) -> None:
    await sign_in(client, "police01")
    headers = api_headers(client)
    cameras = (await client.get("/api/cameras/nearby", params={**CHENGQU, "limit": 200},
                                headers=headers)).json()
    day_start = yesterday_noon() - timedelta(hours=12)
    for camera in cameras:
        if 2 not in camera["permissions"]:
            continue
        url = f"/api/cameras/{camera['device_id']}/recordings"
        segments = (await client.get(url, params={"start": iso(day_start),
                                                  "end": iso(day_start + timedelta(days=1))},
                                     headers=headers)).json().get("segments", [])
        for earlier, later in itertools.pairwise(segments):
            gap_start = datetime.fromisoformat(earlier["end"])
            gap_end = datetime.fromisoformat(later["start"])
            if (gap_end - gap_start).total_seconds() < 60:
                continue
            inside = await client.get(url, params={
                "start": iso(gap_start + timedelta(seconds=10)),
                "end": iso(gap_end - timedelta(seconds=10))}, headers=headers)
            assert inside.status_code == 404
            body = inside.json()
            assert body["error"] == "playback.no_recording"
            nearest = min((gap_start, gap_end),
                          key=lambda m: abs(m - gap_start - timedelta(seconds=10)))
            assert f"{nearest:%Y-%m-%d %H:%M:%S}" in body["message"], body
            return
    pytest.fail("no camera with a gap of a minute or more yesterday")


async def test_a_refused_offer_leaves_no_platform_playback(client: AsyncTestClient,
                                                          app: Litestar) -> None:
    await sign_in(client, "police01")
    device_id = await camera_with(client, has=2)
    response = await client.post(f"/api/cameras/{device_id}/playback",
                                 json={"sdp": "v=0 not really", "type": "offer",
                                       "start": iso(yesterday_noon())},
                                 headers=api_headers(client))
    assert response.status_code == 400 and response.json()["error"] == "live.invalid_offer"
    # Refused before the platform was asked for a stream at all.
    assert app.state.services.platform.active_playbacks == 0
    assert app.state.services.peer_registry.open_count == 0
