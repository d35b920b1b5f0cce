"""Background work repeated at a fixed interval (catalogue refresh and sync, PTZ sweep)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def repeat_every(interval_s: float, work: Callable[[], Awaitable[object]], what: str,
                       *, at_start: bool = False) -> None:
    """Await `work()` every `interval_s` seconds until cancelled, the first time at once
    when `at_start`. A failed round is logged and retried at the next one: a background
    task must not die of a database or Redis restart."""
    if not at_start:
        await asyncio.sleep(interval_s)
    while True:
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the next round retries; the app lives on
            log.warning("%s failed (%s: %s); retrying in %.1fs", what, type(exc).__name__,
                        exc, interval_s)
        await asyncio.sleep(interval_s)
