"""Ending what a user may no longer do: live streams and PTZ moves whose access lapsed.

Permission is checked when a stream opens and on every PTZ command; a stream, though,
runs on after its check. So the streams and moves of this process are re-checked against
the one policy (`bff.auth.policy`) every `BFF_ACCESS_RECHECK_SECONDS` (at most 5), and at
once for the user and cameras concerned when this process revokes or expires a grant.
Another process's revocation reaches this one's streams through the periodic re-check,
since the policy reads grants from the shared database.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bff.auth.policy import AccessScope, may_control, may_use
from bff.auth.services import access_scope_of, load_signed_in_user
from bff.catalog.services import CatalogService
from bff.lib.db import Database
from bff.lib.periodic import repeat_every
from bff.lib.vocabulary import Permission
from bff.ptz.errors import PtzPlatformFailed
from bff.ptz.services import PtzService
from bff.webrtc.registry import PeerRegistry

log = logging.getLogger(__name__)

ACCESS_ENDED = "access_ended"
"""Reason of a stream ended by the periodic re-check (revoked elsewhere, expired, or a
camera or account change); the page shows `live.ended.access_ended`."""


class AccessEnforcer:
    """Re-checks running streams and PTZ moves against the policy and ends the ones whose
    user lost the permission (live view: 1; steering: 4 via `may_control`)."""

    def __init__(self, peer_registry: PeerRegistry, ptz_service: PtzService,
                 catalog: CatalogService, database: Database) -> None:
        self._registry = peer_registry
        self._ptz = ptz_service
        self._catalog = catalog
        self._database = database

    async def access_lost(self, user_id: int, device_ids: Sequence[str], reason: str) -> None:
        """A grant of the user on these cameras ended (`reason`: access_revoked or
        access_expired): end the streams and moves it carried — unless another grant or
        the user's own department still allows them."""
        cameras = set(device_ids)
        scope = (await self._scopes_of({user_id}))[user_id]
        for session in self._registry.sessions():
            if session.viewer.user_id == user_id and session.device_id in cameras \
                    and not self._may_watch(scope, session.device_id):
                await self._registry.end(session.id, reason)
        for device_id in cameras & self._ptz.watched_cameras:
            await self._release_if_forbidden(device_id, scope, user_id, reason)

    async def recheck(self) -> int:
        """End every stream and move of this process whose user may no longer have it;
        returns how many were ended."""
        sessions = self._registry.sessions()
        movers = {device_id: await self._ptz.mover(device_id)
                  for device_id in sorted(self._ptz.watched_cameras)}
        users = {s.viewer.user_id for s in sessions} | {u for u in movers.values() if u}
        if not users:
            return 0
        scopes = await self._scopes_of(users)
        ended = 0
        for session in sessions:
            if not self._may_watch(scopes[session.viewer.user_id], session.device_id):
                ended += await self._registry.end(session.id, ACCESS_ENDED)
        for device_id, user_id in movers.items():
            if user_id is not None:
                ended += await self._release_if_forbidden(device_id, scopes[user_id],
                                                          user_id, ACCESS_ENDED)
        return ended

    async def run(self, interval_s: float) -> None:
        """`recheck` every `interval_s` until cancelled (an app background task)."""
        await repeat_every(interval_s, self.recheck, "access re-check of open streams")

    async def _scopes_of(self, user_ids: set[int]) -> dict[int, AccessScope | None]:
        """Each user's access scope, read in one session; None for an account that is
        gone or deactivated: it may use nothing."""
        scopes: dict[int, AccessScope | None] = {}
        async with self._database.sessions() as db:
            for user_id in sorted(user_ids):
                user = await load_signed_in_user(db, user_id)
                scopes[user_id] = None if user is None else await access_scope_of(db, user)
        return scopes

    def _may_watch(self, scope: AccessScope | None, device_id: str) -> bool:
        camera = self._catalog.get(device_id)
        return scope is not None and camera is not None \
            and may_use(scope, camera, Permission.LIVE)

    async def _release_if_forbidden(self, device_id: str, scope: AccessScope | None,
                                    user_id: int, reason: str) -> bool:
        camera = self._catalog.get(device_id)
        if scope is not None and camera is not None and may_control(scope, camera):
            return False
        try:
            return await self._ptz.release(device_id, user_id, reason)
        except PtzPlatformFailed:
            log.warning("stopping %s after %s failed; the PTZ watchdog stops it", device_id,
                        reason)
            return False

