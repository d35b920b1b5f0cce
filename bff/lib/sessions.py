"""Server-side sessions whose id is replaced at sign-in (no session fixation)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

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

    async def _store_in_message(self, scope_session: ScopeSession, message: Message,
                                connection: ASGIConnection) -> None:
        if not (isinstance(scope_session, dict) and scope_session.pop(ROTATE_SESSION_KEY, False)):
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


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class: type[ServerSideSessionBackend] = field(default=RotatingSessionBackend, init=False)
