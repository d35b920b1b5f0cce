"""Hostile offers are refused field by field before a stream slot is held."""

from __future__ import annotations

import pytest

from bff.webrtc.errors import InvalidOffer
from bff.webrtc.offer_check import OfferFieldError, check_offer_fields
from bff.webrtc.registry import PeerRegistry
from tests.unit.webrtc.webrtc_support import CAMERA, ZHANG


def replace_line(sdp: str, prefix: str, new: str) -> str:
    lines = sdp.split("\r\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(prefix))
    lines[index] = new
    return "\r\n".join(lines)


CHROMIUM_LINES = [
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103",
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
    "a=candidate:3362409382 1 udp 2113937151 10.200.0.1 51234 typ host generation 0 "
    "network-cost 999",
    "a=candidate:1 1 tcp 1518280447 10.200.0.1 9 typ host tcptype active generation 0",
    "a=candidate:842163049 1 udp 1677729535 203.0.113.7 40000 typ srflx raddr 0.0.0.0 "
    "rport 0 generation 0",
    "a=candidate:2 1 udp 2122262783 5b3a8c8e-1f3c-4c5e-9e0b-1f2d3c4b5a69.local 50000 typ host",
    "a=ice-ufrag:Ab+/",
    "a=ice-pwd:abcdefghijklmnopqrstuvwx",
    "a=fingerprint:sha-256 " + ":".join(["AB"] * 32),
]


@pytest.mark.parametrize("line", CHROMIUM_LINES)
def test_browser_lines_pass(line: str) -> None:
    check_offer_fields(f"v=0\r\n{line}\r\n")


@pytest.mark.parametrize("line, complaint", [
    ("m=video 99999999 UDP/TLS/RTP/SAVPF 96", "malformed m-line"),
    ("m=video 70000 UDP/TLS/RTP/SAVPF 96", "port out of range"),
    ("a=fingerprint:sha-256 " + ":".join(["AB"] * 31), "fingerprint length"),
    ("a=fingerprint:md5 AB:CD", "malformed fingerprint"),
    ("a=fingerprint:sha-256 zz", "malformed fingerprint"),
    ("a=ice-ufrag:ab", "malformed ice-ufrag"),
    ("a=ice-pwd:short", "malformed ice-pwd"),
    ("a=candidate:1 1 udp 2113937151 internal.example 5000 typ host", "neither an IP"),
    ("a=candidate:1 1 udp 2113937151 10.0.0.1 99999 typ host", "out of range"),
    ("a=candidate:1 1 sctp 1 10.0.0.1 5000 typ host", "malformed candidate"),
    ("a=setup:actpass\x00", "control characters"),
    ("s=\x07", "control characters"),
    ("not an sdp line", "not a `x=value`"),
])
def test_malformed_fields_are_named(line: str, complaint: str) -> None:
    with pytest.raises(OfferFieldError, match=complaint):
        check_offer_fields(f"v=0\r\n{line}\r\n")


async def test_a_hostile_offer_holds_no_stream_slot(settings, hub, phones) -> None:  # noqa: ANN001
    registry = PeerRegistry(settings, hub)
    try:
        offer = await phones().offer()
        for hostile in (replace_line(offer, "m=video", "m=video 99999999 UDP/TLS/RTP/SAVPF 96"),
                        replace_line(offer, "a=fingerprint:", "a=fingerprint:sha-256 AB:CD"),
                        offer.replace("a=setup:", "a=setup:\x00", 1)):
            with pytest.raises(InvalidOffer):
                await registry.open(ZHANG, CAMERA, hostile, "offer")
            assert registry.open_count == 0
        session = await registry.open(ZHANG, CAMERA, offer, "offer")  # the honest one works
        assert registry.open_count == 1 and session.answer_sdp.startswith("v=0")
    finally:
        await registry.close_all()
