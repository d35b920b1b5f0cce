"""(d) Tap → first frame: the time from creating the offer to the first decoded frame,
p50/p95 over N trials with a warm source (the first trial warms it up and is not counted).

Against the real app over HTTP (`bff serve`, sign-in form, POST /api/cameras/{id}/live)
when it can be started, otherwise through PeerRegistry in this process (the output says
which).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

from bench.app_process import AppProcess, sign_in

from .common import DEVICE_ID, bench_relay, bench_settings, viewer

PASSWORD = "Bench@2026"


async def _first_frame(pc, opened: Callable[[str], Awaitable[dict]]) -> float:  # noqa: ANN001
    """Offer, let `opened(sdp)` return the answer, wait for the first decoded frame."""
    from aiortc import RTCSessionDescription

    got: asyncio.Future = asyncio.get_running_loop().create_future()

    @pc.on("track")
    def on_track(track) -> None:  # noqa: ANN001
        async def read() -> None:
            with contextlib.suppress(Exception):
                await track.recv()
                if not got.done():
                    got.set_result(time.monotonic())
        asyncio.ensure_future(read())

    start = time.monotonic()
    pc.addTransceiver("video", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    answer = await opened(pc.localDescription.sdp)
    await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))
    return await asyncio.wait_for(got, timeout=20) - start


async def ttff_over_http(trials: int) -> list[float] | None:
    """Against `bff serve` on the embedded default; None if the app cannot be started."""
    import httpx
    from aiortc import RTCConfiguration, RTCPeerConnection

    try:
        import bff.app  # noqa: F401 - the app is being built alongside; it may be missing
    except ImportError:
        return None
    app = AppProcess({"BFF_DEMO_CAMERAS": "2000", "BFF_DEMO_PASSWORD": PASSWORD,
                      "BFF_ICE_HOST_ADDRESSES": "127.0.0.1", "BFF_ICE_SERVERS": "[]",
                      "BFF_MAX_STREAMS_PER_USER": "1000"})
    try:
        if not await app.healthy(timeout_s=60):  # the first start migrates and seeds
            return None
        async with httpx.AsyncClient(base_url=app.base_url, timeout=10) as client:
            try:
                await sign_in(client, "police01", PASSWORD)
            except RuntimeError:
                return None
            headers = {"x-csrftoken": client.cookies.get("csrftoken", ""),
                       "accept": "application/json"}
            nearby = await client.get("/api/cameras/nearby", headers=headers,
                                      params={"lat": 22.7862, "lon": 115.3650, "limit": 200})
            if nearby.status_code != 200:
                return None
            device = next((c["device_id"] for c in nearby.json()
                           if c.get("access") == "may_view" and c.get("online")), None)
            if device is None:
                return None

            async def opened(sdp: str) -> dict:
                reply = await client.post(f"/api/cameras/{device}/live", headers=headers,
                                          json={"sdp": sdp, "type": "offer"})
                reply.raise_for_status()
                answer = reply.json()
                sessions.append(answer["session_id"])
                return answer

            times = []
            for trial in range(trials + 1):  # the first trial warms the source up
                sessions: list[str] = []
                pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
                try:
                    elapsed = await _first_frame(pc, opened)
                finally:
                    await pc.close()
                    for session_id in sessions:
                        await client.delete(f"/api/streams/{session_id}", headers=headers)
                if trial:
                    times.append(elapsed)
            return times
    except (httpx.HTTPError, asyncio.TimeoutError, KeyError):
        return None
    finally:
        app.stop(timeout_s=10)


async def ttff_in_process(trials: int) -> list[float]:
    """Through PeerRegistry in this process (signalling without HTTP)."""
    from aiortc import RTCConfiguration, RTCPeerConnection

    settings = bench_settings()
    hub, registry = bench_relay(settings)
    times = []
    try:
        for trial in range(trials + 1):  # the first trial warms the source up
            pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            sessions = []

            async def opened(sdp: str) -> dict:
                session = await registry.open(viewer(trial), DEVICE_ID, sdp, "offer")
                sessions.append(session)
                return {"sdp": session.answer_sdp, "type": session.answer_type}

            try:
                elapsed = await _first_frame(pc, opened)
            finally:
                await pc.close()
                for session in sessions:
                    await registry.close(session.id, session.viewer.user_id)
            if trial:
                times.append(elapsed)
    finally:
        await registry.close_all()
        await hub.close()
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def measure_first_frame(trials: int, in_process: bool) -> tuple[float, float]:
    """Measure and print tap → first frame; returns its p50 and p95 in seconds."""
    times = None if in_process else asyncio.run(ttff_over_http(trials))
    how = "over HTTP against bff serve (sign-in, POST /api/cameras/{id}/live)"
    if times is None:
        # The app could not be started: signalling goes straight to PeerRegistry.
        times = asyncio.run(ttff_in_process(trials))
        how = "in-process through PeerRegistry (the app could not be started)"
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    print(f"(d) offer -> first decoded frame, {len(times)} trials with a warm source, {how}: "
          f"p50 {p50:.3f}s p95 {p95:.3f}s")
    return p50, p95
