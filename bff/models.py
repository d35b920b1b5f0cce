"""Imports every table module so `Base.metadata` is complete (Alembic, create-all)."""

from bff.alerts.models import (
    AddedAlertType,
    Alert,
    AlertMute,
    AlertOutbox,
    AlertRecipient,
    AlertRoute,
)
from bff.audit.models import AuditEvent
from bff.auth.models import Department, Grant, User
from bff.catalog.models import Camera
from bff.lib.db import Base
from bff.sharing.models import ShareGrant, ShareNotice, SharePart, ShareRequest

__all__ = ["Alert", "AlertOutbox", "AlertRecipient", "AlertRoute", "AuditEvent", "Base", "Camera",
           "Department", "Grant", "ShareGrant", "ShareNotice", "SharePart", "ShareRequest", "User"]
__all__ = ["AddedAlertType", "Alert", "AlertMute", "AlertOutbox", "AlertRecipient", "AlertRoute", "AuditEvent", "Base", "Camera",
           "Department", "Grant", "User"]
