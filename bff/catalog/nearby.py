"""In-memory "cameras near me" index (附近摄像机): distance, bearing and access in one query.

The catalogue is copied into numpy columns sorted by a lat/lon grid cell, so the cameras
of any rectangle of cells are a handful of contiguous slices. A query grows a square of
cells around the user until it holds `limit` matching cameras closer than the square's
nearest edge; the answer is then exact, not approximate. Selective filters (text,
department, type, region, "only what I may view") first pick a candidate set from an
inverted index; because positions are cell-sorted, the walk then visits only candidates
(binary search per cell range), and a small set is simply scanned whole.

Permission filtering uses the vectorized rules of `bff.auth.policy`, so the badge a user
sees here is the decision every other path makes.

The sphere's geometry (distance, bearing, how far a cell square reaches) is in
`bff.catalog.geo`; this module is the index. Longitude wrap-around at ±180° is not
handled: the catalogue covers one city.
"""

from __future__ import annotations

import functools
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec
import numpy as np

from bff.auth.policy import (
    ACCESS_LABELS,
    AccessLabel,
    AccessScope,
    CameraColumns,
    access_codes,
    dept_number,
    granted_rows,
    region_mask,
    usable_mask,
)
from bff.catalog.geo import (
    COMPASS_POINTS,
    bearings_deg,
    compass_sector,
    compass_sectors,
    distance_to_box_edge_m,
    distances_of_terms,
    has_position,
    haversine_terms,
    in_range,
    term_of_distance,
)
from bff.catalog.limits import (
    NEARBY_DEFAULT_RESULTS,
    NEARBY_MAX_RESULTS,
    SEARCH_TEXT_MAX_LENGTH,
)
from bff.lib.i18n import DEFAULT_LOCALE, translate
from bff.lib.vocabulary import (
    PERMISSIONS,
    DeviceStatus,
    OnlineState,
    Permission,
    normalize_region_prefix,
)

# A pre-selected candidate set at most this large is scanned whole; larger ones are walked
# cell by cell (restricted to the set), which costs a few binary searches per step.
DIRECT_SCAN_MAX = 4_000
# Target cameras per grid cell in the dense part of the catalogue, and a cap on the
# number of cells so a catalogue spread over the whole country stays bounded in memory.
CELL_OCCUPANCY = 8
MAX_CELLS = 4_000_000
_TEXT_CACHE_SIZE = 64
_ROW_CACHE_SIZE = 64
# A needle found in most rows ("汕尾", "441") is "dense": listing every matching row costs
# more than testing the candidates near the user one by one, so it filters the grid walk
# instead. Rarer needles may cluster far away (a county's code prefix), where testing
# row by row would crawl; they get their row list (cached) and a candidate walk.
_DENSE_TEXT_MIN = 20_000
_DENSE_TEXT_FRACTION = 0.5
_FIELD_SEP = "\x1f"
_ROW_SEP = "\n"


class NearbyHit(msgspec.Struct, frozen=True, kw_only=True):
    """One camera in a nearby answer."""

    device_id: str
    row: int
    """Index of the camera in the sequence the index was built from."""
    distance_m: float
    """Great-circle (haversine) distance from the user, metres."""
    bearing_deg: float
    """Initial bearing from the user to the camera: 0 = north, 90 = east, clockwise."""
    compass: str
    """Eight-point compass direction in Chinese (北, 东北, 东 …)."""
    access: AccessLabel
    """Badge from the authorization policy for live view."""


class NearbyRecord(Protocol):
    """What the index reads from a camera record."""

    device_id: str
    name: str
    address: str
    civil_code: str
    dept_code: str
    status: int
    share_attr: int
    default_perms: Sequence[int]
    camera_type: int
    online: int
    latitude: float
    longitude: float


@functools.cache
def compass_labels(locale: str = DEFAULT_LOCALE) -> tuple[str, ...]:
    """The words of `COMPASS_POINTS` in `locale` (looked up once: every hit has one)."""
    return tuple(translate(f"compass.{point}", locale) for point in COMPASS_POINTS)


