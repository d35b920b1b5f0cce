"""Repositories of the alerts capability (advanced-alchemy) for plain lookups."""

from __future__ import annotations

from advanced_alchemy.repository import SQLAlchemyAsyncRepository

from bff.alerts.models import Alert, AlertRoute


class AlertRepository(SQLAlchemyAsyncRepository[Alert]):
    """Accepted alerts (预警)."""

    model_type = Alert


class AlertRouteRepository(SQLAlchemyAsyncRepository[AlertRoute]):
    """Routes: alert type → receiving departments (预警分发规则)."""

    model_type = AlertRoute
