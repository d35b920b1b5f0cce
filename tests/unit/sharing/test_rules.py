"""The sharing rules that need no database: outcome by sharing attribute, who decides,
where a grant stands, and the ask page's time presets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bff.auth.schemas import SignedInUser
from bff.catalog.schemas import CameraRecord
from bff.demo.catalogue import generate_demo_catalogue
from bff.lib.settings import Settings, WebRTCSettings
from bff.sharing.controllers import local_time_text, preset_end
from bff.sharing.models import PartState, ShareGrant
from bff.sharing.services import grant_state, may_decide, outcome_of

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)  # 18:00 in Shanwei


def person(role: str, dept: str) -> SignedInUser:
    return SignedInUser(id=1, username="u", display_name="U", staff_no="S1", dept_code=dept,
                        dept_name="", region_prefix="4415", role=role)


def camera_with(share_attr: int) -> CameraRecord:
    record = generate_demo_catalogue(1)[0]
    return CameraRecord(**{**{f: getattr(record, f) for f in record.__struct_fields__},
                           "share_attr": share_attr})


def test_outcome_follows_the_sharing_attribute() -> None:
    assert outcome_of(camera_with(1)) is PartState.GRANTED
    assert outcome_of(camera_with(0)) is PartState.PENDING
    assert outcome_of(camera_with(2)) is PartState.REFUSED
    assert outcome_of(camera_with(7)) is PartState.REFUSED  # unknown fails closed


def test_approvers_decide_for_their_department_admins_for_all() -> None:
    assert may_decide(person("approver", "24"), "24")
    assert not may_decide(person("approver", "15"), "24")
    assert not may_decide(person("duty_staff", "24"), "24")
    assert may_decide(person("admin", "29"), "24")


def test_grant_state_at_a_time() -> None:
    grant = ShareGrant(starts_at=NOW, ends_at=NOW + timedelta(hours=2), revoked_at=None)
    assert grant_state(grant, NOW - timedelta(seconds=1)) == "scheduled"
    assert grant_state(grant, NOW) == "active"
    assert grant_state(grant, NOW + timedelta(hours=2)) == "expired"
    grant.revoked_at = NOW + timedelta(minutes=5)
    assert grant_state(grant, NOW + timedelta(minutes=4)) == "active"
    assert grant_state(grant, NOW + timedelta(minutes=5)) == "revoked"


def test_presets_end_in_two_hours_tonight_or_in_seven_days() -> None:
    settings = Settings(webrtc=WebRTCSettings(timezone="Asia/Shanghai"))
    assert preset_end("2h", NOW, settings) == NOW + timedelta(hours=2)
    assert preset_end("7d", NOW, settings) == NOW + timedelta(days=7)
    tonight = preset_end("today", NOW, settings)
    assert tonight.astimezone(settings.webrtc.tzinfo()).strftime("%Y-%m-%d %H:%M:%S") == \
        "2026-12-04 23:59:59"
    late = NOW.replace(hour=15, minute=59, second=30)  # 23:59:30 local: an hour instead
    assert preset_end("today", late, settings) == late + timedelta(hours=1)
    assert local_time_text(NOW, tz=settings.webrtc.tzinfo(), locale="zh-CN").endswith(
        "12-04 18:00")
