"""The demo's made-up analysis alerts: flooding at flood points, kitchen violations at
school kitchens, smoke at forest cameras — only at cameras that could report now, each
with a JPEG snapshot of the camera's own picture."""

from __future__ import annotations

import random

from bff.alerts.snapshot import is_jpeg
from bff.demo.alerts import alert_sites, make_demo_alert
from bff.demo.catalogue import generate_demo_catalogue
from bff.lib.vocabulary import DeviceStatus, OnlineState

TYPES_OF = {"flood": {"flooding"}, "forest": {"forest_fire"},
            "kitchen": {"kitchen_no_hat", "kitchen_rodent", "kitchen_garbage"}}


def test_sites_hold_only_fitting_cameras_that_can_report() -> None:
    sites = alert_sites(generate_demo_catalogue(2_000))
    assert all(sites[kind] for kind in TYPES_OF)
    markers = {"flood": "易涝点", "kitchen": "食堂明厨亮灶", "forest": "林火监测"}
    for kind, cameras in sites.items():
        for camera in cameras:
            assert markers[kind] in camera.name
            assert camera.online == OnlineState.ONLINE and camera.status == DeviceStatus.IN_USE
            assert len(camera.device_id) == 20 and camera.device_id.isdigit()
            assert not camera.code_flags


def test_alerts_fit_their_camera_and_carry_a_jpeg() -> None:
    sites = alert_sites(generate_demo_catalogue(2_000))
    kind_of = {camera.device_id: kind for kind, cameras in sites.items() for camera in cameras}
    rng = random.Random(7)
    seen: set[str] = set()
    for _ in range(12):
        alert = make_demo_alert(sites, rng)
        assert alert is not None
        assert alert.type in TYPES_OF[kind_of[alert.device_id]]
        assert 0.7 <= alert.confidence <= 1 and alert.detail
        assert is_jpeg(alert.snapshot_jpeg) and len(alert.snapshot_jpeg) < 512 * 1024
        seen.add(kind_of[alert.device_id])
    assert seen == set(TYPES_OF)


def test_no_fitting_camera_no_alert() -> None:
    assert make_demo_alert({"flood": [], "kitchen": [], "forest": []}, random.Random(1)) is None
