"""The PWA shell as the phone downloads it."""

from __future__ import annotations


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
