"""Authorization decisions on cameras (分权分域, SPEC §4.3) — the one place they are made.

A user may use permission P on camera C when C is in use (status 1), C lies in the
user's region scope (a civil-code prefix), and either the user's department owns C and P
is among C's default permissions, or the user holds an unexpired grant on C covering P.
Administrators follow the same rule: they manage, but need grants to watch. Steering a
camera (`may_control`) also needs a PTZ head; administration (`may_administer`) is decided
by role alone.

Every decision exists twice: scalar functions for one camera (`may_use`, `may_request`,
`access_label`) and vectorized ones over `CameraColumns` for the nearby index
(`usable_mask`, `requestable_mask`, `access_codes`). Both are built from the same
normalization helpers below, and a unit test checks that they agree on the whole demo
catalogue.

Decisions read cameras through `CameraLike` and the codes of `bff.lib.vocabulary`, never the
catalogue's own types, so this package imports nothing from `bff.catalog`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, get_args

import msgspec
import numpy as np

from bff.auth.models import Role
from bff.lib.vocabulary import (
    PERMISSIONS,
    PTZ_CAMERA_TYPES,
    DeviceStatus,
    Permission,
    ShareAttr,
    civil_code_in_region,
    normalize_region_prefix,
)

AccessLabel = Literal["may_view", "request", "not_shared", "out_of_scope", "unavailable"]
"""The badge a camera shows this user (decided for live view, permission 1)."""

# Index = the small integer code the vectorized functions return.
ACCESS_LABELS: tuple[AccessLabel, ...] = get_args(AccessLabel)
MAY_VIEW, REQUEST, NOT_SHARED, OUT_OF_SCOPE, UNAVAILABLE = range(len(ACCESS_LABELS))

_REQUESTABLE_SHARE = frozenset({ShareAttr.CONDITIONAL, ShareAttr.UNCONDITIONAL})
# Plain ints for numpy comparisons: an IntEnum scalar costs numpy a conversion per call.
_IN_USE = int(DeviceStatus.IN_USE)
_CONDITIONAL, _UNCONDITIONAL = int(ShareAttr.CONDITIONAL), int(ShareAttr.UNCONDITIONAL)


class AccessScope(msgspec.Struct, frozen=True, kw_only=True):
    """What one signed-in user may reach: department, region and current grants.

    `grants` maps device_id → permissions, already limited to unexpired grants by whoever
    builds the scope (the auth service), so decisions here need no clock.
    """

    user_id: int | str
    dept_code: str
    """Owning department/industry code of the user (01–32, 99), as on cameras."""
    region_prefix: str
    """Civil-code prefix of the user's area: "4415" = all of Shanwei, "441581" = 陆丰市."""
    grants: Mapping[str, frozenset[int]] = msgspec.field(default_factory=dict)
    role: str = "user"
    """"admin" for 市视频办 administrators; it changes nothing about viewing."""

    @property
    def is_admin(self) -> bool:
        """True for platform administrators (they still need grants to watch)."""
        return may_administer(self.role)


class CameraLike(Protocol):
    """What a decision needs from a camera (a CameraRecord, an ORM row, …)."""

    device_id: str
    status: int
    civil_code: str
    dept_code: str
    default_perms: Sequence[int]
    share_attr: int
    camera_type: int


def may_administer(role: str) -> bool:
    """True for 市视频办 administrators: they manage the catalogue and users (admin pages).
    Viewing still follows `may_use` like everyone else's."""
    return role == Role.ADMIN


# --- normalization shared by the scalar and the vectorized path -------------------------


def dept_number(code: Any) -> int:
    """Department code as an int, -1 unless exactly two ASCII digits (so "6" ≠ "06").

    Vectorized decisions compare these ints; -1 never equals a valid code.
    """
    if isinstance(code, str) and len(code) == 2 and code.isascii() and code.isdigit():
        return int(code)
    return -1


def _civil_number(code: Any) -> int:
    """Civil code as an int, -1 unless exactly six ASCII digits."""
    if isinstance(code, str) and len(code) == 6 and code.isascii() and code.isdigit():
        return int(code)
    return -1


