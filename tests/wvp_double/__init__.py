"""A faithful test double of WVP-GB28181-pro (+ ZLMediaKit's HTTP streams), served on
127.0.0.1 from a background thread. See `server` for what it mimics."""

from tests.wvp_double.server import VERSIONS, ChannelSpec, Recorded, WvpDouble

__all__ = ["VERSIONS", "ChannelSpec", "Recorded", "WvpDouble"]
