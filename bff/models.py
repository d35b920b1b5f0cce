"""Imports every table module so `Base.metadata` is complete (Alembic, create-all)."""

from bff.alerts.models import (
    AddedAlertType,
    Alert,
    AlertDelivery,
    AlertMute,
    AlertOutbox,
    AlertRecipient,
    AlertRoute,
)
from bff.audit.models import AuditEvent
from bff.auth.models import Department, Grant, User
from bff.catalog.models import Camera
from bff.lib.db import Base
from bff.playback.models import Clip
from bff.push.models import PushSubscription, VapidKey
from bff.sharing.models import ShareGrant, ShareNotice, SharePart, ShareRequest

__all__ = ["AddedAlertType", "Alert", "AlertDelivery", "AlertMute", "AlertOutbox",
           "AlertRecipient", "AlertRoute", "AuditEvent", "Base", "Camera", "Clip", "Department",
           "Grant",
           "PushSubscription", "ShareGrant", "ShareNotice", "SharePart", "ShareRequest", "User",
           "VapidKey"]
