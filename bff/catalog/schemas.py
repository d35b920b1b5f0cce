"""Catalogue records (plan appendix 5, 附录五) and the shapes the catalogue API returns."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from bff.auth.policy import AccessLabel
from bff.catalog.limits import (
    NEARBY_DEFAULT_RESULTS,
    NEARBY_MAX_RADIUS_M,
    NEARBY_MAX_RESULTS,
    SEARCH_TEXT_MAX_LENGTH,
)
from bff.lib.schemas import Schema
from bff.lib.vocabulary import CameraType, DeviceStatus, ShareAttr

# Enumerations of appendix 5 that the importer validates; the values are the codes the
# platform uses. Those the policy also reads are defined in `bff.lib.vocabulary`.
POINT_CLASSES = frozenset({1, 2, 3, 9})
DEPT_CODES = frozenset({f"{n:02d}" for n in range(1, 33)} | {"99"})
CAMERA_TYPES = frozenset(CameraType)
NETWORKS = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 9, 99})
SHARE_ATTRS = frozenset(ShareAttr)
CODECS = frozenset({1, 2, 3, 4, 5})
STATUSES = frozenset(DeviceStatus)


class CameraRecord(msgspec.Struct, kw_only=True):
    """One camera of the resource catalogue, appendix-5 fields (SPEC §4.1).

    `code_flags` lists why `device_id` breaks GB/T 28181 rules (empty = conforming):
    such rows are flagged, never rejected (plan appendix 4).
    """

    device_id: str
    name: str
    civil_code: str
    builder_unit: str
    manager_unit: str
    manager_phone: str
    contractor: str
    maintainer: str
    point_class: int
    platform_id: str
    dept_code: str
    camera_type: int
    online: int
    address: str
    position_types: list[str]
    coord_system: Literal["WGS84", "CGCS2000"]
    longitude: float
    latitude: float
    network: int
    retention_days: int
    share_attr: int
    default_perms: list[int]
    vendor: int
    codec: int
    status: int
    grassroots_code: str | None = None
    ipv4: str | None = None
    mac: str | None = None
    indoor_outdoor: int | None = None
    direction: int | None = None
    pole_id: str | None = None
    code_flags: list[str] = []


Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
RegionPrefix = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{2,6}$")]
DeptCode = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{2}$")]
SearchText = Annotated[str, msgspec.Meta(max_length=SEARCH_TEXT_MAX_LENGTH)]


class NearbyQuery(Schema, kw_only=True):
    """Query of "cameras near me" (附近摄像机)."""

    lat: Latitude
    lon: Longitude
    limit: Annotated[int, msgspec.Meta(ge=1, le=NEARBY_MAX_RESULTS)] = NEARBY_DEFAULT_RESULTS
    radius_m: Annotated[float, msgspec.Meta(gt=0, le=NEARBY_MAX_RADIUS_M)] | None = None
    region: RegionPrefix | None = None
    dept: DeptCode | None = None
    q: SearchText | None = None
    viewable_only: bool = False


class MapQuery(Schema, kw_only=True):
    """How the map page opens: the position and filters the list hands over (all optional;
    without a position the phone is asked for one)."""

    lat: Latitude | None = None
    lon: Longitude | None = None
    region: RegionPrefix | None = None
    dept: DeptCode | None = None
    q: SearchText | None = None
    viewable_only: bool = False

    def __post_init__(self) -> None:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together")


class MapTiles(Schema, kw_only=True):
    """Tile layers of the map page, from `MapSettings` (Leaflet URL template syntax)."""

    url: str
    label_url: str | None
    subdomains: list[str]
    attribution: str


class MapPageConfig(Schema, kw_only=True):
    """What the map page's script needs, embedded in the page as JSON."""

    api: str
    """The nearby JSON API the markers come from (permission-filtered on the server)."""
    limit: int
    """Cameras asked for per position."""
    centre: tuple[float, float]
    """City centre (lat, lon, WGS84): the first view and the fallback position."""
    start: tuple[float, float] | None
    """Position handed over by the list (lat, lon); None = ask the phone."""
    max_zoom: int
    tiles: MapTiles | None
    """None = no tiles configured: a plot of positions on a plain background."""
    compass: list[str]
    """Eight compass labels from north, clockwise, in the page's language."""
    text: dict[str, str]
    """Translated strings the script shows."""


class CameraSummary(Schema, kw_only=True):
    """A camera as a list row or detail header shows it, with what this user may do."""

    device_id: str
    name: str
    address: str
    civil_code: str
    latitude: float
    longitude: float
    online: bool
    camera_type: int
    dept_code: str
    dept_name: str
    share_attr: int
    access: AccessLabel
    may_view: bool
    ptz: bool
    code_flags: list[str]
    permissions: list[int] = []
    """Permissions this user holds on the camera now (1 live, 2 playback, 3 download,
    4 PTZ, 5 clip)."""
    retention_days: int | None = None
    distance_m: float | None = None
    bearing_deg: float | None = None
    compass: str | None = None
