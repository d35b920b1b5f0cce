"""Benchmark: "cameras near me" with permission filtering, in-process (SPEC §6).

Builds the full 79,546-camera catalogue (the demo generator at the plan's built total)
and a 1,000,000-camera one (that catalogue replicated with jitter), then times random
queries around Shanwei for a few realistic users. Generation and index building are not
timed. Run:

    .venv/bin/python bench/nearby.py [--queries 500] [--seed 7]

The last line is machine-readable: `nearby: p95_ms_80k=… p95_ms_1m=…`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bff.auth.policy import AccessScope
from bff.catalog.nearby import NearbyIndex
from bff.demo.catalogue import generate_demo_catalogue

BUILT_TOTAL = 79_546  # plan §1.2: cameras built in Shanwei
MILLION = 1_000_000


@dataclass(slots=True)
class Replica:
    """The fields the index reads, for a jittered copy of a camera."""

    device_id: str
    name: str
    address: str
    civil_code: str
    dept_code: str
    status: int
    share_attr: int
    default_perms: list[int]
    camera_type: int
    online: int
    latitude: float
    longitude: float


def replicate(records, total: int, rng: random.Random) -> list:  # type: ignore[no-untyped-def]
    """`records` plus jittered copies (new grassroots digits keep device ids unique)."""
    out: list = list(records)
    copy = 0
    while len(out) < total:
        copy += 1
        for r in records:
            if len(out) >= total:
                break
            device_id = r.device_id[:6] + f"{20 + copy:02d}" + r.device_id[8:]
            out.append(
                Replica(
                    device_id=device_id,
                    name=r.name,
                    address=r.address,
                    civil_code=r.civil_code,
                    dept_code=r.dept_code,
                    status=r.status,
                    share_attr=r.share_attr,
                    default_perms=r.default_perms,
                    camera_type=r.camera_type,
                    online=r.online,
                    latitude=r.latitude + rng.gauss(0, 0.003),
                    longitude=r.longitude + rng.gauss(0, 0.003),
                )
            )
    return out


def scopes(records, rng: random.Random) -> list[tuple[str, AccessScope, bool]]:  # type: ignore[no-untyped-def]
    """(label, scope, only_viewable) for the users the benchmark plays."""
    granted = rng.sample(records, 300)
    admin_grants = {r.device_id: frozenset({1, 2}) for r in granted}
    return [
        (
            "police city-wide, viewable",
            AccessScope(user_id=1, dept_code="06", region_prefix="4415"),
            True,
        ),
        (
            "market 陆丰, viewable",
            AccessScope(user_id=2, dept_code="24", region_prefix="441581"),
            True,
        ),
        (
            "water city-wide, viewable",
            AccessScope(user_id=3, dept_code="15", region_prefix="4415"),
            True,
        ),
        (
            "grid worker 陆丰, all badges",
            AccessScope(user_id=4, dept_code="99", region_prefix="441581"),
            False,
        ),
        (
            "admin with 300 grants, viewable",
            AccessScope(
                user_id=5, dept_code="29", region_prefix="4415", grants=admin_grants, role="admin"
            ),
            True,
        ),
    ]


def query_points(records, count: int, rng: random.Random) -> list[tuple[float, float]]:  # type: ignore[no-untyped-def]
    """Where users stand: mostly near cameras (streets, towns), some anywhere in the city."""
    points = []
    for _ in range(count):
        if rng.random() < 0.9:
            r = rng.choice(records)
            points.append((r.latitude + rng.gauss(0, 0.01), r.longitude + rng.gauss(0, 0.01)))
        else:
            points.append((rng.uniform(22.68, 23.45), rng.uniform(115.05, 116.10)))
    return points


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(label: str, index: NearbyIndex, records, count: int, seed: int) -> float:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    users = scopes(records, rng)
    points = query_points(records, count, rng)
    for lat, lon in points[:20]:  # warm caches and code paths
        index.query(users[0][1], lat, lon, only_viewable=True)
    timings: list[float] = []
    per_user: dict[str, list[float]] = {name: [] for name, _, _ in users}
    returned = 0
    for i, (lat, lon) in enumerate(points):
        name, scope, only_viewable = users[i % len(users)]
        start = time.perf_counter()
        hits = index.query(scope, lat, lon, limit=50, only_viewable=only_viewable)
        elapsed = (time.perf_counter() - start) * 1000
        returned += len(hits)
        timings.append(elapsed)
        per_user[name].append(elapsed)
    p50, p95 = statistics.median(timings), percentile(timings, 95)
    print(f"{label}: {len(index):,} cameras, {count} queries, {returned / count:.1f} hits each")
    print(f"    all users: p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {max(timings):.2f} ms")
    for name, samples in per_user.items():
        middle, high = statistics.median(samples), percentile(samples, 95)
        print(f"    {name:<34} p50 {middle:6.2f} ms  p95 {high:6.2f} ms")

    # Text search, for information: the first use of a word scans the whole catalogue;
    # repeats hit a cache (people refine the same words as they type).
    words = ("交叉口", "明厨亮灶", "碣石", "4415810", "幼儿园")
    first, again = [], []
    for samples in (first, again):
        for word in words:
            start = time.perf_counter()
            index.query(users[3][1], *points[0], limit=50, text=word)
            samples.append((time.perf_counter() - start) * 1000)
    print(f"    text search: first use max {max(first):.1f} ms, cached max {max(again):.2f} ms")
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    start = time.perf_counter()
    built = generate_demo_catalogue(BUILT_TOTAL)
    index_80k = NearbyIndex.build(built)
    took = time.perf_counter() - start
    print(f"generated and indexed {len(built):,} cameras in {took:.1f} s (not timed)")
    p95_80k = run("80k", index_80k, built, args.queries, args.seed)

    start = time.perf_counter()
    million = replicate(built, MILLION, random.Random(args.seed))
    index_1m = NearbyIndex.build(million)
    took = time.perf_counter() - start
    print(f"replicated and indexed {len(million):,} cameras in {took:.1f} s (not timed)")
    p95_1m = run("1m", index_1m, million, args.queries, args.seed)

    print(f"nearby: p95_ms_80k={p95_80k:.2f} p95_ms_1m={p95_1m:.2f}")


if __name__ == "__main__":
    main()
