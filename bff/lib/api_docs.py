"""The API description (`/schema`) for integrators, under the app's own rules.

Litestar's viewers load their scripts from public CDNs and start them with an inline
script: broken on a government intranet, a supply-chain risk, and refused by the CSP.
This viewer is Swagger UI vendored in `web/static/vendor/` and started by a static script;
the description itself is at `/schema/openapi.json`. Both need a signed-in session (the
router's guard), or are switched off (`BFF_OPENAPI=off`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Request, Router
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin
from litestar.types import Guard

SWAGGER_UI = "/static/vendor/swagger-ui-5.35.0"

_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} · API</title>
  <link rel="stylesheet" href="{assets}/swagger-ui.css">
  <script src="{assets}/swagger-ui-bundle.js" defer></script>
  <script src="/static/api-docs.js" defer></script>
</head>
<body>
  <div id="swagger-ui" data-spec-url="{spec_url}"></div>
</body>
</html>
"""


class LocalSwaggerPlugin(OpenAPIRenderPlugin):
    """Swagger UI from the app's own static files, no inline script."""

    def __init__(self, *, path: str | Sequence[str] = "/swagger", title: str = "") -> None:
        super().__init__(path=path)
        self._title = title

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        return _PAGE.format(title=self._title, assets=SWAGGER_UI,
                            spec_url=self.get_openapi_json_route(request)).encode()


def openapi_config(*, title: str, version: str, enabled: bool,
                   guards: Sequence[Guard]) -> OpenAPIConfig | None:
    """The OpenAPI configuration: None when switched off."""
    if not enabled:
        return None
    return OpenAPIConfig(
        title=title, version=version, path="/schema",
        # The first plugin answers /schema itself: the viewer.
        render_plugins=[LocalSwaggerPlugin(path=["/", "/swagger"], title=title),
                        JsonRenderPlugin()],
        openapi_router=Router(path="/schema", guards=list(guards), route_handlers=[],
                              include_in_schema=False))
