"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import bff.models  # noqa: F401 - registers every table on Base.metadata
from bff.lib.db import Base, create_database
from bff.lib.settings import DatabaseSettings
from bff.migrate import upgrade_to_head


async def test_models_and_migrations_agree(tmp_path: Path) -> None:
    database = create_database(DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path}/m.db"))
    try:
        await upgrade_to_head(database)
        async with database.engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata))
        assert differences == []
    finally:
        await database.close()
