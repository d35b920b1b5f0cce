"""Database plumbing: declarative base, engine and session factory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import JSON, MetaData
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import StaticPool

from bff.lib.settings import DatabaseSettings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table; constraint names are stable for Alembic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict: JSON, list: JSON}


def utcnow() -> datetime:
    """Now, timezone-aware in UTC: what `DateTimeUTC` columns store."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Database:
    """The engine and a session factory for work outside a request (seeding, audit of
    stream ends, background tasks)."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    async def close(self) -> None:
        await self.engine.dispose()


def create_database(settings: DatabaseSettings) -> Database:
    """Create the async engine; an in-memory SQLite URL keeps one shared connection."""
    url = settings.url
    kwargs: dict[str, object] = {"echo": settings.echo}
    pooled = {"pool_size": settings.pool_size, "max_overflow": settings.max_overflow}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
        if ":memory:" in url or url.rstrip("/").endswith("sqlite+aiosqlite:"):
            kwargs["poolclass"] = StaticPool
        else:
            kwargs.update(pooled)
    else:
        kwargs.update(pooled)
        kwargs["pool_pre_ping"] = True
        if settings.schema:
            kwargs["connect_args"] = {"server_settings": {"search_path": settings.schema}}
    engine = create_async_engine(url, **kwargs)
    return Database(engine=engine, sessions=async_sessionmaker(engine, expire_on_commit=False))
