"""WVP's HTTP API as calls returning `data`: sign-in, the token, the `{code, msg, data}`
envelope, paging and the typed errors of `bff.platform.base`.

* Sign-in: `/api/user/login?username=U&password=<md5 hex>` (query string); the JWT goes
  in the `access-token` header of every call. There is no refresh: on HTTP 401 the
  client signs in again, once, and repeats the call.
* Business errors come back as HTTP 200 with a non-zero code: DeviceNotFound (404,
  "设备不存在"), PlatformTimeout (408, 486, "点播超时", no reply in time),
  PlatformUnavailable (unreachable, HTTP 5xx, code 500), PlatformAuthError (credentials
  or token refused), PlatformError otherwise.

Credentials and tokens are never logged: httpx's own request log has the md5 redacted.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import re
from collections.abc import AsyncIterator, Awaitable, Mapping
from typing import Any, TypeVar

import httpx

from bff.lib.settings import WvpSettings
from bff.platform.base import (
    DeviceNotFound,
    PlatformAuthError,
    PlatformError,
    PlatformTimeout,
    PlatformUnavailable,
)
from bff.platform.wvp.shapes import as_int

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_PAGES = 10_000
"""Hard bound on pages per listing, whatever totals the server claims."""
_NOT_FOUND_TEXTS = ("设备不存在", "通道不存在", "未找到设备", "未找到通道")


class _RedactSecrets(logging.Filter):
    """Masks the md5 password and tokens where the HTTP client logs them: httpx's
    "HTTP Request: GET <url>" line (the sign-in query) and httpcore's debug trace of
    response headers (WVP returns the JWT in an `access-token` header)."""

    query = re.compile(r"(?i)\b(password|access-token|accesstoken|api-key|token)=[^&\s\"']*")
    header = re.compile(r"(?i)\(b'(access-token|api-key|authorization|set-cookie)', b'[^']*'\)")
    jwt = re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.query.sub(r"\1=***", message)
        redacted = self.header.sub(r"(b'\1', b'***')", redacted)
        redacted = self.jwt.sub("***", redacted)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


# Logger filters only see records of their own logger, not of its children: name each.
_CLIENT_LOGGERS = ("httpx", "httpcore.http11", "httpcore.http2", "httpcore.connection")


def _install_redaction() -> None:
    for name in _CLIENT_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactSecrets) for f in logger.filters):
            logger.addFilter(_RedactSecrets())


class WvpClient:
    """One signed-in session with WVP's HTTP API, shared by the adapter's parts; once
    closed, every call raises."""

    def __init__(self, settings: WvpSettings, *,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not settings.url.strip():
            raise PlatformError("WVP URL is not configured (BFF_WVP_URL)")
        self.settings = settings
        # The common-channel API addresses cameras by gbId, not by device/channel pair.
        self.common = settings.api_version == "common"
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._token: str | None = None
        self._login_lock = asyncio.Lock()
        self._closed = asyncio.Event()
        _install_redaction()

    def http(self) -> httpx.AsyncClient:
        """The HTTP client, for requests `call` does not fit (event streams)."""
        if self._closed.is_set():
            raise PlatformError("WVP adapter is closed")
        if self._client is None:
            # Created on first use so its connections belong to the loop that uses them.
            self._client = httpx.AsyncClient(
                base_url=self.settings.url.rstrip("/"),
                timeout=httpx.Timeout(self.settings.request_timeout_s),
                verify=self.settings.verify_tls, transport=self._transport,
                headers={"accept": "application/json"}, follow_redirects=False,
                trust_env=False,
            )
        return self._client

    def play_timeout(self) -> httpx.Timeout:
        """For calls that wait on the device (play, playback, recordings)."""
        # Connecting is quick or never; only the wait for WVP's answer is long.
        return httpx.Timeout(self.settings.request_timeout_s,
                             read=self.settings.play_timeout_s)

    async def _send(self, method: str, path: str, *, params: Mapping[str, Any] | None,
                    headers: Mapping[str, str], timeout: httpx.Timeout | None,
                    what: str) -> httpx.Response:
        """One request; transport failures become typed errors. `what` names it in errors
        (never the URL: the login URL carries the md5)."""
        try:
            return await self.http().request(
                method, path, params=params, headers=headers,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT)
        except httpx.ConnectTimeout as exc:
            raise PlatformUnavailable(f"WVP unreachable ({what}): connect timed out") from exc
        except httpx.TimeoutException as exc:
            raise PlatformTimeout(f"WVP did not answer in time ({what})") from exc
        except httpx.HTTPError as exc:
            raise PlatformUnavailable(
                f"WVP unreachable ({what}): {type(exc).__name__}") from exc

    async def _login(self) -> str:
        settings = self.settings
        # WVP's scheme: the md5 hex of the password, in the query string.
        digest = hashlib.md5(settings.password.encode()).hexdigest()
        response = await self._send(
            "GET", "/api/user/login", params={"username": settings.username, "password": digest},
            headers={}, timeout=None, what="sign-in")
        if response.status_code >= 500:
            raise PlatformUnavailable(
                f"WVP sign-in failed internally (HTTP {response.status_code})")
        body = json_of(response)
        if response.status_code >= 400 or not isinstance(body, dict) or body.get("code") != 0:
            message = body.get("msg") if isinstance(body, dict) else None
            raise PlatformAuthError(
                f"WVP refused the sign-in of {settings.username!r}: "
                f"{message or f'HTTP {response.status_code}'}")
        data = body.get("data")
        token = (data.get("accessToken") if isinstance(data, dict) else None) or \
            response.headers.get("access-token")
        if not token:
            raise PlatformAuthError("WVP accepted the sign-in but sent no access token")
        log.info("signed in to WVP as %s", settings.username)
        return str(token)

    async def token(self) -> str:
        """The current token, signing in first when there is none."""
        token = self._token
        if token is not None:
            return token
        async with self._login_lock:
            if self._token is None:
                self._token = await self._login()
            return self._token

    async def renew_token(self, stale: str) -> None:
        """Sign in again because WVP refused `stale` (unless someone already did)."""
        async with self._login_lock:
            if self._token == stale:  # nobody renewed it meanwhile
                self._token = None
                self._token = await self._login()

    async def call(self, path: str, params: Mapping[str, Any] | None = None, *,
                   method: str = "GET", timeout: httpx.Timeout | None = None) -> Any:
        """Call one API path and return the envelope's `data`; signs in as needed and
        once more when the token was refused."""
        for attempt in (1, 2):
            token = await self.token()
            response = await self._send(method, path, params=params,
                                        headers={"access-token": token}, timeout=timeout,
                                        what=path)
            body = json_of(response)
            refused = response.status_code == 401 or (
                isinstance(body, dict) and body.get("code") == 401)
            if refused and attempt == 1:
                log.info("WVP refused the token (expired?); signing in again")
                await self.renew_token(token)
                continue
            return unwrap(response, body, path)
        raise PlatformAuthError("WVP refused a fresh token")  # pragma: no cover - loop returns

    async def pages(self, path: str, params: Mapping[str, Any] | None = None
                    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Walk a paged listing (`page`, `count` → `data.list/total/pages`)."""
        size = self.settings.page_size
        page = 1
        while page <= MAX_PAGES:
            data = await self.call(path, {**(params or {}), "page": page, "count": size})
            items, pages = _page_of(data, page, size)
            if items:
                yield items
            if not items or page >= pages:
                return
            page += 1

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    async def wait_closed(self) -> None:
        await self._closed.wait()

    async def unless_closed(self, awaitable: Awaitable[T]) -> T | None:
        """Await `awaitable`, or give up (None) as soon as the client closes."""
        task = asyncio.ensure_future(awaitable)
        closing = asyncio.ensure_future(self._closed.wait())
        try:
            await asyncio.wait({task, closing}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closing.cancel()
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if task.cancelled():
            return None
        return task.result()

    async def close(self) -> None:
        """Release connections and wake whoever waits in `unless_closed`."""
        self._closed.set()
        if self._client is not None:
            await self._client.aclose()


def json_of(response: httpx.Response) -> Any:
    """The response's JSON, or None when it has none (a proxy's error page)."""
    try:
        return response.json()
    except ValueError:
        return None


def unwrap(response: httpx.Response, body: Any, path: str) -> Any:
    """`data` of a successful envelope; otherwise the typed error."""
    status = response.status_code
    message = body.get("msg") if isinstance(body, dict) else None
    if status >= 500:
        raise PlatformUnavailable(
            f"WVP failed on {path} (HTTP {status}): {message or ''}".rstrip(": "))
    if status in (401, 403):
        raise PlatformAuthError(f"WVP refused {path} (HTTP {status})")
    if status == 404:
        raise PlatformError(f"WVP has no {path} (HTTP 404): check BFF_WVP_API")
    if status >= 400:
        raise PlatformError(f"WVP rejected {path} (HTTP {status}): {message or ''}".rstrip(": "))
    if not isinstance(body, dict) or "code" not in body:
        raise PlatformError(f"WVP answered {path} without its {{code, msg, data}} envelope")
    code = body.get("code")
    if code == 0:
        return body.get("data")
    raise business_error(code, str(message or ""), path)


def business_error(code: Any, message: str, path: str) -> PlatformError:
    """The typed error for a non-zero envelope code (HTTP 200 business error)."""
    text = f"WVP {path}: {message or 'failed'} (code {code})"
    if code == 404 or any(t in message for t in _NOT_FOUND_TEXTS):
        return DeviceNotFound(text)
    if code in (408, 486) or "超时" in message:
        return PlatformTimeout(text)
    if code in (401, 403):
        return PlatformAuthError(text)
    if code == 500:
        return PlatformUnavailable(text)
    return PlatformError(text)


def _page_of(data: Any, page: int, size: int) -> tuple[list[dict[str, Any]], int]:
    """Items of one page and the number of pages (PageHelper's PageInfo, or a list)."""
    if isinstance(data, list):
        return [i for i in data if isinstance(i, dict)], page
    if not isinstance(data, dict):
        return [], page
    items = [i for i in (data.get("list") or []) if isinstance(i, dict)]
    pages = as_int(data.get("pages"))
    if pages is None or pages <= 0:
        total = as_int(data.get("total"))
        if total is not None:
            pages = math.ceil(total / size) if size else page
        else:
            pages = page + 1 if len(items) >= size else page
    return items, min(pages, MAX_PAGES)
