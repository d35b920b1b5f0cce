"""Field-by-field checks of a browser's SDP offer, before the SDP parser and before any
stream slot is held (SECURITY.md: hostile network).

aiortc's parser is lenient: it accepts ports beyond 65535, fingerprints of any length and
control characters, and would let such an offer take one of the user's streams until the
connect timeout. These checks follow RFC 8866 (SDP), RFC 8839 (ICE attributes) and
RFC 8122 (fingerprints) for the fields the BFF relies on; anything else in the offer is
left to the parser.
"""

from __future__ import annotations

import ipaddress
import re

_LINE = re.compile(r"[a-z]=[\x20-\x7e\u00a0-\uffff]*")
_MEDIA = re.compile(r"m=(audio|video|application) (\d{1,5})(?:/\d{1,5})? ([A-Z0-9/]+) [\w\- ]+")
_FINGERPRINT = re.compile(r"a=fingerprint:(sha-1|sha-224|sha-256|sha-384|sha-512) "
                          r"((?:[0-9A-Fa-f]{2}:)*[0-9A-Fa-f]{2})")
_FINGERPRINT_BYTES = {"sha-1": 20, "sha-224": 28, "sha-256": 32, "sha-384": 48, "sha-512": 64}
_ICE_CHARS = r"[A-Za-z0-9+/]"
_UFRAG = re.compile(rf"a=ice-ufrag:{_ICE_CHARS}{{4,256}}")
_PWD = re.compile(rf"a=ice-pwd:{_ICE_CHARS}{{22,256}}")
_CANDIDATE = re.compile(
    rf"a=candidate:{_ICE_CHARS}{{1,32}} (\d{{1,3}}) (udp|tcp|UDP|TCP) (\d{{1,10}}) (\S+) "
    r"(\d{1,5}) typ (host|srflx|prflx|relay)(?: .*)?")
_MDNS_NAME = re.compile(r"[0-9a-fA-F-]{1,64}\.local")
MAX_LINES = 400


class OfferFieldError(ValueError):
    """Which field of the offer is wrong (English, for the log and the 400's detail)."""


def check_offer_fields(sdp: str) -> None:
    """Raise OfferFieldError naming the first field that is malformed."""
    lines = sdp.split("\r\n") if "\r\n" in sdp else sdp.split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    if len(lines) > MAX_LINES:
        raise OfferFieldError(f"more than {MAX_LINES} lines")
    for number, line in enumerate(lines, start=1):
        if not _LINE.fullmatch(line):
            raise OfferFieldError(f"line {number} is not a `x=value` SDP line or holds "
                                  "control characters")
        kind = line[:2]
        if kind == "m=":
            _check_media(line, number)
        elif line.startswith("a=fingerprint:"):
            _check_fingerprint(line, number)
        elif line.startswith("a=ice-ufrag:") and not _UFRAG.fullmatch(line):
            raise OfferFieldError(f"line {number}: malformed ice-ufrag")
        elif line.startswith("a=ice-pwd:") and not _PWD.fullmatch(line):
            raise OfferFieldError(f"line {number}: malformed ice-pwd")
        elif line.startswith("a=candidate:"):
            _check_candidate(line, number)


def _check_media(line: str, number: int) -> None:
    match = _MEDIA.fullmatch(line)
    if not match:
        raise OfferFieldError(f"line {number}: malformed m-line")
    if int(match.group(2)) > 65535:
        raise OfferFieldError(f"line {number}: port out of range")


def _check_fingerprint(line: str, number: int) -> None:
    match = _FINGERPRINT.fullmatch(line)
    if not match:
        raise OfferFieldError(f"line {number}: malformed fingerprint")
    if len(match.group(2).split(":")) != _FINGERPRINT_BYTES[match.group(1)]:
        raise OfferFieldError(f"line {number}: fingerprint length does not match "
                              f"{match.group(1)}")


def _check_candidate(line: str, number: int) -> None:
    match = _CANDIDATE.fullmatch(line)
    if not match:
        raise OfferFieldError(f"line {number}: malformed candidate")
    component, _, priority, address, port, _ = match.groups()
    if not 1 <= int(component) <= 256 or int(priority) > 2**32 - 1 or int(port) > 65535:
        raise OfferFieldError(f"line {number}: candidate number out of range")
    if _MDNS_NAME.fullmatch(address):
        return
    try:
        ipaddress.ip_address(address)
    except ValueError:
        raise OfferFieldError(f"line {number}: candidate address is neither an IP address "
                              "nor an mDNS name") from None
