"""Route guards: the session must belong to a signed-in user; admin pages need an
administrator."""

from __future__ import annotations

import time
from typing import Protocol

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

from bff.auth.errors import AdministratorsOnly
from bff.auth.policy import may_administer
from bff.auth.schemas import SignedInUser
from bff.auth.services import AuthService
from bff.lib.settings import Settings

SESSION_USER_KEY = "user_id"
SESSION_EPOCH_KEY = "epoch"
SESSION_NOTICE_KEY = "notice"
"""A message for the user's next page (failures since the last sign-in)."""
SESSION_SINCE_KEY = "since"
"""Unix time of the sign-in: a session ends `session_absolute_s` after it, however busy."""
_USER_OF_REQUEST = "bff.signed_in_user"
"""Scope key under which the request's signed-in user is kept once read."""


def requires_sign_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Reject requests without a signed-in session (pages redirect to /login), and
    sessions older than the absolute lifetime, which use alone would keep sliding."""
    session = connection.scope.get("session")
    if not isinstance(session, dict) or not isinstance(session.get(SESSION_USER_KEY), int):
        raise NotAuthorizedException("sign-in required")
    since = session.get(SESSION_SINCE_KEY)
    limit = _services(connection).settings.auth.session_absolute_s
    if not isinstance(since, int | float) or time.time() - since > limit:
        connection.clear_session()
        raise NotAuthorizedException("session expired")


class GuardServices(Protocol):
    """What guards take from the app's services (`bff.services.Services`, kept on the app
    state): guards run before dependency injection."""

    auth_service: AuthService
    settings: Settings


def _services(connection: ASGIConnection) -> GuardServices:
    return connection.app.state.services  # type: ignore[no-any-return]


async def signed_in_user(connection: ASGIConnection, auth_service: AuthService) -> SignedInUser:
    """The session's user, re-read from the database so a deactivated account stops at
    once; a session from before "sign out everywhere" is refused. A refusal clears the
    session and raises 401. Read once per request: a guard's answer is kept for the
    handler's `current_user`."""
    known = connection.scope.get(_USER_OF_REQUEST)
    if isinstance(known, SignedInUser):
        return known
    session = connection.session or {}
    user_id = session.get(SESSION_USER_KEY)
    user = await auth_service.signed_in_user(user_id) if isinstance(user_id, int) else None
    if user is not None and (session.get(SESSION_EPOCH_KEY)
                             != await auth_service.session_epoch(user.id)):
        user = None
    if user is None:
        connection.clear_session()
        raise NotAuthorizedException("sign-in required")
    connection.scope[_USER_OF_REQUEST] = user  # type: ignore[literal-required]
    return user


async def requires_admin(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Admin pages are for 市视频办 administrators only: 403 for everyone else, 401 as for
    any page when the session's user is gone.

    Guards run before the handler's dependencies, so the user is read here, by the same
    rules as `current_user`."""
    user = await signed_in_user(connection, _services(connection).auth_service)
    if not may_administer(user.role):
        raise AdministratorsOnly()
