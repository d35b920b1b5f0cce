"""Geometry on the WGS84 sphere: distance, bearing, compass point, boxes.

Degrees in, metres out, on a sphere of the mean Earth radius: at a city's scale the
error against the ellipsoid (≤ 0.5 %) is far below what a phone's position is worth.
The array forms (`*_terms`, `bearings_deg`) take radians, as the nearby index stores
them, and rank by the haversine term `a` so sorting needs no asin or sqrt.
"""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
COMPASS_POINTS = ("n", "ne", "e", "se", "s", "sw", "w", "nw")
"""Eight compass points from north, clockwise: codes, translated as `compass.<point>`."""


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS84 points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing in degrees [0, 360) from point 1 to point 2 (0 = north, clockwise)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360.0


def compass_sector(bearing_deg: float) -> int:
    """Index into `COMPASS_POINTS` of a bearing's eight-point sector, each 45° wide."""
    return int(((bearing_deg % 360.0) + 22.5) // 45.0) % 8


def compass_point(bearing_deg: float) -> str:
    """The eight-point compass sector of a bearing (`COMPASS_POINTS`)."""
    return COMPASS_POINTS[compass_sector(bearing_deg)]


def compass_sectors(bearings_deg: np.ndarray) -> np.ndarray:
    """`compass_point`'s sector index (into `COMPASS_POINTS`) for an array of bearings."""
    return (((bearings_deg % 360.0) + 22.5) // 45.0).astype(np.int64) % 8


def in_range(lat: float, lon: float) -> bool:
    """True for finite coordinates within ±90° latitude and ±180° longitude."""
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


def has_position(lat: float, lon: float) -> bool:
    """True when a catalogue row's coordinates can place it on the map."""
    # (0, 0) is what broken catalogue rows carry; no camera of this platform sits there.
    return in_range(lat, lon) and not (lat == 0.0 and lon == 0.0)


def haversine_terms(lat_rad: float, lon_rad: float, lats_rad: np.ndarray,
                    lons_rad: np.ndarray, cos_lats: np.ndarray) -> np.ndarray:
    """Haversine term `a` from one point to many (`cos_lats` = cos of `lats_rad`, given
    because an index keeps it); monotonic in distance, so it ranks without asin or sqrt."""
    dlat = lats_rad - lat_rad
    dlon = lons_rad - lon_rad
    return np.sin(dlat * 0.5) ** 2 + math.cos(lat_rad) * cos_lats * np.sin(dlon * 0.5) ** 2


def term_of_distance(distance_m: float) -> float:
    """Haversine term of a distance, the inverse of `distances_of_terms`."""
    if not math.isfinite(distance_m):
        return math.inf
    angle = min(distance_m / EARTH_RADIUS_M, math.pi)
    return math.sin(angle / 2) ** 2


def distances_of_terms(terms: np.ndarray) -> np.ndarray:
    """Metres for haversine terms: 2R·asin(√a)."""
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(terms, 0.0, 1.0)))


def bearings_deg(lat_rad: float, lon_rad: float, lats_rad: np.ndarray,
                 lons_rad: np.ndarray) -> np.ndarray:
    """Initial bearings in degrees [0, 360) from one point to many (the array
    form of `bearing_deg`)."""
    dlon = lons_rad - lon_rad
    y = np.sin(dlon) * np.cos(lats_rad)
    x = (math.cos(lat_rad) * np.sin(lats_rad)
         - math.sin(lat_rad) * np.cos(lats_rad) * np.cos(dlon))
    return np.degrees(np.arctan2(y, x)) % 360.0


def distance_to_box_edge_m(lat: float, lon: float, south: float, north: float, west: float,
                           east: float) -> float:
    """Lower bound, in metres, on the distance from a point inside a lat/lon box to
    anything outside it; 0 when the box reaches a pole (longitudes bound nothing there)."""
    if south <= -90.0 or north >= 90.0:
        return 0.0
    # Distance to a parallel is the latitude difference; to a meridian it is
    # asin(cos φ · sin Δλ). Both are exact lower bounds for whatever lies beyond the edge.
    gap_lat = math.radians(min(lat - south, north - lat))
    gap_lon = math.radians(min(lon - west, east - lon))
    gap_lon = math.asin(math.cos(math.radians(lat)) * math.sin(min(gap_lon, math.pi / 2)))
    return max(0.0, min(gap_lat, gap_lon) * EARTH_RADIUS_M)
