"""The audit log's seal: a key outside the database and anchors of the chain's head.

Each entry carries an HMAC-SHA256, under the audit key, of its position (`seq`), the
previous entry's MAC and its content. Someone who can write the database but not read the
key cannot edit a row and recompute the chain. Deleting the newest entries (or all of
them) leaves a shorter chain that is still consistent in itself, so after every append the
head (count and MAC) is also written to anchors outside the table: a file beside the key
and, when configured, Redis. `verify` then finds a table that ends before its anchor.

An anchor only moves forward: two processes appending at once may write their anchors in
either order, and the later position must win.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import msgspec
from redis.asyncio import Redis

from bff.lib.settings import AUDIT_KEY_MIN_LENGTH, AuditSettings, DatabaseSettings

log = logging.getLogger(__name__)

GENESIS_MAC = "0" * 64


class AuditKeyMissing(RuntimeError):
    """No key where the settings say it is (verify never creates one)."""


class Head(msgspec.Struct, frozen=True):
    """The newest entry a writer saw committed: its position and MAC."""

    seq: int
    mac: str


def entry_mac(key: bytes, *, seq: int, prev_mac: str, at: datetime, actor_id: int | None,
              actor: str, action: str, target: str, detail: dict[str, Any]) -> str:
    """HMAC-SHA256 under the audit key over the entry's canonical JSON."""
    canonical = json.dumps(
        [seq, prev_mac, at.isoformat(timespec="microseconds"), actor_id, actor, action, target,
         detail], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()


class Anchor(Protocol):
    name: str

    async def advance(self, head: Head) -> None:
        """Record `head` unless a later position is already recorded."""
        ...

    async def read(self) -> Head | None:
        """The recorded head; None when nothing was ever recorded here."""
        ...


class MemoryAnchor:
    """An anchor in this process only (tests, throwaway logs)."""

    name = "memory"

    def __init__(self) -> None:
        self._head: Head | None = None

    async def advance(self, head: Head) -> None:
        if self._head is None or head.seq > self._head.seq:
            self._head = head

    async def read(self) -> Head | None:
        return self._head


class FileAnchor:
    """The head in a small JSON file, replaced atomically under an exclusive lock so
    processes on one host never move it backwards."""

    name = "file"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock_path = path.with_name(path.name + ".lock")

    async def advance(self, head: Head) -> None:
        await asyncio.to_thread(self._advance, head)

    async def read(self) -> Head | None:
        return await asyncio.to_thread(self._read)

    def _read(self) -> Head | None:
        try:
            return msgspec.json.decode(self.path.read_bytes(), type=Head)
        except FileNotFoundError:
            return None

    def _advance(self, head: Head) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            current = self._read()
            if current is not None and current.seq >= head.seq:
                return
            temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            with open(temporary, "wb") as out:
                out.write(msgspec.json.encode(head))
                out.flush()
                os.fsync(out.fileno())  # evidence: on disk before the rename says so
            os.replace(temporary, self.path)


_ADVANCE_SCRIPT = """
local current = redis.call('HGET', KEYS[1], 'seq')
if (not current) or tonumber(current) < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'mac', ARGV[2])
  return 1
end
return 0
"""


class RedisAnchor:
    """The head in a Redis hash, advanced by a compare-and-set script. Redis keeps nothing
    on disk on some hosts: after its restart the anchor starts again from the next append,
    so a missing Redis anchor is not an alarm, a lower one than the table is fine, and a
    higher one is."""

    name = "redis"

    def __init__(self, redis: Redis, key: str) -> None:
        self._redis = redis
        self._key = key

    async def advance(self, head: Head) -> None:
        await self._redis.eval(_ADVANCE_SCRIPT, 1, self._key, str(head.seq), head.mac)

    async def read(self) -> Head | None:
        values = await self._redis.hgetall(self._key)
        if not values:
            return None
        return Head(seq=int(values[b"seq"]), mac=values[b"mac"].decode())


class AuditSeal:
    """The key and the anchors one audit log writes with and is verified against."""

    def __init__(self, key: bytes, anchors: Sequence[Anchor], *, required: Anchor | None = None):
        self.key = key
        self.anchors = tuple(anchors)
        self.required = required
        """The anchor that must exist whenever the table holds entries (the file)."""

    @classmethod
    def ephemeral(cls) -> AuditSeal:
        """A random key and an in-memory anchor: for tools and tests of other parts."""
        anchor = MemoryAnchor()
        return cls(secrets.token_bytes(32), [anchor], required=anchor)

    async def advance(self, head: Head) -> None:
        """Move every anchor to `head`. A failing anchor is logged, never fatal: the entry
        is committed, and verify reports an anchor that fell behind only if rows after it
        were removed."""
        for anchor in self.anchors:
            try:
                await anchor.advance(head)
            except Exception:  # noqa: BLE001 - audit appends must not fail on an anchor
                log.exception("audit anchor %s could not be advanced to %d", anchor.name,
                              head.seq)


def open_seal(settings: AuditSettings, database: DatabaseSettings, *, redis: Redis | None,
              redis_key: str, create_key: bool) -> AuditSeal:
    """The seal the settings describe. `create_key` creates the key file on first start
    (the app); verification never does (AuditKeyMissing)."""
    key = settings.key.encode("utf-8") if settings.key else _key_from_file(
        Path(settings.key_file), create=create_key)
    anchor_path = Path(settings.anchor_file) if settings.anchor_file else (
        Path(settings.key_file).parent / f"audit-anchor-{database_tag(database)}.json")
    file_anchor = FileAnchor(anchor_path)
    anchors: list[Anchor] = [file_anchor]
    if redis is not None:
        anchors.append(RedisAnchor(redis, redis_key))
    return AuditSeal(key, anchors, required=file_anchor)


def database_tag(database: DatabaseSettings) -> str:
    """A short stable name of the database (URL without password, and schema), so each
    database has its own anchor file."""
    url = database.url
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        url = f"{scheme}://{credentials.split(':', 1)[0]}@{host}"
    return hashlib.sha256(f"{url}|{database.schema or ''}".encode()).hexdigest()[:16]


def _key_from_file(path: Path, *, create: bool) -> bytes:
    for _ in range(50):  # another process may be between creating and writing the file
        try:
            text = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            if not create:
                raise AuditKeyMissing(f"no audit key at {path} (BFF_AUDIT_KEY_FILE)") from None
            _create_key_file(path)
            continue
        if len(text) >= AUDIT_KEY_MIN_LENGTH:
            _warn_if_readable_by_others(path)
            return text.encode("ascii")
        time.sleep(0.02)
    raise AuditKeyMissing(f"the audit key at {path} is shorter than {AUDIT_KEY_MIN_LENGTH} "
                          "characters")


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # another process won the race: use its key
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32))
        log.info("created the audit key %s (mode 0600); keep it outside the database host's "
                 "backups", path)


def _warn_if_readable_by_others(path: Path) -> None:
    if path.stat().st_mode & 0o077:
        log.warning("the audit key %s is readable by other users: chmod 600 it", path)