def compass_label(bearing_deg: float, locale: str = DEFAULT_LOCALE) -> str:
    """Eight-point compass label of a bearing (0 = 北 north, clockwise) in `locale`."""
    return compass_labels(locale)[compass_sector(bearing_deg)]


def _ranges_to_indices(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Concatenate arange(s, e) for every pair, without a Python loop."""
    lengths = ends - starts
    keep = lengths > 0
    starts, lengths = starts[keep], lengths[keep]
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(total, dtype=np.int64) + shift


@dataclass(frozen=True, slots=True)
class _Grid:
    """Cell (ix, iy) covers [lon0 + ix·cell, …+cell) × [lat0 + iy·cell, …+cell); id = iy·nx + ix."""

    lon0: float
    lat0: float
    cell: float
    nx: int
    ny: int


@dataclass(frozen=True, slots=True, eq=False)
class _Arrays:
    """Everything a built index holds; positions index these arrays (cell-sorted order)."""

    n: int
    n_located: int  # positions >= n_located have no usable coordinates
    order: np.ndarray  # position -> row of the built-from sequence
    lat: np.ndarray  # radians
    lon: np.ndarray  # radians
    cos_lat: np.ndarray
    columns: CameraColumns
    camera_type: np.ndarray
    online: np.ndarray
    ids: np.ndarray  # UTF-8 device ids (S dtype)
    grid: _Grid
    cell_start: np.ndarray  # positions of cell c are cell_start[c]:cell_start[c + 1]
    haystack: str  # lower-cased "name␟address␟device_id" rows joined by newlines
    text_starts: np.ndarray
    text_ends: np.ndarray
    rows_by_dept: dict[int, np.ndarray]  # sorted positions per department code
    rows_by_type: dict[int, np.ndarray]  # sorted positions per camera type
    civil_order: np.ndarray  # positions sorted by civil code
    civil_sorted: np.ndarray


@dataclass(frozen=True, slots=True, eq=False)
class _Candidates:
    """A pre-selected candidate set: the grid walk or the direct scan looks only at it."""

    rows: np.ndarray  # sorted positions
    viewable_checked: bool = False  # rows are already known usable by the scope
    extra: np.ndarray = field(default_factory=lambda: _EMPTY)  # usable granted rows outside `rows`


class NearbyIndex:
    """Cameras in numpy columns sorted by grid cell. Build with `NearbyIndex.build`.

    Immutable once built and safe to query from several threads; rebuild to refresh.
    """

    def __init__(self, arrays: _Arrays) -> None:
        self._a = arrays
        self._lock = threading.Lock()
        self._text_cache: OrderedDict[str, _TextMatch] = OrderedDict()
        self._row_cache: OrderedDict[tuple[object, ...], np.ndarray] = OrderedDict()

    # --- construction ------------------------------------------------------------------

    @classmethod
    def build(
        cls, records: Sequence[NearbyRecord], *, cell_deg: float | None = None
    ) -> NearbyIndex:
        """Index `records` (CameraRecord or anything with the same fields).

        `cell_deg` overrides the grid cell size in degrees; by default it is chosen from
        the density of the catalogue. Rows without a usable position (missing, out of
        range, or 0,0) are kept for `get` but never come up as "nearby".
        """
        n = len(records)
        lat_deg = np.fromiter((float(r.latitude) for r in records), np.float64, n)
        lon_deg = np.fromiter((float(r.longitude) for r in records), np.float64, n)
        located = np.fromiter(
            (has_position(a, o) for a, o in zip(lat_deg.tolist(), lon_deg.tolist(), strict=True)),
            bool,
            n,
        )

        grid = _choose_grid(lat_deg[located], lon_deg[located], cell_deg)
        ncells = grid.nx * grid.ny
        cell = np.full(n, ncells, dtype=np.int64)  # the sentinel cell after the grid: no position
        if located.any():
            ix = np.floor((lon_deg[located] - grid.lon0) / grid.cell).astype(np.int64)
            iy = np.floor((lat_deg[located] - grid.lat0) / grid.cell).astype(np.int64)
            cell[located] = np.clip(iy, 0, grid.ny - 1) * grid.nx + np.clip(ix, 0, grid.nx - 1)
        order = np.argsort(cell, kind="stable").astype(np.int64)
        cell_start = np.searchsorted(cell[order], np.arange(ncells + 1, dtype=np.int64))

        columns = CameraColumns.from_records(records).take(order)
        lat = np.radians(lat_deg[order])
        lon = np.radians(lon_deg[order])
        camera_type = np.fromiter((_small_int(r.camera_type) for r in records), np.int32, n)[order]
        online = np.fromiter((_small_int(r.online) for r in records), np.int32, n)[order]
        ids = np.array([r.device_id.encode() for r in records], dtype=bytes)
        ids = ids[order] if n else np.array([], dtype="S1")

        # One lower-cased haystack; separators keep a match inside one field of one camera.
        order_list = order.tolist()
        texts = [
            f"{records[i].name}{_FIELD_SEP}{records[i].address}{_FIELD_SEP}{records[i].device_id}".lower()
            for i in order_list
        ]
        lengths = np.fromiter((len(t) for t in texts), np.int64, n)
        text_starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1])).astype(np.int64)
        haystack = _ROW_SEP.join(texts) + _ROW_SEP

        civil_order = np.argsort(columns.civil, kind="stable")
        arrays = _Arrays(
            n=n,
            n_located=int(located.sum()),
            order=order,
            lat=lat,
            lon=lon,
            cos_lat=np.cos(lat),
            columns=columns,
            camera_type=camera_type,
            online=online,
            ids=ids,
            grid=grid,
            cell_start=cell_start,
            haystack=haystack,
            text_starts=text_starts[:n],
            text_ends=text_starts[:n] + lengths,
            rows_by_dept=_inverted(columns.dept),
            rows_by_type=_inverted(camera_type),
            civil_order=civil_order,
            civil_sorted=columns.civil[civil_order],
        )
        return cls(arrays)

    def __len__(self) -> int:
        return self._a.n

    @property
    def columns(self) -> CameraColumns:
        """Policy columns in the index's internal (cell-sorted) order."""
        return self._a.columns

    def get(self, device_id: str) -> int | None:
        """Row (position in the built-from sequence) of a device id, None if unknown."""
        positions, _ = self._a.columns.rows_of([device_id])
        if not len(positions):
            return None
        return int(self._a.order[positions].min())

    # --- querying ----------------------------------------------------------------------

    def query(
        self,
        scope: AccessScope,
        lat: float,
        lon: float,
        limit: int = NEARBY_DEFAULT_RESULTS,
        radius_m: float | None = None,
        region: str | None = None,
        dept: str | None = None,
        camera_type: int | None = None,
        text: str | None = None,
        *,
        only_viewable: bool = False,
        online_only: bool = False,
        permission: int = Permission.LIVE,
    ) -> list[NearbyHit]:
        """Cameras nearest to (lat, lon), closest first, with distance, bearing and badge.

        Filters: `radius_m` (metres), `region` (civil-code prefix, "4415" = city),
        `dept` (owning department code), `camera_type` (1–5, 99), `text` (case-insensitive
        substring of name, address or device id), `only_viewable` (the user may use
        `permission` now, per the policy), `online_only`. Ties in distance go by row.
        Raises ValueError for coordinates out of range, a negative radius or a malformed
        region.
        """
        if not in_range(lat, lon):
            raise ValueError("lat/lon out of range")
        if radius_m is not None and not radius_m >= 0:
            raise ValueError("radius_m must be non-negative")
        if limit < 1:
            return []
        limit = min(limit, NEARBY_MAX_RESULTS)
        needle = _clean_text(text)
        filters = _Filters(
            region=normalize_region_prefix(region) if region else None,
            dept=dept_number(dept) if dept is not None else None,
            camera_type=camera_type,
            text=self._text_match(needle) if needle else None,
            only_viewable=only_viewable,
            online_only=online_only,
            permission=permission,
        )
        if self._a.n_located == 0:
            return []
        query = _Point(lat, lon)

        candidates = self._preselect(scope, filters)
        if candidates is not None and len(candidates.rows) <= DIRECT_SCAN_MAX:
            positions = self._filter(scope, filters, candidates.rows, candidates.viewable_checked)
            if len(candidates.extra):
                extra = self._filter(scope, filters, candidates.extra, True)
                positions = np.concatenate((positions, extra))
            hav = self._hav(positions, query)
        else:
            positions, hav = self._walk_grid(scope, filters, candidates, query, limit, radius_m)

        if radius_m is not None:
            keep = hav <= term_of_distance(radius_m)
            positions, hav = positions[keep], hav[keep]
        return self._hits(scope, positions, hav, query, limit)

    # --- candidate sets ----------------------------------------------------------------

    def _cached_rows(
        self, key: tuple[object, ...], compute: Callable[[], np.ndarray]
    ) -> np.ndarray:
        with self._lock:
            cached = self._row_cache.get(key)
            if cached is not None:
                self._row_cache.move_to_end(key)
                return cached
        rows = compute()
        with self._lock:
            self._row_cache[key] = rows
            while len(self._row_cache) > _ROW_CACHE_SIZE:
                self._row_cache.popitem(last=False)
        return rows

    def _text_match(self, needle: str) -> _TextMatch:
        """Which rows contain `needle` in name, address or device id (cached per needle)."""
        with self._lock:
            cached = self._text_cache.get(needle)
            if cached is not None:
                self._text_cache.move_to_end(needle)
                return cached
        haystack = self._a.haystack
        count = haystack.count(needle)
        if count > max(_DENSE_TEXT_MIN, self._a.n * _DENSE_TEXT_FRACTION):
            match = _TextMatch(needle=needle, rows=None)
        elif count == 0:
            match = _TextMatch(needle=needle, rows=_EMPTY)
        else:
            # str.split finds every occurrence in C; piece lengths give the match offsets.
            pieces = haystack.split(needle)
            lengths = np.fromiter(map(len, pieces), np.int64, len(pieces))
            steps = np.arange(len(pieces) - 1, dtype=np.int64) * len(needle)
            offsets = np.cumsum(lengths[:-1]) + steps
            rows = np.unique(np.searchsorted(self._a.text_starts, offsets, side="right") - 1)
            match = _TextMatch(needle=needle, rows=rows)
        with self._lock:
            self._text_cache[needle] = match
            while len(self._text_cache) > _TEXT_CACHE_SIZE:
                self._text_cache.popitem(last=False)
        return match

    def _text_contains(self, needle: str, pos: np.ndarray) -> np.ndarray:
        """Per-position test of a dense needle (run only on the few candidates left)."""
        a = self._a
        spans = zip(a.text_starts[pos].tolist(), a.text_ends[pos].tolist(), strict=True)
        return np.fromiter((a.haystack.find(needle, s, e) >= 0 for s, e in spans), bool, len(pos))

    def _preselect(self, scope: AccessScope, f: _Filters) -> _Candidates | None:
        """The smallest candidate set an inverted index gives for these filters, if any."""
        options: list[_Candidates] = []
        if f.text is not None and f.text.rows is not None:
            options.append(_Candidates(f.text.rows))
        if f.dept is not None:
            options.append(_Candidates(self._a.rows_by_dept.get(f.dept, _EMPTY)))
        if f.camera_type is not None:
            options.append(_Candidates(self._a.rows_by_type.get(f.camera_type, _EMPTY)))
        if f.region:
            options.append(_Candidates(self._region_rows(f.region)))
        if f.only_viewable:
            options.append(self._viewable(scope, f.permission))
        if not options:
            return None
        best = min(options, key=lambda c: len(c.rows) + len(c.extra))
        located = self._a.n_located
        # Rows without a position sit after the last grid cell; they are never "near".
        return _Candidates(
            best.rows[: np.searchsorted(best.rows, located)],
            best.viewable_checked,
            best.extra[best.extra < located],
        )

    def _region_rows(self, prefix: str) -> np.ndarray:
        def compute() -> np.ndarray:
            scale = 10 ** (6 - len(prefix))
            low, high = int(prefix) * scale, (int(prefix) + 1) * scale
            lo = np.searchsorted(self._a.civil_sorted, low, side="left")
            hi = np.searchsorted(self._a.civil_sorted, high, side="left")
            return np.sort(self._a.civil_order[lo:hi])

        return self._cached_rows(("region", prefix), compute)

    def _viewable(self, scope: AccessScope, permission: int) -> _Candidates:
        """What the user may use: the department's usable rows, and usable granted rows."""
        dept = dept_number(scope.dept_code)
        region = normalize_region_prefix(scope.region_prefix)

        def compute() -> np.ndarray:
            rows = self._a.rows_by_dept.get(dept, _EMPTY) if dept >= 0 else _EMPTY
            if not len(rows) or permission not in PERMISSIONS:
                return _EMPTY
            c = self._a.columns
            keep = (c.status[rows] == DeviceStatus.IN_USE) & (
                (c.perm_bits[rows] & np.uint8(1 << permission)) != 0
            )
            keep &= region_mask(c.civil[rows], region)
            return rows[keep]

        own = self._cached_rows(("own", dept, region, permission), compute)
        granted, _ = granted_rows(scope.grants, self._a.columns)
        if len(granted):
            granted = granted[usable_mask(scope, self._a.columns, permission, granted)]
            if len(own):
                idx = np.minimum(np.searchsorted(own, granted), len(own) - 1)
                granted = granted[own[idx] != granted]
        return _Candidates(own, viewable_checked=True, extra=granted)

    # --- filtering and distances -------------------------------------------------------

    def _filter(
        self, scope: AccessScope, f: _Filters, pos: np.ndarray, viewable_checked: bool
    ) -> np.ndarray:
        """Keep the candidate positions that pass every filter (cheap tests first)."""
        a = self._a
        if f.dept is not None:
            pos = pos[a.columns.dept[pos] == f.dept]
        if f.camera_type is not None:
            pos = pos[a.camera_type[pos] == f.camera_type]
        if f.online_only:
            pos = pos[a.online[pos] == OnlineState.ONLINE]
        if f.region:
            pos = pos[region_mask(a.columns.civil[pos], f.region)]
        if f.text is not None and f.text.rows is not None and len(pos):
            rows = f.text.rows
            if not len(rows):
                return _EMPTY
            idx = np.minimum(np.searchsorted(rows, pos), len(rows) - 1)
            pos = pos[rows[idx] == pos]
        if f.only_viewable and not viewable_checked and len(pos):
            pos = pos[usable_mask(scope, a.columns, f.permission, pos)]
        if f.text is not None and f.text.rows is None and len(pos):
            pos = pos[self._text_contains(f.text.needle, pos)]  # the costliest test last
        return pos

    def _hav(self, pos: np.ndarray, q: _Point) -> np.ndarray:
        """Haversine term `a` (monotonic in distance): ranking needs no asin or sqrt."""
        a = self._a
        return haversine_terms(q.lat_rad, q.lon_rad, a.lat[pos], a.lon[pos], a.cos_lat[pos])

    def _walk_grid(
        self,
        scope: AccessScope,
        f: _Filters,
        candidates: _Candidates | None,
        q: _Point,
        limit: int,
        radius_m: float | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Grow a square of cells around the user until the answer is known to be exact."""
        g = self._a.grid
        cx = math.floor((q.lon - g.lon0) / g.cell)
        cy = math.floor((q.lat - g.lat0) / g.cell)
        found_pos: list[np.ndarray] = []
        found_hav: list[np.ndarray] = []
        checked = candidates is not None and candidates.viewable_checked
        if candidates is not None and len(candidates.extra):
            # Granted rows outside the candidate set are few: take them all up front.
            extra = self._filter(scope, f, candidates.extra, True)
            found_pos.append(extra)
            found_hav.append(self._hav(extra, q))
        previous: tuple[int, int, int, int] | None = None
        half = 1
        while True:
            square = (
                max(cx - half, 0),
                min(cx + half, g.nx - 1),
                max(cy - half, 0),
                min(cy + half, g.ny - 1),
            )
            if square[0] <= square[1] and square[2] <= square[3]:
                starts, ends = self._ring_ranges(square, previous)
                if candidates is not None:
                    rows = candidates.rows
                    picked = _ranges_to_indices(
                        np.searchsorted(rows, starts), np.searchsorted(rows, ends)
                    )
                    pos = rows[picked]
                else:
                    pos = _ranges_to_indices(starts, ends)
                pos = self._filter(scope, f, pos, checked)
                if len(pos):
                    found_pos.append(pos)
                    found_hav.append(self._hav(pos, q))
                previous = square
            if previous == (0, g.nx - 1, 0, g.ny - 1):
                break  # everything has been seen
            covered = _covered_radius_m(g, cx, cy, half, q)
            if radius_m is not None and covered >= radius_m:
                break
            bound = term_of_distance(covered)
            if sum(int(np.count_nonzero(h <= bound)) for h in found_hav) >= limit:
                break
            half *= 2
        if not found_pos:
            return _EMPTY, np.empty(0)
        return np.concatenate(found_pos), np.concatenate(found_hav)

    def _ring_ranges(
        self, square: tuple[int, int, int, int], previous: tuple[int, int, int, int] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Position ranges of the cells in `square` but not in `previous` (a sub-square)."""
        x0, x1, y0, y1 = square
        nx = self._a.grid.nx
        ys = np.arange(y0, y1 + 1, dtype=np.int64)
        if previous is None:
            first, last = ys * nx + x0, ys * nx + x1
        else:
            px0, px1, py0, py1 = previous
            outside = (ys < py0) | (ys > py1)
            inner, outer = ys[~outside], ys[outside]
            # Whole rows above and below the old square, left and right strips beside it.
            first = np.concatenate((outer * nx + x0, inner * nx + x0, inner * nx + px1 + 1))
            last = np.concatenate((outer * nx + x1, inner * nx + px0 - 1, inner * nx + x1))
            keep = last >= first
            first, last = first[keep], last[keep]
        cell_start = self._a.cell_start
        return cell_start[first], cell_start[last + 1]

    def _hits(
        self, scope: AccessScope, positions: np.ndarray, hav: np.ndarray, q: _Point, limit: int
    ) -> list[NearbyHit]:
        if not len(positions):
            return []
        a = self._a
        rows = a.order[positions]
        if len(positions) > limit:
            # Keep everything as close as the limit-th so equal distances stay ordered by row.
            cut = np.partition(hav, limit - 1)[limit - 1]
            keep = hav <= cut
            positions, hav, rows = positions[keep], hav[keep], rows[keep]
        ranked = np.lexsort((rows, hav))[:limit]
        positions, hav, rows = positions[ranked], hav[ranked], rows[ranked]

        distance = distances_of_terms(hav)
        bearing = bearings_deg(q.lat_rad, q.lon_rad, a.lat[positions], a.lon[positions])
        codes = access_codes(scope, a.columns, positions).tolist()
        ids = a.ids[positions].tolist()
        words = compass_labels()
        return [
            NearbyHit(device_id=device_id.decode(), row=row, distance_m=metres,
                      bearing_deg=degrees, compass=words[sector], access=ACCESS_LABELS[code])
            for device_id, row, metres, degrees, sector, code in zip(
                ids, rows.tolist(), distance.tolist(), bearing.tolist(),
                compass_sectors(bearing).tolist(), codes, strict=True)
        ]


@dataclass(frozen=True, slots=True)
class _Point:
    lat: float
    lon: float

    @property
    def lat_rad(self) -> float:
        return math.radians(self.lat)

    @property
    def lon_rad(self) -> float:
        return math.radians(self.lon)


class _TextMatch(msgspec.Struct, frozen=True):
    needle: str
    rows: Any  # sorted positions containing the needle; None = too many, test per row


class _Filters(msgspec.Struct, frozen=True, kw_only=True):
    region: str | None
    dept: int | None
    camera_type: int | None
    text: _TextMatch | None
    only_viewable: bool
    online_only: bool
    permission: int


_EMPTY = np.empty(0, dtype=np.int64)


def _small_int(value: Any) -> int:
    """An int column value; anything else (None, text) becomes -1 so it never matches."""
    return value if isinstance(value, int) and -(2**31) < value < 2**31 else -1


def _clean_text(text: str | None) -> str:
    if not text:
        return ""
    # Separators and other control characters can never be part of a match.
    cleaned = "".join(ch for ch in text if ch.isprintable()).strip().lower()
    return cleaned[:SEARCH_TEXT_MAX_LENGTH]


def _covered_radius_m(grid: _Grid, cx: int, cy: int, half: int, q: _Point) -> float:
    """Distance from the query point to the nearest edge of its (unclipped) cell square.

    Every camera closer than this lies inside the square. Cells beyond the grid are empty,
    so the unclipped square is the right one even where it hangs over the edge.
    """
    west = grid.lon0 + (cx - half) * grid.cell
    east = grid.lon0 + (cx + half + 1) * grid.cell
    south = grid.lat0 + (cy - half) * grid.cell
    north = grid.lat0 + (cy + half + 1) * grid.cell
    # Across a pole the bound is 0: the walk keeps growing to the full grid. A hair of
    # margin against rounding in the comparisons that follow.
    return 0.999 * distance_to_box_edge_m(q.lat, q.lon, south, north, west, east)


def _choose_grid(lat: np.ndarray, lon: np.ndarray, cell_deg: float | None) -> _Grid:
    """Grid origin, cell size and shape for the located cameras."""
    if len(lat) == 0:
        return _Grid(lon0=0.0, lat0=0.0, cell=1.0, nx=1, ny=1)
    lon0, lat0 = float(lon.min()), float(lat.min())
    width = max(float(lon.max()) - lon0, 1e-6)
    height = max(float(lat.max()) - lat0, 1e-6)
    if cell_deg is None:
        # Size cells for where cameras actually are (the central 98 %), not for outliers.
        lo_lon, hi_lon = np.percentile(lon, [1, 99])
        lo_lat, hi_lat = np.percentile(lat, [1, 99])
        dense_area = max(float(hi_lon - lo_lon), 1e-3) * max(float(hi_lat - lo_lat), 1e-3)
        cell_deg = math.sqrt(dense_area * CELL_OCCUPANCY / len(lat))
        cell_deg = min(max(cell_deg, 0.0005), 1.0)
    elif not cell_deg > 0:
        raise ValueError("cell_deg must be positive")
    while (math.floor(width / cell_deg) + 1) * (math.floor(height / cell_deg) + 1) > MAX_CELLS:
        cell_deg *= 1.5
    return _Grid(
        lon0=lon0,
        lat0=lat0,
        cell=float(cell_deg),
        nx=math.floor(width / cell_deg) + 1,
        ny=math.floor(height / cell_deg) + 1,
    )


def _inverted(values: np.ndarray) -> dict[int, np.ndarray]:
    """Value → sorted positions holding it."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    uniques, starts = np.unique(ordered, return_index=True)
    ends = np.append(starts[1:], len(ordered))[: len(starts)]
    return {
        int(u): order[s:e].astype(np.int64) for u, s, e in zip(uniques, starts, ends, strict=True)
    }
