"""Sign-in and sign-out pages."""

from __future__ import annotations

import time

from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from bff.auth.errors import AUTH_ERRORS, SignInRefused
from bff.auth.guards import (
    SESSION_EPOCH_KEY,
    SESSION_SINCE_KEY,
    SESSION_USER_KEY,
    requires_sign_in,
)
from bff.auth.schemas import LoginForm, SignedInUser
from bff.auth.services import AuthService
from bff.lib.errors import answer_of
from bff.lib.i18n import locale_of, translate
from bff.lib.sessions import ROTATE_SESSION_KEY


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


class AuthController(Controller):
    """Sign-in form, sign-in and sign-out."""

    @get("/login", name="auth:login-page")
    async def login_page(self, request: Request, next: str | None = None) -> Template:
        """The sign-in page (already signed-in users go straight on)."""
        return Template("pages/auth/login.html", context={"next": _safe_next(next), "error": None})

    @post("/login", name="auth:login", status_code=303)
    async def login(
        self,
        request: Request,
        auth_service: AuthService,
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect | Template:
        """Check the credentials; on success rotate the session and go to `next`."""
        try:
            form = msgspec.convert(data, LoginForm, strict=False)
        except msgspec.ValidationError:
            return self._form_error(request, "auth.invalid_credentials", 400, data.get("next"))
        client = request.client.host if request.client else "unknown"
        try:
            user = await auth_service.sign_in(form.username, form.password, client)
        except SignInRefused as exc:
            answer = answer_of(AUTH_ERRORS, exc)
            assert answer is not None  # the table names every refusal
            return self._form_error(request, answer.code, answer.status, form.next,
                                    **answer.params)
        request.set_session({SESSION_USER_KEY: user.id,
                             SESSION_EPOCH_KEY: await auth_service.session_epoch(user.id),
                             SESSION_SINCE_KEY: int(time.time()),
                             ROTATE_SESSION_KEY: True})
        return Redirect(path=_safe_next(form.next), status_code=303)

    @post("/logout", name="auth:logout", guards=[requires_sign_in], status_code=303)
    async def logout(self, request: Request, current_user: SignedInUser,
                     auth_service: AuthService) -> Redirect:
        """End this session."""
        await auth_service.sign_out(current_user)
        request.clear_session()
        return Redirect(path="/login", status_code=303)

    @post("/logout/everywhere", name="auth:logout-everywhere", guards=[requires_sign_in],
          status_code=303)
    async def logout_everywhere(self, request: Request, current_user: SignedInUser,
                                auth_service: AuthService) -> Redirect:
        """End every session of this user, on every device (e.g. a lost phone)."""
        await auth_service.sign_out(current_user, everywhere=True)
        request.clear_session()
        return Redirect(path="/login", status_code=303)

    @staticmethod
    def _form_error(request: Request, key: str, status: int, next_path: str | None,
                    **params: object) -> Template:
        message = translate(key, locale_of(request), **params)
        return Template("pages/auth/login.html", status_code=status,
                        context={"next": _safe_next(next_path), "error": message})

