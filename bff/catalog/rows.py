"""Between the camera table and catalogue records: one place that maps the fields."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from bff.catalog.gbt28181 import check_device_code
from bff.catalog.models import Camera
from bff.catalog.schemas import CameraRecord

RECORD_FIELDS: tuple[str, ...] = CameraRecord.__struct_fields__
"""The record's fields; every one is a column of the camera table."""


def camera_row(record: CameraRecord) -> dict[str, object]:
    """Table row of a catalogue record; the code flags are always recomputed here."""
    row = msgspec.structs.asdict(record)
    row["code_flags"] = check_device_code(record.device_id, civil_code=record.civil_code)
    return row


def record_of(camera: Camera) -> CameraRecord:
    """The catalogue record of an ORM row."""
    return CameraRecord(**{name: getattr(camera, name) for name in RECORD_FIELDS})


def record_from_mapping(row: Mapping[str, object]) -> CameraRecord:
    """The catalogue record of a result row read as a mapping (bulk loads)."""
    return CameraRecord(**{name: row[name] for name in RECORD_FIELDS})  # type: ignore[arg-type]
