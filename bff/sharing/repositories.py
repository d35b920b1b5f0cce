"""Repositories of the sharing capability (advanced-alchemy) for plain lookups; the
conditional updates that make a decision final are statements in the service."""

from __future__ import annotations

from advanced_alchemy.repository import SQLAlchemyAsyncRepository

from bff.sharing.models import ShareGrant, ShareNotice, SharePart, ShareRequest


class ShareRequestRepository(SQLAlchemyAsyncRepository[ShareRequest]):
    """Share requests (共享申请) as asked."""

    model_type = ShareRequest


class SharePartRepository(SQLAlchemyAsyncRepository[SharePart]):
    """Per-department parts of requests and their outcomes."""

    model_type = SharePart


class ShareGrantRepository(SQLAlchemyAsyncRepository[ShareGrant]):
    """Grants decided through requests (授权记录)."""

    model_type = ShareGrant


class ShareNoticeRepository(SQLAlchemyAsyncRepository[ShareNotice]):
    """In-app notices (站内通知)."""

    model_type = ShareNotice
