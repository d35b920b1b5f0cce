"""Sign-in inputs and the signed-in user as handlers see it."""

from __future__ import annotations

from typing import Annotated

import msgspec

from bff.lib.schemas import Schema

Username = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class LoginForm(Schema, kw_only=True):
    """The sign-in form (fields `username`, `password`; `_csrf_token` is checked by the
    CSRF middleware before the handler runs)."""

    username: Username
    password: Password
    next: str | None = None
    csrf_token: str | None = msgspec.field(default=None, name="_csrf_token")


class SignedInUser(msgspec.Struct, frozen=True, kw_only=True):
    """The user behind a request, loaded from the database on every request."""

    id: int
    username: str
    display_name: str
    staff_no: str
    dept_code: str
    dept_name: str
    region_prefix: str
    role: str
