"""回放事发时刻: the playback tab opens 30 s before the alert's moment."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from bff.playback.controllers import playback_link


def test_playback_link_starts_thirty_seconds_before_the_event() -> None:
    link = playback_link("44150201001320000001", datetime(2026, 12, 3, 6, 5, 0, tzinfo=UTC))
    parts = urlsplit(link)
    assert parts.path == "/cameras/44150201001320000001/playback"
    start = datetime.fromisoformat(parse_qs(parts.query)["start"][0])
    assert start == datetime(2026, 12, 3, 6, 4, 30, tzinfo=UTC)
