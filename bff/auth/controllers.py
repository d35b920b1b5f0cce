"""Sign-in and sign-out pages."""

from __future__ import annotations

import time
from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect, Template

from bff.auth.errors import AUTH_ERRORS, SignInRefused
from bff.auth.guards import (
    SESSION_EPOCH_KEY,
    SESSION_NOTICE_KEY,
    SESSION_SINCE_KEY,
    SESSION_USER_KEY,
    requires_admin,
    requires_sign_in,
)
from bff.auth.schemas import LoginForm, SignedInUser
from bff.auth.services import AuthService
from bff.auth.throttle import DEVICE_LIFETIME_S
from bff.lib.errors import answer_of
from bff.lib.i18n import locale_of, translate
from bff.lib.schemas import Schema
from bff.lib.sessions import ROTATE_SESSION_KEY

DEVICE_COOKIE = "bff_device"
"""Marks a browser that signed in before: it may still sign in while its account is
locked against distributed guessing (`bff.auth.throttle`)."""


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
        device = request.cookies.get(DEVICE_COOKIE)
        try:
            result = await auth_service.sign_in(form.username, form.password, client, device)
        except SignInRefused as exc:
            answer = answer_of(AUTH_ERRORS, exc)
            assert answer is not None  # the table names every refusal
            page = self._form_error(request, answer.code, answer.status, form.next,
                                    **answer.params)
            page.headers.update(answer.headers)
            return page
        user = result.user
        session: dict[str, object] = {
            SESSION_USER_KEY: user.id,
            SESSION_EPOCH_KEY: await auth_service.session_epoch(user.id),
            SESSION_SINCE_KEY: int(time.time()), ROTATE_SESSION_KEY: True}
        if result.failures_since_last:
            session[SESSION_NOTICE_KEY] = translate(
                "auth.failures_since", locale_of(request), failures=result.failures_since_last,
                addresses=result.failure_addresses)
        request.set_session(session)
        return Redirect(path=_safe_next(form.next), status_code=303, cookies=[Cookie(
            key=DEVICE_COOKIE, value=result.device, max_age=DEVICE_LIFETIME_S, httponly=True,
            samesite="lax", secure=auth_service.secure_cookies, path="/")])

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


class AccountUnlocked(Schema, kw_only=True):
    username: str
    was_locked: bool


class AccountAdminController(Controller):
    """Administrators' actions on accounts (市视频办)."""

    path = "/api/admin/users"
    guards = [requires_admin]

    @post("/{username:str}/unlock", name="auth:unlock", status_code=200)
    async def unlock(self, username: str, current_user: SignedInUser,
                     auth_service: AuthService) -> AccountUnlocked:
        """Lift the lock of an account under distributed guessing (audited)."""
        if not await auth_service.user_exists(username):
            raise NotFoundException(f"no user {username}")
        was_locked = await auth_service.unlock(username, by=current_user.username)
        return AccountUnlocked(username=username, was_locked=was_locked)