def _perm_bits(perms: Iterable[int]) -> int:
    bits = 0
    for perm in perms:
        if perm in PERMISSIONS:
            bits |= 1 << perm
    return bits


def _int_or(value: Any, default: int) -> int:
    # Same equality the scalar rules use: 1, True and 1.0 are all "1".
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return int(value) if isinstance(value, int) and -(2**31) < value < 2**31 else default


def _own_department(scope: AccessScope, camera: CameraLike) -> bool:
    own = dept_number(scope.dept_code)
    return own >= 0 and own == dept_number(camera.dept_code)


# --- scalar decisions -------------------------------------------------------------------


def may_use(scope: AccessScope, camera: CameraLike, permission: int) -> bool:
    """True when the user may use `permission` (1 live … 5 clip) on the camera now."""
    if permission not in PERMISSIONS:
        return False
    if camera.status != DeviceStatus.IN_USE:
        return False
    if not civil_code_in_region(camera.civil_code, scope.region_prefix):
        return False
    if _own_department(scope, camera) and permission in camera.default_perms:
        return True
    return permission in scope.grants.get(camera.device_id, ())


def may_request(scope: AccessScope, camera: CameraLike, permission: int) -> bool:
    """True when the user cannot use `permission` now but may file a share request for it.

    Cameras marked 不予共享 (share_attr 2) are negotiated only through the platform
    administrator, outside this flow, so they are not requestable.
    """
    if permission not in PERMISSIONS:
        return False
    if camera.status != DeviceStatus.IN_USE:
        return False
    if not civil_code_in_region(camera.civil_code, scope.region_prefix):
        return False
    if may_use(scope, camera, permission):
        return False
    return camera.share_attr in _REQUESTABLE_SHARE


def access_label(scope: AccessScope, camera: CameraLike) -> AccessLabel:
    """Badge for the camera list: may_view, request, not_shared, out_of_scope, unavailable.

    Decided for live view (permission 1), in that priority: a camera not in use is
    unavailable whoever asks; outside the region scope nothing else matters.
    """
    if camera.status != DeviceStatus.IN_USE:
        return "unavailable"
    if not civil_code_in_region(camera.civil_code, scope.region_prefix):
        return "out_of_scope"
    if may_use(scope, camera, Permission.LIVE):
        return "may_view"
    if camera.share_attr in _REQUESTABLE_SHARE:
        return "request"
    # 2 = not shared; unknown values fail closed the same way.
    return "not_shared"


def may_control(scope: AccessScope, camera: CameraLike) -> bool:
    """True when the camera has a PTZ head (type 1 or 4) and the user holds permission 4
    (云台) on it now: whether the live page shows the PTZ pad and a PTZ command may pass."""
    return camera.camera_type in PTZ_CAMERA_TYPES and may_use(scope, camera, Permission.PTZ)


