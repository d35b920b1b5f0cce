"""Unsafe requests must come from the app's own pages (SECURITY.md: CSRF in depth).

Beside the CSRF token, a POST, PUT, PATCH or DELETE whose `Origin` (or, without one, its
`Referer`) names another site is refused with 403 before any handler runs. Requests that
carry neither header (command-line clients, some privacy settings) still need the token.
Machine-to-machine paths authenticated by a signature (the alert ingest) are exempt.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

from litestar import Request
from litestar.exceptions import PermissionDeniedException

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CrossSiteRequest(PermissionDeniedException):
    """An unsafe request sent from another site's page."""


def same_origin_guard(exempt: Sequence[str], *,
                      behind_proxy: bool = False) -> Callable[[Request], Awaitable[None]]:
    """A `before_request` hook enforcing the rule above; `exempt` are path regexes.
    `behind_proxy` (trusted proxies configured) also accepts the host the proxy was
    asked for (`X-Forwarded-Host`), for proxies that do not pass `Host` on."""
    exempt_paths = [re.compile(pattern) for pattern in exempt]

    async def check(request: Request) -> None:
        if request.method not in UNSAFE_METHODS:
            return
        if any(pattern.search(request.url.path) for pattern in exempt_paths):
            return
        source = request.headers.get("origin") or request.headers.get("referer")
        if not source:
            return
        hosts = {request.headers.get("host", "").lower()}
        if behind_proxy and (forwarded := request.headers.get("x-forwarded-host")):
            hosts.add(forwarded.split(",")[0].strip().lower())
        if source == "null" or urlsplit(source).netloc.lower() not in hosts:
            raise CrossSiteRequest("csrf: cross-site request")

    return check
