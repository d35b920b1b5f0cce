"""Camera vocabulary that authorization and the catalogue both speak (plan appendix 5,
SPEC §4.1 and §4.3): permission codes, sharing attribute, device status, online state,
camera types, and regions as civil-code prefixes.

A leaf module: it imports nothing from the capability packages, so `bff.auth` (which
decides) and `bff.catalog` (which stores and lists) share these codes without importing
each other. The values are the codes the platform and appendix 5 use; being IntEnums, they
compare equal to the plain ints stored in records and database rows.
"""

from __future__ import annotations

from enum import IntEnum


class Permission(IntEnum):
    """权限: what a user may do with a camera — a camera's 默认权限 (default permissions
    of its own department) and the permissions a grant (授权) gives."""

    LIVE = 1
    """实时调阅 — live view."""
    PLAYBACK = 2
    """录像回放 — playback of recordings."""
    DOWNLOAD = 3
    """录像下载 — download of recordings."""
    PTZ = 4
    """云台控制 — pan/tilt/zoom control."""
    CLIP = 5
    """视频剪辑 — clipping."""


PERMISSIONS: frozenset[int] = frozenset(Permission)
"""Every permission code, for membership tests on raw ints (`1 in Permission` raises
before Python 3.12)."""


class ShareAttr(IntEnum):
    """共享属性: how users of other departments come to hold grants (plan §4.3.4)."""

    CONDITIONAL = 0
    """有条件共享 — the owning department's approver decides a request."""
    UNCONDITIONAL = 1
    """无条件共享 — a request is granted at once."""
    NOT_SHARED = 2
    """不予共享 — no requests; negotiated only through the platform administrator."""


class DeviceStatus(IntEnum):
    """设备状态: only cameras in use may be used by anyone."""

    IN_USE = 1
    """在用."""
    UNDER_REPAIR = 2
    """维修."""
    REMOVED = 3
    """拆除."""


class OnlineState(IntEnum):
    """联网状态: whether the platform reaches the camera now."""

    ONLINE = 1
    """在线."""
    OFFLINE = 2
    """离线."""


class CameraType(IntEnum):
    """摄像机类型."""

    PTZ_DOME = 1
    """球机 — PTZ dome."""
    FIXED_DOME = 2
    """固定半球 — fixed dome."""
    FIXED_BULLET = 3
    """固定枪机 — fixed bullet."""
    PTZ_BULLET = 4
    """云台枪机 — bullet on a PTZ head."""
    CHECKPOINT_BULLET = 5
    """卡口枪机 — checkpoint bullet."""
    OTHER = 99
    """其他."""


PTZ_CAMERA_TYPES: frozenset[int] = frozenset({CameraType.PTZ_DOME, CameraType.PTZ_BULLET})
"""Camera types with a PTZ head (云台): the only ones that take PTZ commands."""


# --- regions: civil-code prefixes (行政区划, GB/T 2260) ----------------------------------

CIVIL_CODE_LENGTH = 6


def _is_digits(text: str) -> bool:
    # str.isdigit() accepts full-width and other Unicode digits; codes are ASCII only.
    return text.isascii() and text.isdigit()


def normalize_region_prefix(region: str) -> str:
    """Turn a region (civil-code prefix or full civil code) into the prefix it stands for.

    "441500" (a city code) and "4415" both mean the whole city, "440000" the province,
    "" everywhere. Raises ValueError for anything but up to six ASCII digits.
    """
    region = region.strip()
    if region and not _is_digits(region):
        raise ValueError(f"region must be digits: {region!r}")
    if len(region) > CIVIL_CODE_LENGTH:
        raise ValueError(f"region longer than a civil code: {region!r}")
    if len(region) == CIVIL_CODE_LENGTH:
        # Zero-padded lower levels mean "all of the level above".
        while region.endswith("00"):
            region = region[:-2]
    return region


def civil_code_in_region(civil_code: str, region: str) -> bool:
    """True when the camera's civil code lies inside `region` (a prefix; "4415" = Shanwei).

    A malformed civil code lies only inside the empty region (everywhere): scope checks
    must fail closed on bad data.
    """
    prefix = normalize_region_prefix(region)
    if not prefix:
        return True
    if len(civil_code) != CIVIL_CODE_LENGTH or not _is_digits(civil_code):
        return False
    return civil_code.startswith(prefix)
