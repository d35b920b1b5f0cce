"""People, departments and the grants of cameras to people (用户、部门与授权)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bff.lib.db import Base, utcnow


class Role(StrEnum):
    """What a person does; permissions on cameras come from department, region and grants."""

    OFFICER = "officer"  # 民警
    GRID_WORKER = "grid_worker"  # 网格员
    DUTY_STAFF = "duty_staff"  # 部门值班人员
    APPROVER = "approver"  # 审批人
    ADMIN = "admin"  # 市视频办管理员


class Department(Base):
    """A camera-owning department or industry (appendix-5 dept_code, 01–32, 99)."""

    __tablename__ = "department"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


class User(Base):
    """A staff member who signs in on a phone. Belongs to one department and has a region
    scope: a civil-code prefix ("4415" = the whole city, "441502" = 城区)."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    staff_no: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    dept_code: Mapped[str] = mapped_column(ForeignKey("department.code"))
    region_prefix: Mapped[str] = mapped_column(String(12))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(), default=utcnow)


class Grant(Base):
    """Permissions on one camera given to one user from `starts_at` until `expires_at`
    (授权).

    Kept with the people it authorizes, not with the catalogue: the policy reads grants, and
    `bff.auth` imports nothing from `bff.catalog` (the camera is referenced by table name).
    Grants decided through a share request (`bff.sharing`) name their share grant in
    `share_grant_id`: one row per camera of it, revoked together.
    """

    __tablename__ = "camera_grant"
    __table_args__ = (Index("ix_camera_grant_user", "user_id", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    device_id: Mapped[str] = mapped_column(ForeignKey("camera.device_id", ondelete="CASCADE"))
    perms: Mapped[list[int]] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(), default=utcnow)
    starts_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())
    """None = in force from creation (grants written before share requests existed)."""
    share_grant_id: Mapped[int | None] = mapped_column(index=True)
    """The `share_grant` this row belongs to (by id: `bff.auth` names no sharing table)."""
