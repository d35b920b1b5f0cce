"""Imports every table module so `Base.metadata` is complete (Alembic, create-all)."""

from bff.alerts.models import Alert, AlertOutbox, AlertRecipient, AlertRoute
from bff.audit.models import AuditEvent
from bff.auth.models import Department, Grant, User
from bff.catalog.models import Camera
from bff.lib.db import Base
from bff.playback.models import Clip

__all__ = ["Alert", "AlertOutbox", "AlertRecipient", "AlertRoute", "AuditEvent", "Base", "Camera",
           "Clip", "Department", "Grant", "User"]
