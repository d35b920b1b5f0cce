"""A tiny forwarding HTTP proxy on 127.0.0.1 that counts what passes through it: proof
that push egress really leaves through BFF_PUSH_PROXY. It takes absolute-form requests
(`POST http://host:port/path HTTP/1.1`), forwards each on a fresh connection and closes
the client's connection after the answer."""

from __future__ import annotations

import asyncio
import threading
from typing import Self
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "proxy-connection", "keep-alive", "proxy-authorization"}


class ForwardingProxy:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []  # (method, absolute URL)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    def __enter__(self) -> Self:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("proxy did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        self._loop.run_forever()
        server.close()
        self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _version = lines[0].split(" ", 2)
            headers = [line.split(":", 1) for line in lines[1:] if ":" in line]
            length = next((int(v) for k, v in headers if k.strip().lower() == "content-length"), 0)
            body = await reader.readexactly(length)
            url = urlsplit(target)
            self.requests.append((method, target))
            upstream_reader, upstream_writer = await asyncio.open_connection(
                url.hostname, url.port or 80)
            kept = "".join(f"{k}:{v}\r\n" for k, v in headers
                           if k.strip().lower() not in HOP_BY_HOP)
            path = url.path + (f"?{url.query}" if url.query else "")
            upstream_writer.write(f"{method} {path} HTTP/1.1\r\n{kept}Connection: close\r\n\r\n"
                                  .encode("latin-1") + body)
            await upstream_writer.drain()
            answer = await upstream_reader.read()
            upstream_writer.close()
            answer_head, _, answer_body = answer.partition(b"\r\n\r\n")
            answer_lines = [line for line in answer_head.split(b"\r\n")
                            if not line.lower().startswith(b"connection:")]
            writer.write(b"\r\n".join([*answer_lines, b"Connection: close"]) + b"\r\n\r\n"
                         + answer_body)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()
