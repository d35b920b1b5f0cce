"""Benchmark: one alert to 1,000 phones (issue 10: ingest → last delivery ≤ 2 s).

Starts the real app (`bff serve`, embedded default) and a Web Push receiver on 127.0.0.1
in this process (tests/push_receiver.py: it verifies each request's VAPID JWT and
decrypts every payload, as a push service and a phone would). Signs in as water01 and
subscribes 1,000 devices through the API, then posts one signed flooding alert (routed
to 水务 and 应急) exactly as the analysis platform does, and measures the time from
sending the ingest request to the moment the receiver has decrypted the 1,000th push.
A first alert warms the app up (connections to the push service, the VAPID token); the
second is measured (both are printed).

Then ingest throughput: a burst of signed alerts posted 16 at a time, routed to users
without devices (smuggling_intrusion → 公安), so it measures the ingest path (signature,
validation, routing, one transaction with the outbox row) with the delivery worker
running beside it.

Run: .venv/bin/python bench/push.py [--subscribers 1000] [--burst 300]
The last line is machine-readable:
  push: subscribers=1000 seconds=… per_s=…
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.app_process import AppProcess, sign_in  # noqa: E402
from bff.alerts.sender import event_body, signed_headers  # noqa: E402
from bff.demo.catalogue import generate_demo_catalogue  # noqa: E402
from tests.push_receiver import PushReceiver  # noqa: E402

CAMERAS = 2_000
PASSWORD = "Bench@2026"
SOURCE = "bench"
SECRET = "bench-alert-secret-0123456789-abcdefghijkl"
BURST_IN_FLIGHT = 16


def chengqu_camera() -> str:
    """A conforming camera in 城区 (441502), inside water01's and police01's regions."""
    for record in generate_demo_catalogue(CAMERAS):
        if record.civil_code == "441502" and not record.code_flags:
            return record.device_id
    raise RuntimeError("no 城区 camera in the catalogue")


async def post_alert(client, alert_type: str, device_id: str) -> int:  # noqa: ANN001
    body = event_body(alert_type, device_id)
    reply = await client.post("/api/alerts/events", content=body,
                              headers=signed_headers(SOURCE, SECRET, body))
    if reply.status_code != 202:
        raise RuntimeError(f"ingest refused: {reply.status_code} {reply.text}")
    return reply.json()["alert_id"]


async def subscribe_devices(client, receiver: PushReceiver, count: int) -> None:  # noqa: ANN001
    csrf = client.cookies.get("csrftoken", "")
    headers = {"x-csrftoken": csrf, "accept": "application/json",
               "user-agent": "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile"}
    semaphore = asyncio.Semaphore(16)

    async def one() -> None:
        async with semaphore:
            reply = await client.post("/api/push/subscriptions", json=receiver.subscribe(),
                                      headers=headers)
            if reply.status_code != 201:
                raise RuntimeError(f"subscribe refused: {reply.status_code} {reply.text}")

    await asyncio.gather(*(one() for _ in range(count)))


async def one_alert(client, receiver: PushReceiver, device_id: str,  # noqa: ANN001
                    subscribers: int) -> tuple[int, float, str]:
    """(alert id, seconds from the ingest request to the last decrypted push, the
    stages: ingest answered, first and last push, in seconds from the request)."""
    before = len(receiver.received)
    started = time.monotonic()
    alert_id = await post_alert(client, "flooding", device_id)
    answered = time.monotonic() - started
    if not await asyncio.to_thread(receiver.wait_for, before + subscribers, 60.0):
        raise RuntimeError(f"only {len(receiver.received) - before} of {subscribers} "
                           f"pushes arrived; refused: {receiver.refused[:3]}")
    pushes = [p for p in receiver.received[before:] if p.payload["alert_id"] == alert_id]
    if len(pushes) != subscribers:
        raise RuntimeError(f"{len(pushes)} pushes for alert {alert_id}, not {subscribers}")
    first, last = min(p.at for p in pushes) - started, max(p.at for p in pushes) - started
    return alert_id, last, (f"ingest answered {answered:.3f} s, first push {first:.3f} s, "
                            f"last push {last:.3f} s")


async def burst(client, device_id: str, count: int) -> float:  # noqa: ANN001
    """Alerts per second over a burst of `count` signed ingests, 16 in flight."""
    semaphore = asyncio.Semaphore(BURST_IN_FLIGHT)

    async def one() -> None:
        async with semaphore:
            await post_alert(client, "smuggling_intrusion", device_id)

    started = time.monotonic()
    await asyncio.gather(*(one() for _ in range(count)))
    return count / (time.monotonic() - started)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--burst", type=int, default=300)
    args = parser.parse_args()

    import httpx

    workdir = Path(tempfile.mkdtemp(prefix="bench-push-"))
    with PushReceiver() as receiver:
        app = AppProcess({
            "BFF_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}",
            "BFF_DEMO_CAMERAS": str(CAMERAS), "BFF_DEMO_PASSWORD": PASSWORD,
            "BFF_REDIS_URL": "", "BFF_ALERT_SOURCES": json.dumps({SOURCE: SECRET}),
            "BFF_ALERT_RATE": "1000000", "BFF_PUSH_HOSTS": "127.0.0.1",
            "BFF_PUSH_ALLOW_HTTP": "true",
            "BFF_PUSH_MAX_DEVICES": str(args.subscribers)})
        try:
            if not await app.healthy(120):
                raise RuntimeError("bff serve did not start")
            device_id = chengqu_camera()
            async with httpx.AsyncClient(base_url=app.base_url, timeout=30) as client:
                await sign_in(client, "water01", PASSWORD)
                await subscribe_devices(client, receiver, args.subscribers)
                print(f"subscribed {args.subscribers} devices of water01 on the receiver")
                _, cold, stages = await one_alert(client, receiver, device_id,
                                                  args.subscribers)
                print(f"first alert (cold): {stages}")
                _, warm, stages = await one_alert(client, receiver, device_id,
                                                  args.subscribers)
                print(f"measured alert: {stages} (target ≤ 2 s for the last)")
                if receiver.refused:
                    raise RuntimeError(f"receiver refused requests: {receiver.refused[:3]}")
                per_s = await burst(client, device_id, args.burst)
                print(f"ingest burst: {args.burst} signed alerts, {BURST_IN_FLIGHT} in flight, "
                      f"{per_s:.1f} alerts/s")
        finally:
            app.stop()
    print(f"push: subscribers={args.subscribers} seconds={warm:.3f} per_s={per_s:.1f}")


if __name__ == "__main__":
    asyncio.run(main())
