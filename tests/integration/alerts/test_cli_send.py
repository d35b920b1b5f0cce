"""`bff alerts send` against a real `bff serve`: signed and answered exactly like the
analysis platform's posts (embedded default only: the command is the same on both)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_CAMERAS, TEST_PASSWORD
from tests.integration.alerts.conftest import SECRET, SOURCE, chengqu_camera, jpeg_bytes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def environment(tmp_path: Path, sqlite_template: Path) -> dict[str, str]:
    database = tmp_path / "bff.sqlite3"
    shutil.copy(sqlite_template, database)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BFF_")}
    env.update(BFF_DATABASE_URL=f"sqlite+aiosqlite:///{database}",
               BFF_DEMO_CAMERAS=str(TEST_CAMERAS), BFF_DEMO_PASSWORD=TEST_PASSWORD,
               BFF_ALERT_SOURCES=f'{{"{SOURCE}": "{SECRET}"}}', BFF_PORT=str(_free_port()),
               BFF_CATALOG_REFRESH_SECONDS="0")
    return env


@pytest.fixture
def server_log(tmp_path: Path) -> Path:
    return tmp_path / "serve.log"


@pytest.fixture
def server(environment: dict[str, str], server_log: Path) -> Iterator[str]:
    url = f"http://127.0.0.1:{environment['BFF_PORT']}"
    log = server_log.open("wb")
    process = subprocess.Popen([sys.executable, "-m", "bff.cli", "serve"], env=environment,
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError("bff serve did not come up")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def bff(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bff.cli", *args], env=environment,
                          capture_output=True, text=True, timeout=60, check=False)


def test_send_posts_a_signed_event_and_prints_the_answer(
        server: str, environment: dict[str, str], tmp_path: Path, server_log: Path) -> None:
    snapshot = tmp_path / "snap.jpg"
    snapshot.write_bytes(jpeg_bytes())
    args = ("alerts", "send", "--type", "flooding", "--device-id", chengqu_camera(),
            "--url", server, "--event-id", "cli-1")
    sent = bff(environment, *args, "--snapshot", str(snapshot))
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.strip() == '202 {"alert_id":1,"duplicate":false}'
    again = bff(environment, *args)
    assert again.stdout.strip() == '200 {"alert_id":1,"duplicate":true}'
    assert SECRET not in sent.stdout + sent.stderr

    wrong = bff(environment, "alerts", "send", "--type", "flooding", "--device-id", "1" * 20,
                "--url", server)
    assert wrong.returncode == 1 and wrong.stdout.startswith("422 ")
    unknown = bff(environment, "alerts", "send", "--type", "flooding", "--device-id",
                  chengqu_camera(), "--url", server, "--source", "nobody")
    assert unknown.returncode == 2 and "nobody" in unknown.stderr
    logged = server_log.read_text(encoding="utf-8")
    assert "alert 1 accepted: flooding" in logged
    assert SECRET not in logged
