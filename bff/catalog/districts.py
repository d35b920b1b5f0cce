"""The county-level areas of Shanwei (汕尾) as the catalogue and the UI's region filter
know them: real reference data (GB/T 2260 codes, seats, plan §1.2 connected counts).

红海湾 and 华侨区 are functional areas without GB/T 2260 codes: they carry LOCAL codes
(see `bff.catalog.gbt28181.LOCAL_CIVIL_CODES`, which the code checker accepts by default).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import msgspec

from bff.catalog.gbt28181 import (
    LOCAL_CIVIL_CODES,
)

# LOCAL civil codes, not GB/T 2260: the two functional areas have no national code (see
# `bff.catalog.gbt28181.LOCAL_CIVIL_CODES`, which the code checker accepts by default).
HONGHAIWAN_CIVIL_CODE = "441571"
HUAQIAO_CIVIL_CODE = "441572"
assert HONGHAIWAN_CIVIL_CODE in LOCAL_CIVIL_CODES and HUAQIAO_CIVIL_CODE in LOCAL_CIVIL_CODES


class District(msgspec.Struct, frozen=True, kw_only=True):
    """A county-level area of Shanwei as the UI's region filter shows it."""

    key: str
    name: str
    """Short name used in camera names (城区, 海丰县 …)."""
    full_name: str
    civil_code: str
    local_code: bool
    """True when `civil_code` is a local code, not GB/T 2260 (红海湾, 华侨区)."""
    centre: tuple[float, float]
    """(longitude, latitude) of the seat, WGS84."""
    bbox: tuple[float, float, float, float]
    """(min_lon, min_lat, max_lon, max_lat): every demo camera of the area lies inside."""
    connected: int
    """Cameras connected to the city platform (plan §1.2)."""
    org_prefix: str
    """Prefix of the area's government bodies (陆丰市 + 市场监督管理局)."""
    police: str
    """The area's public security bureau."""


DISTRICTS: tuple[District, ...] = (
    District(
        key="chengqu", name="城区", full_name="汕尾市城区", civil_code="441502",
        local_code=False, centre=(115.372, 22.787), bbox=(115.20, 22.68, 115.50, 22.88),
        connected=2_882, org_prefix="汕尾市城区", police="汕尾市公安局城区分局",
    ),
    District(
        key="haifeng", name="海丰县", full_name="汕尾市海丰县", civil_code="441521",
        local_code=False, centre=(115.323, 22.967), bbox=(115.00, 22.78, 115.52, 23.32),
        connected=5_508, org_prefix="海丰县", police="海丰县公安局",
    ),
    District(
        key="lufeng", name="陆丰市", full_name="汕尾市陆丰市", civil_code="441581",
        local_code=False, centre=(115.650, 22.945), bbox=(115.48, 22.74, 116.15, 23.22),
        connected=9_285, org_prefix="陆丰市", police="陆丰市公安局",
    ),
    District(
        key="luhe", name="陆河县", full_name="汕尾市陆河县", civil_code="441523",
        local_code=False, centre=(115.655, 23.300), bbox=(115.45, 23.12, 115.92, 23.50),
        connected=1_666, org_prefix="陆河县", police="陆河县公安局",
    ),
    District(
        key="honghaiwan", name="红海湾", full_name="汕尾市红海湾经济开发区",
        civil_code=HONGHAIWAN_CIVIL_CODE, local_code=True, centre=(115.553, 22.722),
        bbox=(115.47, 22.62, 115.62, 22.76), connected=249,
        org_prefix="汕尾市红海湾经济开发区", police="汕尾市公安局红海湾经济开发区分局",
    ),
    District(
        key="huaqiao", name="华侨区", full_name="汕尾市华侨管理区",
        civil_code=HUAQIAO_CIVIL_CODE, local_code=True, centre=(115.450, 22.930),
        bbox=(115.40, 22.88, 115.50, 22.98), connected=49,
        org_prefix="汕尾市华侨管理区", police="汕尾市公安局华侨管理区分局",
    ),
)  # fmt: skip

DISTRICTS_BY_CODE: Mapping[str, District] = MappingProxyType({d.civil_code: d for d in DISTRICTS})


def district_of(civil_code: str) -> District | None:
    """The district a civil code belongs to (exact code or a code inside it), else None."""
    district = DISTRICTS_BY_CODE.get(civil_code)
    if district is not None:
        return district
    for candidate in DISTRICTS:
        if civil_code.startswith(candidate.civil_code):
            return candidate
    return None

