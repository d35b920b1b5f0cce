"""Property test: for random users, cameras, grants and times, the server's decisions
(the access scope read from the database + the policy, and the outcome of asking) agree
with a direct reading of SPEC §4.3 and §2.5, written here without the server's code.

Seeded random loops (the suite has no hypothesis): a failure prints its seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from bff.audit.services import AuditLog
from bff.auth.models import Grant, User
from bff.auth.policy import may_use
from bff.auth.services import access_scope_of, load_signed_in_user
from bff.catalog.schemas import CameraRecord
from bff.catalog.services import CatalogService
from bff.lib.settings import SharingSettings
from bff.sharing.errors import ShareInputInvalid
from bff.sharing.schemas import ShareRequestCreate
from bff.sharing.services import SharingService
from tests.integration.sharing.conftest import catalogue

ROUNDS = 25
USERS = ("police01", "grid01", "water01", "market01", "approver01", "admin")


@dataclass(frozen=True)
class SpecGrant:
    device_id: str
    perms: frozenset[int]
    starts_at: datetime | None
    expires_at: datetime
    revoked_at: datetime | None


def spec_may_use(user: User, camera: CameraRecord, permission: int,
                 grants: list[SpecGrant], now: datetime) -> bool:
    """SPEC §4.3, read literally: in use, inside the user's civil-code prefix, and either
    the own department's default permission or an unexpired (started, unrevoked) grant."""
    if camera.status != 1 or not camera.civil_code.startswith(user.region_prefix):
        return False
    if user.dept_code == camera.dept_code and permission in camera.default_perms:
        return True
    return any(g.device_id == camera.device_id and permission in g.perms
               and (g.starts_at is None or g.starts_at <= now) and now < g.expires_at
               and (g.revoked_at is None or g.revoked_at > now) for g in grants)


def spec_outcome(camera: CameraRecord) -> str:
    """SPEC §2.5: 无条件共享 granted at once, 有条件共享 pending, 不予共享 refused."""
    return {1: "granted", 0: "pending"}.get(camera.share_attr, "refused")


def random_time(rng: random.Random, now: datetime) -> datetime:
    # Never within a minute of now: no decision hinges on the test's own clock.
    minutes = rng.choice([-1, 1]) * rng.randint(2, 60 * 24 * 3)
    return now + timedelta(minutes=minutes)


@pytest.mark.parametrize("seed", [20261204, 7, 4415])
async def test_access_decisions_follow_the_spec(db, seed: int) -> None:
    rng = random.Random(seed)
    cameras = list(catalogue())
    async with db.sessions() as session:
        users = {u.username: u for u in (await session.scalars(
            select(User).where(User.username.in_(USERS)))).all()}
    for round_no in range(ROUNDS):
        user = users[rng.choice(USERS)]
        sample = rng.sample(cameras, 12)
        now = datetime.now(UTC)
        grants = []
        for camera in rng.sample(sample, 6):
            starts = rng.choice([None, random_time(rng, now)])
            expires = random_time(rng, now)
            revoked = rng.choice([None, None, random_time(rng, now)])
            grants.append(SpecGrant(camera.device_id,
                                    frozenset(rng.sample([1, 2, 3, 4], rng.randint(1, 4))),
                                    starts, expires, revoked))
        async with db.sessions() as session, session.begin():
            await session.execute(delete(Grant))
            session.add_all([Grant(user_id=user.id, device_id=g.device_id, perms=sorted(g.perms),
                                   starts_at=g.starts_at, expires_at=g.expires_at,
                                   revoked_at=g.revoked_at) for g in grants])
        async with db.sessions() as session:
            scope = await access_scope_of(session, await load_signed_in_user(session, user.id))
        now = datetime.now(UTC)
        for camera in sample:
            for permission in (1, 2, 3, 4):
                expected = spec_may_use(user, camera, permission, grants, now)
                assert may_use(scope, camera, permission) == expected, (
                    f"seed {seed} round {round_no}: {user.username} P{permission} on "
                    f"{camera.device_id} ({camera.dept_code}, {camera.civil_code}, "
                    f"status {camera.status}) with {grants}")
    async with db.sessions() as session, session.begin():
        await session.execute(delete(Grant))


@pytest.mark.parametrize("seed", [11, 2026])
async def test_asking_follows_the_sharing_attribute(db, seed: int) -> None:
    rng = random.Random(seed)
    catalog = CatalogService(db)
    await catalog.load()
    service = SharingService(SharingSettings(), db, catalog, AuditLog(db))
    cameras = list(catalogue())
    for round_no in range(8):
        username = rng.choice(USERS)
        async with db.sessions() as session:
            user_id = await session.scalar(select(User.id).where(User.username == username))
            user = await load_signed_in_user(session, user_id)
            scope = await access_scope_of(session, user)
        permissions = sorted(rng.sample([1, 2, 3, 4], rng.randint(1, 3)))
        askable = [c for c in cameras if c.status == 1
                   and c.civil_code.startswith(user.region_prefix)
                   and not all(may_use(scope, c, p) for p in permissions)]
        chosen = rng.sample(askable, min(5, len(askable)))
        outside = [c for c in cameras if not c.civil_code.startswith(user.region_prefix)]
        if outside and rng.random() < 0.3:
            with pytest.raises(ShareInputInvalid):
                await service.ask(user, scope, ShareRequestCreate(
                    device_ids=[rng.choice(outside).device_id], permissions=permissions,
                    purpose="核查", ends_at=datetime.now(UTC) + timedelta(hours=2)), "zh-CN")
        result = await service.ask(user, scope, ShareRequestCreate(
            device_ids=[c.device_id for c in chosen], permissions=permissions, purpose="核查",
            ends_at=datetime.now(UTC) + timedelta(hours=2)), "zh-CN")
        outcome = {c.device_id: (p.state, p.dept_code) for p in result.parts for c in p.cameras}
        assert outcome == {c.device_id: (spec_outcome(c), c.dept_code) for c in chosen}, (
            f"seed {seed} round {round_no}")
        async with db.sessions() as session:
            scope = await access_scope_of(session, user)
        for camera in chosen:
            if spec_outcome(camera) == "granted":  # usable at once, every asked permission
                assert all(may_use(scope, camera, p) for p in permissions), (
                    f"seed {seed} round {round_no}: {camera.device_id}")
