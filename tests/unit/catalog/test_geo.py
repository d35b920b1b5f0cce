"""Geometry on the sphere: distances, bearings, compass points, box edges."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bff.catalog.geo import (
    COMPASS_POINTS,
    bearing_deg,
    bearings_deg,
    compass_point,
    distance_to_box_edge_m,
    distances_of_terms,
    has_position,
    haversine_m,
    haversine_terms,
    in_range,
    term_of_distance,
)

LAT, LON = 22.787, 115.372  # the 城区 seat


def test_distance_and_bearing() -> None:
    assert haversine_m(22.0, 115.0, 23.0, 115.0) == pytest.approx(111_195, rel=1e-4)
    assert haversine_m(LAT, LON, LAT, LON) == 0.0
    assert bearing_deg(22.0, 115.0, 22.0, 115.1) == pytest.approx(90, abs=0.05)
    assert bearing_deg(22.0, 115.0, 21.9, 115.0) == pytest.approx(180)
    assert 0 <= bearing_deg(22.0, 115.0, 22.1, 114.99) < 360


def test_compass_points_are_45_degree_sectors_centred_on_north() -> None:
    bearings = (0, 22.4, 22.6, 90, 135, 180, 225, 270, 315, 359, -45, 405)
    assert [compass_point(b) for b in bearings] == [
        "n", "n", "ne", "e", "se", "s", "sw", "w", "nw", "n", "nw", "ne",
    ]  # fmt: skip
    assert [compass_point(45.0 * i) for i in range(8)] == list(COMPASS_POINTS)


def test_positions() -> None:
    assert in_range(LAT, LON) and in_range(-90, 180) and in_range(0, 0)
    assert not in_range(91, 0) and not in_range(0, -181) and not in_range(math.nan, 0)
    assert not in_range(0, math.inf)
    assert has_position(LAT, LON)
    assert not has_position(0.0, 0.0)  # what broken catalogue rows carry
    assert not has_position(LAT, 200)


def test_array_forms_agree_with_the_scalar_ones() -> None:
    rng = np.random.default_rng(3)
    lats = LAT + rng.normal(0, 0.2, 50)
    lons = LON + rng.normal(0, 0.2, 50)
    lats_rad, lons_rad = np.radians(lats), np.radians(lons)
    lat_rad, lon_rad = math.radians(LAT), math.radians(LON)
    terms = haversine_terms(lat_rad, lon_rad, lats_rad, lons_rad, np.cos(lats_rad))
    distances = distances_of_terms(terms)
    bearings = bearings_deg(lat_rad, lon_rad, lats_rad, lons_rad)
    for i in range(50):
        assert distances[i] == pytest.approx(haversine_m(LAT, LON, lats[i], lons[i]), abs=1e-6)
        assert bearings[i] == pytest.approx(bearing_deg(LAT, LON, lats[i], lons[i]), abs=1e-9)


def test_haversine_term_of_a_distance_round_trips() -> None:
    for metres in (0.0, 1.0, 750.0, 15_000.0, 2_000_000.0):
        assert distances_of_terms(np.array([term_of_distance(metres)]))[0] == pytest.approx(
            metres, abs=1e-6
        )
    assert term_of_distance(math.inf) == math.inf
    assert term_of_distance(1e12) == pytest.approx(1.0)  # beyond the antipode: everything


def test_distance_to_box_edge_is_a_lower_bound() -> None:
    south, north, west, east = LAT - 0.1, LAT + 0.05, LON - 0.2, LON + 0.3
    bound = distance_to_box_edge_m(LAT, LON, south, north, west, east)
    assert bound == pytest.approx(haversine_m(LAT, LON, north, LON), rel=1e-6)  # nearest: north
    rng = np.random.default_rng(5)
    for _ in range(500):
        lat, lon = rng.uniform(LAT - 1, LAT + 1), rng.uniform(LON - 1, LON + 1)
        if south <= lat <= north and west <= lon <= east:
            continue
        assert haversine_m(LAT, LON, lat, lon) >= bound


def test_a_box_reaching_a_pole_bounds_nothing() -> None:
    assert distance_to_box_edge_m(89.0, 0.0, 88.0, 90.0, -1.0, 1.0) == 0.0
    assert distance_to_box_edge_m(-89.0, 0.0, -90.0, -88.0, -1.0, 1.0) == 0.0
