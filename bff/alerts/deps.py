"""Request-scoped dependencies of the alerts capability."""

from __future__ import annotations

from litestar import Request
from litestar.exceptions import ValidationException

from bff.alerts.schemas import AlertQuery
from bff.alerts.types import AlertTypes
from bff.lib.validation import parse_query


def provide_alert_query(request: Request, alert_types: AlertTypes) -> AlertQuery:
    """The list's filters from the query string; 400 in the user's language when wrong
    (a `type` the registry does not know included)."""
    query = parse_query(request, AlertQuery)
    if query.type is not None and query.type not in alert_types:
        message = f"Invalid enum value {query.type!r} - at `$.type`"
        raise ValidationException(detail=message, extra=[{"message": message}])
    return query
