"""The admin guard: only a signed-in, active administrator with a current session passes;
the user is read from the database on every request, as `current_user` is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from litestar import Litestar, get
from litestar.datastructures import State
from litestar.middleware.session.server_side import ServerSideSessionConfig
from litestar.stores.memory import MemoryStore
from litestar.testing import AsyncTestClient
from sqlalchemy import insert, update

from bff.audit.models import AuditEvent
from bff.audit.services import AuditLog
from bff.auth.errors import AUTH_ERRORS
from bff.auth.guards import SESSION_EPOCH_KEY, SESSION_USER_KEY, requires_admin
from bff.auth.models import Department, User
from bff.auth.services import AuthService
from bff.lib.db import Base, Database, create_database
from bff.lib.errors import exception_handler
from bff.lib.settings import AuthSettings, DatabaseSettings

ADMIN, OFFICER = 1, 2


@get("/api/admin-only", guards=[requires_admin])
async def admin_only() -> dict[str, str]:
    return {"ok": "yes"}


@pytest.fixture
async def database() -> AsyncIterator[Database]:
    database = create_database(DatabaseSettings(url="sqlite+aiosqlite:///:memory:"))
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all,
                            tables=[Department.__table__, User.__table__,
                                    AuditEvent.__table__])
        await conn.execute(insert(Department), [{"code": "29", "name": "政数"},
                                                {"code": "06", "name": "公安"}])
        await conn.execute(insert(User), [
            {"id": ADMIN, "username": "admin", "display_name": "蔡文华", "staff_no": "Z1",
             "password_hash": "-", "dept_code": "29", "region_prefix": "4415", "role": "admin"},
            {"id": OFFICER, "username": "police01", "display_name": "陈志强", "staff_no": "J1",
             "password_hash": "-", "dept_code": "06", "region_prefix": "441502",
             "role": "officer"},
        ])
    yield database
    await database.close()


@pytest.fixture
def auth_service(database: Database) -> AuthService:
    return AuthService(AuthSettings(secret="test"), MemoryStore(), AuditLog(database), database)


@pytest.fixture
async def client(database: Database,
                 auth_service: AuthService) -> AsyncIterator[AsyncTestClient]:
    sessions = ServerSideSessionConfig()
    app = Litestar(route_handlers=[admin_only], middleware=[sessions.middleware],
                   state=State({"services": SimpleNamespace(auth_service=auth_service)}),
                   exception_handlers={Exception: exception_handler(AUTH_ERRORS)})
    async with AsyncTestClient(app=app, session_config=sessions) as test_client:
        yield test_client


async def _as(client: AsyncTestClient, user_id: int, epoch: int = 0) -> None:
    await client.set_session_data({SESSION_USER_KEY: user_id, SESSION_EPOCH_KEY: epoch})


async def test_an_administrator_passes(client: AsyncTestClient) -> None:
    await _as(client, ADMIN)
    response = await client.get("/api/admin-only")
    assert response.status_code == 200 and response.json() == {"ok": "yes"}


async def test_anyone_else_is_forbidden(client: AsyncTestClient) -> None:
    await _as(client, OFFICER)
    response = await client.get("/api/admin-only")
    assert response.status_code == 403 and response.json()["error"] == "forbidden"


async def test_without_a_session_sign_in_is_required(client: AsyncTestClient) -> None:
    response = await client.get("/api/admin-only")
    assert response.status_code == 401 and response.json()["error"] == "auth.required"


async def test_a_deactivated_administrator_is_signed_out(client: AsyncTestClient,
                                                         database: Database) -> None:
    await _as(client, ADMIN)
    async with database.sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == ADMIN).values(is_active=False))
    response = await client.get("/api/admin-only")
    assert response.status_code == 401
    assert await client.get_session_data() == {}  # the session is cleared


async def test_a_session_from_before_sign_out_everywhere_is_refused(
        client: AsyncTestClient, database: Database, auth_service: AuthService) -> None:
    await _as(client, ADMIN, epoch=await auth_service.session_epoch(ADMIN))
    admin = await auth_service.signed_in_user(ADMIN)
    assert admin is not None
    await auth_service.sign_out(admin, everywhere=True)
    assert (await client.get("/api/admin-only")).status_code == 401
