"""ICE configuration of the server's peer connections, from settings.

Two things aiortc cannot be told directly:

* Which addresses to offer as host candidates. aioice gathers them with the module
  function `aioice.ice.get_host_addresses`, which lists every interface address except
  loopback; aiortc has no parameter for it. Loopback tests need 127.0.0.1, and
  deployments behind NAT want exactly the advertised address. So
  `configure_ice_host_addresses` wraps that function, process-wide.
* That no STUN server is wanted: `RTCConfiguration(iceServers=None)` makes aiortc add a
  public Google STUN server, so the configuration always passes an explicit list.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Sequence
from typing import Any

import aioice.ice
from aiortc import RTCConfiguration, RTCIceServer

from bff.lib.settings import WebRTCSettings

log = logging.getLogger(__name__)

_WRAPPED_ATTR = "_bff_fixed_addresses"


def _original_get_host_addresses() -> Callable[[bool, bool], list[str]]:
    current = aioice.ice.get_host_addresses
    return getattr(current, "__wrapped__", current)


def configure_ice_host_addresses(addresses: Sequence[str]) -> None:
    """Make aioice offer exactly `addresses` as host candidates (empty = its default:
    every interface address except loopback).

    Process-wide, because aioice reads the module function at gathering time; idempotent
    (calling it again replaces the previous choice, never wraps twice). IPv4 addresses
    are offered when aioice asks for IPv4, IPv6 ones when it asks for IPv6. Raises
    ValueError for something that is not an IP address.
    """
    original = _original_get_host_addresses()
    fixed = tuple(str(ipaddress.ip_address(address.strip())) for address in addresses)
    if not fixed:
        aioice.ice.get_host_addresses = original
        return

    def get_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        chosen = []
        for address in fixed:
            version = ipaddress.ip_address(address).version
            if (version == 4 and use_ipv4) or (version == 6 and use_ipv6):
                chosen.append(address)
        return chosen

    get_host_addresses.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(get_host_addresses, _WRAPPED_ATTR, fixed)
    aioice.ice.get_host_addresses = get_host_addresses
    log.info("ICE host candidates fixed to %s", ", ".join(fixed))


def configured_host_addresses() -> tuple[str, ...] | None:
    """The addresses set by `configure_ice_host_addresses`, None for aioice's default."""
    return getattr(aioice.ice.get_host_addresses, _WRAPPED_ATTR, None)


def ice_servers(settings: WebRTCSettings) -> list[RTCIceServer]:
    """aiortc `RTCIceServer`s from settings; an empty list means no STUN/TURN at all."""
    return [
        RTCIceServer(urls=list(server.urls), username=server.username,
                     credential=server.credential)
        for server in settings.ice_servers
    ]


def browser_ice_servers(settings: WebRTCSettings) -> list[dict[str, Any]]:
    """The same servers as JSON-ready dicts for the page's `RTCPeerConnection`."""
    result = []
    for server in settings.ice_servers:
        entry: dict[str, Any] = {"urls": list(server.urls)}
        if server.username is not None:
            entry["username"] = server.username
        if server.credential is not None:
            entry["credential"] = server.credential
        result.append(entry)
    return result


def ice_configuration(settings: WebRTCSettings) -> RTCConfiguration:
    """`RTCConfiguration` for a server-side peer connection. Always an explicit list, so
    an empty setting really means "no STUN" rather than aiortc's public default."""
    return RTCConfiguration(iceServers=ice_servers(settings))
