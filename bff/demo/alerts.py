"""The demo's analysis platform: plausible alerts at the cameras that would raise them.

Flood points (易涝点) report flooding, school kitchens (学校食堂明厨亮灶) report kitchen
violations, forest-fire cameras (林火监测) report smoke — the places the city's plan names
(SPEC §4.4). Only cameras in use, online, with a conforming 20-digit code are picked. The
snapshot is the camera's own demo picture at that moment with the detection boxed, as an
analysis platform would send it.
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Sequence
from datetime import tzinfo

from PIL import ImageDraw

from bff.catalog.schemas import CameraRecord
from bff.demo.video import DemoPicture
from bff.lib.vocabulary import DeviceStatus, OnlineState
from bff.platform.base import DemoAlert

SNAPSHOT_SIZE = (640, 360)

# Site kind -> (how its cameras are named, the alert types it raises, weight among kinds).
_SITES: dict[str, tuple[str, tuple[str, ...], int]] = {
    "flood": ("易涝点", ("flooding",), 3),
    "kitchen": ("食堂明厨亮灶", ("kitchen_no_hat", "kitchen_rodent", "kitchen_garbage"), 4),
    "forest": ("林火监测", ("forest_fire",), 2),
}

_BOX_COLOUR = {"flooding": (30, 120, 255), "forest_fire": (255, 90, 0)}
_KITCHEN_COLOUR = (255, 40, 40)


def _alerting(record: CameraRecord) -> bool:
    return (record.status == DeviceStatus.IN_USE and record.online == OnlineState.ONLINE
            and not record.code_flags and len(record.device_id) == 20
            and record.device_id.isascii() and record.device_id.isdigit())


def alert_sites(records: Sequence[CameraRecord]) -> dict[str, list[CameraRecord]]:
    """The cameras of each alert-bearing site kind that can raise an alert now."""
    sites: dict[str, list[CameraRecord]] = {kind: [] for kind in _SITES}
    for record in records:
        if not _alerting(record):
            continue
        for kind, (marker, _, _) in _SITES.items():
            if marker in record.name:
                sites[kind].append(record)
                break
    return sites


def _detail(alert_type: str, rng: random.Random) -> str:
    if alert_type == "flooding":
        return f"积水深度约 {rng.randrange(15, 60, 5)} 厘米，车辆通行受阻"
    if alert_type == "kitchen_no_hat":
        return "后厨操作人员未佩戴厨师帽"
    if alert_type == "kitchen_rodent":
        return "后厨地面发现疑似老鼠活动"
    if alert_type == "kitchen_garbage":
        return "垃圾桶满溢未及时清理"
    return f"疑似林火烟雾，面积约 {rng.randrange(20, 400, 10)} 平方米"


def snapshot_of(camera: CameraRecord, alert_type: str, rng: random.Random, *,
                font_path: str = "", tz: tzinfo | None = None) -> bytes:
    """The camera's demo picture now, with the detection boxed in red, as a JPEG."""
    width, height = SNAPSHOT_SIZE
    picture = DemoPicture(camera.device_id, camera.name, width, height, font_path, tz=tz)
    image = picture.render(time.time()).to_image()
    draw = ImageDraw.Draw(image)
    box_w, box_h = rng.randint(width // 6, width // 3), rng.randint(height // 5, height // 3)
    left, top = rng.randint(0, width - box_w), rng.randint(height // 6, height - box_h)
    colour = _BOX_COLOUR.get(alert_type, _KITCHEN_COLOUR)
    draw.rectangle((left, top, left + box_w, top + box_h), outline=colour, width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


def make_demo_alert(sites: dict[str, list[CameraRecord]], rng: random.Random, *,
                    font_path: str = "", tz: tzinfo | None = None) -> DemoAlert | None:
    """One alert at a random camera of a random alert-bearing site kind; None when the
    catalogue has none of them."""
    kinds = [kind for kind in _SITES if sites.get(kind)]
    if not kinds:
        return None
    kind = rng.choices(kinds, weights=[_SITES[k][2] for k in kinds])[0]
    camera = rng.choice(sites[kind])
    alert_type = rng.choice(_SITES[kind][1])
    return DemoAlert(type=alert_type, device_id=camera.device_id,
                     confidence=round(rng.uniform(0.72, 0.98), 2),
                     detail=_detail(alert_type, rng),
                     snapshot_jpeg=snapshot_of(camera, alert_type, rng, font_path=font_path,
                                               tz=tz))
