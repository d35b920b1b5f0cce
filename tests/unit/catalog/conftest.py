"""Fixtures of the catalogue unit tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bff.lib.db import Database, create_database
from bff.lib.settings import DatabaseSettings
from bff.migrate import upgrade_to_head


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated SQLite database of the test's own."""
    db = create_database(DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'catalog.sqlite3'}"))
    await upgrade_to_head(db)
    try:
        yield db
    finally:
        await db.close()
