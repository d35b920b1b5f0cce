"""Benchmark: API latency under 100 concurrent phones (SPEC §6: p99 ≤ 50 ms).

Starts the real app (`bff serve`, embedded default: SQLite, in-memory stores, demo
platform) with the full 79,546-camera catalogue, pinned to one core, and drives it from
another process pinned to the other core: 100 clients, each signed in with its own
session (as a phone behind the city's reverse proxy: its own X-Forwarded-For), asking
for the cameras near a random spot in Shanwei — the htmx list fragment the app's home
page loads (70 %) or the JSON API (30 %).

Two loads, one after the other:
  field use   each client waits a random think time (exponential, mean 1 s) between
              requests — about 100 requests/s, what 100 staff scrolling the map cause;
              the SPEC's bar applies here;
  saturation  no think time: every client asks again as soon as it has its answer, so
              latency is mostly queueing; printed to show the capacity.

Run: .venv/bin/python bench/api.py [--clients 100] [--seconds 20]
The last line is machine-readable:
  api: clients=… p50_ms=… p95_ms=… p99_ms=… rps=… saturated_rps=… saturated_p99_ms=…
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.app_process import AppProcess, pin, sign_in  # noqa: E402

SERVER_CORE = 0
CLIENT_CORE = 1
CATALOGUE = 79_546  # plan §1.2: cameras built in Shanwei
PASSWORD = "Bench@2026"
USERS = ("police01", "grid01", "water01", "market01", "approver01", "admin")
# District centres (lat, lon) the clients start from; each request jitters ±5 km.
SPOTS = ((22.7862, 115.3650), (22.9460, 115.6420), (22.9770, 115.3380),
         (23.2960, 115.2600), (22.8690, 115.0100))
FRAGMENT_SHARE = 0.7


class Phone:
    """One signed-in client with its own session and address."""

    def __init__(self, index: int, base_url: str) -> None:
        import httpx

        self.index = index
        self.address = f"10.{index // 250}.{index % 250}.{(index * 7) % 250 + 1}"
        self.client = httpx.AsyncClient(base_url=base_url, timeout=30,
                                        headers={"x-forwarded-for": self.address})
        self.rng = random.Random(index)
        self.reconnects = 0

    async def sign_in(self) -> None:
        await sign_in(self.client, USERS[self.index % len(USERS)], PASSWORD)

    async def ask(self) -> float:
        """One nearby request; returns its latency in seconds."""
        import httpx

        lat, lon = SPOTS[self.rng.randrange(len(SPOTS))]
        params = {"lat": round(lat + self.rng.uniform(-0.045, 0.045), 5),
                  "lon": round(lon + self.rng.uniform(-0.05, 0.05), 5), "limit": 20}
        if self.rng.random() < FRAGMENT_SHARE:
            path, headers = "/nearby/list", {"hx-request": "true"}
        else:
            path, headers = "/api/cameras/nearby", {"accept": "application/json"}
        began = time.perf_counter()
        try:
            reply = await self.client.get(path, params=params, headers=headers)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            # The server closed a kept-alive connection just as it was reused (its idle
            # timeout): a phone would simply ask again; the time counts.
            self.reconnects += 1
            reply = await self.client.get(path, params=params, headers=headers)
        elapsed = time.perf_counter() - began
        if reply.status_code != 200:
            raise RuntimeError(f"{reply.request.url.path}: {reply.status_code}")
        return elapsed

    async def close(self) -> None:
        await self.client.aclose()


async def _load(phones: list[Phone], seconds: float, think_s: float | None) -> dict:
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def run(phone: Phone) -> None:
        if think_s:  # spread the first requests instead of a thundering start
            await asyncio.sleep(phone.rng.uniform(0, think_s))
        while time.monotonic() < deadline:
            latencies.append(await phone.ask())
            if think_s:
                await asyncio.sleep(phone.rng.expovariate(1 / think_s))

    reconnects = sum(phone.reconnects for phone in phones)
    began, cpu = time.monotonic(), time.process_time()
    await asyncio.gather(*(run(phone) for phone in phones))
    wall = time.monotonic() - began
    latencies.sort()
    return {"count": len(latencies), "rps": len(latencies) / wall,
            "reconnects": sum(phone.reconnects for phone in phones) - reconnects,
            "client_load": (time.process_time() - cpu) / wall,
            "p50": _percentile(latencies, 0.50), "p95": _percentile(latencies, 0.95),
            "p99": _percentile(latencies, 0.99), "max": latencies[-1],
            "mean": statistics.fmean(latencies)}


def _percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


def drive(base_url: str, clients: int, seconds: float, result: mp.Queue) -> None:
    pin(CLIENT_CORE)

    async def run() -> dict:
        phones = [Phone(i, base_url) for i in range(clients)]
        try:
            for phone in phones:
                await phone.sign_in()
            await asyncio.gather(*(phone.ask() for phone in phones))  # warm-up
            field = await _load(phones, seconds, think_s=1.0)
            saturated = await _load(phones, seconds / 2, think_s=None)
            return {"field": field, "saturated": saturated}
        finally:
            for phone in phones:
                await phone.close()

    try:
        result.put(asyncio.run(run()))
    except Exception as exc:  # noqa: BLE001 - reported by the parent
        result.put({"error": f"{type(exc).__name__}: {exc}"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0, help="field-use load length")
    args = parser.parse_args()

    # Logging as deployed (info: one access-log line per request).
    app = AppProcess({"BFF_DEMO_CAMERAS": str(CATALOGUE), "BFF_DEMO_PASSWORD": PASSWORD,
                      "BFF_TRUSTED_PROXIES": "127.0.0.1", "BFF_LOG_LEVEL": "info"},
                     core=SERVER_CORE)
    try:
        started = time.monotonic()
        if not asyncio.run(app.healthy(timeout_s=300)):  # the first start seeds 79,546
            raise SystemExit("the app did not start")
        print(f"app up with {CATALOGUE:,} demo cameras after "
              f"{time.monotonic() - started:.1f} s (first start: migrate + seed)")
        ctx = mp.get_context("spawn")
        result = ctx.Queue()
        driver = ctx.Process(target=drive, args=(app.base_url, args.clients, args.seconds,
                                                 result))
        driver.start()
        outcome = result.get(timeout=args.seconds * 2 + 600)
        driver.join(timeout=30)
        if "error" in outcome:
            raise SystemExit(f"the load generator failed: {outcome['error']}")
    finally:
        app.stop()

    field, saturated = outcome["field"], outcome["saturated"]

    def line(label: str, load: dict) -> None:
        print(f"{label}: {load['count']} requests, {load['rps']:.0f} requests/s, latency "
              f"p50 {load['p50'] * 1000:.1f} ms, p95 {load['p95'] * 1000:.1f} ms, p99 "
              f"{load['p99'] * 1000:.1f} ms, max {load['max'] * 1000:.1f} ms (load "
              f"generator {load['client_load'] * 100:.0f}% of its core)")

    line(f"field use, {args.clients} clients, think time 1 s", field)
    if field["reconnects"] or saturated["reconnects"]:
        print(f"    requests asked again on a new connection (the server had closed an idle "
              f"kept-alive one): {field['reconnects'] + saturated['reconnects']}")
    line(f"saturation, {args.clients} clients, no think time", saturated)
    print(f"api: clients={args.clients} p50_ms={field['p50'] * 1000:.1f} "
          f"p95_ms={field['p95'] * 1000:.1f} p99_ms={field['p99'] * 1000:.1f} "
          f"rps={field['rps']:.0f} saturated_rps={saturated['rps']:.0f} "
          f"saturated_p99_ms={saturated['p99'] * 1000:.1f}")


if __name__ == "__main__":
    main()
