"""Browser tests: the app runs as a real server process (embedded default) and headless
Debian Chromium drives it with a phone profile. scripts/test runs these inside a private
network namespace, so everything stays on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--allow-loopback-in-peer-connection",
]
SHANWEI_STREET = {"latitude": 22.7862, "longitude": 115.3650}  # 城区 二马路 near 通港路
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "device_scale_factor": 2,
         # Playwright evaluates its string predicates with eval, which the app's CSP forbids
         # (the CSP itself is checked by tests/integration/test_security_headers.py).
         "bypass_csp": True}
PASSWORD = "Browser@Test-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(folder: Path, **extra_env: str) -> Iterator[str]:
    """`bff serve` on the embedded default with loopback ICE (plus `extra_env`); yields
    its base URL and stops it afterwards."""
    port = _free_port()
    env = {
        # a map tile host configured outside must not leak into the tests
        **{k: v for k, v in os.environ.items() if not k.startswith("BFF_MAP_")},
        "BFF_PORT": str(port),
        "BFF_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'bff.sqlite3'}",
        "BFF_DEMO_PASSWORD": PASSWORD,
        "BFF_DEMO_CAMERAS": "3000",
        "BFF_ICE_HOST_ADDRESSES": "127.0.0.1",
        "BFF_SOURCE_LINGER_SECONDS": "0.5",
        "BFF_AUDIT_KEY_FILE": str(folder / "audit.key"),
        "BFF_DEMO_ALERTS_SECONDS": "0",  # made-up demo alerts only where a test asks
        **extra_env,
    }
    env.pop("BFF_REDIS_URL", None)
    log = open(folder / "server.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "bff.cli", "serve"], env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(Path(log.name).read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        raise RuntimeError("server did not start within 90 s")
    try:
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app under test (no map tiles configured); yields its base URL."""
    with running_server(tmp_path_factory.mktemp("server")) as base:
        yield base


@pytest.fixture(scope="session")
def playwright() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: apt-get install -y chromium (scripts/test does)")
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright) -> Iterator[object]:  # noqa: ANN001
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def phone(browser, server):  # noqa: ANN001, ANN201
    """A new phone-sized context with geolocation on a Shanwei street."""
    context = browser.new_context(**PHONE, geolocation=SHANWEI_STREET,
                                  permissions=["geolocation"], base_url=server)
    context.set_default_timeout(15_000)
    yield context
    context.close()


def health(server: str) -> dict:
    import json

    with urllib.request.urlopen(f"{server}/health", timeout=5) as response:
        return json.loads(response.read())
