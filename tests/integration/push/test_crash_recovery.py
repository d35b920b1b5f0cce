"""Nothing lost to a crash: `bff serve` accepts an alert while the push service cannot be
reached, is killed with SIGKILL before it could send, and the next start delivers the
alert — exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import select

from bff.alerts.models import AlertDelivery, AlertOutbox
from bff.alerts.sender import event_body, send
from bff.auth.models import User
from bff.lib.db import create_database
from bff.lib.settings import DatabaseSettings
from bff.push.models import PushSubscription
from tests.conftest import TEST_CAMERAS
from tests.integration.alerts.conftest import SECRET, SOURCE, chengqu_camera
from tests.push_receiver import PushReceiver

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(folder: Path, port: int, log_name: str) -> subprocess.Popen[bytes]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BFF_")},
           "BFF_PORT": str(port),
           "BFF_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'bff.sqlite3'}",
           "BFF_DEMO_CAMERAS": str(TEST_CAMERAS),
           "BFF_CATALOG_REFRESH_SECONDS": "0",
           "BFF_ALERT_SOURCES": json.dumps({SOURCE: SECRET}),
           "BFF_PUSH_HOSTS": "127.0.0.1", "BFF_PUSH_ALLOW_HTTP": "true",
           # keeps retrying the unreachable receiver, 1 s apart, until killed
           "BFF_PUSH_ATTEMPTS": "10", "BFF_PUSH_RETRY_SECONDS": "1",
           "BFF_PUSH_MAX_RETRY_AFTER_SECONDS": "1", "BFF_PUSH_TIMEOUT_SECONDS": "2",
           "BFF_DELIVERY_LEASE_SECONDS": "3", "BFF_DELIVERY_POLL_SECONDS": "0.5"}
    log = open(folder / log_name, "wb")  # noqa: SIM115 - the child writes it until it ends
    process = subprocess.Popen([sys.executable, "-m", "bff.cli", "serve"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, (folder / log_name).read_text(errors="replace")[-3000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("bff serve did not start within 90 s")


async def _outbox_state(url: str) -> tuple[str | None, object, int]:
    database = create_database(DatabaseSettings(url=url))
    try:
        async with database.sessions() as db:
            outbox = (await db.scalars(select(AlertOutbox))).one_or_none()
            served = len((await db.scalars(select(AlertDelivery))).all())
    finally:
        await database.close()
    if outbox is None:
        return None, None, served
    return outbox.claimed_by, outbox.delivered_at, served


async def _add_device(url: str, subscription: dict[str, object]) -> None:
    database = create_database(DatabaseSettings(url=url))
    try:
        async with database.sessions() as db, db.begin():
            user_id = await db.scalar(select(User.id).where(User.username == "water01"))
            keys = subscription["keys"]
            assert isinstance(keys, dict)
            db.add(PushSubscription(user_id=user_id, endpoint=subscription["endpoint"],
                                    p256dh=keys["p256dh"], auth=keys["auth"],
                                    device="Chrome · Android", failure_count=0))
    finally:
        await database.close()


def _wait(check, timeout_s: float = 20.0):
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.1)


def test_sigkill_between_ingest_and_send_delivers_once_after_restart(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bff.sqlite3'}"
    receiver = PushReceiver(port=_free_port())  # not listening yet: the service is down
    subscription = receiver.subscribe()
    port = _free_port()
    app = _start(tmp_path, port, "first.log")
    try:
        asyncio.run(_add_device(url, subscription))
        answer = send(f"http://127.0.0.1:{port}", SOURCE, SECRET,
                      event_body("flooding", chengqu_camera(), event_id="before-crash"))
        assert answer.status_code == 202, answer.text
        alert_id = answer.json()["alert_id"]
        # The worker has the row and is retrying the unreachable receiver.
        _wait(lambda: asyncio.run(_outbox_state(url))[0] is not None)
    finally:
        app.send_signal(signal.SIGKILL)
        app.wait(10)
    claimed_by, delivered_at, served = asyncio.run(_outbox_state(url))
    assert claimed_by is not None and delivered_at is None and served == 0

    with receiver:
        app = _start(tmp_path, port, "second.log")
        try:
            assert receiver.wait_for(1, 30.0), receiver.refused
            _wait(lambda: asyncio.run(_outbox_state(url))[1] is not None)
        finally:
            app.terminate()
            app.wait(15)
    assert [push.payload["alert_id"] for push in receiver.received] == [alert_id]
    assert asyncio.run(_outbox_state(url))[2] == 1
