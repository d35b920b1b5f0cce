"""Dependencies of the auth capability."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException
from sqlalchemy.ext.asyncio import AsyncSession

from bff.auth.guards import SESSION_USER_KEY
from bff.auth.schemas import SignedInUser
from bff.auth.services import AuthService, load_signed_in_user


async def provide_current_user(request: Request, db_session: AsyncSession) -> SignedInUser:
    """The signed-in user, re-read on every request so a deactivated account stops at once."""
    user_id = request.session.get(SESSION_USER_KEY) if request.session else None
    user = await load_signed_in_user(db_session, user_id) if isinstance(user_id, int) else None
    if user is None:
        request.clear_session()
        raise NotAuthorizedException("sign-in required")
    return user


def provide_auth_service(state: State) -> AuthService:
    return state.auth_service
