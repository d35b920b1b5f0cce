"""Small helpers for driving the app over HTTP in tests."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from litestar.testing import AsyncTestClient

from tests.conftest import TEST_PASSWORD

if TYPE_CHECKING:
    from bff.audit.services import AuditLog
    from bff.lib.db import Database
    from bff.lib.settings import Settings

CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf_token(client: AsyncTestClient) -> str:
    """Load the sign-in page (sets the CSRF cookie) and return the form's token."""
    page = await client.get("/login")
    match = CSRF_INPUT.search(page.text)
    assert match, "sign-in form carries a CSRF token"
    return match.group(1)


async def sign_in(client: AsyncTestClient, username: str, password: str = TEST_PASSWORD,
                  **extra: str):  # noqa: ANN201 - httpx.Response
    token = await csrf_token(client)
    return await client.post("/login", data={"username": username, "password": password,
                                             "_csrf_token": token, **extra},
                             follow_redirects=False)


def api_headers(client: AsyncTestClient) -> dict[str, str]:
    """Headers an API call from the page carries: the CSRF token from the cookie."""
    return {"x-csrftoken": client.cookies.get("csrftoken", ""), "accept": "application/json"}


def sealed_audit(settings: Settings, database: Database) -> AuditLog:
    """The audit log as the app under test seals it (same key and anchor file), for
    verifying what the app wrote."""
    from bff.audit.seal import open_seal
    from bff.audit.services import AuditLog

    return AuditLog(database, open_seal(settings.audit, settings.database, redis=None,
                                        redis_key="", create_key=False))
