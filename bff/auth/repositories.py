"""Repositories of the auth capability (advanced-alchemy): accounts and grants."""

from __future__ import annotations

from advanced_alchemy.repository import SQLAlchemyAsyncRepository

from bff.auth.models import Grant, User


class UserRepository(SQLAlchemyAsyncRepository[User]):
    """Staff accounts (用户)."""

    model_type = User


class GrantRepository(SQLAlchemyAsyncRepository[Grant]):
    """Camera grants (授权): who may use which camera with which permissions, until when."""

    model_type = Grant
