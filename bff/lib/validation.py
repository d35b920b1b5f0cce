"""Query-string validation with msgspec structs (bodies are validated by Litestar)."""

from __future__ import annotations

from typing import TypeVar

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

T = TypeVar("T", bound=msgspec.Struct)


def parse_query(request: Request, schema: type[T]) -> T:
    """Convert the query string into `schema`; empty values count as absent."""
    raw = {k: v for k, v in request.query_params.items() if v != ""}
    try:
        return msgspec.convert(raw, schema, strict=False)
    except msgspec.ValidationError as exc:
        raise ValidationException(detail=str(exc), extra=[{"message": str(exc)}]) from exc
