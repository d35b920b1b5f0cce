"""Dependencies of the auth capability: who is asking, and what they may reach."""

from __future__ import annotations

from litestar import Request
from sqlalchemy.ext.asyncio import AsyncSession

from bff.auth.guards import signed_in_user
from bff.auth.policy import AccessScope
from bff.auth.schemas import SignedInUser
from bff.auth.services import AuthService, access_scope_of


async def provide_current_user(request: Request, db_session: AsyncSession,
                                auth_service: AuthService) -> SignedInUser:
    """The signed-in user, re-read on every request so a deactivated account stops at once;
    a session from before "sign out everywhere" is refused."""
    return await signed_in_user(request, db_session, auth_service)


async def provide_access_scope(db_session: AsyncSession, current_user: SignedInUser) -> AccessScope:
    """What the user may reach (department, region, current grants): the input of every
    policy decision on cameras."""
    return await access_scope_of(db_session, current_user)

