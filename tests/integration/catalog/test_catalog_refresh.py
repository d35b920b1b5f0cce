"""Every process notices a catalogue change made elsewhere (the CLI, another process)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bff.catalog.importer import import_catalogue
from bff.catalog.services import CatalogService
from bff.lib.db import Database
from tests.integration.catalog.test_import_page import catalogue_csv


async def test_an_import_elsewhere_reaches_every_process(db: Database, tmp_path: Path) -> None:
    # Two BFF processes' catalogues over one database.
    here, there = CatalogService(db), CatalogService(db)
    size = await here.load()
    await there.load()
    assert size > 0 and not await there.refresh()  # nothing changed: no reload

    content, new_id = catalogue_csv()
    sheet = tmp_path / "catalogue.csv"
    sheet.write_bytes(content)
    summary = await import_catalogue(db, sheet)  # what `bff catalog import` does
    assert summary.imported == 3 and there.get(new_id) is None

    assert await there.refresh()
    assert there.get(new_id).name == "导入测试摄像机0" and there.size == size + 3
    assert not await there.refresh()

    # The app's periodic watch does the same without being asked.
    watch = asyncio.create_task(here.watch(0.05))
    try:
        for _ in range(200):
            if here.get(new_id) is not None:
                break
            await asyncio.sleep(0.05)
        assert here.get(new_id) is not None and here.size == size + 3
    finally:
        watch.cancel()
