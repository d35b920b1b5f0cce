"""The pieces of Web Push on their own: device names, Retry-After, the VAPID key (from
settings or kept in the database, the same for every process), the settings."""

from __future__ import annotations

import time
from email.utils import formatdate
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02

from bff.lib.db import create_database
from bff.lib.settings import DatabaseSettings, SettingsError, load_settings
from bff.migrate import upgrade_to_head
from bff.push.devices import device_label
from bff.push.endpoints import keys_problem
from bff.push.sender import parse_retry_after
from bff.push.vapid import (
    VapidSigner,
    load_or_create,
    parse_private_key,
    public_key_of,
    raw_private_key,
)


@pytest.mark.parametrize(("agent", "label"), [
    ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 Chrome/131.0 Mobile",
     "Chrome · Android"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Version/18.1 Safari/604.1",
     "Safari · iPhone"),
    ("Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00) HuaweiBrowser/15.0 Mobile",
     "Huawei Browser · HarmonyOS"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
     "Firefox · Windows"),
    (None, "? · ?"),
])
def test_device_label(agent: str | None, label: str) -> None:
    assert device_label(agent) == label


def test_retry_after_seconds_or_date() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    now = time.time()
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now=now) == 0.0


def test_keys_must_be_a_point_and_a_16_byte_secret() -> None:
    vapid = Vapid02()
    vapid.generate_keys()
    point = public_key_of(vapid)
    assert keys_problem(point, "AAAAAAAAAAAAAAAAAAAAAA") is None
    assert keys_problem(point, "AAAA") == "bad_keys"
    assert keys_problem("BAAA", "AAAAAAAAAAAAAAAAAAAAAA") == "bad_keys"
    assert keys_problem("!!", "AAAAAAAAAAAAAAAAAAAAAA") == "bad_keys"


def test_configured_key_raw_or_pem() -> None:
    vapid = Vapid02()
    vapid.generate_keys()
    pem = vapid.private_key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()).decode()
    assert public_key_of(parse_private_key(raw_private_key(vapid))) == public_key_of(vapid)
    assert public_key_of(parse_private_key(pem)) == public_key_of(vapid)
    with pytest.raises(ValueError, match="BFF_VAPID_PRIVATE_KEY") as refused:
        parse_private_key("not-a-key-at-all")
    assert "not-a-key-at-all" not in str(refused.value)


async def test_generated_key_is_kept_and_shared(tmp_path: Path) -> None:
    settings = DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}")
    first, second = create_database(settings), create_database(settings)  # two processes
    try:
        await upgrade_to_head(first)
        key_a = public_key_of(await load_or_create(first, ""))
        key_b = public_key_of(await load_or_create(second, ""))
        assert key_a == key_b
    finally:
        await first.close()
        await second.close()


def test_signer_reuses_a_token_per_origin_until_near_expiry() -> None:
    vapid = Vapid02()
    vapid.generate_keys()
    signer = VapidSigner(vapid, "mailto:ops@example.org")
    now = time.time()
    first = signer.authorization("https://fcm.googleapis.com", now=now)
    assert first.startswith("vapid t=") and f"k={signer.public_key}" in first
    assert signer.authorization("https://fcm.googleapis.com", now=now + 60) == first
    assert signer.authorization("https://web.push.apple.com", now=now) != first
    assert signer.authorization("https://fcm.googleapis.com", now=now + 11.5 * 3600) != first


def test_push_settings_from_the_environment() -> None:
    settings = load_settings({"BFF_PUSH_HOSTS": "fcm.googleapis.com,*.push.example.cn",
                              "BFF_PUSH_PROXY": "http://10.1.2.3:3128",
                              "BFF_VAPID_PRIVATE_KEY": "secret-key-material",
                              "BFF_VAPID_SUBJECT": "mailto:ops@city.example",
                              "BFF_PUSH_CONCURRENCY": "32", "BFF_DELIVERY_POLL_SECONDS": "2"})
    assert settings.push.hosts == ["fcm.googleapis.com", "*.push.example.cn"]
    assert settings.push.proxy == "http://10.1.2.3:3128" and settings.push.concurrency == 32
    assert settings.delivery.poll_s == 2.0
    assert "secret-key-material" not in repr(settings.push)
    assert "*.push.example.cn" in settings.push.hosts and settings.push.allow_http is False
    with pytest.raises(SettingsError, match="BFF_VAPID_SUBJECT"):
        load_settings({"BFF_VAPID_SUBJECT": "ops@city.example"})
    with pytest.raises(SettingsError, match="BFF_PUSH_PROXY"):
        load_settings({"BFF_PUSH_PROXY": "socks5://10.1.2.3:1080"})
    with pytest.raises(SettingsError, match="BFF_PUSH_HOSTS"):
        load_settings({"BFF_PUSH_HOSTS": "http://fcm.googleapis.com/"})
