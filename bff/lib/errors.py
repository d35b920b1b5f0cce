"""Errors that reach users: one JSON shape for the API, a page for the browser, always in
the user's language.

Services raise framework-free domain exceptions (`DomainError` subclasses, each
capability's `errors.py`); each capability states how its exceptions answer over HTTP in
a table (`ErrorTable`: exception type → `ErrorAnswer`), and the app registers the union of
the tables with `exception_handler(table)`. Nothing below a controller knows HTTP.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.plugins.htmx import ClientRedirect, HTMXRequest, HTMXTemplate
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from bff.lib.i18n import Locale, locale_of, translate
from bff.lib.validation_text import describe_validation_error

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A refusal or failure in the domain's words, raised by services; the app's error
    table decides the HTTP answer."""


class ErrorAnswer(NamedTuple):
    """How one domain exception answers: status, stable code for clients, message
    parameters, extra headers, and the catalogue key of the message when it is not the
    code. A parameter may be a function of the locale: a text that must itself be put in
    the user's words (a validation reason)."""

    status: int
    code: str
    params: Mapping[str, Any] = {}
    headers: Mapping[str, str] = {}
    message_key: str | None = None


def retry_later(code: str, retry_after_s: float) -> ErrorAnswer:
    """429 with `Retry-After` in whole seconds (at least one) and `seconds` for the text."""
    seconds = max(1, math.ceil(retry_after_s))
    return ErrorAnswer(429, code, {"seconds": seconds}, {"Retry-After": str(seconds)})


ErrorTable = Mapping[type[Exception], Callable[[Any], ErrorAnswer]]
"""Exception type → how an instance answers (a function of the instance, so an answer can
carry what the exception knows: who holds the camera, how long to wait)."""


def answer_of(table: ErrorTable, exc: Exception) -> ErrorAnswer | None:
    """The answer of the nearest class in `exc`'s MRO that the table names."""
    for cls in type(exc).__mro__:
        answer = table.get(cls)
        if answer is not None:
            return answer(exc)
    return None


_STATUS_MESSAGES = {
    405: ("method_not_allowed", "error.method_not_allowed"),
    413: ("too_large", "error.too_large"),
    415: ("unsupported_media", "error.unsupported_media"),
}
"""Framework refusals whose English detail would otherwise reach the user."""


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or (
        "application/json" in request.headers.get("accept", "")
        and "text/html" not in request.headers.get("accept", "")
    )


def _message_of(request: Request, exc: Exception,
                table: ErrorTable) -> tuple[int, str, str, Mapping[str, str]]:
    """(status, code, localized message, extra headers) for any exception."""
    locale = locale_of(request)
    answer = answer_of(table, exc)
    if answer is not None:
        params = {name: value(locale) if callable(value) else value
                  for name, value in answer.params.items()}
        message = translate(answer.message_key or answer.code, locale, **params)
        return answer.status, answer.code, message, answer.headers
    headers = dict(getattr(exc, "headers", None) or {})
    status, code, message = _framework_message(exc, locale)
    if status == 429 and not any(name.lower() == "retry-after" for name in headers):
        # Every 429 says when to come back; the framework's limiter only sends RateLimit-*.
        reset = next((value for name, value in headers.items()
                      if name.lower() == "ratelimit-reset"), "60")
        headers["Retry-After"] = str(max(1, int(float(reset))))
    return status, code, message, headers


def _framework_message(exc: Exception, locale: Locale) -> tuple[int, str, str]:
    if isinstance(exc, ValidationException):
        detail = _validation_detail(exc, locale)
        return 400, "bad_request", translate("error.bad_request", locale, detail=detail)
    if isinstance(exc, NotAuthorizedException):
        return 401, "auth.required", translate("auth.required", locale)
    if isinstance(exc, PermissionDeniedException):
        if "csrf" in str(exc.detail).lower():
            return 403, "auth.csrf", translate("auth.csrf", locale)
        return 403, "forbidden", translate("error.forbidden", locale)
    if isinstance(exc, RecursionError):
        # JSON nested beyond what the decoder follows ("[" × 100,000): bad input, not a crash.
        return 400, "too_deep", translate("error.too_deep", locale)
    if isinstance(exc, NotFoundException):
        return 404, "not_found", translate("error.not_found", locale)
    if isinstance(exc, (RedisError, SQLAlchemyError, OSError)):
        # A backing service is down (Redis restarting, database unreachable): tell the
        # user to retry instead of showing an internal error.
        return 503, "unavailable", translate("error.unavailable", locale)
    if isinstance(exc, HTTPException):
        if exc.status_code == 429:
            return 429, "rate_limited", translate("auth.rate_limited", locale)
        if exc.status_code in _STATUS_MESSAGES:
            code, key = _STATUS_MESSAGES[exc.status_code]
            return exc.status_code, code, translate(key, locale)
        if exc.status_code < 500:
            detail = str(exc.detail) if exc.detail else ""
            return exc.status_code, "bad_request", translate("error.bad_request", locale,
                                                              detail=detail)
    return HTTP_500_INTERNAL_SERVER_ERROR, "internal", translate("error.internal", locale)


def _validation_detail(exc: ValidationException, locale: Locale) -> str:
    extra = exc.extra if isinstance(exc.extra, list) else []
    parts = []
    for item in extra:
        if isinstance(item, dict):
            key = item.get("key") or item.get("source") or ""
            raw = f"{key}: {item.get('message', '')}".strip(": ")
            parts.append(describe_validation_error(raw, locale))
    separator = translate("text.list_separator", locale)
    return separator.join(parts) or describe_validation_error(str(exc.detail), locale)


def exception_handler(table: ErrorTable) -> Callable[[Request, Exception], Response]:
    """The app's one exception handler: the domain `table`, then framework refusals."""

    def handle(request: Request, exc: Exception) -> Response:
        return _respond(request, exc, *_message_of(request, exc, table))

    return handle


def _respond(request: Request, exc: Exception, status: int, code: str, message: str,
             headers: Mapping[str, str]) -> Response:
    """Translate any exception into a response in the user's language."""
    if status == 503:
        log.error("backing service unavailable on %s %s: %s", request.method, request.url.path,
                  exc)
    elif status >= 500:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if _wants_json(request):
        return Response({"error": code, "message": message}, status_code=status,
                        media_type=MediaType.JSON, headers=dict(headers))
    if isinstance(request, HTMXRequest) and request.htmx:
        # htmx swaps this fragment into the page (app.js lets 4xx/5xx swap); a lost
        # session sends the whole page to the sign-in form.
        if status == 401:
            redirect = ClientRedirect(redirect_to="/login")
            redirect.status_code = 401  # htmx follows HX-Redirect whatever the status
            return redirect
        return HTMXTemplate(template_name="partials/_error.html", context={"message": message},
                            status_code=status, headers=dict(headers))
    if status == 401:
        return Redirect(path="/login", status_code=303)
    return Template(template_name="pages/error.html",
                    context={"status": status, "message": message}, status_code=status,
                    headers=dict(headers))


handle_exception = exception_handler({})
"""Framework refusals only (apps without domain errors, tests)."""