# --- vectorized decisions ---------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class CameraColumns:
    """The columns the rules read, one entry per camera, for whole-array decisions.

    Build with `from_records`; reorder with `take`. Row numbers are positions in these
    arrays. Device ids are kept sorted (as UTF-8 bytes) so grants map to rows by binary
    search instead of a million-entry dict.
    """

    civil: np.ndarray  # int32, -1 = malformed
    dept: np.ndarray  # int16, -1 = malformed
    status: np.ndarray  # int32
    share_attr: np.ndarray  # int32
    perm_bits: np.ndarray  # uint8, bit p set when p is a default permission
    ids_sorted: np.ndarray  # bytes (S), ascending
    ids_sorted_rows: np.ndarray  # int64, row of each entry of ids_sorted
    # Resolved grant sets (rows, bits), keyed by their content: resolving means binary
    # searches over byte strings, and one user asks many queries with the same grants.
    _grant_cache: dict[frozenset[tuple[str, frozenset[int]]], tuple[np.ndarray, np.ndarray]] = (
        field(default_factory=dict, repr=False)
    )

    @classmethod
    def from_records(cls, records: Sequence[CameraLike]) -> CameraColumns:
        """Extract the policy columns from camera records (any objects with the fields)."""
        n = len(records)
        civil = np.fromiter((_civil_number(r.civil_code) for r in records), np.int32, n)
        dept = np.fromiter((dept_number(r.dept_code) for r in records), np.int16, n)
        status = np.fromiter((_int_or(r.status, -1) for r in records), np.int32, n)
        share = np.fromiter((_int_or(r.share_attr, -1) for r in records), np.int32, n)
        bits = np.fromiter((_perm_bits(r.default_perms) for r in records), np.uint8, n)
        ids = np.array([r.device_id.encode() for r in records], dtype=bytes)
        if not n:
            ids = np.array([], dtype="S1")
        return cls._with_ids(civil, dept, status, share, bits, ids)

    @classmethod
    def _with_ids(cls, civil, dept, status, share, bits, ids) -> CameraColumns:  # type: ignore[no-untyped-def]
        order = np.argsort(ids, kind="stable")
        return cls(
            civil=civil,
            dept=dept,
            status=status,
            share_attr=share,
            perm_bits=bits,
            ids_sorted=ids[order],
            ids_sorted_rows=order.astype(np.int64),
        )

    def __len__(self) -> int:
        return len(self.civil)

    def take(self, order: np.ndarray) -> CameraColumns:
        """Columns reordered so that new row i is old row order[i]."""
        inverse = np.empty(len(order), dtype=np.int64)
        inverse[order] = np.arange(len(order), dtype=np.int64)
        new_rows = inverse[self.ids_sorted_rows]
        return CameraColumns(
            civil=self.civil[order],
            dept=self.dept[order],
            status=self.status[order],
            share_attr=self.share_attr[order],
            perm_bits=self.perm_bits[order],
            ids_sorted=self.ids_sorted,
            ids_sorted_rows=new_rows,
        )

    def rows_of(self, device_ids: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Rows holding each device id: (rows, index of the id in the input) pairs.

        Duplicate device ids in the catalogue yield every row, as the scalar rule would.
        """
        wanted = [d.encode() for d in device_ids]
        if not wanted or not len(self.ids_sorted):
            return np.empty(0, np.int64), np.empty(0, np.int64)
        keys = np.array(wanted, dtype=bytes)
        left = np.searchsorted(self.ids_sorted, keys, side="left")
        right = np.searchsorted(self.ids_sorted, keys, side="right")
        counts = right - left
        total = int(counts.sum())
        if total == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        which = np.repeat(np.arange(len(keys)), counts)
        offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        positions = np.repeat(left, counts) + offsets
        return self.ids_sorted_rows[positions], which


def region_mask(civil: np.ndarray, region: str) -> np.ndarray:
    """Vectorized `civil_code_in_region` over int civil codes (-1 = malformed)."""
    prefix = normalize_region_prefix(region)
    if not prefix:
        return np.ones(len(civil), dtype=bool)
    scale = 10 ** (6 - len(prefix))
    return (civil >= 0) & (civil // scale == int(prefix))


_GRANT_CACHE_SIZE = 256


def granted_rows(
    grants: Mapping[str, Iterable[int]], columns: CameraColumns
) -> tuple[np.ndarray, np.ndarray]:
    """Rows the grants cover (sorted, unique) and the permission bits on each."""
    if not grants:
        return np.empty(0, np.int64), np.empty(0, np.uint8)
    key = frozenset((device_id, frozenset(perms)) for device_id, perms in grants.items())
    cached = columns._grant_cache.get(key)
    if cached is not None:
        return cached
    device_ids = list(grants)
    rows, which = columns.rows_of(device_ids)
    per_id = np.fromiter((_perm_bits(grants[d]) for d in device_ids), np.uint8, len(device_ids))
    bits = per_id[which]
    order = np.argsort(rows, kind="stable")
    rows, bits = rows[order], bits[order]
    # Several grants can hit one row only through duplicate ids; OR them together.
    unique_rows, start = np.unique(rows, return_index=True)
    merged = np.bitwise_or.reduceat(bits, start) if len(bits) else bits
    result = (unique_rows, merged.astype(np.uint8))
    cache = columns._grant_cache
    if len(cache) >= _GRANT_CACHE_SIZE:
        cache.pop(next(iter(cache), None), None)  # oldest first: dicts keep insertion order
    cache[key] = result
    return result


def _grant_bits(scope: AccessScope, columns: CameraColumns, rows: np.ndarray | None) -> np.ndarray:
    """Per-row permission bits the user's grants give (0 where no grant)."""
    size = len(columns) if rows is None else len(rows)
    out = np.zeros(size, dtype=np.uint8)
    unique_rows, merged = granted_rows(scope.grants, columns)
    if not len(unique_rows):
        return out
    if rows is None:
        out[unique_rows] = merged
        return out
    idx = np.searchsorted(unique_rows, rows)
    idx_clipped = np.minimum(idx, len(unique_rows) - 1)
    hit = (idx < len(unique_rows)) & (unique_rows[idx_clipped] == rows)
    out[hit] = merged[idx_clipped[hit]]
    return out


def _select(array: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    return array if rows is None else array[rows]


def _usable(
    scope: AccessScope,
    columns: CameraColumns,
    permission: int,
    rows: np.ndarray | None,
    in_use: np.ndarray,
    in_region: np.ndarray,
) -> np.ndarray:
    bit = np.uint8(1 << permission)
    own_dept = dept_number(scope.dept_code)
    own = (_select(columns.dept, rows) == own_dept) & (own_dept >= 0)
    own &= (_select(columns.perm_bits, rows) & bit) != 0
    granted = (_grant_bits(scope, columns, rows) & bit) != 0
    return in_use & in_region & (own | granted)


def _in_use_and_region(
    scope: AccessScope, columns: CameraColumns, permission: int, rows: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray] | None:
    """The two masks every rule starts from; None for an unknown permission."""
    if permission not in PERMISSIONS:
        return None
    in_use = _select(columns.status, rows) == _IN_USE
    return in_use, region_mask(_select(columns.civil, rows), scope.region_prefix)


def _nobody(columns: CameraColumns, rows: np.ndarray | None) -> np.ndarray:
    return np.zeros(len(columns) if rows is None else len(rows), dtype=bool)


def usable_mask(
    scope: AccessScope, columns: CameraColumns, permission: int, rows: np.ndarray | None = None
) -> np.ndarray:
    """Vectorized `may_use` over all rows, or over `rows` (an int array) when given."""
    masks = _in_use_and_region(scope, columns, permission, rows)
    if masks is None:
        return _nobody(columns, rows)
    return _usable(scope, columns, permission, rows, *masks)


def requestable_mask(
    scope: AccessScope, columns: CameraColumns, permission: int, rows: np.ndarray | None = None
) -> np.ndarray:
    """Vectorized `may_request` over all rows, or over `rows` when given."""
    masks = _in_use_and_region(scope, columns, permission, rows)
    if masks is None:
        return _nobody(columns, rows)
    in_use, in_region = masks
    usable = _usable(scope, columns, permission, rows, in_use, in_region)
    share = _select(columns.share_attr, rows)
    shareable = (share == _CONDITIONAL) | (share == _UNCONDITIONAL)
    return in_use & in_region & ~usable & shareable


def access_codes(
    scope: AccessScope, columns: CameraColumns, rows: np.ndarray | None = None
) -> np.ndarray:
    """Vectorized `access_label`: int8 indexes into `ACCESS_LABELS`, per row."""
    in_use = _select(columns.status, rows) == _IN_USE
    in_region = region_mask(_select(columns.civil, rows), scope.region_prefix)
    usable = _usable(scope, columns, Permission.LIVE, rows, in_use, in_region)
    share = _select(columns.share_attr, rows)
    shareable = (share == _CONDITIONAL) | (share == _UNCONDITIONAL)
    # Later assignments win, mirroring the early returns of the scalar function.
    codes = np.where(shareable, REQUEST, NOT_SHARED).astype(np.int8)
    codes[usable] = MAY_VIEW
    codes[~in_region] = OUT_OF_SCOPE
    codes[~in_use] = UNAVAILABLE
    return codes


def access_labels(
    scope: AccessScope, columns: CameraColumns, rows: np.ndarray | None = None
) -> list[AccessLabel]:
    """`access_codes` turned into label strings (convenient for small row sets)."""
    return [ACCESS_LABELS[c] for c in access_codes(scope, columns, rows).tolist()]
