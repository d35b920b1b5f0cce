"""Request-scoped dependencies of the sharing capability."""

from __future__ import annotations

from litestar import Request

from bff.lib.validation import parse_query
from bff.sharing.schemas import ListQuery


def provide_list_query(request: Request) -> ListQuery:
    """`role=mine|approver` from the query string; 400 in the user's language otherwise."""
    return parse_query(request, ListQuery)
