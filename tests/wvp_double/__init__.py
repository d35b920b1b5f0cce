"""A faithful test double of WVP-GB28181-pro (+ ZLMediaKit's HTTP streams), served on
127.0.0.1 from a background thread. See `server` for what it mimics and how it is
assembled, one module per area of WVP's API."""

from tests.wvp_double.server import WvpDouble
from tests.wvp_double.state import VERSIONS, ChannelSpec, Recorded

__all__ = ["VERSIONS", "ChannelSpec", "Recorded", "WvpDouble"]
