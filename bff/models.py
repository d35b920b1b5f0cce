"""Imports every table module so `Base.metadata` is complete (Alembic, create-all)."""

from bff.alerts.models import Alert, AlertDelivery, AlertOutbox, AlertRecipient, AlertRoute
from bff.audit.models import AuditEvent
from bff.auth.models import Department, Grant, User
from bff.catalog.models import Camera
from bff.lib.db import Base
from bff.push.models import PushSubscription, VapidKey

__all__ = ["Alert", "AlertDelivery", "AlertOutbox", "AlertRecipient", "AlertRoute", "AuditEvent",
           "Base", "Camera", "Department", "Grant", "PushSubscription", "User", "VapidKey"]
