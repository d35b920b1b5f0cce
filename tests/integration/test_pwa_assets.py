"""The PWA shell as the phone downloads it."""

from __future__ import annotations

import re
from pathlib import Path

from bff.plugin import versioned_service_worker


async def test_static_files_are_compressed_and_small(client) -> None:  # noqa: ANN001
    """First load budget (SPEC §6): JS + CSS ≤ 100 KB compressed."""
    total = 0
    for path in ("/static/vendor/htmx-2.0.8/htmx.min.js", "/static/app.js", "/static/nearby.js",
                 "/static/app.css"):
        response = await client.get(path, headers={"accept-encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers.get("content-encoding") == "gzip"
        total += int(response.headers.get("content-length") or len(response.content))
    assert total < 100_000


async def test_service_worker_cache_is_named_after_the_static_files(client) -> None:  # noqa: ANN001
    response = await client.get("/sw.js")
    assert response.status_code == 200 and "javascript" in response.headers["content-type"]
    assert "__SHELL_VERSION__" not in response.text
    assert re.search(r'"city-eye-shell-[0-9a-f]{12}"', response.text)
    shell = response.text.split("const SHELL = [", 1)[1].split("];", 1)[0]
    paths = re.findall(r'"(/static/[^"]+)"', shell)
    assert "/static/ptz.js" in paths
    for path in paths:  # every shell file exists
        assert (await client.get(path)).status_code == 200, path


def test_changing_a_static_file_renames_the_shell_cache(tmp_path: Path) -> None:
    (tmp_path / "sw.js").write_text('const SHELL_CACHE = "s-__SHELL_VERSION__";')
    (tmp_path / "app.css").write_text("body{}")
    before = versioned_service_worker(tmp_path)
    assert before == versioned_service_worker(tmp_path)
    (tmp_path / "app.css").write_text("body{color:red}")
    after = versioned_service_worker(tmp_path)
    assert after != before and after.startswith('const SHELL_CACHE = "s-')
