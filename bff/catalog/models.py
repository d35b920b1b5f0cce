"""The camera catalogue table (appendix 5); grants of cameras to users are in
`bff.auth.models`."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bff.lib.db import Base, utcnow


class Camera(Base):
    """One camera of the resource catalogue. `code_flags` lists GB/T 28181 rule breaks of
    `device_id` (flagged, not rejected)."""

    __tablename__ = "camera"
    __table_args__ = (
        Index("ix_camera_civil_code", "civil_code"),
        Index("ix_camera_dept_code", "dept_code"),
        Index("ix_camera_lat_lon", "latitude", "longitude"),
        # Every process polls max(updated_at) to notice catalogue changes made elsewhere.
        Index("ix_camera_updated_at", "updated_at"),
    )

    device_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    civil_code: Mapped[str] = mapped_column(String(6))
    grassroots_code: Mapped[str | None] = mapped_column(String(10))
    builder_unit: Mapped[str] = mapped_column(String(100))
    manager_unit: Mapped[str] = mapped_column(String(100))
    manager_phone: Mapped[str] = mapped_column(String(32))
    contractor: Mapped[str] = mapped_column(String(100))
    maintainer: Mapped[str] = mapped_column(String(100))
    point_class: Mapped[int]
    platform_id: Mapped[str] = mapped_column(String(128))
    dept_code: Mapped[str] = mapped_column(String(2))
    camera_type: Mapped[int]
    online: Mapped[int]
    address: Mapped[str] = mapped_column(String(100))
    position_types: Mapped[list[str]] = mapped_column(JSON)
    coord_system: Mapped[str] = mapped_column(String(8))
    longitude: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float] = mapped_column(Float)
    ipv4: Mapped[str | None] = mapped_column(String(45))
    mac: Mapped[str | None] = mapped_column(String(17))
    indoor_outdoor: Mapped[int | None]
    direction: Mapped[int | None]
    pole_id: Mapped[str | None] = mapped_column(String(12))
    network: Mapped[int]
    retention_days: Mapped[int]
    share_attr: Mapped[int]
    default_perms: Mapped[list[int]] = mapped_column(JSON)
    vendor: Mapped[int]
    codec: Mapped[int]
    status: Mapped[int]
    code_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC(), default=utcnow, onupdate=utcnow)

