"""Security headers on every answer (SECURITY.md: hostile network, curious colleague).

- A strict Content-Security-Policy the pages truly run under: scripts, styles, frames and
  connections only from the app itself, no inline script or style, no `eval` (htmx is
  configured for it in base.html); map tiles from the configured tile server only.
- The page may not be framed; types are not sniffed; no referrer leaves the app; of the
  powerful browser features only geolocation is allowed, and only for the app.
- HSTS when the app is served over HTTPS (`BFF_SECURE_COOKIES`).
- Signed-in pages and API answers are never stored by the browser or a proxy: a lost or
  shared phone must not show a camera list from its cache. Static files keep their caching.
- No server banner.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

CACHEABLE_PREFIXES = ("/static/",)
"""Paths whose answers keep their own caching (the service worker and manifest set
theirs explicitly)."""


def content_security_policy(image_origins: Iterable[str] = ()) -> str:
    """The policy; `image_origins` are extra origins pictures may come from (map tiles)."""
    images = " ".join(["'self'", "data:", "blob:", *sorted(set(image_origins))])
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src {images}",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def origin_of(url_template: str) -> str | None:
    """scheme://host[:port] of a tile URL template (`{s}` subdomains become a wildcard)."""
    if not url_template:
        return None
    parts = urlsplit(url_template.replace("{s}", "*"))
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


PERMISSIONS_POLICY = ("geolocation=(self), camera=(), microphone=(), display-capture=(), "
                      "payment=(), usb=(), serial=(), bluetooth=(), midi=(), "
                      "accelerometer=(), gyroscope=(), magnetometer=()")


class SecurityHeaders:
    """A `before_send` hook adding the headers above to every HTTP answer — 404s of
    unknown paths and static files included, which route middleware would not see."""

    def __init__(self, *, image_origins: Iterable[str] = (), hsts: bool = False) -> None:
        self._fixed: list[tuple[str, str]] = [
            ("content-security-policy", content_security_policy(image_origins)),
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "same-origin"),
            ("permissions-policy", PERMISSIONS_POLICY),
            ("cross-origin-opener-policy", "same-origin"),
        ]
        if hsts:
            self._fixed.append(("strict-transport-security",
                                "max-age=31536000; includeSubDomains"))

    async def __call__(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in self._fixed:
            headers[name] = value
        if not scope["path"].startswith(CACHEABLE_PREFIXES) and "cache-control" not in headers:
            headers["cache-control"] = "no-store"
        if "server" in headers:
            del headers["server"]
