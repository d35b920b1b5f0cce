"""The double's HTTP plumbing: WVP's `{code,msg,data}` replies, PageHelper paging, the
route table's entries and the ASGI sends and receives every area shares."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]

_JSON = [(b"content-type", b"application/json;charset=UTF-8")]
SEG = r"([^/]+)"
"""One path segment, captured and handed to the handler (unquoted)."""


@dataclass
class Reply:
    status: int
    body: Any
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


Handler = Callable[..., Awaitable[Reply]]


@dataclass(frozen=True)
class Route:
    """A path (regular expression, matched whole) the versions in `versions` serve;
    `handler(params, *path_segments)` answers it."""

    methods: frozenset[str]
    pattern: re.Pattern[str]
    versions: frozenset[str]
    handler: Handler


def route(pattern: str, versions: frozenset[str], handler: Handler, *,
          method: str = "GET") -> Route:
    return Route(frozenset({method}), re.compile(pattern), versions, handler)


def ok(data: Any = None) -> Reply:
    return Reply(200, {"code": 0, "msg": "成功", "data": data})


def fail(code: int, msg: str) -> Reply:
    """A business error: HTTP 200 with a non-zero code, as WVP answers."""
    return Reply(200, {"code": code, "msg": msg, "data": None})


def page_info(items: list[Any], params: dict[str, str]) -> Reply:
    """PageHelper's PageInfo of `items` for the request's `page` and `count`."""
    try:
        page, count = int(params["page"]), int(params["count"])
    except (KeyError, ValueError):
        return Reply(400, {"code": 400, "msg": "Required request parameter 'page'/'count' "
                                               "for method parameter type int is not present"})
    total = len(items)
    start = max(page - 1, 0) * count
    chunk = items[start : start + count]
    pages = math.ceil(total / count) if count else 0
    return ok({"total": total, "list": chunk, "pageNum": page, "pageSize": count,
               "size": len(chunk), "startRow": start + 1 if chunk else 0,
               "endRow": start + len(chunk), "pages": pages,
               "hasPreviousPage": page > 1, "hasNextPage": page < pages})


async def respond(send: Send, reply: Reply) -> None:
    body = json.dumps(reply.body, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": reply.status,
                "headers": [*_JSON, *reply.headers]})
    await send({"type": "http.response.body", "body": body})


async def respond_raw(send: Send, status: int, body: bytes) -> None:
    """A non-JSON page, as a proxy or the media server sends on errors."""
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/html")]})
    await send({"type": "http.response.body", "body": body})


async def read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if not message.get("more_body") or size > 1_000_000:
            break
    return b"".join(chunks)


@contextlib.asynccontextmanager
async def streamed(receive: Receive, send: Send,
                   headers: list[tuple[bytes, bytes]]) -> AsyncIterator[asyncio.Event]:
    """An endless HTTP 200 reply (event stream, live media): the body goes out by
    `send` inside the block; the event is set when the client hangs up. Leaving the
    block ends the reply, unless the client already left."""
    gone = asyncio.Event()
    watcher = asyncio.create_task(_watch_disconnect(receive, gone))
    try:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        yield gone
        if not gone.is_set():
            await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        watcher.cancel()


async def send_chunk(send: Send, body: bytes) -> None:
    await send({"type": "http.response.body", "body": body, "more_body": True})


async def _watch_disconnect(receive: Receive, gone: asyncio.Event) -> None:
    with contextlib.suppress(Exception):
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                gone.set()
                return
