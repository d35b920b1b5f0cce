"""Dependencies of the auth capability: who is asking, and what they may reach."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException
from sqlalchemy.ext.asyncio import AsyncSession

from bff.auth.guards import SESSION_EPOCH_KEY, SESSION_USER_KEY
from bff.auth.policy import AccessScope
from bff.auth.schemas import SignedInUser
from bff.auth.services import AuthService, access_scope_of, load_signed_in_user


async def provide_current_user(request: Request, db_session: AsyncSession) -> SignedInUser:
    """The signed-in user, re-read on every request so a deactivated account stops at once;
    a session from before "sign out everywhere" is refused."""
    session = request.session or {}
    user_id = session.get(SESSION_USER_KEY)
    user = await load_signed_in_user(db_session, user_id) if isinstance(user_id, int) else None
    auth_service: AuthService = request.app.state.auth_service
    if user is not None and session.get(SESSION_EPOCH_KEY) != await auth_service.session_epoch(user.id):
        user = None
    if user is None:
        request.clear_session()
        raise NotAuthorizedException("sign-in required")
    return user


async def provide_access_scope(db_session: AsyncSession, current_user: SignedInUser) -> AccessScope:
    """What the user may reach (department, region, current grants): the input of every
    policy decision on cameras."""
    return await access_scope_of(db_session, current_user)


def provide_auth_service(state: State) -> AuthService:
    return state.auth_service
