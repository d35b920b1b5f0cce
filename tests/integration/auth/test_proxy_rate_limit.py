"""Behind a reverse proxy the sign-in rate limit counts each phone, not the proxy."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from bff.auth.throttle import ADDRESS_FREE_FAILURES
from tests.browser.conftest import running_server

LIMIT = 30  # sign-in attempts per minute and client (bff/app.py)


def _attempts(base: str, forwarded_for: str, count: int) -> list[int]:
    statuses = []
    last: httpx.Response | None = None
    with httpx.Client(base_url=base, timeout=10) as client:
        page = client.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
        for n in range(count):
            reply = client.post("/login", headers={"X-Forwarded-For": forwarded_for},
                                data={"username": f"nobody{n}", "password": "wrong",
                                      "_csrf_token": token}, follow_redirects=False)
            statuses.append(reply.status_code)
            last = reply
    if last is not None and last.status_code == 429:  # every 429 says when to come back
        assert 1 <= int(last.headers["retry-after"]) <= 60
    return statuses


@pytest.mark.parametrize("trusted", [True, False])
def test_sign_in_limit_per_forwarded_client(tmp_path: Path, trusted: bool) -> None:
    env = {"BFF_DEMO_CAMERAS": "200"}
    if trusted:
        env["BFF_TRUSTED_PROXIES"] = "127.0.0.1"
    with running_server(tmp_path, **env) as base:
        first = _attempts(base, "10.1.0.1", LIMIT + 1)
        # Wrong passwords, then throttled: by the growing per-address delay after
        # ADDRESS_FREE_FAILURES, and by the request rate limit after LIMIT at the latest.
        assert first[:ADDRESS_FREE_FAILURES] == [401] * ADDRESS_FREE_FAILURES
        assert first[-1] == 429
        second = _attempts(base, "10.1.0.2", 1)
    # Trusted proxy: another phone has its own budget. Untrusted: the header is ignored,
    # so everybody shares the proxy's address and is throttled together.
    assert second == ([401] if trusted else [429])


@pytest.mark.parametrize("level, logged", [("info", True), ("warning", False)])
def test_log_level_reaches_the_access_log(tmp_path: Path, level: str, logged: bool) -> None:
    with running_server(tmp_path, BFF_DEMO_CAMERAS="200", BFF_LOG_LEVEL=level) as base:
        httpx.get(f"{base}/login?probe=access-log", timeout=10)
    assert ("probe=access-log" in (tmp_path / "server.log").read_text(errors="replace")) is logged
