"""The Litestar application factory."""

from __future__ import annotations

from litestar import Litestar

from bff.lib.settings import Settings
from bff.plugin import REQUEST_MAX_BODY, BffPlugin


def create_app(settings: Settings) -> Litestar:
    """Build the app from explicit settings; `BffPlugin` assembles it and its lifespan
    starts the long-lived services (`bff.services`)."""
    return Litestar(plugins=[BffPlugin(settings)], request_max_body_size=REQUEST_MAX_BODY)
