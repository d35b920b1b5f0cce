"""The real app (`bff serve`) as a child process of a benchmark: embedded default, its
own SQLite file, on a free port of 127.0.0.1, optionally pinned to one core; with the
helpers the benchmarks share around it (pinning a process to a core, signing in)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

ROOT = Path(__file__).resolve().parents[1]


def pin(core: int) -> None:
    """Pin this process (threads created from now on inherit it) to one core, where the
    machine has it: the benchmarks keep the measured side and the load apart."""
    with contextlib.suppress(AttributeError, OSError):
        if core < (os.cpu_count() or 1):
            os.sched_setaffinity(0, {core})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppProcess:
    """`bff serve` with `settings` (BFF_* environment variables) on top of the defaults."""

    def __init__(self, settings: dict[str, str], *, core: int | None = None) -> None:
        workdir = Path(tempfile.mkdtemp(prefix="bench-app-"))
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "BFF_PORT": str(self.port), "BFF_HOST": "127.0.0.1",
               "BFF_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}",
               "BFF_LOG_LEVEL": "warning", **settings}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bff.cli", "serve"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=None if core is None else lambda: pin(core))

    async def healthy(self, timeout_s: float) -> bool:
        """Wait until /health answers (the first start migrates and seeds); False if the
        process ended or the time ran out."""
        import httpx

        async with httpx.AsyncClient(base_url=self.base_url, timeout=5) as client:
            for _ in range(int(timeout_s * 10)):
                if self.process.poll() is not None:
                    return False
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/health")).status_code == 200:
                        return True
                await asyncio.sleep(0.1)
        return False

    def stop(self, timeout_s: float = 20) -> None:
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=timeout_s)
        if self.process.poll() is None:
            self.process.kill()


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> None:
    """Sign `client` in through the sign-in form, as a browser does (its CSRF token
    first); RuntimeError if the page has no token or the app refuses."""
    page = await client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    if token is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    reply = await client.post("/login", data={"username": username, "password": password,
                                              "_csrf_token": token.group(1)})
    if reply.status_code not in (200, 303) or "session" not in " ".join(client.cookies.keys()):
        raise RuntimeError(f"sign-in failed: {reply.status_code}")
