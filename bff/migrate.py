"""Schema migrations with Alembic, run programmatically on the app's async engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from bff.lib.db import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


async def upgrade_to_head(database: Database) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    if database.is_sqlite:
        _ensure_sqlite_folder(str(database.engine.url.database or ""))

    def run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), "head")

    async with database.engine.begin() as connection:
        await connection.run_sync(run)


async def autogenerate(database: Database, message: str) -> None:
    """Write a new revision from the difference between the models and the database."""

    def run(connection: Connection) -> None:
        command.revision(alembic_config(connection), message=message, autogenerate=True)

    async with database.engine.begin() as connection:
        await connection.run_sync(run)


def _ensure_sqlite_folder(path: str) -> None:
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
