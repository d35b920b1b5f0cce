"""ICE settings: host candidates and STUN/TURN servers."""

from __future__ import annotations

from collections.abc import Iterator

import aioice.ice
import pytest
from aiortc import RTCPeerConnection

from bff.lib.settings import IceServer, WebRTCSettings
from bff.webrtc.ice import (
    browser_ice_servers,
    configure_ice_host_addresses,
    configured_host_addresses,
    ice_configuration,
)


@pytest.fixture(autouse=True)
def restore_aioice() -> Iterator[None]:
    before = configured_host_addresses()
    yield
    configure_ice_host_addresses(before or [])


def test_host_addresses_are_exactly_the_configured_ones() -> None:
    original = getattr(aioice.ice.get_host_addresses, "__wrapped__",
                       aioice.ice.get_host_addresses)
    configure_ice_host_addresses(["127.0.0.1", "::1"])
    assert aioice.ice.get_host_addresses(True, False) == ["127.0.0.1"]
    assert aioice.ice.get_host_addresses(True, True) == ["127.0.0.1", "::1"]
    assert aioice.ice.get_host_addresses(False, True) == ["::1"]
    assert configured_host_addresses() == ("127.0.0.1", "::1")

    # Idempotent: a second call replaces the choice instead of wrapping the wrapper.
    configure_ice_host_addresses(["127.0.0.1"])
    configure_ice_host_addresses(["127.0.0.1"])
    assert aioice.ice.get_host_addresses.__wrapped__ is original
    assert aioice.ice.get_host_addresses(True, True) == ["127.0.0.1"]

    configure_ice_host_addresses([])
    assert aioice.ice.get_host_addresses is original
    assert configured_host_addresses() is None


def test_bad_addresses_are_refused() -> None:
    with pytest.raises(ValueError):
        configure_ice_host_addresses(["not-an-address"])


async def test_gathered_candidates_use_the_configured_address() -> None:
    configure_ice_host_addresses(["127.0.0.1"])
    pc = RTCPeerConnection(ice_configuration(WebRTCSettings()))
    try:
        pc.addTransceiver("video", direction="recvonly")
        await pc.setLocalDescription(await pc.createOffer())
        candidates = [line for line in pc.localDescription.sdp.splitlines()
                      if line.startswith("a=candidate")]
        assert candidates and all(" 127.0.0.1 " in line for line in candidates)
        assert all(" srflx " not in line for line in candidates)  # no STUN was asked
    finally:
        await pc.close()


def test_no_servers_means_an_explicit_empty_list() -> None:
    # None would make aiortc fall back to a public STUN server.
    assert ice_configuration(WebRTCSettings()).iceServers == []
    assert browser_ice_servers(WebRTCSettings()) == []


def test_servers_from_settings() -> None:
    settings = WebRTCSettings(ice_servers=[
        IceServer(urls=["stun:stun.example.org:3478"]),
        IceServer(urls=["turn:turn.example.org:3478?transport=udp"], username="u",
                  credential="p"),
    ])
    servers = ice_configuration(settings).iceServers
    assert [s.urls for s in servers] == [["stun:stun.example.org:3478"],
                                         ["turn:turn.example.org:3478?transport=udp"]]
    assert (servers[1].username, servers[1].credential) == ("u", "p")
    assert browser_ice_servers(settings) == [
        {"urls": ["stun:stun.example.org:3478"]},
        {"urls": ["turn:turn.example.org:3478?transport=udp"], "username": "u",
         "credential": "p"},
    ]
