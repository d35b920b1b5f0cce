"""Request-scoped dependencies of the alerts capability."""

from __future__ import annotations

from litestar import Request

from bff.alerts.schemas import AlertQuery
from bff.lib.validation import parse_query


def provide_alert_query(request: Request) -> AlertQuery:
    """The list's filters from the query string; 400 in the user's language when wrong."""
    return parse_query(request, AlertQuery)
