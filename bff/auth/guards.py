"""Route guards: the session must belong to a signed-in user."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

SESSION_USER_KEY = "user_id"
SESSION_EPOCH_KEY = "epoch"


def requires_sign_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Reject requests without a signed-in session (pages redirect to /login)."""
    session = connection.scope.get("session")
    if not isinstance(session, dict) or not isinstance(session.get(SESSION_USER_KEY), int):
        raise NotAuthorizedException("sign-in required")
