"""Server-side sessions: stored only once signed in, ids only ever made by the server and
replaced at sign-in (no session fixation).

Anonymous visitors get no stored session and no session cookie (a crawler or an attacker
cannot grow the store), and a cookie that does not have the exact shape of an id this
server makes is never looked up.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

ROTATE_SESSION_KEY = "_rotate"


class RotatingSessionBackend(ServerSideSessionBackend):
    """When a handler puts `_rotate` into the session, the data is saved under a fresh id
    and the id the browser came with is deleted from the store."""

    async def store_in_message(self, scope_session: ScopeSession, message: Message,
                               connection: ASGIConnection) -> None:
        """Save the session as the response starts. The response is already decided
        then, so a store outage (Redis restarting) is logged and the response goes out
        without the session cookie; the next request that needs the store answers 503."""
        try:
            await self._store_in_message(scope_session, message, connection)
        except (RedisError, OSError) as exc:
            log.warning("session not saved, the session store is unavailable (%s: %s)",
                        type(exc).__name__, exc)

    def _is_server_made(self, session_id: str | None) -> bool:
        return bool(session_id) and re.fullmatch(
            f"[0-9a-f]{{{2 * self.config.session_id_bytes}}}", session_id or "") is not None

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        if not self._is_server_made(connection.cookies.get(self.config.key)):
            return {}
        return await super().load_from_connection(connection)

    async def _store_in_message(self, scope_session: ScopeSession, message: Message,
                                connection: ASGIConnection) -> None:
        config: RotatingSessionConfig = self.config  # type: ignore[assignment]
        if isinstance(scope_session, dict) and config.signed_in_key not in scope_session:
            await self._forget_anonymous(message, connection)
            return
        if not (isinstance(scope_session, dict) and scope_session.pop(ROTATE_SESSION_KEY, False)):
            if not self._is_server_made(connection.cookies.get(self.config.key)):
                # Only a rotation (sign-in) may create a session, under its own new id.
                await self._forget_anonymous(message, connection)
                return
            await super().store_in_message(scope_session, message, connection)
            return
        store = self.config.get_store_from_app(connection.scope["app"])
        old_id = connection.cookies.get(self.config.key)
        if old_id and old_id != "null":
            await self.delete(old_id, store=store)
        new_id = self.generate_session_id()
        await self.set(session_id=new_id, data=self.serialize_data(scope_session, connection.scope),
                       store=store)
        cookie_params = dict(extract_dataclass_items(self.config, exclude_none=True,
                                                     include=Cookie.__dict__.keys()))
        MutableScopeHeaders.from_message(message).add(
            "Set-Cookie", Cookie(value=new_id, key=self.config.key, **cookie_params).to_header(header="")
        )


    async def _forget_anonymous(self, message: Message, connection: ASGIConnection) -> None:
        """Nothing is stored for an anonymous request; a cookie it came with is expired
        (and whatever an older version stored under it removed)."""
        session_id = connection.cookies.get(self.config.key)
        if not session_id:
            return
        if self._is_server_made(session_id):
            await self.delete(session_id, store=self.config.get_store_from_app(
                connection.scope["app"]))
        cookie_params = dict(extract_dataclass_items(self.config, exclude_none=True,
                                                     include=Cookie.__dict__.keys()))
        MutableScopeHeaders.from_message(message).add("Set-Cookie", Cookie(
            value="null", key=self.config.key, expires=0, **cookie_params).to_header(header=""))


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    signed_in_key: str = "user_id"
    """The session key a signed-in session always holds; sessions without it are not
    stored."""
    _backend_class: type[ServerSideSessionBackend] = field(default=RotatingSessionBackend, init=False)
