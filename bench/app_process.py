"""The real app (`bff serve`) as a child process of a benchmark: embedded default, its
own SQLite file, on a free port of 127.0.0.1, optionally pinned to one core."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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

        def pin() -> None:
            if core is not None and core < (os.cpu_count() or 1):
                with contextlib.suppress(AttributeError, OSError):
                    os.sched_setaffinity(0, {core})

        self.process = subprocess.Popen([sys.executable, "-m", "bff.cli", "serve"], cwd=ROOT,
                                        env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, preexec_fn=pin)

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
