"""Dependencies of the auth capability: who is asking, and what they may reach."""

from __future__ import annotations

from litestar import Request

from bff.auth.guards import signed_in_user
from bff.auth.policy import AccessScope
from bff.auth.schemas import SignedInUser
from bff.auth.services import AuthService


async def provide_current_user(request: Request, auth_service: AuthService) -> SignedInUser:
    """The signed-in user, re-read on every request so a deactivated account stops at once;
    a session from before "sign out everywhere" is refused."""
    return await signed_in_user(request, auth_service)


async def provide_access_scope(current_user: SignedInUser,
                               auth_service: AuthService) -> AccessScope:
    """What the user may reach (department, region, current grants): the input of every
    policy decision on cameras."""
    return await auth_service.access_scope(current_user)

