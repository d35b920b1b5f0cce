"""The radar plot places cameras by bearing and distance around the user."""

from bff.catalog.schemas import CameraSummary
from bff.catalog.services import radar_points


def camera(device_id: str, distance: float, bearing: float) -> CameraSummary:
    return CameraSummary(device_id=device_id, name=device_id, address="", civil_code="441502",
                         latitude=0, longitude=0, online=True, camera_type=2, dept_code="06",
                         dept_name="公安部门", share_attr=0, access="may_view", may_view=True,
                         ptz=False, code_flags=[], distance_m=distance, bearing_deg=bearing)


def test_points_follow_bearing_and_scale_to_the_farthest() -> None:
    points, rim = radar_points([camera("n", 100, 0), camera("e", 200, 90), camera("s", 50, 180)])
    by_id = {p.device_id: p for p in points}
    assert rim == 200
    assert (by_id["e"].x, by_id["e"].y) == (95.0, 50.0)  # farthest on the rim, due east
    assert by_id["n"].x == 50 and by_id["n"].y == 27.5  # half way, north is up
    assert by_id["s"].y > 50  # south is down


def test_no_cameras_no_points() -> None:
    assert radar_points([]) == ([], 1.0)
